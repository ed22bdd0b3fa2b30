"""``neurogym-app play EXPERIMENT.toml``: the CLI's flags, display and participant dialog around ``run_experiment``.

The experiment layer is pure and knows no argparse: here the flags are
checked, the participant comes from ``--participant`` or the Qt dialog, the
display (Qt / PsychoPy / null) and its event pump from ``cli/display_setup.py``,
and :func:`neurogym_app.experiment.run.run_experiment` runs it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from neurogym_app.cli.display_setup import NO_DISPLAY, event_pump, has_screen, load_config, make_display, timing_summary
from neurogym_app.errors import UserError

__all__ = ["play_experiment", "ask_participant", "make_opponent"]


def ask_participant(fields: Any, title: str, session: int = 1) -> Any:
    """The Qt participant dialog (None: cancelled)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        raise UserError("no screen for the participant dialog: give --participant ID (and --session N)")
    from neurogym_app.qt.participant_dialog import ask_participant as dialog

    return dialog(fields, title=title, session=session)


def make_opponent(items: list[str], out: Any, session: int = 1) -> Any:
    """The agents a task's ``against`` names (they run in a worker process; see agents/against.py)."""
    from neurogym_app.agents.against import opponent_for

    return opponent_for(items, out=out, session=session)


def _display(
    cfg: Any, *, auto: bool, headless: bool, backend: str | None, fullscreen: bool, clock: Any, draw: bool = False
) -> tuple[Any, dict, Any, Any]:
    from neurogym_app.runtime.run import display_facts

    backend = backend or cfg.session.backend
    if not headless and backend != "null" and not has_screen():
        raise UserError(NO_DISPLAY)
    fullscreen = bool(fullscreen or cfg.display.fullscreen) and not headless
    display, paced = make_display(backend, headless=headless, auto=auto, fullscreen=fullscreen, clock=clock, cfg=cfg, draw=draw)
    if paced:
        display.blocks_on_flip = True
    return display, display_facts(display, headless=headless), getattr(display, "geometry", None), event_pump(display)


def play_experiment(args: argparse.Namespace) -> int:
    """Run the experiment file ``args.task`` with the flags of ``neurogym-app play``."""
    from neurogym_app.config.errors import ConfigError
    from neurogym_app.config.experiment import load_experiment
    from neurogym_app.experiment.run import ExperimentRun, LoadedExperiment, run_experiment
    from neurogym_app.experiment.screens import validate_participant
    from neurogym_app.runtime.clock import FakeClock, MonotonicClock

    path = args.task
    try:
        cfg = load_experiment(path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    for flag, name in (("trials", "--trials"), ("timing", "--timing"), ("view", "--view"), ("input_mode", "--input-mode"),
                       ("time_scale", "--time-scale")):
        if getattr(args, flag, None) is not None:
            raise UserError(f"{name} does not apply to an experiment file: set it per task in {path}")
    auto = getattr(args, "auto", None)
    if getattr(args, "realtime", False) and not auto:
        raise UserError("--realtime is for simulated players (--auto); people always play in real time")
    resume = getattr(args, "resume", None)
    participant = None
    if resume is None:
        if getattr(args, "participant", None) is not None or auto:
            pid = args.participant if args.participant is not None else f"sim-{auto}"
            participant = validate_participant(pid, args.session or 1)
        else:
            answer = ask_participant(cfg.participant_fields, cfg.title or cfg.name, session=args.session or 1)
            if answer is None:
                print("cancelled: nothing was recorded", flush=True)
                return 1
            participant = answer
    elif getattr(args, "participant", None) is not None or getattr(args, "session", None) is not None:
        raise UserError("--resume continues the recorded participant and session: leave out --participant/--session")
    if resume is not None and getattr(args, "seed", None) is not None:
        raise UserError("--resume keeps the recorded seeds: leave out --seed")
    realtime = bool(getattr(args, "realtime", False) or not auto)
    clock = MonotonicClock() if realtime else FakeClock()
    display_cfg = load_config(getattr(args, "config", None))
    display, info, geometry, pump = _display(
        display_cfg, auto=bool(auto), headless=bool(getattr(args, "headless", False)),
        backend=getattr(args, "backend", None), fullscreen=bool(getattr(args, "fullscreen", False)), clock=clock,
        draw=bool(getattr(args, "draw", False)),
    )
    out = Path(getattr(args, "out", None) or display_cfg.session.out)
    markers = None
    if cfg.markers.lsl:
        from neurogym_app.runtime.markers import LSLSink

        try:
            markers = LSLSink(clock, name=cfg.markers.stream_name, source_id=cfg.markers.source_id or f"neurogym-app-{cfg.name}",
                              as_json=cfg.markers.as_json)
        except ImportError as exc:
            raise UserError(str(exc)) from None
        wait = getattr(args, "wait_for_lsl", None)
        if wait is not None and not 0 <= wait <= 3600:
            raise UserError(f"--wait-for-lsl must be 0 to 3600 seconds, got {wait:g}")
        wait = cfg.markers.wait_for_consumer if wait is None else wait
        if wait > 0:
            print(f"waiting up to {wait:g} s for an LSL inlet on stream {markers.name!r}...", flush=True)
            if markers.wait_for_consumer(wait):
                print(f"LSL inlet connected to {markers.name!r}", flush=True)
            else:
                print(f"no LSL inlet connected to {markers.name!r} within {wait:g} s: starting anyway "
                      "(markers sent before an inlet connects are lost)", flush=True)
    elif getattr(args, "wait_for_lsl", None) is not None:
        raise UserError(f"--wait-for-lsl: {path} sends no LSL markers; set [markers] lsl = true in it")

    def started(run: ExperimentRun) -> None:
        print(f"recording to {run.folder.path}", flush=True)
        if run.resume is not None:
            print(f"resuming {run.resume.folder}: {len(run.resume.rows)} trial(s) were recorded", flush=True)
        d = run.design
        order = ", ".join(b.name for b in d.plan)
        print(f"participant {d.participant.id} (number {d.participant.number}), session {d.participant.session}; "
              f"block order ({cfg.block_order}): {order}", flush=True)

    try:
        result = run_experiment(
            LoadedExperiment(cfg, path), display, clock, participant=participant, out=out, auto=auto, resume=resume,
            markers=markers, base_seed=getattr(args, "seed", None), geometry=geometry,
            background=display_cfg.display.background, display_info=info, realtime=realtime,
            pump=pump if realtime else None, on_message=lambda text: print(text, flush=True), on_start=started,
            opponents=make_opponent,
        )
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    finally:
        try:
            display.close()
        except Exception:  # closing a window must not hide the session's own error
            pass
    n = len(result.rows)
    correct = sum(int(r.get("correct") or 0) for r in result.rows)
    pct = 100.0 * correct / n if n else 0.0
    print(timing_summary(result.measured_refresh_hz, result.dropped_frames, result.frames, drawn=(info or {}).get("view_drawn", True)), flush=True)
    how = {"completed": "done", "aborted": "stopped by the participant"}.get(result.status, result.status)
    print(f"{how}: {n} trial(s), {pct:.0f}% correct; saved in {result.path}", flush=True)
    return 0
