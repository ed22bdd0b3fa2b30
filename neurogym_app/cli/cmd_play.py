"""`neurogym-app play TASK`: play a task yourself (or let a simulated player), recorded.

Examples::

    neurogym-app play PerceptualDecisionMaking-v0 --participant P01
    neurogym-app play GoNogo-v0 --auto oracle --trials 50 --headless --out /tmp/sessions

The run folder (``<out>/<task>/<participant>_<session>_<timestamp>/``) is
printed when the session starts; every trial is saved as soon as it ends.
Display backends are imported lazily (cli/display_setup.py), only for the backend in use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from neurogym_app.cli.display_setup import NO_DISPLAY, event_pump, has_screen, load_config, make_display, timing_summary
from neurogym_app.config.limits import MAX_TRIALS, check_trial_count, session_dt_error
from neurogym_app.errors import UserError


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
    p.add_argument(
        "--against", action="extend", nargs="+", metavar="AGENT_OR_SESSION",
        help="trained agent folder(s), a folder of agents (sweep) or a recorded agent session: it faces the same trials, "
        "recorded as its own linked session",
    )
    p.add_argument(
        "--show-agent", action="store_true",
        help="teaching demo: the feedback screen also shows what the --against agent chose (never for a pilot or an experiment)",
    )
    p.add_argument("--wait-for-lsl", type=float, metavar="S", help="experiment files with LSL markers: hold the start up to S seconds for an inlet")
    p.add_argument("--resume", metavar="SESSION_FOLDER", help="experiment files: continue an interrupted session in a new folder")
    p.set_defaults(func=run)
    return p


# --------------------------------------------------------------------------- config
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


# --------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    if args.task.lower().endswith(".toml"):
        from neurogym_app.cli.experiment_hooks import play_experiment

        return play_experiment(args)
    if args.resume is not None:
        raise UserError("--resume is for experiment files (.toml)")
    if args.wait_for_lsl is not None:
        raise UserError("--wait-for-lsl is for experiment files (.toml) with [markers] lsl = true")
    from neurogym_app.core import registry
    from neurogym_app.input.keymap import NotHumanPlayable, build_keymap, playability
    from neurogym_app.record.ids import sanitise_participant
    from neurogym_app.runtime.clock import FakeClock, MonotonicClock
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions, display_facts, make_task

    cfg = load_config(args.config)
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
    opponent = _opponent(args, scfg)
    if getattr(args, "show_agent", False) and opponent is None:
        raise UserError("--show-agent shows the answer of an --against agent: give --against AGENT")
    env = _against_env(opponent, task_id) if opponent is not None else None
    if env is None:
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
    if not args.headless and backend != "null" and not has_screen():
        raise UserError(NO_DISPLAY)
    # PsychoPy flips pace real time (its onsets are flip times): a virtual clock cannot drive it.
    realtime = args.realtime or not args.auto or args.backend == "psychopy"
    clock = MonotonicClock() if realtime else FakeClock()
    fullscreen = bool(args.fullscreen or cfg.display.fullscreen) and not args.headless
    if args.draw and not (args.headless and args.auto):
        raise UserError("--draw is for simulated runs without a window (--auto --headless); other runs are always drawn")
    display, paced = make_display(
        backend, headless=args.headless, auto=bool(args.auto), fullscreen=fullscreen, clock=clock, cfg=cfg, draw=args.draw
    )
    display_info = display_facts(display, headless=args.headless)
    view = _pick(args.view, scfg.view)
    scenes = _make_scenes(env, keymap, view, display, cfg, title=task_id)
    if paced:
        display.blocks_on_flip = True
    options = PlayOptions(
        task_id=task_id,
        out=Path(_pick(args.out, scfg.out)),
        participant=participant,
        session=_pick(args.session, scfg.session),
        n_trials=_pick(args.trials, scfg.trials),
        seed=_pick(args.seed, scfg.seed),
        timing=timing,
        time_scale=_pick(args.time_scale, scfg.time_scale),
        view=view,
        kwargs=_task_params(cfg, task_id),
        keys=dict(cfg.keys),
        input_mode=args.input_mode,
        feedback=scfg.feedback,
        feedback_ms=scfg.feedback_ms,
        iti_ms=scfg.iti_ms,
        wait_for_start=not args.auto,
        player=args.auto or "human",
        lapse=args.lapse,
        threshold=args.threshold,
        slope=args.slope,
        virtual_clock=not realtime,
        source="neurogym-app play",
    )
    if args.trials is None and opponent is not None and opponent.plan(0) is not None:
        options.n_trials = len(opponent.trials)  # a recorded opponent's plan: all of its trials
    total = options.n_trials

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
            on_start=on_start, on_trial=on_trial, pump=event_pump(display) if realtime else None, opponent=opponent,
            reveal=bool(getattr(args, "show_agent", False)),
        )
    finally:
        try:
            display.close()
        except Exception:  # closing a window must not hide the session's own error
            pass
    rows = result.rows
    n_correct = sum(int(r.get("correct") or 0) for r in rows)
    pct = 100.0 * n_correct / len(rows) if rows else 0.0
    stats = result.runner.stats
    print(timing_summary(result.runner.measured_refresh_hz(), stats.dropped, stats.frames, drawn=display_info.get("view_drawn", True)), flush=True)
    how = {"completed": "done", "aborted": "stopped by the participant"}.get(result.status, result.status)
    print(f"{how}: {len(rows)} trial(s), {pct:.0f}% correct; saved in {result.path}", flush=True)
    if result.against is not None:
        _print_against(result.against)
    return 0


def _opponent(args: argparse.Namespace, scfg: Any) -> Any:
    """The ``--against`` opponent (agents run in a worker process; see agents/against.py)."""
    if not args.against:
        return None
    from neurogym_app.agents.against import opponent_for

    return opponent_for(args.against, out=Path(_pick(args.out, scfg.out)), session=_pick(args.session, scfg.session))


def _against_env(opponent: Any, task_id: str) -> Any:
    """A recorded opponent's task as it played it (its trials are the plan); None for live agents."""
    from neurogym_app.runtime.against import opponent_env
    from neurogym_app.runtime.run import check_playable_timing

    env = opponent_env(opponent)
    if env is not None:
        opponent.check(env, task_id)
        check_playable_timing(task_id, env)
    return env


def _print_against(against: Any) -> None:
    model = against.model
    if against.opponent.error:
        print(f"against: {against.opponent.error}", flush=True)
    for label in model.labels:
        table = model.tables[label]
        acc = table.accuracy()
        text = f"{acc:.0%} correct" if len(table) and acc == acc else "no trials"
        link = next((x.get("session") for x in against.opponent.links() if x.get("id") == label), None)
        print(f"against {label}: {len(table)} trial(s), {text}" + (f"; saved in {link}" if link else ""), flush=True)


def _make_scenes(env: Any, keymap: Any, view: str, display: Any, cfg: Any, title: str) -> Any:
    from neurogym_app.runtime.null_display import NullDisplay

    if isinstance(display, NullDisplay):
        return None  # nothing is drawn: the runner's plain placeholder scenes suffice
    from neurogym_app.runtime.scenes import StimulusScenes

    return StimulusScenes(
        env, keymap, view, geometry=getattr(display, "geometry", None), background=cfg.display.background, title=title
    )
