"""The fewest agents that meet a queue's targets, for one queue or a whole week of them.

Every target is monotone in the number of agents (service level and, with patience,
answered share rise; waits and abandonment fall), so the minimum is found by galloping
up from a lower bound that is proved infeasible-below and then bisecting, for all inputs
in lockstep. The lower bound is never the offered load when callers can hang up: with
abandonment the answer may be below the load. It is
- Erlang C: floor(load) + 1 (fewer agents cannot keep up);
- Erlang A: 1, raised by throughput: answered contacts can't exceed agents/aht, so
  service level <= answered share <= n/load, hence n >= load * target_sl and
  n >= load * (1 - max_abandon).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from truedesk.workforce.queueing import inputs
from truedesk.workforce.queueing.erlang import SECONDS_PER_HOUR, QueueMetrics, queue_metrics
from truedesk.workforce.queueing.errors import QueueingInputError, gettext_noop
from truedesk.workforce.queueing.incomplete_gamma import log_erlang_b_excess

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Erlang C walks at most this many agents above the load before galloping instead.
_WALK_STEPS = 64
# Where the walk's recursion meets or misses a target by less than this, `meets` decides.
_MARGIN = 1e-9

NO_TARGET = gettext_noop(
    "Give at least one target: a service level with its answer time, "
    "a maximum average speed of answer, or (with patience) a maximum abandonment."
)
SL_NEEDS_ANSWER_TIME = gettext_noop(
    "A service-level target needs the answer time it is measured against, "
    "such as 20 seconds for 80 %% within 20 s."
)
ABANDON_NEEDS_PATIENCE = gettext_noop(
    "A maximum abandonment needs the callers' average patience: "
    "without it the model (Erlang C) has no abandonment."
)
TOO_MANY = gettext_noop(
    "No staffing up to %(limit)s agents meets the targets "
    "(arrivals per hour %(arrivals)s, average handling time %(aht)s s)."
)


class _Targets:
    """The targets of one search, checked and broadcast to the inputs' shape."""

    def __init__(
        self,
        target_sl: Any,
        answer_time_seconds: Any,
        max_asa_seconds: Any,
        max_abandon: Any,
        patience: FloatArray | None,
    ) -> None:
        if target_sl is None and max_asa_seconds is None and max_abandon is None:
            raise QueueingInputError(NO_TARGET)
        if target_sl is not None and answer_time_seconds is None:
            raise QueueingInputError(SL_NEEDS_ANSWER_TIME)
        if max_abandon is not None and patience is None:
            raise QueueingInputError(ABANDON_NEEDS_PATIENCE)
        self.sl = None if target_sl is None else inputs.fraction(inputs.TARGET_SL, target_sl)
        self.answer = (
            np.asarray(0.0)
            if answer_time_seconds is None
            else inputs.non_negative(inputs.ANSWER_TIME, answer_time_seconds)
        )
        self.asa = (
            None if max_asa_seconds is None else inputs.positive(inputs.MAX_ASA, max_asa_seconds)
        )
        self.abandon = (
            None if max_abandon is None else inputs.fraction(inputs.MAX_ABANDON, max_abandon)
        )

    def arrays(self) -> list[NDArray[Any]]:
        """The target arrays, in a fixed order, with absent targets as zeros (ignored)."""
        return [
            np.asarray(0.0) if value is None else value
            for value in (self.sl, self.answer, self.asa, self.abandon)
        ]


def meets_targets(
    metrics: QueueMetrics,
    *,
    target_sl: float | None = None,
    max_asa_seconds: float | None = None,
    max_abandon: float | None = None,
) -> bool:
    """Whether evaluated metrics meet the given targets (checked as required_agents does)."""
    patience = None if metrics.patience_seconds is None else np.asarray(metrics.patience_seconds)
    targets = _Targets(
        target_sl, metrics.answer_time_seconds, max_asa_seconds, max_abandon, patience
    )
    return bool(
        (targets.sl is None or metrics.service_level >= targets.sl)
        and (targets.asa is None or metrics.asa_seconds <= targets.asa)
        and (targets.abandon is None or metrics.p_abandon <= targets.abandon)
    )


