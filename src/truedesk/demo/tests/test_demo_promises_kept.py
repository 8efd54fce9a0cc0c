"""Issue 3 in the demo: what the desk shows right after `truedesk demo`, nobody touching the admin.

One shared build (setUpTestData); the pages are read as the demo logins would.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.html import escape

from truedesk.accounts.models import Department, User
from truedesk.calendars import selectors as calendar_selectors
from truedesk.calendars.models import DepartmentHours
from truedesk.cases.models import Case
from truedesk.demo.build import build_demo
from truedesk.promises.models import Promise
from truedesk.promises.selectors import list_promises_due_today
from truedesk.runaround.models import Rescue
from truedesk.sla.models import SlaClock, SlaPolicy
from truedesk.workforce.models import ContactQueue, PublishedServiceLevel, Shift
from truedesk.workforce.selectors import report_published_service_levels

VILNIUS = ZoneInfo("Europe/Vilnius")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TestIssue3InTheDemo(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("demo", stdout=StringIO(), stderr=StringIO())

    def sign_in(self, username: str) -> None:
        self.client.force_login(User.objects.get(username=username))

    def test_departments_keep_office_hours_and_billing_is_closed_at_weekends(self):
        billing = DepartmentHours.objects.get(department__slug="billing").calendar
        support = DepartmentHours.objects.get(department__slug="support").calendar
        assert (support.name, support.country, support.time_zone) == (
            "Vilnius office", "LT", "Europe/Vilnius"
        )  # fmt: skip
        assert set(support.intervals.values_list("weekday", flat=True)) == {0, 1, 2, 3, 4}
        assert set(billing.intervals.values_list("weekday", flat=True)) == {0, 1, 2, 3, 4}
        assert DepartmentHours.objects.count() == Department.objects.count()
        # Lithuanian holidays: the office is closed on Christmas Day.
        christmas = datetime(2026, 12, 25, 10, tzinfo=ZoneInfo("Europe/Vilnius"))  # a Friday
        state = calendar_selectors.department_availability(
            Department.objects.get(slug="support"), christmas
        )
        assert not state.open

    def test_open_cases_run_sla_clocks_some_warned_and_one_breached(self):
        assert set(SlaPolicy.objects.values_list("priority", flat=True)) == {1, 2, 3, 4}
        running = SlaClock.objects.filter(stopped_at__isnull=True)
        assert running.filter(case__status__in=["new", "open"]).count() >= 5
        assert running.filter(warned_at__isnull=False, breached_at__isnull=True).exists()
        assert running.filter(breached_at__isnull=False).exists()

    def test_alice_has_promises_due_today_one_kept_and_one_missed_flagging_the_case(self):
        alice = User.objects.get(username="alice")
        due = list_promises_due_today(alice)
        assert any(promise.status == "open" for promise in due)
        missed = Promise.objects.get(owner=alice, status="missed")
        assert Promise.objects.filter(owner=alice, status="kept").exists()
        assert missed.replaced_by is not None and missed.replaced_by.status == "open"
        case = Case.objects.get(pk=missed.case_id)
        assert case.flagged_at is not None and "Promise missed" in case.flag_reason
        self.sign_in("alice")
        home = self.client.get("/desk/").content.decode()
        assert missed.replaced_by.description in home

    def test_the_availability_page_lists_the_phony_24_7_gap_and_not_the_honest_level(self):
        assert Shift.objects.filter(agent__username="alice").exists()
        levels = dict(PublishedServiceLevel.objects.values_list("text", "is_active"))
        assert levels == {"Phone support 24/7": True, "Email answers Mon-Fri 08:00-20:00": True}
        reports = {report.level.text: report for report in report_published_service_levels()}
        assert reports["Email answers Mon-Fri 08:00-20:00"].gaps == []
        gaps = [gap.what for gap in reports["Phone support 24/7"].gaps]
        assert any("Sat 16:00" in what and "Mon 08:00" in what for what in gaps), gaps
        self.sign_in("carol")
        page = self.client.get("/desk/availability/").content.decode()
        assert all(escape(what) in page for what in gaps)
        assert "Phone support 24/7" in self.client.get("/desk/").content.decode()

    def test_the_rescue_report_lists_the_runaround_case(self):
        rescue = Rescue.objects.select_related("case").get(
            case__contact_count__gte=20, new_owner__username="carol"
        )
        self.sign_in("carol")
        page = self.client.get("/desk/rescues/").content.decode()
        assert rescue.case.subject in page

    def test_every_department_has_a_phone_and_an_email_queue(self):
        pairs = set(ContactQueue.objects.values_list("department__slug", "channel"))
        departments = Department.objects.values_list("slug", flat=True)
        assert pairs == {(slug, channel) for slug in departments for channel in ("phone", "email")}


@pytest.mark.parametrize(
    ("weekday", "local_time"),
    [
        (None, "00:20"),
        (None, "23:50"),
        # Mid-morning on a weekday, when bob is off shift, and a Saturday afternoon
        # when billing is closed: the stories still play out.
        (2, "10:30"),
        (5, "14:00"),
    ],
)
def test_alices_day_is_full_whenever_the_demo_is_built(db, settings, weekday, local_time):
    # Built just after midnight or just before it, "today" still has her promises.
    settings.PASSWORD_HASHERS = FAST_HASHERS
    hour, minute = map(int, local_time.split(":"))
    day = (timezone.now() - timedelta(days=3)).astimezone(VILNIUS).date()
    while weekday is not None and day.weekday() != weekday:
        day -= timedelta(days=1)
    now = datetime.combine(day, time(hour, minute), tzinfo=VILNIUS)

    build_demo(now=now)

    alice = User.objects.get(username="alice")
    due = list_promises_due_today(alice, now=now)
    assert {promise.status for promise in due} >= {"open", "missed"}
    assert Case.objects.filter(flagged_at__isnull=False).exists()
    assert Rescue.objects.exists()
