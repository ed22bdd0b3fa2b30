"""``play EXPERIMENT.toml --resume FOLDER``: after a SIGKILL the run continues in a new folder, exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from neurogym_app.analysis.catalog import session_info
from neurogym_app.cli.main import main
from neurogym_app.experiment.run import ResumeError, load_resume, run_experiment
from neurogym_app.experiment.screens import validate_participant
from neurogym_app.record.reader import open_session
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.null_display import NullDisplay

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "envs" / "pilot_example.toml"
IDENTITY = ("exp_trial", "exp_block_position", "exp_trial_in_block", "block", "task", "trial_seed", "ground_truth", "coh",
            "exp_condition", "adaptive_intensity")
SAME_BEHAVIOUR = ("choice", "correct", "adaptive_reversals", "adaptive_estimate")


def killed_run(out: Path, kill_after: int, participant: str = "P01", resume: Path | None = None) -> Path:
    """Run the pilot in a subprocess that SIGKILLs itself right after ``kill_after`` committed trials."""
    code = textwrap.dedent(f"""
        import os, signal
        from neurogym_app.runtime.clock import FakeClock
        from neurogym_app.experiment.run import run_experiment
        from neurogym_app.experiment.screens import validate_participant
        from neurogym_app.runtime.null_display import NullDisplay
        n = 0
        def message(text):
            global n
            if " trial " in text:
                n += 1
                if n == {kill_after}:
                    os.kill(os.getpid(), signal.SIGKILL)
        def started(run):
            print(run.folder.path, flush=True)
        clock = FakeClock()
        run_experiment({str(PILOT)!r}, NullDisplay(clock), clock, out={str(out)!r}, auto="psychometric",
                       participant=None if {resume is not None} else validate_participant({participant!r}, 1),
                       resume={str(resume) if resume else None!r}, on_message=message, on_start=started)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    clock = FakeClock()
    return run_experiment(PILOT, NullDisplay(clock), clock, participant=validate_participant("P01", 1), out=out,
                          auto="psychometric")


def _by_trial(rows):
    return {int(r["exp_trial"]): r for r in rows}


def test_resume_after_sigkill_continues_exactly(tmp_path, uninterrupted):
    old = killed_run(tmp_path, kill_after=23)  # inside the first main rdm block (6 practice + 17)
    state = load_resume(old)
    assert len(state.rows) == 23 and state.manifest["status"] == "running"  # killed: never closed
    clock = FakeClock()
    res = run_experiment(PILOT, NullDisplay(clock), clock, out=tmp_path, auto="psychometric", resume=old)
    assert res.status == "completed" and res.path != old and res.path.parent == old.parent
    m = json.loads((res.path / "experiment.json").read_text())
    assert m["resumed_from"] == str(old.resolve()) and m["resume_point"] == {"position": 1, "trials_before": 23}
    assert m["participant"]["id"] == "P01" and m["seeds"]["root"] == state.manifest["seeds"]["root"]
    subs = {key: json.loads((res.path / rel / "manifest.json").read_text()) for key, rel in m["sessions"].items()}
    assert Path(subs["rdm"]["resumed_from"]).is_relative_to(old)  # the task session it continues
    assert subs["gonogo"]["resumed_from"] is None  # never reached before the kill: continues nothing
    # nothing duplicated or lost: old + new = the planned trials, each once
    combined = list(state.rows) + list(res.rows)
    keys = [int(r["exp_trial"]) for r in combined]
    assert sorted(keys) == list(range(res.design.n_trials)) and len(set(keys)) == len(keys)
    assert min(int(r["exp_trial"]) for r in res.rows) == 23
    # trial k of the resumed run equals trial k of an uninterrupted run (same seeds, same staircase)
    full = _by_trial(uninterrupted.rows)
    for k, row in _by_trial(combined).items():
        for name in IDENTITY + SAME_BEHAVIOUR:
            assert row.get(name) == full[k].get(name), (k, name, row.get(name), full[k].get(name))


