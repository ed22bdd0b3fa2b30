"""The tick runner: a task played in wall time on any Display (no GUI code here).

Whoever owns the frame loop (a QTimer, a PsychoPy loop, a test) calls
``tick(now)`` once per frame with the time on the runner clock. Each tick

1. collects input events (the display's and those of extra sources such as a
   simulated participant), each with its own timestamp;
2. advances the task: step ``k`` of a trial runs from ``t0 + k*step_s`` to
   ``t0 + (k+1)*step_s`` with ``step_s = dt * time_scale / 1000``; at each
   step boundary the action given by the events of that step's window is
   applied (``env.step(a_k)``, judged against ``gt[k]``); events that arrive
   after their window has passed are applied at the next boundary;
3. between trials shows feedback (correct / wrong / too early / too late)
   and a blank inter-trial interval;
4. builds the Scene of the current moment and presents it; the onset that
   ``present`` returns is recorded, with the frame interval and whether the
   frame was dropped (interval > 1.5x the display's refresh period).

A trial's reaction time is the response event's time minus the onset of the
first frame of the period named by the task's ``metadata["rt_from"]``.

Turn-based tasks (``keymap.turn_based``: no "no response" action, e.g.
Bandit-v0, IBL-v0) are not stepped on the clock: each step waits for a
response press and is taken at the press's time. A plain Gymnasium env
without trials (e.g. ContextSwitch-v0) is played one step per trial.
``trial_plan(n)`` may give the variables of trial ``n`` (``new_trial(**vars)``);
``markers`` (a :class:`~neurogym_app.runtime.markers.MarkerSink`) is sent an
event at each onset (trial, period, feedback) and each response press.
At the end of a trial the runner hands the trial to the recorder (one
transaction) before anything else happens; a write error stops the session.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from neurogym_app.input.events import InputEvent, KeyEvent
from neurogym_app.input.keymap import KeyMap
from neurogym_app.input.responses import Mapped, ResponseTracker, map_event
from neurogym_app.runtime.display import Display
from neurogym_app.runtime.markers import Marker, send_marker
from neurogym_app.runtime.protocols import Player, Recorder
from neurogym_app.runtime.trial_log import TrialLog, signed_strength_of, summarise, to_record

__all__ = ["DROP_FACTOR", "FlowSettings", "FrameInfo", "Runner", "SceneSource"]

DROP_FACTOR = 1.5
EPS = 1e-9  # seconds: float slack when comparing clock times with step boundaries


class SceneSource(Protocol):
    """Builds the Scene of each moment (see ``runtime.scenes.StimulusScenes``)."""

    def step(self, *, ob: Any, trial: dict, period: str | None, t_ms: float, frame_s: float) -> Any: ...
    def feedback(self, outcome: str, reward: float | None = None) -> Any: ...
    def blank(self) -> Any: ...
    def message(self, text: str) -> Any: ...


@dataclass
class FlowSettings:
    """What happens between trials.

    ``feedback``: show the outcome for ``feedback_ms`` after each trial;
    ``iti_ms``: blank screen before the next trial; ``wait_for_start``: show
    the controls until a key is pressed before the first trial.
    """

    feedback: bool = True
    feedback_ms: float = 500.0
    iti_ms: float = 500.0
    wait_for_start: bool = False
    start_text: str = ""


@dataclass(frozen=True)
class FrameInfo:
    """One presented frame: its onset, the phase and (in a trial) the step shown."""

    onset: float
    phase: str
    trial: int | None
    step: int | None
    interval: float | None
    dropped: bool


class _PlainScenes:
    """Scenes as plain dicts (used with the null display, when nothing is drawn)."""

    def step(self, **state: Any) -> Any:
        return {"kind": "step", "period": state.get("period")}

    def feedback(self, outcome: str, reward: float | None = None) -> Any:
        return {"kind": "feedback", "outcome": outcome}

    def blank(self) -> Any:
        return {"kind": "blank"}

    def message(self, text: str) -> Any:
        return {"kind": "message", "text": text}


#: frame intervals kept for the measured refresh rate (the most recent ones: memory stays flat in long sessions)
MAX_INTERVALS = 10_000


@dataclass
class _Stats:
    frames: int = 0
    dropped: int = 0
    intervals: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_INTERVALS))


class Runner:
    """Plays ``env`` on ``display`` one frame per :meth:`tick`.

    Args:
        env: a TrialEnv task (``ngym.make``; wrappers allowed).
        keymap: the :class:`KeyMap` of the task.
        display: anything with ``present(scene) -> onset``, ``poll()`` and
            ``refresh_hz`` (the Display protocol).
        scenes: a SceneSource (default: plain placeholders, nothing drawn).
        recorder: a SessionRecorder (or anything with ``write_trial``); None: keep in memory only.
        n_trials: stop after this many trials (None: until :meth:`stop`).
        seed: passed to ``env.reset(seed=...)`` at the first tick.
        time_scale: wall time of one step is ``dt * time_scale`` ms.
        flow: :class:`FlowSettings` (feedback, ITI, start screen).
        sources: extra input sources, polled with ``poll(now)``; a source with
            ``on_frame(runner, frame)`` is told about every presented frame.
        block: block number written with each trial.
        on_trial: called with the trials.csv row after each trial is saved.
        trial_plan: ``trial_plan(n)`` -> keyword arguments of ``new_trial`` for
            trial ``n`` of this runner (None: the task's own draw).
        markers: a MarkerSink told about onsets and responses (None: none).
        practice: the trials are practice (the ``practice`` column).
        origin: clock time the run started (None: this runner's first tick).
            Every runner of one run gets the same origin, so all its times are on
            one clock (an experiment's blocks; a resumed run continues its clock).
    """

    def __init__(
        self,
        env: Any,
        keymap: KeyMap,
        display: Display,
        *,
        scenes: SceneSource | None = None,
        recorder: Recorder | None = None,
        n_trials: int | None = None,
        seed: int | None = None,
        time_scale: float = 1.0,
        flow: FlowSettings | None = None,
        sources: Sequence[Player] = (),
        block: int = 1,
        on_trial: Callable[[dict[str, Any]], None] | None = None,
        trial_plan: Callable[[int], Any] | None = None,
        markers: Any = None,
        practice: bool = False,
        origin: float | None = None,
    ) -> None:
        if not time_scale > 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        if n_trials is not None and n_trials < 1:
            raise ValueError(f"n_trials must be at least 1, got {n_trials}")
        self.env = env
        self.task = getattr(env, "unwrapped", env)
        self.keymap = keymap
        self.display = display
        self.scenes = scenes or _PlainScenes()
        self.recorder = recorder
        self.n_trials = n_trials
        self.seed = seed
        self.time_scale = float(time_scale)
        self.flow = flow or FlowSettings()
        self.sources = list(sources)
        self.block = block
        self.on_trial = on_trial
        self.trial_plan = trial_plan
        self.markers = markers
        self.turn_based = bool(getattr(keymap, "turn_based", False))
        self.stepwise = not callable(getattr(self.task, "new_trial", None))  # plain env: one step per trial
        meta = getattr(self.task, "metadata", {}) or {}
        self.rt_from: str | None = meta.get("rt_from")
        self.step_s = float(self.task.dt) * self.time_scale / 1000.0
        refresh = float(getattr(display, "refresh_hz", 0) or 60.0)
        self.frame_period = 1.0 / refresh
        self.tracker = ResponseTracker(keymap)
        self.phase = "idle"  # idle, ready, trial, feedback, iti, done
        self.status = "running"  # running, completed, aborted, error
        self.practice = bool(practice)
        self.origin: float | None = origin
        self.trial: TrialLog | None = None
        self.rows: list[dict[str, Any]] = []
        self.stats = _Stats()
        self._pending: list[tuple[float, int, Mapped]] = []
        self._seq = 0
        self._between: list[tuple[Mapped, int | None, str]] = []
        self._phase_end = 0.0
        self._last_onset: float | None = None
        self._next_ob: Any = None
        self._last_outcome: tuple[str, float] | None = None
        self._stop_requested = False
        self._stop_status = "aborted"
        self._marked_phase = ""

    # ------------------------------------------------------------------ public
    @property
    def done(self) -> bool:
        return self.phase == "done"

    @property
    def n_done(self) -> int:
        return len(self.rows)

    @property
    def current_trial(self) -> TrialLog | None:
        """The trial being played (None between trials)."""
        return self.trial if self.phase == "trial" else None

    def stop(self, status: str = "aborted") -> None:
        """End the session at the next tick (the unfinished trial is not saved)."""
        self._stop_requested = True
        self._stop_status = status

    def tick(self, now: float) -> bool:
        """Advance to clock time ``now`` and present one frame; False once the session is over."""
        if self.phase == "done":
            return False
        if self.phase == "idle":
            self._begin(now)
        self._collect(now)
        try:
            self._advance(now)
        except BaseException:
            self.phase = "done"
            self.status = "error"
            raise
        if self.phase == "done":
            return False
        scene = self._scene(now)
        onset = float(self.display.present(scene))
        frame = self._note_frame(onset)
        for source in self.sources:
            on_frame = getattr(source, "on_frame", None)
            if on_frame is not None:
                on_frame(self, frame)
        return True

    def measured_refresh_hz(self) -> float | None:
        """1 / median of the last :data:`MAX_INTERVALS` frame intervals (None before two frames)."""
        if not self.stats.intervals:
            return None
        median = float(np.median(self.stats.intervals))
        return 1.0 / median if median > 0 else None

    # ----------------------------------------------------------------- phases
    def _begin(self, now: float) -> None:
        if self.origin is None:
            self.origin = now
        ob, _ = self.env.reset(seed=self.seed)
        self._next_ob = ob
        if self.flow.wait_for_start:
            self.phase = "ready"
        else:
            self._start_trial(now)

    def _start_trial(self, t0: float) -> None:
        task = self.task
        planned = self.trial_plan(self.n_done) if self.trial_plan is not None else None
        if planned is not None:
            new_trial = getattr(self.env, "new_trial", None) or task.new_trial
            new_trial(**dict(planned))
            if getattr(task, "tmax", 0) > 0:
                self._next_ob = task.ob[0]
            elif callable(getattr(task, "first_observation", None)):
                self._next_ob = task.first_observation()
        trial_vars = dict(getattr(task, "trial", None) or {})
        periods = {p: (int(task.start_ind[p]), int(task.end_ind[p])) for p in getattr(task, "periods", ())}
        gt_plan = np.array(task.gt, copy=True) if getattr(task, "tmax", 0) > 0 else np.zeros((0,))
        self.trial = TrialLog(
            index=self.n_done,
            vars=trial_vars,
            gt_plan=gt_plan,
            periods=periods,
            t0=t0,
            step_s=self.step_s,
            first_ob=self._next_ob,
        )
        self.trial.events.extend(self._between)
        self._between = []
        self.tracker.new_trial()
        self.phase = "trial"

    def _after_trial(self, t: float) -> None:
        """Feedback, then the ITI, then the next trial (or the end)."""
        if self.flow.feedback and self.flow.feedback_ms > 0:
            self.phase, self._phase_end = "feedback", t + self.flow.feedback_ms / 1000.0
        else:
            self._after_feedback(t)

    def _after_feedback(self, t: float) -> None:
        if self.n_trials is not None and self.n_done >= self.n_trials:
            self._finish("completed")
        elif self.flow.iti_ms > 0:
            self.phase, self._phase_end = "iti", t + self.flow.iti_ms / 1000.0
        else:
            self._start_trial(t)

    def _finish(self, status: str) -> None:
        self.phase = "done"
        self.status = status

    # ------------------------------------------------------------------ input
    def _collect(self, now: float) -> None:
        events: list[InputEvent] = list(self.display.poll() or [])
        for source in self.sources:
            events.extend(source.poll(now) or [])
        for ev in events:
            if isinstance(ev, KeyEvent) and ev.key == "escape" and ev.kind == "press":
                self.stop("aborted")
            m = map_event(self.keymap, ev)
            if self.markers is not None and m.is_response and getattr(ev, "kind", "press") == "press":
                self._mark("response", float(ev.t), {"action": m.name, "phase": self.phase})
            self._seq += 1
            bisect.insort(self._pending, (float(ev.t), self._seq, m))

    def _take(self, before: float) -> list[Mapped]:
        """Pending events with timestamps < ``before`` (in time order)."""
        cut = bisect.bisect_left(self._pending, (before, -1))
        taken, self._pending = self._pending[:cut], self._pending[cut:]
        return [m for _, _, m in taken]

    # ---------------------------------------------------------------- advance
    def _advance(self, now: float) -> None:
        while True:
            if self._stop_requested:
                self._between.extend((m, None, self.phase) for m in self._take(float("inf")))
                self._finish(self._stop_status)
                return
            if self.phase == "ready":
                presses = [m for m in self._take(now + EPS) if m.event.kind == "press"]
                if not presses:
                    return
                self._between.extend((m, None, "ready") for m in presses)
                self._start_trial(now)
                return
            if self.phase == "trial":
                log = self.trial
                assert log is not None
                if self.turn_based:
                    boundary = self._turn_boundary(log, now)
                    if boundary is None:
                        return
                else:
                    boundary = log.step_start(log.step + 1)
                    if boundary > now + EPS:
                        return
                self._step(log, boundary)
            elif self.phase in ("feedback", "iti"):
                if self._phase_end > now + EPS:
                    return
                self._between.extend((m, None, self.phase) for m in self._take(self._phase_end))
                end = self._phase_end
                if self.phase == "feedback":
                    self._after_feedback(end)
                else:
                    self._start_trial(end)
            else:
                return

    def _turn_boundary(self, log: TrialLog, now: float) -> float | None:
        """Turn-based step: just after the first response press of the trial up to ``now`` (None: keep waiting)."""
        for t, _, m in self._pending:
            if t > now + EPS:
                return None
            if t >= log.t0 - EPS and m.is_response and getattr(m.event, "kind", "press") == "press":
                return float(np.nextafter(t, np.inf))
        return None

    def _step(self, log: TrialLog, boundary: float) -> None:
        k = log.step
        applied = []
        for m in self._take(boundary):
            if m.event.t < log.t0 - EPS:
                log.events.append((m, None, "iti"))  # arrived late from before the trial
            else:
                applied.append(m)
                log.events.append((m, k, "trial"))
        action, cause = self.tracker.step(applied)
        ob, reward, terminated, truncated, info = self.env.step(action)
        log.actions.append(action)
        log.rewards.append(float(reward))
        log.gts.append(info.get("gt"))
        log.causes.append(cause)
        log.step = k + 1
        if self.stepwise and info.get("gt") is not None and "performance" not in info:
            info["performance"] = float(np.all(np.asarray(action) == np.asarray(info["gt"])))
        if info.get("new_trial") or terminated or truncated or self.stepwise:
            log.end = boundary
            log.performance = float(info.get("performance", getattr(self.task, "performance", 0)) or 0)
            if self.stepwise and not len(log.gt_plan) and all(g is not None for g in log.gts):
                log.gt_plan = np.asarray(log.gts)
            if (terminated or truncated) and not info.get("new_trial"):
                ob, _ = self.env.reset()
            self._next_ob = ob
            self._end_trial(log, boundary)
        else:
            log.obs.append(ob)

    def _end_trial(self, log: TrialLog, t: float) -> None:
        origin = self.origin if self.origin is not None else 0.0
        strength = signed_strength_of(self.task, log.vars)
        summary = summarise(log, self.keymap, rt_from=self.rt_from, origin=origin, signed_strength=strength)
        record = to_record(log, summary, origin=origin, block=self.block, committed_at=t)
        record.practice = self.practice
        if self.recorder is not None:
            row = self.recorder.write_trial(record)
        else:
            row = {"trial": log.index, "block": self.block, **record.vars, **summary}
        self.rows.append(row)
        self._last_outcome = (summary["outcome"], summary["reward"])
        self.trial = None
        if self.on_trial is not None:
            self.on_trial(row)
        self._after_trial(t)

    # ---------------------------------------------------------------- drawing
    def _scene(self, now: float) -> Any:
        if self.phase == "trial":
            log = self.trial
            assert log is not None
            k = min(log.step, len(log.obs) - 1)
            within = max(0.0, now - log.step_start(k)) / self.time_scale
            return self.scenes.step(
                ob=log.obs[k],
                trial=log.vars,
                period=log.period_of(k),
                t_ms=k * float(self.task.dt) + min(within * 1000.0, float(self.task.dt)),
                frame_s=now,
            )
        if self.phase == "feedback":
            outcome, reward = self._last_outcome or ("", 0.0)
            return self.scenes.feedback(outcome, reward)
        if self.phase == "ready":
            return self.scenes.message(self.flow.start_text or self.keymap.describe())
        return self.scenes.blank()

    def _mark(self, kind: str, t: float, data: dict[str, Any]) -> None:
        trial = self.trial.index if self.trial is not None and self.phase == "trial" else None
        send_marker(self.markers, Marker(kind, t, block=self.block, trial=trial, data=data))

    def _note_frame(self, onset: float) -> FrameInfo:
        interval = None if self._last_onset is None else onset - self._last_onset
        dropped = interval is not None and interval > DROP_FACTOR * self.frame_period
        self._last_onset = onset
        self.stats.frames += 1
        if interval is not None:
            self.stats.intervals.append(interval)
            self.stats.dropped += dropped
        trial_index = step = None
        if self.phase == "trial" and self.trial is not None:
            log = self.trial
            known = len(log.period_onsets), bool(log.frame_onsets)
            log.note_frame(onset, interval, dropped)
            trial_index, step = log.index, log.step
            if self.markers is not None:
                if not known[1]:
                    self._mark("onset", onset, {"what": "trial"})
                for name in list(log.period_onsets)[known[0]:]:
                    self._mark("onset", onset, {"what": name})
        elif self.markers is not None and self.phase != self._marked_phase and self.phase == "feedback":
            outcome = (self._last_outcome or ("", 0.0))[0]
            self._mark("onset", onset, {"what": "feedback", "outcome": outcome})
        self._marked_phase = self.phase
        return FrameInfo(onset, self.phase, trial_index, step, interval, dropped)

