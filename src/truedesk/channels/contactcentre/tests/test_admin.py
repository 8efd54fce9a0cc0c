"""The integration admin: the signing secret shown once, replaced on demand, audited."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest

from truedesk.accounts.models import AuditEvent, User
from truedesk.channels.contactcentre import signing
from truedesk.channels.contactcentre.models import Integration


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def test_creating_an_integration_shows_its_secret_once_and_audits_it(admin_client, service_user):
    response = admin_client.post(
        "/admin/contactcentre/integration/add/",
        {"name": "Switch", "key": "switch", "acting_user": service_user.pk, "is_active": "on",
         "agent_identities-TOTAL_FORMS": "0", "agent_identities-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip

    integration = Integration.objects.get(key="switch")
    secret = signing.derive_secret(integration.secret_salt)
    assert secret in response.content.decode()
    page = admin_client.get(f"/admin/contactcentre/integration/{integration.pk}/change/")
    assert secret not in page.content.decode()
    assert AuditEvent.objects.filter(action="contact_centre.integration_created").exists()


def _cookies_as_text(response) -> str:
    """Every cookie the response sets, raw and, where it is a message cookie, decoded."""
    parts = []
    for morsel in response.cookies.values():
        parts.append(morsel.value)
        parts.extend(str(m) for m in CookieStorage(HttpRequest())._decode(morsel.value) or [])
    return "\n".join(parts)


def test_the_signing_secret_never_travels_in_a_cookie(admin_client, service_user, integration):
    created = admin_client.post(
        "/admin/contactcentre/integration/add/",
        {"name": "Other", "key": "other", "acting_user": service_user.pk, "is_active": "on",
         "agent_identities-TOTAL_FORMS": "0", "agent_identities-INITIAL_FORMS": "0"},
    )  # fmt: skip
    rotated = admin_client.post(
        "/admin/contactcentre/integration/",
        {"action": "rotate_secret", "_selected_action": [integration.pk]},
    )
    assert created.status_code == rotated.status_code == 302
    page = admin_client.get(rotated["Location"])
    integration.refresh_from_db()
    secrets = [signing.derive_secret(i.secret_salt) for i in Integration.objects.order_by("key")]
    cookies = "".join(_cookies_as_text(r) for r in (created, rotated, page))
    for secret in secrets:
        assert secret in page.content.decode()  # still shown once, from the session
        assert secret not in cookies


def test_replacing_the_secret_makes_the_old_one_useless(admin_client, integration):
    old = signing.derive_secret(integration.secret_salt)

    admin_client.post(
        "/admin/contactcentre/integration/",
        {"action": "rotate_secret", "_selected_action": [integration.pk]},
    )

    integration.refresh_from_db()
    new = signing.derive_secret(integration.secret_salt)
    assert new != old
    with pytest.raises(signing.SignatureError):
        signing.verify(salt=integration.secret_salt, timestamp=1, body=b"{}",
                       signature_header=signing.sign(old, 1, b"{}"))  # fmt: skip
    signing.verify(salt=integration.secret_salt, timestamp=1, body=b"{}",
                   signature_header=signing.sign(new, 1, b"{}"))  # fmt: skip
    assert AuditEvent.objects.filter(action="contact_centre.secret_rotated").exists()


def test_the_event_store_is_read_only_in_the_admin(admin_client, integration):
    assert admin_client.get("/admin/contactcentre/queueevent/").status_code == 200
    assert admin_client.get("/admin/contactcentre/queueevent/add/").status_code == 403
