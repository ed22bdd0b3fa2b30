"""``neurogym.utils.tasktools``: small helpers older task code imports."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np

__all__ = [
    "circular_dist",
    "compute_perf",
    "correct_2AFC",
    "divide",
    "get_idx",
    "get_periods_idx",
    "minmax_number",
    "to_map",
]


def to_map(*args: Any) -> OrderedDict:
    """``to_map("a", "b")`` (or ``to_map(["a", "b"])``) -> ``{"a": 0, "b": 1}``, in order."""
    names = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    return OrderedDict((name, i) for i, name in enumerate(names))


def get_idx(t: np.ndarray, start_end: tuple[float, float]) -> list[int]:
    """Indices of the times ``t`` with ``start <= t < end``."""
    start, end = start_end
    return [int(i) for i in np.flatnonzero((start <= t) & (t < end))]


def get_periods_idx(dt: float, periods: dict[str, Any]) -> tuple[np.ndarray, dict[str, list[int]]]:
    """The time grid up to ``periods["tmax"]`` and, for every other period ``(start, end)``, its indices."""
    tmax = periods["tmax"]
    t = np.linspace(0, tmax, int(tmax / dt) + 1)
    return t, {name: get_idx(t, bounds) for name, bounds in periods.items() if name != "tmax"}


def minmax_number(dist: str, args: Any) -> tuple[Any, Any]:
    """The smallest and largest value ``random_number_fn(dist, args, rng)`` can give."""
    if dist == "uniform":
        return args[0], args[1]
    if dist == "choice":
        return min(args), max(args)
    if dist == "truncated_exponential":
        return (args[1] if len(args) > 1 else 0), (args[2] if len(args) > 2 else math.inf)
    if dist == "constant":
        return args, args
    raise ValueError(f"unknown distribution {dist!r}; use uniform, choice, truncated_exponential or constant")


def circular_dist(original_dist: Any) -> Any:
    """Distance on the circle (radians) for a signed angle difference."""
    d = np.abs(original_dist)
    return np.minimum(d, 2 * np.pi - d)


def divide(x: float, y: float) -> float:
    """``x / y``, or 0 when ``y`` is 0 or the result is NaN."""
    try:
        z = x / y
    except ZeroDivisionError:
        return 0
    return 0 if np.isnan(z) else z


def correct_2AFC(perf: Any) -> tuple[float, float]:  # noqa: N802 - upstream's name
    """``(P(decision), P(correct | decision))`` from an object with ``n_trials``, ``n_decision``, ``n_correct``."""
    return perf.n_decision / perf.n_trials, divide(perf.n_correct, perf.n_decision)


def compute_perf(perf: float, reward: float, num_tr_perf: int, tr_perf: bool) -> tuple[float, int]:
    """Running mean of ``reward`` over trials, updated when ``tr_perf`` (the trial counts)."""
    if tr_perf:
        num_tr_perf += 1
        perf += (reward - perf) / num_tr_perf
    return perf, num_tr_perf
