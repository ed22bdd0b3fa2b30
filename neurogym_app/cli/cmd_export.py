"""`neurogym-app export SESSION --format bids|csv`: export a recorded session."""

from __future__ import annotations

import argparse

from neurogym_app.errors import UserError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "export",
        help="export a recorded session (BIDS-style events.tsv + sidecar, or the trials CSV)",
        description="Export SESSION (a run folder) from its steps.sqlite; works on interrupted runs.",
    )
    p.add_argument("session", metavar="SESSION", help="run folder, e.g. sessions/GoNogo-v0/P01_1_20250101T120000")
    p.add_argument("--format", choices=("bids", "csv"), default="bids", help="bids (default) or csv")
    p.add_argument("--out", metavar="DIR", help="output folder (default: SESSION/export)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.record.export import export_session

    try:
        files = export_session(args.session, args.format, args.out)
    except OSError as exc:
        where = f" to {exc.filename}" if getattr(exc, "filename", None) else ""
        raise UserError(f"cannot write the export{where}: {exc.strerror or exc}") from None
    for f in files:
        print(f)
    return 0
