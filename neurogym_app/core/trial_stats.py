"""``TrialEnv.trial_length_stats`` (NeuroGym's) and the short ``str(env)``, as a mixin of ``TrialEnv``.

Kept in its own module so that ``trial_env.py`` only names the mixin among
its bases.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np

__all__ = ["TrialStatsMixin"]


class TrialStatsMixin:
    """What ``TrialEnv`` adds for NeuroGym code that inspects a task from outside."""

    def __str__(self) -> str:
        # NeuroGym's TrialEnv prints as "<ClassName>", so a wrapper stack prints as "<Wrapper<ClassName>>"
        return f"<{type(self).__name__}>"

    def trial_length_stats(self, num_trials: int = 10000) -> dict[str, float]:
        """Mean, std, 95th percentile and max of the trial length, in steps of ``dt``.

        The trials are drawn on a copy of the env (wrappers included), so the
        env itself, its generator and its current trial are left exactly as
        they were. Trials without any step are not counted; if no trial has a
        step, all four numbers are 0 (with a warning).
        """
        if isinstance(num_trials, bool) or not isinstance(num_trials, (int, np.integer)) or num_trials < 1:
            raise ValueError(f"trial_length_stats: num_trials must be a positive integer, got {num_trials!r}")
        top: Any = getattr(self, "trial_maker", self)
        sampler = copy.deepcopy(top)
        task = sampler.unwrapped
        lengths = []
        for _ in range(int(num_trials)):
            sampler.new_trial()
            steps = task.n_steps if task.tmax > 0 else int(np.shape(task.ob)[0])
            if steps > 0:
                lengths.append(steps)
        if not lengths:
            warnings.warn("No trials were sampled with at least one step; returning zeros.", stacklevel=2)
            return {"mean": 0, "std": 0, "percentile_95": 0, "max": 0}
        values = np.asarray(lengths, dtype=np.float64)
        return {
            "mean": round(float(values.mean()), 3),
            "std": round(float(values.std()), 3),
            "percentile_95": round(float(np.percentile(values, 95)), 3),
            "max": round(float(values.max()), 3),
        }
