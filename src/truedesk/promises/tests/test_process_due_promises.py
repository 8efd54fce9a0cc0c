"""The timer of the ledger: reminders before the due time, breaches after it, each once."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from truedesk.accounts.models import Department
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case, CaseEvent
from truedesk.lib.periodic import discover_periodic_jobs, registered_jobs
from truedesk.notifications.models import EmailDelivery, Notification
from truedesk.promises import actions
from truedesk.promises.actions import keep_promise, process_due_promises, record_promise
from truedesk.promises.models import Promise, PromiseSettings
from truedesk.promises.tasks import process_due_promises_task
from truedesk.promises.tests.conftest import FIVE_PM, NOON
from truedesk.testing.personas import build_world

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
BEFORE = FIVE_PM - timedelta(minutes=29)
AFTER = FIVE_PM + timedelta(minutes=1)


def _reminders(promise):
    return (
        Notification.objects.filter(dedupe_key=f"promise:{promise.pk}:reminder").count(),
        EmailDelivery.objects.filter(dedupe_key=f"promise:{promise.pk}:reminder").count(),
    )


def _customer_told(promise):
    return EmailDelivery.objects.filter(dedupe_key=f"promise:{promise.pk}:missed:customer").count()


# --- reminders ----------------------------------------------------------------------------------


def test_nothing_happens_while_the_promise_is_far_from_due(world, promise, clock):
    clock.move_to(FIVE_PM - timedelta(minutes=31))

    assert process_due_promises() == actions.SweepResult()
    assert _reminders(promise) == (0, 0)


def test_the_owner_is_reminded_once_before_the_promise_falls_due(world, promise, clock):
    clock.move_to(BEFORE)

    assert process_due_promises().reminded == 1
    assert process_due_promises().reminded == 0

    assert _reminders(promise) == (1, 1)
    note = Notification.objects.get(dedupe_key=f"promise:{promise.pk}:reminder")
    assert note.recipient == world.alice
    assert note.kind == "promise_due"
    assert note.title == "Promise to Dave Davis due March 2, 2027, 5 p.m.: Call-back"
    assert note.link == f"/desk/cases/{promise.case.number}/"
    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:reminder")
    assert email.to_address == "alice@truedesk.test"
    assert "Reminder: your promise to Dave Davis is due" in email.subject
    assert Promise.objects.get(pk=promise.pk).reminded_at == BEFORE


def test_the_reminder_lead_time_is_a_setting(world, promise, clock):
    PromiseSettings.objects.create(reminder_lead=timedelta(hours=2))
    clock.move_to(FIVE_PM - timedelta(minutes=119))

    assert process_due_promises().reminded == 1


def test_the_reminder_is_in_the_owners_language_and_time_zone(world, promise, clock):
    world.alice.time_zone = "Europe/London"
    world.alice.save()
    clock.move_to(BEFORE)

    process_due_promises()

    assert "3 p.m." in Notification.objects.get(kind="promise_due").title


def test_a_kept_promise_is_neither_reminded_nor_missed(world, promise, clock):
    keep_promise(acting_user=world.alice, promise=promise, how="Called at 13:00")
    clock.move_to(AFTER)

    assert process_due_promises() == actions.SweepResult()
    assert _reminders(promise) == (0, 0)
    assert Promise.objects.get(pk=promise.pk).status == "kept"


# --- breaches -----------------------------------------------------------------------------------


def test_a_missed_promise_is_escalated_flagged_followed_up_and_told_to_the_customer(
    world, case, promise, clock
):
    clock.move_to(AFTER)

    assert process_due_promises() == actions.SweepResult(missed=1, followed_up=1)

    missed = Promise.objects.get(pk=promise.pk)
    assert missed.status == "missed"
    assert missed.closed_at == AFTER
    assert missed.missed_handled_at == AFTER
    follow_up = missed.replaced_by
    assert follow_up.status == "open"
    assert follow_up.owner == world.alice  # the case owner
    assert follow_up.made_by is None
    assert follow_up.due_at == AFTER + timedelta(hours=2)
    assert follow_up.description == missed.description

    flagged = Case.objects.get(pk=case.pk)
    assert flagged.flagged_at == AFTER
    assert flagged.flag_reason == "Promise missed: Call-back due 2027-03-02 17:00"
    assert flagged.version == case.version + 1
    kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["promise_missed", "promise_made", "case_flagged"]

    alert = Notification.objects.get(recipient=world.carol, kind="promise_missed")
    assert (
        alert.title
        == f"Missed promise on case #{case.number}: Alice Adams, due March 2, 2027, 5 p.m."
    )
    assert EmailDelivery.objects.filter(to_address="carol@truedesk.test").count() == 1
    told = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:missed:customer")
    assert told.to_address == "dave@example.com"
    assert told.subject == f"We missed our promise on case #{case.number}"
    assert "Alice Adams now answers for it and will get it done by March 2, 2027, 7:01 p.m." in (
        told.body
    )
    assert Notification.objects.filter(recipient=world.alice, kind="promise_follow_up").count() == 1


def test_an_unowned_case_puts_the_follow_up_with_the_departments_supervisor(
    world, make_case, promise_on, clock
):
    unowned = make_case(owner=None)
    promise = promise_on(unowned)
    clock.move_to(AFTER)

    process_due_promises()

    assert Promise.objects.get(pk=promise.pk).replaced_by.owner == world.carol
    assert (
        "Carol Clark now answers for it"
        in EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:missed:customer").body
    )


def test_a_department_without_a_supervisor_alerts_every_supervisor(world, promise_on, clock):
    field = Department.objects.create(name="Field engineers", slug="field")
    field.members.add(world.bob)
    case = open_case(acting_user=world.bob, customer=world.fiona, subject="Broken socket",
                     body="b", channel="phone", department=field, owner=world.bob)  # fmt: skip
    promise = promise_on(case, acting_user=world.bob, description="Visit on Tuesday")
    clock.move_to(AFTER)

    process_due_promises()

    assert Notification.objects.get(kind="promise_missed").recipient == world.carol
    assert Promise.objects.get(pk=promise.pk).replaced_by.owner == world.bob


def test_an_already_flagged_case_keeps_its_first_flag(world, case, promise_on, clock):
    first = promise_on(case)
    promise_on(case, due_at=FIVE_PM + timedelta(hours=1), description="Send the engineer")
    clock.move_to(AFTER)
    process_due_promises()
    flagged_at = Case.objects.get(pk=case.pk).flagged_at
    clock.move_to(AFTER + timedelta(hours=1))

    assert process_due_promises().missed == 1

    assert Case.objects.get(pk=case.pk).flagged_at == flagged_at
    assert CaseEvent.objects.filter(case=case, kind="case_flagged").count() == 1
    assert Promise.objects.get(pk=first.pk).status == "missed"


def test_a_missed_follow_up_is_escalated_again(world, promise, clock):
    clock.move_to(AFTER)
    process_due_promises()
    clock.move_to(AFTER + timedelta(hours=2, minutes=1))

    assert process_due_promises() == actions.SweepResult(missed=1, followed_up=1)
    assert Promise.objects.filter(status="missed").count() == 2
    assert Notification.objects.filter(recipient=world.carol, kind="promise_missed").count() == 2


# --- once, whatever happens ---------------------------------------------------------------


def test_reminded_once_breached_once_customer_told_once_across_two_workers_and_a_restart(
    world, promise, clock
):
    clock.move_to(BEFORE)
    process_due_promises()  # worker 1
    process_due_promises()  # worker 2, same minute
    clock.move_to(AFTER)
    # Worker 1 marks the promise missed and dies before following it up.
    assert actions.mark_missed(promise.pk, now=AFTER)
    assert _customer_told(promise) == 0
    # Worker 2 sweeps; then worker 1 restarts and sweeps again.
    assert process_due_promises() == actions.SweepResult(followed_up=1)
    clock.shift(timedelta(minutes=1))
    assert process_due_promises() == actions.SweepResult()

    assert _reminders(promise) == (1, 1)
    assert CaseEvent.objects.filter(kind="promise_missed").count() == 1
    assert _customer_told(promise) == 1
    assert Notification.objects.filter(kind="promise_missed").count() == 1
    assert Promise.objects.filter(status="open").count() == 1


def test_a_crash_while_following_up_leaves_nothing_half_done_and_the_next_sweep_finishes(
    world, case, promise, clock
):
    clock.move_to(AFTER)
    with mock.patch.object(actions.emails, "tell_missed", side_effect=ConnectionError("died")):
        result = process_due_promises()

    assert result == actions.SweepResult(missed=1, followed_up=0)
    assert Promise.objects.get(pk=promise.pk).status == "missed"
    assert Promise.objects.count() == 1  # the follow-up was rolled back
    assert Case.objects.get(pk=case.pk).flagged_at is None
    assert not Notification.objects.filter(kind="promise_missed").exists()

    assert process_due_promises() == actions.SweepResult(followed_up=1)
    assert _customer_told(promise) == 1
    assert Promise.objects.count() == 2


def test_one_failing_promise_does_not_stop_the_others(world, case, promise_on, clock):
    bad = promise_on(case)
    good = promise_on(case, description="Send the engineer")
    clock.move_to(AFTER)
    real = actions.emails.tell_missed

    def fail_for_bad(missed, follow_up):
        if missed.pk == bad.pk:
            raise RuntimeError("broken template")
        real(missed, follow_up)

    with mock.patch.object(actions.emails, "tell_missed", side_effect=fail_for_bad):
        assert process_due_promises() == actions.SweepResult(missed=2, followed_up=1)

    assert _customer_told(good) == 1
    assert _customer_told(bad) == 0


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_workers_sweeping_at_the_same_moment_do_everything_once():
    world = build_world()
    with time_machine.travel(NOON, tick=False) as clock:
        case = open_case(
            acting_user=world.alice,
            customer=world.dave,
            subject="No dial tone",
            body="b",
            channel="phone",
            department=world.support,
            owner=world.alice,
        )
        promises = [
            record_promise(acting_user=world.alice, case=case, kind="call_back",
                           description=f"Call back #{n}", due_at=FIVE_PM + timedelta(minutes=n))
            for n in range(5)
        ]  # fmt: skip
        results = []
        for moment in (FIVE_PM - timedelta(minutes=25), AFTER + timedelta(minutes=5)):
            clock.move_to(moment)
            results.extend(_sweep_twice())

    assert sum(r.reminded for r in results) == 5
    assert sum(r.missed for r in results) == 5
    assert sum(r.followed_up for r in results) == 5
    for promise in promises:
        assert _reminders(promise) == (1, 1)
        assert _customer_told(promise) == 1
    assert Notification.objects.filter(kind="promise_missed").count() == 5
    assert Promise.objects.filter(status="open").count() == 5


def _sweep_twice():
    if connection.vendor != "postgresql":
        # No threads on SQLite's in-memory test database: IMMEDIATE
        # transactions serialise two workers anyway; one after the other.
        return [process_due_promises(), process_due_promises()]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(process_due_promises())
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


# --- how the worker runs it ---------------------------------------------------------------------


def test_the_worker_runs_the_sweep_every_minute():
    discover_periodic_jobs()

    job = {j.name: j for j in registered_jobs()}["promises.process_due_promises"]
    assert job.every == timedelta(minutes=1)


def test_the_task_runs_the_sweep_and_reports_its_counts(world, promise, clock):
    clock.move_to(AFTER)

    assert process_due_promises_task.call() == {"reminded": 0, "missed": 1, "followed_up": 1}
