"""`neurogym-app play` and `export` end to end (simulated players, headless)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from neurogym_app.record.reader import open_session


def cli(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


def run_folder(out: str) -> Path:
    for line in out.splitlines():
        if line.startswith("recording to "):
            return Path(line[len("recording to ") :])
    raise AssertionError(f"no run folder printed in:\n{out}")


def read_csv(path: Path) -> list[dict]:
    with open(path / "trials.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_oracle_plays_20_trials_headless(tmp_path):
    out = tmp_path / "D"
    r = cli("play", "PerceptualDecisionMaking-v0", "--auto", "oracle", "--trials", "20", "--headless", "--out", str(out))
    assert r.returncode == 0, r.stderr
    folder = run_folder(r.stdout)
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    assert folder.parent.parent == out and folder.parent.name == "PerceptualDecisionMaking-v0"
    rows = read_csv(folder)
    assert len(rows) == 20
    assert sum(r["correct"] == "1" for r in rows) / 20 > 0.9
    assert all(float(r["rt_ms"]) > 0 for r in rows if r["rt_ms"])
    m = json.loads((folder / "manifest.json").read_text())
    assert m["status"] == "completed" and m["n_trials"] == 20
    assert m["player"]["kind"] == "simulated" and m["player"]["strategy"] == "oracle"
    assert m["task"]["timing_preset"] == "human" and m["task"]["rt_from"] == "decision"
    assert m["seeds"]["env"] is not None and m["key_map"]["actions"]
    assert m["display"]["refresh_hz"] and m["display"]["measured_refresh_hz"] == pytest.approx(m["display"]["refresh_hz"])
    assert m["clock"]["kind"] == "virtual"
    with open_session(folder) as s:
        assert len(s) == 20
        assert [r["trial"] for r in s.rows()] == list(range(20))


def test_random_player_is_at_chance(tmp_path):
    r = cli(
        "play", "PerceptualDecisionMaking-v0", "--auto", "random", "--trials", "300", "--seed", "4",
        "--headless", "--backend", "null", "--out", str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    rows = read_csv(run_folder(r.stdout))
    assert len(rows) == 300
    accuracy = sum(r["correct"] == "1" for r in rows) / 300
    assert 0.4 < accuracy < 0.6  # binomial sd 0.029 around 0.5


def test_default_timing_and_same_seed_same_trials(tmp_path):
    args = ("play", "GoNogo-v0", "--auto", "lapse", "--trials", "15", "--seed", "9", "--backend", "null",
            "--headless", "--timing", "default", "--out", str(tmp_path))
    a, b = cli(*args), cli(*args)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    fa, fb = run_folder(a.stdout), run_folder(b.stdout)
    assert fa != fb  # never the same folder
    ra, rb = read_csv(fa), read_csv(fb)
    keys = ("trial_seed", "ground_truth", "choice", "rt_ms", "outcome")
    assert [[r[k] for k in keys] for r in ra] == [[r[k] for k in keys] for r in rb]
    m = json.loads((fa / "manifest.json").read_text())
    assert m["task"]["timing_preset"] == "default" and m["player"]["lapse"] == 0.1


@pytest.mark.slow
def test_sigkill_mid_session_keeps_every_committed_trial(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "neurogym_app.cli.main", "play", "PerceptualDecisionMaking-v0",
            "--auto", "oracle", "--realtime", "--headless", "--trials", "200", "--time-scale", "0.25",
            "--seed", "1", "--out", str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    folder = None
    saved = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("recording to "):
                folder = Path(line.strip()[len("recording to ") :])
            if line.startswith("trial "):
                saved += 1
                if saved == 3:
                    break
        assert folder is not None and saved == 3, proc.stderr.read() if proc.poll() is not None else "timeout"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    rows = read_csv(folder)
    text = (folder / "trials.csv").read_text()
    assert text.endswith("\n")  # every fsynced row is complete
    with open_session(folder) as s:
        assert s.manifest["status"] == "running"  # never closed
        assert len(s) == len(rows) >= 3
        for i in s.trial_indices():
            t = s.trial(i)
            assert t.arrays["action"].shape[0] == t.row["n_steps"] and t.vars["trial_seed"]
        assert [str(r["trial"]) for r in s.rows()] == [r["trial"] for r in rows]
    r = cli("export", str(folder), "--format", "bids")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[0].startswith("added sub-")
    assert list((folder / "export" / "bids").rglob("*_events.tsv"))


# ------------------------------------------------------------- user errors
def _no_display_env():
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


@pytest.mark.parametrize(
    "args, words",
    [
        (["play", "GoNogo-v0"], "no display found"),
        (["play", "experiment.toml"], "experiment.toml: config file not found"),
        (["play", "GoNogo-v0", "--headless", "--auto", "oracle", "--participant", "../x"], "participant id"),
        (["play", "GoNog-v0", "--headless"], "did you mean 'GoNogo-v0'"),
        (["play", "GoNogo-v0", "--realtime"], "--realtime is for simulated players"),
        (["play", "GoNogo-v0", "--headless", "--auto", "oracle", "--trials", "0"], "--trials must be at least 1"),
        (["play", "GoNogo-v0", "--backend", "null"], "use it with --auto"),
        (["export", "/nonexistent/session"], "no such session folder"),
    ],
)
def test_one_line_user_errors(args, words, tmp_path):
    r = cli(*args, env=_no_display_env(), cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr


def test_not_human_playable_task_is_reported(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "sensor.py").write_text(
        textwrap.dedent(
            '''
            import numpy as np
            from neurogym_app.core import spaces
            from neurogym_app.core.trial_env import TrialEnv

            class Sensor(TrialEnv):
                """Reads a sensor."""
                metadata = {"human_playable": False, "human_playable_reason": "it needs a 1 kHz response"}

                def __init__(self, dt=100):
                    super().__init__(dt=dt)
                    self.observation_space = spaces.Box(-1, 1, shape=(1,), dtype=np.float32)
                    self.action_space = spaces.Discrete(2)

                def _new_trial(self, **kwargs):
                    self.add_period("x", 100)
                    return {}

                def _step(self, action):
                    return self.ob_now, 0.0, False, False, {"new_trial": False}
            '''
        )
    )
    r = cli("--envs", str(envs), "play", "Sensor-v0", "--headless", "--auto", "oracle", "--out", str(tmp_path))
    assert r.returncode == 2
    assert r.stderr.strip() == "neurogym-app: error: Sensor-v0 is not human-playable: it needs a 1 kHz response"


def test_export_csv_and_bids_from_cli(tmp_path):
    r = cli("play", "GoNogo-v0", "--auto", "oracle", "--trials", "5", "--seed", "2", "--backend", "null",
            "--headless", "--participant", "P 07", "--session", "2", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    folder = run_folder(r.stdout)
    assert folder.name.startswith("P_07_2_")
    r = cli("export", str(folder), "--format", "csv", "--out", str(tmp_path / "x"))
    assert r.returncode == 0 and Path(r.stdout.strip()).read_text() == (folder / "trials.csv").read_text()
    r = cli("export", str(folder))
    assert r.returncode == 0, r.stderr
    beh = folder / "export" / "bids" / "sub-P07" / "ses-2" / "beh"
    assert r.stdout.splitlines()[0] == "added sub-P07/ses-2/beh/sub-P07_ses-2_task-GoNogoV0_run-1"
    sidecar = beh / "sub-P07_ses-2_task-GoNogoV0_run-1_events.json"
    assert json.loads(sidecar.read_text())["response_time"]["Units"] == "s"
    (folder / "steps.sqlite").write_bytes(b"garbage" * 100)
    r = cli("export", str(folder))
    assert r.returncode == 2 and "not a SQLite database" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_human_path_through_the_qt_display(tmp_path):
    """Keys injected into the real Qt display (offscreen) reach the runner; scenes come from the real views."""
    from neurogym_app.input.events import KeyEvent
    from neurogym_app.input.keymap import build_keymap
    from neurogym_app.qt.canvas import QtDisplay
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions, make_task
    from neurogym_app.runtime.scenes import StimulusScenes

    clock = FakeClock()
    display = QtDisplay(clock=clock, size=(320, 240), offscreen=True, refresh_hz=64.0)
    env = make_task("PerceptualDecisionMaking-v0", "human")
    keymap = build_keymap(env)
    scenes = StimulusScenes(env, keymap, "natural", geometry=display.geometry)

    class Person:
        """Presses space to start, then the correct key 400 ms into each decision period."""

        def __init__(self):
            self.started = self.planned = None

        def poll(self, now):
            return []

        def on_frame(self, runner, frame):
            if runner.phase == "ready" and self.started is None:
                self.started = frame.onset
                display.inject(KeyEvent("space", frame.onset))
            log = runner.current_trial
            if log is None or self.planned == log.index or log.period_of(frame.step) != "decision":
                return
            self.planned = log.index
            key = "right" if int(log.vars["ground_truth"]) == 0 else "left"
            display.inject(KeyEvent(key, frame.onset + 0.4))  # delivered early; applied by its timestamp

    options = PlayOptions(
        "PerceptualDecisionMaking-v0", out=tmp_path, participant="P1", n_trials=3, seed=5, virtual_clock=True,
        feedback=True, feedback_ms=250, iti_ms=250, wait_for_start=True,
    )
    try:
        result = play(options, display, clock, scenes=scenes, env=env, keymap=keymap, sources=[Person()])
    finally:
        display.close()
    assert result.status == "completed" and len(result.rows) == 3
    assert all(r["outcome"] == "correct" and r["rt_ms"] == pytest.approx(400.0, abs=1e-6) for r in result.rows)
    m = json.loads((result.path / "manifest.json").read_text())
    assert m["player"]["kind"] == "human" and m["key_map"]["mode"] == "press"


@pytest.mark.psychopy
def test_oracle_plays_20_trials_in_a_psychopy_window(tmp_path):
    """The same run through the PsychoPy backend under Xvfb (real time: flips pace the run)."""
    out = tmp_path / "P"
    env = dict(os.environ)  # the `psychopy` marker started Xvfb and set DISPLAY
    r = cli(
        "play", "PerceptualDecisionMaking-v0", "--backend", "psychopy", "--auto", "oracle", "--trials", "20",
        "--out", str(out), env=env,
    )
    assert r.returncode == 0, r.stderr
    folder = run_folder(r.stdout)
    rows = read_csv(folder if folder.is_absolute() else Path.cwd() / folder)
    assert len(rows) == 20
    assert sum(row["correct"] == "1" for row in rows) / 20 > 0.9
    m = json.loads(((folder if folder.is_absolute() else Path.cwd() / folder) / "manifest.json").read_text())
    assert m["display"]["backend"] == "psychopy" and m["clock"]["kind"] != "virtual"


def test_config_for_another_task_is_an_error_not_ignored(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[env]\nname = "GoNogo-v0"\ndt = 50\n')
    r = cli("play", "PerceptualDecisionMaking-v0", "--config", str(cfg), "--auto", "oracle", "--headless",
            "--backend", "null", "--trials", "2", "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "[env] name is 'GoNogo-v0'" in r.stderr
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------- limits: trial count and time step
@pytest.mark.parametrize(
    "extra, config, expected",
    [
        (["--trials", "1000000000000"], None,
         "--trials 1000000000000 is too many: use 1 to 1000000 (split long runs into sessions)"),
        (["--trials", "1000001"], None, "--trials 1000001 is too many: use 1 to 1000000 (split long runs into sessions)"),
        (["--trials", "0"], None, "--trials must be at least 1, got 0 (use 1 to 1000000)"),
        (["--trials", "-4"], None, "--trials must be at least 1, got -4 (use 1 to 1000000)"),
        ([], "[session]\ntrials = 1000000000000\n",
         "{cfg}: session.trials: 1000000000000 is too many: use 1 to 1000000 (split long runs into sessions)"),
        ([], '[env]\nname = "GoNogo-v0"\ndt = 100000\n',
         "{cfg}: env.dt: 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
         "(dt is in milliseconds, e.g. dt = 100)"),
        ([], '[env]\nname = "GoNogo-v0"\ndt = 1000.5\n',
         "{cfg}: env.dt: 1000.5 ms is too long a time step for a session: use a dt of at most 1000 ms "
         "(dt is in milliseconds, e.g. dt = 100)"),
        ([], '[env]\nname = "GoNogo-v0"\nkwargs = { dt = 100000 }\n',
         "{cfg}: env.kwargs.dt: 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
         "(dt is in milliseconds, e.g. dt = 100)"),
    ],
)
def test_trial_count_and_time_step_limits_are_one_line_errors(tmp_path, extra, config, expected):
    out = tmp_path / "o"
    args = ["play", "GoNogo-v0", "--auto", "oracle", "--headless", "--backend", "null", "--out", str(out), *extra]
    if config is not None:
        cfg = tmp_path / "c.toml"
        cfg.write_text(config)
        args += ["--config", str(cfg)]
        expected = expected.format(cfg=cfg)
    r = cli(*args, env=_no_display_env(), cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr == f"neurogym-app: error: {expected}\n"
    assert r.stdout == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["c.toml"] if config is not None else [])


def test_time_step_of_1000_ms_is_still_played(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[env]\nname = "GoNogo-v0"\ndt = 1000\n')
    r = cli("play", "GoNogo-v0", "--config", str(cfg), "--auto", "oracle", "--headless", "--backend", "null",
            "--trials", "1", "--seed", "0", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    folder = run_folder(r.stdout)
    folder = folder if folder.is_absolute() else tmp_path / folder
    assert json.loads((folder / "manifest.json").read_text())["task"]["dt"] == 1000.0


def test_session_time_step_limit_is_for_sessions_not_the_task_library():
    import neurogym_app as ngym
    from neurogym_app.config.limits import MAX_SESSION_DT_MS
    from neurogym_app.core.registry import TaskParameterError
    from neurogym_app.runtime.run import make_task

    assert MAX_SESSION_DT_MS == 1000
    assert ngym.make("GoNogo-v0", dt=100000).dt == 100000  # the library takes any positive dt
    with pytest.raises(TaskParameterError) as info:  # a session (CLI, experiment, the app's Play view) does not
        make_task("GoNogo-v0", "human", {"dt": 100000})
    assert str(info.value) == (
        "GoNogo-v0: dt = 100000 ms is too long a time step for a session: use a dt of at most 1000 ms "
        "(dt is in milliseconds, e.g. dt = 100)"
    )
    assert make_task("GoNogo-v0", "human", {"dt": 1000}).dt == 1000


def test_app_play_options_bound_the_trial_count():
    from neurogym_app.config.limits import MAX_TRIALS
    from neurogym_app.runtime.run import PlayOptions

    assert PlayOptions("GoNogo-v0", n_trials=MAX_TRIALS).n_trials == MAX_TRIALS
    with pytest.raises(ValueError, match=r"^n_trials 1000001 is too many: use 1 to 1000000 \(split long runs into sessions\)$"):
        PlayOptions("GoNogo-v0", n_trials=MAX_TRIALS + 1)
    with pytest.raises(ValueError, match=r"^n_trials must be at least 1, got 0"):
        PlayOptions("GoNogo-v0", n_trials=0)
