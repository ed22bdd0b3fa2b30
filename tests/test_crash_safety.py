"""Crash safety: `play` killed with SIGKILL loses no committed trial and never overwrites a session.

A short version of ``scripts/crash_harness.py`` (which does 50 kills and prints
the figures): 8 kills spread over a run of ~200 ms trials -- random instants,
a trial boundary, the folder set-up, and the three write stages (inside the sqlite
transaction, between the commit and the trials.csv row, after the row). See the
script's docstring for what is checked after each kill.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL") or sys.platform == "win32", reason="needs SIGKILL"),
]

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "crash_harness.py"


def _harness():
    spec = importlib.util.spec_from_file_location("crash_harness", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("crash_harness", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness():
    return _harness()


@pytest.fixture(scope="module")
def summary(harness, tmp_path_factory):
    out = tmp_path_factory.mktemp("crash")
    modes = ["random", "in-transaction", "boundary", "random", "after-commit", "creating", "after-csv", "random"]
    return harness.run_harness(out, kills=len(modes), trials=10, seed=7, modes=modes)


def test_every_kill_is_survived(summary, harness):
    failed = [r.line() for r in summary.results if not r.survived]
    assert not failed, "\n" + "\n".join(failed) + "\n" + harness.report(summary)
    assert summary.kills == 8


def test_no_reported_trial_is_lost(summary):
    assert summary.trials_lost == 0
    # the kills landed while trials were being recorded, not only before or after the run
    assert sum(1 for r in summary.results if 0 < len(r.committed) < 10) >= 3


def test_write_stage_kills_leave_exactly_the_committed_trials(summary):
    by_mode = {r.mode: r for r in summary.results}
    t = by_mode["in-transaction"]  # killed before COMMIT: the trial does not exist anywhere
    k = int(t.planned.split()[-1])
    assert t.committed == list(range(k)) and t.csv_trials == list(range(k))
    c = by_mode["after-commit"]  # committed, row not yet appended: csv is one behind
    k = int(c.planned.split()[-1])
    assert c.committed == list(range(k + 1)) and c.csv_trials == list(range(k))
    a = by_mode["after-csv"]  # both written, not yet reported
    k = int(a.planned.split()[-1])
    assert a.committed == list(range(k + 1)) and a.csv_trials == list(range(k + 1)) and len(a.reported) == k


def test_folder_killed_while_created_is_refused_in_one_line(summary):
    (r,) = [r for r in summary.results if r.mode == "creating"]
    assert r.folder is not None and not r.announced and r.rejected
    assert "being created" in r.rejected and "\n" not in r.rejected


def test_play_again_starts_a_new_folder(summary):
    assert summary.new_folder_each_time
    assert not summary.restart_problems
    folders = [r.folder for r in summary.results if r.folder is not None]
    assert len(set(folders)) == len(folders)


def test_killed_session_exports(summary, tmp_path):
    from neurogym_app.record.export import export_session

    killed = next(r for r in summary.results if r.mode == "after-commit")
    files = export_session(killed.folder, "csv", tmp_path)
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(killed.committed)  # the export has the trial trials.csv lacked
