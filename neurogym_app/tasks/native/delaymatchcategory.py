"""Delayed match-to-category: do the sample and the test belong to the same category?"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles

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

    _PERIODS = ("fixation", "sample", "first_delay", "test")

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Performance: ``rng.choice(seq)`` is one ``integers(0, len(seq))`` draw
        # returning ``seq[k]``; the draws are made directly, in the same order.
        rng = self.rng
        choices = self.choices
        trial: dict[str, Any] = {
            "ground_truth": str(choices[int(rng.integers(0, len(choices)))]),
            "sample_category": int(rng.integers(0, 2)),
        }
        u_sample, u_test = rng.random(2).tolist()
        if kwargs:  # drawn values are valid as they are: only given ones are checked
            kwargs.pop("sample_theta", None)  # derived from the categories and the draws above
            kwargs.pop("test_theta", None)
            trial.update(kwargs)
            if trial["ground_truth"] not in self.choices:
                raise ValueError(f"ground_truth must be 'match' or 'non-match', got {trial['ground_truth']!r}")
            trial["sample_category"] = int(trial["sample_category"])
        sample_category = trial["sample_category"]
        test_category = sample_category if trial["ground_truth"] == "match" else 1 - sample_category
        # A uniform direction within the category's half circle (float % on a
        # positive modulus gives np.mod's value: fmod, then the same sign fix).
        sample_theta = ((sample_category + u_sample - 0.5) * math.pi) % (2 * math.pi)
        test_theta = ((test_category + u_test - 0.5) * math.pi) % (2 * math.pi)
        trial["sample_theta"], trial["test_theta"] = sample_theta, test_theta

        self.add_period(self._PERIODS)
        # Performance: the observation written directly, with the values of
        # add_ob(1, where="fixation"), set_ob(0, "test", where="fixation"),
        # add_ob(ring_bump, period, where="stimulus") and add_randn (see _write_stimuli).
        ob = self.ob
        start, end = self.start_ind, self.end_ind
        test, test_end = start["test"], end["test"]
        ob[:test, 0] = 1  # on until the test, the last of the back-to-back periods
        self._write_stimuli(ob, start["sample"], end["sample"], test, test_end, sample_theta, test_theta)
        self.gt[test:test_end] = self.action_space.name[trial["ground_truth"]]
        return trial

    def _write_stimuli(
        self, ob: np.ndarray, s0: int, s1: int, t0: int, t1: int, sample_theta: float, test_theta: float
    ) -> None:
        """Sample rows ``s0:s1`` and test rows ``t0:t1``: a ring bump of the direction plus noise.

        Performance: both bumps and both periods' noise in one set of numpy
        calls, with the bits of add_ob(ring_bump) then add_randn(0, sigma) per
        period: the bumps are ``0.5 + 0.5 * cos(theta - direction)`` in float64
        (ring_bump's operations, one row per direction), cast to float32; the
        noise is the same standard normals (one draw of both periods' values, in
        order, is the stream of one draw per period) times sigma in float64, cast
        to float32; bump + noise is then one float32 sum, as before (the rows
        were zero, so add_ob left exactly the float32 bump; adding add_randn's
        zero mean only turns -0.0 into +0.0, which no sum here can see).
        """
        directions = self.__dict__.get("_directions")
        if directions is None:
            directions = self._directions = np.empty((2, 1))  # a column: one bump row per direction
        directions[0, 0] = sample_theta
        directions[1, 0] = test_theta
        bumps = self.theta - directions
        np.cos(bumps, out=bumps)
        np.multiply(bumps, _HALF, out=bumps)  # gain * cos (a 0-d float64: the same product, a cheaper call)
        np.add(bumps, _HALF, out=bumps)  # offset + ...
        bumps32 = bumps.astype(ob.dtype)
        n_sample = s1 - s0
        noise = self.rng.standard_normal((n_sample + t1 - t0, self.dim_ring))
        noise *= self.sigma
        values = noise.astype(ob.dtype)
        stimulus = slice(1, 1 + self.dim_ring)
        np.add(values[:n_sample], bumps32[0], out=ob[s0:s1, stimulus])
        np.add(values[n_sample:], bumps32[1], out=ob[t0:t1, stimulus])

    def _step(self, action):
        if action == 0:  # fixating is never judged (the usual step): skip the judge
            return OBNOW, 0.0, False, False, {"new_trial": False, "gt": self.gt_now}
        return judge_fixate_then_choose(self, action, decision_period="test")
