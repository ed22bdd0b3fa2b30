"""ScheduleEnvs: several tasks behind one env, switched between trials by a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.wrappers._switching import EnvSwitcher, sub_seed
from neurogym_app.core.wrappers.base import bad_parameter

__all__ = ["ScheduleEnvs"]


class ScheduleEnvs(EnvSwitcher):
    """Each trial is drawn on the task ``schedule()`` picks.

    Args:
        envs: tasks with one observation shape and one action space.
        schedule: e.g. ``RandomSchedule(len(envs))`` from ``neurogym_app.utils.scheduler``.
        env_input: append one channel per task (named ``env_input``), set to 1
            for the task of the current trial.

    ``reset(seed=...)`` seeds the schedule and every task (each on a seed
    derived from ``seed``). The step that ends a trial returns the first
    observation of the next trial, on whichever task it is (NeuroGym returns
    the old task's). ``info["i_env"]`` names the task that played each step.
    """

    metadata = {"description": "Switches between tasks from trial to trial, following a schedule."}
    _name = "ScheduleEnvs"

    def __init__(self, envs: Sequence[gym.Env], schedule: Any, env_input: bool = False) -> None:
        super().__init__(envs, env_input=env_input)
        if not callable(schedule):
            raise bad_parameter(
                "ScheduleEnvs", f"schedule must be callable (a Schedule), got {type(schedule).__name__}"
            )
        n = getattr(schedule, "n", None)
        if n is not None and n != len(self.envs):
            raise bad_parameter(
                "ScheduleEnvs", f"the schedule has n={n} conditions but there are {len(self.envs)} envs"
            )
        self.schedule = schedule
        self.next_i_env = 0

    def set_i(self, i: int) -> None:
        super().set_i(i)
        if hasattr(self, "schedule") and hasattr(self.schedule, "i"):
            self.schedule.i = self.i_env

    def _seed_schedule(self, seed: int | None) -> None:
        if seed is not None and hasattr(self.schedule, "seed"):
            self.schedule.seed(sub_seed(seed, len(self.envs)))

    def seed(self, seed: int | None = None) -> list[int | None]:
        self._seed_schedule(seed)
        return super().seed(seed)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._seed_schedule(seed)
        if hasattr(self.schedule, "reset"):
            self.schedule.reset()
        first = int(self.schedule())

        def pin(i: int) -> None:
            # a member's reset() draws its first trial through new_trial(): on itself
            self.next_i_env = i

        self._reset_members(first, seed, before_each=pin)
        self.next_i_env = first
        return self.env.reset(seed=sub_seed(seed, first), options=options)

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Switch before drawing: the trial must be built on the task it is played on.
        self._switch_for_trial(self.next_i_env)
        trial = self._draw_trial(**kwargs)
        self.next_i_env = int(np.asarray(self.schedule()))
        return trial
