"""The one session pipeline: a run description -> task, key map, recorder, manifest, runner (pure: no Qt).

:class:`PlayOptions` describes a run once: the task (id, parameters, timing
preset or timing), the player (a person, a simulated strategy), seeds, the
number of trials, the flow between trials, the view and where it is recorded.
:func:`build_run` builds everything from it (the task, its key map, the
simulated participant, the manifest, the recorder and the :class:`Runner`).
Every way of starting a run goes through here:

* ``neurogym-app play TASK`` (:func:`neurogym_app.runtime.play.play`);
* the desktop app's Play view (:func:`neurogym_app.runtime.play_setup.start_play`);
* each task of an experiment (:mod:`neurogym_app.experiment.run`: its own
  recorder per task, the experiment's clock origin and trial plan);
* recorded agent runs (``record_policy`` / ``run-agent``: :func:`build_manifest`
  and :func:`create_recorder`; an agent steps the task itself, no frames).

:func:`build_manifest` is the one manifest builder, :func:`task_manifest` the
one description of the task a run played, :func:`display_facts` the one place
that records what the display was (and :func:`closing_display_facts` what it
measured).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.config.limits import check_trial_count, session_dt_error
from neurogym_app.core import registry
from neurogym_app.input.keymap import KeyMap, build_keymap
from neurogym_app.record.jsonutil import plain
from neurogym_app.record.recorder import SessionRecorder
from neurogym_app.runtime.against import RevealScenes
from neurogym_app.runtime.against import prepare as prepare_against
from neurogym_app.runtime.display import Display
from neurogym_app.runtime.protocols import Player, Recorder
from neurogym_app.runtime.runner import FlowSettings, Runner, SceneSource
from neurogym_app.runtime.simulated import STRATEGIES, RTDistribution, SimulatedParticipant
from neurogym_app.stimuli.views import drawn_view_kind

__all__ = [
    "PLAYERS",
    "SEED_BITS",
    "PlayOptions",
    "Run",
    "build_run",
    "build_manifest",
    "task_manifest",
    "display_facts",
    "closing_display_facts",
    "create_recorder",
    "make_task",
    "check_playable_timing",
    "csv_layout",
    "derive_seed",
]

PLAYERS = ("human", *STRATEGIES)
SEED_BITS = 63
CLOCK_NOTE = "times in steps.sqlite and trials.csv are seconds since the session start on this clock"


@dataclass
class PlayOptions:
    """The one description of a run: task, player, seeds, trials, flow, view and where it is recorded."""

    task_id: str
    participant: str = "anon"
    session: int = 1
    n_trials: int = 20
    seed: int | None = None
    timing: str | dict[str, Any] | None = "human"  # a preset name ("human", "default") or a timing dict
    kwargs: dict[str, Any] = field(default_factory=dict)  # the task's parameters
    time_scale: float = 1.0
    view: str = "natural"
    player: str = "human"  # human, or a simulated strategy (oracle / random / lapse / psychometric ...)
    sim_seed: int | None = None  # the simulated participant's seed (None: derived from the seed)
    rt_mean_ms: float = 450.0
    rt_sd_ms: float | None = None  # None: a quarter of the mean
    lapse: float = 0.1
    threshold: float | None = None  # psychometric player, in the task's strength units (None: from its range)
    slope: float | None = None  # 1 / strength unit (None: 4 / threshold)
    feedback: bool = True
    feedback_ms: float = 500.0
    iti_ms: float = 500.0
    wait_for_start: bool = False
    start_text: str = ""
    keys: dict[str, list[str]] = field(default_factory=dict)  # key map overrides (action -> keys)
    input_mode: str | None = None
    record: bool = True
    out: Path = Path("sessions")  # the sessions root
    virtual_clock: bool = False  # recorded in the manifest: times are on a virtual clock
    source: str = "neurogym-app"  # what started the run (recorded in the manifest)

    def __post_init__(self) -> None:
        if self.player not in PLAYERS:
            raise ValueError(f"unknown player {self.player!r}; use one of: {', '.join(PLAYERS)}")
        problem = check_trial_count(self.n_trials, "n_trials")
        if problem:
            raise ValueError(problem)
        self.out = Path(self.out)

    @property
    def kind(self) -> str:
        return "human" if self.player == "human" else "simulated"

    @property
    def flow(self) -> FlowSettings:
        return FlowSettings(
            feedback=self.feedback,
            feedback_ms=self.feedback_ms,
            iti_ms=self.iti_ms,
            wait_for_start=self.wait_for_start,
            start_text=self.start_text,
        )

    @property
    def rt(self) -> RTDistribution:
        sd = self.rt_sd_ms if self.rt_sd_ms is not None else self.rt_mean_ms / 4
        return RTDistribution(mean_ms=self.rt_mean_ms, sd_ms=sd, min_ms=150.0)

    @property
    def timing_requested(self) -> str:
        if isinstance(self.timing, str):
            return self.timing
        return "custom" if self.timing else "default"


def derive_seed(seed: int, stream: int) -> int:
    """An independent seed for another generator (stream 1: the simulated participant)."""
    state = np.random.SeedSequence([int(seed), int(stream)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) % (2**SEED_BITS)


def make_task(task_id: str, timing: str | Mapping[str, Any] | None = "human", params: Mapping[str, Any] | None = None) -> Any:
    """Build ``task_id`` with a timing preset (``"human"`` falls back to the default if the task has none) or timing dict."""
    kwargs = dict(params or {})
    if isinstance(timing, Mapping):
        kwargs["timing"] = dict(timing)
    elif timing not in ("human", "default", None):
        raise registry.TaskParameterError(f"timing must be 'human' or 'default', got {timing!r}")
    else:
        factory = registry.load(task_id)
        presets = getattr(factory, "timing_presets", None) or {}
        if "timing" not in kwargs and timing == "human" and "human" in presets:
            kwargs["timing"] = "human"
    try:
        env = registry.make(task_id, **kwargs)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, registry.TaskParameterError):
            raise
        raise registry.TaskParameterError(f"{task_id}: {' '.join(str(exc).split())}") from exc
    check_playable_timing(task_id, env)
    return env


MAX_PERIOD_MS = 600_000.0  # 10 minutes: longer is a typo (or seconds given as ms)
MAX_TRIAL_STEPS = 1_000_000  # the trial's arrays are allocated whole


def check_playable_timing(task_id: str, env: Any) -> None:
    """Reject timings a session cannot run: an absurdly long period, a trial with no step, too many steps,
    a time step above ``limits.MAX_SESSION_DT_MS``.

    Without this, ``fixation = 1e12`` allocates the trial's arrays until memory
    runs out, and all-zero periods give a trial with no step to play. The
    callers name the config field of a too-long dt first; this is the backstop
    for every env a person plays (the app's Play view too).
    """
    from neurogym_app.core.timing import spec_bounds

    task = getattr(env, "unwrapped", env)
    timing = getattr(task, "timing", None) or {}
    dt = float(getattr(task, "dt", 0) or 0)
    problem = session_dt_error(dt, "dt")
    if problem:
        raise registry.TaskParameterError(f"{task_id}: {problem}")
    total, known = 0.0, True
    for period, spec in timing.items():
        bounds = spec_bounds(spec)
        if bounds is None:  # a callable: its range is unknown
            known = False
            continue
        longest = bounds[1]
        if longest > MAX_PERIOD_MS:
            raise registry.TaskParameterError(
                f"{task_id}: timing of period {period!r} may last {longest:g} ms; a period can last at most "
                f"{MAX_PERIOD_MS:g} ms (10 min) -- durations are in ms"
            )
        total += longest
    if timing and known and total <= 0:
        raise registry.TaskParameterError(
            f"{task_id}: timing gives every period 0 ms, so a trial has no step; give at least one period a duration"
        )
    if dt > 0 and total / dt > MAX_TRIAL_STEPS:
        raise registry.TaskParameterError(
            f"{task_id}: with dt = {dt:g} ms a trial may take {total / dt:.3g} steps (at most {MAX_TRIAL_STEPS:g}); "
            f"use a dt of at least {total / MAX_TRIAL_STEPS:.3g} ms"
        )


def csv_layout(env: Any) -> tuple[list[str], list[str]]:
    """Task-variable and period columns of trials.csv, from the env's current (first) trial."""
    task = getattr(env, "unwrapped", env)
    task_vars = list((getattr(task, "trial", None) or {}).keys())  # plain envs (no trials) have none
    if "trial_seed" in task_vars:  # keep the seed last among the task variables
        task_vars.remove("trial_seed")
        task_vars.append("trial_seed")
    periods = list(getattr(task, "periods", []) or [])
    for name in getattr(task, "timing", {}) or {}:
        if name not in periods:
            periods.append(name)
    return task_vars, periods


# --------------------------------------------------------------------------- manifest
def display_facts(display: Any, **extra: Any) -> dict[str, Any]:
    """What a run records about its display: backend, nominal refresh, size and pixels per degree (+ ``extra``)."""
    info = getattr(display, "info", None)
    facts: dict[str, Any] = dict(info()) if callable(info) else {}
    facts.setdefault("backend", getattr(display, "backend", type(display).__name__))
    facts.setdefault("refresh_hz", float(getattr(display, "refresh_hz", 0) or 0) or None)
    facts.setdefault("view_drawn", facts["backend"] != "null")  # False: frames were timed, not drawn
    nominal = getattr(display, "nominal_hz", None)
    if nominal:
        facts.setdefault("nominal_refresh_hz", float(nominal))
    geometry = getattr(display, "geometry", None)
    size = getattr(geometry, "size", None)
    if size and geometry is not None:
        facts.setdefault("size_px", list(size))
        facts.setdefault("pix_per_deg", float(geometry.pix_per_deg))
    facts.update(extra)
    return facts


def closing_display_facts(facts: Mapping[str, Any], measured_hz: float | None, frames: int, dropped: int) -> dict[str, Any]:
    """The display facts at the end of a run: what the runner measured added."""
    out = dict(facts)
    if measured_hz:
        out["measured_refresh_hz"] = measured_hz
    out["frames"] = int(frames)
    out["dropped_frames"] = int(dropped)
    return out


def task_manifest(task_id: str, env: Any, params: Mapping[str, Any], timing_requested: Any, time_scale: float = 1.0) -> dict[str, Any]:
    """The manifest's ``task``: what was asked for and the task as it ran (class, resolved timing, dt)."""
    from neurogym_app.core.describe import jsonable

    task = getattr(env, "unwrapped", env)
    meta = getattr(task, "metadata", {}) or {}
    requested = timing_requested if isinstance(timing_requested, str) or timing_requested is None else "custom"
    return {
        "id": task_id,
        "class": type(task).__name__,
        "parameters": jsonable(dict(params)),
        "timing_preset": getattr(task, "timing_preset", None),
        "timing_requested": requested,
        "timing": jsonable(getattr(task, "timing", {}) or {}),
        "dt": float(getattr(task, "dt", 0) or 0) or None,
        "time_scale": float(time_scale),
        "rt_from": meta.get("rt_from"),
        "condition_vars": list(meta.get("condition_vars") or []),
        "strength_var": meta.get("strength_var"),
    }


def build_manifest(
    options: PlayOptions,
    env: Any,
    keymap: KeyMap | Any,
    display: Mapping[str, Any],
    seed: int,
    player: Mapping[str, Any] | None = None,
    participant_seed: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The run's part of a session manifest (the recorder adds format, app, times, status and columns).

    ``player`` defaults to the options' person or simulated strategy; ``extra``
    fields (an experiment link, an agent's arrays, ``trial_source`` ...) are added
    and may replace the defaults (``seeds``, ``clock``...).
    """
    who = dict(player) if player is not None else {"kind": options.kind, "id": options.participant}
    manifest: dict[str, Any] = {
        "player": who,
        "task": task_manifest(options.task_id, env, options.kwargs, options.timing_requested, options.time_scale),
        "seeds": {"env": seed, "participant": participant_seed},
        "trial_source": "seed",
        "key_map": keymap.to_dict(),
        "view": drawn_view_kind(env, options.view),  # the view actually drawn
        "display": dict(display),
        "flow": plain(vars(options.flow)),
        "n_trials_planned": options.n_trials,
        "clock": {"kind": "virtual" if options.virtual_clock else "monotonic", "note": CLOCK_NOTE},
        "source": options.source,
    }
    manifest.update(extra)
    return manifest


def create_recorder(
    options: PlayOptions,
    env: Any,
    manifest: Mapping[str, Any],
    seed: int,
    *,
    root: Path | None = None,
    layout: tuple[Sequence[str], Sequence[str]] | None = None,
    extra_columns: Sequence[str] = (),
    timestamp: Any = None,
) -> SessionRecorder:
    """A recorder for the run (its run folder under ``root``, default ``options.out``).

    Without ``layout`` (task variables, periods) a copy of the env is reset with
    the run's seed: its first trial fixes the csv columns. A copy, because a task
    may carry state across trials that a reset keeps (AnnubesEnv's
    ``sequential_count``, as in NeuroGym): drawn on the env itself, this trial
    would be counted before the run's first.
    """
    if layout is None:
        probe = copy.deepcopy(env)
        probe.reset(seed=seed)
        layout = csv_layout(probe)
    task_vars, periods = layout
    return SessionRecorder.create(
        root if root is not None else options.out,
        task_id=options.task_id,
        participant=options.participant,
        session=options.session,
        manifest=manifest,
        task_vars=[*task_vars, *extra_columns],
        periods=periods,
        timestamp=timestamp,
    )


# --------------------------------------------------------------------------- the run
@dataclass
class Run:
    """A built run: its task, key map, seeds, manifest, recorder and runner."""

    options: PlayOptions
    env: Any
    keymap: KeyMap
    seed: int
    participant: SimulatedParticipant | None
    manifest: dict[str, Any]
    recorder: Recorder | None
    runner: Runner
    closed: bool = False
    against: Any = None  # runtime.against.AgainstRun: an opponent facing the same trials (--against)
    against_close_s: float | None = None  # how long close waits for the opponent's backlog (None: all of it)

    @property
    def path(self) -> Path | None:
        return getattr(self.recorder, "path", None)

    def close(self, status: str | None = None) -> None:
        """Write the end of the run to its manifest, with what the display measured (idempotent)."""
        if self.closed:
            return
        self.closed = True
        runner = self.runner
        if status is None:
            status = runner.status if runner.status != "running" else "aborted"
        if self.against is not None:  # waits for the opponent's last trials; links both manifests
            self.against.close(status, self.against_close_s)
        close = getattr(self.recorder, "close", None)
        if close is None:
            return
        display = closing_display_facts(self.manifest["display"], runner.measured_refresh_hz(), runner.stats.frames, runner.stats.dropped)
        close(status, display=display)


def build_run(
    options: PlayOptions,
    display: Display,
    *,
    env: Any = None,
    keymap: KeyMap | None = None,
    scenes: SceneSource | None = None,
    display_info: Mapping[str, Any] | None = None,
    seed: int | None = None,
    recorder: Recorder | None = None,
    wrap_recorder: Callable[[Recorder | None], Recorder] | None = None,
    sources: Sequence[Player] = (),
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    on_start: Callable[[Path], None] | None = None,
    trial_plan: Callable[[int], Any] | None = None,
    origin: float | None = None,
    block: int = 1,
    practice: bool = False,
    markers: Any = None,
    manifest_extra: Mapping[str, Any] | None = None,
    opponent: Any = None,
    reveal: bool = False,
) -> Run:
    """Build the task, key map, simulated participant, manifest, recorder and runner of ``options``.

    ``env``/``keymap``: already built (e.g. checked for playability by the CLI);
    ``recorder``: an existing one (an experiment's task recorder; then none is
    created); ``wrap_recorder``: wraps the recorder the runner writes to (the
    app copies each trial to its live models). Nothing is recorded when
    ``options.record`` is False and no recorder is given. ``opponent``
    (:class:`~neurogym_app.runtime.against.Opponent`, built above: the agents'
    worker, a recorded agent session) faces the same trials: it is checked
    before anything is recorded, gets each committed trial, and a recorded
    one's trials are the plan; ``reveal`` (the teaching demo only) shows its
    answer on the feedback screen.
    """
    if env is None:
        env = make_task(options.task_id, options.timing, options.kwargs)
    if keymap is None:
        keymap = build_keymap(env, options.keys or None, options.input_mode)
    if seed is None:
        seed = options.seed if options.seed is not None else secrets.randbits(SEED_BITS)
    participant = None
    if options.player != "human":
        if options.sim_seed is None:
            options.sim_seed = derive_seed(seed, 1)
        participant = SimulatedParticipant(
            keymap, options.player, seed=options.sim_seed, rt=options.rt, lapse=options.lapse,
            threshold=options.threshold, slope=options.slope, task=env,
        )
    player: dict[str, Any] = {"kind": options.kind, "id": options.participant}
    if participant is not None:
        player.update(participant.describe())
    facts = dict(display_info) if display_info is not None else display_facts(display)
    manifest = build_manifest(options, env, keymap, facts, seed, player, options.sim_seed if participant else None,
                              **dict(manifest_extra or {}))
    against = prepare_against(opponent, env, options.task_id, options.n_trials, manifest) if opponent is not None else None
    if recorder is None and options.record:
        recorder = create_recorder(options, env, manifest, seed)
        if on_start is not None:
            on_start(recorder.path)
    writer = recorder
    if against is not None:
        against.start(recorder, {**manifest, "participant": options.participant})
        writer = against.tee(recorder)
        trial_plan = trial_plan or opponent.plan
        wait_ready = getattr(opponent, "wait_ready", None)
        if reveal and callable(wait_ready):  # the demo shows the answer from the first trial on
            for trial in wait_ready():
                against.model.add(trial)
        if reveal and scenes is not None:
            scenes = RevealScenes(scenes, against)
    writer = wrap_recorder(writer) if wrap_recorder is not None else writer
    runner = Runner(
        env,
        keymap,
        display,
        scenes=scenes,
        recorder=writer,
        n_trials=options.n_trials,
        seed=seed,
        time_scale=options.time_scale,
        flow=options.flow,
        sources=([participant] if participant is not None else []) + list(sources),
        block=block,
        on_trial=on_trial,
        trial_plan=trial_plan,
        markers=markers,
        practice=practice,
        origin=origin,
    )
    return Run(options, env, keymap, seed, participant, manifest, recorder, runner, against=against)
