"""ScheduleAttr: set trial variables from a list, one entry per scheduled condition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import bad_parameter, seed_env

__all__ = ["ScheduleAttr"]


class ScheduleAttr(TrialWrapper):
    """Each trial, ``schedule()`` picks ``i`` and the trial is drawn with ``attr_list[i]``.

    Args:
        env: any TrialEnv task.
        schedule: a schedule from ``neurogym_app.utils.scheduler`` (e.g.
            ``SequentialSchedule(len(attr_list))``).
        attr_list: one dict of trial variables per condition, e.g.
            ``[{"coh": 0}, {"coh": 51.2}]``.

    ``reset(seed=...)`` seeds and restarts the schedule. Variables passed to
    ``new_trial`` win over the scheduled ones (so a recorded trial replays as
    recorded).
    """

    metadata = {"description": "Sets trial variables from a list, following a schedule."}

    def __init__(self, env: gym.Env, schedule: Any, attr_list: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(env)
        if not callable(schedule):
            raise bad_parameter(
                "ScheduleAttr", f"schedule must be callable (a Schedule), got {type(schedule).__name__}"
            )
        attrs = list(attr_list)
        if not attrs or not all(isinstance(a, Mapping) for a in attrs):
            raise bad_parameter("ScheduleAttr", "attr_list must be a non-empty list of dicts of trial variables")
        n = getattr(schedule, "n", None)
        if n is not None and n != len(attrs):
            raise bad_parameter(
                "ScheduleAttr", f"the schedule has n={n} conditions but attr_list has {len(attrs)} entries"
            )
        self.schedule = schedule
        self.attr_list = [dict(a) for a in attrs]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self.seed_schedule(seed)
        return self.env.reset(seed=seed, options=options)

    def seed_schedule(self, seed: int | None) -> None:
        if hasattr(self.schedule, "seed"):
            derived = None if seed is None else int(np.random.SeedSequence([int(seed) % 2**63, 7]).generate_state(1)[0])
            self.schedule.seed(derived)
        if hasattr(self.schedule, "reset"):
            self.schedule.reset()

    def seed(self, seed: int | None = None):
        self.seed_schedule(seed)
        return seed_env(self.env, seed)

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        i = int(self.schedule())
        return super().new_trial(**{**self.attr_list[i], **kwargs})
