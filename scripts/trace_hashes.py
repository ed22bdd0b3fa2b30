"""Fingerprints of every task's seeded run, to catch a change of what tasks produce.

A recorded session is rebuilt trial by trial from its seeds (``neurogym-app
verify``, replay, ``run-agent --match``), so the observations, rewards, infos
and trials a task gives for a seed and a sequence of actions must not change
by accident — not when code is made faster, not when it is tidied.

    .venv/bin/python scripts/trace_hashes.py           # compare with tests/data/trace_hashes.json
    .venv/bin/python scripts/trace_hashes.py --write   # after an intended change: record anew

``tests/test_trace_hashes.py`` runs the comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HASHES = ROOT / "tests" / "data" / "trace_hashes.json"
STEPS = 1000
SEED = 123
ACTION_SEED = 7


def _feed(h: Any, x: Any) -> None:
    """Hash ``x`` with its types: a float 1.0 and a numpy float32 1.0 differ."""
    if isinstance(x, np.ndarray):
        h.update(f"nd{x.dtype.str}{x.shape}".encode())
        h.update(np.ascontiguousarray(x).tobytes())
    elif isinstance(x, np.generic):
        h.update(f"np{type(x).__name__}{x.item()!r}".encode())
    elif isinstance(x, dict):
        h.update(b"{")
        for k, v in x.items():
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    elif isinstance(x, (list, tuple)):
        h.update(type(x).__name__.encode() + b"[")
        for v in x:
            _feed(h, v)
        h.update(b"]")
    elif isinstance(x, (int, float, str, bool, type(None))):
        h.update(f"{type(x).__name__}{x!r}".encode())
    else:
        h.update(f"{type(x).__name__}".encode())


def trace_hash(task_id: str, steps: int = STEPS) -> str:
    """SHA-256 of a seeded random-policy run: reset, steps, resets, and one rebuilt trial."""
    import neurogym_app as ngym

    env = ngym.make(task_id)
    h = hashlib.sha256()
    _feed(h, env.reset(seed=SEED))
    space = env.action_space
    space.seed(ACTION_SEED)
    for _ in range(steps):
        out = env.step(space.sample())
        _feed(h, out)
        if out[2] or out[3]:
            _feed(h, env.reset())
    task = env.unwrapped
    if getattr(task, "trial", None) is not None:
        task.new_trial(**dict(task.trial))
        _feed(h, (task.ob, task.gt, task.trial))
    return h.hexdigest()


def task_ids() -> list[str]:
    import neurogym_app as ngym

    return [i for i in ngym.all_envs(contrib=True, collections=True, custom=False) if not i.startswith("psychopy.")]


def compute() -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {task_id: trace_hash(task_id) for task_id in task_ids()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"record the fingerprints in {HASHES.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    now = compute()
    if args.write:
        HASHES.write_text(json.dumps({"numpy": np.__version__, "steps": STEPS, "hashes": now}, indent=1) + "\n")
        print(f"wrote {len(now)} fingerprints to {HASHES}")
        return 0
    recorded = json.loads(HASHES.read_text())["hashes"]
    changed = sorted(t for t in now if recorded.get(t) != now[t])
    for task_id in changed:
        print(f"{task_id}: {'new task' if task_id not in recorded else 'changed'}")
    print(f"{len(now)} tasks, {len(changed)} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
