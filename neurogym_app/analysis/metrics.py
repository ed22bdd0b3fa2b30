"""Comparison metrics of recorded sessions with bootstrap confidence intervals (pure numpy).

Built on the columns of :class:`~neurogym_app.analysis.trial_table.TrialTable` (the
live plots use the same table with Wilson / normal intervals); here every
interval is a percentile bootstrap over trials, seeded, so a report is
reproducible:

* :func:`accuracy` - fraction correct;
* :func:`condition_accuracy` - accuracy per condition (the task's ``condition_vars``);
* :func:`psychometric` - P(choice toward the positive side) against the signed
  stimulus strength (or accuracy against the unsigned strength), with a
  logistic fit whose bias and slope carry bootstrap intervals too;
* :func:`chronometric` - mean reaction time against the absolute strength;
* :func:`summarise_table` - all of the above for one table, as plain data;
* :func:`load_sessions` - session folders -> labelled tables, pooled per player kind.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.analysis.trial_table import Curve, TrialTable, fit_logistic, logistic

__all__ = [
    "Estimate",
    "Fit",
    "bootstrap_mean",
    "accuracy",
    "mean_rt",
    "condition_accuracy",
    "psychometric",
    "chronometric",
    "summarise_table",
    "SessionEntry",
    "load_sessions",
    "pool_by_kind",
    "N_BOOT",
]

N_BOOT = 2000
N_BOOT_FIT = 200
MAX_LEVELS = 15
CI = 0.95


@dataclass(frozen=True)
class Estimate:
    """A statistic with its bootstrap 95 % interval and the number of trials."""

    value: float
    lo: float
    hi: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": _f(self.value), "lo": _f(self.lo), "hi": _f(self.hi), "n": self.n}

    def text(self, fmt: str = "{:.3f}", scale: float = 1.0) -> str:
        if not math.isfinite(self.value):
            return "-"
        v, lo, hi = (x * scale for x in (self.value, self.lo, self.hi))
        return f"{fmt.format(v)} [{fmt.format(lo)}, {fmt.format(hi)}]"


@dataclass(frozen=True)
class Fit:
    """Logistic fit ``P = 1 / (1 + exp(-(bias + slope * x)))`` with bootstrap intervals."""

    bias: Estimate
    slope: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"bias": self.bias.to_dict(), "slope": self.slope.to_dict()}


def _f(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(0 if seed is None else seed)


def _percentiles(samples: np.ndarray) -> tuple[float, float]:
    a = (1 - CI) / 2
    lo, hi = np.nanpercentile(samples, [100 * a, 100 * (1 - a)])
    return float(lo), float(hi)


def bootstrap_mean(values: np.ndarray, n_boot: int = N_BOOT, seed: int | np.random.Generator | None = 0) -> Estimate:
    """Mean of the finite ``values`` with a percentile bootstrap interval (NaN when empty)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(v.mean())
    if v.size == 1:
        return Estimate(mean, mean, mean, 1)
    idx = _rng(seed).integers(0, v.size, size=(n_boot, v.size))
    lo, hi = _percentiles(v[idx].mean(axis=1))
    return Estimate(mean, lo, hi, int(v.size))


def accuracy(table: TrialTable, n_boot: int = N_BOOT, seed: Any = 0) -> Estimate:
    return bootstrap_mean(table.column("correct"), n_boot, seed)


def mean_rt(table: TrialTable, n_boot: int = N_BOOT, seed: Any = 0) -> Estimate:
    return bootstrap_mean(table.column("rt_ms"), n_boot, seed)


def condition_accuracy(table: TrialTable, n_boot: int = N_BOOT, seed: Any = 0) -> dict[str, Estimate]:
    """Accuracy per condition label (as :meth:`TrialTable.condition_accuracy` labels them)."""
    rng = _rng(seed)
    cond = table.column("condition")
    correct = table.column("correct")
    return {label: bootstrap_mean(correct[cond == i], n_boot, rng) for i, label in enumerate(table.conditions)}


