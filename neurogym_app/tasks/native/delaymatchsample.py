"""Delayed match-to-sample: is the test stimulus the same as the remembered sample?"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks._common import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


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
        self._bump_rows: dict[float, np.ndarray] = {}
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + dim_ring,), dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "match": 1, "non-match": 2})

    def batch_trials(self, rng: np.random.Generator, n: int):
        """``n`` trials at once, for ``ngym.Dataset`` (same distribution as ``new_trial``)."""
        from neurogym_app.core.dataset import BatchLayout

        ground_truth = self.choices[rng.integers(self.choices.size, size=n)]
        sample = self.theta[rng.integers(self.theta.size, size=n)]
        test = np.where(ground_truth == 1, sample, np.mod(sample + np.pi, 2 * np.pi))
        lay = BatchLayout(self, rng, n)
        lay.add(["fixation", "sample", "delay", "test", "decision"])
        ob, gt = lay.build(self.observation_space.shape)
        decision = lay.mask("decision")
        ob[..., 0] = ~decision
        for period, direction in (("sample", sample), ("test", test)):
            cols = lay.span(period)
            shown = lay.mask(period, cols)[..., None]
            block = ob[:, cols, 1:]
            block += shown * ring_bump(self.theta, direction[:, None])[:, None, :]
            block += (shown * (self.sigma * rng.standard_normal(block.shape))).astype(np.float32)
        gt[...] = decision * ground_truth[:, None]
        trials = {"ground_truth": ground_truth, "sample_theta": sample, "test_theta": test, "durations": lay.durations_ms()}
        return (*lay.finish(ob, gt), trials)

    _PERIODS = ("fixation", "sample", "delay", "test", "decision")

    def _bump_row(self, direction: float) -> np.ndarray:
        """``ring_bump(theta, direction)`` as ``add_ob`` leaves it in a zero float32 row (cached).

        Performance: written with one slice assignment instead of ``add_ob``;
        the rows it goes to are zero before, so the bits are those of ``add_ob``.
        """
        cache = self._bump_rows
        row = cache.get(direction)
        if row is None:
            row = np.zeros(self.dim_ring, dtype=self.observation_space.dtype)
            row += ring_bump(self.theta, direction)
            if len(cache) >= 256:  # directions passed to new_trial can be anything: keep the cache small
                cache.clear()
            cache[direction] = row
        return row

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Performance: ``rng.choice(arr)`` is one ``integers(0, len(arr))`` draw
        # returning ``arr[k]``; the draws are made directly, in the same order.
        integers = self.rng.integers
        choices, theta = self.choices, self.theta
        trial = {
            "ground_truth": int(choices[int(integers(0, choices.shape[0]))]),
            "sample_theta": float(theta[int(integers(0, theta.shape[0]))]),
        }
        if kwargs:
            kwargs.pop("test_theta", None)  # derived from the sample and ground truth
            trial.update(kwargs)
        sample = float(trial["sample_theta"])
        # float % on a positive modulus gives np.mod's value (fmod, then the same sign fix)
        test = sample if int(trial["ground_truth"]) == 1 else (sample + math.pi) % (2 * math.pi)
        trial["test_theta"] = test
        self.add_period(self._PERIODS)
        # Performance: the observation written directly, with the values of
        # add_ob(1, where="fixation"), set_ob(0, "decision", where="fixation"),
        # add_ob(ring_bump, period, where="stimulus") and add_randn (see _write_stimuli).
        ob = self.ob
        start, end = self.start_ind, self.end_ind
        decision = start["decision"]
        ob[:decision, 0] = 1  # on until the decision, the last of the back-to-back periods
        self._write_stimuli(ob, start["sample"], end["sample"], start["test"], end["test"], sample, test)
        self.gt[decision : end["decision"]] = int(trial["ground_truth"])
        return trial

    def _write_stimuli(self, ob: np.ndarray, s0: int, s1: int, t0: int, t1: int, sample: float, test: float) -> None:
        """Sample rows ``s0:s1`` and test rows ``t0:t1``: the cached bump rows plus noise.

        Performance: the bits of add_ob(ring_bump) then add_randn(0, sigma) per
        period, in few numpy calls: the rows were zero, so add_ob left the float32
        bump row; the noise is the same standard normals (one draw of both
        periods' values, in order, is the stream of one draw per period) times
        sigma in float64, cast to float32; each row is then bump + noise in
        float32, the one sum add_randn made (adding its zero mean only turns
        -0.0 into +0.0, which no sum here can see).
        """
        n_sample = s1 - s0
        noise = self.rng.standard_normal((n_sample + t1 - t0, self.dim_ring))
        noise *= self.sigma
        values = noise.astype(ob.dtype)
        stimulus = slice(1, 1 + self.dim_ring)
        np.add(values[:n_sample], self._bump_row(sample), out=ob[s0:s1, stimulus])
        np.add(values[n_sample:], self._bump_row(test), out=ob[t0:t1, stimulus])

    def _step(self, action):
        if action == 0:  # fixating is never judged (the usual step): skip the judge
            return OBNOW, 0.0, False, False, {"new_trial": False, "gt": self.gt_now}
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

    _PERIODS = ("fixation", "sample", "delay1", "test1", "delay2", "test2", "delay3", "test3")

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
        rng = self.rng
        choices = self.choices
        trial: dict[str, Any] = {
            "ground_truth": int(choices[int(rng.integers(0, choices.shape[0]))]),  # rng.choice(choices)
            "sample": float(rng.uniform(0, 2 * np.pi)),
        }
        distractors = rng.uniform(0, 2 * np.pi, size=3).tolist()
        if kwargs:
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

        self.add_period(list(self._PERIODS))
        # Performance: the observation written directly, with the values of
        # add_ob(1, "fixation", where="fixation") and add_ob(cos(theta - x),
        # period, where="stimulus"): each block is zero before it is written and
        # a cosine is never -0.0, so setting the float32 cast equals adding it.
        ob = self.ob
        start, end = self.start_ind, self.end_ind
        ob[start["fixation"] : end["fixation"], 0] = 1
        theta = self.theta
        sample_row = None
        for period in ("sample", "test1", "test2", "test3"):
            value = trial[period]
            if value is sample:
                if sample_row is None:
                    sample_row = np.cos(theta - value)
                row = sample_row
            else:
                row = np.cos(theta - value)
            ob[start[period] : end[period], 1:] = row
        test = f"test{match}"
        self.gt[start[test] : end[test]] = 1
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:  # fixating is never judged: skip the period look-ups
            # in_period(...) read from the same dicts
            t, start_t, end_t = self.t, self.start_t, self.end_t
            test = f"test{self.trial['ground_truth']}"
            if start_t["fixation"] <= t < end_t["fixation"] or start_t["sample"] <= t < end_t["sample"]:
                reward = self.rewards["abort"]
                new_trial = self.abort
            elif not start_t[test] <= t < end_t[test]:
                reward = self.rewards["fail"]
                new_trial = True
            elif action == 1:
                reward = self.rewards["correct"]
                new_trial = True
                self.performance = 1
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
