"""Soak test: thousands of trials headless, a simulated participant on the virtual clock.

Plays ``--trials`` trials (default 2000) of ``--task`` through the real play path
(``runtime.play.play``: runner, recorder, simulated participant, null display,
virtual clock), samples memory at trial ``--sample`` (default 200) and at the
last trial, then checks that no trial was dropped (the reader, trials.csv and
the runner all hold trials 0..N-1). Prints the figures.

Memory: RSS (resident set size, the process as the OS sees it) and, with
``--tracemalloc``, the Python heap as tracemalloc counts it (slower). The
runner keeps one summary row per trial in memory (``runner.rows``, ~1 KB each,
what the CLI and the app summarise); everything else should stay flat.

Usage::

    python scripts/soak.py                       # 2000 trials, human timing, temp folder
    python scripts/soak.py --tracemalloc --tmpfs # also the Python heap; write to /dev/shm
    python scripts/soak.py --trials 10000 --time-scale 0.25
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MB = 2**20


def rss_bytes() -> int:
    """Current resident set size of this process (psutil, else /proc)."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # pragma: no cover - psutil is a dev dependency
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class SoakResult:
    trials: int
    completed: int
    seconds: float
    sample_at: int
    rss: dict[int, int] = field(default_factory=dict)  # trial -> bytes
    heap: dict[int, int] = field(default_factory=dict)  # trial -> bytes (tracemalloc)
    db_trials: int = 0
    csv_trials: int = 0
    problems: list[str] = field(default_factory=list)
    status: str = ""
    path: Path | None = None

    @property
    def dropped(self) -> int:
        return self.trials - min(self.completed, self.db_trials, self.csv_trials)

    def growth(self, which: dict[int, int]) -> int | None:
        if self.sample_at in which and self.trials in which:
            return which[self.trials] - which[self.sample_at]
        return None

    def lines(self) -> list[str]:
        out = [
            f"soak: {self.completed}/{self.trials} trials in {self.seconds:.1f} s "
            f"({self.completed / max(self.seconds, 1e-9):.0f} trials/s), status {self.status}",
            f"dropped trials: {self.dropped} (runner {self.completed}, steps.sqlite {self.db_trials}, trials.csv {self.csv_trials})",
        ]
        span = self.trials - self.sample_at
        for name, which in (("RSS", self.rss), ("Python heap (tracemalloc)", self.heap)):
            g = self.growth(which)
            if g is None:
                continue
            out.append(
                f"{name}: {which[self.sample_at] / MB:.1f} MB at trial {self.sample_at}, "
                f"{which[self.trials] / MB:.1f} MB at trial {self.trials}: growth {g / MB:+.2f} MB "
                f"({g / max(span, 1):+.0f} B/trial)"
            )
        out += [f"PROBLEM: {p}" for p in self.problems]
        return out


def soak(
    trials: int = 2000,
    *,
    task: str = "GoNogo-v0",
    out: Path,
    sample_at: int = 200,
    time_scale: float = 1.0,
    timing: str = "human",
    heap: bool = False,
    seed: int = 1,
    auto: str = "oracle",
) -> SoakResult:
    """Run the soak in ``out``; see the module docstring."""
    from neurogym_app.record import schema
    from neurogym_app.record.reader import open_session
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions

    if not 0 < sample_at < trials:
        raise ValueError("sample_at must lie between 0 and trials")
    result = SoakResult(trials, 0, 0.0, sample_at)

    def measure(k: int) -> None:
        gc.collect()
        result.rss[k] = rss_bytes()
        if heap:
            result.heap[k] = tracemalloc.get_traced_memory()[0]

    def on_trial(row: dict) -> None:
        k = int(row["trial"]) + 1
        if k in (sample_at, trials):
            measure(k)

    clock = FakeClock()
    options = PlayOptions(
        task_id=task,
        out=out,
        participant="soak",
        n_trials=trials,
        seed=seed,
        timing=timing,
        time_scale=time_scale,
        player=auto,
        virtual_clock=True,
        feedback=True,
        feedback_ms=500,
        iti_ms=500,
    )
    if heap:
        tracemalloc.start()
    t0 = time.perf_counter()
    try:
        res = play(options, NullDisplay(clock), clock, on_trial=on_trial)
    finally:
        result.seconds = time.perf_counter() - t0
        if heap:
            tracemalloc.stop()
    result.status = res.status
    result.path = res.path
    result.completed = len(res.rows)
    if [int(r["trial"]) for r in res.rows] != list(range(len(res.rows))):
        result.problems.append("the runner's trials are not 0..N-1")
    with open_session(res.path) as s:
        idx = s.trial_indices()
        result.db_trials = len(idx)
        if idx != list(range(len(idx))):
            result.problems.append("steps.sqlite trials are not 0..N-1")
        last = s.trial(idx[-1]) if idx else None
        if last is not None and last.arrays["action"].shape[0] != int(last.row["n_steps"]):
            result.problems.append("the last trial's step arrays are incomplete")
    with open(res.path / schema.CSV_NAME, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    result.csv_trials = len(rows)
    if [int(r["trial"]) for r in rows] != list(range(len(rows))):
        result.problems.append("trials.csv trials are not 0..N-1")
    if res.status != "completed":
        result.problems.append(f"session ended as {res.status!r}")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=2000)
    p.add_argument("--task", default="GoNogo-v0")
    p.add_argument("--sample", type=int, default=200, help="first memory sample at this trial (default 200)")
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("--timing", choices=("human", "default"), default="human")
    p.add_argument("--auto", choices=("oracle", "random", "lapse"), default="oracle")
    p.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap (slower)")
    p.add_argument("--tmpfs", action="store_true", help="write the session to /dev/shm (no disk fsync cost)")
    p.add_argument("--out", metavar="DIR", help="sessions root to use and keep (default: a temporary folder)")
    args = p.parse_args(argv)
    kwargs = dict(
        task=args.task,
        sample_at=args.sample,
        time_scale=args.time_scale,
        timing=args.timing,
        heap=args.tracemalloc,
        auto=args.auto,
    )
    if args.out:
        result = soak(args.trials, out=Path(args.out), **kwargs)
    else:
        base = "/dev/shm" if args.tmpfs and os.path.isdir("/dev/shm") else None
        with tempfile.TemporaryDirectory(prefix="ngym-soak-", dir=base) as tmp:
            result = soak(args.trials, out=Path(tmp), **kwargs)
    print("\n".join(result.lines()))
    return 0 if not result.problems and result.dropped == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
