"""Peak memory of a 1-hour simulated session, and whether it stays flat (prints JSON).

A simulated participant plays ``--task`` headless through the real play path
(``runtime.play.play``: runner, recorder writing the run folder, null display,
virtual clock) for ``--hours`` of task time (60 Hz frames, so one hour is
216 000 frames; the session is stopped there). Every ``--every`` trials the
process is sampled after ``gc.collect()``: RSS (the process as the OS sees it)
and, unless ``--no-tracemalloc``, the Python heap as tracemalloc counts it.

Reported: the peak RSS (``ru_maxrss``) and the peak traced heap, and the
growth between the first and the last quarter of the session (mean of the
samples in the last quarter minus mean of those in the first). The target is
"flat": RSS growth < 5 MB over the hour. The runner keeps one summary row per
trial in memory by design (``runner.rows``, what the CLI and the app
summarise), so the heap grows by about that much; ``rows_bytes_per_trial``
estimates it.

    .venv/bin/python bench/memory.py [--hours 1] [--task PerceptualDecisionMaking-v0] [--every 25]

``memory(hours, task, every, heap)`` is the case function for ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MB = 2**20
FRAME_HZ = 60.0
RSS_FLAT_MB = 5.0  # the target: RSS growth first -> last quarter below this


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _quarter_growth(samples: list[dict[str, Any]], key: str) -> float | None:
    """Mean of ``key`` over the last quarter of the samples minus the mean over the first quarter (bytes)."""
    values = [s[key] for s in samples if s.get(key) is not None]
    if len(values) < 4:
        return None
    q = len(values) // 4
    return statistics.fmean(values[-q:]) - statistics.fmean(values[:q])


def memory(hours: float = 1.0, task: str = "PerceptualDecisionMaking-v0", every: int = 25, heap: bool = True, seed: int = 1) -> dict[str, Any]:
    from neurogym_app.config.limits import MAX_TRIALS
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions

    clock = FakeClock()
    samples: list[dict[str, Any]] = []
    t_wall0 = time.perf_counter()

    def sample(trials_done: int) -> None:
        gc.collect()
        samples.append({
            "trial": trials_done,
            "task_s": round(clock.now(), 1),
            "rss": rss_bytes(),
            "heap": tracemalloc.get_traced_memory()[0] if heap else None,
        })

    def on_trial(row: dict[str, Any]) -> None:
        k = int(row["trial"]) + 1
        if k % every == 0:
            sample(k)

    max_frames = int(round(hours * 3600 * FRAME_HZ))
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="ngym-bench-memory-", dir=base) as tmp:
        options = PlayOptions(
            task_id=task, out=Path(tmp), participant="bench-memory", n_trials=MAX_TRIALS, seed=seed, timing="human",
            player="oracle", virtual_clock=True, feedback=True, feedback_ms=500, iti_ms=500,
        )
        if heap:
            tracemalloc.start()
        try:
            res = play(options, NullDisplay(clock, FRAME_HZ), clock, on_trial=on_trial, max_frames=max_frames)
            heap_peak = tracemalloc.get_traced_memory()[1] if heap else None
        finally:
            if heap:
                tracemalloc.stop()
        n_trials = len(res.rows)
        rows_bytes = None
        if res.rows:
            from sys import getsizeof

            row = res.rows[len(res.rows) // 2]
            rows_bytes = getsizeof(row) + sum(getsizeof(v) for v in row.values())  # keys are shared
        status = res.status
    wall = time.perf_counter() - t_wall0
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    rss_growth = _quarter_growth(samples, "rss")
    heap_growth = _quarter_growth(samples, "heap") if heap else None
    span_trials = (samples[-(len(samples) // 4)]["trial"] - samples[0]["trial"]) if len(samples) >= 4 else None
    return {
        "case": "memory",
        "task": task,
        "task_hours": round(clock.now() / 3600, 3),
        "frames": max_frames,
        "trials": n_trials,
        "status": status,
        "wall_s": round(wall, 1),
        "sample_every_trials": every,
        "n_samples": len(samples),
        "peak_rss_mb": round(peak_rss / MB, 1),
        "peak_heap_mb": None if heap_peak is None else round(heap_peak / MB, 2),
        "rss_first_quarter_mb": round(statistics.fmean(s["rss"] for s in samples[: max(1, len(samples) // 4)]) / MB, 1) if samples else None,
        "rss_growth_mb": None if rss_growth is None else round(rss_growth / MB, 2),
        "heap_growth_mb": None if heap_growth is None else round(heap_growth / MB, 2),
        "heap_growth_bytes_per_trial": None if heap_growth is None or not span_trials else round(heap_growth / span_trials),
        "rows_bytes_per_trial": rows_bytes,
        "target": f"flat: RSS growth first -> last quarter < {RSS_FLAT_MB:g} MB",
        "flat": rss_growth is not None and rss_growth / MB < RSS_FLAT_MB,
        "samples": [{**s, "rss": round(s["rss"] / MB, 2), "heap": None if s["heap"] is None else round(s["heap"] / MB, 3)} for s in samples],
        "load_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=1.0, help="task time to play (default 1 hour)")
    parser.add_argument("--task", default="PerceptualDecisionMaking-v0")
    parser.add_argument("--every", type=int, default=25, help="sample memory every N trials (default 25)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="RSS only (faster)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-samples", action="store_true", help="leave the per-sample list out of the JSON")
    args = parser.parse_args(argv)
    out = memory(args.hours, args.task, args.every, not args.no_tracemalloc, args.seed)
    if args.no_samples:
        out.pop("samples")
    print(json.dumps(out, indent=1))
    return 0 if out["flat"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
