"""Delayed match-to-sample: is the test stimulus the same as the remembered sample?"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


class DelayMatchSample(TrialEnv):
    """Delayed match-to-sample task.

    A sample stimulus (a direction on a ring of ``dim_ring`` units) is shown,
    then, after a delay, a test stimulus. In the decision period the agent
    reports "match" (action 1) if the test equals the sample and "non-match"
    (action 2) if it is the opposite direction.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/jneuro/16/16/5154.full.pdf",
        "paper_name": "Neural Mechanisms of Visual Working Memory in Prefrontal Cortex of the Macaque",
        "tags": ["perceptual", "working memory", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "sample_theta"],
        "action_labels": {1: "match", 2: "non-match"},
    }
    default_timing = {"fixation": 300, "sample": 500, "delay": 1000, "test": 500, "decision": 900}
    timing_presets = {"human": {"fixation": 500, "sample": 500, "delay": 1000, "test": 500, "decision": 2000}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
    ) -> None:
        super().__init__(dt=dt)
        if dim_ring < 2:
            raise ValueError(f"dim_ring must be at least 2, got {dim_ring}")
        self.choices = np.array([1, 2])  # 1: match, 2: non-match
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.dim_ring = dim_ring
        self.theta = ring_angles(dim_ring)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + dim_ring,), dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "match": 1, "non-match": 2})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "sample_theta": float(self.rng.choice(self.theta)),
        }
        kwargs.pop("test_theta", None)  # derived from the sample and the ground truth
        trial.update(kwargs)
        sample = float(trial["sample_theta"])
        test = sample if int(trial["ground_truth"]) == 1 else (sample + math.pi) % (2 * math.pi)
        trial["test_theta"] = test

        self.add_period(["fixation", "sample", "delay", "test", "decision"])
        self.add_ob(1, where="fixation")
        self.set_ob(0, "decision", where="fixation")
        self.add_ob(ring_bump(self.theta, sample), "sample", where="stimulus")
        self.add_randn(0, self.sigma, "sample", where="stimulus")
        self.add_ob(ring_bump(self.theta, test), "test", where="stimulus")
        self.add_randn(0, self.sigma, "test", where="stimulus")
        self.set_groundtruth(int(trial["ground_truth"]), "decision")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)


class DelayMatchSampleDistractor1D(TrialEnv):
    """Delayed match-to-sample with up to three tests, the non-matching ones distractors.

    A sample direction is shown on a ring of 32 units, then three tests, each
    after a delay. Exactly one test (``ground_truth``: 1, 2 or 3) repeats the
    sample; the others are random directions. The agent must respond "match"
    (action 1) during the matching test and hold still before it: a response
    during an earlier test (or a delay) fails the trial, one during fixation
    or the sample costs ``abort``. Inputs are cosine bumps (no noise), and the
    fixation input is on during the fixation period only, as in NeuroGym.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: accepted for NeuroGym compatibility; NeuroGym adds no noise to this task.

    Reaction times (``rt_from``) count from the first test; subtract the
    matching test's onset for the time to respond to the match.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/jneuro/16/16/5154.full.pdf",
        "paper_name": "Neural Mechanisms of Visual Working Memory in Prefrontal Cortex of the Macaque",
        "tags": ["perceptual", "working memory", "two-alternative", "supervised"],
        "rt_from": "test1",
        "condition_vars": ["ground_truth"],
        "strength_var": None,
        "action_labels": {1: "match"},
    }
    default_timing = {
        "fixation": 300, "sample": 500, "delay1": 1000, "test1": 500,
        "delay2": 1000, "test2": 500, "delay3": 1000, "test3": 500,
    }
    timing_presets = {
        "human": {
            "fixation": 500, "sample": 500, "delay1": 1000, "test1": 1500,
            "delay2": 1000, "test2": 1500, "delay3": 1000, "test3": 1500,
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
        self.choices = np.array([1, 2, 3])
        self.sigma = input_noise_sd(sigma, dt)  # unused, as in NeuroGym
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -1.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.theta = ring_angles(32)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(33,), dtype=np.float32, name={"fixation": 0, "stimulus": list(range(1, 33))}
        )
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "match": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "sample": float(self.rng.uniform(0, 2 * np.pi)),
        }
        distractors = self.rng.uniform(0, 2 * np.pi, size=3).tolist()
        for i in (1, 2, 3):
            kwargs.pop(f"test{i}", None)  # derived: the sample or a distractor
        trial.update(kwargs)
        trial["ground_truth"] = int(trial["ground_truth"])
        if trial["ground_truth"] not in (1, 2, 3):
            raise ValueError(f"ground_truth must be 1, 2 or 3 (the matching test), got {trial['ground_truth']!r}")
        trial["sample"] = float(trial["sample"])
        match = trial["ground_truth"]
        sample = trial["sample"]
        for i in (1, 2, 3):
            trial[f"test{i}"] = sample if i == match else distractors[i - 1]

        self.add_period(["fixation", "sample", "delay1", "test1", "delay2", "test2", "delay3", "test3"])
        self.add_ob(1, "fixation", where="fixation")
        for period in ("sample", "test1", "test2", "test3"):
            self.add_ob(np.cos(self.theta - trial[period]), period, where="stimulus")
        self.set_groundtruth(1, f"test{match}")
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:
            if self.in_period("fixation") or self.in_period("sample"):
                reward = self.rewards["abort"]
                new_trial = self.abort
            elif not self.in_period(f"test{self.trial['ground_truth']}"):
                reward = self.rewards["fail"]
                new_trial = True
            elif action == 1:
                reward = self.rewards["correct"]
                new_trial = True
                self.performance = 1
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
