"""Time the desktop app's plot updates with many trials (offscreen Qt). Prints JSON.

Wall times suffer when other processes hold the cores; ``update_cpu_ms`` is
the same update in this thread's CPU time.

The Play view's plots are updated after every trial: append the trial to the
session's ``TrialTable``, then recompute and ``setData`` the running
accuracy (moving window + per block), the RT histogram and the psychometric
curve. This measures that update (``update_ms``, the target is < 5 ms at
10 000 trials), its parts, the scrolling timeline's update, the Compare
view's full refresh and, separately, the time Qt then takes to paint the
plots (``render_ms``: paid once per throttled redraw, not per trial).

    .venv/bin/python bench/plot_update.py [--trials 10000] [--repeats 50]

``plot_update(n_trials, repeats)`` is the case function for ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402


def _stats(values_s: list[float]) -> dict[str, float]:
    ms = np.asarray(values_s) * 1000.0
    return {
        "p50": round(float(np.percentile(ms, 50)), 3),
        "p95": round(float(np.percentile(ms, 95)), 3),
        "max": round(float(ms.max()), 3),
    }


def _rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    cohs = np.array([0, 6.4, 12.8, 25.6, 51.2])
    rows = []
    for i in range(n):
        gt = int(rng.integers(1, 3))
        coh = float(rng.choice(cohs))
        s = coh if gt == 1 else -coh
        p = 0.5 + 0.5 * (1 - np.exp(-((coh / 12.0) ** 1.4)))
        correct = rng.random() < p
        rows.append(
            {
                "trial": i, "block": 1 + i // 500, "ground_truth": gt - 1, "coh": coh, "signed_strength": s,
                "gt": gt, "choice": gt if correct else 3 - gt, "correct": int(correct),
                "outcome": "correct" if correct else "wrong", "rt_ms": float(rng.lognormal(6.0, 0.3)), "reward": float(correct),
            }
        )
    return rows


def plot_update(n_trials: int = 10_000, repeats: int = 50) -> dict[str, Any]:
    from PyQt6.QtWidgets import QApplication

    from neurogym_app.analysis.comparison import CompareEntry
    from neurogym_app.analysis.trial_table import TimelineModel, TrialTable
    from neurogym_app.plots.live import AccuracyPlot, CurvePlot, RTHistogramPlot, TimelinePlot
    from neurogym_app.qt.compare import CompareView

    app = QApplication.instance() or QApplication([])
    rows = _rows(n_trials + repeats + 5)
    table = TrialTable.from_rows(rows[:n_trials], condition_vars=("ground_truth", "coh"), strength_var="coh")
    acc, rt, psy = AccuracyPlot(), RTHistogramPlot(), CurvePlot("Psychometric", "s", "p", ylim=(0, 1))
    for w in (acc, rt, psy):
        w.resize(480, 320)
        w.show()
    app.processEvents()

    def update() -> tuple[float, float, float, float]:
        t0 = time.perf_counter()
        acc.update_from(table)
        t1 = time.perf_counter()
        rt.update_from(table)
        t2 = time.perf_counter()
        psy.set_curve("session", table.psychometric(), color=(31, 119, 180), legend="")
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, t3 - t0

    cpu: list[float] = []
    render_cpu: list[float] = []

    for _ in range(3):  # warm-up (first setData allocates)
        update()
    parts: dict[str, list[float]] = {"append": [], "accuracy": [], "rt_histogram": [], "psychometric": [], "update": [], "render": []}
    for k in range(repeats):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        table.append(rows[n_trials + k])
        t_append = time.perf_counter() - t0
        a, r, p, total = update()
        cpu.append(time.thread_time() - c0)
        parts["append"].append(t_append)
        parts["accuracy"].append(a)
        parts["rt_histogram"].append(r)
        parts["psychometric"].append(p)
        parts["update"].append(t_append + total)
        t0, c0 = time.perf_counter(), time.thread_time()
        for w in (acc, rt, psy):
            w.grab()
        parts["render"].append(time.perf_counter() - t0)
        render_cpu.append(time.thread_time() - c0)

    # the scrolling timeline: 12 trials of 35 steps, 3 channels
    timeline = TimelineModel()

    class _Rec:
        def __init__(self, i: int) -> None:
            self.index = i
            self.arrays = {"step_start": i * 4.0 + np.arange(35) * 0.1, "observation": np.random.default_rng(i).random((35, 3))}
            self.events = []
            self.summary = {"outcome": "correct", "reward": 1.0, "trial_end_s": i * 4.0 + 3.5, "choice_label": "left", "rt_ms": 400.0, "onset_decision_s": i * 4.0 + 1.5}

    tl = TimelinePlot()
    tl.resize(900, 260)
    tl.show()
    for i in range(12):
        timeline.add_record(_Rec(i), {"fixation": (0, 5), "stimulus": (5, 15), "decision": (15, 35)}, 0.1, rt_from="decision")
    timeline.now = 12 * 4.0
    t_timeline = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tl.update_from(timeline)
        t_timeline.append(time.perf_counter() - t0)

    # the Compare view: 4 sessions of n_trials / 4 trials, full refresh
    view = CompareView()
    view.resize(1200, 700)
    view.show()
    chunk = n_trials // 4
    for j in range(4):
        t = TrialTable.from_rows(rows[j * chunk : (j + 1) * chunk], condition_vars=("ground_truth", "coh"), strength_var="coh", label=f"s{j}")
        view.model.entries.append(CompareEntry(Path(f"/s{j}"), f"s{j}", "human" if j < 2 else "agent", "PerceptualDecisionMaking-v0", t))
    t_compare = []
    for _ in range(max(3, repeats // 10)):
        t0 = time.perf_counter()
        view.refresh()
        t_compare.append(time.perf_counter() - t0)
    app.processEvents()
    return {
        "case": "plot_update",
        "n_trials": n_trials,
        "repeats": repeats,
        "target": "update_ms p50 < 5 ms at 10 000 trials",
        "update_ms": _stats(parts["update"]),
        "update_cpu_ms": _stats(cpu),
        "parts_ms": {k: _stats(v) for k, v in parts.items() if k not in ("update", "render")},
        "render_ms": _stats(parts["render"]),
        "render_cpu_ms": _stats(render_cpu),
        "timeline_update_ms": _stats(t_timeline),
        "compare_refresh_ms": _stats(t_compare),
        "items_reused": acc.running is acc.running and len(acc.running.getData()[0]) == n_trials + repeats,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the app's plot updates with many trials; prints JSON.")
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)
    print(json.dumps(plot_update(args.trials, args.repeats), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
