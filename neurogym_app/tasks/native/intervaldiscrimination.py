"""Interval discrimination: which of two stimuli lasted longer?"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import judge_fixate_then_choose, merge_rewards


class IntervalDiscrimination(TrialEnv):
    """Comparing the time length of two stimuli.

    Two stimuli (on inputs ``stim1`` and ``stim2``) are shown one after the
    other, separated by a delay; each lasts a random duration. After a second
    delay the agent reports which one lasted longer: choice 1 (the first) or
    choice 2 (the second). When both last the same (durations are rounded to
    ``dt``), choice 2 is correct, as in NeuroGym.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).

    Difference from NeuroGym: trial variables passed to ``new_trial``
    (``duration1``, ``duration2``) are used (NeuroGym ignored them), and the
    ground truth is derived from them.
    """

    metadata = {
        "paper_link": "https://www.sciencedirect.com/science/article/pii/S0896627309004887",
        "paper_name": "Feature- and Order-Based Timing Representations in the Frontal Cortex",
        "tags": ["timing", "working memory", "delayed response", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "duration1", "duration2"],
        "strength_var": "duration_diff",
        "action_labels": {1: "first", 2: "second"},
    }
    default_timing = {
        "fixation": 300,
        "stim1": ("uniform", (300, 600)),
        "delay1": ("uniform", (800, 1500)),
        "stim2": ("uniform", (300, 600)),
        "delay2": 500,
        "decision": 300,
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "stim1": ("uniform", (300, 600)),
            "delay1": ("uniform", (800, 1500)),
            "stim2": ("uniform", (300, 600)),
            "delay2": 500,
            "decision": 2000,
        }
    }

    def __init__(
        self, dt: float = 80, rewards: dict[str, float] | None = None, timing: dict[str, Any] | str | None = None
    ) -> None:
        super().__init__(dt=dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "stim1": 1, "stim2": 2}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice1": 1, "choice2": 2})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """First minus second duration (ms): positive when choice 1 (the first) is correct."""
        return float(trial["duration1"]) - float(trial["duration2"])

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "duration1": float(self.sample_time("stim1")),
            "duration2": float(self.sample_time("stim2")),
        }
        kwargs.pop("ground_truth", None)  # derived from the durations
        kwargs.pop("duration_diff", None)
        trial.update(kwargs)
        self.add_period(
            ["fixation", "stim1", "delay1", "stim2", "delay2", "decision"],
            duration=[None, float(trial["duration1"]), None, float(trial["duration2"]), None, None],
        )
        # The durations actually shown (rounded to dt) decide.
        start_t, end_t = self.start_t, self.end_t
        trial["duration1"] = float(end_t["stim1"] - start_t["stim1"])
        trial["duration2"] = float(end_t["stim2"] - start_t["stim2"])
        trial["ground_truth"] = 1 if trial["duration1"] > trial["duration2"] else 2
        trial["duration_diff"] = abs(trial["duration1"] - trial["duration2"])

        self.add_ob(1, where="fixation")
        self.add_ob(1, "stim1", where="stim1")
        self.add_ob(1, "stim2", where="stim2")
        self.set_ob(0, "decision")
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
