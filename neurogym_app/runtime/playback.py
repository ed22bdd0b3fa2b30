"""Replay of a recorded run, trial by trial and step by step (pure: no Qt).

:class:`ReplayModel` opens a session folder, lists its committed trials and
loads one trial at a time (a small cache keeps the neighbours): its variables,
its trials.csv row, its step arrays (observation, action, reward, gt, and for
agents hidden state and action probabilities) and its events. The trial's
periods are regenerated with ``task.new_trial(**vars)`` (a recorded trial is
rebuilt exactly from its variables), and :meth:`ReplayModel.scene` rebuilds
the Scene that was displayed from the recorded observation and the trial's
variables through the task's view.

:class:`ReplayCursor` is the play/pause/step/scrub state: a position
(trial, step), a speed and ``advance(seconds)`` for the frame timer.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurogym_app.analysis.catalog import load_table
from neurogym_app.analysis.trial_table import TrialTable
from neurogym_app.record.reader import SessionReader, open_session, session_folders
from neurogym_app.record.schema import Event
from neurogym_app.record.verify import SessionTaskError, env_from_manifest

__all__ = ["HIDDEN_NAMES", "PROB_NAMES", "ReplayTrial", "ReplayModel", "ReplayCursor", "build_task"]

#: array names under which agent runs may store hidden activity / action probabilities
HIDDEN_NAMES = ("hidden", "hidden_state", "hidden_states", "activity", "rnn_hidden", "h")
PROB_NAMES = ("action_probs", "action_prob", "action_probabilities", "probs", "policy")
CACHE_SIZE = 8


def _first(arrays: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray | None:
    for name in names:
        if name in arrays:
            arr = np.asarray(arrays[name], dtype=float)
            return arr.reshape(arr.shape[0], -1) if arr.ndim >= 1 and arr.size else None
    return None


@dataclass
class ReplayTrial:
    """One recorded trial ready to replay."""

    index: int
    vars: dict[str, Any]
    row: dict[str, Any]
    arrays: dict[str, np.ndarray]
    events: list[Event]
    periods: dict[str, tuple[int, int]] = field(default_factory=dict)
    dt: float = 100.0

    @property
    def n_steps(self) -> int:
        ob = self.arrays.get("observation")
        return int(ob.shape[0]) if ob is not None and ob.ndim >= 1 else int(len(self.arrays.get("action", ())))

    @property
    def observation(self) -> np.ndarray:
        return np.asarray(self.arrays.get("observation", np.zeros((0, 1))))

    def flat_obs(self) -> np.ndarray:
        ob = self.observation.astype(float, copy=False)
        return ob.reshape(ob.shape[0], -1) if ob.size else np.zeros((self.n_steps, 1))

    def series(self, name: str) -> np.ndarray:
        arr = np.asarray(self.arrays.get(name, np.zeros(0)))
        return arr.astype(float).reshape(arr.shape[0], -1)[:, 0] if arr.ndim >= 1 and arr.size else np.zeros(0)

    @property
    def hidden(self) -> np.ndarray | None:
        return _first(self.arrays, HIDDEN_NAMES)

    @property
    def probs(self) -> np.ndarray | None:
        return _first(self.arrays, PROB_NAMES)

    def period_of(self, k: int) -> str | None:
        for name, (a, b) in self.periods.items():
            if a <= k < b:
                return name
        return None

    def events_at(self, k: int) -> list[Event]:
        """Events applied at step ``k`` (key presses and releases, pointer)."""
        return [e for e in self.events if (e.data or {}).get("step") == k]

    def step_time(self, k: int) -> float | None:
        st = self.arrays.get("step_start")
        if st is not None and 0 <= k < len(st):
            return float(st[k])
        return None


def build_task(manifest: dict[str, Any]) -> Any:
    """The task a session ran, rebuilt exactly as ``verify`` rebuilds it.

    Raises a one-line :class:`SessionTaskError` if the task cannot be built with
    the recorded parameters (never a task built differently from the one recorded).
    """
    return env_from_manifest(manifest)


class ReplayModel:
    """A recorded run opened for replay (see module doc)."""

    def __init__(self, path: str | os.PathLike[str], view_kind: str | None = None) -> None:
        # an experiment folder opens its first task session; ``sessions`` lists them all
        self.sessions = session_folders(path)
        if not self.sessions:
            raise SessionTaskError(f"{path}: the experiment has no recorded task session yet")
        self.reader: SessionReader = open_session(self.sessions[0])
        self.env_error: str | None = None  # why the task could not be rebuilt (the view shows it)
        self.path = self.reader.path
        self.manifest = self.reader.manifest
        self.indices = self.reader.trial_indices()
        self._table: TrialTable | None = None
        self._cache: OrderedDict[int, ReplayTrial] = OrderedDict()
        task = self.manifest.get("task") or {}
        self.task_id = str(task.get("id", "?")) if isinstance(task, dict) else str(task)
        player = self.manifest.get("player") or {}
        self.kind = str(player.get("kind", "?"))
        display = self.manifest.get("display") or {}
        view = self.manifest.get("view") or (display.get("view") if isinstance(display, dict) else None)
        self.view_kind = view_kind or view or ("agent" if self.kind == "agent" else "natural")
        self.dt = float(task.get("dt") or 0) if isinstance(task, dict) else 0.0
        self.time_scale = float(task.get("time_scale") or 1.0) if isinstance(task, dict) else 1.0
        self._env: Any = None
        self._env_tried = False
        self._view: Any = None

    # -------------------------------------------------------------- basics
    @property
    def n_trials(self) -> int:
        return len(self.indices)

    @property
    def table(self) -> TrialTable:
        """Summary rows of every trial as a TrialTable (read once)."""
        if self._table is None:
            self._table = load_table(self.reader)
        return self._table

    @property
    def env(self) -> Any:
        if not self._env_tried:
            self._env_tried = True
            try:
                self._env = build_task(self.manifest)
            except SessionTaskError as exc:
                self.env_error = str(exc)
            if self._env is not None and not self.dt:
                self.dt = float(getattr(self._env.unwrapped, "dt", 100))
        return self._env

    @property
    def step_s(self) -> float:
        """Wall time one step lasted when recorded."""
        dt = self.dt or float(getattr(getattr(self.env, "unwrapped", None), "dt", 100) or 100)
        return dt * self.time_scale / 1000.0

    def close(self) -> None:
        self.reader.close()

    # --------------------------------------------------------------- trials
    def trial(self, position: int) -> ReplayTrial:
        """The trial at ``position`` in the list of committed trials (0-based)."""
        index = self.indices[position]
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        data = self.reader.trial(index)
        trial = ReplayTrial(
            index=data.index,
            vars=dict(data.vars),
            row=dict(data.row),
            arrays=dict(data.arrays),
            events=list(data.events),
            dt=self.dt or 100.0,
        )
        trial.periods = self._periods(trial)
        self._cache[index] = trial
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return trial

    def _periods(self, trial: ReplayTrial) -> dict[str, tuple[int, int]]:
        env = self.env
        task = getattr(env, "unwrapped", None)
        if task is None or not hasattr(task, "new_trial") or not hasattr(task, "start_ind"):
            return {}
        try:
            task.new_trial(**trial.vars)
            return {p: (int(task.start_ind[p]), int(task.end_ind[p])) for p in task.periods}
        except Exception:  # variables the task no longer accepts: replay without periods
            return {}

    # ---------------------------------------------------------------- scene
    @property
    def view(self) -> Any:
        if self._view is None and self.env is not None:
            from neurogym_app.stimuli.views import key_caption, make_view

            caption = None
            keymap = self.manifest.get("key_map") or {}
            if isinstance(keymap, dict) and keymap.get("actions"):
                caption = key_caption({a["name"]: a.get("keys") or [] for a in keymap["actions"] if a.get("keys")}) or None
            try:
                self._view = make_view(self.env, self.view_kind, caption=caption)
            except Exception:  # fall back to the agent view, which every task has
                self._view = make_view(self.env, "agent")
        return self._view

    def scene(self, trial: ReplayTrial, k: int, within_ms: float = 0.0) -> Any:
        """The Scene shown at step ``k`` of ``trial`` (None if the task cannot be rebuilt)."""
        view = self.view
        if view is None or trial.n_steps == 0:
            return None
        from neurogym_app.stimuli.views import StepState

        k = int(np.clip(k, 0, trial.n_steps - 1))
        task = self.env.unwrapped
        state = StepState(
            ob=trial.observation[k],
            trial=trial.vars,
            period=trial.period_of(k),
            t_ms=k * trial.dt + within_ms,
            frame_s=trial.step_time(k) or 0.0,
            action_space_names=getattr(task.action_space, "name", None),
            obs_space_names=getattr(task.observation_space, "name", None),
        )
        return view.scene(state)

    def channel_names(self) -> list[str]:
        """A name for every flat observation channel (``stimulus[0]``, ``#3``...)."""
        env = self.env
        space = getattr(getattr(env, "unwrapped", None), "observation_space", None)
        size = int(np.prod(space.shape)) if space is not None and getattr(space, "shape", None) else 0
        return channel_labels(getattr(space, "name", None), size)

    def action_names(self) -> dict[int, str]:
        """Action index -> name: the task's names, overridden by the recorded key map's."""
        names: dict[int, str] = {}
        task = getattr(self.env, "unwrapped", None)
        space = getattr(task, "action_space", None)
        for key, value in (getattr(space, "name", None) or {}).items():
            idx = [value] if isinstance(value, int) else list(value)
            for j, i in enumerate(idx):
                names[int(i)] = key if len(idx) == 1 else f"{key}{j + 1}"
        for i, label in ((getattr(task, "metadata", None) or {}).get("action_labels") or {}).items():
            names[int(i)] = str(label)
        keymap = self.manifest.get("key_map") or {}
        fix = keymap.get("fixate") if isinstance(keymap, dict) else None
        if isinstance(fix, int):
            names[fix] = "fixate"
        for a in (keymap.get("actions") or []) if isinstance(keymap, dict) else []:
            if isinstance(a.get("action"), int):
                names[int(a["action"])] = str(a.get("name"))
        return names


def channel_labels(names: Any, size: int) -> list[str]:
    """Labels of ``size`` flat channels from a space's ``name`` mapping."""
    labels = [f"#{i}" for i in range(size)]
    for key, value in (names or {}).items():
        idx = [value] if isinstance(value, int) else list(value)
        for j, i in enumerate(idx):
            if 0 <= i < size:
                labels[i] = key if len(idx) == 1 else f"{key}[{j}]"
    return labels


class ReplayCursor:
    """Where a replay is: ``(position, step)``, whether it plays, and how fast.

    ``advance(seconds)`` moves forward by the steps that ``seconds`` of wall
    time cover at ``speed`` (one step lasts ``step_s / speed``), crossing into
    the next trial at the end of one; it stops at the end of the run.
    """

    SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)

    def __init__(self, n_steps_of: Callable[[int], int], n_trials: int, step_s: float) -> None:
        self._n_steps_of = n_steps_of
        self.n_trials = n_trials
        self.step_s = max(step_s, 1e-6)
        self.position = 0
        self.step = 0
        self.playing = False
        self.speed = 1.0
        self._acc = 0.0

    @property
    def n_steps(self) -> int:
        return self._n_steps_of(self.position) if self.n_trials else 0

    @property
    def within_step(self) -> float:
        """How far into the current step playback is (0-1), for a smooth replay of moving stimuli."""
        return min(1.0, self._acc / max(self.step_s, 1e-9))

    @property
    def at_end(self) -> bool:
        return self.n_trials == 0 or (self.position >= self.n_trials - 1 and self.step >= self.n_steps - 1)

    def seek(self, position: int, step: int = 0) -> None:
        if self.n_trials == 0:
            return
        self.position = int(np.clip(position, 0, self.n_trials - 1))
        self.step = int(np.clip(step, 0, max(self.n_steps - 1, 0)))
        self._acc = 0.0

    def step_by(self, delta: int) -> None:
        """Move ``delta`` steps, across trial boundaries."""
        pos, step = self.position, self.step + delta
        while step >= self._n_steps_of(pos) and pos < self.n_trials - 1:
            step -= self._n_steps_of(pos)
            pos += 1
        while step < 0 and pos > 0:
            pos -= 1
            step += self._n_steps_of(pos)
        self.seek(pos, step)

    def trial_by(self, delta: int) -> None:
        self.seek(self.position + delta, 0)

    def advance(self, seconds: float) -> bool:
        """Play ``seconds`` of wall time; True if the position changed."""
        if not self.playing or self.n_trials == 0:
            return False
        self._acc += seconds * self.speed
        n = int(self._acc / self.step_s + 1e-9)
        if n <= 0:
            return False
        self._acc -= n * self.step_s
        before = (self.position, self.step)
        self.step_by(n)
        if self.at_end:
            self.playing = False
        return (self.position, self.step) != before
