"""Issue 5, journey 2: volume forecasts on synthetic series with known seasonality and trend."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from truedesk.workforce import forecasting as fc

MONDAY = date(2026, 1, 5)
SLOTS = 48  # 30-minute intervals
# A morning-and-afternoon day, busy Mondays, quiet weekends.
TIME_OF_DAY = np.exp(-0.5 * ((np.arange(SLOTS) - 20) / 4) ** 2) + 0.7 * np.exp(
    -0.5 * ((np.arange(SLOTS) - 30) / 3) ** 2
)
DAY_OF_WEEK = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.45, 0.25])


def _expected(days: int, *, level: float, growth_per_week: float = 0.0) -> np.ndarray:
    types = fc.day_types(MONDAY, days)
    trend = (1 + growth_per_week) ** (np.arange(days) / 7)
    return (level * trend * DAY_OF_WEEK[types])[:, None] * TIME_OF_DAY[None, :]


def test_every_method_reproduces_a_series_that_only_repeats_weekly():
    weeks = 6
    y = _expected(7 * (weeks + 1), level=10.0)
    types = fc.day_types(MONDAY, 7 * (weeks + 1))
    train, future = y[: 7 * weeks], types[7 * weeks :]

    for name, method in fc.METHODS.items():
        predicted = method(y[: 7 * weeks], types[: 7 * weeks], future, 0)
        assert predicted.shape == (7, SLOTS)
        assert np.allclose(predicted, y[7 * weeks :], atol=0.01), name
    scores = fc.backtest(train, types[: 7 * weeks])
    naive = next(s for s in scores if s.method == "seasonal_naive")
    assert naive.wape == pytest.approx(0.0, abs=1e-12)
    assert naive.origins == 4


def test_the_chosen_forecast_recovers_seasonality_and_trend_from_poisson_counts():
    rng = np.random.default_rng(7)
    weeks = 10
    days = 7 * (weeks + 1)
    mu = _expected(days, level=4.0, growth_per_week=0.05)
    y = rng.poisson(mu[: 7 * weeks]).astype(float)
    types = fc.day_types(MONDAY, days)

    made = fc.forecast(y, types[: 7 * weeks], types[7 * weeks :])

    truth = mu[7 * weeks :]
    # The week's volume within 6 % of the truth: the 5 %/week growth is extrapolated (a
    # method without trend would be about 20 % low against the ten-week average).
    assert made.values.sum() == pytest.approx(truth.sum(), rel=0.06)
    assert made.method in ("poisson_regression", "holt_winters")
    # Daily seasonality: the 10:00 peak is where it should be, the night empty.
    monday = made.values[0]
    assert int(np.argmax(monday)) in (19, 20, 21)
    assert monday[:8].sum() < 0.01 * monday.sum()
    # Weekly seasonality: Monday about 5 times Sunday.
    ratio = made.values[0].sum() / made.values[6].sum()
    assert ratio == pytest.approx(1.3 / 0.25, rel=0.15)
    chosen = made.chosen
    assert chosen.wape is not None and chosen.wape < 0.5
    assert chosen.mase is not None and chosen.mase < 1.0  # beats last week's value


def test_trend_is_missed_by_the_seasonal_average_and_the_backtest_sees_it():
    weeks = 10
    days = 7 * weeks
    y = np.round(_expected(days, level=20.0, growth_per_week=0.10))
    types = fc.day_types(MONDAY, days)

    scores = {s.method: s for s in fc.backtest(y, types)}

    assert scores["poisson_regression"].wape < scores["seasonal_average"].wape
    assert fc.choose(scores.values()).method != "seasonal_average"


def test_backtest_uses_only_origins_with_two_weeks_of_training():
    y = np.ones((20, SLOTS))
    types = fc.day_types(MONDAY, 20)

    scores = fc.backtest(y, types)

    # 20 days: only the origin at day 13 would leave 13 days of training; none qualifies.
    assert all(s.origins == 0 and s.wape is None for s in scores)
    assert fc.choose(scores).method == fc.DEFAULT_METHOD
    y = np.ones((21, SLOTS))
    assert fc.backtest(y, fc.day_types(MONDAY, 21))[0].origins == 1


def test_backtest_wape_is_absolute_error_over_actual_volume():
    # Two constant weeks of 1 per interval, then a week of 2: last week's value is off by
    # 1 everywhere, so WAPE = 1/2; the in-sample naive error is 0 so MASE is undefined.
    y = np.vstack([np.ones((14, SLOTS)), 2 * np.ones((7, SLOTS))])
    types = fc.day_types(MONDAY, 21)

    naive = fc.backtest(y, types, methods=["seasonal_naive"])[0]

    assert naive.wape == pytest.approx(0.5)
    assert naive.mase is None


def test_a_public_holiday_is_forecast_like_a_sunday():
    weeks = 6
    days = 7 * (weeks + 1)
    y = np.round(_expected(days, level=10.0))
    history_types = fc.day_types(MONDAY, 7 * weeks)
    holiday = MONDAY + timedelta(days=7 * weeks + 2)  # the Wednesday of the forecast week
    future = fc.day_types(MONDAY + timedelta(days=7 * weeks), 7, holidays=[holiday])

    for name, method in fc.METHODS.items():
        predicted = method(y[: 7 * weeks], history_types, future, 0)
        wednesday, tuesday, sunday = predicted[2].sum(), predicted[1].sum(), predicted[6].sum()
        assert wednesday == pytest.approx(sunday, rel=0.02), name
        assert wednesday < 0.3 * tuesday, name


def test_a_holiday_in_the_history_does_not_pull_down_its_weekday():
    weeks = 5
    y = np.round(_expected(7 * weeks, level=10.0))
    holiday = MONDAY + timedelta(days=7 * (weeks - 1))  # last Monday was a holiday...
    y[7 * (weeks - 1)] = y[6]  # ...and as quiet as a Sunday
    types = fc.day_types(MONDAY, 7 * weeks, holidays=[holiday])
    future = fc.day_types(MONDAY + timedelta(days=7 * weeks), 7)

    predicted = fc.seasonal_naive(y, types, future)

    assert predicted[0].sum() == y[7 * (weeks - 2)].sum()  # the Monday before, not the holiday


def test_arrivals_are_binned_on_the_local_wall_clock():
    zone = ZoneInfo("Europe/Vilnius")
    arrivals = [
        datetime(2026, 3, 2, 7, 10, tzinfo=UTC),  # 09:10 local, Monday
        datetime(2026, 3, 2, 7, 29, tzinfo=UTC),  # 09:29
        datetime(2026, 3, 2, 22, 5, tzinfo=UTC),  # 00:05 Tuesday local
        datetime(2026, 3, 1, 21, 59, tzinfo=UTC),  # 23:59 Sunday: before the grid
    ]

    counts = fc.bin_arrivals(arrivals, zone=zone, first_day=date(2026, 3, 2), days=2,
                             interval_minutes=30)  # fmt: skip

    assert counts.shape == (2, 48)
    assert counts[0, 18] == 2
    assert counts[1, 0] == 1
    assert counts.sum() == 3


def test_interval_starts_follow_daylight_saving():
    zone = ZoneInfo("Europe/Vilnius")
    starts = fc.interval_starts(date(2026, 3, 29), 1, 60, zone)  # clocks go 03:00 -> 04:00

    assert starts[0] == datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert starts[3] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # the skipped 03:00
    assert starts[4] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 04:00 EEST
    assert starts[23].astimezone(zone).time() == time(23)


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (np.ones((6, SLOTS)), "at least 7 days"),
        (-np.ones((7, SLOTS)), "not negative"),
    ],
)
def test_impossible_forecasts_are_refused_with_a_reason(history, message):
    with pytest.raises(fc.ForecastInputError, match=message):
        fc.forecast(history, fc.day_types(MONDAY, history.shape[0]), fc.day_types(MONDAY, 7))


def test_only_15_30_and_60_minute_intervals():
    with pytest.raises(fc.ForecastInputError, match="interval"):
        fc.slots_per_day(20)


def test_a_ramp_up_is_not_extrapolated_into_an_explosion():
    # A queue that opened three weeks ago and tripled every week.
    y = _expected(21, level=1.0) * (3.0 ** (np.arange(21) / 7))[:, None]
    types = fc.day_types(MONDAY, 21)
    future = fc.day_types(MONDAY + timedelta(days=21 + 49), 7)  # seven weeks after

    predicted = fc.poisson_regression(y, types, future, gap=49)

    last_week = y[14:].sum()
    assert predicted.sum() < last_week * 1.25**9  # at most +25 % a week


def test_weighted_arrivals_count_as_that_many_contacts():
    zone = ZoneInfo("Europe/Vilnius")
    arrivals = [datetime(2026, 3, 2, 7, 10, tzinfo=UTC), datetime(2026, 3, 2, 7, 50, tzinfo=UTC)]

    counts = fc.bin_arrivals(arrivals, zone=zone, first_day=date(2026, 3, 2), days=1,
                             interval_minutes=60, weights=[2.5, 4.0])  # fmt: skip

    assert counts[0, 9] == 6.5
