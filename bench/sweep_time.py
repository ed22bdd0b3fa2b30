#!/usr/bin/env python
"""Benchmark: an 8-point sweep serially, on the local process pool, and on a local Ray cluster.

Standalone; prints one JSON object. The grid is 2 tasks (PerceptualDecisionMaking,
GoNogo) x 4 seeds, GRU 16, ``--steps`` optimiser steps per point, each point
trained, evaluated and recorded exactly as ``neurogym-app sweep`` does it.

* serial: ``LocalPool(1)`` - one worker process, the points one after another;
* pool: ``LocalPool(--workers)`` - the speed-up is serial wall / pool wall;
* ray: ``RayCluster(workers=--workers)`` on a Ray started for the run (no
  dashboard, 80 MB object store); ``ray_start_s`` is ``ray.init`` alone and the
  overhead per point is (Ray wall without its start - pool wall) / points.

Each wall time includes starting the workers (a fresh interpreter importing
torch each). The three tables must be identical (training seconds and paths
aside); ``tables_identical`` says so.

    .venv/bin/python bench/sweep_time.py               # 8 points, 150 steps, 2 workers
    .venv/bin/python bench/sweep_time.py --steps 300
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TASKS = ["PerceptualDecisionMaking-v0", "GoNogo-v0"]
VARYING = ("train_seconds", "agent", "session")


def _settings(args):
    from neurogym_app.agents.sweep import SweepSettings

    return SweepSettings(
        tasks=TASKS, seeds=list(range(args.seeds)), models=["gru"], hidden=[16], steps=args.steps, lr=1e-2, batch_size=16,
        seq_len=50, eval_every=0, eval_trials=100, final_eval_trials=200, checkpoint_every=0, record_trials=50,
    )


def _timed(settings, folder, executor):
    from neurogym_app.agents.sweep import run_sweep

    t0 = time.perf_counter()
    result = run_sweep(settings, folder, executor, progress=False)
    wall = time.perf_counter() - t0
    if result.failed:
        raise RuntimeError(f"{result.failed} point(s) failed: {[r['error'] for r in result.rows if r['status'] != 'ok']}")
    return wall, result.rows


def _comparable(rows):
    return [{k: v for k, v in r.items() if k not in VARYING} for r in rows]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--seeds", type=int, default=4, help="seeds per task (points = 2 x seeds)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-ray", action="store_true")
    args = p.parse_args()

    from neurogym_app.agents.sweep_executors import LocalPool, RayCluster

    settings = _settings(args)
    n = len(settings.points())
    out: dict = {"points": n, "steps": args.steps, "workers": args.workers, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="sweep-bench-", dir="/tmp") as tmp:
        serial_s, serial_rows = _timed(settings, Path(tmp) / "serial", LocalPool(1))
        pool_s, pool_rows = _timed(settings, Path(tmp) / "pool", LocalPool(args.workers))
        out.update(serial_s=round(serial_s, 2), pool_s=round(pool_s, 2), speedup=round(serial_s / pool_s, 2),
                   train_seconds_sum=round(sum(r["train_seconds"] for r in pool_rows), 2))
        identical = _comparable(serial_rows) == _comparable(pool_rows)
        if not args.no_ray:
            import ray

            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            temp = tempfile.mkdtemp(prefix="rb-", dir="/tmp")
            t0 = time.perf_counter()
            ray.init(num_cpus=args.workers, include_dashboard=False, object_store_memory=80 * 1024 * 1024, _temp_dir=temp,
                     log_to_driver=False)
            start_s = time.perf_counter() - t0
            try:
                ray_s, ray_rows = _timed(settings, Path(tmp) / "ray", RayCluster())
            finally:
                ray.shutdown()
            out.update(ray_start_s=round(start_s, 2), ray_s=round(ray_s, 2),
                       ray_overhead_per_point_s=round((ray_s - pool_s) / n, 3), ray_version=ray.__version__)
            identical = identical and _comparable(ray_rows) == _comparable(pool_rows)
        out["tables_identical"] = identical
    try:
        out["load_average_1min"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
