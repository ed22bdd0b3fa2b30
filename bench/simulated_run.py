"""Time a headless simulated run of 100 PDM trials: default (not drawn), ``--backend null`` and ``--draw``. Prints JSON.

``play PerceptualDecisionMaking-v0 --auto psychometric --headless --trials 100`` must take at
most 1.5x the ``--backend null`` time (the same record: frames are timed, not drawn);
``--draw`` (every frame painted offscreen) is shown for comparison. Each run is a fresh
process (imports included, as a user runs it); the median of ``--repeats`` runs is reported.

    .venv/bin/python bench/simulated_run.py [--trials 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(extra: list[str], trials: int, out: Path) -> float:
    cmd = [sys.executable, "-m", "neurogym_app.cli.main", "play", "PerceptualDecisionMaking-v0", "--auto", "psychometric",
           "--headless", "--trials", str(trials), "--seed", "1", "--out", str(out), *extra]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-draw", action="store_true", help="skip the slow --draw comparison")
    args = parser.parse_args()
    variants = {"default": [], "null": ["--backend", "null"]}
    if not args.no_draw:
        variants["draw"] = ["--draw"]
    times: dict[str, list[float]] = {k: [] for k in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for name, extra in variants.items():  # interleaved, so load changes hit every variant alike
                if name == "draw" and i > 0:
                    continue  # one drawn run is enough to show the difference
                times[name].append(run_once(extra, args.trials, Path(tmp) / f"{name}{i}"))
    med = {k: statistics.median(v) for k, v in times.items() if v}
    out = {
        "trials": args.trials,
        "seconds": med,
        "runs": times,
        "ratio_vs_null": med["default"] / med["null"],
        "draw_ratio_vs_null": med["draw"] / med["null"] if "draw" in med else None,
        "target_ratio": 1.5,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
