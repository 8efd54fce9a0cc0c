"""The one Erlang A quantity with no special-function form: the mean wait of answered contacts.

Given that a contact waits, theta*V (theta = 1/mean patience, V the wait it would have if
it never gave up) has density proportional to exp(-x w + y (1 - e^-w)) on w > 0, with
x = n*patience/aht and y = arrival rate * patience (Mandelbaum & Zeltyn's virtual wait;
see docs/decisions/0010-queueing-engine.md). It is answered with probability e^-w, so the
waiting time of answered contacts needs

    I(x, y) = integral_0^inf w exp(-(x+1) w + y (1 - e^-w)) dw = integral_0^inf exp(chi(w)) dw,
    chi(w) = log w - (x+1) w + y (1 - e^-w).

chi is strictly concave, so the integrand is log-concave and unimodal. The integral is
taken by Gauss-Legendre on panels whose ends are where chi has fallen 0.5, 2, 4.5, ..., 50
below its maximum on either side (one "standard deviation" per panel near the mode, a
bounded fall of chi in every panel), and by concavity what lies beyond the last ends is
below e^-50 of the total. Every array operation is over all inputs at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# chi falls by (k^2)/2 at the k-th panel end: 1, 2, ..., 10 "standard deviations".
_LEVELS = 0.5 * np.arange(1, 11, dtype=float) ** 2
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_BISECTIONS = 10


def _chi(w: FloatArray, x: FloatArray, y: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        return np.log(w) - (x + 1.0) * w - y * np.expm1(-w)


def _mode(x: FloatArray, y: FloatArray) -> FloatArray:
    """The root of chi'(w) = 1/w - (x+1) + y e^-w, bisected in log w.

    chi' > 0 at 1/(2(x+1+y)) and chi' < 0 at 2/(x+1) + log(1 + 2y/(x+1)), where
    1/w <= (x+1)/2 and y e^-w < (x+1)/2.
    """
    lo = np.log(0.5 / (x + 1.0 + y))
    hi = np.log(2.0 / (x + 1.0) + np.log1p(2.0 * y / (x + 1.0)))
    for _ in range(4 * _BISECTIONS):
        mid = 0.5 * (lo + hi)
        w = np.exp(mid)
        rising = 1.0 / w - (x + 1.0) + y * np.exp(-w) > 0.0
        lo = np.where(rising, mid, lo)
        hi = np.where(rising, hi, mid)
    return np.exp(0.5 * (lo + hi))


def _level_points(
    x: FloatArray, y: FloatArray, mode: FloatArray, peak: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Points left and right of the mode where chi is about peak - level, shape (n, levels).

    Brackets come from chi's shape: |chi''| = 1/w^2 + y e^-w shrinks to the right of the
    mode and grows to its left, so with sigma = |chi''(mode)|^-1/2 the level-c point lies
    beyond mode + sqrt(2c) sigma on the right and within mode - sqrt(2c) sigma on the left;
    on the left also within mode * e^-(c+1) (chi's linear part gains at most 1 there, by
    concavity, while log w loses c+1). Each point returned is the outer end of its final
    bracket, so chi there is at or below its level and the truncation bound is exact.
    """
    xs, ys = x[:, None], y[:, None]
    target = peak[:, None] - _LEVELS[None, :]
    sigma = 1.0 / np.sqrt(1.0 / mode**2 + y * np.exp(-mode))
    reach = np.sqrt(2.0 * _LEVELS)[None, :] * sigma[:, None]
    # Right: grow a step from the mode until chi is below the lowest level (past the mode
    # chi falls at least linearly), then bisect every level at once.
    step = sigma.copy()
    far = mode + step
    while True:
        short = _chi(far, x, y) > peak - _LEVELS[-1]
        if not np.any(short):
            break
        step = np.where(short, 2.0 * step, step)
        far = np.where(short, mode + step, far)
    lo = np.minimum(mode[:, None] + reach, far[:, None])
    hi = np.repeat(far[:, None], _LEVELS.size, axis=1)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        above = _chi(mid, xs, ys) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    right = hi
    # Left, bisected in log w between the two bounds and the mode.
    log_mode = np.log(mode)[:, None]
    gaussian = np.log(np.maximum(mode[:, None] - reach, 0.0) + 1e-300)
    lo = np.maximum(log_mode - (_LEVELS[None, :] + 1.0), gaussian)
    hi = np.repeat(log_mode, _LEVELS.size, axis=1)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        above = _chi(np.exp(mid), xs, ys) > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return np.exp(lo), right


def log_answered_wait_integral(x: FloatArray, y: FloatArray) -> FloatArray:
    """log of integral_0^inf w exp(-(x+1) w + y (1 - e^-w)) dw for x > 0, y >= 0."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    shape = x.shape
    x, y = x.ravel(), y.ravel()
    mode = _mode(x, y)
    peak = _chi(mode, x, y)
    left, right = _level_points(x, y, mode, peak)
    edges = np.concatenate([left[:, ::-1], mode[:, None], right], axis=1)
    mid = 0.5 * (edges[:, 1:] + edges[:, :-1])
    half = 0.5 * (edges[:, 1:] - edges[:, :-1])
    nodes = mid[:, :, None] + half[:, :, None] * _NODES[None, None, :]
    values = np.exp(_chi(nodes, x[:, None, None], y[:, None, None]) - peak[:, None, None])
    total = np.sum(half[:, :, None] * _WEIGHTS[None, None, :] * values, axis=(1, 2))
    return (peak + np.log(total)).reshape(shape)
