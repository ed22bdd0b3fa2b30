"""Delayed paired association: go for the associated stimulus pairs, withhold for the others."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards


class DelayPairedAssociation(TrialEnv):
    """Delayed paired-association task (a go/no-go on stimulus pairs).

    Two stimuli, each one of four (inputs 1-4), are shown one after the other,
    separated by a delay. Pairs (1, 3) and (2, 4) are "associated": after a
    second delay the agent must respond ("go") in the decision period. For the
    other pairs, (1, 4) and (2, 3), it must withhold. A missed go costs
    ``miss`` at the end of the trial; a go on a no-go pair costs ``fail``.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``, ``miss``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: accepted for NeuroGym compatibility; NeuroGym adds no noise to this task.

    Defect fixed: NeuroGym presets ``performance = 1`` on no-go trials in
    ``_new_trial`` but its ``step`` zeroes ``performance`` after building each
    new trial, so a correctly withheld no-go trial ended with performance 0.
    Here the preset survives (the base class resets ``performance`` before
    ``_new_trial``), so an agent acting the ground truth scores 1 on every trial.
    """

    metadata = {
        "paper_link": "https://elifesciences.org/articles/43191",
        "paper_name": "Active information maintenance in working memory by a sensory cortex",
        "tags": ["perceptual", "working memory", "go-no-go", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["pair", "ground_truth"],
        "strength_var": None,
        "action_labels": {1: "go"},
    }
    default_timing = {
        "fixation": 0,
        "stim1": 1000,
        "delay_btw_stim": 1000,
        "stim2": 1000,
        "delay_aft_stim": 1000,
        "decision": 500,
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "stim1": 1000,
            "delay_btw_stim": 1000,
            "stim2": 1000,
            "delay_aft_stim": 1000,
            "decision": 1500,
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
        self.choices = [0, 1]
        self.pairs = [(1, 3), (1, 4), (2, 3), (2, 4)]
        self.association = 0  # go if (second - first) % 2 == association
        self.sigma = input_noise_sd(sigma, dt)  # unused, as in NeuroGym
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -1.0, "miss": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(5,), dtype=np.float32, name={"fixation": 0, "stimulus": [1, 2, 3, 4]}
        )
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"pair": self.pairs[int(self.rng.integers(len(self.pairs)))]}
        kwargs.pop("ground_truth", None)  # derived from the pair
        trial.update(kwargs)
        pair = tuple(int(s) for s in trial["pair"])
        if len(pair) != 2 or any(s not in (1, 2, 3, 4) for s in pair):
            raise ValueError(f"pair must be two stimuli out of 1-4, got {trial['pair']!r}")
        trial["pair"] = pair
        trial["ground_truth"] = ground_truth = int((pair[1] - pair[0]) % 2 == self.association)

        self.add_period(["fixation", "stim1", "delay_btw_stim", "stim2", "delay_aft_stim", "decision"])
        self.add_ob(1, where="fixation")
        # channel k is stimulus k
        self.add_ob(1, "stim1", where=pair[0])
        self.add_ob(1, "stim2", where=pair[1])
        self.set_ob(0, "decision")
        self.set_groundtruth(ground_truth, "decision")
        # A go trial that ends untouched is a miss; a no-go trial that does is correct.
        self.r_tmax = self.rewards["miss"] * ground_truth
        self.performance = 1 - ground_truth
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:
            if self.in_period("fixation"):
                new_trial = self.abort
                reward = self.rewards["abort"]
            elif self.in_period("decision"):
                new_trial = True
                if action == gt:
                    reward = self.rewards["correct"]
                    self.performance = 1
                else:
                    reward = self.rewards["fail"]
                    self.performance = 0
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
