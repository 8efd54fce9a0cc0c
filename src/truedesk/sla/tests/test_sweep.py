"""The SLA timer: a warning before the deadline, an escalation after it, each exactly once."""

from __future__ import annotations

import threading
from datetime import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from truedesk.calendars.actions import create_calendar
from truedesk.cases.actions import change_status, open_case
from truedesk.cases.models import Case, CaseEvent
from truedesk.lib.periodic import discover_periodic_jobs, registered_jobs
from truedesk.notifications.models import EmailDelivery, Notification
from truedesk.sla import actions
from truedesk.sla.actions import SweepResult, process_sla_clocks, save_policy
from truedesk.sla.models import SlaClock, SlaPolicy
from truedesk.sla.tests.conftest import FRIDAY_3PM, OFFICE_HOURS, VILNIUS, running
from truedesk.testing.personas import build_world, make_staff

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# Standard's first response (4 business hours from Friday 15:00) is due Tuesday
# 10:00; its warning (80 %: 3 h 12 min) comes Tuesday 09:12.
BEFORE_WARNING = datetime(2026, 2, 17, 9, 0, tzinfo=VILNIUS)
AFTER_WARNING = datetime(2026, 2, 17, 9, 15, tzinfo=VILNIUS)
AFTER_DUE = datetime(2026, 2, 17, 10, 1, tzinfo=VILNIUS)


@pytest.fixture
def owned(world, standard, make_case):
    """Dave's case, owned by alice, under the Standard policy."""
    return make_case(owner=world.alice)


def _keys(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("dedupe_key", flat=True))


# --- warnings -------------------------------------------------------------------------------


def test_nothing_happens_before_the_warning_point(owned, clock):
    clock.move_to(BEFORE_WARNING)

    assert process_sla_clocks() == SweepResult()


def test_the_owner_is_warned_once_however_often_the_sweep_runs(world, owned, clock):
    clock.move_to(AFTER_WARNING)

    first, second = process_sla_clocks(), process_sla_clocks()

    first_response = running(owned, "first_response")
    assert (first.warned, second.warned) == (1, 0)
    assert _keys("sla_warning") == [f"sla:{first_response.pk}:warn"]
    note = Notification.objects.get(kind="sla_warning")
    assert note.recipient == world.alice
    assert f"#{owned.number}" in note.title and "Tuesday 10:00" in note.title
    assert first_response.warned_at is not None


def test_an_unowned_case_warns_the_departments_supervisors(world, standard, make_case, clock):
    case = make_case()
    clock.move_to(AFTER_WARNING)

    process_sla_clocks()

    clock_id = running(case, "first_response").pk
    assert _keys("sla_warning") == [f"sla:{clock_id}:warn:{world.carol.pk}"]


def test_a_clock_found_past_its_deadline_is_breached_without_a_warning(owned, clock):
    clock.move_to(AFTER_DUE)

    result = process_sla_clocks()

    assert (result.warned, result.breached) == (0, 1)
    assert _keys("sla_warning") == []


# --- breaches -------------------------------------------------------------------------------


def test_a_breach_is_recorded_once_and_escalated_to_owner_and_supervisors(world, owned, clock):
    clock.move_to(AFTER_DUE)

    first, second = process_sla_clocks(), process_sla_clocks()

    assert (first.breached, second.breached) == (1, 0)
    breached = SlaClock.objects.get(case=owned, metric="first_response")
    assert breached.breached_at is not None and breached.stopped_at is None
    (event,) = CaseEvent.objects.filter(case=owned, kind="sla_breached")
    assert (event.actor_label, event.data["metric"]) == ("sla", "first_response")
    expected = [f"sla:{breached.pk}:breach:{user.pk}" for user in (world.alice, world.carol)]
    assert _keys("sla_breached") == sorted(expected)
    emails = EmailDelivery.objects.filter(dedupe_key__in=expected)
    assert sorted(emails.values_list("to_address", flat=True)) == [
        "alice@truedesk.test",
        "carol@truedesk.test",
    ]
    assert "SLA breached" in emails.first().subject


def test_without_escalation_only_the_owner_hears_of_a_breach(world, owned, standard, clock):
    standard.escalate_to_supervisor = False
    save_policy(acting_user=world.carol, policy=standard)
    clock.move_to(AFTER_DUE)

    process_sla_clocks()

    assert list(
        Notification.objects.filter(kind="sla_breached").values_list("recipient", flat=True)
    ) == [world.alice.pk]


def test_a_paused_clock_never_breaches(world, owned, committed, clock):
    with committed():
        change_status(acting_user=world.alice, case=owned, status="waiting_on_customer")
    clock.move_to(AFTER_DUE)

    assert process_sla_clocks().breached == 0