def _levels(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level of each value and the distinct levels (quantile-binned beyond MAX_LEVELS)."""
    r = np.round(x, 9)
    levels = np.unique(r)
    if levels.size <= MAX_LEVELS:
        return r, levels
    edges = np.unique(np.quantile(x, np.linspace(0, 1, MAX_LEVELS + 1)))
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    centres = np.array([x[idx == j].mean() if np.any(idx == j) else np.nan for j in range(edges.size - 1)])
    return centres[idx], centres[np.isfinite(centres)]


def _curve(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator, label: str, xlabel: str, ylabel: str) -> Curve:
    if x.size == 0:
        z = np.zeros(0)
        return Curve(z, z, z, z, z.astype(int), label=label, xlabel=xlabel, ylabel=ylabel)
    lv, levels = _levels(x)
    means, los, his, ns = [], [], [], []
    for level in levels:
        est = bootstrap_mean(y[np.isclose(lv, level)], n_boot, rng)
        means.append(est.value)
        los.append(est.lo)
        his.append(est.hi)
        ns.append(est.n)
    return Curve(levels, np.array(means), np.array(los), np.array(his), np.array(ns, dtype=int), label=label, xlabel=xlabel, ylabel=ylabel)


def _psychometric_data(table: TrialTable) -> tuple[np.ndarray, np.ndarray, str, str]:
    if table.has_signed_strength:
        s, choice = table.column("strength"), table.column("choice")
        pos = table.positive_action()
        mask = np.isfinite(s) & np.isfinite(choice)
        if pos is None or not np.any(mask):
            return np.zeros(0), np.zeros(0), "signed strength", "P(positive choice)"
        return s[mask], (choice[mask] == pos).astype(float), "signed strength", "P(positive choice)"
    if table.strength_var:
        s, c = table.column("unsigned"), table.column("correct")
        mask = np.isfinite(s) & np.isfinite(c)
        return s[mask], c[mask], table.strength_var, "accuracy"
    return np.zeros(0), np.zeros(0), "strength", "accuracy"


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    lv, levels = _levels(x)
    if levels.size < 2:
        return None
    idx = np.clip(np.searchsorted(levels, lv), 0, levels.size - 1)
    n = np.bincount(idx, minlength=levels.size).astype(float)
    k = np.bincount(idx, weights=y, minlength=levels.size)
    return fit_logistic(levels, k, n)


def psychometric(table: TrialTable, n_boot: int = N_BOOT, seed: Any = 0, fit: bool = True) -> tuple[Curve, Fit | None]:
    """The psychometric curve (bootstrap interval per level) and its logistic fit."""
    rng = _rng(seed)
    x, y, xlabel, ylabel = _psychometric_data(table)
    curve = _curve(x, y, n_boot, rng, table.label, xlabel, ylabel)
    if not fit or curve.x.size < 2:
        return curve, None
    params = _fit(x, y)
    if params is None:
        return curve, None
    fx = np.linspace(float(curve.x.min()), float(curve.x.max()), 101)
    curve.fit_x, curve.fit_y = fx, logistic(fx, *params)
    boots = []
    for _ in range(N_BOOT_FIT):
        idx = rng.integers(0, x.size, x.size)
        p = _fit(x[idx], y[idx])
        if p is not None:
            boots.append(p)
    b = np.array(boots) if boots else np.full((1, 2), np.nan)
    blo, bhi = _percentiles(b[:, 0])
    slo, shi = _percentiles(b[:, 1])
    n = int(x.size)
    return curve, Fit(Estimate(float(params[0]), blo, bhi, n), Estimate(float(params[1]), slo, shi, n))


def chronometric(table: TrialTable, n_boot: int = N_BOOT, seed: Any = 0) -> Curve:
    """Mean RT (ms) per absolute strength level, with bootstrap intervals."""
    rng = _rng(seed)
    if table.has_signed_strength:
        s, xlabel = np.abs(table.column("strength")), "|signed strength|"
    elif table.strength_var:
        s, xlabel = table.column("unsigned"), table.strength_var
    else:
        z = np.zeros(0)
        return Curve(z, z, z, z, z.astype(int), label=table.label, xlabel="strength", ylabel="RT (ms)")
    rt = table.column("rt_ms")
    mask = np.isfinite(s) & np.isfinite(rt)
    return _curve(s[mask], rt[mask], n_boot, rng, table.label, xlabel, "RT (ms)")


def _curve_dict(curve: Curve) -> dict[str, Any]:
    return {
        "x": [float(v) for v in curve.x],
        "y": [_f(v) for v in curve.y],
        "lo": [_f(v) for v in curve.lo],
        "hi": [_f(v) for v in curve.hi],
        "n": [int(v) for v in curve.n],
        "xlabel": curve.xlabel,
        "ylabel": curve.ylabel,
    }


def summarise_table(table: TrialTable, n_boot: int = N_BOOT, seed: int = 0) -> dict[str, Any]:
    """Every metric of one table as plain data (JSON-ready)."""
    rng = np.random.default_rng(seed)
    psy, fit = psychometric(table, n_boot, rng)
    chrono = chronometric(table, n_boot, rng)
    return {
        "label": table.label,
        "n_trials": len(table),
        "accuracy": accuracy(table, n_boot, rng).to_dict(),
        "mean_rt_ms": mean_rt(table, n_boot, rng).to_dict(),
        "by_condition": {k: v.to_dict() for k, v in condition_accuracy(table, n_boot, rng).items()},
        "psychometric": {**_curve_dict(psy), "fit": fit.to_dict() if fit else None},
        "chronometric": _curve_dict(chrono),
        "outcomes": table.outcome_counts(),
        "bootstrap": {"n_boot": n_boot, "seed": seed, "interval": CI},
    }


@dataclass
class SessionEntry:
    """One loaded session (or a pool of sessions of one player kind)."""

    path: Path | None
    label: str
    kind: str
    task: str
    timing: str | None
    table: TrialTable
    members: int = 1


def load_sessions(paths: Sequence[str | os.PathLike[str]]) -> list[SessionEntry]:
    """Open each session folder (SessionFormatError if one is unreadable) as a labelled table."""
    from neurogym_app.analysis.catalog import load_table
    from neurogym_app.record.reader import open_session

    entries: list[SessionEntry] = []
    for path in paths:
        with open_session(path) as reader:
            m = reader.manifest
            player = m.get("player") or {}
            task = m.get("task") or {}
            label = str(m.get("participant") or player.get("id") or reader.path.name)
            if any(e.label == label for e in entries):
                seed = (m.get("seeds") or {}).get("env")
                label = f"{label} (seed {seed})" if seed is not None else f"{label} ({reader.path.name})"
            entries.append(
                SessionEntry(
                    path=reader.path,
                    label=label,
                    kind=str(player.get("kind") or "?"),
                    task=str(task.get("id") if isinstance(task, dict) else task),
                    timing=task.get("timing_preset") if isinstance(task, dict) else None,
                    table=load_table(reader, label=label),
                )
            )
    return entries


def pool_by_kind(entries: Sequence[SessionEntry]) -> list[SessionEntry]:
    """One pooled entry per player kind that has more than one session."""
    out = []
    kinds: dict[str, list[SessionEntry]] = {}
    for e in entries:
        kinds.setdefault(e.kind, []).append(e)
    for kind, members in kinds.items():
        if len(members) < 2:
            continue
        table = TrialTable.pooled([m.table for m in members], label=f"{kind} pooled (n={len(members)})")
        timings = {m.timing for m in members}
        out.append(SessionEntry(None, table.label, kind, members[0].task, timings.pop() if len(timings) == 1 else "mixed", table, len(members)))
    return out
