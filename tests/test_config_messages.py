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


# ------------------------------------------------------- errors met when the experiment's tasks are built
def play_experiment_error(tmp_path: Path, text: str, *extra: str, cwd: Path | None = None) -> str:
    path = write(tmp_path, text)
    proc = run_cli("play", str(path), "--auto", "oracle", "--headless", "--backend", "null", "--participant", "P1",
                   "--out", str(tmp_path / "out"), *extra, cwd=cwd or tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0].removeprefix("neurogym-app: error: ")


def test_a_typo_in_params_names_params_and_the_parameter(tmp_path):
    message = play_experiment_error(tmp_path, RDM + "params = { sigmaa = 1.0 }\n")
    assert message.startswith(f"{tmp_path / 'exp.toml'}: tasks.rdm.params.sigmaa: ")
    assert "did you mean 'sigma'?" in message


def test_a_typo_in_timing_names_timing_and_the_period(tmp_path):
    message = play_experiment_error(tmp_path, RDM + "timing = { fixaton = 100 }\n")
    assert message.startswith(f"{tmp_path / 'exp.toml'}: tasks.rdm.timing.fixaton: ")
    assert "did you mean 'fixation'?" in message


def test_a_wrong_type_in_params_is_one_line_naming_the_parameter(tmp_path):
    message = play_experiment_error(tmp_path, RDM + 'params = { sigma = "high" }\n')
    assert message == f"{tmp_path / 'exp.toml'}: tasks.rdm.params.sigma: PerceptualDecisionMaking-v0: parameter 'sigma' must be a number, got 'high'"


LUMINANCE = '''
import numpy as np
import neurogym_app as ngym
from neurogym_app import spaces


class Luminance(ngym.TrialEnv):
    def __init__(self, dt=100, diffs=(0.02, 0.08, 0.32)):
        super().__init__(dt=dt)
        self.diffs = diffs
        self.timing = {"fixation": 200, "stimulus": 300, "decision": 500}
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "stimulus": [1, 2]})
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    def _new_trial(self, **kwargs):
        trial = {"ground_truth": int(self.rng.choice([1, 2])), "diff": float(self.rng.choice(self.diffs))}
        trial.update(kwargs)
        self.add_period(["fixation", "stimulus", "decision"])
        self.add_ob(1, period=["fixation", "stimulus"], where="fixation")
        self.add_ob(0.5 + trial["diff"] * np.eye(2)[trial["ground_truth"] - 1], "stimulus", where="stimulus")
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        done = self.in_period("decision") and action != 0
        reward = float(done and action == self.gt_now)
        if done:
            self.performance = reward
        return self.ob_now, reward, False, False, {"new_trial": done, "gt": self.gt_now}
'''


def test_custom_task_is_found_beside_the_experiment_file(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    (study / "luminance.py").write_text(LUMINANCE)
    exp = write(study, '[tasks.lum]\nid = "Luminance-v0"\ntrials = 3\n')
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()  # no ./envs here: the task is only beside the file
    proc = run_cli("play", str(exp), "--auto", "oracle", "--headless", "--backend", "null", "--participant", "P1",
                   "--out", str(tmp_path / "out"), cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert "done: 3 trial(s), 100% correct" in proc.stdout
    # a typo in its id suggests it; a wrong parameter value names the parameter and the task's line
    message = play_experiment_error(study, '[tasks.lum]\nid = "Luminanc-v0"\ntrials = 3\n', cwd=elsewhere)
    assert "tasks.lum.id: unknown task id 'Luminanc-v0'; did you mean 'Luminance-v0'" in message
    message = play_experiment_error(study, '[tasks.lum]\nid = "Luminance-v0"\ntrials = 3\nparams = { diffs = "high" }\n', cwd=elsewhere)
    assert message.startswith(f"{study / 'exp.toml'}: tasks.lum.params.diffs: Luminance-v0 fails to start a trial with params {{'diffs': 'high'}}: ")
    assert message.endswith(f"(at {study / 'luminance.py'}:16)")


def test_custom_task_is_found_in_envs_given_after_the_subcommand(tmp_path):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "luminance.py").write_text(LUMINANCE)
    exp = write(tmp_path / "exps" if (tmp_path / "exps").mkdir() is None else tmp_path, '[tasks.lum]\nid = "Luminance-v0"\ntrials = 2\n')
    proc = run_cli("play", str(exp), "--envs", str(tasks), "--auto", "oracle", "--headless", "--backend", "null",
                   "--participant", "P1", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
