"""The one statistics module: one interval method per quantity, one psychometric fit (pure numpy).

Everything that shows a number about trials (the live plots, the Compare view
and its export, ``neurogym-app compare`` and its report) takes it from here
through :class:`~neurogym_app.analysis.trial_table.TrialTable`, so the same
sessions give the same numbers everywhere. Every method is deterministic (no
resampling, no seed), so a number printed on stdout, written in a report and
drawn in a figure is the same number.

* **Proportions** (accuracy, accuracy per condition, each point of a
  psychometric curve): the Wilson score 95 % interval. Why: closed form, it
  stays inside [0, 1] and keeps close to its nominal coverage for the small
  counts and the proportions near 0 or 1 that a pilot's conditions have, where
  the normal (Wald) interval collapses to a point.
* **Means** (mean reaction time, each point of a chronometric curve): the mean
  +- t(0.975, n - 1) standard errors. Why: reaction-time means over tens of
  trials are close to normal; the t quantile widens the interval honestly for
  a handful of trials. A single trial gives a point (no spread is known).
* **The psychometric fit**: maximum-likelihood logistic
  ``p = 1 / (1 + exp(-(bias + slope * x)))`` on the binomial counts per level
  (Newton's method with a tiny ridge, so perfectly separated data stay finite);
  its bias and slope carry Wald 95 % intervals from the observed Fisher
  information at the estimate.
* **Levels**: the distinct stimulus strengths (rounded to 1e-9); more than
  :data:`MAX_LEVELS` are binned into quantiles, each bin at the mean of its values.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "Z95",
    "MAX_LEVELS",
    "wilson_interval",
    "mean_interval",
    "t_quantile_975",
    "strength_levels",
    "fit_logistic",
    "fit_intervals",
    "logistic",
]

Z95 = 1.959963984540054
MAX_LEVELS = 15  # more distinct strengths than this are binned into quantiles

# t(0.975, df) for df = 1..30; beyond, the normal quantile is within 0.07 of it and shrinks
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t_quantile_975(df: np.ndarray) -> np.ndarray:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (element-wise; 1.96 + 2.4/df beyond 30)."""
    d = np.asarray(df, dtype=float)
    table = np.asarray(_T975)
    idx = np.clip(d.astype(int) - 1, 0, len(_T975) - 1)
    return np.where(d > 30, Z95 + 2.4 / np.maximum(d, 1.0), table[idx])


def wilson_interval(k: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``k`` successes out of ``n`` (element-wise; NaN where n == 0)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def mean_interval(total: np.ndarray, total_sq: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mean, lo, hi)`` from sums, sums of squares and counts: mean +- t(0.975, n-1) SE (a point for n == 1)."""
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        var = np.maximum(total_sq / n - mean * mean, 0.0) * n / np.maximum(n - 1, 1)
        se = np.sqrt(var / n)
    half = np.where(n > 1, t_quantile_975(np.maximum(n - 1, 1)) * se, 0.0)
    return mean, mean - half, mean + half


def strength_levels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(levels, index)``: the distinct strengths (quantile bins if too many) and each value's level."""
    x = np.asarray(x, dtype=float)
    levels, idx = np.unique(np.round(x, 9), return_inverse=True)
    if levels.size <= MAX_LEVELS:
        return levels, idx.reshape(-1)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, MAX_LEVELS + 1)))
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    n = np.bincount(idx, minlength=edges.size - 1)
    sums = np.bincount(idx, weights=x, minlength=edges.size - 1)
    keep = n > 0
    remap = np.cumsum(keep) - 1
    return sums[keep] / n[keep], remap[idx]


_RIDGE = (1e-4, 1e-2)  # on bias and (scaled) slope


def fit_logistic(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, iterations: int = 50, start: tuple[float, float] | None = None
) -> tuple[float, float] | None:
    """Maximum-likelihood ``(bias, slope)`` of ``p = 1 / (1 + exp(-(bias + slope * x)))``.

    Binomial counts ``k`` of ``n`` at each ``x``; a small ridge keeps the fit
    finite when the data separate perfectly. None when there is nothing to fit.
    ``start`` (a previous fit) lets a refit after one more trial converge in a step or two.
    """
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = n > 0
    x, k, n = x[ok], k[ok], n[ok]
    if x.size < 2 or np.ptp(x) == 0:
        return None
    scale = float(np.max(np.abs(x))) or 1.0
    xs = x / scale
    b0, b1 = (float(start[0]), float(start[1]) * scale) if start is not None else (0.0, 0.0)
    r0, r1 = _RIDGE
    for _ in range(iterations):
        # Newton step on a 2x2 system, written out (np.linalg.solve costs more than the maths here)
        eta = np.clip(b0 + b1 * xs, -30, 30)
        p = 1.0 / (1.0 + np.exp(-eta))
        w = n * p * (1 - p)
        resid = k - n * p
        g0 = float(resid.sum()) - r0 * b0
        g1 = float((resid * xs).sum()) - r1 * b1
        h00 = float(w.sum()) + r0
        h01 = float((w * xs).sum())
        h11 = float((w * xs * xs).sum()) + r1
        det = h00 * h11 - h01 * h01
        if not det > 0:
            return None
        d0 = (h11 * g0 - h01 * g1) / det
        d1 = (h00 * g1 - h01 * g0) / det
        b0 += d0
        b1 += d1
        if abs(d0) < 1e-7 and abs(d1) < 1e-7:
            break
    return float(b0), float(b1 / scale)


def fit_intervals(
    x: np.ndarray, n: np.ndarray, params: tuple[float, float], z: float = Z95
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Wald 95 % intervals ``((bias_lo, bias_hi), (slope_lo, slope_hi))`` of a :func:`fit_logistic` estimate."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    bias, slope = params
    p = logistic(x, bias, slope)
    w = n * p * (1 - p)
    h00, h01, h11 = float(w.sum()), float((w * x).sum()), float((w * x * x).sum())
    det = h00 * h11 - h01 * h01
    if not det > 0:
        return (math.nan, math.nan), (math.nan, math.nan)
    se_b, se_s = math.sqrt(h11 / det), math.sqrt(h00 / det)
    return (bias - z * se_b, bias + z * se_b), (slope - z * se_s, slope + z * se_s)


def logistic(x: np.ndarray, bias: float, slope: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(bias + slope * np.asarray(x, dtype=float), -30, 30)))
