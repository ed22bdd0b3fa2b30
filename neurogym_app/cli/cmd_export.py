"""`neurogym-app export SESSION_OR_EXPERIMENT... --format bids|csv --out DIR`: export recorded sessions."""

from __future__ import annotations

import argparse
import sys

from neurogym_app.errors import UserError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "export",
        help="export recorded sessions (a BIDS dataset, or each trials table as CSV)",
        description=(
            "Export sessions from their steps.sqlite (works on interrupted runs). Give run folders, experiment "
            "folders or folders holding them. --format bids writes, or adds to, one BIDS dataset at --out: "
            "several sessions and participants merge into it, and files already there are never overwritten. "
            "Practice trials are left out unless --include-practice."
        ),
    )
    p.add_argument("sessions", nargs="+", metavar="SESSION_OR_EXPERIMENT", help="run or experiment folder(s), e.g. sessions/GoNogo-v0/P01_1_20250101T120000")
    p.add_argument("--include-practice", action="store_true", help="export practice trials too")
    p.add_argument("--format", choices=("bids", "csv"), default="bids", help="bids (default) or csv")
    p.add_argument("--out", metavar="DIR", help="BIDS dataset folder (default: FIRST/export/bids); csv: output folder (default: each SESSION/export)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.record.bids import export_bids
    from neurogym_app.record.export import export_sessions
    from neurogym_app.record.reader import experiment_summary

    for folder in args.sessions:
        state = experiment_summary(folder)
        if state:  # the real state of an experiment folder (a killed one is interrupted), on stderr beside the file list
            print(state, file=sys.stderr)
    try:
        if args.format == "bids":
            from pathlib import Path

            out = Path(args.out) if args.out else Path(args.sessions[0]) / "export" / "bids"
            result = export_bids(args.sessions, out, include_practice=args.include_practice)
            for stem in result.runs:
                print(f"added {stem}")
            for folder, stem in result.skipped:
                print(f"skipped {folder}: already in the dataset as {stem}")
            print(f"BIDS dataset: {result.dataset} ({len(result.runs)} run(s) added, {len(result.skipped)} already there)")
            return 0
        for f in export_sessions(args.sessions, args.format, args.out, include_practice=args.include_practice):
            print(f)
    except FileExistsError as exc:
        raise UserError(f"{exc.filename} is already in the dataset; nothing was overwritten (export into a new folder)") from None
    except OSError as exc:
        where = f" to {exc.filename}" if getattr(exc, "filename", None) else ""
        raise UserError(f"cannot write the export{where}: {exc.strerror or exc}") from None
    return 0
