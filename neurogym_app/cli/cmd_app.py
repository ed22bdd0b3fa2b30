"""`neurogym-app app` (also `neurogym-app` with no command): the desktop app."""

from __future__ import annotations

import argparse
import os

from neurogym_app.cli.display_check import has_display, require_display

DEFAULT_TASK = "PerceptualDecisionMaking-v0"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("app", help="open the desktop app (task browser, inspector, play, sessions)")
    p.add_argument("task", nargs="?", default=DEFAULT_TASK, help=f"task to open first (default {DEFAULT_TASK})")
    p.add_argument("--out", default="sessions", help="sessions root folder (default: sessions)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window once to PNG and exit (for docs/tests)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.core import registry

    registry.spec(args.task)  # an unknown id is a one-line error before any window opens
    if args.screenshot and not has_display():
        # A screenshot needs no screen: render offscreen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    code = require_display()
    if code is not None:
        return code
    from neurogym_app.qt.app import run_app

    return run_app(task_id=args.task, sessions_root=args.out, screenshot=args.screenshot)
