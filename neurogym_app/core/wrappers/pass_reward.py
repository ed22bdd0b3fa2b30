"""PassReward: the previous reward as an extra observation channel."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.wrappers.base import ForwardingWrapper, extended_box, require_flat_box

__all__ = ["PassReward"]


class PassReward(ForwardingWrapper):
    """Appends the reward of the previous step to the observation (channel ``reward``).

    The observation returned by ``reset`` carries 0.
    """

    metadata = {"description": "Modifies observation by adding the previous reward."}
    changes_observation = True

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.observation_space = extended_box(require_flat_box("PassReward", env), {"reward": 1})

    def _with_reward(self, ob: Any, reward: float) -> np.ndarray:
        dtype = self.observation_space.dtype
        return np.concatenate([np.asarray(ob, dtype=dtype), np.array([reward], dtype=dtype)])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        ob, info = self.env.reset(seed=seed, options=options)
        return self._with_reward(ob, 0.0), info

    def step(self, action: Any):
        ob, reward, terminated, truncated, info = self.env.step(action)
        return self._with_reward(ob, float(reward)), reward, terminated, truncated, info
