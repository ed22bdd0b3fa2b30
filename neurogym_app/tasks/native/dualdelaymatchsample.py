"""Two-item delayed match-to-sample with a retro-cue for the item tested first."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards


class DualDelayMatchSample(TrialEnv):
    """Two-item delayed match-to-sample.

    Two samples are shown at once (each one of two directions, on its own
    pair of inputs). After a delay a cue says which sample is tested first;
    during the first test the agent reports whether the test matches the cued
    sample (action 1 "match", 2 "non-match"). Then, after another delay and
    cue, the other sample is tested the same way. The fixation input stays on
    throughout and noise is added to every input during sample and tests, as
    in NeuroGym. Responding outside the tests costs ``abort``.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: input noise, per sqrt(ms).

    Differences from NeuroGym (defects fixed): only the first response in
    each test is judged (NeuroGym rewards every step of a response in the
    first test, so holding the key earns the reward again and again), and
    ``performance`` is 1 only when both answers were correct (NeuroGym kept
    1 after a correct first answer and a wrong second one).
    """

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/354/6316/1136",
        "paper_name": "Reactivation of latent working memories with transcranial magnetic stimulation",
        "tags": ["perceptual", "working memory", "two-alternative", "supervised"],
        "rt_from": "test1",
        "condition_vars": ["ground_truth1", "ground_truth2", "test_order"],
        "strength_var": None,
        "action_labels": {1: "match", 2: "non-match"},
    }
    default_timing = {
        "fixation": 500,
        "sample": 500,
        "delay1": 500,
        "cue1": 500,
        "test1": 500,
        "delay2": 500,
        "cue2": 500,
        "test2": 500,
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "sample": 1000,
            "delay1": 1000,
            "cue1": 500,
            "test1": 2000,
            "delay2": 1000,
            "cue2": 500,
            "test2": 2000,
        }
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        self.choices = [1, 2]
        self.cues = [0, 1]
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self._answers: dict[str, bool] = {}
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(7,),
            dtype=np.float32,
            name={"fixation": 0, "stimulus1": [1, 2], "stimulus2": [3, 4], "cue1": 5, "cue2": 6},
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "match": 1, "non-match": 2})

    @staticmethod
    def _direction(value: float) -> list[float]:
        theta = value * np.pi
        return [float(np.cos(theta)), float(np.sin(theta))]

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "ground_truth1": int(self.rng.choice(self.choices)),
            "ground_truth2": int(self.rng.choice(self.choices)),
            "sample1": float(self.rng.choice((0.0, 0.5))),
            "sample2": float(self.rng.choice((0.0, 0.5))),
            "test_order": int(self.rng.integers(0, 2)),
        }
        kwargs.pop("test1", None)  # derived from samples and ground truths
        kwargs.pop("test2", None)
        trial.update(kwargs)
        for key in ("ground_truth1", "ground_truth2", "test_order"):
            trial[key] = int(trial[key])
        trial["sample1"], trial["sample2"] = sample1, sample2 = float(trial["sample1"]), float(trial["sample2"])
        trial["test1"] = test1 = float(sample1 if trial["ground_truth1"] == 1 else 0.5 - sample1)
        trial["test2"] = test2 = float(sample2 if trial["ground_truth2"] == 1 else 0.5 - sample2)
        # which item is tested (and cued) first
        first, second = ("1", "2") if trial["test_order"] == 0 else ("2", "1")

        self._answers = {}
        self.add_period(["fixation", "sample", "delay1", "cue1", "test1", "delay2", "cue2", "test2"])
        self.add_ob(1, where="fixation")
        self.add_ob(self._direction(sample1), "sample", where="stimulus1")
        self.add_ob(self._direction(sample2), "sample", where="stimulus2")
        self.add_ob(1, f"cue{first}", where="cue1")
        self.add_ob(1, f"cue{second}", where="cue2")
        self.add_ob(self._direction(test1), f"test{first}", where="stimulus1")
        self.add_ob(self._direction(test2), f"test{second}", where="stimulus2")
        self.add_randn(0, self.sigma, ["sample", "test1", "test2"])
        self.set_groundtruth(trial["ground_truth1"], f"test{first}")
        self.set_groundtruth(trial["ground_truth2"], f"test{second}")
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:
            period = "test1" if self.in_period("test1") else "test2" if self.in_period("test2") else None
            if period is None:
                new_trial = self.abort
                reward = self.rewards["abort"]
            elif period not in self._answers:
                correct = action == gt
                self._answers[period] = bool(correct)
                reward = self.rewards["correct"] if correct else self.rewards["fail"]
                self.performance = int(len(self._answers) == 2 and all(self._answers.values()))
                new_trial = period == "test2"
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
