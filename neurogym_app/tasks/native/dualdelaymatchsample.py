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
        self._direction_rows: dict[float, np.ndarray] = {}
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

    _PERIODS = ("fixation", "sample", "delay1", "cue1", "test1", "delay2", "cue2", "test2")

    def _direction_row(self, value: float) -> np.ndarray:
        """``_direction(value)`` as ``add_ob`` leaves it in a zero float32 row (cached per value).

        Performance: written into the observation with one slice assignment
        instead of an ``add_ob`` call; the region is zero before, so the bits are
        those of ``add_ob``.
        """
        cache = self._direction_rows
        row = cache.get(value)
        if row is None:
            row = np.zeros(2, dtype=self.observation_space.dtype)
            row += self._direction(value)
            if len(cache) >= 64:  # values passed to new_trial can be anything: keep the cache small
                cache.clear()
            cache[value] = row
        return row

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Performance: ``rng.choice(seq)`` is one ``integers(0, len(seq))`` draw
        # returning ``seq[k]``; the draws are made directly, in the same order.
        integers = self.rng.integers
        choices = self.choices
        trial: dict[str, Any] = {
            "ground_truth1": int(choices[int(integers(0, len(choices)))]),
            "ground_truth2": int(choices[int(integers(0, len(choices)))]),
            "sample1": (0.0, 0.5)[int(integers(0, 2))],
            "sample2": (0.0, 0.5)[int(integers(0, 2))],
            "test_order": int(integers(0, 2)),
        }
        if kwargs:
            kwargs.pop("test1", None)  # derived from samples and ground truths
            kwargs.pop("test2", None)
            trial.update(kwargs)
            for key in ("ground_truth1", "ground_truth2", "test_order"):
                trial[key] = int(trial[key])
            trial["sample1"], trial["sample2"] = float(trial["sample1"]), float(trial["sample2"])
        sample1, sample2 = trial["sample1"], trial["sample2"]
        test1 = sample1 if trial["ground_truth1"] == 1 else 0.5 - sample1
        test2 = sample2 if trial["ground_truth2"] == 1 else 0.5 - sample2
        trial["test1"], trial["test2"] = float(test1), float(test2)
        # Which item is tested (and cued) first.
        if trial["test_order"] == 0:
            test_period1, test_period2, cue_period1, cue_period2 = "test1", "test2", "cue1", "cue2"
        else:
            test_period1, test_period2, cue_period1, cue_period2 = "test2", "test1", "cue2", "cue1"

        self._answers = {}
        self.add_period(self._PERIODS)
        # Performance: the observation written directly, with the values (and
        # order) of add_ob(1, where="fixation"), add_ob(direction, period,
        # where="stimulus<i>"), add_ob(1, cue, where="cue<i>") and add_randn
        # (see _add_noise): every period and channel block is zero before it is written.
        ob = self.ob
        start, end = self.start_ind, self.end_ind
        ob[:, 0] = 1
        s, e = start["sample"], end["sample"]
        ob[s:e, 1:3] = self._direction_row(sample1)
        ob[s:e, 3:5] = self._direction_row(sample2)
        ob[start[cue_period1] : end[cue_period1], 5] = 1
        ob[start[cue_period2] : end[cue_period2], 6] = 1
        ob[start[test_period1] : end[test_period1], 1:3] = self._direction_row(test1)
        ob[start[test_period2] : end[test_period2], 3:5] = self._direction_row(test2)
        self._add_noise(ob, (s, e), (start["test1"], end["test1"]), (start["test2"], end["test2"]))
        gt = self.gt
        gt[start[test_period1] : end[test_period1]] = trial["ground_truth1"]
        gt[start[test_period2] : end[test_period2]] = trial["ground_truth2"]
        return trial

    def _add_noise(self, ob: np.ndarray, *blocks: tuple[int, int]) -> None:
        """add_randn(0, sigma) on the rows ``start:stop`` of each block, in order, in few numpy calls.

        Performance: the same standard normals (one draw of all the blocks'
        values, in order, is the stream of one draw per block) times sigma in
        float64, cast to float32 and added to the rows, as add_randn does (adding
        its zero mean only turns -0.0 into +0.0, which no sum here can see).
        """
        sizes = [stop - begin for begin, stop in blocks]
        noise = self.rng.standard_normal((sum(sizes), ob.shape[1]))
        noise *= self.sigma
        values = noise.astype(ob.dtype)
        first = 0
        for (begin, stop), size in zip(blocks, sizes):
            ob[begin:stop] += values[first : first + size]
            first += size

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:  # fixating is never judged: skip the period look-up
            # in_period("test1"), in_period("test2") read from the same dicts
            t, start_t, end_t = self.t, self.start_t, self.end_t
            if start_t["test1"] <= t < end_t["test1"]:
                period = "test1"
            elif start_t["test2"] <= t < end_t["test2"]:
                period = "test2"
            else:
                period = None
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
