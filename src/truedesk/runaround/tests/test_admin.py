"""An administrator edits the thresholds in the admin; every change is audited."""

from __future__ import annotations

from truedesk.accounts.models import AuditEvent, User
from truedesk.runaround.models import RunaroundPolicy
from truedesk.runaround.selectors import get_company_thresholds

URL = "/admin/runaround/runaroundpolicy/"


def _administrator() -> User:
    return User.objects.create_superuser("adam", "adam@truedesk.test", "x")


def test_an_administrator_changes_the_company_thresholds_and_it_is_audited(client_for, limits):
    policy = limits()
    admin = client_for(_administrator())
    response = admin.post(f"{URL}{policy.pk}/change/", {
        "is_enabled": "on", "max_contacts": "6", "max_staff": "3", "max_transfers": "2",
        "max_customer_minutes": "90", "max_days_open": "5",
    })  # fmt: skip
    assert response.status_code == 302
    thresholds = get_company_thresholds()
    assert (thresholds.contacts, thresholds.customer_minutes) == (6, 90)
    audit = AuditEvent.objects.get(action="runaround.runaroundpolicy.changed")
    assert audit.actor.username == "adam"
    assert audit.data == {"max_contacts": 6, "max_customer_minutes": 90}


def test_there_is_one_company_policy_which_cannot_be_deleted_or_doubled(client_for, limits):
    policy = limits()
    admin = client_for(_administrator())
    assert admin.get(f"{URL}add/").status_code == 403
    assert admin.post(f"{URL}{policy.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RunaroundPolicy.objects.count() == 1


def test_a_limit_below_one_is_refused(client_for, limits):
    policy = limits()
    admin = client_for(_administrator())
    response = admin.post(f"{URL}{policy.pk}/change/", {
        "is_enabled": "on", "max_contacts": "0", "max_staff": "3", "max_transfers": "2",
        "max_customer_minutes": "60", "max_days_open": "5",
    })  # fmt: skip
    assert response.status_code == 200
    assert get_company_thresholds().contacts == 3
