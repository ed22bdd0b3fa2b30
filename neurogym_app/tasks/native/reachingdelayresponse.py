"""Reaching with a delay: remember a position, then point to it when told to go."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class ReachingDelayResponse(TrialEnv):
    """Remember a one-dimensional target position across a delay, then reach to it.

    The ``stimulus`` input shows the target position (drawn uniformly in
    ``[lowbound, highbound]``) during the stimulus period, then -0.5 during
    delay and decision; the ``go`` input turns on in the decision period. The
    action is two numbers: ``go`` (respond when > 0; keep it < 0 during the
    stimulus, or pay ``abort``) and ``position``. The first response in the
    decision period ends the trial with ``correct / (1 + |position - target|)**2``;
    no response costs ``miss``. A person plays with a pointer: its position is
    ``position``, pressing is ``go``.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``, ``miss``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        lowbound: lowest target position.
        highbound: highest target position.
    """

    metadata = {
        "paper_link": None,
        "paper_name": None,
        "tags": [
            "perceptual",
            "delayed response",
            "continuous action space",
            "multidimensional action space",
            "supervised",
        ],
        "rt_from": "decision",
        "condition_vars": ["ground_truth"],
        "strength_var": None,
    }
    default_timing = {"stimulus": 500, "delay": (0, 1000, 2000), "decision": 500}
    timing_presets = {"human": {"stimulus": 500, "delay": (0, 1000, 2000), "decision": 2000}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        lowbound: float = 0.0,
        highbound: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        if not -1.0 <= lowbound <= highbound <= 2.0:
            raise ValueError(f"need -1 <= lowbound <= highbound <= 2 (the action range), got {lowbound}, {highbound}")
        self.lowbound = float(lowbound)
        self.highbound = float(highbound)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -0.0, "miss": -0.5}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.r_tmax = self.rewards["miss"]
        self.abort = False
        f32 = np.float32
        self.observation_space = spaces.Box(
            low=np.array([0.0, -2.0], dtype=f32),
            high=np.array([1.0, 2.0], dtype=f32),
            dtype=f32,
            name={"go": 0, "stimulus": 1},
        )
        self.action_space = spaces.Box(
            low=np.array([-1.0, -1.0], dtype=f32),
            high=np.array([1.0, 2.0], dtype=f32),
            dtype=f32,
            name={"go": 0, "position": 1},
        )

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"ground_truth": float(self.rng.uniform(self.lowbound, self.highbound))}
        if kwargs:
            trial.update(kwargs)
        target = float(trial["ground_truth"])
        trial["ground_truth"] = target
        self.add_period(["stimulus", "delay", "decision"])
        self.add_ob(target, "stimulus", where="stimulus")
        self.set_ob([0, -0.5], "delay")
        self.set_ob([1, -0.5], "decision")
        self.set_groundtruth([-1, -0.5], ["stimulus", "delay"])
        self.set_groundtruth([1, target], "decision")
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if self.in_period("stimulus"):
            if not action[0] < 0:
                new_trial = self.abort
                reward = self.rewards["abort"]
        elif self.in_period("decision") and action[0] > 0:
            new_trial = True
            reward = self.rewards["correct"] / (1 + abs(float(action[1]) - float(gt[1]))) ** 2
            self.performance = reward / self.rewards["correct"] if self.rewards["correct"] else 0.0
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
