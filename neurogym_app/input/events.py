"""Input events with their own timestamps on the runner's monotonic clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["KeyEvent", "PointerEvent", "InputEvent"]


@dataclass(frozen=True)
class KeyEvent:
    """A key press or release.

    ``key`` is a normalised key name: lower-case letters/digits ("f", "j", "1"),
    or one of "left", "right", "up", "down", "space", "return", "escape",
    "tab", "backspace". ``t`` is seconds on the runner clock (``Clock.now()``),
    taken when the event happened (not when it was handled, where the backend
    can tell).
    """

    key: str
    t: float
    kind: Literal["press", "release"] = "press"


@dataclass(frozen=True)
class PointerEvent:
    """A pointer press/release/move at stimulus coordinates.

    ``x``, ``y`` are in the Scene's units relative to the screen centre
    (+x right, +y up); ``t`` as for KeyEvent.
    """

    x: float
    y: float
    t: float
    kind: Literal["press", "release", "move"] = "press"
    button: int = 1


InputEvent = KeyEvent | PointerEvent
