"""`neurogym-app verify SESSION`: regenerate a recorded run and check it bit for bit.

The task is rebuilt from the manifest, reset with the recorded seed (or, for a
run given another session's trials, each trial rebuilt from its variables),
and the recorded actions are replayed. Exit 0 if every observation, ground
truth and reward is bit-identical; 1 with the first mismatch otherwise.
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "verify",
        help="regenerate a recorded session from its seed and actions; exit 1 on the first mismatch",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("sessions", nargs="+", metavar="SESSION", help="session or experiment folder(s)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.record.verify import verify_folder

    failed = 0
    for path in args.sessions:
        for report in verify_folder(path):
            print(report.summary())
            failed += not report.identical
    return 1 if failed else 0
