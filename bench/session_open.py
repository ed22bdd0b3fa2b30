"""Time opening a 1 000 000-step recorded session in the desktop app (offscreen Qt). Prints JSON.

A synthetic agent run (``tests/_synthetic.py``: observations, actions, rewards,
gt, a 16-unit hidden state and action probabilities at every step) of at
least ``--steps`` steps is written to a temporary folder (``/dev/shm`` when
there is one, so the per-trial fsyncs are cheap), or ``--path`` reuses one.
Then, each in a fresh state:

* ``list_ms``: the Sessions view's listing of the folder (manifest + one query);
* ``reader_ms``: ``open_session`` (format and integrity checks);
* ``replay_open_ms``: ``ReplayView.open_session``: checks, the trial list, the
  first trial's arrays, its regenerated periods, the scene and all its plots
  (the target is < 1 s);
* ``summary_table_ms``: every trial's row into a TrialTable (what Compare and
  the metrics read);
* ``compare_add_ms``: adding the session to the Compare view, plots included;
* ``seek_ms``: jumping to a trial in the middle and drawing it.

``cpu_ms`` gives the same in this thread's CPU time (not inflated when other
processes hold the cores; SQLite's reads run in this thread too).

    .venv/bin/python bench/session_open.py [--steps 1000000] [--path RUN_FOLDER] [--keep]

``session_open(n_steps, path)`` is the case function for ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TASK = "PerceptualDecisionMaking-v0"


def make_session(root: Path, n_steps: int, dt: int = 10) -> Path:
    """A synthetic run of ``TASK`` (human timing at ``dt`` ms) with at least ``n_steps`` steps."""
    # the synthetic writer is a test fixture (tests/_synthetic.py), not part of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _synthetic import write_synthetic_session

    # ~200 steps per trial at dt=10 with human timing (the response ends the decision period early)
    probe = write_synthetic_session(root / "probe", TASK, n_trials=20, seed=0, kwargs={"timing": "human", "dt": dt})
    from neurogym_app.record.reader import open_session

    with open_session(probe) as r:
        per_trial = sum(int(r.trial(i, events=False).arrays["action"].shape[0]) for i in r.trial_indices()) / 20
    shutil.rmtree(root / "probe")
    n_trials = int(n_steps / per_trial * 1.03) + 1
    return write_synthetic_session(root, TASK, n_trials=n_trials, seed=1, kwargs={"timing": "human", "dt": dt}, mean_delay_steps=20)


def _count_steps(path: Path) -> tuple[int, int, int]:
    import sqlite3

    conn = sqlite3.connect(f"{(path / 'steps.sqlite').resolve().as_uri()}?mode=ro", uri=True)
    try:
        n_trials, n_steps = conn.execute("SELECT count(*), sum(json_extract(summary, '$.n_steps')) FROM trials").fetchone()
    finally:
        conn.close()
    size = (path / "steps.sqlite").stat().st_size
    return int(n_trials), int(n_steps), int(size)


class _Timer:
    """Wall and thread-CPU time of a block, in ms (CPU time is not inflated by other processes)."""

    def __init__(self, out: dict[str, Any], name: str) -> None:
        self.out, self.name = out, name

    def __enter__(self) -> _Timer:
        self.t0, self.c0 = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.out[f"{self.name}_ms"] = round((time.perf_counter() - self.t0) * 1000, 1)
        self.out.setdefault("cpu_ms", {})[self.name] = round((time.thread_time() - self.c0) * 1000, 1)


def session_open(n_steps: int = 1_000_000, path: str | Path | None = None, keep: bool = False) -> dict[str, Any]:
    from PyQt6.QtWidgets import QApplication

    from neurogym_app.analysis.catalog import load_table, session_info
    from neurogym_app.qt.compare import CompareView
    from neurogym_app.qt.replay import ReplayView
    from neurogym_app.record.reader import open_session

    app = QApplication.instance() or QApplication([])
    tmp: Path | None = None
    t_make = None
    if path is None:
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        tmp = Path(tempfile.mkdtemp(prefix="ngym-bench-open-", dir=base))
        t0 = time.perf_counter()
        path = make_session(tmp, n_steps)
        t_make = time.perf_counter() - t0
    path = Path(path)
    n_trials, steps, size = _count_steps(path)
    out: dict[str, Any] = {
        "case": "session_open",
        "path": str(path),
        "n_trials": n_trials,
        "n_steps": steps,
        "db_mb": round(size / 1e6, 1),
        "target": "replay_open_ms < 1000 for 1 000 000 steps",
    }
    if t_make is not None:
        out["make_s"] = round(t_make, 1)

    with _Timer(out, "list"):
        info = session_info(path)
    assert info.n_trials == n_trials

    with _Timer(out, "reader"):
        reader = open_session(path)
    with _Timer(out, "summary_table"):
        table = load_table(reader)
    reader.close()
    assert len(table) == n_trials

    view = ReplayView()
    view.resize(1300, 850)
    view.show()
    app.processEvents()
    with _Timer(out, "replay_open"):
        ok = view.open_session(path)
    with _Timer(out, "replay_first_paint"):
        app.processEvents()  # the first paint of the scene and the plots
    assert ok and view.model.n_trials == n_trials
    with _Timer(out, "seek"):
        view.seek(n_trials // 2, 50)
        app.processEvents()

    compare = CompareView()
    compare.resize(1200, 700)
    compare.show()
    with _Timer(out, "compare_add"):
        compare.add_sessions([str(path)])
        app.processEvents()
    view.model.close()
    if tmp is not None and not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time opening a 1 000 000-step session in the app; prints JSON.")
    parser.add_argument("--steps", type=int, default=1_000_000, help="steps of the synthetic session (default 1 000 000)")
    parser.add_argument("--path", help="an existing run folder to open instead of making one")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic session (its path is printed)")
    args = parser.parse_args(argv)
    print(json.dumps(session_open(args.steps, args.path, args.keep), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