def test_resume_continues_trial_numbers_and_the_clock_and_readers_see_the_killed_state(tmp_path):
    old = killed_run(tmp_path, kill_after=8)  # 6 rdm practice trials + 2 of the first rdm block
    old_rdm = old / json.loads((old / "experiment.json").read_text())["sessions"]["rdm"]
    # the killed run's manifests still say running / 0 trials; readers report what the database committed
    assert json.loads((old_rdm / "manifest.json").read_text())["n_trials"] == 0
    with open_session(old_rdm) as reader:
        assert reader.status == "interrupted" and reader.n_committed == 8
        old_rows = reader.rows()
    info = session_info(old_rdm)
    assert info.status == "interrupted" and info.n_trials == 8
    clock = FakeClock()
    res = run_experiment(PILOT, NullDisplay(clock), clock, out=tmp_path, auto="psychometric", resume=old)
    new_rdm = res.sessions["rdm"]
    with open_session(new_rdm) as reader:
        new_rows = reader.rows()
        assert reader.manifest["first_trial"] == 8
    assert [r["trial"] for r in old_rows] == list(range(8))
    assert [r["trial"] for r in new_rows] == list(range(8, 8 + len(new_rows)))  # numbering goes on
    assert min(r["trial_onset_s"] for r in new_rows) > max(r["trial_end_s"] for r in old_rows)  # so does the clock
    onsets = [r["trial_onset_s"] for r in sorted(res.rows, key=lambda r: r["exp_trial"])]
    assert all(b > a for a, b in zip(onsets, onsets[1:]))
    assert main(["verify", str(res.path)]) == 0


def test_resume_a_resumed_run_and_between_blocks(tmp_path, uninterrupted):
    first = killed_run(tmp_path, kill_after=36)  # the last trial of rdm block 1: the kill falls between blocks
    assert load_resume(first).next_position(uninterrupted.design.plan) == 2
    second = killed_run(tmp_path, kill_after=40, resume=first)  # 36 + 40 = into the go/no-go practice
    state = load_resume(second)
    assert len(state.rows) == 76 and state.manifest["resumed_from"] == str(first.resolve())
    clock = FakeClock()
    res = run_experiment(PILOT, NullDisplay(clock), clock, out=tmp_path, auto="psychometric", resume=second)
    combined = list(state.rows) + list(res.rows)
    assert sorted(int(r["exp_trial"]) for r in combined) == list(range(res.design.n_trials))
    full = _by_trial(uninterrupted.rows)
    for k, row in _by_trial(combined).items():
        for name in IDENTITY + SAME_BEHAVIOUR:
            assert row.get(name) == full[k].get(name), (k, name)


def test_resume_via_cli(tmp_path, capsys):
    old = killed_run(tmp_path, kill_after=5)
    code = main(["play", str(PILOT), "--resume", str(old), "--auto", "psychometric", "--backend", "null", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "resuming" in out and "5 trial(s) were recorded" in out
    assert "done: 105 trial(s)" in out


def test_resume_errors(tmp_path, capsys):
    assert main(["play", str(PILOT), "--resume", str(tmp_path), "--auto", "oracle", "--backend", "null"]) == 2
    assert "not an experiment session folder" in capsys.readouterr().err
    old = killed_run(tmp_path, kill_after=3)
    changed = tmp_path / "changed.toml"
    changed.write_text(PILOT.read_text().replace("seed = 2024", "seed = 7"))
    assert main(["play", str(changed), "--resume", str(old), "--auto", "oracle", "--backend", "null"]) == 2
    err = capsys.readouterr().err
    assert "design changed" in err and err.count("\n") == 1
    assert main(["play", str(PILOT), "--resume", str(old), "--participant", "X", "--backend", "null", "--auto", "oracle"]) == 2
    with pytest.raises(ResumeError):
        load_resume(tmp_path / "nope")
    assert os.path.isdir(old)
