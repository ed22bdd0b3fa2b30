"""Wire a playable session for a front end: task, key map, scenes, recorder, runner (pure: no Qt).

``start_play(options, display, clock)`` builds everything the desktop app's
Play view needs around a :class:`~neurogym_app.runtime.runner.Runner` and
returns a :class:`PlaySession` that also feeds two live models:

* ``table`` (:class:`TrialTable`): one row per committed trial, for the plots;
* ``timeline`` (:class:`TimelineModel`): the last trials with their periods,
  observations, key presses, choice and reward, for the scrolling timeline.

The player is a person (``"human"``) or a simulated participant
(``"oracle"``, ``"random"``, ``"lapse"``), which presses keys through the
same input path. With ``lazy_scenes`` the runner gets :class:`DeferredScene`
objects that build the Scene only when a display actually draws it (a
simulated run on a virtual clock ticks many frames per screen refresh).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurogym_app.analysis.trial_table import TimelineModel, TrialTable
from neurogym_app.input.keymap import KeyMap, build_keymap
from neurogym_app.record.schema import TrialRecord
from neurogym_app.runtime.display import Display
from neurogym_app.runtime.protocols import Recorder
from neurogym_app.runtime.run import PlayOptions, Run, build_run
from neurogym_app.runtime.runner import Runner
from neurogym_app.runtime.scenes import StimulusScenes
from neurogym_app.runtime.simulated import SimulatedParticipant

__all__ = ["PlaySession", "DeferredScene", "start_play"]


class DeferredScene:
    """A Scene built on demand: ``resolve()`` calls the view once and caches the result."""

    __slots__ = ("_make", "_scene")

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make: Callable[[], Any] | None = make
        self._scene: Any = None

    def resolve(self) -> Any:
        if self._make is not None:
            self._scene, self._make = self._make(), None
        return self._scene


class _DeferredScenes:
    """A SceneSource whose scenes are :class:`DeferredScene` thunks."""

    def __init__(self, inner: StimulusScenes) -> None:
        self.inner = inner
        self.background = inner.background

    def step(self, **state: Any) -> DeferredScene:
        return DeferredScene(lambda: self.inner.step(**state))

    def feedback(self, outcome: str, reward: float | None = None) -> DeferredScene:
        return DeferredScene(lambda: self.inner.feedback(outcome, reward))

    def blank(self) -> Any:
        return self.inner.blank()

    def message(self, text: str) -> DeferredScene:
        return DeferredScene(lambda: self.inner.message(text))


class _TeeRecorder:
    """Forwards trials to the real recorder (if any) and copies them to the live models."""

    def __init__(self, inner: Recorder | None, on_record: Callable[[TrialRecord], None]) -> None:
        self.inner = inner
        self.on_record = on_record

    def write_trial(self, record: TrialRecord) -> dict[str, Any]:
        if self.inner is not None:
            row = self.inner.write_trial(record)
        else:
            row = {"trial": record.index, "block": record.block, **record.vars, **record.summary}
        self.on_record(record)
        return row


@dataclass
class PlaySession:
    """A session being played, with its live models."""

    options: PlayOptions
    run: Run
    table: TrialTable
    timeline: TimelineModel
    view_kind: str = "natural"  # the view drawn: "natural", "generic" or "agent"

    @property
    def env(self) -> Any:
        return self.run.env

    @property
    def keymap(self) -> KeyMap:
        return self.run.keymap

    @property
    def runner(self) -> Runner:
        return self.run.runner

    @property
    def recorder(self) -> Recorder | None:
        return self.run.recorder

    @property
    def participant(self) -> SimulatedParticipant | None:
        return self.run.participant

    @property
    def seed(self) -> int:
        return self.run.seed

    @property
    def closed(self) -> bool:
        return self.run.closed

    @property
    def path(self) -> Path | None:
        return self.run.path

    @property
    def against(self) -> Any:
        """The opponent facing the same trials (``runtime.against.AgainstRun``), or None."""
        return self.run.against

    def tick(self, now: float) -> bool:
        """One frame of the runner; also refreshes the timeline's running trial."""
        alive = self.runner.tick(now)
        if self.run.against is not None and (self.runner.phase != "trial" or not alive):
            # never blocks; between trials only: unpickling the opponent's answers costs no stimulus frame
            self.run.against.poll()
        origin = self.runner.origin if self.runner.origin is not None else now
        self.timeline.set_current(self.runner.current_trial, origin, now)
        if not alive:
            self.close()
        return alive

    def stop(self) -> None:
        self.runner.stop("aborted")

    def close(self) -> None:
        """Write the end of the session to its manifest (idempotent).

        A session stopped before its end (Stop, the window closed) closes promptly: a busy opponent
        finishes the trial in progress, the trials still queued after ``PROMPT_CLOSE_S`` are cancelled.
        A completed one lets the opponent play its last trials (in real time at most the one just sent)."""
        from neurogym_app.runtime.against import PROMPT_CLOSE_S

        if self.run.against_close_s is None and self.runner.status != "completed":
            self.run.against_close_s = PROMPT_CLOSE_S
        self.run.close()


def start_play(
    options: PlayOptions,
    display: Display,
    *,
    sessions_root: str | os.PathLike[str] | None = "sessions",
    lazy_scenes: bool = False,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    opponent: Any = None,
) -> PlaySession:
    """Build the run of ``options`` on ``display`` (:func:`build_run`) with the Play view's live models.

    ``opponent`` (``runtime.against.Opponent``) faces the same trials; a
    recorded one's task is played as it recorded it (its trials are the plan).
    """
    from neurogym_app.runtime.against import opponent_env
    from neurogym_app.runtime.run import check_playable_timing, make_task

    if sessions_root is None:
        options.record = False
    else:
        options.out = Path(sessions_root)
    options.source = "neurogym-app desktop app (Play view)"
    env = opponent_env(opponent) if opponent is not None else None
    if env is not None:
        check_playable_timing(options.task_id, env)
    else:
        env = make_task(options.task_id, options.timing or "default", options.kwargs)
    meta = getattr(env.unwrapped, "metadata", {}) or {}
    table = TrialTable(condition_vars=tuple(meta.get("condition_vars") or ()), strength_var=meta.get("strength_var"), label=options.participant)
    timeline = TimelineModel()
    scenes: Any = StimulusScenes(env, build_keymap(env, options.keys or None, options.input_mode), options.view, title=options.task_id)
    holder: dict[str, Runner] = {}
    step_s = float(env.unwrapped.dt) * options.time_scale / 1000.0

    def on_record(record: TrialRecord) -> None:
        runner = holder.get("runner")
        log = runner.trial if runner is not None else None
        periods = dict(getattr(log, "periods", {}) or {})
        timeline.add_record(record, periods, step_s, rt_from=meta.get("rt_from"))

    def trial_done(row: dict[str, Any]) -> None:
        table.append(row)
        if on_trial is not None:
            on_trial(row)

    run = build_run(options, display, env=env, keymap=scenes.keymap, scenes=_DeferredScenes(scenes) if lazy_scenes else scenes,
                    wrap_recorder=lambda rec: _TeeRecorder(rec, on_record), on_trial=trial_done, opponent=opponent)
    holder["runner"] = run.runner
    return PlaySession(options, run, table, timeline, view_kind=scenes.view_kind)
