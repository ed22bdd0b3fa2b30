"""The machinery MultiEnvs and ScheduleEnvs share: several tasks behind one env.

Every task's ``_top`` points at the switcher, so whichever task ends a trial,
the next trial is drawn by the switcher, possibly on another task. Two things
the core ``TrialEnv.step`` cannot know are fixed here:

* the task that ended the trial reads ``self.ob[self.t_ind]`` right after
  calling ``_top.new_trial()``; if the new trial went to another task its
  clock was not reset and that index may lie past its last step. The switcher
  rewinds the old task's clock before switching.
* that same read returns the old task's observation; the switcher's ``step``
  replaces it with the first observation of the new task's trial.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.trial_env import TrialEnv, TrialMaker, TrialWrapper
from neurogym_app.core.wrappers.base import (
    bad_parameter,
    extended_box,
    incompatible,
    require_trial_task,
    seed_env,
    task_label,
    trial_maker,
)

__all__ = ["EnvSwitcher"]


def _check_envs(wrapper: str, envs: Sequence[gym.Env]) -> list[gym.Env]:
    envs = list(envs)
    if not envs:
        raise bad_parameter(wrapper, "needs a non-empty list of envs")
    first = envs[0]
    for env in envs:
        if not isinstance(env, gym.Env):
            raise bad_parameter(wrapper, f"envs must be Gymnasium envs, got {type(env).__name__}")
        if not isinstance(env.unwrapped, TrialEnv):
            raise incompatible(wrapper, env, "is not a TrialEnv task made of trials")
        if env.observation_space.shape != env.unwrapped.observation_space.shape:
            raise incompatible(
                wrapper,
                env,
                "is wrapped by a wrapper that changes its observations; wrap the "
                f"{wrapper} instead of each task (e.g. PassReward({wrapper}(...)))",
            )
        if env.observation_space.shape != first.observation_space.shape:
            raise incompatible(
                wrapper,
                env,
                f"has observation shape {env.observation_space.shape} but {task_label(first)} has "
                f"{first.observation_space.shape}; all tasks must share one observation shape",
            )
        if env.action_space != first.action_space and (
            type(env.action_space) is not type(first.action_space)
            or getattr(env.action_space, "n", None) != getattr(first.action_space, "n", None)
            or env.action_space.shape != first.action_space.shape
        ):
            raise incompatible(
                wrapper,
                env,
                f"has action space {env.action_space} but {task_label(first)} has {first.action_space}; "
                "all tasks must share one action space",
            )
    return envs


def sub_seed(seed: int | None, index: int) -> int | None:
    """A distinct, reproducible seed for member ``index`` (None stays None)."""
    if seed is None:
        return None
    return int(np.random.SeedSequence([int(seed) % 2**63, index]).generate_state(1, np.uint64)[0] % 2**63)


class EnvSwitcher(TrialWrapper):
    """Base class: holds ``envs`` (their tasks in ``tasks``), the current one in ``env`` (index ``i_env``)."""

    _name = "EnvSwitcher"

    def __init__(self, envs: Sequence[gym.Env], env_input: bool = False) -> None:
        envs = _check_envs(self._name, envs)
        super().__init__(envs[0])
        self.envs = envs
        # each member as its task and as what draws its trials (the member itself: a task or a wrapper of one)
        self.tasks: list[TrialEnv] = [require_trial_task(self._name, env) for env in envs]
        self._makers: list[TrialMaker] = [trial_maker(self._name, env) for env in envs]
        for task in self.tasks:
            task.trial_maker = self
        self.i_env = 0
        self.env_input = bool(env_input)
        if self.env_input:
            space = envs[0].observation_space
            if not isinstance(space, gym.spaces.Box) or len(space.shape) != 1:
                raise incompatible(
                    self._name, envs[0], f"has observation shape {space.shape}; env_input needs a 1-D Box observation"
                )
            self.observation_space = extended_box(space, {"env_input": len(envs)})

    def set_i(self, i: int) -> None:
        """Make ``envs[i]`` the current env."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(self.envs):
            raise bad_parameter(self._name, f"env index must be in 0..{len(self.envs) - 1}, got {i!r}")
        self.i_env = int(i)
        self.env = self.envs[self.i_env]
        self.task = self.tasks[self.i_env]

    def _switch_for_trial(self, i: int) -> None:
        previous = self.task
        self.set_i(i)
        if self.task is not previous:
            # The previous task's step() indexes its own ob with its clock right
            # after asking us for a new trial; rewind it so that read stays valid.
            previous.t = 0.0
            previous.t_ind = 0

    def _draw_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = self._makers[self.i_env].new_trial(**kwargs)
        if self.env_input:
            task = self.task
            marker = np.zeros((task.ob.shape[0], len(self.envs)), dtype=task.ob.dtype)
            marker[:, self.i_env] = 1
            task.ob = np.concatenate([task.ob, marker], axis=-1)
        return trial

    def _reset_members(self, first: int, seed: int | None, before_each=None) -> None:
        """Reset every member but ``first`` (each on its own derived seed), leaving ``first`` current."""
        for i, env in enumerate(self.envs):
            if i == first:
                continue
            self.set_i(i)
            if before_each is not None:
                before_each(i)
            env.reset(seed=sub_seed(seed, i))
        self.set_i(first)

    def step(self, action: Any):
        task = self.task
        index = self.i_env
        ob, reward, terminated, truncated, info = self.env.step(action)
        info["i_env"] = index
        if self.task is not task:  # the trial ended and the next one is on another task
            ob = self.task.ob[0]
        return ob, reward, terminated, truncated, info

    def seed(self, seed: int | None = None) -> list[int | None]:
        for i, env in enumerate(self.envs):
            seed_env(env, sub_seed(seed, i))
        return [seed]

    def __str__(self) -> str:
        inner = "\n".join("\t" + line for env in self.envs for line in str(env).splitlines())
        return f"<{type(self).__name__}\n{inner}\n>"
