"""PassAction: the previous action as extra observation channel(s)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.wrappers.base import (
    ForwardingWrapper,
    bad_parameter,
    extended_box,
    incompatible,
    require_flat_box,
)

__all__ = ["PassAction"]


class PassAction(ForwardingWrapper):
    """Appends the previous action to the observation (channel(s) ``action``).

    Discrete actions are appended as their value (as NeuroGym), or as
    ``n`` one-hot channels with ``one_hot=True``; 1-D Box and MultiDiscrete
    actions as their components. The observation returned by ``reset``
    carries zeros.
    """

    metadata = {"description": "Modifies observation by adding the previous action."}
    changes_observation = True

    def __init__(self, env: gym.Env, one_hot: bool = False) -> None:
        super().__init__(env)
        box = require_flat_box("PassAction", env)
        space = env.action_space
        self.one_hot = bool(one_hot)
        self._first_action = 0  # the action coded by the first one-hot channel
        if isinstance(space, gym.spaces.Discrete):
            width = int(space.n) if self.one_hot else 1
            self._first_action = int(space.start)
        elif isinstance(space, (gym.spaces.Box, gym.spaces.MultiDiscrete)) and len(space.shape) == 1:
            if self.one_hot:
                raise bad_parameter("PassAction", f"one_hot needs Discrete actions, {type(space).__name__} has none")
            width = int(space.shape[0])
        else:
            raise incompatible(
                "PassAction",
                env,
                f"has a {type(space).__name__} action space of shape {space.shape}; PassAction can only encode "
                "Discrete actions or 1-D Box/MultiDiscrete ones",
            )
        self.width = width
        self.observation_space = extended_box(box, {"action": width})

    def encode(self, action: Any) -> np.ndarray:
        """The channels that ``action`` becomes."""
        dtype = self.observation_space.dtype
        if self.one_hot:
            code = np.zeros(self.width, dtype=dtype)
            code[int(action) - self._first_action] = 1
            return code
        return np.asarray(action, dtype=dtype).reshape(self.width)

    def _with_action(self, ob: Any, code: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(ob, dtype=self.observation_space.dtype), code])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        ob, info = self.env.reset(seed=seed, options=options)
        return self._with_action(ob, np.zeros(self.width, dtype=self.observation_space.dtype)), info

    def step(self, action: Any):
        ob, reward, terminated, truncated, info = self.env.step(action)
        return self._with_action(ob, self.encode(action)), reward, terminated, truncated, info
