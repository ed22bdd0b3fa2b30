"""`neurogym-app list / info / check`, bad arguments, custom-task discovery."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from neurogym_app.cli.main import main


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", *args], capture_output=True, text=True, cwd=cwd
    )


def test_list_json_has_metadata(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rows}
    pdm = by_id["PerceptualDecisionMaking-v0"]
    assert pdm["group"] == "native" and "perceptual" in pdm["tags"]
    assert pdm["paper_link"].startswith("https://") and pdm["description"]


def test_list_by_tag(capsys):
    assert main(["list", "--tag", "timing"]) == 0
    out = capsys.readouterr().out
    assert "ReadySetGo-v0" in out and "GoNogo-v0" not in out


def test_info_shows_periods_spaces_and_timing(capsys):
    assert main(["info", "ContextDecisionMaking-v0"]) == 0
    out = capsys.readouterr().out
    assert "stim1_mod1" in out and "truncated exponential" in out and "fixation -> stimulus -> delay -> decision" in out
    assert main(["info", "GoNogo-v0", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["action_space"]["names"] == {"fixation": 0, "go": 1}
    assert info["timing_presets"]["human"]["decision"] == "1500 ms"


def test_check_passes_for_named_tasks(capsys):
    assert main(["check", "GoNogo-v0", "DelayMatchSample-v0", "--steps", "300"]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, words",
    [
        (["info", "NoSuchTask-v0"], "unknown task id 'NoSuchTask-v0'"),
        (["info", "GoNog-v0"], "did you mean 'GoNogo-v0'"),
        (["lst"], "invalid choice"),
        (["check", "--steps", "x"], "invalid int value"),
        (["list", "--tag", "nonsense"], "unknown tag 'nonsense'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args, words):
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_app_without_display_prints_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert proc.returncode == 3
    assert len(proc.stderr.strip().splitlines()) == 1 and "--headless" in proc.stderr


CUSTOM = textwrap.dedent(
    '''
    import numpy as np
    import neurogym_app as ngym
    from neurogym_app.core.trial_env import OBNOW

    class Blink(ngym.TrialEnv):
        """A light blinks; press when it does."""
        default_timing = {"wait": ("uniform", (200, 800)), "blink": 100}

        def __init__(self, dt=100, timing=None):
            super().__init__(dt=dt)
            self.timing = self.resolve_timing(self.default_timing, timing)
            self.observation_space = ngym.spaces.Box(0, 1, shape=(1,), name={"light": 0})
            self.action_space = ngym.spaces.Discrete(2, name={"fixation": 0, "go": 1})

        def _new_trial(self, **kwargs):
            trial = {"x": float(self.rng.random())}
            trial.update(kwargs)
            self.add_period(["wait", "blink"])
            self.add_ob(1, "blink")
            self.set_groundtruth(1, "blink")
            return trial

        def _step(self, action):
            return OBNOW, float(action == self.gt_now), False, False, {}
    '''
)


def test_custom_tasks_in_envs_folder_are_registered(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "blink.py").write_text(CUSTOM)
    proc = run_cli("--envs", str(envs), "check", "Blink-v0", "--steps", "200")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Blink-v0: ok" in proc.stdout
    # ./envs is the default folder
    proc = run_cli("list", cwd=tmp_path)
    assert "Blink-v0" in proc.stdout and "custom" in proc.stdout


def test_broken_custom_module_is_reported_with_file_and_line(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "good.py").write_text(CUSTOM)
    (envs / "broken.py").write_text("import numpy\n\nx = 1 / 0\n")
    proc = run_cli("--envs", str(envs), "check", "Blink-v0", "--steps", "100")
    assert f"{envs / 'broken.py'}:3: task module failed to import: ZeroDivisionError" in proc.stderr
    assert proc.returncode == 1  # reported, and the check run fails because of it


def test_custom_id_clashing_with_builtin_is_an_error(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    (envs / "clash.py").write_text(CUSTOM.replace("class Blink", "class GoNogo"))
    proc = run_cli("--envs", str(envs), "list")
    assert proc.returncode == 2
    assert "'GoNogo-v0' is defined twice" in proc.stderr and "clash.py" in proc.stderr


def test_template_task_runs_as_is():
    root = Path(__file__).resolve().parents[1]
    proc = run_cli("--envs", str(root / "envs"), "check", "BrighterSide-v0", "--steps", "300")
    assert proc.returncode == 0, proc.stdout + proc.stderr
