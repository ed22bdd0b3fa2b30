"""`neurogym-app play TASK`: play a task yourself (or let a simulated player), recorded.

Examples::

    neurogym-app play PerceptualDecisionMaking-v0 --participant P01
    neurogym-app play GoNogo-v0 --auto oracle --trials 50 --headless --out /tmp/sessions

The run folder (``<out>/<task>/<participant>_<session>_<timestamp>/``) is
printed when the session starts; every trial is saved as soon as it ends.
Display backends are imported here, lazily, only for the backend in use.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from neurogym_app.config.limits import MAX_TRIALS, check_trial_count, session_dt_error
from neurogym_app.errors import UserError

NO_DISPLAY = (
    "no display found (DISPLAY/WAYLAND_DISPLAY are not set); play needs a screen, "
    "or run with --headless (and --auto for a simulated player)"
)


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "play",
        help="play a task (keyboard/pointer, or --auto for a simulated player); every trial is recorded",
        description="Play TASK at human speed; each trial is saved to the sessions folder as it ends.",
    )
    p.add_argument("task", metavar="TASK", help="task id, e.g. PerceptualDecisionMaking-v0")
    p.add_argument("--participant", metavar="ID", help="participant id (letters, digits, . _ -)")
    p.add_argument("--session", type=int, metavar="N", help="session number (default 1)")
    p.add_argument("--trials", type=int, metavar="N", help=f"number of trials, 1 to {MAX_TRIALS} (default from the config: 100)")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (default: fresh, recorded in the manifest)")
    p.add_argument("--backend", choices=("qt", "psychopy", "null"), help="display backend (default qt; null draws nothing)")
    p.add_argument("--view", choices=("agent", "natural"), help="what to draw: the agent's inputs or natural stimuli")
    p.add_argument("--timing", choices=("human", "default"), help="the task's human timing (default) or its network timing")
    p.add_argument("--auto", choices=("oracle", "random", "lapse", "psychometric"), help="a simulated participant plays instead of you")
    p.add_argument("--lapse", type=float, default=0.1, metavar="P", help="lapse rate of --auto lapse (default 0.1)")
    p.add_argument("--threshold", type=float, metavar="X", help="--auto psychometric: threshold in the task's strength units (default: from its range)")
    p.add_argument("--slope", type=float, metavar="S", help="--auto psychometric: slope, 1 / strength unit (default: 4 / threshold)")
    p.add_argument("--realtime", action="store_true", help="with --auto: run at wall-clock speed (default: virtual time)")
    p.add_argument("--headless", action="store_true", help="render offscreen (no window)")
    p.add_argument("--draw", action="store_true", help="with --auto --headless: draw every frame offscreen (default: not drawn, recorded as such)")
    p.add_argument("--fullscreen", action="store_true", help="full-screen window")
    p.add_argument("--time-scale", type=float, metavar="X", help="slow down (>1) or speed up (<1) the task")
    p.add_argument("--input-mode", choices=("press", "latch", "hold"), help="how long a response lasts (default: task's, press)")
    p.add_argument("--out", metavar="SESSIONS_ROOT", help="sessions root folder (default: sessions/)")
    p.add_argument("--config", metavar="FILE", help="TOML config (sections session, display, keys, env)")
    p.add_argument("--resume", metavar="SESSION_FOLDER", help="experiment files: continue an interrupted session in a new folder")
    p.set_defaults(func=run)
    return p


# --------------------------------------------------------------------------- config
def _load_config(path: str | None) -> Any:
    from neurogym_app.config import Config, ConfigError

    try:
        return Config(path) if path else Config()
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _pick(flag: Any, default: Any) -> Any:
    return default if flag is None else flag


def _task_params(cfg: Any, task_id: str) -> dict[str, Any]:
    env_cfg = cfg.env
    if not env_cfg.name:
        return {}
    from neurogym_app.core import registry

    if registry.spec(env_cfg.name).id != task_id:
        # Its parameters and timing are for another task: say so rather than drop them.
        raise UserError(
            f"the config's [env] name is {env_cfg.name!r} but the task played is {task_id!r}; "
            f"play {env_cfg.name!r} or change/remove [env] name in the config"
        )
    params = dict(env_cfg.kwargs)
    if "dt" in env_cfg.model_fields_set:
        params["dt"] = env_cfg.dt
    if env_cfg.timing:
        params["timing"] = env_cfg.make_kwargs()["timing"]
    return params


def _experiment_file(task: str, args: argparse.Namespace) -> int:
    """Hand an experiment file to ``experiment.run.play_experiment`` once that module exists."""
    import importlib.util

    if importlib.util.find_spec("neurogym_app.experiment.run") is None:
        raise UserError(
            f"{task}: experiment files (.toml) are not supported yet; give a task id, e.g. PerceptualDecisionMaking-v0"
        )
    import importlib

    experiment = importlib.import_module("neurogym_app.experiment.run")
    runner = getattr(experiment, "play_experiment", None)
    if runner is None:
        raise UserError(f"{task}: this version cannot play experiment files yet")
    from neurogym_app.cli.experiment_hooks import ExperimentHooks

    return int(runner(args, ExperimentHooks()) or 0)


MIN_TIME_SCALE, MAX_TIME_SCALE = 0.01, 100.0
MAX_BETWEEN_TRIALS_MS = 600_000  # feedback and ITI: 10 minutes at most


def _check_session_numbers(args: argparse.Namespace, scfg: Any) -> None:
    """Seeds, time scale and between-trial times the session can run with (one line each).

    A negative seed used to end in a numpy traceback, an infinite time scale or
    a huge ITI in a session that never ends.
    """
    import math

    where = f" (in {args.config})" if args.config else ""
    seed = args.seed if args.seed is not None else scfg.seed
    if seed is not None and seed < 0:
        flag = "--seed" if args.seed is not None else f"session.seed{where}"
        raise UserError(f"{flag} must be a non-negative integer, got {seed}")
    scale = args.time_scale if args.time_scale is not None else scfg.time_scale
    if not (math.isfinite(scale) and MIN_TIME_SCALE <= scale <= MAX_TIME_SCALE):
        flag = "--time-scale" if args.time_scale is not None else f"session.time_scale{where}"
        raise UserError(
            f"{flag} must be between {MIN_TIME_SCALE:g} and {MAX_TIME_SCALE:g} (2 = half speed), got {scale:g}"
        )
    for name in ("feedback_ms", "iti_ms"):
        value = getattr(scfg, name)
        if value > MAX_BETWEEN_TRIALS_MS:
            raise UserError(f"session.{name}{where} must be at most {MAX_BETWEEN_TRIALS_MS} ms (10 min), got {value}")


def _check_psychometric(args: argparse.Namespace) -> None:
    import math

    given = [f for f in ("threshold", "slope") if getattr(args, f, None) is not None]
    if given and args.auto != "psychometric":
        raise UserError(f"--{given[0]} is for the psychometric simulated player: add --auto psychometric")
    if args.threshold is not None and not (math.isfinite(args.threshold) and args.threshold >= 0):
        raise UserError(f"--threshold must be a number >= 0 in the task's strength units, got {args.threshold:g}")
    if args.slope is not None and not (math.isfinite(args.slope) and args.slope > 0):
        raise UserError(f"--slope must be a positive number (1 / strength unit), got {args.slope:g}")


def _check_session_dt(cfg: Any, args: argparse.Namespace) -> None:
    """A time step people can play: at most ``MAX_SESSION_DT_MS`` (the task library takes any positive dt).

    ``env.dt = 100000`` (seconds typed as ms) used to run a session whose every step lasted minutes.
    """
    env_cfg = cfg.env
    if not env_cfg.name:
        return  # [env] without a name is not applied to the task played (see _task_params)
    if "dt" in env_cfg.model_fields_set:
        field_name, value = "env.dt", env_cfg.dt
    elif "dt" in env_cfg.kwargs:
        field_name, value = "env.kwargs.dt", env_cfg.kwargs["dt"]
    else:
        return
    problem = session_dt_error(value)
    if problem:
        where = f"{args.config}: " if args.config else ""
        raise UserError(f"{where}{field_name}: {problem}")


# --------------------------------------------------------------------------- display
def _has_screen() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _make_display(
    backend: str, *, headless: bool, auto: bool, fullscreen: bool, clock: Any, cfg: Any, draw: bool = False
) -> tuple[Any, bool]:
    """(display, paced): the Display for ``backend``; ``paced`` if its present waits for the refresh.

    A simulated player with no screen to show (``--auto --headless``) is not drawn unless ``draw``:
    nobody sees the frames, and drawing them made such runs 17-23x slower than the record needs.
    """
    from neurogym_app.runtime.null_display import NullDisplay

    if headless and auto and not draw and backend == "qt":
        return NullDisplay(clock, cfg.display.refresh_hz), False
    if backend == "null":
        if not auto:
            raise UserError("--backend null draws nothing: use it with --auto")
        return NullDisplay(clock, cfg.display.refresh_hz), False
    size = tuple(cfg.display.resolution) if fullscreen else (1024, 768)
    if backend == "psychopy":
        if headless:
            raise UserError("the psychopy backend needs a screen; use --backend qt with --headless")
        try:
            from neurogym_app.stimuli.backends.psychopy_backend import PsychoPyDisplay
            from neurogym_app.stimuli.scene import Geometry
        except ImportError as exc:
            raise UserError(f"{exc}") from None
        try:
            display = PsychoPyDisplay(
                clock=clock,
                size=size,
                geometry=Geometry.from_display(cfg.display, size),
                fullscreen=fullscreen,
                measure_refresh=True,
            )
        except ImportError as exc:
            raise UserError(str(exc)) from None
        return display, True
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from neurogym_app.qt.canvas import QtDisplay
        from neurogym_app.stimuli.scene import Geometry
    except ImportError as exc:
        if headless and auto:
            return NullDisplay(clock, cfg.display.refresh_hz), False
        raise UserError(f"the Qt display is not available: {exc}") from None
    display = QtDisplay(
        clock=clock,
        size=size,
        geometry=Geometry.from_display(cfg.display, size),
        fullscreen=fullscreen and not headless,
        offscreen=headless,
        refresh_hz=cfg.display.refresh_hz if headless else None,
        title="neurogym-app play",
    )
    return display, False


def _display_info(display: Any, backend: str, headless: bool) -> dict[str, Any]:
    from neurogym_app.runtime.null_display import NullDisplay

    info = {
        "backend": getattr(display, "backend", backend),
        "refresh_hz": float(getattr(display, "refresh_hz", 0) or 0) or None,
        "headless": headless,
        "view_drawn": not isinstance(display, NullDisplay),  # False: frames were timed but not drawn
    }
    nominal = getattr(display, "nominal_hz", None)
    if nominal:
        info["nominal_refresh_hz"] = float(nominal)
    size = getattr(getattr(display, "geometry", None), "size", None)
    if size:
        info["size_px"] = list(size)
        info["pix_per_deg"] = float(display.geometry.pix_per_deg)
    return info


# --------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    if args.task.lower().endswith(".toml"):
        return _experiment_file(args.task, args)
    if args.resume is not None:
        raise UserError("--resume is for experiment files (.toml)")
    from neurogym_app.core import registry
    from neurogym_app.input.keymap import NotHumanPlayable, build_keymap, playability
    from neurogym_app.record.ids import sanitise_participant
    from neurogym_app.runtime.clock import FakeClock, MonotonicClock
    from neurogym_app.runtime.play import PlayOptions, make_task, play
    from neurogym_app.runtime.runner import FlowSettings

    cfg = _load_config(args.config)
    scfg = cfg.session
    task_id = registry.spec(args.task).id
    problem = check_trial_count(args.trials, "--trials")
    if problem:
        raise UserError(problem)
    _check_session_dt(cfg, args)
    if args.session is not None and args.session < 1:
        raise UserError(f"--session must be at least 1, got {args.session}")
    if args.time_scale is not None and not args.time_scale > 0:
        raise UserError(f"--time-scale must be > 0, got {args.time_scale}")
    _check_session_numbers(args, scfg)
    if not 0.0 <= args.lapse <= 1.0:
        raise UserError(f"--lapse must be within 0-1, got {args.lapse}")
    _check_psychometric(args)
    if args.realtime and not args.auto:
        raise UserError("--realtime is for simulated players (--auto); people always play in real time")
    if args.participant is not None:
        participant = args.participant
    elif args.auto and "participant" not in scfg.model_fields_set:
        participant = f"sim-{args.auto}"
    else:
        participant = scfg.participant
    participant = sanitise_participant(participant)

    timing = _pick(args.timing, scfg.timing)
    env = make_task(task_id, timing, _task_params(cfg, task_id))
    reason = playability(env)
    if reason is not None:
        raise NotHumanPlayable(f"{task_id} is not human-playable: {reason}")
    keymap = build_keymap(env, cfg.keys or None, args.input_mode)
    if args.auto == "psychometric" and args.threshold is None:
        from neurogym_app.runtime.simulated import psychometric_defaults

        if psychometric_defaults(env.unwrapped) is None:
            print(f"note: {task_id} defines no stimulus strength (signed_strength or metadata strength_var): "
                  "--auto psychometric plays as the oracle with its lapse rate", file=sys.stderr, flush=True)

    backend = _pick(args.backend, scfg.backend)
    if not args.headless and backend != "null" and not _has_screen():
        raise UserError(NO_DISPLAY)
    # PsychoPy flips pace real time (its onsets are flip times): a virtual clock cannot drive it.
    realtime = args.realtime or not args.auto or args.backend == "psychopy"
    clock = MonotonicClock() if realtime else FakeClock()
    fullscreen = bool(args.fullscreen or cfg.display.fullscreen) and not args.headless
    if args.draw and not (args.headless and args.auto):
        raise UserError("--draw is for simulated runs without a window (--auto --headless); other runs are always drawn")
    display, paced = _make_display(
        backend, headless=args.headless, auto=bool(args.auto), fullscreen=fullscreen, clock=clock, cfg=cfg, draw=args.draw
    )
    display_info = _display_info(display, backend, args.headless)
    view = _pick(args.view, scfg.view)
    scenes = _make_scenes(env, keymap, view, display, cfg, title=task_id)
    if paced:
        display.blocks_on_flip = True
    options = PlayOptions(
        task_id=task_id,
        out=Path(_pick(args.out, scfg.out)),
        participant=participant,
        session=_pick(args.session, scfg.session),
        trials=_pick(args.trials, scfg.trials),
        seed=_pick(args.seed, scfg.seed),
        timing=timing,
        time_scale=_pick(args.time_scale, scfg.time_scale),
        view=view,
        task_params=_task_params(cfg, task_id),
        keys=dict(cfg.keys),
        input_mode=args.input_mode,
        flow=FlowSettings(
            feedback=scfg.feedback,
            feedback_ms=scfg.feedback_ms,
            iti_ms=scfg.iti_ms,
            wait_for_start=not args.auto,
        ),
        auto=args.auto,
        lapse=args.lapse,
        threshold=args.threshold,
        slope=args.slope,
        realtime=realtime,
        backend=backend,
    )
    total = options.trials

    def on_start(path: Path) -> None:
        print(f"recording to {path}", flush=True)
        if not args.auto:
            print(f"controls: {keymap.describe()}", flush=True)

    def on_trial(row: dict) -> None:
        rt = row.get("rt_ms")
        rt_text = f", rt {rt:.0f} ms" if isinstance(rt, (int, float)) else ""
        print(f"trial {int(row['trial']) + 1}/{total}: {row.get('outcome')}{rt_text}", flush=True)

    try:
        result = play(
            options, display, clock, scenes=scenes, env=env, keymap=keymap, display_info=display_info,
            on_start=on_start, on_trial=on_trial, pump=_event_pump(display) if realtime else None,
        )
    finally:
        try:
            display.close()
        except Exception:  # closing a window must not hide the session's own error
            pass
    rows = result.rows
    n_correct = sum(int(r.get("correct") or 0) for r in rows)
    pct = 100.0 * n_correct / len(rows) if rows else 0.0
    how = {"completed": "done", "aborted": "stopped by the participant"}.get(result.status, result.status)
    print(f"{how}: {len(rows)} trial(s), {pct:.0f}% correct; saved in {result.path}", flush=True)
    return 0


def _event_pump(display: Any) -> Any:
    """Qt delivers (and timestamps) key events only while its event loop runs: pump it between frames."""
    if type(display).__name__ != "QtDisplay":
        return None
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    return app.processEvents if app is not None else None


def _make_scenes(env: Any, keymap: Any, view: str, display: Any, cfg: Any, title: str) -> Any:
    from neurogym_app.runtime.null_display import NullDisplay

    if isinstance(display, NullDisplay):
        return None  # nothing is drawn: the runner's plain placeholder scenes suffice
    from neurogym_app.runtime.scenes import StimulusScenes

    return StimulusScenes(
        env, keymap, view, geometry=getattr(display, "geometry", None), background=cfg.display.background, title=title
    )
