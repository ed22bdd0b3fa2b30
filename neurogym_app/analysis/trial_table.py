"""Live session models for the desktop app: a columnar trial table and its metrics (pure numpy).

``TrialTable`` holds one entry per trial (the trials.csv row fields that plots
need) in growing numpy columns, so every metric is one vectorised pass:

* running accuracy over a moving window, and accuracy per block;
* the reaction-time histogram;
* the psychometric curve: for tasks with a signed stimulus strength
  (``signed_strength`` column, from the task's ``signed_strength`` helper) the
  fraction of choices toward the positive side against the signed strength;
  for tasks with only ``metadata["strength_var"]`` the accuracy against it;
* the chronometric curve: mean RT against the absolute strength;
* accuracy per condition (``metadata["condition_vars"]``).

Every interval and fit comes from :mod:`neurogym_app.analysis.statistics`
(proportions: Wilson 95 %; means: +- t(0.975, n-1) standard errors; one logistic fit).
Views subscribe with :meth:`TrialTable.subscribe` and get called after every
change (napari style: the model knows nothing of its views).

``TimelineModel`` keeps the last few finished trials of a running session
(step times, periods, observation, key presses, choice, reward) for the
scrolling timeline of the Play view.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurogym_app.analysis.statistics import (
    fit_logistic,
    logistic,
    mean_interval,
    strength_levels,
    wilson_interval,
)

__all__ = [
    "OUTCOMES",
    "Curve",
    "BlockAccuracy",
    "TrialTable",
    "TimelineTrial",
    "TimelineModel",
    "row_value",
    "condition_label",
    "sort_conditions",
]

OUTCOMES = ("correct", "wrong", "too early", "too late")
_OUTCOME_CODE = {name: i for i, name in enumerate(OUTCOMES)}


# ---------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------
def row_value(row: Mapping[str, Any], name: str) -> Any:
    """A task variable of a trials.csv row (plain, ``var_``-prefixed, or inside ``other_vars``)."""
    if name in row:
        return row[name]
    if f"var_{name}" in row:
        return row[f"var_{name}"]
    other = row.get("other_vars")
    if isinstance(other, str) and other:
        try:
            other = json.loads(other)
        except ValueError:
            other = None
    if isinstance(other, Mapping):
        return other.get(name)
    return None


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def condition_label(row: Mapping[str, Any], condition_vars: Sequence[str]) -> str:
    """``"ground_truth=1, coh=12.8"``: the condition of a row ("all" if the task names none)."""
    if not condition_vars:
        return "all"
    return ", ".join(f"{name}={format_value(row_value(row, name))}" for name in condition_vars)


def sort_conditions(labels: Iterable[str]) -> list[str]:
    """Condition labels in natural order (numbers compared as numbers)."""

    def key(label: str) -> tuple:
        out = []
        for part in label.split(", "):
            value = part.split("=", 1)[-1]
            try:
                out.append((0, float(value), ""))
            except ValueError:
                out.append((1, 0.0, value))
        return tuple(out)

    return sorted(labels, key=key)


def _num(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value) if value.strip() else math.nan
        except ValueError:
            return math.nan
    return math.nan


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass
class Curve:
    """Points with a 95 % interval and trial counts; optional smooth fit."""

    x: np.ndarray
    y: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: np.ndarray
    label: str = ""
    xlabel: str = ""
    ylabel: str = ""
    fit_x: np.ndarray | None = None
    fit_y: np.ndarray | None = None

    @property
    def empty(self) -> bool:
        return self.x.size == 0


def _empty_curve(**kw: Any) -> Curve:
    z = np.zeros(0)
    return Curve(z, z, z, z, z.astype(int), **kw)


@dataclass
class BlockAccuracy:
    blocks: np.ndarray
    accuracy: np.ndarray
    n: np.ndarray
    start: np.ndarray  # first trial index of each block
    end: np.ndarray  # last trial index + 1


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------
class TrialTable:
    """Trials of one session (or of several pooled), as numpy columns.

    Args:
        condition_vars: task variables that define a condition.
        strength_var: the task's stimulus-strength variable (unsigned), if any.
        label: a name for legends (participant, agent seed, ...).
    """

    _FLOAT_COLS = ("correct", "rt_ms", "strength", "unsigned", "choice", "gt", "reward")

    def __init__(
        self,
        condition_vars: Sequence[str] = (),
        strength_var: str | None = None,
        label: str = "",
        capacity: int = 256,
    ) -> None:
        self.condition_vars = tuple(condition_vars)
        self.strength_var = strength_var
        self.label = label
        self._n = 0
        self._cap = max(16, int(capacity))
        self._cols: dict[str, np.ndarray] = {c: np.full(self._cap, np.nan) for c in self._FLOAT_COLS}
        self._block = np.zeros(self._cap, dtype=np.int64)
        self._outcome = np.full(self._cap, -1, dtype=np.int8)
        self._cond = np.zeros(self._cap, dtype=np.int32)
        # running sums of the finite `correct` values and of their count (index i: the first i trials),
        # kept on append so moving and per-block accuracy need no cumsum over the whole session
        self._cs = np.zeros(self._cap + 1)
        self._cn = np.zeros(self._cap + 1)
        self._block_starts: list[int] = []
        self._fit: tuple[float, float] | None = None
        self.conditions: list[str] = []
        self._cond_index: dict[str, int] = {}
        self._listeners: list[Callable[[TrialTable], None]] = []
        self.version = 0

    # ------------------------------------------------------------ building
    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], **kwargs: Any) -> TrialTable:
        rows = list(rows)
        table = cls(capacity=len(rows) + 16, **kwargs)
        table.extend(rows, notify=False)
        return table

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[Any]],
        labels: Sequence[str],
        **kwargs: Any,
    ) -> TrialTable:
        """A table from whole columns at once (``correct``, ``rt_ms``, ``strength``, ``unsigned``,
        ``choice``, ``gt``, ``reward`` as numbers or None, ``block`` ints, ``outcome`` names) and each
        trial's condition label: the fast path for reading a recorded session."""
        n = len(labels)
        table = cls(capacity=n + 16, **kwargs)
        for name in cls._FLOAT_COLS:
            values = columns.get(name)
            if values is not None:
                try:  # plain numbers and None (JSON null): one numpy conversion
                    table._cols[name][:n] = np.array(values, dtype=float)
                except (TypeError, ValueError):  # lists (Box actions), text: one by one
                    table._cols[name][:n] = np.array([_num(v) for v in values], dtype=float)
        blocks = np.asarray([int(b) if isinstance(b, (int, np.integer)) else 1 for b in columns.get("block", [1] * n)], dtype=np.int64)
        table._block[:n] = blocks
        table._outcome[:n] = [_OUTCOME_CODE.get(str(o), -1) for o in columns.get("outcome", [None] * n)]
        index: dict[str, int] = {}
        codes = [index.setdefault(lab, len(index)) for lab in labels]  # first-seen order, as append gives
        table.conditions = list(index)
        table._cond_index = index
        table._cond[:n] = codes
        table._n = n
        c = table._cols["correct"][:n]
        ok = np.isfinite(c)
        table._cs[1 : n + 1] = np.cumsum(np.where(ok, c, 0.0))
        table._cn[1 : n + 1] = np.cumsum(ok)
        table._block_starts = [0, *(np.flatnonzero(np.diff(blocks)) + 1).tolist()] if n else []
        table.version += 1
        return table

    def __len__(self) -> int:
        return self._n

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, self._cap * 2)
        for name, arr in self._cols.items():
            new = np.full(cap, np.nan)
            new[: self._n] = arr[: self._n]
            self._cols[name] = new
        for attr, fill, dtype in (("_block", 0, np.int64), ("_outcome", -1, np.int8), ("_cond", 0, np.int32)):
            old = getattr(self, attr)
            new = np.full(cap, fill, dtype=dtype)
            new[: self._n] = old[: self._n]
            setattr(self, attr, new)
        for attr in ("_cs", "_cn"):
            old = getattr(self, attr)
            new = np.zeros(cap + 1)
            new[: self._n + 1] = old[: self._n + 1]
            setattr(self, attr, new)
        self._cap = cap

    def _put(self, i: int, row: Mapping[str, Any]) -> None:
        cols = self._cols
        c = cols["correct"][i] = _num(row.get("correct"))
        ok = c == c  # finite (not NaN)
        self._cs[i + 1] = self._cs[i] + (c if ok else 0.0)
        self._cn[i + 1] = self._cn[i] + ok
        cols["rt_ms"][i] = _num(row.get("rt_ms"))
        cols["choice"][i] = _num(row.get("choice"))
        cols["gt"][i] = _num(row.get("gt"))
        cols["reward"][i] = _num(row.get("reward"))
        cols["strength"][i] = _num(row.get("signed_strength"))
        cols["unsigned"][i] = _num(row_value(row, self.strength_var)) if self.strength_var else math.nan
        block = row.get("block")
        self._block[i] = int(block) if isinstance(block, (int, np.integer)) or (isinstance(block, str) and block.isdigit()) else 1
        if i == 0 or self._block[i] != self._block[i - 1]:
            self._block_starts.append(i)
        self._outcome[i] = _OUTCOME_CODE.get(str(row.get("outcome")), -1)
        label = condition_label(row, self.condition_vars)
        code = self._cond_index.get(label)
        if code is None:
            code = self._cond_index[label] = len(self.conditions)
            self.conditions.append(label)
        self._cond[i] = code

    def append(self, row: Mapping[str, Any], notify: bool = True) -> None:
        """Add one trial (a trials.csv row as a dict)."""
        self._grow(self._n + 1)
        self._put(self._n, row)
        self._n += 1
        self.version += 1
        if notify:
            self._notify()

    def extend(self, rows: Iterable[Mapping[str, Any]], notify: bool = True) -> None:
        rows = list(rows)
        self._grow(self._n + len(rows))
        for row in rows:
            self._put(self._n, row)
            self._n += 1
        self.version += 1
        if notify and rows:
            self._notify()

    def clear(self) -> None:
        self._n = 0
        self._block_starts = []
        self._fit = None
        self.conditions = []
        self._cond_index = {}
        self.version += 1
        self._notify()

    # ------------------------------------------------------------ observing
    def subscribe(self, callback: Callable[[TrialTable], None]) -> None:
        """Call ``callback(table)`` after every change."""
        self._listeners.append(callback)

    def unsubscribe(self, callback: Callable[[TrialTable], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _notify(self) -> None:
        for cb in list(self._listeners):
            cb(self)

    # ------------------------------------------------------------- columns
    def column(self, name: str) -> np.ndarray:
        """A read-only view of a column: correct, rt_ms, strength, unsigned, choice, gt, reward, block, outcome, condition."""
        if name in self._cols:
            arr = self._cols[name][: self._n]
        elif name == "block":
            arr = self._block[: self._n]
        elif name == "outcome":
            arr = self._outcome[: self._n]
        elif name == "condition":
            arr = self._cond[: self._n]
        else:
            raise KeyError(f"no column {name!r}")
        view = arr.view()
        view.setflags(write=False)
        return view

    @property
    def has_signed_strength(self) -> bool:
        return bool(np.any(np.isfinite(self._cols["strength"][: self._n])))

    @property
    def has_strength(self) -> bool:
        return self.has_signed_strength or bool(np.any(np.isfinite(self._cols["unsigned"][: self._n])))

    # ------------------------------------------------------------- metrics
    def accuracy(self) -> float:
        c = self.column("correct")
        ok = np.isfinite(c)
        return float(np.mean(c[ok])) if np.any(ok) else math.nan

    def running_accuracy(self, window: int = 20) -> np.ndarray:
        """Accuracy over the last ``window`` trials at every trial (NaN outcomes skipped)."""
        n = self._n
        idx = np.arange(1, n + 1)
        lo = np.maximum(idx - max(1, int(window)), 0)
        cs, cn = self._cs, self._cn
        with np.errstate(invalid="ignore", divide="ignore"):
            return (cs[idx] - cs[lo]) / (cn[idx] - cn[lo])

    def block_accuracy(self) -> BlockAccuracy:
        """Accuracy of each block (a run of trials with the same block number)."""
        n = self._n
        if n == 0:
            z = np.zeros(0, dtype=int)
            return BlockAccuracy(z, np.zeros(0), z, z, z)
        start = np.asarray(self._block_starts, dtype=int)
        end = np.append(start[1:], n)
        counts = self._cn[end] - self._cn[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = (self._cs[end] - self._cs[start]) / counts
        return BlockAccuracy(self._block[start].copy(), acc, counts.astype(int), start, end)

    def rt_histogram(self, bins: int = 30, range_ms: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(edges, counts)`` of the finite reaction times (ms) in ``bins`` equal bins over ``range_ms``."""
        rt = self.column("rt_ms")
        rt = rt[np.isfinite(rt)]
        if rt.size == 0:
            return np.linspace(0, 1000, 11), np.zeros(10)
        if range_ms is None:
            hi = float(np.percentile(rt, 99.5)) if rt.size > 20 else float(rt.max())
            range_ms = (0.0, max(hi * 1.05, 100.0))
        lo, hi = float(range_ms[0]), float(range_ms[1])
        bins = int(bins)
        inside = rt[(rt >= lo) & (rt <= hi)]
        idx = np.minimum(((inside - lo) * (bins / (hi - lo))).astype(np.int64), bins - 1)
        counts = np.bincount(idx, minlength=bins).astype(float)
        return np.linspace(lo, hi, bins + 1), counts

    def positive_action(self) -> float | None:
        """The response that positive signed strengths call for (the most common gt of those trials)."""
        s = self.column("strength")
        gt = self.column("gt")
        mask = (s > 0) & np.isfinite(gt)
        if not np.any(mask):
            return None
        values, counts = np.unique(gt[mask], return_counts=True)
        return float(values[int(np.argmax(counts))])

    def psychometric(self, fit: bool = True) -> Curve:
        """Choices toward the positive side vs signed strength, else accuracy vs strength."""
        if self.has_signed_strength:
            s = self.column("strength")
            choice = self.column("choice")
            pos = self.positive_action()
            mask = np.isfinite(s) & np.isfinite(choice)
            if pos is None or not np.any(mask):
                return _empty_curve(xlabel="signed strength", ylabel="P(positive choice)")
            x = s[mask]
            y = (choice[mask] == pos).astype(float)
            xlabel, ylabel = "signed strength", "P(positive choice)"
        elif self.strength_var and np.any(np.isfinite(self.column("unsigned"))):
            s = self.column("unsigned")
            c = self.column("correct")
            mask = np.isfinite(s) & np.isfinite(c)
            x, y = s[mask], c[mask]
            xlabel, ylabel = self.strength_var, "accuracy"
        else:
            return _empty_curve(xlabel="strength", ylabel="accuracy")
        return self._binomial_curve(x, y, xlabel, ylabel, fit=fit)

    def _binomial_curve(self, x: np.ndarray, y: np.ndarray, xlabel: str, ylabel: str, fit: bool) -> Curve:
        if x.size == 0:
            return _empty_curve(xlabel=xlabel, ylabel=ylabel)
        levels, idx = strength_levels(x)
        n = np.bincount(idx, minlength=levels.size).astype(float)
        k = np.bincount(idx, weights=y, minlength=levels.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = k / n
        lo, hi = wilson_interval(k, n)
        curve = Curve(levels, p, lo, hi, n.astype(int), label=self.label, xlabel=xlabel, ylabel=ylabel)
        if fit and levels.size >= 2:
            params = fit_logistic(levels, k, n, start=self._fit)
            self._fit = params
            if params is not None:
                fx = np.linspace(float(levels.min()), float(levels.max()), 101)
                curve.fit_x, curve.fit_y = fx, logistic(fx, *params)
        return curve

    def chronometric(self) -> Curve:
        """Mean reaction time (ms) vs absolute stimulus strength, +- t(0.975, n-1) SE."""
        if self.has_signed_strength:
            s = np.abs(self.column("strength"))
            xlabel = "|signed strength|"
        elif self.strength_var:
            s = self.column("unsigned")
            xlabel = self.strength_var
        else:
            return _empty_curve(xlabel="strength", ylabel="RT (ms)")
        rt = self.column("rt_ms")
        mask = np.isfinite(s) & np.isfinite(rt)
        if not np.any(mask):
            return _empty_curve(xlabel=xlabel, ylabel="RT (ms)")
        x, r = s[mask], rt[mask]
        levels, idx = strength_levels(x)
        n = np.bincount(idx, minlength=levels.size).astype(float)
        total = np.bincount(idx, weights=r, minlength=levels.size)
        sq = np.bincount(idx, weights=r * r, minlength=levels.size)
        mean, lo, hi = mean_interval(total, sq, n)
        return Curve(levels, mean, lo, hi, n.astype(int), label=self.label, xlabel=xlabel, ylabel="RT (ms)")

    def condition_accuracy(self) -> tuple[list[str], Curve]:
        """Accuracy per condition (x = condition index) with Wilson intervals."""
        cond = self.column("condition")
        c = self.column("correct")
        ok = np.isfinite(c)
        m = len(self.conditions)
        if m == 0:
            return [], _empty_curve(xlabel="condition", ylabel="accuracy")
        n = np.bincount(cond[ok], minlength=m).astype(float)
        k = np.bincount(cond[ok], weights=c[ok], minlength=m)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = k / n
        lo, hi = wilson_interval(k, n)
        return list(self.conditions), Curve(
            np.arange(m, dtype=float), p, lo, hi, n.astype(int), label=self.label, xlabel="condition", ylabel="accuracy"
        )

    def outcome_counts(self) -> dict[str, int]:
        o = self.column("outcome")
        return {name: int(np.sum(o == i)) for i, name in enumerate(OUTCOMES)}

    # ------------------------------------------------------------- pooling
    @classmethod
    def pooled(cls, tables: Sequence[TrialTable], label: str = "pooled") -> TrialTable:
        """One table with the trials of all ``tables`` (same task); conditions re-indexed by label."""
        first = tables[0] if tables else None
        out = cls(
            condition_vars=first.condition_vars if first else (),
            strength_var=first.strength_var if first else None,
            label=label,
            capacity=sum(len(t) for t in tables) + 16,
        )
        for t in tables:
            n, start = len(t), out._n
            out._grow(start + n)
            for name in cls._FLOAT_COLS:
                out._cols[name][start : start + n] = t._cols[name][:n]
            out._block[start : start + n] = t._block[:n]
            out._outcome[start : start + n] = t._outcome[:n]
            remap = np.zeros(max(len(t.conditions), 1), dtype=np.int32)
            for j, lab in enumerate(t.conditions):
                code = out._cond_index.get(lab)
                if code is None:
                    code = out._cond_index[lab] = len(out.conditions)
                    out.conditions.append(lab)
                remap[j] = code
            out._cond[start : start + n] = remap[t._cond[:n]] if n else []
            out._n += n
        c = out._cols["correct"][: out._n]
        ok = np.isfinite(c)
        out._cs[1 : out._n + 1] = np.cumsum(np.where(ok, c, 0.0))
        out._cn[1 : out._n + 1] = np.cumsum(ok)
        b = out._block[: out._n]
        out._block_starts = [0, *(np.flatnonzero(np.diff(b)) + 1).tolist()] if out._n else []
        out.version += 1
        return out


# ---------------------------------------------------------------------------
# timeline of a running session
# ---------------------------------------------------------------------------
@dataclass
class TimelineTrial:
    """One trial on the scrolling timeline; times in seconds since the session start."""

    index: int
    t0: float
    step_s: float
    periods: dict[str, tuple[int, int]]
    obs: np.ndarray  # (n_steps, n_channels)
    presses: list[tuple[float, str]] = field(default_factory=list)  # (t, action name or key)
    choice: tuple[float, str] | None = None
    outcome: str | None = None
    reward: float | None = None
    end: float | None = None

    @property
    def n_steps(self) -> int:
        return int(self.obs.shape[0])

    @property
    def t_end(self) -> float:
        return self.end if self.end is not None else self.t0 + self.n_steps * self.step_s


def _flat_obs(values: Sequence[Any]) -> np.ndarray:
    if len(values) == 0:
        return np.zeros((0, 1))
    arr = np.asarray(values, dtype=float)
    return arr.reshape(arr.shape[0], -1)


class TimelineModel:
    """The last ``keep`` finished trials of a running session plus the one being played."""

    def __init__(self, keep: int = 12) -> None:
        self.trials: deque[TimelineTrial] = deque(maxlen=keep)
        self.current: TimelineTrial | None = None
        self.now = 0.0
        self.version = 0

    def clear(self) -> None:
        self.trials.clear()
        self.current = None
        self.now = 0.0
        self.version += 1

    def add_record(
        self, record: Any, periods: Mapping[str, tuple[int, int]], step_s: float, rt_from: str | None = None
    ) -> TimelineTrial:
        """A committed trial (a ``schema.TrialRecord``) with its periods (step ranges)."""
        arrays = record.arrays
        starts = np.asarray(arrays.get("step_start", np.zeros(0)), dtype=float)
        obs = _flat_obs(arrays.get("observation", np.zeros((0, 1))))
        t0 = float(starts[0]) if starts.size else float(record.summary.get("trial_onset_s") or 0.0)
        presses: list[tuple[float, str]] = []
        for ev in record.events:
            data = ev.data or {}
            if data.get("kind") == "press":
                presses.append((float(ev.t), str(data.get("name") or data.get("key") or "pointer")))
        summary = record.summary
        choice = None
        label, rt_ms = summary.get("choice_label"), summary.get("rt_ms")
        if label is not None:
            onset = summary.get(f"onset_{rt_from}_s") if rt_from else summary.get("trial_onset_s")
            if onset is not None and rt_ms is not None:
                choice = (float(onset) + float(rt_ms) / 1000.0, str(label))
            else:
                t = next((t for t, name in presses if name == label), None)
                if t is not None:
                    choice = (t, str(label))
        trial = TimelineTrial(
            index=record.index,
            t0=t0,
            step_s=step_s,
            periods=dict(periods),
            obs=obs,
            presses=presses,
            choice=choice,
            outcome=summary.get("outcome"),
            reward=float(summary.get("reward") or 0.0),
            end=summary.get("trial_end_s"),
        )
        self.trials.append(trial)
        self.current = None
        self.version += 1
        return trial

    def set_current(self, log: Any, origin: float, now: float) -> None:
        """The trial being played, from the runner's ``TrialLog`` (absolute clock times)."""
        self.now = now - origin
        if log is None:
            self.current = None
        else:
            presses = [
                (float(m.event.t) - origin, str(m.name or getattr(m.event, "key", "pointer")))
                for m, _step, _phase in log.events
                if getattr(m.event, "kind", None) == "press"
            ]
            self.current = TimelineTrial(
                index=log.index,
                t0=float(log.t0) - origin,
                step_s=float(log.step_s),
                periods=dict(log.periods),
                obs=_flat_obs(log.obs),
                presses=presses,
            )
        self.version += 1

    def all_trials(self) -> list[TimelineTrial]:
        out = list(self.trials)
        if self.current is not None:
            out.append(self.current)
        return out