def required_agents(
    *,
    arrivals_per_hour: Any,
    aht_seconds: Any,
    target_sl: Any = None,
    answer_time_seconds: Any = None,
    patience_seconds: Any = None,
    max_asa_seconds: Any = None,
    max_abandon: Any = None,
) -> Any:
    """The true minimum number of agents meeting every given target (int, or int array).

    target_sl: fraction answered within answer_time_seconds (with patience, abandoned
    contacts count as not answered in time). max_asa_seconds: mean wait of answered
    contacts. max_abandon: fraction hanging up (needs patience_seconds, the mean patience;
    without it Erlang C is used). Inputs broadcast together; zero arrivals need 0 agents.
    """
    arrivals = inputs.non_negative(inputs.ARRIVALS, arrivals_per_hour)
    aht = inputs.positive(inputs.AHT, aht_seconds)
    patience = (
        None if patience_seconds is None else inputs.positive(inputs.PATIENCE, patience_seconds)
    )
    targets = _Targets(target_sl, answer_time_seconds, max_asa_seconds, max_abandon, patience)
    given = [arrivals, aht, *targets.arrays()] + ([] if patience is None else [patience])
    shaped = inputs.broadcast(*given)
    scalar = shaped[0].ndim == 0
    flat = [a.ravel().astype(float) for a in shaped]
    arrivals_f, aht_f, sl_f, answer_f, asa_f, abandon_f = flat[:6]
    patience_f = None if patience is None else flat[6]
    search = _Search(
        arrivals_f,
        aht_f,
        answer_f,
        patience_f,
        sl=None if targets.sl is None else sl_f,
        asa=None if targets.asa is None else asa_f,
        abandon=None if targets.abandon is None else abandon_f,
    )
    result = search.run().reshape(shaped[0].shape)
    return int(result) if scalar else result


class _Search:
    """Gallop-then-bisect over n for every element at once."""

    def __init__(
        self,
        arrivals: FloatArray,
        aht: FloatArray,
        answer: FloatArray,
        patience: FloatArray | None,
        *,
        sl: FloatArray | None,
        asa: FloatArray | None,
        abandon: FloatArray | None,
    ) -> None:
        self.arrivals, self.aht, self.answer, self.patience = arrivals, aht, answer, patience
        self.sl, self.asa, self.abandon = sl, asa, abandon

    def _lower_bound(self) -> IntArray:
        """Largest n known to fail (so the answer is above it)."""
        load = self.arrivals / SECONDS_PER_HOUR * self.aht
        if self.patience is None:
            return np.floor(load).astype(np.int64)
        need = np.zeros_like(load)
        if self.sl is not None:
            need = np.maximum(need, load * self.sl)
        if self.abandon is not None:
            need = np.maximum(need, load * (1.0 - self.abandon))
        # n < need fails, and ceil(z) - 1 < z: shrinking need by 1e-9 first keeps the bound
        # strictly below it despite rounding. 0 agents always fail when anyone calls.
        return np.maximum(np.ceil(need * (1.0 - 1e-9)).astype(np.int64) - 1, 0)

    def meets(self, index: IntArray, n: IntArray) -> NDArray[np.bool_]:
        """Whether n agents meet every target for the elements `index`."""
        patience = None if self.patience is None else self.patience[index]
        metrics = queue_metrics(
            self.arrivals[index],
            self.aht[index],
            n,
            self.answer[index],
            patience,
            want_asa=self.asa is not None,
        )
        ok = np.ones(index.shape, dtype=bool)
        if self.sl is not None:
            ok &= metrics["service_level"] >= self.sl[index]
        if self.asa is not None:
            ok &= metrics["asa_seconds"] <= self.asa[index]
        if self.abandon is not None:
            ok &= metrics["p_abandon"] <= self.abandon[index]
        return ok

    def run(self) -> IntArray:
        answer = np.zeros(self.arrivals.size, dtype=np.int64)
        busy = np.flatnonzero(self.arrivals > 0)
        fail = self._lower_bound()[busy]
        ok = np.full(busy.size, -1, dtype=np.int64)
        if self.patience is None:
            self._walk_erlang_c(busy, fail, ok)
        # Gallop: probe fail+1, fail+2, fail+4, ... until a probe meets the targets.
        step = np.ones(busy.size, dtype=np.int64)
        open_ = ok < 0
        while np.any(open_):
            which = np.flatnonzero(open_)
            probe = fail[which] + step[which]
            if np.any(probe > inputs.MAX_AGENTS):
                self._too_many(busy[which[probe > inputs.MAX_AGENTS][0]])
            good = self.meets(busy[which], probe)
            ok[which[good]] = probe[good]
            fail[which[~good]] = probe[~good]
            step[which] *= 2
            open_[which[good]] = False
        # Bisect: fail < answer <= ok.
        while True:
            which = np.flatnonzero(ok - fail > 1)
            if which.size == 0:
                break
            mid = (fail[which] + ok[which]) // 2
            good = self.meets(busy[which], mid)
            ok[which[good]] = mid[good]
            fail[which[~good]] = mid[~good]
        # The Erlang C walk starts at the load, which may itself lie past the cap.
        if np.any(ok > inputs.MAX_AGENTS):
            self._too_many(busy[np.flatnonzero(ok > inputs.MAX_AGENTS)[0]])
        answer[busy] = ok
        return answer

    def _walk_erlang_c(self, busy: IntArray, fail: IntArray, ok: IntArray) -> None:
        """Narrow (fail, ok] by walking n up from the load with Erlang B's recursion.

        1/B(n+1) - 1 = (n+1)/a * 1/B(n) is the stable direction of the recursion
        (an error in log(1/B - 1) is multiplied by at most 1 per step); in logs a step
        costs a few float operations instead of an incomplete gamma, and the answer is
        usually a few steps above the load. The walk's values differ from `meets`' by
        ~1e-13 at most, so where a target is met or missed by more than _MARGIN the walk
        decides; the rare closer calls are checked with `meets` itself, keeping the
        result exactly what `meets` says. Walks longer than _WALK_STEPS are left to the
        gallop and bisection.
        """
        walk = _Walk(self, busy, fail + 1)
        unsure = np.zeros(busy.size, dtype=bool)
        for _ in range(_WALK_STEPS):
            slack = walk.slack()
            good = slack >= 0.0
            done = walk.where[good]
            ok[done] = walk.n[good].astype(np.int64)
            fail[done] = ok[done] - 1
            unsure[done] = (slack[good] < _MARGIN) | (walk.before[good] > -_MARGIN)
            if not walk.step(~good, slack[~good]):
                break
        fail[walk.where] = walk.n.astype(np.int64) - 1  # these fail up to here
        self._settle(busy, fail, ok, np.flatnonzero(unsure))

    def _settle(self, busy: IntArray, fail: IntArray, ok: IntArray, unsure: IntArray) -> None:
        """Re-decide the walk's close calls (c meets, c-1 fails) with `meets`."""
        if unsure.size == 0:
            return
        c = ok[unsure]
        meets_c = self.meets(busy[unsure], c)
        # c fails after all: the answer is above c; the gallop starts from there.
        fail[unsure[~meets_c]] = c[~meets_c]
        ok[unsure[~meets_c]] = -1
        below = unsure[meets_c]
        floor = np.floor(self.arrivals[busy[below]] / SECONDS_PER_HOUR * self.aht[busy[below]])
        check = below[ok[below] - 1 > floor]
        meets_below = self.meets(busy[check], ok[check] - 1)
        # c - 1 meets after all: bisect between the load and c - 1.
        lower = check[meets_below]
        ok[lower] -= 1
        fail[lower] = np.floor(
            self.arrivals[busy[lower]] / SECONDS_PER_HOUR * self.aht[busy[lower]]
        ).astype(np.int64)

    def _too_many(self, i: int) -> None:
        raise QueueingInputError(
            TOO_MANY,
            limit=f"{inputs.MAX_AGENTS:,}",
            arrivals=float(self.arrivals[i]),
            aht=float(self.aht[i]),
        )


