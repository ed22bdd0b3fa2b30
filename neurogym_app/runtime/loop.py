"""The plain frame loop: tick a runner once per refresh until the session ends.

GUI front ends drive ``Runner.tick`` from their own timer instead. Here a
frame is ticked every ``1/refresh_hz`` seconds on ``clock``: a
``FakeClock`` jumps (virtual time, as fast as the CPU allows), a
``MonotonicClock`` sleeps (real time). A display whose ``present`` waits for
the vertical blank (``blocks_on_flip = True``, e.g. PsychoPy) paces the loop
itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["run_frames", "VirtualTimeDisplay"]


PUMP_S = 0.001  # while waiting for the next frame, let the GUI deliver input this often


def _wait(clock: Any, due: float, pump: Callable[[], Any] | None) -> None:
    if pump is None:
        clock.sleep_until(due)
        return
    while True:  # deliver input while waiting, so events are stamped close to when they happen
        pump()
        remaining = due - clock.now()
        if remaining <= 0:
            return
        clock.sleep_until(clock.now() + min(remaining, PUMP_S))


def run_frames(
    runner: Any,
    clock: Any,
    *,
    refresh_hz: float | None = None,
    max_frames: int | None = None,
    pump: Callable[[], Any] | None = None,
) -> int:
    """Tick ``runner`` until it is done (or ``max_frames``); returns the frames ticked.

    ``pump`` (e.g. Qt's ``processEvents``) is called about every millisecond
    while waiting for the next frame, so a GUI backend timestamps key presses
    when they happen rather than at the next frame.
    """
    display = runner.display
    hz = float(refresh_hz or getattr(display, "refresh_hz", 0) or 60.0)
    frame_s = 1.0 / hz
    paced = bool(getattr(display, "blocks_on_flip", False))
    process = getattr(display, "process_events", None)
    frames = 0
    anchor, n = clock.now(), 0  # frame n is due at anchor + n * frame_s (no drift)
    while max_frames is None or frames < max_frames:
        if process is not None:
            process()
        if not runner.tick(clock.now()):
            break
        frames += 1
        if paced:
            continue
        n += 1
        due = anchor + n * frame_s
        now = clock.now()
        if due < now - frame_s:  # fell behind: do not rush to catch up
            anchor, n = now, 0
            due = now
        _wait(clock, due, pump)
    return frames


class VirtualTimeDisplay:
    """Wraps a drawing display so onsets come from a (virtual) clock, not from the screen.

    Simulated runs on a virtual clock still draw every frame (offscreen), but
    their times are virtual: this adapter returns ``clock.now()`` as the onset.
    """

    def __init__(self, display: Any, clock: Any) -> None:
        self.inner = display
        self.clock = clock
        self.refresh_hz = float(getattr(display, "refresh_hz", 0) or 60.0)
        self.backend = getattr(display, "backend", type(display).__name__)

    def present(self, scene: Any) -> float:
        self.inner.present(scene)
        return float(self.clock.now())

    def poll(self) -> list:
        return list(self.inner.poll() or [])

    def close(self) -> None:
        self.inner.close()

    def info(self) -> dict[str, Any]:
        info = getattr(self.inner, "info", None)
        base = dict(info()) if callable(info) else {"backend": self.backend, "refresh_hz": self.refresh_hz}
        base["onsets"] = "virtual clock"
        return base
