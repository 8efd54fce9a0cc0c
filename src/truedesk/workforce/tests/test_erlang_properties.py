"""Properties every staffing answer relies on: more agents never make things worse."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truedesk.workforce.queueing import evaluate, evaluate_many

# Relative slack for rounding only: the metrics are computed to ~1e-13 or better.
SLACK = 1e-12

arrivals = st.floats(min_value=1.0, max_value=20_000.0)
aht = st.floats(min_value=10.0, max_value=3_600.0)
answer = st.floats(min_value=0.0, max_value=600.0)
patience = st.floats(min_value=1.0, max_value=20_000.0)


def _sweep(rate, handling, answer_time, patience_seconds=None, start=None):
    load = rate / 3600 * handling
    first = int(np.floor(load)) + 1 if start is None else start
    agents = np.arange(first, first + int(3 * np.sqrt(load)) + 30)
    return evaluate_many(
        arrivals_per_hour=rate,
        aht_seconds=handling,
        agents=agents,
        answer_time_seconds=answer_time,
        patience_seconds=patience_seconds,
    )


def _never_falls(values):
    return np.all(np.diff(values) >= -SLACK * np.abs(values[1:]))


def _never_rises(values):
    return np.all(np.diff(values) <= SLACK * np.abs(values[1:]))


@settings(max_examples=60, deadline=None)
@given(arrivals, aht, answer)
def test_erlang_c_service_level_rises_and_waiting_falls_with_each_agent(rate, handling, t):
    swept = _sweep(rate, handling, t)
    assert _never_falls(swept.service_level)
    assert _never_rises(swept.p_wait)
    assert _never_rises(swept.asa_seconds)
    assert np.all((swept.service_level >= 0) & (swept.service_level <= 1))


@settings(max_examples=60, deadline=None)
@given(arrivals, aht, answer, patience)
def test_erlang_a_service_level_rises_and_waiting_and_abandonment_fall_from_one_agent_up(
    rate, handling, t, mean_patience
):
    swept = _sweep(rate, handling, t, mean_patience, start=1)
    assert _never_falls(swept.service_level)
    assert _never_rises(swept.p_wait)
    assert _never_rises(swept.p_abandon)
    assert _never_rises(swept.asa_seconds)
    assert _never_rises(swept.average_wait_seconds)
    for name in ("p_wait", "service_level", "p_abandon", "occupancy"):
        values = getattr(swept, name)
        assert np.all(np.isfinite(values)) and np.all((values >= 0) & (values <= 1)), name


@settings(max_examples=40, deadline=None)
@given(arrivals, aht, answer, patience, st.integers(min_value=1, max_value=400))
def test_abandonment_never_makes_waiting_or_service_level_worse_than_erlang_c(
    rate, handling, t, mean_patience, extra
):
    """Callers who hang up shorten the queue for everyone behind them."""
    agents = int(np.floor(rate / 3600 * handling)) + extra
    kwargs = {"arrivals_per_hour": rate, "aht_seconds": handling, "agents": agents}
    c = evaluate(**kwargs, answer_time_seconds=t)
    a = evaluate(**kwargs, answer_time_seconds=t, patience_seconds=mean_patience)
    assert a.p_wait <= c.p_wait * (1 + SLACK)
    assert a.asa_seconds <= c.asa_seconds * (1 + SLACK) + 1e-300


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(arrivals, aht, answer, patience), min_size=2, max_size=12))
def test_arrays_give_exactly_what_one_at_a_time_gives(rows):
    rate, handling, t, mean_patience = (np.array(column) for column in zip(*rows, strict=True))
    agents = np.ceil(rate / 3600 * handling).astype(int) + 1
    together = evaluate_many(
        arrivals_per_hour=rate,
        aht_seconds=handling,
        agents=agents,
        answer_time_seconds=t,
        patience_seconds=mean_patience,
    )
    for i in range(len(rows)):
        alone = evaluate(
            arrivals_per_hour=float(rate[i]),
            aht_seconds=float(handling[i]),
            agents=int(agents[i]),
            answer_time_seconds=float(t[i]),
            patience_seconds=float(mean_patience[i]),
        )
        assert together.at(i) == alone
