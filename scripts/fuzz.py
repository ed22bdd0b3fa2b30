"""Fuzz every registered task with more examples than CI does, and print the counts.

Runs the Hypothesis property of ``tests/test_fuzz_tasks.py`` (random valid
parameters -- dt, timing, noise --, seeds and action sequences; observations in
the space, info well formed, determinism per seed) with the ``fuzz`` profile
(100 examples per task; ``--examples N`` to change it) and prints, per task and
in total: examples run, examples the task refused with a one-line ValueError (a perturbed
timing it cannot nest, a 0 ms period leaving no step; with its message), steps, trials,
failures (with the falsifying example).

Usage::

    python scripts/fuzz.py                  # every available task, 100 examples each
    python scripts/fuzz.py --examples 30 GoNogo-v0 DelayMatchSample-v0
    python scripts/fuzz.py --no-psychopy    # skip the PsychoPy tasks (they need an X display)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
for p in (str(REPO), str(TESTS)):
    if p not in sys.path:
        sys.path.insert(0, p)


def _module():
    spec = importlib.util.spec_from_file_location("ngym_fuzz_tasks", TESTS / "test_fuzz_tasks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ngym_fuzz_tasks"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("tasks", nargs="*", help="task ids (default: every available one)")
    p.add_argument("--examples", type=int, default=100, help="examples per task (default 100)")
    p.add_argument("--no-psychopy", action="store_true", help="skip the psychopy.* tasks")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    fz = _module()
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "script",
        max_examples=args.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )
    fz.PSYCHOPY_EXAMPLES["script"] = max(1, args.examples // 7)
    ids = args.tasks or fz.ALL_IDS
    if args.no_psychopy:
        ids = [i for i in ids if not i.startswith("psychopy.")]
    if any(i.startswith("psychopy.") for i in ids) and not os.environ.get("DISPLAY"):
        try:
            import _xvfb

            _xvfb.ensure_xvfb()
        except BaseException as exc:  # pytest.fail raises a BaseException subclass
            print(f"no X display for the PsychoPy tasks ({exc}); skipping them")
            ids = [i for i in ids if not i.startswith("psychopy.")]
    failures: dict[str, str] = {}
    t_all = time.monotonic()
    for task_id in ids:
        t0 = time.monotonic()
        try:
            fz.run_fuzz(task_id, "script")
            state = "ok"
        except Exception as exc:
            state = "FAILED"
            failures[task_id] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        s = fz.STATS
        print(
            f"{task_id:<42} {state:<6} examples {s.examples[task_id]:>4}  refused {s.rejected[task_id]:>3}  "
            f"steps {s.steps[task_id]:>7}  trials {s.trials[task_id]:>5}  ({time.monotonic() - t0:.1f} s)",
            flush=True,
        )
    s = fz.STATS
    print()
    for task_id, reasons in sorted(s.reject_reasons.items()):
        for r in sorted(reasons)[:3]:
            print(f"refused ({task_id}): {r}")
    for task_id, text in failures.items():
        print(f"\nFAILURE {task_id}:\n{text}")
    total = sum(s.examples[i] for i in ids)
    print(
        f"\nfuzz: {len(ids)} tasks, {total} examples run ({sum(s.rejected[i] for i in ids)} refused with a one-line ValueError), "
        f"{sum(s.steps[i] for i in ids)} steps, {sum(s.trials[i] for i in ids)} trials; "
        f"failures: {len(failures)} task(s) ({time.monotonic() - t_all:.0f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
