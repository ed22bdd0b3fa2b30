"""`neurogym-app export SESSION --format bids|csv`: export a recorded session."""

from __future__ import annotations

import argparse
import sys

from neurogym_app.errors import UserError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "export",
        help="export a recorded session (BIDS-style events.tsv + sidecar, or the trials CSV)",
        description="Export SESSION (a run folder, or an experiment folder: each of its task sessions) from "
        "steps.sqlite; works on interrupted runs. Practice trials are left out unless --include-practice.",
    )
    p.add_argument("session", metavar="SESSION", help="run folder, e.g. sessions/GoNogo-v0/P01_1_20250101T120000")
    p.add_argument("--include-practice", action="store_true", help="export practice trials too")
    p.add_argument("--format", choices=("bids", "csv"), default="bids", help="bids (default) or csv")
    p.add_argument("--out", metavar="DIR", help="output folder (default: SESSION/export)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.record.export import export_folder
    from neurogym_app.record.reader import experiment_summary

    state = experiment_summary(args.session)
    if state:  # the real state of an experiment folder (a killed one is interrupted), on stderr beside the file list
        print(state, file=sys.stderr)
    try:
        files = export_folder(args.session, args.format, args.out, include_practice=args.include_practice)
    except OSError as exc:
        where = f" to {exc.filename}" if getattr(exc, "filename", None) else ""
        raise UserError(f"cannot write the export{where}: {exc.strerror or exc}") from None
    for f in files:
        print(f)
    return 0
