"""Soak: 2000 trials headless on the virtual clock; no trial dropped, memory flat.

The pytest version of ``scripts/soak.py`` (which prints the figures). Trials
run at a quarter of GoNogo's human timing (fewer frames, same code path) and
the session is written to /dev/shm when it exists (the fsyncs of a real disk
would dominate the run time; crash safety is tested elsewhere).

The only per-trial memory the runtime keeps on purpose is one summary row per
trial (``runner.rows``, ~1 KB); the thresholds leave room for that and for
SQLite's page cache warming up, and catch anything kept per step or per frame.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"
KB, MB = 2**10, 2**20


def _soak_module():
    spec = importlib.util.spec_from_file_location("ngym_soak_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ngym_soak_script", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def soak():
    return _soak_module().soak


@pytest.fixture
def fast_dir(tmp_path):
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    if base is None:
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(prefix="ngym-soak-", dir=base) as d:
        yield Path(d)


def test_2000_trials_no_drop_flat_rss(soak, fast_dir):
    r = soak(2000, out=fast_dir, sample_at=200, time_scale=0.25)
    print("\n".join(r.lines()))
    assert not r.problems and r.status == "completed"
    assert r.dropped == 0 and r.completed == r.db_trials == r.csv_trials == 2000
    growth = r.growth(r.rss)
    assert growth is not None and growth < 12 * MB, f"RSS grew {growth / MB:.1f} MB from trial 200 to 2000"


def test_python_heap_per_trial_is_only_the_summary_row(soak, fast_dir):
    r = soak(450, out=fast_dir, sample_at=150, time_scale=0.25, heap=True)
    print("\n".join(r.lines()))
    assert r.dropped == 0 and not r.problems
    per_trial = r.growth(r.heap) / 300
    assert per_trial < 2 * KB, f"the Python heap grows {per_trial:.0f} B per trial"
