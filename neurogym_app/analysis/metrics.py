"""Comparison metrics of recorded sessions, as plain data (pure numpy).

The numbers are the ones :class:`~neurogym_app.analysis.trial_table.TrialTable`
computes for the live plots and the Compare view, so ``neurogym-app compare``
(stdout, ``--json``, its report) and the Compare view's figure and export show
the same values; every interval and the fit come from
:mod:`neurogym_app.analysis.statistics` (there the method of each is chosen
and explained):

* :func:`accuracy` - fraction correct (Wilson 95 %);
* :func:`mean_rt` - mean reaction time (mean +- t SE);
* :func:`condition_accuracy` - accuracy per condition (the task's ``condition_vars``);
* :func:`psychometric` - the table's psychometric curve and its logistic fit
  (bias and slope with Wald intervals);
* :func:`chronometric` - mean reaction time against the absolute strength;
* :func:`summarise_table` - all of the above for one table, as plain data;
* :func:`load_sessions` - session or experiment folders -> labelled tables, pooled per player kind and task.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.analysis import statistics
from neurogym_app.analysis.trial_table import Curve, TrialTable

__all__ = [
    "Estimate",
    "Fit",
    "INTERVALS",
    "accuracy",
    "mean_rt",
    "condition_accuracy",
    "psychometric",
    "chronometric",
    "summarise_table",
    "SessionEntry",
    "load_sessions",
    "entries_of",
    "pool_by_kind",
]

#: how each interval is computed (reported with the numbers)
INTERVALS = {
    "proportions": "Wilson score 95 %",
    "means": "mean +- t(0.975, n-1) standard errors",
    "fit": "maximum-likelihood logistic; Wald 95 % from the Fisher information",
}


@dataclass(frozen=True)
class Estimate:
    """A statistic with its 95 % interval and the number of trials."""

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
    """Logistic fit ``P = 1 / (1 + exp(-(bias + slope * x)))`` with Wald intervals."""

    bias: Estimate
    slope: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"bias": self.bias.to_dict(), "slope": self.slope.to_dict()}


def _f(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def proportion(values: np.ndarray) -> Estimate:
    """Fraction of the finite 0/1 ``values`` that are 1, with its Wilson interval."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    k, n = float(v.sum()), float(v.size)
    lo, hi = statistics.wilson_interval(np.array([k]), np.array([n]))
    return Estimate(k / n, float(lo[0]), float(hi[0]), int(n))


def mean(values: np.ndarray) -> Estimate:
    """Mean of the finite ``values`` with its t interval."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    m, lo, hi = statistics.mean_interval(np.array([v.sum()]), np.array([(v * v).sum()]), np.array([float(v.size)]))
    return Estimate(float(m[0]), float(lo[0]), float(hi[0]), int(v.size))


def accuracy(table: TrialTable) -> Estimate:
    return proportion(table.column("correct"))


def mean_rt(table: TrialTable) -> Estimate:
    return mean(table.column("rt_ms"))


def condition_accuracy(table: TrialTable) -> dict[str, Estimate]:
    """Accuracy per condition label (the table's own :meth:`TrialTable.condition_accuracy`)."""
    labels, curve = table.condition_accuracy()
    return {label: Estimate(float(curve.y[i]), float(curve.lo[i]), float(curve.hi[i]), int(curve.n[i])) for i, label in enumerate(labels)}


def psychometric(table: TrialTable, fit: bool = True) -> tuple[Curve, Fit | None]:
    """The table's psychometric curve (Wilson interval per level) and its logistic fit with Wald intervals."""
    curve = table.psychometric(fit=fit)
    if not fit or curve.x.size < 2:
        return curve, None
    ok = curve.n > 0
    x, n = curve.x[ok], curve.n[ok].astype(float)
    k = np.round(curve.y[ok] * n)
    params = statistics.fit_logistic(x, k, n)
    if params is None:
        return curve, None
    (blo, bhi), (slo, shi) = statistics.fit_intervals(x, n, params)
    total = int(n.sum())
    return curve, Fit(Estimate(params[0], blo, bhi, total), Estimate(params[1], slo, shi, total))


def chronometric(table: TrialTable) -> Curve:
    """The table's chronometric curve: mean RT (ms) per absolute strength level."""
    return table.chronometric()


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


def summarise_table(table: TrialTable) -> dict[str, Any]:
    """Every metric of one table as plain data (JSON-ready)."""
    psy, fit = psychometric(table)
    return {
        "label": table.label,
        "n_trials": len(table),
        "accuracy": accuracy(table).to_dict(),
        "mean_rt_ms": mean_rt(table).to_dict(),
        "by_condition": {k: v.to_dict() for k, v in condition_accuracy(table).items()},
        "psychometric": {**_curve_dict(psy), "fit": fit.to_dict() if fit else None},
        "chronometric": _curve_dict(chronometric(table)),
        "outcomes": table.outcome_counts(),
        "intervals": dict(INTERVALS),
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


def load_sessions(paths: Sequence[str | os.PathLike[str]], include_practice: bool = False) -> list[SessionEntry]:
    """Open each session folder, or each task session of an experiment folder, as a labelled table.

    Loaded by :class:`~neurogym_app.analysis.comparison.CompareModel` (the Compare
    view's model), so the tables are the view's. SessionFormatError if one is
    unreadable; practice trials are left out unless ``include_practice``.
    """
    from neurogym_app.analysis.comparison import CompareModel

    model = CompareModel(include_practice=include_practice)
    for path in paths:
        model.add(path)
    return entries_of(model)


def entries_of(model: Any) -> list[SessionEntry]:
    """The sessions of a :class:`~neurogym_app.analysis.comparison.CompareModel` as entries."""
    return [SessionEntry(e.path, e.label, e.kind, e.task, e.timing, e.table) for e in model.entries]


def pool_by_kind(entries: Sequence[SessionEntry]) -> list[SessionEntry]:
    """One pooled entry per player kind and task that has more than one session (tasks are never pooled together)."""
    out = []
    kinds: dict[tuple[str, str], list[SessionEntry]] = {}
    for e in entries:
        kinds.setdefault((e.kind, e.task), []).append(e)
    several_tasks = len({e.task for e in entries}) > 1
    for (kind, task), members in kinds.items():
        if len(members) < 2:
            continue
        label = f"{kind} pooled (n={len(members)})" + (f" {task}" if several_tasks else "")
        table = TrialTable.pooled([m.table for m in members], label=label)
        timings = {m.timing for m in members}
        out.append(SessionEntry(None, table.label, kind, members[0].task, timings.pop() if len(timings) == 1 else "mixed", table, len(members)))
    return out
