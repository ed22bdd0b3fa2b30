"""MultiEnvs: several tasks behind one env; the caller picks the task with ``set_i``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym

from neurogym_app.core.wrappers._switching import EnvSwitcher, sub_seed

__all__ = ["MultiEnvs"]


class MultiEnvs(EnvSwitcher):
    """Wraps several tasks; trials are drawn on the current one (``set_i(i)`` picks it).

    Args:
        envs: tasks with one observation shape and one action space.
        env_input: append one channel per task (named ``env_input``), set to 1
            for the current task.

    ``set_i(i)`` switches at once (as NeuroGym's): call ``new_trial()`` or
    ``reset()`` next to start a trial on the new task. ``reset(seed=...)``
    resets every task (each on a seed derived from ``seed``) and returns the
    current task's first observation. ``info["i_env"]`` names the task that
    played each step.
    """

    metadata = {"description": "Wraps several tasks; the caller chooses the current one."}
    _name = "MultiEnvs"

    def __init__(self, envs: Sequence[gym.Env], env_input: bool = False) -> None:
        super().__init__(envs, env_input=env_input)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        current = self.i_env
        self._reset_members(current, seed)
        return self.env.reset(seed=sub_seed(seed, current), options=options)

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        self._switch_for_trial(self.i_env)
        return self._draw_trial(**kwargs)
