"""A tiny real sweep shared by the sweep tests (a pytest plugin loaded by conftest).

2 tasks x 2 seeds, a few optimiser steps each: real agents, real recordings,
just short. The session-scoped ``tiny_sweep`` runs it once on the local
process pool; the Ray tests and the app's views reuse its table and folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

TASKS = ["PerceptualDecisionMaking-v0", "GoNogo-v0"]
SEEDS = [0, 1]
#: columns that may differ between runs of the same grid (time, where things were written)
VARYING = ("train_seconds", "agent", "session")


def tiny_settings(tasks: list[str] | None = None, seeds: list[int] | None = None, **overrides: Any):
    from neurogym_app.agents.sweep import SweepSettings

    values = dict(
        tasks=list(tasks or TASKS), seeds=list(seeds if seeds is not None else SEEDS), models=["gru"], hidden=[8],
        steps=12, lr=1e-2, batch_size=4, seq_len=30, eval_every=0, eval_trials=20, final_eval_trials=40,
        checkpoint_every=0, record_trials=16,
    )
    values.update(overrides)
    return SweepSettings(**values)


def tiny_cli_args(tasks: list[str] | None = None, seeds: list[int] | None = None) -> list[str]:
    """The same sweep as command-line options."""
    s = tiny_settings(tasks, seeds)
    return [
        "--tasks", *s.tasks, "--seeds", *map(str, s.seeds), "--models", *s.models, "--hidden", *map(str, s.hidden),
        "--steps", str(s.steps), "--lr", str(s.lr), "--batch-size", str(s.batch_size), "--seq-len", str(s.seq_len),
        "--eval-every", str(s.eval_every), "--eval-trials", str(s.eval_trials), "--final-trials", str(s.final_eval_trials),
        "--checkpoint-every", str(s.checkpoint_every), "--record-trials", str(s.record_trials),
    ]


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in VARYING} for r in rows]


def ray_env() -> dict[str, str]:
    """Environment for a Ray started by a test: no usage stats, workers import this tree."""
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH", "")
    return {"RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": root + (os.pathsep + path if path else "")}


def short_temp_dir() -> str:
    """A Ray temp dir short enough for its Unix sockets (<= 107 bytes)."""
    return tempfile.mkdtemp(prefix="r20-", dir="/tmp")


@pytest.fixture(scope="session")
def tiny_sweep(tmp_path_factory):
    """(folder, SweepResult) of the tiny sweep on a local pool of 2 workers."""
    from neurogym_app.agents.sweep import run_sweep
    from neurogym_app.agents.sweep_executors import LocalPool

    folder = tmp_path_factory.mktemp("sweeps") / "tiny"
    result = run_sweep(tiny_settings(), folder, LocalPool(2), progress=False)
    return folder, result
