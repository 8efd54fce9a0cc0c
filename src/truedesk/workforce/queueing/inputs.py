"""Checking and shaping the engine's inputs: every impossible request fails here, by name."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from truedesk.workforce.queueing.errors import QueueingInputError, gettext_noop

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# The engine's numerics are checked to 10,000 agents and hold far beyond; past this a
# request is a typo, and a staffing search would only waste time proving it.
MAX_AGENTS = 1_000_000

ARRIVALS = "arrivals_per_hour"
AHT = "aht_seconds"
ANSWER_TIME = "answer_time_seconds"
PATIENCE = "patience_seconds"
AGENTS = "agents"
LOAD = "load"
TARGET_SL = "target_sl"
MAX_ASA = "max_asa_seconds"
MAX_ABANDON = "max_abandon"

_NOT_A_NUMBER = {
    ARRIVALS: gettext_noop("The arrivals per hour must be a number (got %(value)s)."),
    AHT: gettext_noop("The average handling time must be a number of seconds (got %(value)s)."),
    ANSWER_TIME: gettext_noop("The answer time must be a number of seconds (got %(value)s)."),
    PATIENCE: gettext_noop("The average patience must be a number of seconds (got %(value)s)."),
    AGENTS: gettext_noop("The number of agents must be a whole number (got %(value)s)."),
    LOAD: gettext_noop("The offered load must be a number of Erlangs (got %(value)s)."),
    TARGET_SL: gettext_noop("The service-level target must be a number (got %(value)s)."),
    MAX_ASA: gettext_noop(
        "The maximum average speed of answer must be a number of seconds (got %(value)s)."
    ),
    MAX_ABANDON: gettext_noop("The maximum abandonment must be a number (got %(value)s)."),
}
_OUT_OF_RANGE = {
    ARRIVALS: gettext_noop(
        "The arrivals per hour must be zero or more and finite (got %(value)s)."
    ),
    AHT: gettext_noop(
        "The average handling time must be more than zero seconds and finite (got %(value)s)."
    ),
    ANSWER_TIME: gettext_noop(
        "The answer time must be zero or more seconds and finite (got %(value)s)."
    ),
    PATIENCE: gettext_noop(
        "The average patience must be more than zero seconds and finite (got %(value)s); "
        "leave it out for callers who never hang up (Erlang C)."
    ),
    AGENTS: gettext_noop(
        "The number of agents must be a whole number from 0 to 1,000,000 (got %(value)s)."
    ),
    LOAD: gettext_noop("The offered load must be zero or more Erlangs and finite (got %(value)s)."),
    TARGET_SL: gettext_noop(
        "The service-level target must be a fraction strictly between 0 and 1, "
        "such as 0.8 for 80 %% (got %(value)s)."
    ),
    MAX_ASA: gettext_noop(
        "The maximum average speed of answer must be more than zero seconds and finite "
        "(got %(value)s)."
    ),
    MAX_ABANDON: gettext_noop(
        "The maximum abandonment must be a fraction strictly between 0 and 1, "
        "such as 0.05 for 5 %% (got %(value)s)."
    ),
}


def _describe(values: NDArray[Any], bad: NDArray[np.bool_]) -> str:
    """The first offending value, with its position when the input is an array."""
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
    value = values[index] if values.ndim else values[()]
    if not index:
        return f"{value!r}" if not isinstance(value, np.generic) else f"{value.item()!r}"
    where = index[0] if len(index) == 1 else index
    return f"{value.item()!r} at index {where}"


def _as_float(name: str, value: Any) -> FloatArray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise QueueingInputError(_NOT_A_NUMBER[name], value=repr(value)) from None
    if array.size == 0:
        raise QueueingInputError(_NOT_A_NUMBER[name], value=repr(value))
    return array


def checked(name: str, value: Any, *, low: float, high: float, open_low: bool) -> FloatArray:
    """value as a float array, finite and within (low, high) or [low, high)."""
    array = _as_float(name, value)
    with np.errstate(invalid="ignore"):
        too_low = array <= low if open_low else array < low
        bad = ~np.isfinite(array) | too_low | (array >= high)
    if np.any(bad):
        raise QueueingInputError(_OUT_OF_RANGE[name], value=_describe(array, bad))
    return array


def positive(name: str, value: Any) -> FloatArray:
    return checked(name, value, low=0.0, high=np.inf, open_low=True)


def non_negative(name: str, value: Any) -> FloatArray:
    return checked(name, value, low=0.0, high=np.inf, open_low=False)


def fraction(name: str, value: Any) -> FloatArray:
    return checked(name, value, low=0.0, high=1.0, open_low=True)


def agent_counts(value: Any) -> IntArray:
    """Whole numbers of agents from 0 to MAX_AGENTS (2.0 is accepted, 2.5 is not)."""
    array = _as_float(AGENTS, value)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(array) | (array < 0) | (array > MAX_AGENTS) | (array != np.round(array))
    if np.any(bad):
        raise QueueingInputError(_OUT_OF_RANGE[AGENTS], value=_describe(array, bad))
    return array.astype(np.int64)


def broadcast(*arrays: NDArray[Any]) -> list[NDArray[Any]]:
    """The arrays at one common shape, or a clear error naming the shapes."""
    try:
        return [np.array(a) for a in np.broadcast_arrays(*arrays)]
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise QueueingInputError(
            gettext_noop("The inputs' array shapes do not fit together: %(shapes)s."),
            shapes=shapes,
        ) from None
