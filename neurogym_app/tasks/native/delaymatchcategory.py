"""Delayed match-to-category: do the sample and the test belong to the same category?"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump

_HALF = np.array(0.5)  # ring_bump's gain and offset, as a float64 operand (never written)


class DelayMatchCategory(TrialEnv):
    """Delayed match-to-category task.

    A sample direction is shown, then after a delay a test direction. The
    directions fall in two categories (two half circles); during the test the
    agent reports whether the test belongs to the sample's category ("match",
    action 1) or not ("non-match", action 2). Directions are shown as cosine
    bumps on a ring of ``dim_ring`` units with input noise.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: input noise, per sqrt(ms).
        dim_ring: number of ring units.

    Difference from NeuroGym (defect fixed): NeuroGym's categories are the
    half circles 0-180 and 180-360 degrees, whose boundary runs through the
    ring's units; with the default two units (at 0 and 180 degrees) a
    direction and its mirror image give the same input but belong to
    different categories, so the task cannot be solved. Here the boundary is
    turned by 90 degrees: category 0 is the half circle centred on 0 degrees
    (-90 to 90), category 1 the one centred on 180 degrees.
    """

    action_space: spaces.Discrete  # named, so the ground truth can be looked up by name

    metadata = {
        "paper_link": "https://www.nature.com/articles/nature05078",
        "paper_name": "Experience-dependent representation of visual categories in parietal cortex",
        "tags": ["perceptual", "working memory", "two-alternative", "supervised"],
        "rt_from": "test",
        "condition_vars": ["ground_truth", "sample_category"],
        "strength_var": None,
        "action_labels": {1: "match", 2: "non-match"},
    }
    default_timing = {"fixation": 500, "sample": 650, "first_delay": 1000, "test": 650}
    timing_presets = {"human": {"fixation": 500, "sample": 650, "first_delay": 1000, "test": 2000}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
    ) -> None:
        super().__init__(dt=dt)
        if not isinstance(dim_ring, (int, np.integer)) or dim_ring < 2:
            raise ValueError(f"dim_ring must be an int >= 2, got {dim_ring!r}")
        self.choices = ["match", "non-match"]
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.dim_ring = int(dim_ring)
        self.theta = ring_angles(self.dim_ring)
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(1 + self.dim_ring,),
            dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, self.dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "match": 1, "non-match": 2})

    @staticmethod
    def category_of(theta: float) -> int:
        """Category of a direction: 0 within 90 degrees of 0, 1 within 90 degrees of 180."""
        return int(np.cos(theta) < 0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "ground_truth": str(self.rng.choice(self.choices)),
            "sample_category": int(self.rng.integers(0, 2)),
        }
        u_sample, u_test = self.rng.random(2).tolist()
        kwargs.pop("sample_theta", None)  # derived from the categories and the draws above
        kwargs.pop("test_theta", None)
        trial.update(kwargs)
        if trial["ground_truth"] not in self.choices:
            raise ValueError(f"ground_truth must be 'match' or 'non-match', got {trial['ground_truth']!r}")
        trial["sample_category"] = sample_category = int(trial["sample_category"])
        test_category = sample_category if trial["ground_truth"] == "match" else 1 - sample_category
        # a uniform direction within the category's half circle
        trial["sample_theta"] = sample_theta = ((sample_category + u_sample - 0.5) * math.pi) % (2 * math.pi)
        trial["test_theta"] = test_theta = ((test_category + u_test - 0.5) * math.pi) % (2 * math.pi)

        self.add_period(["fixation", "sample", "first_delay", "test"])
        self.add_ob(1, where="fixation")
        self.set_ob(0, "test", where="fixation")
        self.add_ob(ring_bump(self.theta, sample_theta), "sample", where="stimulus")
        self.add_randn(0, self.sigma, "sample", where="stimulus")
        self.add_ob(ring_bump(self.theta, test_theta), "test", where="stimulus")
        self.add_randn(0, self.sigma, "test", where="stimulus")
        self.set_groundtruth(self.action_space.name[trial["ground_truth"]], "test")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action, decision_period="test")
