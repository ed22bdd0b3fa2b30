"""Gymnasium spaces that carry names for their parts.

A NeuroGym task names the channels of its observation (``{"fixation": 0,
"stimulus": [1, 2]}``) and its actions (``{"fixation": 0, "choice": [1, 2]}``).
The names are what the stimulus views render and what key maps bind to, so they
are part of the space, not of the task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

__all__ = ["Box", "Discrete", "MultiDiscrete", "normalise_names", "channel_indices"]


def normalise_names(name: Mapping[str, Any] | None, size: int | None) -> dict[str, Any] | None:
    """Check a name mapping and return it with lists for multi-index entries.

    Each value is an int index or a sequence of int indices into a flat space of
    ``size`` elements (``size=None`` skips the bound check).
    """
    if name is None:
        return None
    if not isinstance(name, Mapping):
        raise TypeError(f"space names must be a mapping of name -> index or indices, got {type(name).__name__}")
    checked: dict[str, Any] = {}
    for key, value in name.items():
        if isinstance(value, (int, np.integer)):
            indices: Any = int(value)
            flat = [indices]
        elif isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str):
            indices = [int(v) for v in value]
            flat = indices
        else:
            raise TypeError(f"space name {key!r} must map to an int or a list of ints, got {value!r}")
        if size is not None and any(i < 0 or i >= size for i in flat):
            raise ValueError(f"space name {key!r} -> {value!r} is outside a space of size {size}")
        checked[str(key)] = indices
    return checked


def channel_indices(name: Mapping[str, Any] | None, key: str) -> list[int]:
    """The flat indices a name refers to, always as a list."""
    if not name or key not in name:
        known = ", ".join(name) if name else "none"
        raise KeyError(f"no channel named {key!r} (known: {known})")
    value = name[key]
    return [value] if isinstance(value, int) else list(value)


class Box(gym.spaces.Box):
    """``gymnasium.spaces.Box`` with an optional ``name`` mapping for its channels."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None, name=None):
        super().__init__(low=low, high=high, shape=shape, dtype=dtype, seed=seed)
        size = int(np.prod(self.shape)) if self.shape else 1
        self.name = normalise_names(name, size)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and getattr(other, "name", None) == self.name

    def __repr__(self) -> str:
        base = super().__repr__()
        return f"{base[:-1]}, name={self.name})" if self.name else base


class Discrete(gym.spaces.Discrete):
    """``gymnasium.spaces.Discrete`` with an optional ``name`` mapping for its actions."""

    def __init__(self, n, seed=None, start=0, name=None):
        super().__init__(n=n, seed=seed, start=start)
        self.name = normalise_names(name, None)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and getattr(other, "name", None) == self.name

    def __repr__(self) -> str:
        base = super().__repr__()
        return f"{base[:-1]}, name={self.name})" if self.name else base


class MultiDiscrete(gym.spaces.MultiDiscrete):
    """``gymnasium.spaces.MultiDiscrete`` with an optional ``name`` mapping."""

    def __init__(self, nvec, dtype=np.int64, seed=None, start=None, name=None):
        super().__init__(nvec=nvec, dtype=dtype, seed=seed, start=start)
        self.name = normalise_names(name, int(np.prod(self.shape)))
