"""What the runner needs from a screen: present a Scene, give back input events.

Backends (QPainter, PsychoPy) implement this protocol structurally; the runner
never imports them. ``present`` returns the onset time of the frame on the
runner clock: when the frame was handed over (Qt) or the flip time (PsychoPy).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from neurogym_app.input.events import InputEvent
from neurogym_app.stimuli.scene import Scene

__all__ = ["Display"]


@runtime_checkable
class Display(Protocol):
    #: measured (or nominal) refresh rate in Hz
    refresh_hz: float

    def present(self, scene: Scene) -> float:
        """Draw ``scene`` as the next frame; return its onset on the runner clock (s)."""
        ...

    def poll(self) -> list[InputEvent]:
        """Input events since the last poll, each with its own timestamp."""
        ...

    def close(self) -> None: ...
