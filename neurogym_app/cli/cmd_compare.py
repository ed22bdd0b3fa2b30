"""`neurogym-app compare SESSION [SESSION...] --out report.html|png`: sessions side by side.

People, agents and simulated players of one task: accuracy per condition,
psychometric and chronometric curves, with the Compare view's numbers and
figure (proportions: Wilson 95 %; mean RTs: t intervals; a maximum-likelihood
logistic fit); sessions of one player kind and task are also pooled. An
experiment folder stands for its task sessions; practice trials are left out
unless --include-practice. ``--out`` ending in ``.html``
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
    p.add_argument("sessions", nargs="+", metavar="SESSION", help="session or experiment folders")
    p.add_argument("--include-practice", action="store_true", help="count practice trials too (left out by default)")
    p.add_argument("--out", metavar="FILE", help="report file: .html, .png, .svg or .pdf")
    p.add_argument("--title", help="report title")
    p.add_argument("--no-pool", action="store_true", help="do not pool sessions of the same player kind")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.analysis.comparison import CompareModel
    from neurogym_app.analysis.metrics import entries_of, pool_by_kind, summarise_table
    from neurogym_app.record.jsonutil import dumps

    if not args.out and not args.json:
        raise CompareError("give --out report.html (or .png/.svg/.pdf), or --json")
    model = CompareModel(include_practice=args.include_practice)  # the Compare view's model: its numbers
    for path in args.sessions:
        model.add(path)
    entries = entries_of(model)
    pooled = [] if args.no_pool else pool_by_kind(entries)
    if args.out:
        from neurogym_app.plots.compare import REPORT_SUFFIXES, write_report

        if not args.out.lower().endswith(REPORT_SUFFIXES):
            raise CompareError(f"--out must end in {', '.join(REPORT_SUFFIXES)}, got {args.out}")
        path = write_report(args.out, model, entries, pooled, title=args.title)
        print(f"report written to {path}")
    if args.json:
        data = [
            {"label": e.label, "kind": e.kind, "task": e.task, "timing": e.timing, "path": str(e.path) if e.path else None,
             **summarise_table(e.table)}
            for e in [*entries, *pooled]
        ]
        print(dumps(data, indent=1))
    else:
        for e in [*entries, *pooled]:
            s = summarise_table(e.table)
            acc = s["accuracy"]
            ci = f" [{acc['lo']:.1%}, {acc['hi']:.1%}]" if acc["value"] is not None else ""
            value = f"{acc['value']:.1%}" if acc["value"] is not None else "-"
            print(f"  {e.label} ({e.kind}): {s['n_trials']} trials, accuracy {value}{ci}")
    return 0
