"""An agent as a player of the play runtime (the tick runner), for teaching demos.

:class:`AgentSource` is an input source of :class:`~neurogym_app.runtime.runner.Runner`:
at the first frame of every task step it gives the step's observation to the
agent's policy and presses the key of the chosen action (a pointer press for
ring or Box tasks), so the runner applies it at that step exactly as it
applies a person's key. It keeps the agent's recent hidden activity and
action probabilities for a view to draw (``history``, ``latest``).

With ``time_scale`` > 1 the runner slows the task down in wall time; the agent
still acts once per step, so what it does is the same as in a recorded run.

With ``act=False`` (a student plays) the agent sees the same observations and
chooses at every step, but presses nothing: its choice is kept for the view,
which reveals it once the student has responded (:meth:`AgentSource.reveal`).

For the view it keeps, per trial (:class:`DemoTrial`), the trial's variables,
the correct response, the planned periods, every step the agent took and its
choice (the first response it gave at or after the response period), for the
current trial and the one before (``trials``).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.input.events import InputEvent, KeyEvent, PointerEvent
from neurogym_app.runtime.trial_log import first_response_target

__all__ = ["DemoStep", "DemoTrial", "AgentSource", "find_agent_for_task"]

KEY_DOWN_FRACTION = 0.4  # a press is released after this fraction of a step (at most 80 ms)


@dataclass(frozen=True)
class DemoStep:
    """What the agent saw and did at one step."""

    trial: int
    step: int
    period: str | None
    ob: np.ndarray
    action: Any
    label: str
    probs: np.ndarray | None
    hidden: np.ndarray | None
    gt: Any


@dataclass
class DemoTrial:
    """One trial as the demo shows it: what was drawn, the correct response, the agent's steps and choice."""

    index: int
    vars: dict[str, Any]
    n_steps: int  # planned steps (the trial's ground truth length)
    periods: dict[str, tuple[int, int]]
    correct_label: str | None
    steps: list[DemoStep] = field(default_factory=list)
    choice: Any = None
    choice_label: str | None = None
    choice_p: float | None = None
    choice_step: int | None = None

    @property
    def shown_vars(self) -> dict[str, Any]:
        """The trial variables worth showing (the trial seed left out)."""
        return {k: v for k, v in self.vars.items() if k != "trial_seed"}

    def period_of(self, k: int) -> str | None:
        for name, (a, b) in self.periods.items():
            if a <= k < b:
                return name
        return None


