"""Per-frame CPU work of human play at 60 Hz: building the Scene and drawing it with QPainter.

For each task and view kind, a trial is played frame by frame at 60 Hz (the
step shown is the one the frame falls in); every frame's ``view.scene(state)``
and its QPainter draw into an offscreen 1024x768 image are timed. Prints JSON:
per case the p50/p99/max of scene building, drawing and their total (wall
time, ms) and of the thread's CPU time for both (``cpu_ms``: not inflated when
other processes hold the cores), against the 16.7 ms frame budget.

    .venv/bin/python bench/frame_work.py [--frames N] [--size 1024x768] [--tasks A,B]

``frame_work(task_id, kind, n_frames, size)`` is the case function for
``bench/run.py``.
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

FRAME_HZ = 60.0
DEFAULT_TASKS = ["PerceptualDecisionMaking-v0", "ContextDecisionMaking-v0", "GoNogo-v0", "DelayMatchSample-v0", "ReadySetGo-v0"]


def _stats(values_s: list[float]) -> dict[str, float]:
    ms = np.asarray(values_s) * 1000.0
    return {
        "p50": round(float(np.percentile(ms, 50)), 3),
        "p99": round(float(np.percentile(ms, 99)), 3),
        "max": round(float(ms.max()), 3),
    }


def frame_work(
    task_id: str, kind: str = "natural", n_frames: int = 600, size: tuple[int, int] = (1024, 768), seed: int = 0, warmup: int = 30
) -> dict[str, Any]:
    """Time scene building and QPainter drawing of ``n_frames`` frames of ``task_id`` at 60 Hz (after ``warmup``)."""
    from PyQt6.QtGui import QImage, QPainter

    import neurogym_app as ngym
    from neurogym_app.stimuli.backends.qpainter import ensure_app, render_scene
    from neurogym_app.stimuli.scene import Geometry
    from neurogym_app.stimuli.views import StepState, make_view

    ensure_app()
    try:
        env = ngym.make(task_id, timing="human")
    except Exception:  # a task without a human timing preset
        env = ngym.make(task_id)
    env.reset(seed=seed)
    task = env.unwrapped
    geometry = Geometry(size=size)
    view = make_view(env, kind, geometry, caption="F = left     J = right")
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    names = getattr(task.observation_space, "name", None)
    scene_s: list[float] = []
    draw_s: list[float] = []
    total_s: list[float] = []
    cpu_s: list[float] = []
    frame = -warmup  # warm-up frames (font and raster caches) are drawn but not counted
    t_in_trial = 0.0
    while frame < n_frames:
        step = int(t_in_trial // task.dt)
        if step >= task.n_steps:  # next trial
            task.new_trial()
            t_in_trial = 0.0
            continue
        c0 = time.thread_time()
        t0 = time.perf_counter()
        state = StepState(
            ob=task.ob[step], trial=task.trial, period=task.period_at(step), t_ms=t_in_trial,
            frame_s=frame / FRAME_HZ, obs_space_names=names,
        )
        scene = view.scene(state)
        t1 = time.perf_counter()
        painter = QPainter(image)
        render_scene(scene, painter, geometry)
        painter.end()
        t2 = time.perf_counter()
        c2 = time.thread_time()
        if frame >= 0:
            cpu_s.append(c2 - c0)
            scene_s.append(t1 - t0)
            draw_s.append(t2 - t1)
            total_s.append(t2 - t0)
        frame += 1
        t_in_trial += 1000.0 / FRAME_HZ
    total = _stats(total_s)
    return {
        "task": task_id,
        "view": getattr(view, "kind", kind),
        "frames": n_frames,
        "size": list(size),
        "scene_ms": _stats(scene_s),
        "draw_ms": _stats(draw_s),
        "total_ms": total,
        "cpu_ms": _stats(cpu_s),
        "budget_ms": round(1000.0 / FRAME_HZ, 3),
        "within_budget_p99": total["p99"] < 1000.0 / FRAME_HZ,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=600, help="frames per case (default 600 = 10 s at 60 Hz)")
    parser.add_argument("--size", default="1024x768", help="drawing size WxH (default 1024x768)")
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS), help="comma-separated task ids")
    parser.add_argument("--views", default="agent,natural", help="view kinds (default agent,natural)")
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    cases = [
        frame_work(task_id, kind, args.frames, (w, h))
        for task_id in [t for t in args.tasks.split(",") if t]
        for kind in [k for k in args.views.split(",") if k]
    ]
    worst = max(c["total_ms"]["p99"] for c in cases) if cases else None
    worst_cpu = max(c["cpu_ms"]["p99"] for c in cases) if cases else None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    out = {"case": "frame_work", "hz": FRAME_HZ, "worst_p99_ms": worst, "worst_cpu_p99_ms": worst_cpu, "load_1min": load, "cases": cases}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
