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
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neurogym_app.analysis.trial_table import TimelineModel, TrialTable
from neurogym_app.config.limits import check_trial_count
from neurogym_app.core import registry
from neurogym_app.input.keymap import KeyMap, build_keymap
from neurogym_app.record.recorder import SessionRecorder
from neurogym_app.runtime.play import SEED_BITS, _display_info, _task_manifest, csv_layout, derive_seed, make_task
from neurogym_app.runtime.runner import FlowSettings, Runner
from neurogym_app.runtime.scenes import StimulusScenes
from neurogym_app.runtime.simulated import STRATEGIES, RTDistribution, SimulatedParticipant

__all__ = ["PLAYERS", "PlayOptions", "PlaySession", "DeferredScene", "start_play", "build_manifest"]

PLAYERS = ("human", *STRATEGIES)


@dataclass
class PlayOptions:
    """How to play: task, player, trials, timing and what to record."""

    task_id: str
    participant: str = "anon"
    session: int = 1
    n_trials: int = 20
    seed: int | None = None
    timing: str | dict[str, Any] | None = "human"
    kwargs: dict[str, Any] = field(default_factory=dict)
    time_scale: float = 1.0
    view: str = "natural"
    player: str = "human"  # human / oracle / random / lapse
    sim_seed: int | None = None
    rt_mean_ms: float = 450.0
    lapse: float = 0.1
    feedback: bool = True
    feedback_ms: float = 500.0
    iti_ms: float = 500.0
    wait_for_start: bool = False
    record: bool = True
    virtual_clock: bool = False  # recorded in the manifest: times are on a virtual clock

    def __post_init__(self) -> None:
        if self.player not in PLAYERS:
            raise ValueError(f"unknown player {self.player!r}; use one of: {', '.join(PLAYERS)}")
        problem = check_trial_count(self.n_trials, "n_trials")
        if problem:
            raise ValueError(problem)

    @property
    def kind(self) -> str:
        return "human" if self.player == "human" else "simulated"


class DeferredScene:
    """A Scene built on demand: ``resolve()`` calls the view once and caches the result."""

    __slots__ = ("_make", "_scene")

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
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

    def __init__(self, inner: SessionRecorder | None, on_record: Callable[[Any], None]) -> None:
        self.inner = inner
        self.on_record = on_record

    def write_trial(self, record: Any) -> dict[str, Any]:
        if self.inner is not None:
            row = self.inner.write_trial(record)
        else:
            row = {"trial": record.index, "block": record.block, **record.vars, **record.summary}
        self.on_record(record)
        return row


def build_manifest(options: PlayOptions, env: Any, keymap: KeyMap, display: Any, seed: int, participant: Any) -> dict[str, Any]:
    """The caller's part of a session manifest, in the layout of ``runtime.play`` (the CLI's)."""
    player: dict[str, Any] = {"kind": options.kind, "id": options.participant}
    if participant is not None:
        player.update(participant.describe())
    cli_like = _CliOptions(task_params=dict(options.kwargs), timing=options.timing if isinstance(options.timing, str) else ("custom" if options.timing else "default"), time_scale=options.time_scale)
    return {
        "player": player,
        "task": _task_manifest(options.task_id, env, cli_like),  # type: ignore[arg-type]
        "seeds": {"env": seed, "participant": options.sim_seed if participant is not None else None},
        "key_map": keymap.to_dict(),
        "view": options.view,
        "display": _display_info(display),
        "flow": {
            "feedback": options.feedback,
            "feedback_ms": options.feedback_ms,
            "iti_ms": options.iti_ms,
            "wait_for_start": options.wait_for_start,
        },
        "n_trials_planned": options.n_trials,
        "clock": {
            "kind": "virtual" if options.virtual_clock else "monotonic",
            "note": "times in steps.sqlite and trials.csv are seconds since the session start on this clock",
        },
        "source": "neurogym-app desktop app (Play view)",
    }


@dataclass
class _CliOptions:
    """The fields of ``runtime.play.PlayOptions`` that its manifest helper reads."""

    task_params: dict[str, Any]
    timing: str
    time_scale: float


