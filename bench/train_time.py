#!/usr/bin/env python
"""Benchmark: seconds of training until an RNN reaches 80 % correct on PerceptualDecisionMaking.

Standalone; prints one JSON object. Accuracy is closed-loop, on held-out
trials (the task scores each trial; 0 % coherence trials cap it near 90 %),
checked every ``--eval-every`` steps on ``--eval-trials`` trials. The clock
counts training only (batches, forward, backward, optimiser); evaluations are
excluded (``wall_seconds_incl_evaluation`` shows the total). Reaching the target
means ``--patience`` (default 2) consecutive evaluations at or above it.
dt = 100 ms, default timing.

    .venv/bin/python bench/train_time.py                 # the default recipe
    .venv/bin/python bench/train_time.py --threads 2     # compare torch threads
    .venv/bin/python bench/train_time.py --model lstm --hidden 64 --lr 1e-2 --seq-len 100
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

TASK = "PerceptualDecisionMaking-v0"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="gru", choices=("rnn", "gru", "lstm"))
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=50)
    p.add_argument("--max-steps", type=int, default=3000)
    p.add_argument("--target", type=float, default=0.8)
    p.add_argument("--eval-every", type=int, default=25)
    p.add_argument("--eval-trials", type=int, default=400)
    p.add_argument("--patience", type=int, default=2, help="consecutive evaluations >= target that count as reaching it")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=1, help="independent runs (seeds seed, seed+1, ...)")
    args = p.parse_args()

    import torch

    from neurogym_app.agents.train import train

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            seed = args.seed + r
            evals: list[float] = []
            t_wall = time.perf_counter()

            def on_eval(row, evals=evals):
                evals.append(row["accuracy_default"])

            result = train(
                TASK, out=Path(tmp) / f"run{r}", model=args.model, hidden_size=args.hidden, lr=args.lr,
                batch_size=args.batch_size, seq_len=args.seq_len, steps=args.max_steps, seed=seed, threads=args.threads,
                eval_every=args.eval_every, eval_trials=args.eval_trials, final_eval_trials=1000, checkpoint_every=0,
                target_accuracy=args.target, stop_at_target=True, target_patience=args.patience, progress=False, plot=False, on_eval=on_eval,
            )
            wall = time.perf_counter() - t_wall
            runs.append({
                "seed": seed,
                "seconds_to_target": None if result.seconds_to_target is None else round(result.seconds_to_target, 2),
                "steps_to_target": result.evaluation["steps_trained"] if result.seconds_to_target is not None else None,
                "train_seconds": round(result.train_seconds, 2),
                "wall_seconds_incl_evaluation": round(wall, 2),
                "final_accuracy_default": round(result.evaluation["held_out"]["default"]["accuracy"], 3),
                "final_accuracy_human": round(result.evaluation["held_out"].get("human", {}).get("accuracy", float("nan")), 3),
            })
    reached = [r["seconds_to_target"] for r in runs if r["seconds_to_target"] is not None]
    out = {
        "benchmark": "seconds of training to reach 80% correct (closed loop, held-out trials)",
        "task": TASK,
        "dt_ms": 100,
        "target_accuracy": args.target,
        "seconds_to_target": max(reached) if len(reached) == len(runs) else None,
        "median_seconds_to_target": sorted(reached)[len(reached) // 2] if reached else None,
        "under_60_s": bool(reached) and len(reached) == len(runs) and max(reached) < 60,
        "recipe": {k: getattr(args, k) for k in ("model", "hidden", "lr", "batch_size", "seq_len", "eval_every", "eval_trials", "patience", "threads")},
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2), "torch": torch.__version__, "torch_threads": torch.get_num_threads()},
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
