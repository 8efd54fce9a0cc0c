"""Issue 3 in the demo: calendars, opening hours, SLAs, shifts, published service levels,
queues, promises and the runaround guard, all relative to the demo's "now".

The structure (calendars and SLA policies) is set up right after go-live, so
every demo case runs SLA clocks from its first event. Opening hours, shifts,
published service levels and queues arrive shortly before "now" (the stories'
transfers were made before the departments kept hours). Two urgent cases, one
about to breach and one breached, and alice's promise ledger (kept, missed
with a follow-up, due later today) are written at believable moments; the
sweeps the worker runs are then run once at "now", so warnings, breaches,
missed promises, flags and rescues are there when the desk first opens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from truedesk.accounts.actions import record_audit_event
from truedesk.calendars import actions as calendar_actions
from truedesk.calendars.models import BusinessCalendar
from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case
from truedesk.promises import actions as promise_actions
from truedesk.promises.models import Promise
from truedesk.runaround.actions import sweep_runaround
from truedesk.runaround.models import RunaroundPolicy
from truedesk.sla import actions as sla_actions
from truedesk.sla.models import SlaPolicy
from truedesk.workforce import actions as workforce_actions
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.models import ContactQueue

if TYPE_CHECKING:
    from truedesk.demo.build import _Builder

Timed = tuple[datetime, str, Callable[[], Any]]

VILNIUS = ZoneInfo("Europe/Vilnius")
WEEKDAYS = range(5)
OFFICE = "Vilnius office"
BILLING = "Billing office"
ROUND_THE_CLOCK = "Around the clock"
PHONY_24_7 = "Phone support 24/7"
MAX_DAYS_OPEN = 12
HONEST = "Email answers Mon-Fri 08:00-20:00"
# (priority, name, calendar, first response, next response, resolution), in minutes of
# the calendar's business time.
POLICIES = (
    (Case.Priority.URGENT, "Urgent: around the clock", ROUND_THE_CLOCK, 60, 120, 8 * 60),
    (Case.Priority.HIGH, "High priority", OFFICE, 2 * 60, 4 * 60, 24 * 60),
    (Case.Priority.NORMAL, "Normal priority", OFFICE, 8 * 60, 8 * 60, 36 * 60),
    (Case.Priority.LOW, "Low priority", OFFICE, 16 * 60, 16 * 60, 60 * 60),
)
# (agent, department, channel, weekdays, start, end): nobody works nights or weekends.
SHIFTS = (
    ("alice", "support", "", WEEKDAYS, time(8), time(14)),
    ("bob", "support", "", WEEKDAYS, time(14), time(20)),
    ("rasa", "support", "phone", WEEKDAYS, time(8), time(20)),
    ("oksana", "support", "phone", (5,), time(10), time(16)),
    ("lukas", "billing", "", WEEKDAYS, time(9), time(17)),
    ("vera", "billing", "", WEEKDAYS, time(9), time(17)),
    ("petro", "sales", "", WEEKDAYS, time(8), time(16)),
    ("igor", "complaints", "", WEEKDAYS, time(8), time(16)),
)
URGENT_CASES = (
    # (customer, minutes ago, subject, body): with a 60-minute first-response target
    # the first is about to breach and the second has breached.
    (
        "kevin",
        50,
        "Whole warehouse offline since the power cut",
        "Power came back 40 minutes ago but the fibre box shows a red LOS light and none of "
        "our scanners can reach the server. Lorries are waiting to be loaded.",
    ),
    (
        "hannah",
        95,
        "Card payments failing in the shop",
        "Our card terminal runs over your line and has failed every payment since this "
        "morning. We can only take cash.",
    ),
)

ANSWERED = (
    "julia",
    "No internet at all since the storm",
    "The box lost power in the storm last night and now no light comes on at all. I work "
    "from home and have a client call at noon.",
)


def _today(now: datetime) -> tuple[datetime, datetime]:
    """Start and end of "today" in Vilnius, where alice works."""
    day = now.astimezone(VILNIUS).date()
    start = datetime.combine(day, time.min, tzinfo=VILNIUS)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=VILNIUS)


def _local(day_start: datetime, days: int, hour: int, minute: int) -> datetime:
    """A Vilnius wall-clock time `days` from the day starting at `day_start`."""
    day = day_start.date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=VILNIUS)


class PromisesKept:
    """Entries for the demo builder; keeps what it created for later entries."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.calendars: dict[str, BusinessCalendar] = {}
        self.case: Case | None = None
        self.kept: Promise | None = None
        self.urgent: dict[str, Case] = {}

    def entries(self, go_live: datetime, now: datetime) -> list[Timed]:
        start, end = _today(now)
        # Missed: due earlier today (before now). Due later today: before midnight.
        missed_due = start + (now - start) / 2
        later_due = now + min(timedelta(hours=3), (end - now) / 2)
        timed: list[Timed] = [
            (go_live + timedelta(minutes=30), "calendars", self._calendars),
            (go_live + timedelta(minutes=31), "SLA policies", self._policies),
            (go_live + timedelta(minutes=32), "runaround thresholds", self._thresholds),
            (_local(start, -2, 16, 10), "dave's static IP case", self._open_dave_case),
            (_local(start, -2, 16, 40), "alice takes it", self._take_and_answer),
            (_local(start, -1, 9, 30), "promise to be kept", self._promise_kept),
            (_local(start, -1, 13, 45), "promise kept", self._keep),
            (missed_due - timedelta(hours=3), "promise to be missed", self._promise_missed),
        ]
        for index, (key, minutes, subject, body) in enumerate(URGENT_CASES):
            timed.append(
                (
                    now - timedelta(minutes=minutes),
                    f"urgent case {index}",
                    self._urgent_case(key, subject, body),
                )
            )
        # Answered within the hour, but the 8-hour resolution target is an hour away.
        timed += [
            (now - timedelta(hours=7), "urgent case answered", self._urgent_case(*ANSWERED)),
            (now - timedelta(hours=6, minutes=40), "bob answers it", self._bob_answers),
        ]
        timed += [
            (max(now - timedelta(minutes=45), start + (now - start) * 3 / 4),
             "promise due today", self._promise_due_today(later_due)),
            # Opening hours and shifts come last, just before "now": a story step
            # written for any weekday and hour (a transfer to bob, say) must not be
            # refused because the demo happens to be built outside his shift.
            (now - timedelta(seconds=4), "opening hours", self._opening_hours),
            (now - timedelta(seconds=3), "shifts", self._shifts),
            (now - timedelta(seconds=2), "service levels", self._service_levels),
            (now - timedelta(seconds=1), "queues", self._queues),
            (now, "sweeps", self._sweeps(now)),
        ]  # fmt: skip
        return timed

    # Structure ---------------------------------------------------------------------------

    @property
    def carol(self) -> Any:
        return self.builder.users["carol"]

    def _calendars(self) -> None:
        weekdays = {day: [(time(8), time(20))] for day in WEEKDAYS}
        self.calendars[OFFICE] = calendar_actions.create_calendar(
            acting_user=self.carol, name=OFFICE, country="LT", hours=weekdays
        )
        self.calendars[BILLING] = calendar_actions.create_calendar(
            acting_user=self.carol,
            name=BILLING,
            country="LT",
            hours={day: [(time(9), time(17))] for day in WEEKDAYS},
        )
        self.calendars[ROUND_THE_CLOCK] = calendar_actions.create_calendar(
            acting_user=self.carol, name=ROUND_THE_CLOCK, always_open=True
        )

    def _policies(self) -> None:
        for priority, name, calendar, first, following, resolution in POLICIES:
            sla_actions.save_policy(
                acting_user=self.carol,
                policy=SlaPolicy(
                    name=name,
                    calendar=self.calendars[calendar],
                    priority=priority,
                    first_response_minutes=first,
                    next_response_minutes=following,
                    resolution_minutes=resolution,
                ),
            )

    def _thresholds(self) -> None:
        # No action edits the thresholds; the administrator does it in the admin. Twelve
        # days open instead of five: the demo's slow cases are waiting on third parties.
        policy, _created = RunaroundPolicy.objects.update_or_create(
            pk=RunaroundPolicy.SINGLETON_ID, defaults={"max_days_open": MAX_DAYS_OPEN}
        )
        record_audit_event(
            actor=self.builder.users["admin"],
            action="runaround_policy.changed",
            target=policy,
            data={"max_days_open": MAX_DAYS_OPEN},
        )

    def _opening_hours(self) -> None:
        departments = self.builder.departments
        for slug, calendar in (
            ("support", OFFICE),
            ("billing", BILLING),
            ("sales", OFFICE),
            ("complaints", OFFICE),
        ):
            calendar_actions.assign_department_calendar(
                acting_user=self.carol,
                department=departments[slug],
                calendar=self.calendars[calendar],
            )

    def _shifts(self) -> None:
        for username, slug, channel, days, start, end in SHIFTS:
            workforce_actions.add_weekly_shift(
                acting_user=self.carol,
                agent=self.builder.users[username],
                department=self.builder.departments[slug],
                channel=channel,
                pattern=WeeklyPattern(weekdays=frozenset(days), start=start, end=end),
            )

    def _service_levels(self) -> None:
        support = self.builder.departments["support"]
        # What the website says, and what the schedule cannot keep.
        workforce_actions.publish_service_level(
            acting_user=self.carol,
            terms=workforce_actions.ServiceLevelTerms(
                text=PHONY_24_7, channel="phone", department=support
            ),
        )
        workforce_actions.publish_service_level(
            acting_user=self.carol,
            terms=workforce_actions.ServiceLevelTerms(
                text=HONEST, channel="email", department=support, hours=self.calendars[OFFICE]
            ),
        )

    def _queues(self) -> None:
        # No action creates queues yet; the supervisor would add them in the admin.
        for department in self.builder.departments.values():
            for channel, label in (("phone", "phone"), ("email", "email")):
                queue = ContactQueue.objects.create(
                    name=f"{department.name} - {label}",
                    slug=f"{department.slug}-{channel}",
                    department=department,
                    channel=channel,
                    answer_time_seconds=20 if channel == "phone" else 4 * 3600,
                    patience_seconds=180 if channel == "phone" else None,
                )
                record_audit_event(
                    actor=self.carol,
                    action="contact_queue.created",
                    target=queue,
                    data={"slug": queue.slug, "department": department.pk, "channel": channel},
                )

    # Cases and promises -------------------------------------------------------------------

    def _open_dave_case(self) -> None:
        dave = self.builder.customers["dave"]
        assert dave.user is not None
        self.case = case_actions.open_case(
            acting_user=dave.user,
            customer=dave,
            subject="Static IP stopped answering after the router swap",
            body="Since your engineer swapped our router, the static IP of the Leeds office "
            "does not answer from outside. Our VPN users cannot connect.",
            channel="email",
            kind=Case.Kind.SERVICE_REQUEST,
            department=self.builder.departments["support"],
            priority=Case.Priority.HIGH,
        )

    def _dave_case(self) -> Case:
        assert self.case is not None
        self.case.refresh_from_db()
        return self.case

    def _take_and_answer(self) -> None:
        alice = self.builder.users["alice"]
        case = case_actions.take_case(acting_user=alice, case=self._dave_case())
        case_actions.reply_to_case(
            acting_user=alice,
            case=case,
            channel="email",
            body="Hello Dave, I have your case. The new router needs the static IP mapped "
            "again; I will check the configuration with our network team and call you.",
        )

    def _promise(self, kind: str, description: str, due_at: datetime) -> Promise:
        return promise_actions.record_promise(
            acting_user=self.builder.users["alice"],
            case=self._dave_case(),
            kind=kind,
            description=description,
            due_at=due_at,
        )

    def _promise_kept(self) -> None:
        self.kept = self._promise(
            Promise.Kind.CALL_BACK,
            "Call Dave back once the network team has checked the router configuration.",
            _local(_today(self.builder.now)[0], -1, 15, 0),
        )

    def _keep(self) -> None:
        assert self.kept is not None
        promise_actions.keep_promise(
            acting_user=self.builder.users["alice"],
            promise=self.kept,
            how="Called Dave: the mapping is fixed on our side, the router needs a reboot.",
        )

    def _promise_missed(self) -> None:
        # Nobody keeps this one: the sweep at "now" marks it missed, flags the case,
        # alerts carol, tells dave and gives alice a follow-up promise.
        start, _end = _today(self.builder.now)
        self._promise(
            Promise.Kind.INFORMATION,
            "Email Dave the new firewall rules for the VPN.",
            start + (self.builder.now - start) / 2,
        )

    def _promise_due_today(self, due_at: datetime) -> Callable[[], None]:
        def run() -> None:
            self._promise(
                Promise.Kind.FIX,
                "Static IP answering from outside again, tested with Dave.",
                due_at,
            )

        return run

    def _urgent_case(self, key: str, subject: str, body: str) -> Callable[[], None]:
        def run() -> None:
            customer = self.builder.customers[key]
            assert customer.user is not None
            self.urgent[key] = case_actions.open_case(
                acting_user=customer.user,
                customer=customer,
                subject=subject,
                body=body,
                channel="portal",
                kind=Case.Kind.SERVICE_REQUEST,
                department=self.builder.departments["support"],
                priority=Case.Priority.URGENT,
            )

        return run

    def _bob_answers(self) -> None:
        bob = self.builder.users["bob"]
        case = self.urgent[ANSWERED[0]]
        case.refresh_from_db()
        case = case_actions.take_case(acting_user=bob, case=case)
        case_actions.reply_to_case(
            acting_user=bob,
            case=case,
            channel="email",
            body="Hello Julia, an engineer is booked for this afternoon to replace the power "
            "supply of your box. I will call you when he is on his way.",
        )

    # What the worker would do at "now" ------------------------------------------------------

    def _sweeps(self, now: datetime) -> Callable[[], None]:
        def run() -> None:
            for case_id in Case.objects.order_by("pk").values_list("pk", flat=True):
                sla_actions.sync_case_clocks(case_id=case_id)
            sla_actions.process_sla_clocks(now=now)
            promise_actions.process_due_promises(now=now)
            sweep_runaround(now=now)

        return run
