"""Sessions of the tasks changed for NeuroGym's current API (AnnubesEnv, ContextSwitch) verify.

Both versions of each task are recorded through the CLI (a simulated
participant, headless) and verified; tampering fails with one line naming
the trial. ``tests/data/sessions_before_probe_fix`` holds sessions recorded
by neurogym-app 0.1.0 before its recorder drew the csv layout's first trial
on a copy of the task: they still verify.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.cli.main import main
from neurogym_app.core import registry, spaces
from neurogym_app.core.trial_env import BaseEnv
from neurogym_app.record.npyblob import from_npy, to_npy
from neurogym_app.record.reader import open_session
from neurogym_app.record.verify import LEGACY_PROBE_NOTE, verify_session

OLD = Path(__file__).resolve().parent / "data" / "sessions_before_probe_fix"


def _record(task: str, out: Path, capsys, trials: int = 6, seed: int = 3) -> Path:
    assert main(["play", task, "--auto", "lapse", "--headless", "--trials", str(trials), "--seed", str(seed),
                 "--participant", "p1", "--out", str(out)]) == 0
    capsys.readouterr()
    (run,) = [p for p in (out / task).iterdir() if (p / "manifest.json").is_file()]
    return run


def _tamper(run: Path, trial: int, name: str, change) -> None:
    con = sqlite3.connect(run / "steps.sqlite")
    blob = con.execute("SELECT npy FROM arrays WHERE trial = ? AND name = ?", (trial, name)).fetchone()[0]
    arr = from_npy(blob).copy()
    change(arr)
    con.execute("UPDATE arrays SET npy = ? WHERE trial = ? AND name = ?", (to_npy(arr), trial, name))
    con.commit()
    con.close()


@pytest.mark.parametrize("task", ["AnnubesEnv-v0", "AnnubesEnv-v1", "ContextSwitch-v0", "ContextSwitch-v1"])
def test_a_recorded_session_of_each_version_verifies(task, tmp_path, capsys):
    run = _record(task, tmp_path, capsys)
    assert main(["verify", str(run)]) == 0
    out = capsys.readouterr().out
    assert ": identical: 6 trials" in out and "seed 3" in out, out
    assert LEGACY_PROBE_NOTE not in out  # regenerated as recorded, without replaying the old probe


@pytest.mark.parametrize("task", ["AnnubesEnv-v0", "AnnubesEnv-v1"])
def test_the_first_trial_is_counted_once(task, tmp_path, capsys):
    # the recorder lays out trials.csv from a copy of the task: the run's first trial is the first one counted
    run = _record(task, tmp_path, capsys, trials=1)
    with open_session(run) as reader:
        first = reader.trial(0, arrays=False, events=False).vars
    count = first["sequential_count"]
    if task == "AnnubesEnv-v0":
        shown = first["stim_types"] or ["catch"]
        assert all(count[k] == 1 for k in shown) and sum(count.values()) == len(shown), first
    else:
        assert count == 1, first


def test_a_tampered_contextswitch_v0_session_fails_on_its_trial(tmp_path, capsys):
    run = _record("ContextSwitch-v0", tmp_path / "runs", capsys)
    for name, change, what in (
        ("reward", lambda a: a.__setitem__(0, a[0] + 1.0), "reward differs"),
        ("observation", lambda a: a.__setitem__((0, 0), 1.0 - a[0, 0]), "observation differs"),
    ):
        bad = tmp_path / f"bad-{name}"
        shutil.copytree(run, bad)
        _tamper(bad, 3, name, change)
        assert main(["verify", str(bad)]) == 1
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 1 and "MISMATCH at trial 3" in lines[0] and what in lines[0], lines


def test_a_tampered_annubes_v0_session_fails_on_its_trial(tmp_path, capsys):
    run = _record("AnnubesEnv-v0", tmp_path / "runs", capsys)
    bad = tmp_path / "bad"
    shutil.copytree(run, bad)
    _tamper(bad, 2, "observation", lambda a: a.__setitem__((7, 1), a[7, 1] + np.float32(0.5)))
    assert main(["verify", str(bad)]) == 1
    line = capsys.readouterr().out.strip()
    assert "MISMATCH at trial 2 step 7: observation differs" in line, line


def test_sessions_recorded_before_the_fix_still_verify(capsys):
    annubes = next((OLD / "AnnubesEnv-v0").iterdir())
    with open_session(annubes) as reader:
        first = reader.trial(0, arrays=False, events=False).vars
    # made by the old recorder: its first trial (a catch trial) was counted twice
    assert first["catch"] and first["sequential_count"]["catch"] == 2, first
    assert main(["verify", str(annubes)]) == 0
    out = capsys.readouterr().out
    assert ": identical: 4 trials" in out and LEGACY_PROBE_NOTE in out, out

    context = next((OLD / "ContextSwitch-v0").iterdir())
    report = verify_session(context)
    assert report.identical and report.n_trials == report.n_steps == 6 and not report.notes, report.summary()


def test_a_tampered_old_session_is_reported_at_the_tampered_trial(tmp_path, capsys):
    # the replay that gets further is reported: trial 2, not the first trial's count
    bad = tmp_path / "old"
    shutil.copytree(next((OLD / "AnnubesEnv-v0").iterdir()), bad)
    _tamper(bad, 2, "reward", lambda a: a.__setitem__(-1, a[-1] + 1.0))
    assert main(["verify", str(bad)]) == 1
    line = capsys.readouterr().out.strip()
    assert "MISMATCH at trial 2" in line and "reward differs" in line, line


class _Episodes(BaseEnv):
    """A plain env whose episodes end after three steps (a task without trials that an agent records by episode)."""

    def __init__(self, dt: float = 100) -> None:
        super().__init__(dt=dt)
        self.action_space = spaces.Discrete(2, name={"left": 0, "right": 1})
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32, name={"x": 0})
        self.k = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is not None:
            self.seed(seed)
        self.k = 0
        self.x = np.float32(self.rng.standard_normal())
        return np.array([self.x], dtype=np.float32), {}

    def step(self, action):
        self.k += 1
        gt = int(self.x > 0)
        self.x = np.float32(self.rng.standard_normal())
        return np.array([self.x], dtype=np.float32), float(action == gt), self.k == 3, False, {"gt": gt}


def test_an_agent_session_of_a_task_without_trials_verifies_by_episode(tmp_path):
    from neurogym_app.agents.player import record_policy

    registry.register("VerifyEpisodes-v0", _Episodes)
    try:
        result = record_policy("VerifyEpisodes-v0", lambda ob: int(ob[0] > 0), trials=4, out=tmp_path, seed=8, player_id="sign")
        report = verify_session(result.path)
        assert report.identical and report.n_trials == 4 and report.n_steps == 12, report.summary()
        _tamper(result.path, 1, "observation", lambda a: a.__setitem__((2, 0), a[2, 0] + np.float32(1)))
        report = verify_session(result.path)
        assert str(report.first).startswith("trial 1 step 2: observation differs"), report.summary()
    finally:
        registry.unregister("VerifyEpisodes-v0")
