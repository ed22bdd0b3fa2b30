"""Frame bookkeeping both display backends share: intervals, dropped frames, measured rate."""

from __future__ import annotations

import numpy as np

#: keep at most this many intervals (a long session must not grow without bound)
MAX_INTERVALS = 100_000


class FrameAccounting:
    """Mixin: call ``_init_frames()`` in ``__init__`` and ``_account(onset)`` after each frame.

    A frame is dropped when its interval exceeds 1.5 refresh periods
    (``self.refresh_hz``).
    """

    refresh_hz: float

    def _init_frames(self) -> None:
        self.frame_intervals: list[float] = []
        self.dropped_frames = 0
        self.n_frames = 0
        self._last_onset: float | None = None

    @property
    def measured_hz(self) -> float | None:
        """Median rate of ``present`` calls so far (None before two frames)."""
        if not self.frame_intervals:
            return None
        med = float(np.median(self.frame_intervals))
        return 1.0 / med if med > 0 else None

    def _account(self, onset: float) -> None:
        self.n_frames += 1
        if self._last_onset is not None:
            interval = onset - self._last_onset
            self.frame_intervals.append(interval)
            if len(self.frame_intervals) > MAX_INTERVALS:
                del self.frame_intervals[: MAX_INTERVALS // 2]
            if interval > 1.5 / self.refresh_hz:
                self.dropped_frames += 1
        self._last_onset = onset
