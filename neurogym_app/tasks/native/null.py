"""The null task: nothing to see, nothing to do."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv


class Null(TrialEnv):
    """Null task: a constant (zero) observation and a single action, never rewarded.

    A placeholder with no content (for testing pipelines). Each trial is one
    period ``trial`` (500 ms by default); any action is accepted, so
    every trial counts as performed (``performance`` 1). Unlike NeuroGym's,
    trials have a length, so trials end and the task runs like any other.

    Args:
        dt: time step (ms).
        timing: dict of period -> timing spec, or a preset name (``"human"``).
    """

    metadata = {
        "paper_link": None,
        "paper_name": None,
        "tags": ["null"],
        "rt_from": None,
        "condition_vars": [],
        "action_labels": {},
        "human_playable": False,
        "human_playable_reason": "the null task shows nothing and has no response to make",
        "stochastic": False,
    }
    default_timing = {"trial": 500}
    timing_presets = {"human": {"trial": 1000}}

    def __init__(self, dt: float = 100, timing: dict[str, Any] | str | None = None) -> None:
        super().__init__(dt=dt)
        self.rewards = {}
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32)
        self.action_space = spaces.Discrete(1)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # kwargs is this call's own dict: the trial is a copy of the given variables
        self.add_period("trial")
        self.performance = 1
        return kwargs

    def _step(self, action):
        return OBNOW, 0.0, False, False, {"new_trial": False, "gt": self.gt_now}
