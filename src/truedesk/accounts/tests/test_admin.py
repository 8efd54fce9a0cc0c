import pytest
from django.urls import reverse

from truedesk.accounts.actions import mint_api_token, record_audit_event
from truedesk.accounts.models import ApiToken, AuditEvent, User


@pytest.fixture
def admin_client(world, client):
    root = User.objects.create_superuser("root", "root@truedesk.test", "x")
    client.force_login(root)
    client.root = root
    return client


def test_users_are_listed_and_filtered_by_kind_role_and_department(admin_client, world):
    url = reverse("admin:accounts_user_changelist")
    page = admin_client.get(url, {"kind__exact": "customer"})
    assert page.status_code == 200
    assert b"dave" in page.content and b"alice" not in page.content
    page = admin_client.get(url, {"departments__id__exact": world.billing.pk})
    assert b"bob" in page.content and b"alice" not in page.content


def test_adding_staff_through_the_admin_requires_a_role(admin_client):
    url = reverse("admin:accounts_user_add")
    form = {
        "username": "gina",
        "email": "g@t.test",
        "kind": "staff",
        "role": "",
        "language": "en",
        "time_zone": "UTC",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200  # the form again, with the error, not a crash
    assert not User.objects.filter(username="gina").exists()
    accepted = admin_client.post(url, {**form, "role": "agent"})
    assert accepted.status_code == 302
    assert User.objects.get(username="gina").role == "agent"


def test_users_cannot_be_deleted_in_the_admin_only_deactivated(admin_client, world):
    page = admin_client.get(reverse("admin:accounts_user_delete", args=[world.alice.pk]))
    assert page.status_code == 403


def test_department_members_are_chosen_among_staff(admin_client, world):
    page = admin_client.get(reverse("admin:accounts_department_change", args=[world.support.pk]))
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["members"].queryset
    assert world.alice in choices and world.dave_user not in choices


def test_tokens_are_read_only_and_can_be_revoked_in_the_admin(admin_client, world):
    token, _raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    page = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.digest.encode() in page.content
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoked").actor == admin_client.root


def test_audit_events_can_be_read_but_never_added_changed_or_deleted(admin_client, world):
    event = record_audit_event(actor=world.alice, action="customer.updated", data={"x": "<b>"})
    page = admin_client.get(reverse("admin:accounts_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b"&lt;b&gt;" in page.content and b"<b>" not in page.content
    assert admin_client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    delete_url = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
