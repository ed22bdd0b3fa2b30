"""`neurogym-app screenshot VIEW [TASK|SESSION...] --out FILE.png`: one app view as a PNG, offscreen.

VIEW is one of tasks, inspector, play (a TASK id, default PerceptualDecisionMaking-v0),
sessions (a sessions root, default --sessions), replay (one SESSION folder) or compare
(SESSION and experiment folders). No screen is needed.
"""

from __future__ import annotations

import argparse
import os

from neurogym_app.errors import UserError


def add_parser(sub) -> argparse.ArgumentParser:
    from neurogym_app.qt.screenshots import VIEWS

    p = sub.add_parser(
        "screenshot",
        help="render one view of the app (tasks, inspector, play, sessions, replay, compare) to a PNG, offscreen",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    p.add_argument("view", choices=VIEWS, metavar="VIEW", help=f"one of: {', '.join(VIEWS)}")
    p.add_argument("targets", nargs="*", metavar="TASK|SESSION", help="a task id, or session folder(s)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="the PNG to write")
    p.add_argument("--size", default="1400x900", metavar="WxH", help="window size (default 1400x900)")
    p.add_argument("--sessions", default="sessions", metavar="ROOT", help="sessions root the app shows (default sessions/)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        if width < 200 or height < 150:
            raise ValueError
    except ValueError:
        raise UserError(f"--size must look like 1400x900 (at least 200x150), got {args.size!r}") from None
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
    from neurogym_app.qt.screenshots import render_view

    path = render_view(args.view, args.targets, args.out, sessions_root=args.sessions, size=(width, height))
    print(f"screenshot written to {path}")
    return 0
