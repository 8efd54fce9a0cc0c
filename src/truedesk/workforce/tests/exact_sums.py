"""Independent reference values: the queues' defining sums in 50-digit decimal arithmetic.

Nothing here shares code or formulas with the engine: Erlang B/C come from the textbook
sums (and the recursion B_k = a B_{k-1} / (k + a B_{k-1}) for many agents), Erlang A
from its birth-death chain summed state by state, with per-state answer probabilities
from first principles (below). Inputs are converted exactly from their decimal text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

PRECISION = 50
TAIL = Decimal(10) ** -40


def _d(value: float | int | str) -> Decimal:
    return Decimal(str(value))


def erlang_b(n: int, load: float) -> Decimal:
    """Erlang B by the stable recursion, in 50-digit arithmetic."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        a = _d(load)
        b = Decimal(1)
        for k in range(1, n + 1):
            b = a * b / (k + a * b)
        return b


def erlang_c(n: int, load: float) -> Decimal:
    """Erlang C from Erlang B: C = B / (1 - rho (1 - B))."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        b = erlang_b(n, load)
        rho = _d(load) / n
        return b / (1 - rho * (1 - b))


@dataclass(frozen=True)
class ErlangAReference:
    p_wait: Decimal
    p_abandon: Decimal
    service_level: Decimal
    asa_seconds: Decimal
    average_wait_seconds: Decimal
    occupancy: Decimal


def erlang_a(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    agents: int,
    answer_time_seconds: float,
    patience_seconds: float,
    service_level: bool = True,
) -> ErlangAReference:
    """M/M/n+M by summing the birth-death chain until the states stop mattering.

    A contact finding k others waiting (all agents busy) reaches an agent after
    V_k = sum of Exp(n mu + i theta), i = 0..k, and is answered if its own Exp(theta)
    patience lasts. With x = n mu / theta:
      P(answered | k)            = x / (x + k + 1)            (telescoping product)
      E[V_k; answered | k]       = x/(theta (x+k+1)) * sum_{i=1}^{k+1} 1/(x+i)
      E[min(V_k, patience) | k]  = (k+1) / (theta (x+k+1))
      P(answered by T | k)       = x/(x+k+1) * (1 - u^{x+1} sum_{j<=k} (x+1)_j/j! (1-u)^j),
    u = e^{-theta T}; the last is the incomplete beta I_{1-u}(k+1, x+1) written as its
    finite sum for whole k. `service_level=False` skips it (O(k^2) for long queues).
    """
    with localcontext() as ctx:
        ctx.prec = PRECISION
        lam = _d(arrivals_per_hour) / 3600
        mu = 1 / _d(aht_seconds)
        theta = 1 / _d(patience_seconds)
        x = agents * mu / theta
        u = (-theta * _d(answer_time_seconds)).exp()
        # Unnormalised state weights: w_0 = 1, w_j = w_{j-1} * lam / death_j.
        weight = Decimal(1)
        below = Decimal(0)
        busy_below = Decimal(0)
        for j in range(1, agents + 1):
            below += weight
            busy_below += (j - 1) * weight
            weight = weight * lam / (j * mu)
        waiting: list[Decimal] = []  # weights of n + k in system, k = 0, 1, ...
        queued = Decimal(0)
        k = 0
        while True:
            waiting.append(weight)
            queued += weight
            k += 1
            weight = weight * lam / (agents * mu + k * theta)
            if weight < TAIL * (below + queued) and k > 5:
                break
        total = below + queued
        p_wait = queued / total
        abandon = Decimal(0)
        answered_wait = Decimal(0)
        mean_wait = Decimal(0)
        harmonic = Decimal(0)
        on_time = below / total
        for k, w in enumerate(waiting):
            p = w / total
            harmonic += 1 / (x + k + 1)
            answered_share = x / (x + k + 1)
            abandon += p * (1 - answered_share)
            answered_wait += p * answered_share * harmonic / theta
            mean_wait += p * (k + 1) / (theta * (x + k + 1))
            if service_level:
                on_time += p * answered_share * (1 - u ** (x + 1) * _beta_sum(x, k, u))
        return ErlangAReference(
            p_wait=p_wait,
            p_abandon=abandon,
            service_level=on_time if service_level else Decimal("NaN"),
            asa_seconds=answered_wait / (1 - abandon),
            average_wait_seconds=mean_wait,
            occupancy=(busy_below + agents * queued) / total / agents,
        )


def _beta_sum(x: Decimal, k: int, u: Decimal) -> Decimal:
    """sum_{j=0..k} (x+1)_j / j! * (1-u)^j."""
    term = Decimal(1)
    total = term
    for j in range(1, k + 1):
        term = term * (x + j) / j * (1 - u)
        total += term
    return total
