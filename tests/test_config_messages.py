"""Experiment-file and config errors name the field actually wrong, suggest close names at any
depth, and reject numbers written as text; global options are accepted after the subcommand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from neurogym_app.config import Config, ConfigError
from neurogym_app.config.experiment import load_experiment

RDM = '[tasks.rdm]\nid = "PerceptualDecisionMaking-v0"\ntrials = 5\n'


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("section", "typo", "fix"),
    [
        ('[tasks.rdm.adaptive]\nmethod = "staircase"\nvariable = "coh"\nstart = 50\nsteps = [10]\n', "dwon = 3", "tasks.rdm.adaptive.dwon' (valid: variable, parameter, method, start, up, down"),
        ('[tasks.rdm.adaptive]\nmethod = "quest"\nvariable = "coh"\nintensity_min = 0\nintensity_max = 1\nintensity_step = 0.1\n', "slop = 2", "tasks.rdm.adaptive.slop'"),
        ("[tasks.rdm.practice]\n", "trails = 4", "tasks.rdm.practice.trails'"),
        ('[[blocks]]\ntask = "rdm"\n', "repet = 2", "blocks[0].repet'"),
        ("[flow]\n", "feedbak_ms = 2", "flow.feedbak_ms'"),
        ('[[participant_fields]]\nname = "age"\n', 'typ = "int"', "participant_fields[0].typ'"),
    ],
)
def test_unknown_field_at_any_depth_gets_a_suggestion(tmp_path, section, typo, fix):
    path = write(tmp_path, RDM + section + typo + "\n")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = one_line(info)
    assert message.startswith(f"{path}: unknown field '")
    assert fix in message
    wrong = typo.split(" =")[0]
    expected = {"dwon": "down", "slop": "slope", "trails": "trials", "repet": "repeat", "feedbak_ms": "feedback_ms", "typ": "type"}[wrong]
    assert message.endswith(f"did you mean {expected!r}?")


def test_unknown_field_without_a_close_name_lists_the_valid_ones(tmp_path):
    path = write(tmp_path, RDM + "[flow]\nzzz = 1\n")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = one_line(info)
    assert "unknown field 'flow.zzz' (valid: feedback_ms," in message and "did you mean" not in message


def test_numbers_written_as_text_are_rejected_in_experiment_files(tmp_path):
    path = write(tmp_path, RDM + '[simulated]\nthreshold = "0.06"\n')
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert one_line(info) == f"{path}: simulated.threshold: Input should be a number, not the text '0.06': write 0.06 without quotes"
    path = write(tmp_path, RDM.replace("trials = 5", 'trials = "5"\ndt = "20"'))
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = one_line(info)
    assert "tasks.rdm.trials: Input should be a number, not the text '5'" in message
    assert "tasks.rdm.dt: Input should be a number, not the text '20'" in message


def test_numbers_as_text_in_config_file_rejected_but_environment_accepted(tmp_path, monkeypatch):
    path = write(tmp_path, '[env]\ndt = "20"\n[session]\ntrials = 0\n', "config.toml")
    with pytest.raises(ConfigError) as info:
        Config(path)
    message = one_line(info)
    assert f"{path}: env.dt: Input should be a number, not the text '20'" in message
    assert f"{path}: session.trials: " in message  # other problems are still reported
    monkeypatch.setenv("NGYM_ENV__DT", "20")  # environment variables are text by nature
    assert Config().env.dt == 20
    # text that is not a number keeps pydantic's message
    with pytest.raises(ConfigError, match=r"session\.trials: Input should be a valid integer"):
        Config(write(tmp_path, '[session]\ntrials = "many"\n', "c2.toml"))


def test_unknown_config_field_suggests_the_close_name(tmp_path):
    path = write(tmp_path, "[monitor.lg]\nlevel = 'INFO'\n", "config.toml")
    with pytest.raises(ConfigError) as info:
        Config(path)
    assert one_line(info).endswith("did you mean 'log'?")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neurogym_app.cli.main", *args], capture_output=True, text=True, cwd=cwd)


BLINK = """
import numpy as np
import neurogym_app as ngym
from neurogym_app import spaces


class Blink(ngym.TrialEnv):
    def __init__(self, dt=100):
        super().__init__(dt=dt)
        self.timing = {"blink": 200}
        self.observation_space = spaces.Box(-1, 1, shape=(1,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)

    def _new_trial(self, **kwargs):
        trial = {"ground_truth": 1, **kwargs}
        self.add_period("blink")
        self.add_ob(1, "blink")
        self.set_groundtruth(1, "blink")
        return trial

    def _step(self, action):
        return self.ob_now, float(action == self.gt_now), False, False, {}
"""


def test_global_options_are_accepted_after_the_subcommand(tmp_path):
    envs = tmp_path / "mytasks"
    envs.mkdir()
    (envs / "blink.py").write_text(BLINK)
    after = run_cli("list", "--envs", str(envs), cwd=tmp_path)
    before = run_cli("--envs", str(envs), "list", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "Blink-v0" in after.stdout and after.stdout == before.stdout
    missing = run_cli("info", "GoNogo-v0", "--envs", str(tmp_path / "nope"), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"neurogym-app: error: --envs {tmp_path / 'nope'}: no such folder; give a folder of task modules"
