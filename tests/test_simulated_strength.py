"""`--auto psychometric` works in the task's own strength units, with defaults from its strength range."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import neurogym_app as ngym
from neurogym_app.runtime.simulated import psychometric_defaults, strength_levels

LUMINANCE = '''
import numpy as np
import neurogym_app as ngym
from neurogym_app import spaces


class Luminance(ngym.TrialEnv):
    """Which of two patches is brighter: differences 0.02-0.32."""

    metadata = {"strength_var": "diff"}

    def __init__(self, dt=100, diffs=(0.02, 0.04, 0.08, 0.16, 0.32)):
        super().__init__(dt=dt)
        self.diffs = diffs
        self.timing = {"fixation": 200, "stimulus": 300, "decision": 600}
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


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neurogym_app.cli.main", *args], capture_output=True, text=True, cwd=cwd)


def play_luminance(tmp_path: Path, *extra: str) -> tuple[dict, list[dict]]:
    envs = tmp_path / "envs"
    envs.mkdir(exist_ok=True)
    (envs / "luminance.py").write_text(LUMINANCE)
    out = tmp_path / "out"
    proc = cli("play", "Luminance-v0", "--auto", "psychometric", "--headless", "--backend", "null", "--trials", "300",
               "--seed", "1", "--out", str(out), *extra, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.split("saved in ")[-1].strip())
    manifest = json.loads((folder / "manifest.json").read_text())
    import csv

    with open(folder / "trials.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return manifest, rows


def accuracy(rows: list[dict], diff: float | None = None) -> float:
    chosen = [r for r in rows if diff is None or abs(float(r["diff"]) - diff) < 1e-9]
    return sum(int(r["correct"]) for r in chosen) / len(chosen)


def test_defaults_come_from_the_task_strength_range(tmp_path):
    manifest, rows = play_luminance(tmp_path)
    player = manifest["player"]
    assert abs(player["threshold"] - 0.08) < 1e-9 and abs(player["slope"] - 50.0) < 1e-6  # sqrt(0.02 * 0.32), 4 / threshold
    assert player["defaults_from"] == "task strength range"
    # a graded curve in luminance units: near chance at 0.02, near ceiling at 0.32 (not 52.5 % everywhere)
    assert accuracy(rows, 0.02) < 0.7 < 0.85 < accuracy(rows, 0.32)
    assert 0.6 < accuracy(rows) < 0.85


def test_threshold_and_slope_flags_are_in_strength_units(tmp_path):
    manifest, rows = play_luminance(tmp_path, "--threshold", "0.02", "--slope", "400")
    assert manifest["player"]["threshold"] == 0.02 and manifest["player"]["slope"] == 400.0
    assert manifest["player"]["defaults_from"] is None
    assert accuracy(rows, 0.16) > 0.85  # far above a threshold of 0.02
    coherence_like, rows = play_luminance(tmp_path, "--threshold", "10", "--slope", "0.3")
    assert accuracy(rows) < 0.6  # a coherence threshold on luminance differences: chance, as the flags say


def test_threshold_flag_needs_the_psychometric_player(tmp_path):
    proc = cli("play", "GoNogo-v0", "--auto", "oracle", "--threshold", "3", "--headless", "--backend", "null", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "neurogym-app: error: --threshold is for the psychometric simulated player: add --auto psychometric"
    proc = cli("play", "GoNogo-v0", "--auto", "psychometric", "--slope", "-1", "--headless", "--backend", "null", cwd=tmp_path)
    assert proc.returncode == 2 and "--slope must be a positive number" in proc.stderr


def test_a_task_without_strength_says_so(tmp_path):
    proc = cli("play", "GoNogo-v0", "--auto", "psychometric", "--trials", "2", "--headless", "--backend", "null",
               "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert proc.returncode == 0
    assert "GoNogo-v0 defines no stimulus strength" in proc.stderr


def test_strength_levels_leave_the_task_untouched():
    env = ngym.make("PerceptualDecisionMaking-v0")
    env.reset(seed=3)
    before = dict(env.unwrapped.trial)
    assert strength_levels(env.unwrapped) == [0.0, 6.4, 12.8, 25.6, 51.2]
    assert env.unwrapped.trial == before
    threshold, slope = psychometric_defaults(env.unwrapped)
    assert abs(threshold - (6.4 * 51.2) ** 0.5) < 1e-9 and abs(slope - 4 / threshold) < 1e-12
    assert psychometric_defaults(ngym.make("GoNogo-v0").unwrapped) is None


def test_experiment_sets_the_curve_per_task(tmp_path):
    import csv

    (tmp_path / "luminance.py").write_text(LUMINANCE)
    base = 'name = "same"\nseed = 7\n[tasks.lum]\nid = "Luminance-v0"\ntrials = 200\n[tasks.rdm]\nid = "PerceptualDecisionMaking-v0"\ntrials = 200\n'
    variants = {
        "one_for_all": "[simulated]\nthreshold = 12.8\nslope = 0.3\n",  # coherence units for both tasks
        "per_task": "[simulated]\nthreshold = 12.8\nslope = 0.3\n[tasks.lum.simulated]\nthreshold = 0.04\nslope = 60\n",
        "from_range": "",
    }
    results = {}
    for name, extra in variants.items():
        exp = tmp_path / f"{name}.toml"
        exp.write_text(base + extra)
        proc = cli("play", str(exp), "--auto", "psychometric", "--headless", "--backend", "null", "--participant", "P1",
                   "--out", str(tmp_path / name), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        with open(next((tmp_path / name).glob("*/*/trials.csv")), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["practice"] == "0"]
        results[name] = {t: accuracy([r for r in rows if r["task"] == t]) for t in ("Luminance-v0", "PerceptualDecisionMaking-v0")}
    lum = {name: r["Luminance-v0"] for name, r in results.items()}
    assert lum["one_for_all"] < 0.6  # a coherence threshold on luminance differences: chance
    assert lum["per_task"] > 0.75 and 0.6 < lum["from_range"] < 0.85
    # the override is the luminance task's only: the motion task plays the same trials the same way
    assert results["per_task"]["PerceptualDecisionMaking-v0"] == results["one_for_all"]["PerceptualDecisionMaking-v0"]


def test_headless_simulated_runs_skip_drawing_unless_draw(tmp_path):
    manifests = {}
    for name, extra in (("default", []), ("draw", ["--draw"])):
        proc = cli("play", "GoNogo-v0", "--auto", "oracle", "--headless", "--trials", "3", "--seed", "5",
                   "--out", str(tmp_path / name), *extra, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        folder = Path(proc.stdout.split("saved in ")[-1].strip())
        # play ends with the same timing summary as experiments
        summary = [ln for ln in proc.stdout.splitlines() if ln.startswith("display: ")]
        assert len(summary) == 1 and summary[0].startswith("display: refresh 60.0 Hz, 0 dropped frame(s) of ")
        assert summary[0].endswith("(timed, not drawn)") == (name == "default")
        manifests[name] = json.loads((folder / "manifest.json").read_text())
        manifests[name]["rows"] = (folder / "trials.csv").read_text().splitlines()[1:]
    assert manifests["default"]["display"]["view_drawn"] is False and manifests["default"]["display"]["backend"] == "null"
    assert manifests["draw"]["display"]["view_drawn"] is True and manifests["draw"]["display"]["backend"] == "qt"
    # the same record either way (the last 8 cells, the PsychoPy columns, hold the start date)
    assert [r.rsplit(",", 8)[0] for r in manifests["default"]["rows"]] == [r.rsplit(",", 8)[0] for r in manifests["draw"]["rows"]]
    proc = cli("play", "GoNogo-v0", "--draw", "--headless", cwd=tmp_path)
    assert proc.returncode == 2 and "--draw is for simulated runs without a window" in proc.stderr
