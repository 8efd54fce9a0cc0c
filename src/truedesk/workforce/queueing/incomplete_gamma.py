"""Log-space ratios of incomplete gamma functions that Erlang B, C and A are built from.

Two sums carry every formula in the engine (n agents, offered load a, and for Erlang A
x = n * patience / aht, y = arrival rate * patience):

    1/B(n, a) - 1 = sum_{j<n} a^j/j!  /  (a^n/n!)      = Q(n, a) / D(n, a)
    A(x, y)       = sum_{k>=0} y^k / ((x+1)...(x+k))    = P(x, y) / D(x, y)

with D(x, y) = y^x e^-y / Gamma(x+1) and P, Q SciPy's regularised incomplete gamma
functions. Both ratios span hundreds of orders of magnitude for 10,000 agents, so they
are returned as logarithms. D is taken in a Stirling form that avoids subtracting two
numbers near 10^5 when y is close to x; when P or Q underflows (only far from x = y)
the defining series is summed instead: it then converges geometrically.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

# Below this an incomplete-gamma value is too close to underflow to divide by.
_UNDERFLOW = 1e-280
# A series term this much smaller than the running sum no longer changes it.
_SERIES_TOLERANCE = 1e-17
_HALF_LOG_TWO_PI = 0.5 * np.log(2.0 * np.pi)
# Stirling-series coefficients of log Gamma(x+1) - (x log x - x + log(2 pi x)/2),
# in powers of 1/x: 1/12, -1/360, 1/1260, -1/1680, 1/1188, -691/360360, 1/156.
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def _stirling_error(x: FloatArray) -> FloatArray:
    """log Gamma(x+1) - (x log x - x + log(2 pi x)/2) for x >= 10, to about 1e-17."""
    inv = 1.0 / x
    inv2 = inv * inv
    total = np.zeros_like(x)
    for coefficient in reversed(_STIRLING):
        total = total * inv2 + coefficient
    return total * inv


def _ratio_minus_one_minus_log(x: FloatArray, y: FloatArray) -> FloatArray:
    """r - 1 - log r >= 0 for r = y/x, without cancellation near r = 1.

    Near r = 1, with d = (y - x)/x (exact there) and v = d/(2+d): log(1+d) = 2 atanh(v) and
    d - 2v = d*v, so the value is d*v - 2 (v^3/3 + v^5/5 + ...), which loses nothing when
    |d| <= 0.5 (|v| <= 1/3). Elsewhere log r is taken of the ratio itself, not of 1 + d.
    """
    r = y / x
    with np.errstate(divide="ignore"):
        out = (r - 1.0) - np.log(r)
    near = np.abs(r - 1.0) <= 0.5
    if np.any(near):
        d = (y[near] - x[near]) / x[near]
        v = d / (2.0 + d)
        v2 = v * v
        series = np.zeros_like(v)
        for k in range(20, 0, -1):
            series = series * v2 + 1.0 / (2 * k + 1)
        out[near] = d * v - 2.0 * v * v2 * series
    return out


def log_gamma_density(x: FloatArray, y: FloatArray) -> FloatArray:
    """log D(x, y) = x log y - y - log Gamma(x+1), the Poisson/Gamma density, for x >= 0, y > 0.

    For x >= 10 it is evaluated as -x (d - log1p d) - log(2 pi x)/2 - stirling(x) with
    r = y/x, which keeps full relative precision when x and y are both large.
    """
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = np.empty(x.shape, dtype=float)
    small = x < 10.0
    out[small] = special.xlogy(x[small], y[small]) - y[small] - special.gammaln(x[small] + 1.0)
    large = ~small
    if np.any(large):
        xl = x[large]
        out[large] = (
            -xl * _ratio_minus_one_minus_log(xl, y[large])
            - _HALF_LOG_TWO_PI
            - 0.5 * np.log(xl)
            - _stirling_error(xl)
        )
    return out


def log_erlang_b_excess(n: NDArray[np.int64], a: FloatArray) -> FloatArray:
    """log(1/B(n, a) - 1) for integer n >= 0 and load a > 0; -inf when n = 0 (B = 1).

    Erlang B itself is 1 / (1 + exp(result)). Q(n, a)/D(n, a) is used where Q does not
    underflow; elsewhere (a far above n) the finite sum n/a + n(n-1)/a^2 + ... is added,
    whose ratio of terms is below n/a < 1.
    """
    n, a = np.broadcast_arrays(np.asarray(n, dtype=np.int64), np.asarray(a, dtype=float))
    out = np.full(n.shape, -np.inf)
    positive = n > 0
    nf = n[positive].astype(float)
    ap = a[positive]
    q = special.gammaincc(nf, ap)
    with np.errstate(divide="ignore"):
        values = np.log(q) - log_gamma_density(nf, ap)
    tiny = q < _UNDERFLOW
    if np.any(tiny):
        values[tiny] = np.log(_falling_ratio_sum(nf[tiny], ap[tiny]))
    out[positive] = values
    return out


def _falling_ratio_sum(n: FloatArray, a: FloatArray) -> FloatArray:
    """sum_{k=1..n} n(n-1)...(n-k+1) / a^k, summed until the terms stop mattering (a > n)."""
    term = n / a
    total = term.copy()
    k = 1.0
    active = np.ones(n.shape, dtype=bool)
    while np.any(active):
        term = np.where(active, term * np.maximum(n - k, 0.0) / a, 0.0)
        total += term
        k += 1.0
        active = term > _SERIES_TOLERANCE * total
    return total


def log_abandonment_ratio(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(log A(x, y), sum_k k*t_k / (y*A)) for x > 0, y >= 0, where A = sum_k t_k.

    A(x, y) = 1F1(1; x+1; y) is the Erlang A queue's weight of the states with everyone
    busy, relative to the state with exactly n in system. The second value is
    P(abandon | wait) = 1 - (x/y)(1 - 1/A); it is returned here because where the series
    is summed (y far below x, a queue whose customers hardly ever give up) the closed form
    would lose digits to cancellation and the series gives it exactly.
    """
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    p = special.gammainc(x, y)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_a = np.log(p) - log_gamma_density(x, y)
        abandon = 1.0 - (x / y) * (1.0 - np.exp(-log_a))
    # The series needs at most ~60 terms when y <= (x+1)/2, and there the closed form for
    # P(abandon | wait) would cancel (it is close to 1/(x - y)); below underflow it must be used.
    tiny = (p < _UNDERFLOW) | (y <= 0.5 * (x + 1.0))
    if np.any(tiny):
        total, weighted = _rising_ratio_sums(x[tiny], y[tiny])
        log_a[tiny] = np.log(total)
        with np.errstate(divide="ignore", invalid="ignore"):
            abandon[tiny] = weighted / (y[tiny] * total)
        # The limit y -> 0: only the first term counts, t_1/y = 1/(x+1).
        abandon[y == 0.0] = 1.0 / (x[y == 0.0] + 1.0)
    return log_a, np.clip(abandon, 0.0, 1.0)


def _rising_ratio_sums(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(sum_k t_k, sum_k k t_k) with t_k = y^k/((x+1)...(x+k)); used only where y < x."""
    term = np.ones_like(x)
    total = term.copy()
    weighted = np.zeros_like(x)
    k = 0.0
    active = np.ones(x.shape, dtype=bool)
    while np.any(active):
        k += 1.0
        term = np.where(active, term * y / (x + k), 0.0)
        total += term
        weighted += k * term
        active = (term > _SERIES_TOLERANCE * total) | (k * term > _SERIES_TOLERANCE * weighted)
    return total, weighted
