"""Schedules: which condition (task, attribute set) comes next (NeuroGym's ``utils.scheduler``).

A schedule is called once per trial and returns an index in ``range(n)``.
Each has its own generator, seeded by ``seed(seed)`` (ScheduleEnvs and
ScheduleAttr seed it from ``reset(seed=...)``), so schedules repeat per seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["BaseSchedule", "SequentialSchedule", "RandomSchedule", "SequentialBlockSchedule", "RandomBlockSchedule"]


def _count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"a schedule needs n >= 1 conditions, got {n!r}")
    return int(n)


class BaseSchedule:
    """Base schedule over ``n`` conditions.

    Attributes: ``i`` the current condition, ``count`` trials so far in it,
    ``total_count`` calls since ``reset``.
    """

    def __init__(self, n: int) -> None:
        self.n = _count(n)
        self.rng = np.random.default_rng()
        self.reset()

    def seed(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        self.total_count = 0
        self.count = 0
        self.i = 0

    def _other_than_current(self) -> int:
        # Random schedules never repeat the current condition (NeuroGym's rule).
        if self.n == 1:
            return 0
        pick = int(self.rng.integers(self.n - 1))
        return pick + 1 if pick >= self.i else pick

    def __call__(self) -> int:
        raise NotImplementedError


class SequentialSchedule(BaseSchedule):
    """0, 1, ..., n-1, 0, 1, ... (the first call after ``reset`` returns 1, as NeuroGym's)."""

    def __call__(self) -> int:
        self.count = 1
        self.i = (self.i + 1) % self.n
        self.total_count += 1
        return self.i


class RandomSchedule(BaseSchedule):
    """A random condition each call, never the same twice in a row (when n > 1)."""

    def __call__(self) -> int:
        self.i = self._other_than_current()
        self.total_count += 1
        return self.i


class _BlockSchedule(BaseSchedule):
    def __init__(self, n: int, block_lens: Sequence[int]) -> None:
        super().__init__(n)
        lens = list(block_lens)
        if len(lens) != self.n:
            raise ValueError(f"{type(self).__name__}: block_lens has {len(lens)} entries, expected n={self.n}")
        if any(isinstance(x, bool) or int(x) != x or x < 1 for x in lens):
            raise ValueError(f"{type(self).__name__}: block_lens must be whole numbers >= 1, got {lens}")
        self.block_lens = [int(x) for x in lens]

    def _next_block(self) -> int:
        raise NotImplementedError

    def __call__(self) -> int:
        if self.count < self.block_lens[self.i]:
            self.count += 1
        else:
            self.count = 1
            self.i = self._next_block()
        self.total_count += 1
        return self.i


class SequentialBlockSchedule(_BlockSchedule):
    """Condition ``i`` for ``block_lens[i]`` trials, then the next, cyclically."""

    def _next_block(self) -> int:
        return (self.i + 1) % self.n


class RandomBlockSchedule(_BlockSchedule):
    """Condition ``i`` for ``block_lens[i]`` trials, then a different random one."""

    def _next_block(self) -> int:
        return self._other_than_current()
