"""Anti-reach (anti-saccade): respond away from the stimulus."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import judge_fixate_then_choose, merge_rewards, ring_angles

#: labels of the default ring's 32 choices (their directions, counter-clockwise from the right)
_RING_LABELS = {i + 1: f"{i * 360 / 32:g} deg" for i in range(32)}


class AntiReach(TrialEnv):
    """Anti-response task on a ring of ``dim_ring`` directions.

    The agent fixates, a stimulus is flashed at one direction of the ring and,
    when the fixation input goes off (decision period), the agent must reach
    to the opposite direction (``anti=True``) or to the stimulus itself
    (``anti=False``). The stimulus is a cosine bump over the ring (no noise),
    as in NeuroGym; only leaving fixation in the fixation period is penalised.

    Args:
        dt: time step (ms).
        anti: respond away from the stimulus (True) or toward it (False).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        dim_ring: number of directions (choices).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nrn1345",
        "paper_name": "Look away: the anti-saccade task and the voluntary control of eye movement",
        "tags": ["perceptual", "steps action space"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "anti"],
        "strength_var": None,
        # A person answers by pointing at the ring (a click on the target direction).
        "action_labels": _RING_LABELS,
    }
    default_timing = {"fixation": 500, "stimulus": 500, "delay": 0, "decision": 500}
    timing_presets = {"human": {"fixation": 700, "stimulus": 500, "delay": 0, "decision": 2500}}

    def __init__(
        self,
        dt: float = 100,
        anti: bool = True,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        dim_ring: int = 32,
    ) -> None:
        super().__init__(dt=dt)
        if not isinstance(dim_ring, (int, np.integer)) or dim_ring < 2:
            raise ValueError(f"dim_ring must be an int >= 2 (number of directions), got {dim_ring!r}")
        self.anti = bool(anti)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.dim_ring = int(dim_ring)
        self.theta = ring_angles(self.dim_ring)
        self.choices = np.arange(self.dim_ring)
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(1 + self.dim_ring,),
            dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, self.dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(
            1 + self.dim_ring, name={"fixation": 0, "choice": list(range(1, self.dim_ring + 1))}
        )

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"ground_truth": int(self.rng.choice(self.choices)), "anti": self.anti}
        kwargs.pop("stim_theta", None)  # derived from ground_truth and anti
        trial.update(kwargs)
        trial["ground_truth"], trial["anti"] = int(trial["ground_truth"]), bool(trial["anti"])
        target = float(self.theta[trial["ground_truth"]])
        trial["stim_theta"] = stim_theta = float(np.mod(target + np.pi, 2 * np.pi)) if trial["anti"] else target

        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        self.add_ob(np.cos(self.theta - stim_theta), "stimulus", where="stimulus")
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
