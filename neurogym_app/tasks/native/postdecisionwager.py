"""Post-decision wagering (Kiani & Shadlen 2009): a sure target for the unsure."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards, ring_angles, ring_bump


class PostDecisionWager(TrialEnv):
    """Motion discrimination where, on half the trials, a sure target offers a smaller sure reward.

    A noisy motion stimulus of random duration is followed by a delay. On
    wager trials a sure target (input ``sure``) appears during the delay,
    500-750 ms after the stimulus ends, and stays on; choosing it (action
    ``sure``) earns ``rewards['sure']`` (default 0.7 x ``correct``) whatever
    the motion was. Choosing the sure target when it was not offered costs
    ``abort``. The fixation input goes off at the decision period (go cue);
    as in NeuroGym only fixation-period actions are penalised.

    Fixes NeuroGym's defect that a correct direction choice was never
    rewarded (it compared the action with the choice index, which is one
    less than the action that reports it). Input noise goes to the stimulus
    channels only.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``, ``sure``
            (``sure`` defaults to 0.7 x ``correct``).
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        dim_ring: number of motion directions (choices).
        sigma: input noise, per sqrt(ms).
    """

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/324/5928/759.long",
        "paper_name": "Representation of Confidence Associated with a Decision by Neurons in the Parietal Cortex",
        "tags": ["perceptual", "delayed response", "confidence"],
        "rt_from": "decision",
        "condition_vars": ["wager", "ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left", 3: "sure"},
    }
    default_timing = {
        "fixation": 100,
        "stimulus": ("truncated_exponential", (180, 100, 900)),
        "delay": ("truncated_exponential", (1350, 1200, 1800)),
        "pre_sure": ("uniform", (500, 750)),
        "decision": 100,
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "stimulus": ("truncated_exponential", (300, 100, 900)),
            "delay": ("truncated_exponential", (1350, 1200, 1800)),
            "pre_sure": ("uniform", (500, 750)),
            "decision": 2000,
        }
    }
    default_cohs = (0, 3.2, 6.4, 12.8, 25.6, 51.2)
    sure_fraction = 0.7

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        dim_ring: int = 2,
        sigma: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        if int(dim_ring) != dim_ring or dim_ring < 2:
            raise ValueError(f"dim_ring must be an integer >= 2 (number of choices), got {dim_ring!r}")
        dim_ring = int(dim_ring)
        self.dim_ring = dim_ring
        self.wagers = [True, False]
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.cohs = np.asarray(self.default_cohs, dtype=float)
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0, "sure": 0.0}, rewards)
        if not rewards or "sure" not in rewards:
            self.rewards["sure"] = self.sure_fraction * self.rewards["correct"]
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.sure_action = dim_ring + 1
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(dim_ring + 2,),
            dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1)), "sure": dim_ring + 1},
        )
        self.action_space = spaces.Discrete(
            dim_ring + 2, name={"fixation": 0, "choice": list(range(1, dim_ring + 1)), "sure": dim_ring + 1}
        )

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by direction: positive toward choice 0 (action 1, "right")."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 0 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {
            "wager": bool(self.rng.choice(self.wagers)),
            "ground_truth": int(self.rng.choice(self.choices)),
            "coh": float(self.rng.choice(self.cohs)),
        }
        trial.update(kwargs)
        trial["wager"] = wager = bool(trial["wager"])
        gt = int(trial["ground_truth"])
        if not 0 <= gt < self.dim_ring:
            raise ValueError(f"ground_truth must be in 0..{self.dim_ring - 1}, got {gt!r}")
        self.add_period(["fixation", "stimulus", "delay"])
        # drawn on every trial (wager or not), so later draws never depend on the wager
        pre_sure = min(self.sample_time("pre_sure"), self.end_t["delay"] - self.end_t["stimulus"])
        if wager:
            self.add_period("pre_sure", duration=pre_sure, after="stimulus")
        self.add_period("decision", after="delay")

        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        self.add_ob(ring_bump(self.theta, self.theta[gt], gain=float(trial["coh"]) / 200), "stimulus", where="stimulus")
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        if wager:  # the sure target: on in the delay and decision, off again in pre_sure
            self.add_ob(1, ["delay", "decision"], where="sure")
            self.set_ob(0, "pre_sure", where="sure")
        self.set_groundtruth(gt, "decision", where="choice")
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
                if action == self.sure_action:
                    if self.trial["wager"]:
                        reward = self.rewards["sure"]
                        span = self.rewards["correct"] - self.rewards["fail"]
                        self.performance = (reward - self.rewards["fail"]) / span if span else 0.0
                    else:
                        reward = self.rewards["abort"]
                elif action == gt:  # gt is the action that reports the correct direction
                    reward = self.rewards["correct"]
                    self.performance = 1
                else:
                    reward = self.rewards["fail"]
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
