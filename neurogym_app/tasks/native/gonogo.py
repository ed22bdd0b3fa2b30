"""Go/no-go: respond to the go stimulus, withhold for the no-go stimulus."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class GoNogo(TrialEnv):
    """Go/no-go task.

    A go or a no-go stimulus is shown; after a delay, the agent must respond
    ("go") in the decision period after a go stimulus and keep fixating after
    a no-go stimulus. A missed go costs ``miss`` at the end of the trial.
    Unlike NeuroGym, a correctly withheld no-go trial keeps ``performance=1``.
    """

    metadata = {
        "paper_link": "https://elifesciences.org/articles/43191",
        "paper_name": "Active information maintenance in working memory by a sensory cortex",
        "tags": ["delayed response", "go-no-go", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth"],
    }
    default_timing = {"fixation": 0, "stimulus": 500, "delay": 500, "decision": 500}
    timing_presets = {"human": {"fixation": 500, "stimulus": 500, "delay": 500, "decision": 1500}}

    def __init__(self, dt: float = 100, rewards: dict[str, float] | None = None, timing: dict[str, Any] | str | None = None) -> None:
        super().__init__(dt=dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -0.5, "miss": -0.5}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.choices = np.array([0, 1])  # 0: no-go, 1: go
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "nogo": 1, "go": 2})
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"ground_truth": int(self.rng.choice(self.choices))}
        trial.update(kwargs)
        go = int(trial["ground_truth"])

        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, where="fixation")
        self.add_ob(1, "stimulus", where="go" if go else "nogo")
        self.set_ob(0, "decision")
        self.set_groundtruth(go, "decision")
        # Withholding is the default outcome: a no-go trial that ends untouched
        # is correct, a go trial that ends untouched is a miss.
        self.r_tmax = self.rewards["miss"] * go
        self.performance = 1 - go
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0 and self.in_period("fixation"):
            new_trial = self.abort
            reward = self.rewards["abort"]
        elif action != 0 and self.in_period("decision"):
            new_trial = True
            if gt != 0:
                reward = self.rewards["correct"]
                self.performance = 1
            else:
                reward = self.rewards["fail"]
                self.performance = 0
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
