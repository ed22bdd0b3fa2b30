"""RandomGroundTruth: draw each trial's ground truth from fixed probabilities."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import SeededWrapperMixin, bad_parameter, task_choices, task_label
from neurogym_app.core.wrappers.side_bias import probability_matrix

__all__ = ["RandomGroundTruth"]


class RandomGroundTruth(SeededWrapperMixin, TrialWrapper):
    """Draws ``ground_truth`` from the task's ``choices`` with probabilities ``p``.

    Args:
        env: a task with ``choices``.
        p: one probability per choice (default: uniform). ``new_trial(p=...)``
            uses other probabilities for that trial.

    Unlike NeuroGym's, other ``new_trial`` arguments are passed on, and a
    ``ground_truth`` given there is kept.
    """

    metadata = {"description": "Draws the ground truth of each trial from given probabilities."}

    def __init__(self, env: gym.Env, p: Any = None) -> None:
        super().__init__(env)
        self._init_own_rng(env)
        self.choices = task_choices("RandomGroundTruth", env)
        self.n_ch = len(self.choices)
        self.p = self._check_p(np.full(self.n_ch, 1.0 / self.n_ch) if p is None else p)

    def _check_p(self, p: Any) -> np.ndarray:
        if np.ndim(p) != 1:
            raise bad_parameter("RandomGroundTruth", f"p must be a list of {self.n_ch} probabilities, got {p!r}")
        return probability_matrix("RandomGroundTruth", [p], self.n_ch, task_label(self.env))[0]

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        p = self._check_p(kwargs.pop("p")) if "p" in kwargs else self.p
        ground_truth = self.choices[int(self._own_rng.choice(self.n_ch, p=p))]
        kwargs.setdefault("ground_truth", ground_truth.item())
        return super().new_trial(**kwargs)
