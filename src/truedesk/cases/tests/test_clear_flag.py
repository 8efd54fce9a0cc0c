"""Clearing a case's flag: the owner or a supervisor, with a reason, on the timeline and audited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from truedesk.accounts.models import AuditEvent
from truedesk.cases.actions import clear_case_flag, take_case
from truedesk.cases.errors import InvalidInput, NotAllowed, StaleVersion
from truedesk.cases.models import Case, CaseEvent, EventKind


@pytest.fixture
def flagged(world, case) -> Case:
    take_case(acting_user=world.alice, case=case)
    Case.objects.filter(pk=case.pk).update(
        flagged_at=timezone.now(), flag_reason="Promise missed: Call-back due 2026-11-20 17:00"
    )
    case.refresh_from_db()
    return case


def test_the_owner_clears_the_flag_with_a_reason_on_the_timeline_and_in_the_audit(world, flagged):
    version = flagged.version

    case = clear_case_flag(acting_user=world.alice, case=flagged, reason="  Called him back ",
                           expected_version=version)  # fmt: skip

    case.refresh_from_db()
    assert (case.flagged_at, case.flag_reason, case.version) == (None, "", version + 1)
    event = CaseEvent.objects.get(case=case, kind=EventKind.FLAG_CLEARED)
    assert event.actor == world.alice
    assert event.data["reason"] == "Called him back"
    assert event.data["flag"]["reason"].startswith("Promise missed")
    audit = AuditEvent.objects.get(action="case.flag_cleared")
    assert audit.actor == world.alice and audit.data["reason"] == "Called him back"


def test_a_supervisor_may_clear_it_a_colleague_and_a_customer_may_not(world, flagged):
    for outsider in (world.bob, world.dave_user, world.erin):
        with pytest.raises(NotAllowed):
            clear_case_flag(acting_user=outsider, case=flagged, reason="done")

    clear_case_flag(acting_user=world.carol, case=flagged, reason="Checked with dave")

    flagged.refresh_from_db()
    assert flagged.flagged_at is None


def test_clearing_twice_changes_nothing_the_second_time(world, flagged):
    clear_case_flag(
        acting_user=world.alice, case=flagged, reason="done", expected_version=flagged.version
    )
    version = Case.objects.get(pk=flagged.pk).version

    clear_case_flag(acting_user=world.alice, case=flagged, reason="done", expected_version=1)

    assert Case.objects.get(pk=flagged.pk).version == version
    assert CaseEvent.objects.filter(case=flagged, kind=EventKind.FLAG_CLEARED).count() == 1


def test_a_stale_version_or_an_empty_reason_is_refused_and_keeps_the_flag(world, flagged):
    with pytest.raises(StaleVersion):
        clear_case_flag(acting_user=world.alice, case=flagged, reason="done",
                        expected_version=flagged.version - 1)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        clear_case_flag(acting_user=world.alice, case=flagged, reason="   ")
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput):
        clear_case_flag(acting_user=world.alice, case=flagged, reason="x" * 501)

    flagged.refresh_from_db()
    assert flagged.flagged_at is not None
    assert not CaseEvent.objects.filter(case=flagged, kind=EventKind.FLAG_CLEARED).exists()


def test_the_desk_case_page_clears_the_flag_and_shows_why_on_the_timeline(world, flagged, client):
    client.force_login(world.alice)
    page = client.get(f"/desk/cases/{flagged.number}/").content.decode()
    assert "Promise missed" in page and 'name="clear_flag-reason"' in page

    answer = client.post(
        f"/desk/cases/{flagged.number}/clear-flag/",
        {"clear_flag-reason": "Called him back", "clear_flag-version": flagged.version},
        follow=True,
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Flag cleared." in page
    assert 'name="clear_flag-reason"' not in page
    assert "Called him back" in page  # the timeline entry


def test_the_desk_shows_no_clear_button_to_a_colleague_and_keeps_typed_text_on_409(
    world, flagged, client
):
    client.force_login(world.bob)
    assert (
        'name="clear_flag-reason"'
        not in client.get(f"/desk/cases/{flagged.number}/").content.decode()
    )

    client.force_login(world.alice)
    answer = client.post(
        f"/desk/cases/{flagged.number}/clear-flag/",
        {"clear_flag-reason": "Called him back", "clear_flag-version": flagged.version - 1},
    )

    assert answer.status_code == 409
    assert "Called him back" in answer.content.decode()
    flagged.refresh_from_db()
    assert flagged.flagged_at is not None