def test_a_clock_stopped_in_time_never_breaches(world, owned, committed, clock):
    from truedesk.cases.actions import reply_to_case

    with committed():
        reply_to_case(acting_user=world.alice, case=owned, body="Hello", channel="email")
    clock.move_to(AFTER_DUE)

    assert process_sla_clocks().breached == 0


def test_one_failing_breach_does_not_stop_the_others(world, standard, make_case, clock):
    good, bad = make_case(owner=world.alice), make_case(acting_user=world.bob, owner=world.bob)
    clock.move_to(AFTER_DUE)
    real = actions.emails.breach

    def fail_for_bad(clock_row, recipients):
        if clock_row.case_id == bad.pk:
            raise RuntimeError("mail system down")
        real(clock_row, recipients)

    with mock.patch.object(actions.emails, "breach", side_effect=fail_for_bad):
        assert process_sla_clocks().breached == 1

    # The failed one rolled back whole and is breached by the next sweep.
    assert running(bad, "first_response").breached_at is None
    assert process_sla_clocks().breached == 1
    assert CaseEvent.objects.filter(kind="sla_breached", case__in=[good, bad]).count() == 2


# --- reassignment ---------------------------------------------------------------------------


def test_a_breach_reassigns_to_the_least_loaded_supervisor(world, owned, standard, clock):
    sam = make_staff("sam", "supervisor", "Sam Stone")
    world.support.members.add(sam)
    open_case(acting_user=world.carol, customer=world.fiona, subject="Busy", body="b",
              channel="email", department=world.support, owner=world.carol)  # fmt: skip
    standard.reassign_on_breach = True
    save_policy(acting_user=world.carol, policy=standard)
    clock.move_to(AFTER_DUE)

    process_sla_clocks()

    owned.refresh_from_db()
    assert owned.owner == sam
    assert owned.events.filter(kind="case_assigned", actor_label="sla").count() == 1
    assert Notification.objects.filter(kind="sla_reassigned", recipient=sam).count() == 1


def test_a_breach_reassigns_to_the_person_the_policy_names(world, owned, standard, clock):
    standard.reassign_on_breach = True
    standard.reassign_to = world.bob
    save_policy(acting_user=world.carol, policy=standard)
    clock.move_to(AFTER_DUE)

    process_sla_clocks()
    process_sla_clocks()

    owned.refresh_from_db()
    assert owned.owner == world.bob
    assert owned.events.filter(kind="case_assigned").count() == 1


# --- two workers at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_workers_sweeping_at_once_warn_and_breach_each_clock_once():
    world = build_world()
    office = create_calendar(acting_user=world.carol, name="Office", time_zone="Europe/Vilnius",
                             country="LT", hours=OFFICE_HOURS)  # fmt: skip
    save_policy(acting_user=world.carol, policy=SlaPolicy(
        name="Standard", calendar=office, first_response_minutes=240, resolution_minutes=2400,
    ))  # fmt: skip
    with time_machine.travel(FRIDAY_3PM, tick=False) as traveller:
        cases = [
            open_case(acting_user=world.alice, customer=world.dave, subject=f"Case {n}",
                      body="b", channel="email", department=world.support, owner=world.alice)
            for n in range(4)
        ]  # fmt: skip
        results = []
        for moment in (AFTER_WARNING, AFTER_DUE):
            traveller.move_to(moment)
            results.extend(_sweep_twice())

    assert sum(r.warned for r in results) == 4
    assert sum(r.breached for r in results) == 4
    assert Notification.objects.filter(kind="sla_warning").count() == 4
    assert Notification.objects.filter(kind="sla_breached").count() == 8
    assert CaseEvent.objects.filter(kind="sla_breached").count() == 4
    assert SlaClock.objects.filter(case__in=cases).count() == 8


def _sweep_twice():
    if connection.vendor != "postgresql":
        # No threads on SQLite's in-memory test database: IMMEDIATE
        # transactions serialise two workers anyway; one after the other.
        return [process_sla_clocks(), process_sla_clocks()]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(process_sla_clocks())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_the_worker_runs_the_sweep_every_minute():
    discover_periodic_jobs()

    job = {j.name: j for j in registered_jobs()}["sla.process_sla_clocks"]
    assert job.every.total_seconds() == 60


def test_the_queued_case_is_still_owned_when_reassignment_is_impossible(
    world, standard, make_case, clock
):
    # An unowned case whose policy reassigns but no supervisor is left to take it.
    standard.reassign_on_breach = True
    save_policy(acting_user=world.carol, policy=standard)
    world.carol.is_active = False
    world.carol.save()
    case = make_case()
    clock.move_to(AFTER_DUE)

    assert process_sla_clocks().breached == 1
    assert Case.objects.get(pk=case.pk).owner is None
