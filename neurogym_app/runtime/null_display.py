"""A Display that draws nothing: onsets are the clock's time when a frame is presented.

Used for simulated runs without a screen (``play --auto --headless`` when no
drawing backend is available) and in tests.
"""

from __future__ import annotations

from typing import Any

from neurogym_app.input.events import InputEvent

__all__ = ["NullDisplay"]


class NullDisplay:
    """Presents nothing; ``present`` returns ``clock.now()`` (the virtual clock in simulated runs)."""

    backend = "null"

    def __init__(self, clock: Any, refresh_hz: float = 60.0) -> None:
        if not refresh_hz > 0:
            raise ValueError(f"refresh_hz must be > 0, got {refresh_hz}")
        self.clock = clock
        self.refresh_hz = float(refresh_hz)
        self.frames = 0
        self.last_scene: Any = None

    def present(self, scene: Any) -> float:
        self.frames += 1
        self.last_scene = scene
        return float(self.clock.now())

    def poll(self) -> list[InputEvent]:
        return []

    def close(self) -> None:
        pass

    def info(self) -> dict[str, Any]:
        return {"backend": self.backend, "refresh_hz": self.refresh_hz}
