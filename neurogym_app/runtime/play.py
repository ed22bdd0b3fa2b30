"""One recorded play session, from options to a closed run folder (no GUI code).

``play(options, display, clock)`` builds the task (human timing by default),
its key map, the recorder and a :class:`Runner`, then ticks it with
:func:`run_frames` until the trials are done, the participant quits (Esc) or
a write fails. The CLI (``neurogym-app play``) chooses the display and clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.config.limits import session_dt_error
from neurogym_app.core import registry
from neurogym_app.input.keymap import KeyMap, build_keymap
from neurogym_app.record.jsonutil import plain
from neurogym_app.record.recorder import RecordingError, SessionRecorder
from neurogym_app.runtime.loop import run_frames
from neurogym_app.runtime.runner import FlowSettings, Runner
from neurogym_app.runtime.simulated import RTDistribution, SimulatedParticipant

__all__ = ["PlayOptions", "PlayResult", "make_task", "play", "derive_seed", "csv_layout"]

SEED_BITS = 63


@dataclass
class PlayOptions:
    """Everything a play session needs besides its display and clock."""

    task_id: str
    out: Path = Path("sessions")
    participant: str = "anon"
    session: int = 1
    trials: int = 100
    seed: int | None = None
    timing: str = "human"  # "human" or "default"
    time_scale: float = 1.0
    view: str = "natural"
    task_params: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    input_mode: str | None = None
    flow: FlowSettings = field(default_factory=FlowSettings)
    auto: str | None = None  # oracle / random / lapse
    lapse: float = 0.1
    threshold: float | None = None  # --auto psychometric, in the task's strength units (None: from its range)
    slope: float | None = None
    rt: RTDistribution = field(default_factory=RTDistribution)
    realtime: bool = True  # False: virtual clock (simulated players only)
    backend: str = "qt"


@dataclass
class PlayResult:
    path: Path
    status: str
    rows: list[dict[str, Any]]
    runner: Runner


def derive_seed(seed: int, stream: int) -> int:
    """An independent seed for another generator (stream 1: the simulated participant)."""
    state = np.random.SeedSequence([int(seed), int(stream)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) % (2**SEED_BITS)


def make_task(task_id: str, timing: str = "human", params: dict[str, Any] | None = None) -> Any:
    """Build ``task_id`` with the ``timing`` preset (``"human"`` falls back to the default if the task has none)."""
    if timing not in ("human", "default"):
        raise registry.TaskParameterError(f"timing must be 'human' or 'default', got {timing!r}")
    kwargs = dict(params or {})
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


def _display_info(display: Any) -> dict[str, Any]:
    info = getattr(display, "info", None)
    base = dict(info()) if callable(info) else {}
    base.setdefault("backend", getattr(display, "backend", type(display).__name__))
    base.setdefault("refresh_hz", float(getattr(display, "refresh_hz", 0) or 0) or None)
    return base


def _task_manifest(task_id: str, env: Any, options: PlayOptions) -> dict[str, Any]:
    from neurogym_app.core.describe import jsonable

    task = getattr(env, "unwrapped", env)
    meta = getattr(task, "metadata", {}) or {}
    return {
        "id": task_id,
        "class": type(task).__name__,
        "parameters": jsonable(dict(options.task_params)),
        "timing_preset": getattr(task, "timing_preset", None),
        "timing_requested": options.timing,
        "timing": jsonable(getattr(task, "timing", {})),
        "dt": float(task.dt),
        "time_scale": options.time_scale,
        "rt_from": meta.get("rt_from"),
        "condition_vars": list(meta.get("condition_vars") or []),
        "strength_var": meta.get("strength_var"),
    }


def play(
    options: PlayOptions,
    display: Any,
    clock: Any,
    *,
    scenes: Any = None,
    env: Any = None,
    keymap: KeyMap | None = None,
    display_info: dict[str, Any] | None = None,
    on_start: Callable[[Path], None] | None = None,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
    max_frames: int | None = None,
    pump: Callable[[], Any] | None = None,
    sources: Sequence[Any] = (),
) -> PlayResult:
    """Run and record one session; see the module docstring.

    ``sources`` are extra input sources for the runner (besides the display
    and the simulated participant). Raises :class:`RecordingError` (after
    closing the run folder) if data cannot be written; KeyboardInterrupt
    closes the folder as "interrupted".
    """
    if env is None:
        env = make_task(options.task_id, options.timing, options.task_params)
    if keymap is None:
        keymap = build_keymap(env, options.keys or None, options.input_mode)
    seed = options.seed if options.seed is not None else secrets.randbits(SEED_BITS)
    participant_seed = derive_seed(seed, 1)
    participant = None
    if options.auto:
        participant = SimulatedParticipant(
            keymap, options.auto, seed=participant_seed, rt=options.rt, lapse=options.lapse,
            threshold=options.threshold, slope=options.slope, task=env,
        )
    env.reset(seed=seed)  # the first trial fixes the csv columns; the runner resets with the same seed
    task_vars, periods = csv_layout(env)
    player = {"kind": "simulated" if participant else "human", "id": options.participant}
    if participant:
        player.update(participant.describe())
    manifest = {
        "player": player,
        "task": _task_manifest(options.task_id, env, options),
        "seeds": {"env": seed, "participant": participant_seed if participant else None},
        "key_map": keymap.to_dict(),
        "view": options.view,
        "display": dict(display_info) if display_info is not None else _display_info(display),
        "flow": plain(vars(options.flow)),
        "n_trials_planned": options.trials,
        "clock": {
            "kind": "monotonic" if options.realtime else "virtual",
            "note": "times in steps.sqlite and trials.csv are seconds since the session start on this clock",
        },
    }
    recorder = SessionRecorder.create(
        options.out,
        task_id=options.task_id,
        participant=options.participant,
        session=options.session,
        manifest=manifest,
        task_vars=task_vars,
        periods=periods,
    )
    if on_start is not None:
        on_start(recorder.path)
    runner = Runner(
        env,
        keymap,
        display,
        scenes=scenes,
        recorder=recorder,
        n_trials=options.trials,
        seed=seed,
        time_scale=options.time_scale,
        flow=options.flow,
        sources=([participant] if participant else []) + list(sources),
        on_trial=on_trial,
    )
    status = "error"
    try:
        run_frames(runner, clock, max_frames=max_frames, pump=pump)
        status = runner.status if runner.status != "running" else "stopped"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except RecordingError:
        status = "error"
        raise
    finally:
        display_info = dict(manifest["display"])
        display_info["measured_refresh_hz"] = runner.measured_refresh_hz()
        display_info["frames"] = runner.stats.frames
        display_info["dropped_frames"] = runner.stats.dropped
        recorder.close(status, display=display_info)
    return PlayResult(recorder.path, status, list(runner.rows), runner)