class AgentSource:
    """Runner input source driven by an agent policy (see module doc)."""

    kind = "agent"

    def __init__(self, policy: Any, keymap: Any, history: int = 60, act: bool = True) -> None:
        self.policy = policy
        self.keymap = keymap
        self.act = act
        self.history: deque[DemoStep] = deque(maxlen=history)
        self.trials: deque[DemoTrial] = deque(maxlen=2)  # the previous trial and the current one
        self.latest: DemoStep | None = None
        self.version = 0
        self.student_responded = False  # act=False: the student has responded in the current trial
        self._queue: list[tuple[float, int, InputEvent]] = []
        self._n = 0
        self._acted: tuple[int, int] | None = None
        if hasattr(policy, "reset"):
            policy.reset()

    @property
    def current(self) -> DemoTrial | None:
        return self.trials[-1] if self.trials else None

    def reveal(self, phase: str) -> bool:
        """Whether the view may show the agent's choice: always when the agent plays; when a student
        plays, only once the student has responded or the trial is over."""
        return self.act or self.student_responded or phase != "trial"

    # ------------------------------------------------------------ source API
    def poll(self, now: float) -> list[InputEvent]:
        out = []
        while self._queue and self._queue[0][0] <= now:
            out.append(heapq.heappop(self._queue)[2])
        return out

    def on_frame(self, runner: Any, frame: Any) -> None:
        if frame.phase != "trial" or frame.trial is None or frame.step is None:
            return
        key = (frame.trial, frame.step)
        if key == self._acted:
            return
        log = runner.current_trial
        if log is None or frame.step >= len(log.obs):
            return
        self._acted = key
        k = frame.step
        trial = self.current
        if trial is None or trial.index != frame.trial:
            trial = self._new_trial(frame.trial, log, runner)
        if not self.act:
            self.student_responded = any(getattr(m, "is_response", False) for m, _, _ in getattr(log, "events", []))
        out = self.policy.act(log.obs[k])
        hidden = (out.hidden or {}).get("hidden") if hasattr(out, "hidden") else None
        gt = log.gt_plan[k] if k < len(log.gt_plan) else None
        step = DemoStep(
            trial=frame.trial,
            step=k,
            period=log.period_of(k),
            ob=np.asarray(log.obs[k], dtype=float).reshape(-1),
            action=out.action,
            label=self.keymap.label(out.action),
            probs=None if out.probs is None else np.asarray(out.probs, dtype=float),
            hidden=None if hidden is None else np.asarray(hidden, dtype=float).reshape(-1),
            gt=None if gt is None else (gt.item() if isinstance(gt, np.generic) else gt),
        )
        self.history.append(step)
        trial.steps.append(step)
        self.latest = step
        self.version += 1
        rt_start = log.periods[runner.rt_from][0] if getattr(runner, "rt_from", None) in log.periods else 0
        if trial.choice is None and k >= rt_start and not np.array_equal(np.asarray(out.action), np.asarray(self.keymap.fixate)):
            trial.choice, trial.choice_label, trial.choice_step = out.action, step.label, k
            if step.probs is not None and not self.keymap.is_box:
                trial.choice_p = float(step.probs[int(out.action)])
        if self.act:
            self._respond(out.action, frame.onset, runner.step_s)

    def _new_trial(self, index: int, log: Any, runner: Any) -> DemoTrial:
        target = first_response_target(np.asarray(log.gt_plan), self.keymap.fixate)
        correct = None
        if target is not None and not self.keymap.is_box:
            correct = self.keymap.label(target[0])
        elif target is None:
            correct = "no response"
        trial = DemoTrial(index, dict(log.vars), len(log.gt_plan), dict(log.periods), correct)
        self.trials.append(trial)
        self.student_responded = False
        return trial

    # ------------------------------------------------------------- responses
    def _respond(self, action: Any, t: float, step_s: float) -> None:
        km = self.keymap
        if np.array_equal(np.asarray(action), np.asarray(km.fixate)):
            return
        up = t + min(0.08, KEY_DOWN_FRACTION * step_s)
        if km.is_box:
            xy = np.ravel(np.asarray(action, dtype=float)).tolist() + [0.0]
            self._push(PointerEvent(xy[0], xy[1], t, "press"))
            self._push(PointerEvent(xy[0], xy[1], up, "release"))
            return
        keys = km.keys_for(int(action))
        if keys:
            self._push(KeyEvent(keys[0], t, "press"))
            self._push(KeyEvent(keys[0], up, "release"))
            return
        binding = km.binding_for_action(int(action))
        if binding is not None and binding.angle is not None:
            x, y = math.cos(binding.angle), math.sin(binding.angle)
            self._push(PointerEvent(x, y, t, "press"))
            self._push(PointerEvent(x, y, up, "release"))

    def _push(self, event: InputEvent) -> None:
        self._n += 1
        heapq.heappush(self._queue, (event.t, self._n, event))

    # ------------------------------------------------------------- for views
    def hidden_matrix(self) -> np.ndarray | None:
        """``(units, steps)`` hidden activity of the recent steps (None if the agent reports none)."""
        cols = [s.hidden for s in self.history if s.hidden is not None]
        if not cols:
            return None
        return np.stack(cols, axis=1)

    def trial_columns(self) -> tuple[list[tuple[DemoTrial, int, DemoStep | None]], int]:
        """The heat map's columns: every step of the previous trial, then as many of the current trial's
        planned steps as the previous one took (None where they have not run yet); and the column where
        the current trial starts."""
        cols: list[tuple[DemoTrial, int, DemoStep | None]] = []
        trials = list(self.trials)
        start = 0
        for i, trial in enumerate(trials):
            if i == len(trials) - 1:
                start = len(cols)
                done = {s.step: s for s in trial.steps}
                # as long as the trial before (a trial ends at the response, often well before its planned end)
                shown = max(len(trial.steps), len(trials[0].steps) if len(trials) > 1 else trial.n_steps, 1)
                cols += [(trial, k, done.get(k)) for k in range(min(shown, max(trial.n_steps, len(trial.steps))))]
            else:
                cols += [(trial, s.step, s) for s in trial.steps]
        return cols, start


def find_agent_for_task(task_id: str, roots: tuple[str | Path, ...] = ()) -> Path | None:
    """An agent folder trained on ``task_id``: shipped ones (``assets/agents``) first, then ``sessions/agents``."""
    import json

    from neurogym_app.agents.agent import SPEC_NAME, package_assets

    search = [*(Path(r) for r in roots), package_assets() / "agents", Path("assets/agents"), Path("sessions/agents")]
    for root in search:
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            spec_path = folder / SPEC_NAME
            if not spec_path.is_file():
                continue
            try:
                spec = json.loads(spec_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (spec.get("task") or {}).get("id") == task_id:
                return folder
    return None
