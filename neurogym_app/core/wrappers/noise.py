"""Noise: Gaussian noise on every observation."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.wrappers.base import ForwardingWrapper, SeededWrapperMixin, bad_parameter, incompatible

__all__ = ["Noise"]


class Noise(SeededWrapperMixin, ForwardingWrapper):
    """Adds Gaussian noise (sd ``std_noise``) to the observations.

    The noise comes from the wrapper's own generator (seeded by
    ``reset(seed=...)``) and is added to a copy: the task's stored trial
    (``env.ob``) stays clean. Unlike NeuroGym's, the observation returned by
    ``reset`` is noisy too.
    """

    metadata = {"description": "Add Gaussian noise to the observations."}
    changes_observation = True

    def __init__(self, env: gym.Env, std_noise: float = 0.1) -> None:
        super().__init__(env)
        self._init_own_rng(env)
        if not isinstance(env.observation_space, gym.spaces.Box):
            raise incompatible(
                "Noise", env, f"has a {type(env.observation_space).__name__} observation; Noise needs a Box"
            )
        if isinstance(std_noise, bool) or not isinstance(std_noise, (int, float)) or not std_noise >= 0:
            raise bad_parameter("Noise", f"std_noise must be a number >= 0, got {std_noise!r}")
        self.std_noise = float(std_noise)

    def _noisy(self, ob: Any) -> np.ndarray:
        ob = np.asarray(ob)
        noise = self._own_rng.normal(0.0, self.std_noise, size=ob.shape)
        dtype = ob.dtype if np.issubdtype(ob.dtype, np.floating) else np.float32
        return (ob + noise).astype(dtype, copy=False)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        ob, info = super().reset(seed=seed, options=options)
        return self._noisy(ob), info

    def step(self, action: Any):
        ob, reward, terminated, truncated, info = self.env.step(action)
        return self._noisy(ob), reward, terminated, truncated, info
