"""TrialHistoryV2: the ground truth follows a Markov chain over choices."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import SeededWrapperMixin, bad_parameter, task_choices, task_label
from neurogym_app.core.wrappers.side_bias import probability_matrix

__all__ = ["TrialHistoryV2"]


class TrialHistoryV2(SeededWrapperMixin, TrialWrapper):
    """Changes the ground-truth probability based on the previous trial's ground truth.

    Args:
        env: a task with ``choices``.
        probs: ``(n_choices, n_choices)`` matrix; row ``i`` is the distribution
            of this trial's choice given that the previous one was ``choices[i]``
            (default: uniform). ``new_trial(probs=...)`` overrides it for a trial.

    Each trial records ``ground_truth`` and the matrix used (``probs``). A
    ``ground_truth`` passed to ``new_trial`` (a recorded trial) is kept and
    becomes the history for the next trial.
    """

    metadata = {"description": "Change ground truth probability based on previous outcome."}

    def __init__(self, env: gym.Env, probs: Any = None) -> None:
        super().__init__(env)
        self._init_own_rng(env)
        self.choices = task_choices("TrialHistoryV2", env)
        self.n_ch = len(self.choices)
        self.probs = self._check(np.full((self.n_ch, self.n_ch), 1.0 / self.n_ch) if probs is None else probs)
        self._on_seed()

    def _check(self, probs: Any) -> np.ndarray:
        matrix = probability_matrix("TrialHistoryV2", probs, self.n_ch, task_label(self.env))
        if matrix.shape[0] != self.n_ch:
            raise bad_parameter(
                "TrialHistoryV2",
                f"probs must be {self.n_ch}x{self.n_ch} (one row per previous choice), got {matrix.shape}",
            )
        return matrix

    def _on_seed(self) -> None:
        self.prev_trial = int(self._own_rng.integers(self.n_ch))  # no history before the first trial

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        probs = self._check(kwargs.pop("probs")) if "probs" in kwargs else self.probs
        drawn = int(self._own_rng.choice(self.n_ch, p=probs[self.prev_trial]))
        kwargs.setdefault("ground_truth", self.choices[drawn].item())
        matches = np.flatnonzero(self.choices == kwargs["ground_truth"])
        self.prev_trial = int(matches[0]) if matches.size else drawn
        kwargs["probs"] = probs.tolist()
        return super().new_trial(**kwargs)
