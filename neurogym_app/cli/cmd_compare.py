"""`neurogym-app compare SESSION [SESSION...] --out report.html|png`: sessions side by side.

People, agents and simulated players of one task: accuracy per condition,
psychometric and chronometric curves, each with bootstrap 95 % intervals;
sessions of one player kind are also pooled. ``--out`` ending in ``.html``
writes a page (figure and tables); ``.png``/``.svg``/``.pdf`` the figure only.
``--json`` prints the numbers.
"""

from __future__ import annotations

import argparse

from neurogym_app.errors import UserError


class CompareError(UserError):
    """A bad compare option."""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "compare",
        help="compare recorded sessions (people, agents): accuracy, psychometric and chronometric curves",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("sessions", nargs="+", metavar="SESSION", help="session folders")
    p.add_argument("--out", metavar="FILE", help="report file: .html, .png, .svg or .pdf")
    p.add_argument("--title", help="report title")
    p.add_argument("--boot", type=int, default=2000, metavar="N", help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--no-pool", action="store_true", help="do not pool sessions of the same player kind")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.analysis.metrics import load_sessions, pool_by_kind, summarise_table
    from neurogym_app.record.jsonutil import dumps

    if args.boot < 10:
        raise CompareError(f"--boot must be at least 10, got {args.boot}")
    if not args.out and not args.json:
        raise CompareError("give --out report.html (or .png/.svg/.pdf), or --json")
    entries = load_sessions(args.sessions)
    pooled = [] if args.no_pool else pool_by_kind(entries)
    if args.out:
        from neurogym_app.plots.compare import REPORT_SUFFIXES, write_report

        if not args.out.lower().endswith(REPORT_SUFFIXES):
            raise CompareError(f"--out must end in {', '.join(REPORT_SUFFIXES)}, got {args.out}")
        path = write_report(args.out, entries, pooled, n_boot=args.boot, seed=args.seed, title=args.title)
        print(f"report written to {path}")
    if args.json:
        data = [
            {"label": e.label, "kind": e.kind, "task": e.task, "timing": e.timing, "path": str(e.path) if e.path else None,
             **summarise_table(e.table, args.boot, args.seed)}
            for e in [*entries, *pooled]
        ]
        print(dumps(data, indent=1))
    else:
        for e in [*entries, *pooled]:
            s = summarise_table(e.table, min(args.boot, 500), args.seed)
            acc = s["accuracy"]
            ci = f" [{acc['lo']:.1%}, {acc['hi']:.1%}]" if acc["value"] is not None else ""
            value = f"{acc['value']:.1%}" if acc["value"] is not None else "-"
            print(f"  {e.label} ({e.kind}): {s['n_trials']} trials, accuracy {value}{ci}")
    return 0
