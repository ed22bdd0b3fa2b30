"""A step-by-step record of a run, aligned the way the figures need it.

With this package's step semantics, ``reset`` returns ``ob[0]`` and
``step(a_t)`` judges ``a_t`` against ``gt[t]`` and returns ``ob[t+1]``. So row
``t`` of the log holds the observation the action was *chosen on*, that
action, the ground truth it was judged against, and the reward it earned:
``ob[t]``, ``a[t]``, ``gt[t]``, ``r[t]`` line up on the same x. (NeuroGym's
Monitor and ``plot_env`` log the observation *returned* by ``step``, which
puts every observation one step late.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["StepLog"]


class StepLog:
    """Rows of (ob, action, gt, reward, period, new_trial, performance)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.ob: list[np.ndarray] = []
        self.actions: list[Any] = []
        self.gt: list[Any] = []
        self.rewards: list[float] = []
        self.periods: list[str | None] = []
        self.new_trial: list[bool] = []
        self.performance: list[float] = []

    def __len__(self) -> int:
        return len(self.rewards)

    def add(self, ob: Any, action: Any, reward: float, info: dict[str, Any]) -> None:
        """Log one step: ``ob`` is the observation ``action`` was chosen on."""
        ends = bool(info.get("new_trial", False))
        self.ob.append(np.array(ob, dtype=float, copy=True))
        self.actions.append(np.array(action, copy=True))
        self.gt.append(info.get("gt"))
        self.rewards.append(float(reward))
        self.periods.append(info.get("period"))
        self.new_trial.append(ends)
        perf = info.get("performance") if ends else None
        self.performance.append(float(perf) if perf is not None else np.nan)

    def arrays(self) -> dict[str, Any]:
        """The log as arrays (``gt`` is None when no step reported one)."""
        n = len(self)
        has_gt = any(g is not None for g in self.gt)
        if has_gt:
            filler = next(np.asarray(g) for g in self.gt if g is not None)
            gt = np.array(
                [np.asarray(g, dtype=float) if g is not None else np.full(filler.shape, np.nan) for g in self.gt]
            )
        else:
            gt = None
        return {
            "ob": np.array(self.ob, dtype=float) if n else np.zeros((0, 0)),
            "actions": np.array([np.asarray(a, dtype=float) for a in self.actions]) if n else np.zeros(0),
            "gt": gt,
            "rewards": np.array(self.rewards, dtype=float),
            "performance": np.array(self.performance, dtype=float),
            "new_trial": np.array(self.new_trial, dtype=bool),
            "periods": list(self.periods),
        }