@dataclass
class PlaySession:
    """A session being played, with its live models."""

    options: PlayOptions
    env: Any
    keymap: KeyMap
    runner: Runner
    recorder: SessionRecorder | None
    table: TrialTable
    timeline: TimelineModel
    participant: SimulatedParticipant | None
    seed: int
    closed: bool = False

    @property
    def path(self) -> Any:
        return self.recorder.path if self.recorder is not None else None

    def tick(self, now: float) -> bool:
        """One frame of the runner; also refreshes the timeline's running trial."""
        alive = self.runner.tick(now)
        origin = self.runner.origin if self.runner.origin is not None else now
        self.timeline.set_current(self.runner.current_trial, origin, now)
        if not alive:
            self.close()
        return alive

    def stop(self) -> None:
        self.runner.stop("aborted")

    def close(self) -> None:
        """Write the end of the session to its manifest (idempotent)."""
        if self.closed:
            return
        self.closed = True
        if self.recorder is not None:
            runner = self.runner
            status = runner.status if runner.status != "running" else "aborted"
            hz = runner.measured_refresh_hz()
            display = dict(self.recorder.manifest.get("display") or {})
            if hz:
                display["measured_refresh_hz"] = hz
            display["frames"] = runner.stats.frames
            display["dropped_frames"] = runner.stats.dropped
            self.recorder.close(status, display=display)


def start_play(
    options: PlayOptions,
    display: Any,
    *,
    sessions_root: str | os.PathLike[str] | None = "sessions",
    lazy_scenes: bool = False,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> PlaySession:
    """Build the task, key map, scenes, recorder and runner of ``options`` on ``display``."""
    if isinstance(options.timing, Mapping):
        env = registry.make(options.task_id, **{**options.kwargs, "timing": dict(options.timing)})
    else:
        env = make_task(options.task_id, options.timing or "default", options.kwargs)
    task = env.unwrapped
    keymap = build_keymap(env)
    seed = options.seed if options.seed is not None else secrets.randbits(SEED_BITS)
    participant = None
    if options.player != "human":
        if options.sim_seed is None:
            options.sim_seed = derive_seed(seed, 1)
        participant = SimulatedParticipant(
            keymap,
            options.player,
            seed=options.sim_seed,
            rt=RTDistribution(mean_ms=options.rt_mean_ms, sd_ms=options.rt_mean_ms / 4, min_ms=150.0),
            lapse=options.lapse,
        )
    meta = getattr(task, "metadata", {}) or {}
    table = TrialTable(condition_vars=tuple(meta.get("condition_vars") or ()), strength_var=meta.get("strength_var"), label=options.participant)
    timeline = TimelineModel()
    recorder = None
    if options.record and sessions_root is not None:
        env.reset(seed=seed)  # the first trial fixes the csv columns; the runner resets with the same seed
        task_vars, periods = csv_layout(env)
        recorder = SessionRecorder.create(
            sessions_root,
            task_id=options.task_id,
            participant=options.participant,
            session=options.session,
            manifest=build_manifest(options, env, keymap, display, seed, participant),
            task_vars=task_vars,
            periods=periods,
        )
    scenes: Any = StimulusScenes(env, keymap, options.view, title=options.task_id)
    if lazy_scenes:
        scenes = _DeferredScenes(scenes)
    holder: dict[str, Runner] = {}
    step_s = float(task.dt) * options.time_scale / 1000.0

    def on_record(record: Any) -> None:
        runner = holder.get("runner")
        log = runner.trial if runner is not None else None
        periods = dict(getattr(log, "periods", {}) or {})
        timeline.add_record(record, periods, step_s, rt_from=meta.get("rt_from"))

    def trial_done(row: dict[str, Any]) -> None:
        table.append(row)
        if on_trial is not None:
            on_trial(row)

    runner = Runner(
        env,
        keymap,
        display,
        scenes=scenes,
        recorder=_TeeRecorder(recorder, on_record),
        n_trials=options.n_trials,
        seed=seed,
        time_scale=options.time_scale,
        flow=FlowSettings(
            feedback=options.feedback,
            feedback_ms=options.feedback_ms,
            iti_ms=options.iti_ms,
            wait_for_start=options.wait_for_start,
        ),
        sources=[participant] if participant is not None else [],
        on_trial=trial_done,
    )
    holder["runner"] = runner
    return PlaySession(options, env, keymap, runner, recorder, table, timeline, participant, seed)
