"""Frames of the app's Play view with its live plots, a simulated participant in real time. Prints JSON.

The Play view runs in a real window (an X server: ``DISPLAY``, e.g. Xvfb
``-screen 0 1280x1024x24``; no vsync there, so frames are paced at 60 Hz by
the view's own timer and clock), with every live plot on, for ``--seconds``
of wall time: a simulated participant (``lapse``) plays PerceptualDecisionMaking
with the human timing. Variants: plots only, and plots plus ``--against``
the shipped PDM agent (its worker process plays each trial after the
person's). Reported per variant:

* ``frames``, ``dropped`` (frame interval > 1.5 refresh periods, as the runner
  counts them) and ``dropped_in_trial`` (drops while a trial's stimulus was on);
* ``interval_max_ms`` and ``interval_p99_ms`` of the frame intervals;
* ``frame_work_p50_ms`` / ``frame_work_p99_ms``: the GUI thread's work per
  frame, i.e. the runner's tick plus the plot redraws scheduled after it,
  plus every repaint Qt does before the next frame (stimulus canvas and plots);
  ``stimulus_work_p99_ms`` is the tick plus the canvas repaint alone;
* ``plot_jobs`` run and ``plot_jobs_deferred`` (a redraw waited for a later frame);
* ``slowest_1pct_by_step``: the frames above the frame-work p99, grouped by
  ``phase/redraw step`` they carried (``trial/-``: a stimulus frame with no
  redraw; ``feedback/paint:TimelinePlot``: a held plot repaint), count and mean ms.

    DISPLAY=:58 .venv/bin/python bench/play_view_frames.py --seconds 300 --variants plots,against

The machine's other load matters: say what else ran when quoting the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TASK = "PerceptualDecisionMaking-v0"
AGENT = ROOT / "assets" / "agents" / "PerceptualDecisionMaking_gru32"


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else 0.0


def _slowest(work: list[float], steps: list[str]) -> dict[str, Any]:
    """The frames above the 99th percentile of frame work: how many carried each (phase/redraw step), mean ms."""
    if not work:
        return {}
    cut = float(np.percentile(work, 99))
    groups: dict[str, list[float]] = {}
    for w, s in zip(work, steps):
        if w >= cut:
            groups.setdefault(s, []).append(w)
    return {k: [len(v), round(float(np.mean(v)), 2)] for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))}


def play_view_frames(seconds: float, against: bool, out: Path, plots: bool = True) -> dict[str, Any]:
    from PyQt6.QtWidgets import QApplication

    from neurogym_app.plots import live
    from neurogym_app.qt import play as play_module
    from neurogym_app.qt.stimulus import FitCanvas
    from neurogym_app.runtime.play_setup import PlayOptions

    app = QApplication.instance() or QApplication(sys.argv[:1])
    work: list[float] = []  # per frame: tick + scheduled redraws + the repaints that follow
    stim: list[float] = []
    phases: list[str] = []
    work_cpu: list[float] = []
    steps: list[str] = []  # per frame: the redraw step it carried ("" none), its phase
    paint = {"total": 0.0, "canvas": 0.0, "cpu": 0.0}

    def timed(cls: Any, key: str) -> None:
        original = cls.paintEvent

        def paint_event(self: Any, event: Any) -> None:
            t0, c0 = time.perf_counter(), time.thread_time()
            original(self, event)
            took = (time.perf_counter() - t0) * 1000.0
            paint["cpu"] += (time.thread_time() - c0) * 1000.0
            paint["total"] += took
            if key == "canvas":
                paint["canvas"] += took

        cls.paintEvent = paint_event

    timed(FitCanvas, "canvas")
    timed(live._Base, "plot")

    view = play_module.PlayView(sessions_root=out)
    view.resize(1280, 980)
    view.show()
    view.set_task(TASK)
    if not plots:  # the stimulus alone, as the standalone play window draws it
        view.timeline.parentWidget().hide()
    if against:
        view.set_against(AGENT)
    for _ in range(20):
        app.processEvents()
    ctl = view.controller
    state: dict[str, Any] = {"tick": 0.0, "open": False, "phase": "", "step": None}
    original_timeout = ctl._on_timeout

    def on_timeout() -> None:
        if state["open"]:  # close the previous frame: its tick, redraws and the repaints since
            work.append(state["tick"] + paint["total"])
            work_cpu.append(state["tick_cpu"] + paint["cpu"])
            stim.append(state["tick_only"] + paint["canvas"])
            steps.append(f"{state['phase']}/{state['step'] or '-'}")
        paint["total"] = paint["canvas"] = paint["cpu"] = 0.0
        session = ctl.session
        phases.append(session.runner.phase if session is not None else "")
        state["phase"] = phases[-1]
        view.budget.last = None
        t0, c0 = time.perf_counter(), time.thread_time()
        tick_end = {"t": 0.0}
        original_after = view._between_frames

        def after(tick_start: float) -> None:
            tick_end["t"] = time.perf_counter()
            original_after(tick_start)

        ctl.after_tick = after
        original_timeout()
        t1 = time.perf_counter()
        state["tick"] = (t1 - t0) * 1000.0
        state["tick_cpu"] = (time.thread_time() - c0) * 1000.0
        state["tick_only"] = ((tick_end["t"] or t1) - t0) * 1000.0
        state["open"] = True
        state["step"] = view.budget.last

    ctl.timer.timeout.disconnect()
    ctl.timer.timeout.connect(on_timeout)
    opts = PlayOptions(TASK, participant="bench", n_trials=100_000, seed=1, player="lapse", rt_mean_ms=450.0)
    session = view.start(opts)
    if session is None:
        raise RuntimeError(view.message.text())
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end and ctl.running:
        app.processEvents()
        time.sleep(0.0005)
    st = session.runner.stats
    intervals = np.asarray(list(st.intervals)) * 1000.0
    period = 1000.0 / ctl.refresh_hz
    dropped_flags = intervals > 1.5 * period
    # intervals[i] ends at frame i+1 (the first frame has none); phases[k] is the phase at tick k
    frame_phase = phases[1 : 1 + len(intervals)] if len(phases) > len(intervals) else phases[-len(intervals) :]
    in_trial = sum(1 for d, p in zip(dropped_flags, frame_phase) if d and p == "trial")
    n_trials = len(session.table)
    agent_trials = 0
    view.stop()
    if session.against is not None:
        agent_trials = sum(len(t) for t in session.against.model.tables.values())
    return {
        "variant": ("plots+against" if against else "plots") if plots else "stimulus only",
        "seconds": seconds,
        "trials": n_trials,
        "agent_trials": agent_trials,
        "frames": int(st.frames),
        "dropped": int(st.dropped),
        "dropped_in_trial": int(in_trial),
        "interval_p99_ms": _pct(list(intervals), 99),
        "interval_max_ms": round(float(intervals.max()), 3) if intervals.size else 0.0,
        "frame_work_p50_ms": _pct(work, 50),
        "frame_work_p99_ms": _pct(work, 99),
        "frame_work_max_ms": round(max(work), 3) if work else 0.0,
        "frame_work_cpu_p50_ms": _pct(work_cpu, 50),
        "frame_work_cpu_p99_ms": _pct(work_cpu, 99),
        "stimulus_work_p99_ms": _pct(stim, 99),
        "slowest_1pct_by_step": _slowest(work, steps),
        "plot_cost_ms": {k: round(v, 2) for k, v in view.budget.cost_ms.items()},
        "plot_jobs": view.budget.done,
        "plot_jobs_deferred": view.budget.deferred,
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--variants", default="stimulus,plots,against", help="any of stimulus (plots hidden), plots, against")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("bench/play_view_frames.py needs an X display (e.g. Xvfb :58 -screen 0 1280x1024x24 and DISPLAY=:58)")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    results = []
    with tempfile.TemporaryDirectory(prefix="ngym-frames-") as tmp:
        for variant in args.variants.split(","):
            results.append(play_view_frames(args.seconds, variant == "against", Path(tmp) / variant, plots=variant != "stimulus"))
    print(json.dumps({"cases": results}, indent=1))


if __name__ == "__main__":
    main()
