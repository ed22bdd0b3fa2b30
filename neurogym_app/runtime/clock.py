"""The runner's clock: one monotonic time base for onsets and responses."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "MonotonicClock", "FakeClock"]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic time base."""
        ...


class MonotonicClock:
    """Wall time from ``time.perf_counter`` (the finest monotonic clock)."""

    def now(self) -> float:
        return time.perf_counter()

    def sleep_until(self, t: float) -> None:
        remaining = t - self.now()
        if remaining > 0:
            time.sleep(remaining)


class FakeClock:
    """A clock tests (and the virtual-time simulated runs) move by hand."""

    def __init__(self, start: float = 0.0) -> None:
        self.t = float(start)

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        self.t += seconds

    def sleep_until(self, t: float) -> None:
        if t > self.t:
            self.t = t
