"""The seams of the runtime as Protocols: what the runner needs from a recorder and from a player.

The screen's seam is :class:`neurogym_app.runtime.display.Display`. Implementations
match structurally (no base class): :class:`~neurogym_app.record.recorder.SessionRecorder`
and the experiment's and the app's wrappers are Recorders;
:class:`~neurogym_app.runtime.simulated.SimulatedParticipant` and test
scripts are Players.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from neurogym_app.input.events import InputEvent
from neurogym_app.record.schema import TrialRecord

__all__ = ["Recorder", "Player"]


@runtime_checkable
class Recorder(Protocol):
    """Commits each finished trial and returns its trials.csv row."""

    def write_trial(self, record: TrialRecord) -> dict[str, Any]: ...


@runtime_checkable
class Player(Protocol):
    """A player besides the keyboard (a simulated participant, a script): polled for input every frame.

    A player may also define ``on_frame(runner, frame)`` to be told about every presented frame.
    """

    def poll(self, now: float) -> list[InputEvent]: ...
