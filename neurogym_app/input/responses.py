"""From timed input events to one action per task step (press / latch / hold).

The runner collects the events whose timestamps fall in one step's window and
asks :meth:`ResponseTracker.step` for the action to apply at the step
boundary. Each action comes with the event that caused it, so the reaction
time is taken from that event's own timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurogym_app.input.events import InputEvent, KeyEvent, PointerEvent
from neurogym_app.input.keymap import KeyMap

__all__ = ["Mapped", "ResponseTracker", "map_event"]


@dataclass(frozen=True)
class Mapped:
    """An input event with the response action it means (None: not a response)."""

    event: InputEvent
    action: Any = None
    name: str | None = None

    @property
    def is_response(self) -> bool:
        return self.action is not None


def map_event(keymap: KeyMap, event: InputEvent) -> Mapped:
    """What ``event`` means under ``keymap`` (releases and unbound keys map to no action)."""
    if isinstance(event, KeyEvent):
        b = keymap.binding_for_key(event.key)
        if b is None and keymap.aim is not None and event.kind == "press":
            if keymap.aim.turn(event.key):  # aiming is not answering
                return Mapped(event)
            if event.key in keymap.aim.CONFIRM:
                b = keymap.aimed_binding()
        return Mapped(event, b.action, b.name) if b else Mapped(event)
    if isinstance(event, PointerEvent):
        if keymap.is_box and event.kind in ("press", "move"):
            return Mapped(event, keymap.box_action(event.x, event.y, event.kind), "position")
        if keymap.pointer == "ring" and event.kind == "press":
            b = keymap.binding_for_pointer(event.x, event.y)
            return Mapped(event, b.action, b.name) if b else Mapped(event)
    return Mapped(event)


class ResponseTracker:
    """Turns each step's events into the action of that step."""

    def __init__(self, keymap: KeyMap) -> None:
        self.keymap = keymap
        self._held: dict[str, Mapped] = {}  # key -> its press (hold mode)
        self._latched: Mapped | None = None
        self._position: Mapped | None = None  # Box actions

    def new_trial(self) -> None:
        """Forget a latched response and the ring aim (held keys stay held)."""
        self._latched = None
        if self.keymap.aim is not None:
            self.keymap.aim.reset()

    @property
    def fixate(self) -> Any:
        return self.keymap.fixate

    def step(self, events: Iterable[Mapped]) -> tuple[Any, Mapped | None]:
        """The action for one step given the events of its window, and its cause.

        Returns ``(action, cause)``; ``cause`` is None when the action is fixation.
        """
        events = sorted(events, key=lambda m: m.event.t)
        if self.keymap.is_box:
            return self._box(events)
        mode = self.keymap.mode
        if mode == "hold":
            return self._hold(events)
        if mode == "latch" and self._latched is not None:
            return self._latched.action, self._latched
        for m in events:
            if m.is_response and _is_press(m.event):
                if mode == "latch":
                    self._latched = m
                return m.action, m
        return self.fixate, None

    def _hold(self, events: list[Mapped]) -> tuple[Any, Mapped | None]:
        candidates = list(self._held.values())
        for m in events:
            ev = m.event
            if not isinstance(ev, KeyEvent) or not m.is_response:
                continue
            if ev.kind == "press":
                self._held[ev.key] = m
                candidates.append(m)
            else:
                self._held.pop(ev.key, None)
        if not candidates:
            return self.fixate, None
        latest = max(candidates, key=lambda m: m.event.t)
        return latest.action, latest

    def _box(self, events: list[Mapped]) -> tuple[Any, Mapped | None]:
        for m in events:
            if m.is_response:
                self._position = m
        if self._position is None:
            return np.array(self.fixate, copy=True), None
        return np.array(self._position.action, copy=True), self._position


def _is_press(event: InputEvent) -> bool:
    return getattr(event, "kind", "press") == "press"
