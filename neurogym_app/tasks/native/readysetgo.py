"""Interval timing tasks: measure an interval, then reproduce it."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks._common import merge_rewards


def production_reward(error_ms: float, target_ms: float, margin: float, correct: float) -> float | None:
    """Reward for producing ``target_ms`` with an error of ``error_ms``.

    Inside the tolerance (``margin * target + 25`` ms) the reward falls from
    ``correct`` with the error (power 1.5), never below 10 % of it; outside the
    tolerance there is no reward (None).
    """
    tolerance = margin * target_ms + 25.0
    if error_ms > tolerance:
        return None
    return max((1.0 - error_ms / tolerance) ** 1.5, 0.1) * correct


class ReadySetGo(TrialEnv):
    """Ready-set-go: reproduce the ready-set interval (times ``gain``) after "set".

    Two brief flashes ("ready", "set") are separated by a random measure
    interval. The agent must respond ("go") so that the time from the end of
    "set" to the response matches ``gain`` x the measured interval.
    """

    metadata = {
        "paper_link": "https://www.sciencedirect.com/science/article/pii/S0896627318304185",
        "paper_name": "Flexible Sensorimotor Computations through Rapid Reconfiguration of Cortical Dynamics",
        "tags": ["timing", "go-no-go", "supervised"],
        "rt_from": "production",
        "condition_vars": ["measure", "gain"],
    }
    default_timing = {"fixation": 100, "ready": 83, "measure": ("uniform", (800, 1500)), "set": 83}
    timing_presets = {"human": {"fixation": 500, "ready": 100, "measure": ("uniform", (600, 1200)), "set": 100}}

    def __init__(
        self,
        dt: float = 80,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        gain: float = 1,
        prod_margin: float = 0.2,
    ) -> None:
        super().__init__(dt=dt)
        if gain <= 0:
            raise ValueError(f"gain must be positive, got {gain}")
        self.gain = gain
        self.prod_margin = prod_margin
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "ready": 1, "set": 2})
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"measure": float(self.sample_time("measure")), "gain": float(self.gain)}
        kwargs.pop("production", None)  # derived from measure and gain
        trial.update(kwargs)
        trial["production"] = trial["measure"] * trial["gain"]
        self.add_period(["fixation", "ready"])
        self.add_period("measure", duration=trial["measure"], after="fixation")
        self.add_period("set", after="measure")
        self.add_period("production", duration=2 * trial["production"], after="set")
        self.add_ob(1, where="fixation")
        self.set_ob(0, "production", where="fixation")
        self.add_ob(1, "ready", where="ready")
        self.add_ob(1, "set", where="set")
        target = self.view_groundtruth("production")
        target[min(int(round(trial["production"] / self.dt)), len(target) - 1)] = 1
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if self.in_period("fixation") and action != 0:
            new_trial = self.abort
            reward = self.rewards["abort"]
        if self.in_period("production") and action == 1:
            new_trial = True
            produced = self.t - self.end_t["set"]
            earned = production_reward(abs(produced - self.trial["production"]), self.trial["production"], self.prod_margin, self.rewards["correct"])
            if earned is None:
                reward = self.rewards["fail"]
            else:
                reward = earned
                self.performance = 1
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
