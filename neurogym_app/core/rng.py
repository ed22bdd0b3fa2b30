"""The random generator every task draws from.

Tasks get one ``numpy.random.Generator`` per env. Code written for NeuroGym
calls the legacy ``RandomState`` method names (``rand``, ``randn``,
``randint``); ``TaskRandom`` answers to those too, so ported tasks run
unchanged while drawing from the modern PCG64 stream.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TaskRandom", "make_rng", "derive_seed"]

_SEED_BOUND = 2**63


class TaskRandom(np.random.Generator):
    """``np.random.Generator`` plus the RandomState names NeuroGym tasks use."""

    def rand(self, *shape):
        return self.random(shape if shape else None)

    def randn(self, *shape):
        return self.standard_normal(shape if shape else None)

    def randint(self, low, high=None, size=None):
        return self.integers(low, high, size=size)

    def random_sample(self, size=None):
        return self.random(size)

    def __reduce__(self):
        # Generator pickles as the base class; keep the subclass (and its state).
        return (_rebuild, (self.bit_generator.state,))


def _rebuild(state: dict) -> TaskRandom:
    bitgen = np.random.PCG64()
    bitgen.state = state
    return TaskRandom(bitgen)


def make_rng(seed: int | None = None) -> TaskRandom:
    """A new generator; ``None`` seeds from OS entropy."""
    return TaskRandom(np.random.PCG64(seed))


def derive_seed(rng: np.random.Generator) -> int:
    """A fresh integer seed drawn from ``rng`` (one draw, always)."""
    return int(rng.integers(_SEED_BOUND))
