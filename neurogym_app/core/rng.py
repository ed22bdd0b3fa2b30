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

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        # Tasks draw one element of a short 1-D sequence on every trial; numpy's
        # general ``choice`` takes ~12 us for that. This path makes the same
        # single ``integers(0, len(a))`` draw and returns the same element
        # (tests/test_dataset.py checks it against ``Generator.choice``).
        if size is None and replace and p is None and axis == 0:
            kind = type(a)
            if kind is np.ndarray:
                if a.ndim == 1 and a.shape[0] > 0:
                    return a[self.integers(0, a.shape[0])]
            elif (kind is list or kind is tuple) and a:
                arr = np.array(a)
                if arr.ndim == 1:
                    return arr[self.integers(0, arr.shape[0])]
        return super().choice(a, size, replace, p, axis, shuffle)

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
