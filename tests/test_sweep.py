"""`neurogym-app sweep`: real (tiny) sweeps on the local pool and on real local Ray clusters.

The 2 tasks x 2 seeds sweep of ``_sweep_data`` trains real agents for a few
steps. Ray runs twice: a cluster started in this process by ``ray.init``, and
a ``ray start --head`` cluster joined with ``--address`` by the CLI. Both
must give the local pool's table (training seconds and paths aside).
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from _sweep_data import SEEDS, TASKS, comparable, ray_env, short_temp_dir, tiny_cli_args, tiny_settings

pytestmark = pytest.mark.torch

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "neurogym_app.cli.main"]

BROKEN_TASK = textwrap.dedent(
    '''
    """A user's task with a mistake: every trial fails to draw."""
    import numpy as np

    import neurogym_app as ngym


    class BrokenTrials(ngym.TrialEnv):
        metadata = {"tags": ["test"], "rt_from": "stimulus", "condition_vars": [], "strength_var": None}

        def __init__(self, dt=100, timing=None):
            super().__init__(dt=dt)
            self.timing = {"stimulus": 300}
            self.observation_space = ngym.spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
            self.action_space = ngym.spaces.Discrete(2)

        def _new_trial(self, **kwargs):
            levels = []
            return {"level": levels[0]}  # the mistake: an empty list

        def _step(self, action):
            return self.ob_now, 0.0, False, False, {"new_trial": False, "gt": self.gt_now}
    '''
)


def _cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, **ray_env(), QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg")
    env.update(extra)
    return env


def _rows(folder: Path) -> list[dict]:
    return json.loads((folder / "results.json").read_text())["rows"]


# --------------------------------------------------------------------------- the local pool
def test_local_pool_sweep_writes_agents_table_figure_and_manifest(tiny_sweep):
    from neurogym_app.agents.agent import Agent
    from neurogym_app.agents.sweep_folder import COLUMNS
    from neurogym_app.record.reader import open_session

    folder, result = tiny_sweep
    assert result.status == "completed" and result.failed == 0 and result.skipped == 0
    rows = result.rows
    assert [(r["task"], r["seed"]) for r in rows] == [(t, s) for t in TASKS for s in SEEDS]  # grid order
    assert all(r["status"] == "ok" and r["error"] == "" for r in rows)
    with open(folder / "results.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == list(COLUMNS) and len(table) == 4
    assert _rows(folder) == rows
    for r in rows:
        agent = Agent.load(folder / r["agent"])  # a normal agent folder, as `train` writes it
        assert agent.task_id == r["task"] and agent.spec["training"]["steps_trained"] == 12
        assert agent.spec["training"]["deterministic"] is True and agent.spec["training"]["threads"] == 1
        evaluation = json.loads((folder / r["agent"] / "evaluation.json").read_text())
        assert evaluation["held_out"]["default"]["accuracy"] == r["accuracy_default"]
        assert evaluation["held_out"]["human"]["accuracy"] == r["accuracy_human"]
        for name in ("model.pt", "learning_curve.csv", "learning_curve.png", "sweep_point.json"):
            assert (folder / r["agent"] / name).is_file(), name
        with open_session(folder / r["session"]) as reader:  # the agent's recorded run
            assert len(reader) == r["recorded_trials"] == 16
            assert reader.manifest["player"]["kind"] == "agent" and reader.manifest["player"]["id"] == Path(r["agent"]).name
            assert reader.manifest["task"]["timing_preset"] == r["recorded_timing"] == "human"
    assert rows[0]["strength_var"] == "coh" and rows[2]["strength_var"] is None
    manifest = json.loads((folder / "sweep.json").read_text())
    assert manifest["format"] == "neurogym-app-sweep" and manifest["status"] == "completed"
    assert manifest["grid"] == {"tasks": TASKS, "models": ["gru"], "hidden": [8], "seeds": SEEDS}
    assert manifest["training"]["steps"] == 12 and manifest["points"] == {"ok": 4, "failed": 0, "skipped": 0, "not_run": 0}
    assert manifest["executor"]["name"] == "local" and manifest["executor"]["workers"] == 2
    assert manifest["versions"]["torch"] and manifest["versions"]["app"]


def test_summary_figure_shows_each_seed(tiny_sweep, tmp_path):
    from neurogym_app.plots.sweep_figure import save_sweep_figure

    folder, result = tiny_sweep
    png = folder / "summary.png"
    assert not png.exists()  # run_sweep draws it only when given the figure function (the CLI does)
    path = save_sweep_figure(result.rows, tmp_path / "summary.png")
    import imageio.v3 as iio

    img = iio.imread(path)[..., :3].astype(int)
    assert img.shape[0] > 200 and img.shape[1] > 400
    blue = (np.abs(img[..., 0] - 31) < 12) & (np.abs(img[..., 1] - 119) < 12) & (np.abs(img[..., 2] - 180) < 12)
    assert blue.sum() > 50  # the seeds' dots (model colour 1)


def test_rerun_skips_finished_points_and_refuses_other_training(tiny_sweep):
    from neurogym_app.agents.sweep import run_sweep
    from neurogym_app.agents.sweep_executors import LocalPool
    from neurogym_app.agents.sweep_folder import SweepError

    folder, first = tiny_sweep
    stamps = {r["agent"]: (folder / r["agent"] / "model.pt").stat().st_mtime_ns for r in first.rows}
    again = run_sweep(tiny_settings(), folder, LocalPool(2), progress=False)
    assert again.skipped == 4 and again.failed == 0 and again.status == "completed"
    assert again.rows == first.rows  # read back from the finished points, train_seconds included
    assert {r["agent"]: (folder / r["agent"] / "model.pt").stat().st_mtime_ns for r in again.rows} == stamps
    fewer = run_sweep(tiny_settings(seeds=[1]), folder, LocalPool(2), progress=False)  # the table keeps the whole grid
    assert fewer.skipped == 2 and fewer.rows == first.rows
    assert json.loads((folder / "sweep.json").read_text())["grid"]["seeds"] == SEEDS
    with pytest.raises(SweepError, match=r"trained with steps=12 \(now 13\).*same training settings"):
        run_sweep(tiny_settings(steps=13), folder, LocalPool(2), progress=False)


def test_failing_point_is_recorded_and_the_rest_finish(tmp_path):
    from neurogym_app.agents.sweep import run_sweep
    from neurogym_app.agents.sweep_executors import LocalPool

    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "broken.py").write_text(BROKEN_TASK)
    folder = tmp_path / "sweep"
    settings = tiny_settings(tasks=["BrokenTrials-v0", "GoNogo-v0"], seeds=[0])
    result = run_sweep(settings, folder, LocalPool(2), envs_dir=envs, progress=False)
    broken, good = result.rows
    assert result.failed == 1 and result.status == "completed with failures"
    assert broken["status"] == "failed" and "IndexError" in broken["error"] and "\n" not in broken["error"]
    assert good["status"] == "ok" and (folder / good["agent"] / "sweep_point.json").is_file()
    manifest = json.loads((folder / "sweep.json").read_text())
    assert manifest["failures"] == [{"task": "BrokenTrials-v0", "model": "gru", "hidden": 8, "seed": 0, "error": broken["error"]}]
    # a rerun retries the failed point only
    again = run_sweep(settings, folder, LocalPool(2), envs_dir=envs, progress=False)
    assert again.skipped == 1 and again.failed == 1 and again.rows[1] == good


def test_cli_reports_failed_point_and_exits_1(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "broken.py").write_text(BROKEN_TASK)
    out = tmp_path / "sweep"
    args = tiny_cli_args(tasks=["BrokenTrials-v0", "GoNogo-v0"], seeds=[3])
    done = subprocess.run([*CLI, "--envs", str(envs), "sweep", *args, "--workers", "2", "--out", str(out)],
                          capture_output=True, text=True, env=_cli_env(), cwd=tmp_path, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "BrokenTrials-v0" in done.stdout and "FAILED: IndexError" in done.stdout
    assert "1 point(s) failed" in done.stderr and "rerun the same command" in done.stderr
    assert "1/2 points" in done.stderr or "2/2 points" in done.stderr  # the progress bar
    rows = _rows(out)
    assert [r["status"] for r in rows] == ["failed", "ok"]
    assert (out / "summary.png").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tasks", "NoSuchTask-v0", "--seeds", "0", "--out", "x"], "NoSuchTask-v0"),
        (["--tasks", "GoNogo-v0", "--out", "x"], "give the seeds"),
        (["--tasks", "GoNogo-v0", "--seeds", "0"], "give the sweep folder"),
        (["--tasks", "GoNogo-v0", "--seeds", "0", "0", "--out", "x"], "seeds lists a value twice"),
        (["--tasks", "GoNogo-v0", "--seeds", "0", "--address", "h:1", "--out", "x"], "add --executor ray"),
        (["--tasks", "GoNogo-v0", "--seeds", "0", "--workers", "0", "--out", "x"], "--workers must be at least 1"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, args, message):
    done = subprocess.run([*CLI, "sweep", *args], capture_output=True, text=True, env=_cli_env(), cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not (tmp_path / "x").exists()


def test_sweep_section_of_a_config_file(tmp_path):
    from argparse import Namespace

    from neurogym_app.cli.cmd_sweep import add_parser, settings_from_args

    config = tmp_path / "sweep.toml"
    config.write_text('[sweep]\ntasks = ["GoNogo-v0"]\nseeds = [4, 5]\nmodels = ["rnn"]\nhidden = [12]\nsteps = 30\n'
                      f'executor = "ray"\nworkers = 2\nout = "{tmp_path / "s"}"\n')
    import argparse

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args: Namespace = parser.parse_args(["sweep", "--config", str(config), "--seeds", "7"])
    settings, options = settings_from_args(args)
    assert settings.tasks == ["GoNogo-v0"] and settings.seeds == [7] and settings.models == ["rnn"]
    assert settings.hidden == [12] and settings.steps == 30 and settings.lr == 1e-3  # train's default
    assert options == {"executor": "ray", "address": None, "workers": 2, "out": tmp_path / "s"}


# --------------------------------------------------------------------------- Ctrl-C
@pytest.mark.slow
def test_ctrl_c_keeps_finished_points_and_rerun_resumes(tmp_path):
    out = tmp_path / "sweep"
    cmd = [*CLI, "sweep", *tiny_cli_args(tasks=["GoNogo-v0"], seeds=[0, 1, 2, 3]), "--workers", "1", "--out", str(out)]
    cmd[cmd.index("--steps") + 1] = "200"  # 3 points left after the first: time to interrupt one while it trains
    # as a terminal runs it: SIGINT not ignored (a suite started in the background inherits SIG_IGN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_cli_env(), cwd=tmp_path,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = out / "agents" / "GoNogo_gru8_s0" / "sweep_point.json"
        deadline = time.monotonic() + 240
        while not first.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert first.exists(), proc.stderr.read() if proc.poll() is not None else "first point not finished in time"
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["status"] == "interrupted"
    rows = _rows(out)
    assert rows[0]["seed"] == 0 and rows[0]["status"] == "ok"
    from neurogym_app.agents.agent import Agent

    Agent.load(out / rows[0]["agent"])  # intact
    done = subprocess.run(cmd, capture_output=True, text=True, env=_cli_env(), cwd=tmp_path, timeout=400)
    assert done.returncode == 0, done.stderr
    assert "already done, skipped" in done.stdout
    final = _rows(out)
    assert [r["status"] for r in final] == ["ok"] * 4 and final[0] == rows[0]
    sessions = list((out / "sessions" / "GoNogo-v0").iterdir())
    assert len(sessions) == 4  # an interrupted point's recording does not linger


# --------------------------------------------------------------------------- psychometric fit
def test_psychometric_threshold_and_slope_from_a_recorded_agent(tmp_path):
    from neurogym_app.agents.player import run_agent
    from neurogym_app.agents.sweep import psychometric_of, threshold_of
    from neurogym_app.analysis.catalog import load_table
    from neurogym_app.analysis.metrics import psychometric
    from neurogym_app.analysis.statistics import logistic
    from neurogym_app.record.reader import open_session

    rec = run_agent(ROOT / "assets/agents/PerceptualDecisionMaking_gru32", trials=150, out=tmp_path, seed=3, timing="human")
    psy = psychometric_of(rec.path)
    with open_session(rec.path) as reader:
        _, fit = psychometric(load_table(reader))
    assert psy["strength_var"] == "coh" and psy["psychometric_slope"] == fit.slope.value > 0
    threshold = psy["psychometric_threshold"]
    assert 0 < threshold < 100  # coherence in %
    # signed strength: the step from P = 0.5 (at -bias/slope) to P = 0.75
    pse = -fit.bias.value / fit.slope.value
    assert math.isclose(logistic(np.array([pse + threshold]), fit.bias.value, fit.slope.value)[0], 0.75, rel_tol=1e-9)
    # unsigned strength (accuracy): the strength at 75 % correct
    x75 = threshold_of(0.2, 0.5, signed=False)
    assert math.isclose(logistic(np.array([x75]), 0.2, 0.5)[0], 0.75, rel_tol=1e-9)
    assert threshold_of(0.0, -1.0, signed=True) is None


# --------------------------------------------------------------------------- Ray
def _wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"no Ray GCS on port {port} after {timeout:.0f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_in_process(monkeypatch):
    """A local Ray cluster started here with ray.init (2 CPUs, no dashboard, 80 MB store), stopped after."""
    import ray  # the cluster extra (ray[default]), installed by `make`
    for key, value in ray_env().items():
        monkeypatch.setenv(key, value)
    temp = short_temp_dir()
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024 * 1024, _temp_dir=temp, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.slow
def test_ray_cluster_started_by_ray_init_gives_the_same_table(tiny_sweep, ray_in_process, tmp_path):
    from neurogym_app.agents.sweep import run_sweep
    from neurogym_app.agents.sweep_executors import RayCluster

    _, local = tiny_sweep
    result = run_sweep(tiny_settings(), tmp_path / "ray", RayCluster(), progress=False)
    assert result.status == "completed" and result.failed == 0
    assert comparable(result.rows) == comparable(local.rows)
    manifest = json.loads((tmp_path / "ray" / "sweep.json").read_text())
    assert manifest["executor"]["name"] == "ray" and manifest["versions"]["ray"]
    assert len(manifest["worker_versions"]) == 1 and manifest["worker_versions"][0]["app"] == manifest["versions"]["app"]
    assert ray_in_process.is_initialized()  # a Ray the caller started is left running
    # a failing point on Ray: recorded, the other one finishes
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "broken.py").write_text(BROKEN_TASK)
    mixed = run_sweep(tiny_settings(tasks=["BrokenTrials-v0", "GoNogo-v0"], seeds=[0]), tmp_path / "ray-broken", RayCluster(),
                      envs_dir=envs, progress=False)
    assert [r["status"] for r in mixed.rows] == ["failed", "ok"] and "IndexError" in mixed.rows[0]["error"]
    assert mixed.rows[1] == {**local.rows[2], **{k: mixed.rows[1][k] for k in ("train_seconds", "agent", "session")}}


@pytest.mark.slow
def test_ray_start_head_and_cli_address_give_the_same_table(tiny_sweep, tmp_path):
    _, local = tiny_sweep
    port = _free_port()
    temp = short_temp_dir()
    ray_bin = Path(sys.executable).with_name("ray")
    head = subprocess.Popen(
        [str(ray_bin), "start", "--head", "--block", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
         "--object-store-memory=80000000", f"--temp-dir={temp}", "--disable-usage-stats"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_cli_env(), start_new_session=True,
    )
    try:
        _wait_for_port(port, 90)
        out = tmp_path / "ray-cli"
        cmd = [*CLI, "sweep", *tiny_cli_args(), "--executor", "ray", "--address", f"127.0.0.1:{port}", "--out", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=_cli_env(), cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "on Ray at 127.0.0.1:" in done.stderr and "4/4 points: 4 done" in done.stderr
        rows = _rows(out)
        assert comparable(rows) == comparable(local.rows)
        manifest = json.loads((out / "sweep.json").read_text())
        assert manifest["executor"]["address"] == f"127.0.0.1:{port}" and manifest["executor"]["started_here"] is False
        assert (out / "summary.png").is_file()
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # `ray start --block` stops the processes it started
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=30)
        shutil.rmtree(temp, ignore_errors=True)


def test_importing_the_sweep_modules_imports_neither_torch_nor_ray():
    code = (
        "import sys\n"
        "from neurogym_app.agents import sweep, sweep_executors, sweep_folder\n"
        "from neurogym_app.cli import cmd_sweep, main\n"
        "main.build_parser()\n"
        "print('torch' in sys.modules, 'ray' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_cli_env()).stdout.split()
    assert out == ["False", "False"]
