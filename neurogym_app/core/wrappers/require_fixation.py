"""RequireFixation: the stimulus comes only after fixation has been held (NeuroGym issue #154)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import bad_parameter, incompatible, require_periods

__all__ = ["RequireFixation"]


def _fixation_action(env: gym.Env) -> int:
    space = env.action_space
    if not isinstance(space, gym.spaces.Discrete):
        raise incompatible(
            "RequireFixation",
            env,
            f"has a {type(space).__name__} action space; a fixation action needs Discrete actions",
        )
    names = getattr(space, "name", None)
    if names:
        if "fixation" not in names:
            raise incompatible(
                "RequireFixation", env, f"has no action named 'fixation' (its actions: {', '.join(names)})"
            )
        value = names["fixation"]
        return int(value if isinstance(value, int) else value[0])
    return int(space.start)  # NeuroGym's convention: the first action is fixation


def _check_layers_below(env: gym.Env) -> None:
    # A break returns the task's own observation, so nothing below may change
    # observations (Noise, PassReward...): those must wrap RequireFixation.
    layer = env
    while isinstance(layer, gym.Wrapper):
        if getattr(layer, "changes_observation", False):
            raise incompatible(
                "RequireFixation",
                env,
                f"is already wrapped by {type(layer).__name__}, which changes observations; "
                f"apply RequireFixation first, then {type(layer).__name__}",
            )
        layer = layer.env


class RequireFixation(TrialWrapper):
    """The fixation period lasts until the agent has fixated through all of it.

    While in ``period``, any action other than fixation restarts the period
    from its beginning (the trial is not aborted), so the stimulus starts only
    after ``period`` has been held without a break. Each break earns
    ``break_reward`` (default: the task's ``abort`` reward, else 0).

    Args:
        env: a task with a ``fixation`` period (or ``period``) and a fixation action.
        period: name of the period that must be held.
        break_reward: reward of a step that breaks fixation.

    ``info["fixation_breaks"]`` counts the breaks in the current trial (also
    on the step that ends it). Trial arrays (``env.ob``, ``env.gt``) are not
    stretched: the fixation steps are replayed instead.
    """

    metadata = {"description": "Starts the stimulus only after the fixation period has been held without a break."}

    def __init__(self, env: gym.Env, period: str = "fixation", break_reward: float | None = None) -> None:
        super().__init__(env)
        if not isinstance(period, str):
            raise bad_parameter("RequireFixation", f"period must be a period name, got {period!r}")
        task = require_periods("RequireFixation", env, period)
        _check_layers_below(env)
        self.period = period
        self.fixation_action = _fixation_action(env)
        if break_reward is None:
            break_reward = float(getattr(task, "rewards", {}).get("abort", 0.0))
        self.break_reward = float(break_reward)
        self.fixation_breaks = 0

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        self.fixation_breaks = 0
        return super().new_trial(**kwargs)

    def _breaks_fixation(self, action: Any) -> bool:
        task = self.task
        return task.in_period(self.period) and int(action) != self.fixation_action

    def step(self, action: Any):
        task = self.task
        if not self._breaks_fixation(action):
            ob, reward, terminated, truncated, info = self.env.step(action)
            info["fixation_breaks"] = self.fixation_breaks
            return ob, reward, terminated, truncated, info
        # Do not let the task judge it (it could abort the trial): rewind to
        # the start of the fixation period instead.
        info = {
            "new_trial": False,
            "gt": task.gt[task.t_ind] if task.tmax > 0 else None,
            "period": self.period,
            "trial_index": task.num_tr - 1,
        }
        self.fixation_breaks += 1
        info["fixation_breaks"] = self.fixation_breaks
        task.t = task.start_t[self.period]
        task.t_ind = task.start_ind[self.period]
        return task.ob[task.t_ind], self.break_reward, False, False, info
