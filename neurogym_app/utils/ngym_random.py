"""``neurogym.utils.ngym_random``: truncated exponentials and named random-number makers.

``TruncExp(vmean, vmin=0, vmax=inf)`` is a callable duration (a timing spec
as NeuroGym's ``TruncExp``) with its own seedable generator. Draws use the
inverse CDF (``core.timing.truncated_exponential``): one random number per
draw, so the same seed gives the same sequence whatever the bounds (upstream
loops until a draw falls inside them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from neurogym_app.core.rng import make_rng
from neurogym_app.core.timing import truncated_exponential

__all__ = ["TruncExp", "random_number_fn", "random_number_name", "trunc_exp"]

DISTRIBUTIONS = ("uniform", "choice", "truncated_exponential", "constant")


def trunc_exp(rng: np.random.Generator, vmean: float, vmin: float = 0, vmax: float = math.inf) -> float:
    """One draw of an exponential with mean ``vmean`` kept within ``[vmin, vmax]`` (``vmax`` if ``vmin >= vmax``)."""
    return truncated_exponential(rng, float(vmean), float(vmin), float(vmax))


class TruncExp:
    """A truncated-exponential duration: ``TruncExp(400, 100, 800)()`` gives one draw in ms."""

    def __init__(self, vmean: float, vmin: float = 0, vmax: float = math.inf) -> None:
        self.vmean = vmean
        self.vmin = vmin
        self.vmax = vmax
        self.rng = make_rng()

    def seed(self, seed: int | None = None) -> None:
        """Reseed this duration's generator: the same seed gives the same draws."""
        self.rng = make_rng(seed)

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        return trunc_exp(self.rng, self.vmean, self.vmin, self.vmax)

    def __repr__(self) -> str:
        return f"TruncExp(vmean={self.vmean}, vmin={self.vmin}, vmax={self.vmax})"


def _unknown(dist: Any) -> ValueError:
    return ValueError(f"unknown distribution {dist!r}; use one of {', '.join(DISTRIBUTIONS)}")


def random_number_fn(dist: str, args: Any, rng: np.random.Generator) -> Callable[[], Any]:
    """A function of no argument drawing from ``dist`` with ``args`` using ``rng``."""
    if dist == "uniform":
        low, high = args
        return lambda: rng.uniform(low, high)
    if dist == "choice":
        values = list(args)
        return lambda: values[int(rng.integers(len(values)))]
    if dist == "truncated_exponential":
        params = tuple(args)
        return lambda: trunc_exp(rng, *params)
    if dist == "constant":
        return lambda: args
    raise _unknown(dist)


def random_number_name(dist: str, args: Any) -> str:
    """A short description of ``dist`` with ``args``, e.g. ``"uniform between 100 and 300"``."""
    if dist == "uniform":
        return f"uniform between {args[0]} and {args[1]}"
    if dist == "choice":
        return f"choice within {list(args) if isinstance(args, Sequence) else args}"
    if dist == "truncated_exponential":
        parts = [f"truncated exponential with mean {args[0]}"]
        if len(args) > 1:
            parts.append(f"min {args[1]}")
        if len(args) > 2:
            parts.append(f"max {args[2]}")
        return ", ".join(parts)
    if dist == "constant":
        return f"constant {args}"
    raise _unknown(dist)
