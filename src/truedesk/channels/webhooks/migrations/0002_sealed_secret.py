"""Seal webhook signing secrets at rest (they were stored as they are)."""

from django.db import migrations, models

PURPOSE = "truedesk-webhook-signing-secret"


def seal_existing(apps, schema_editor):
    from truedesk.lib.secrets_box import seal

    endpoints = apps.get_model("webhooks", "WebhookEndpoint")
    for endpoint in endpoints.objects.all().only("pk", "secret"):
        endpoints.objects.filter(pk=endpoint.pk).update(
            sealed_secret=seal(endpoint.secret, purpose=PURPOSE),
            secret_prefix=endpoint.secret[:10],
        )


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="sealed_secret",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_prefix",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        # Secrets cannot be unsealed without the key, so there is no way back.
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
    ]
