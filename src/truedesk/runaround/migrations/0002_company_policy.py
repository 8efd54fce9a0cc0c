"""The company's runaround thresholds start as one row with the issue-3 defaults."""

from django.db import migrations


def create_policy(apps, schema_editor):
    policy = apps.get_model("runaround", "RunaroundPolicy")
    policy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("runaround", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
