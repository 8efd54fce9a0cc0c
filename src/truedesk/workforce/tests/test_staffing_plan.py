"""Issue 5, journey 2: a queue's week planned from its history against its shifts.

The history (plan_world) repeats the same week, so every forecast method agrees
exactly, which makes the required and scheduled agents exact numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.calendars import actions as calendar_actions
from truedesk.testing.personas import make_staff
from truedesk.workforce.actions import add_weekly_shift
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.models import ContactQueue, QueueVolume
from truedesk.workforce.queueing import required_agents
from truedesk.workforce.staffing_plan import (
    list_arrivals,
    plan_queue,
    report_staffing_shortfalls,
)
from truedesk.workforce.tests.plan_world import (
    CALLS_PER_HALF_HOUR,
    VILNIUS,
    WEEK,
    local,
    make_history,
    make_queue,
    make_shifts,
    needed,
)


@pytest.fixture
def queue(world):
    return make_queue(world)


@pytest.fixture
def history(world, queue):
    make_history(world)


@pytest.fixture
def shifts(world):
    make_shifts(world)


_needed = needed


def test_the_plan_forecasts_the_weekly_pattern_and_staffs_it_with_the_engine(
    queue, history, shifts
):
    plan = plan_queue(queue, week_start=WEEK, interval_minutes=30)

    assert plan.history_days == 21  # from the first contact (a Monday) to the Sunday before
    assert plan.forecast is not None
    assert plan.forecast.chosen.origins == 1
    assert plan.total_forecast == pytest.approx(5 * 4 * CALLS_PER_HALF_HOUR)
    by_start = {i.start.astimezone(VILNIUS).replace(tzinfo=None): i for i in plan.intervals}
    assert len(plan.intervals) == 7 * 48
    monday_10 = by_start[datetime(2026, 3, 2, 10, 0)]
    assert monday_10.forecast == pytest.approx(CALLS_PER_HALF_HOUR)
    agents, on_rota = _needed()
    assert (monday_10.required, monday_10.required_scheduled) == (agents, on_rota)
    assert by_start[datetime(2026, 3, 7, 10, 0)].forecast == pytest.approx(0)  # Saturday
    assert by_start[datetime(2026, 3, 7, 10, 0)].required == 0


def test_coverage_counts_agents_per_interval_against_the_need(queue, history, shifts):
    plan = plan_queue(queue, week_start=WEEK, interval_minutes=30)
    by_start = {i.start.astimezone(VILNIUS).replace(tzinfo=None): i for i in plan.intervals}
    _agents, on_rota = _needed()

    # Monday: alice all of 10:00-11:00, bob half of each half hour from 10:15 to 10:45.
    assert by_start[datetime(2026, 3, 2, 10, 0)].scheduled == 1.5
    assert by_start[datetime(2026, 3, 2, 10, 30)].scheduled == 1.5
    assert by_start[datetime(2026, 3, 2, 11, 0)].scheduled == 0  # billing's bob is elsewhere
    assert by_start[datetime(2026, 3, 3, 10, 0)].scheduled == 1
    # Every busy half hour (4 a day, 5 days) is short; 2 hours a day.
    assert plan.under_hours == pytest.approx(10)
    short = 5 * 4 * on_rota - (1.5 + 1.5) - 4 * (1 + 1)
    assert plan.short_agent_hours == pytest.approx(short / 2)
    worst = plan.worst
    assert worst is not None
    assert worst.shortfall == on_rota
    assert worst.start.astimezone(VILNIUS).replace(tzinfo=None) == datetime(2026, 3, 2, 11, 0)


def test_hourly_intervals_add_up_the_half_hours(queue, history, shifts):
    plan = plan_queue(queue, week_start=WEEK, interval_minutes=60)
    monday_10 = plan.intervals[10]

    assert monday_10.start == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert monday_10.forecast == pytest.approx(2 * CALLS_PER_HALF_HOUR)
    assert monday_10.scheduled == 1.5  # alice the hour, bob half of it


def test_a_queue_without_history_has_no_forecast_and_says_why(queue):
    plan = plan_queue(queue, week_start=WEEK)

    assert plan.forecast is None
    assert plan.intervals == []
    assert "Not enough history" in plan.problem


def test_shortfalls_reach_the_published_service_level_check(queue, history, shifts):
    shortfalls = report_staffing_shortfalls(week_start=WEEK)

    assert [s.plan.queue for s in shortfalls] == [queue]
    _agents, on_rota = _needed()
    assert shortfalls[0].description == (
        "Support phone: fewer agents scheduled than needed for 10 h of the week "
        f"({(5 * 4 * on_rota - 11) / 2:g} agent-hours short; worst Mon 11:00, "
        f"{on_rota} agents short)"
    )
    out = StringIO()
    with pytest.raises(SystemExit) as failed:
        call_command("check_promises", "--week-start=2026-03-02", "--fail-on-gap", stdout=out)
    assert failed.value.code == 1
    assert out.getvalue().splitlines() == [
        "No published service levels to check.",
        shortfalls[0].description,
    ]
    out = StringIO()
    call_command("check_promises", "--week-start=2026-03-02", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["staffing_shortfalls"][0]["queue"]["slug"] == "support-phone"
    assert body["staffing_shortfalls"][0]["under_covered_hours"] == 10


def test_a_fully_staffed_queue_is_not_reported(world, queue, history):
    dan = make_staff("dan", "agent", "Dan Daniels")
    for agent in (world.alice, world.bob, world.carol, dan):
        add_weekly_shift(
            acting_user=world.carol, agent=agent, department=world.support,
            pattern=WeeklyPattern(frozenset(range(5)), time(9), time(13), "Europe/Vilnius"),
        )  # fmt: skip
    assert _needed()[1] <= 4

    assert report_staffing_shortfalls(week_start=WEEK) == []


# --- the API -----------------------------------------------------------------------------


def _get(client: Client, url: str, user=None):
    headers = {}
    if user is not None:
        name = f"t{user.api_tokens.count()}"
        token = mint_api_token(acting_user=SystemActor(label="test"), user=user, name=name)[1]
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(url, **headers)


def test_the_api_gives_forecast_error_and_agents_per_interval(
    client, world, queue, history, shifts
):
    response = _get(
        client, f"/api/v1/workforce/queues/{queue.pk}/forecast?interval=60&week=2026-03-02",
        world.alice,
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["queue"]["slug"] == "support-phone"
    assert body["interval_minutes"] == 60
    assert body["method"] in {c["method"] for c in body["candidates"]}
    assert body["backtest"]["origins"] == 1
    assert body["backtest"]["wape"] == pytest.approx(0.0)
    assert len(body["intervals"]) == 7 * 24
    monday_10 = body["intervals"][10]
    assert monday_10["start"].startswith("2026-03-02T08:00:00")
    assert monday_10["forecast"] == pytest.approx(12)
    assert monday_10["scheduled_agents"] == 1.5
    agents = required_agents(arrivals_per_hour=12, aht_seconds=240, target_sl=0.8,
                             answer_time_seconds=20)  # fmt: skip
    assert monday_10["required_agents"] == agents


def test_the_api_refuses_outsiders_and_explains_bad_input(client, world, queue):
    url = f"/api/v1/workforce/queues/{queue.pk}/forecast"
    assert _get(client, url).status_code == 401
    assert _get(client, url, world.dave_user).status_code == 403
    # Partners are fenced out of the staff API (accounts.middleware.PartnerFenceMiddleware).
    fenced = _get(client, url, world.erin)
    assert fenced.status_code == 404
    assert "intervals" not in fenced.json()
    missing = _get(client, "/api/v1/workforce/queues/999999/forecast", world.alice)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    bad = _get(client, url + "?interval=20", world.alice)
    assert bad.status_code == 422
    assert "15, 30 or 60" in bad.json()["message"]
    far = _get(client, url + "?week=2099-01-05", world.alice)
    assert far.status_code == 422
    assert far.json()["code"] == "invalid_plan"
    empty = _get(client, url + "?week=2026-03-02", world.alice)
    assert empty.status_code == 200, empty.json()
    assert empty.json()["method"] is None
    assert "Not enough history" in empty.json()["problem"]


# --- the CLI -----------------------------------------------------------------------------


def test_the_cli_prints_one_queue_as_json(queue, history, shifts):
    out = StringIO()
    call_command(
        "forecast", "--queue", "support-phone", "--interval", "30", "--week", "2026-03-02",
        "--json", stdout=out,
    )  # fmt: skip

    body = json.loads(out.getvalue())
    assert body["queue"]["slug"] == "support-phone"
    assert body["total_forecast"] == pytest.approx(120)
    assert body["under_covered_hours"] == 10


def test_the_cli_forecasts_every_queue_with_a_progress_bar(world, queue, history, capsys):
    ContactQueue.objects.create(
        name="Billing chat", slug="billing-chat", department=world.billing, channel="chat"
    )
    out = StringIO()
    call_command("forecast", "--week", "2026-03-02", stdout=out)

    text = out.getvalue()
    assert "Support phone, week from 2026-03-02 (Europe/Vilnius), 30-minute intervals" in text
    assert "120 contacts forecast by" in text
    assert "Not enough history to forecast: 0 days" in text
    assert "2/2" in capsys.readouterr().err  # tqdm's bar on stderr


def test_the_cli_refuses_a_week_too_far_ahead(queue):
    with pytest.raises(CommandError, match="at most 8 weeks ahead"):
        call_command("forecast", "--week", "2099-01-05")


def test_the_cli_names_an_unknown_queue(queue):
    with pytest.raises(CommandError, match="No queue nope"):
        call_command("forecast", "--queue", "nope")


def test_nobody_is_needed_while_the_department_is_closed_and_holidays_are_quiet(
    world, queue, history, shifts
):
    # Support keeps Lithuanian hours Mon-Fri 10:00-11:00; Wednesday 4 March is made a
    # closed date, so it is forecast like a Sunday (no calls) and needs nobody.
    calendar = calendar_actions.create_calendar(
        acting_user=world.carol, name="Support hours", time_zone="Europe/Vilnius", country="LT",
        hours={day: [(time(10), time(11))] for day in range(5)},
    )  # fmt: skip
    calendar_actions.add_calendar_exception(
        acting_user=world.carol,
        calendar=calendar,
        day=date(2026, 3, 4),
        kind="closed",
        note="Stock",
    )
    calendar_actions.assign_department_calendar(
        acting_user=world.carol, department=world.support, calendar=calendar
    )

    plan = plan_queue(queue, week_start=WEEK, interval_minutes=30)
    by_start = {i.start.astimezone(VILNIUS).replace(tzinfo=None): i for i in plan.intervals}
    agents = needed()[0]

    assert by_start[datetime(2026, 3, 2, 10, 30)].required == agents  # open
    eleven = by_start[datetime(2026, 3, 2, 11, 0)]
    assert eleven.forecast == pytest.approx(CALLS_PER_HALF_HOUR)  # they still call...
    assert eleven.required == 0  # ...but wait for the opening
    assert by_start[datetime(2026, 3, 4, 10, 0)].forecast == pytest.approx(0)
    assert by_start[datetime(2026, 3, 4, 10, 0)].required == 0
    # Four open days x two half hours, alice alone except bob on Monday.
    assert plan.under_hours == pytest.approx(4)


def test_imported_interval_volumes_replace_the_interactions_they_cover(world, queue, history):
    monday = WEEK - timedelta(days=7)
    QueueVolume.objects.create(
        queue=queue, starts_at=local(monday, 10, 0), minutes=30, offered=10, source="ACD report"
    )
    # Two weeks before anything was recorded: the report is the only history then.
    QueueVolume.objects.create(
        queue=queue, starts_at=local(WEEK - timedelta(days=35), 9, 0), minutes=15, offered=3
    )
    start, end = local(WEEK - timedelta(days=42), 0, 0), local(WEEK, 0, 0)

    arrivals = list_arrivals(queue, start, end)

    in_slot = [(a, n) for a, n in arrivals if local(monday, 10, 0) <= a < local(monday, 10, 30)]
    # The report's 10 as two quarter-hours of 5, not the 6 interactions as well.
    assert in_slot == [
        (local(monday, 10, 7) + timedelta(seconds=30), 5.0),
        (local(monday, 10, 22) + timedelta(seconds=30), 5.0),
    ]
    total = sum(n for _a, n in arrivals)
    assert total == 5 * 3 * 4 * CALLS_PER_HALF_HOUR - CALLS_PER_HALF_HOUR + 10 + 3
    early = [(a, n) for a, n in arrivals if a < local(WEEK - timedelta(days=30), 0, 0)]
    assert early == [(local(WEEK - timedelta(days=35), 9, 7) + timedelta(seconds=30), 3.0)]
