"""The demo's queue traffic: enough history for every queue's forecast, shaped like a week."""

from __future__ import annotations

from datetime import UTC, datetime

from truedesk.workforce.demo_data import WEEKS, build_forecast_history_demo
from truedesk.workforce.models import ContactQueue, QueueVolume
from truedesk.workforce.staffing_plan import plan_queue

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def test_every_demo_queue_gets_weeks_of_history_that_forecasts_a_busy_monday(world):
    phone = ContactQueue.objects.create(
        name="Support phone", slug="support-phone", department=world.support, channel="phone"
    )
    ContactQueue.objects.create(
        name="Billing email", slug="billing-email", department=world.billing, channel="email"
    )

    contacts = build_forecast_history_demo(now=NOW)

    assert contacts > 1000
    assert set(QueueVolume.objects.values_list("queue__slug", flat=True)) == {
        "support-phone", "billing-email",
    }  # fmt: skip
    plan = plan_queue(phone, now=NOW)
    assert plan.history_days == 7 * WEEKS
    assert plan.forecast is not None
    assert plan.forecast.chosen.origins == 4
    days = plan.forecast.values.sum(axis=1)
    assert days[0] > 3 * days[6]  # Monday against Sunday
    assert plan.forecast.values[0][:14].sum() == 0  # no calls before 07:00
