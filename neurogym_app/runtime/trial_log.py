"""What the runner collects during one trial, and the trial's summary row.

``TrialLog`` is filled step by step and frame by frame; ``summarise`` turns
it into the trials.csv fields (choice, correct, outcome, rt_ms, onsets,
dropped frames) and ``to_record`` into the :class:`TrialRecord` the recorder
commits. Times inside are absolute clock seconds; the record holds them
relative to the session origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurogym_app.input.events import KeyEvent, PointerEvent
from neurogym_app.input.keymap import KeyMap
from neurogym_app.input.responses import Mapped
from neurogym_app.record.schema import Event, TrialRecord, onset_column

__all__ = ["OUTCOMES", "TrialLog", "summarise", "to_record", "first_response_target"]

OUTCOMES = ("correct", "wrong", "too early", "too late")


@dataclass
class TrialLog:
    """One trial as it runs. ``periods`` maps name -> (start_ind, end_ind)."""

    index: int
    vars: dict[str, Any]
    gt_plan: np.ndarray  # the whole trial's ground truth, as drawn
    periods: dict[str, tuple[int, int]]
    t0: float  # clock time of step 0's start
    step_s: float
    first_ob: Any
    obs: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    gts: list[Any] = field(default_factory=list)
    causes: list[Mapped | None] = field(default_factory=list)
    events: list[tuple[Mapped, int | None, str]] = field(default_factory=list)  # (event, step, phase)
    frame_onsets: list[float] = field(default_factory=list)
    frame_steps: list[int] = field(default_factory=list)
    period_onsets: dict[str, float] = field(default_factory=dict)
    dropped: int = 0
    max_interval: float = 0.0
    end: float | None = None
    performance: float = 0.0
    step: int = 0

    def __post_init__(self) -> None:
        self.obs.append(self.first_ob)

    def step_start(self, k: int) -> float:
        return self.t0 + k * self.step_s

    def period_of(self, k: int) -> str | None:
        for name, (a, b) in self.periods.items():
            if a <= k < b:
                return name
        return None

    def note_frame(self, onset: float, interval: float | None, dropped: bool) -> None:
        k = self.step
        self.frame_onsets.append(onset)
        self.frame_steps.append(k)
        if dropped:
            self.dropped += 1
        if interval is not None and interval > self.max_interval:
            self.max_interval = interval
        for name, (a, b) in self.periods.items():
            if name not in self.period_onsets and a <= k < b:
                self.period_onsets[name] = onset


def first_response_target(gt: np.ndarray, fixate: Any, start: int = 0) -> tuple[Any, int, int] | None:
    """``(action, first, end)`` of the first run of non-fixation ground truth at or after ``start``."""
    n = len(gt)
    for k in range(max(0, start), n):
        if not _equal(gt[k], fixate):
            end = k + 1
            while end < n and _equal(gt[end], gt[k]):
                end += 1
            value = gt[k]
            return (value.item() if isinstance(value, np.generic) else value), k, end
    return None


def _equal(a: Any, b: Any) -> bool:
    return bool(np.all(np.asarray(a) == np.asarray(b)))


def _plain_action(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def signed_strength_of(task: Any, trial: dict[str, Any]) -> float | None:
    """The task's ``signed_strength(trial)`` as a float, or None (no helper, or one that does not fit).

    A task's helper must never stop a session or a run, so any error it raises means "no strength".
    """
    fn = getattr(task, "signed_strength", None)
    if not callable(fn):
        return None
    try:
        return float(fn(trial))
    except Exception:
        return None


def summarise(
    log: TrialLog,
    keymap: KeyMap,
    *,
    rt_from: str | None,
    origin: float,
    signed_strength: float | None = None,
) -> dict[str, Any]:
    """The trials.csv fields of a finished trial (see ``schema.CSV_COLUMN_DOCS``)."""
    fixate = keymap.fixate
    rt_start = log.periods[rt_from][0] if rt_from in log.periods else 0
    seen: set[int] = set()
    early = 0
    response: Mapped | None = None
    response_action: Any = None
    for k, cause in enumerate(log.causes):
        if cause is None:
            continue
        if k < rt_start:
            if id(cause) not in seen:
                early += 1
                seen.add(id(cause))
            continue
        response, response_action = cause, log.actions[k]
        break
    target = first_response_target(log.gt_plan, fixate)
    gt_value = target[0] if target else _plain_action(fixate)
    correct = float(log.performance) >= 1.0 - 1e-9
    if correct:
        outcome = "correct"
    elif response is not None:
        outcome = "wrong"
    elif early:
        outcome = "too early"
    else:
        outcome = "too late"
    onset_ref = log.period_onsets.get(rt_from) if rt_from else (log.frame_onsets[0] if log.frame_onsets else None)
    rt_ms = None
    if response is not None and onset_ref is not None:
        rt_ms = (response.event.t - onset_ref) * 1000.0
    key = None
    if response is not None:
        ev = response.event
        key = ev.key if isinstance(ev, KeyEvent) else "pointer" if isinstance(ev, PointerEvent) else None
    out: dict[str, Any] = {
        "signed_strength": signed_strength,
        "gt": _plain_action(gt_value),
        "gt_label": keymap.label(gt_value) if not keymap.is_box else "position",
        "choice": _plain_action(response_action) if response is not None else None,
        "choice_label": (response.name if response is not None else None),
        "response_key": key,
        "correct": int(correct),
        "outcome": outcome,
        "reward": float(np.sum(log.rewards)) if log.rewards else 0.0,
        "rt_ms": rt_ms,
        "n_early_responses": early,
        "n_steps": len(log.actions),
        "trial_onset_s": (log.frame_onsets[0] - origin) if log.frame_onsets else None,
        "trial_end_s": (log.end - origin) if log.end is not None else None,
        "n_frames": len(log.frame_onsets),
        "dropped_frames": log.dropped,
        "max_frame_interval_ms": log.max_interval * 1000.0 if log.frame_onsets else None,
    }
    for name in log.periods:
        onset = log.period_onsets.get(name)
        out[onset_column(name)] = None if onset is None else onset - origin
    return out


def _stack(values: list[Any], dtype: Any = None) -> np.ndarray:
    if not values:
        return np.zeros((0,), dtype=dtype or np.float64)
    return np.asarray(np.stack([np.asarray(v) for v in values]), dtype=dtype)


def _event_data(m: Mapped, step: int | None, phase: str) -> tuple[str, dict[str, Any]]:
    ev = m.event
    data: dict[str, Any] = {"kind": ev.kind, "phase": phase, "step": step}
    if isinstance(ev, KeyEvent):
        data["key"] = ev.key
        source = "key"
    elif isinstance(ev, PointerEvent):
        data.update(x=float(ev.x), y=float(ev.y), button=int(ev.button))
        source = "pointer"
    else:  # pragma: no cover - future event types
        source = type(ev).__name__
    if m.is_response:
        data["action"] = _plain_action(m.action)
        data["name"] = m.name
    return source, data


def to_record(log: TrialLog, summary: dict[str, Any], *, origin: float, block: int, committed_at: float) -> TrialRecord:
    """The TrialRecord the recorder commits for ``log``."""
    n = len(log.actions)
    arrays: dict[str, np.ndarray] = {
        "observation": _stack(log.obs[:n]),
        "action": _stack(log.actions, np.int64 if not isinstance(log.actions[0] if n else 0, np.ndarray) else None),
        "reward": np.asarray(log.rewards, dtype=np.float64),
        "gt": _stack(log.gts) if n and all(g is not None for g in log.gts) else np.asarray(log.gt_plan[:n]),
        "step_start": np.asarray([log.step_start(k) - origin for k in range(n)], dtype=np.float64),
        "frame_onset": np.asarray([t - origin for t in log.frame_onsets], dtype=np.float64),
        "frame_step": np.asarray(log.frame_steps, dtype=np.int64),
    }
    events = []
    for m, step, phase in log.events:
        kind, data = _event_data(m, step, phase)
        events.append(Event(t=m.event.t - origin, kind=kind, data=data))
    return TrialRecord(
        index=log.index,
        vars=dict(log.vars),
        summary=summary,
        arrays=arrays,
        events=events,
        block=block,
        committed_at=committed_at - origin,
    )
