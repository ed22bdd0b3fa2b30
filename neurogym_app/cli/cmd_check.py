"""`neurogym-app check [TASK...]`: run the conformance check."""

from __future__ import annotations

import argparse
import sys

from neurogym_app.core import registry
from neurogym_app.core.checks import check_task
from neurogym_app.tasks.discovery import last_problems


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("check", help="run the conformance check on tasks (default: all)")
    p.add_argument("tasks", nargs="*", help="task ids (default: every available task)")
    p.add_argument("--steps", type=int, default=1000, help="random-policy steps per run (default 1000)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    if args.steps < 1:
        raise registry.TaskParameterError(f"--steps must be at least 1, got {args.steps}")
    ids = args.tasks or [i for i, e in sorted(registry.entries().items()) if e.available]
    for task_id in args.tasks:
        registry.spec(task_id)  # unknown ids fail before any work
    failed = 0
    for task_id in ids:
        result = check_task(task_id, steps=args.steps)
        print(result.summary())
        failed += not result.ok
    problems = last_problems()
    for problem in problems:
        print(f"neurogym-app: {problem}", file=sys.stderr)
    print(f"{len(ids) - failed} passed, {failed} failed")
    return 1 if failed or problems else 0