class _Walk:
    """The Erlang C walk's state for the elements still walking, as compact 1-D arrays
    (n as floats: it only feeds float arithmetic until it is recorded)."""

    _FIELDS = ("where", "n", "load", "excess", "aht", "tau", "sl", "asa")

    def __init__(self, search: _Search, busy: IntArray, start: IntArray) -> None:
        self.where = np.arange(busy.size)
        self.n = start.astype(float)
        self.load = search.arrivals[busy] / SECONDS_PER_HOUR * search.aht[busy]
        self.excess = log_erlang_b_excess(start, self.load)
        self.aht = search.aht[busy]
        self.tau = search.answer[busy] / self.aht
        self.sl = np.full(busy.size, -np.inf) if search.sl is None else search.sl[busy]
        self.asa = np.full(busy.size, np.inf) if search.asa is None else search.asa[busy]
        self.before = np.full(busy.size, -np.inf)  # slack at n - 1: floor(load) fails

    def slack(self) -> FloatArray:
        """By how much n agents meet the tightest target (negative: miss)."""
        m, load = self.n, self.load
        odds = self.excess + np.log1p(-load / m)
        p_wait = expit(-odds)
        # SL = (1 - C) + C (1 - e^{-(n-a) T/aht}); ASA = C aht / (n - a).
        service = expit(odds) - p_wait * np.expm1((load - m) * self.tau)
        return np.minimum(service - self.sl, 1.0 - p_wait * self.aht / ((m - load) * self.asa))

    def step(self, keep: NDArray[np.bool_], slack: FloatArray) -> bool:
        """Keep the elements still short of their targets and move them to n + 1."""
        index = np.flatnonzero(keep)
        for name in self._FIELDS:
            setattr(self, name, getattr(self, name).take(index))
        if index.size == 0:
            return False
        self.before = slack
        self.excess = np.log((self.n + 1.0) / self.load) + np.logaddexp(0.0, self.excess)
        self.n = self.n + 1.0
        return True
