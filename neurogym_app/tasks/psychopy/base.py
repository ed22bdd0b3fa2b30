"""Base of the pixel-observation tasks drawn by PsychoPy (adapter: imports PsychoPy lazily).

Observations are ``(H, W, 3)`` uint8 frames rendered, one per time step, into
a hidden PsychoPy window when a trial is built (``new_trial``), so stepping
costs nothing and a trial is rebuilt exactly from its variables.

Unlike NeuroGym's ``PsychopyEnv`` the task holds no window: one hidden window
per size is shared by all tasks of the process (windows are slow to open and
cannot be pickled), so these tasks deep-copy and pickle like any other.
Random numbers come from the task's own generator only (PsychoPy's
``DotStim`` draws from numpy's global one, so dots are drawn here instead).

PsychoPy needs an X display: headless, run ``Xvfb :99 -screen 0 1280x1024x24``
and set ``DISPLAY=:99`` (24-bit depth).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv

__all__ = ["PsychopyTask", "psychopy_visual", "PSYCHOPY_EXTRA"]

PSYCHOPY_EXTRA = "this task needs PsychoPy: run `make psychopy` (scripts/install_psychopy.sh .venv)"

_WINDOWS: dict[tuple[int, int], Any] = {}


def psychopy_visual() -> Any:
    """``psychopy.visual``, or an ImportError naming the extra to install."""
    try:
        from psychopy import visual
    except ImportError as exc:
        raise ImportError(PSYCHOPY_EXTRA) from exc
    return visual


def shared_window(size: tuple[int, int]) -> Any:
    """The process's hidden PsychoPy window of ``size`` (opened on first use)."""
    size = (int(size[0]), int(size[1]))
    win = _WINDOWS.get(size)
    if win is not None and not getattr(win, "_closed", False):
        return win
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise RuntimeError(
            "PsychoPy tasks render in an X window: no DISPLAY is set (headless: `Xvfb :99 -screen 0 1280x1024x24 &` "
            "then DISPLAY=:99)"
        )
    visual = psychopy_visual()
    win = visual.Window(
        size=list(size), winType="pyglet", units="norm", color=[-1, -1, -1], colorSpace="rgb",
        allowGUI=False, checkTiming=False, waitBlanking=False,
    )
    handle = getattr(getattr(win, "backend", None), "winHandle", None)
    if handle is not None:
        handle.set_visible(False)
    win.recordFrameIntervals = False
    _WINDOWS[size] = win
    return win


def _own_gl_state(win: Any) -> None:
    """Draw into ``win`` with its own viewport and projection (another window's
    resize handler may have set them in the current GL context)."""
    win._setCurrent()  # noqa: SLF001 (PsychoPy's own context switch)
    w, h = (int(v) for v in win.frameBufferSize)
    win.viewport = win.scissor = [0, 0, w, h]
    win.scissorTest = True
    win.resetEyeTransform(clearDepth=False)


class PsychopyTask(TrialEnv):
    """A TrialEnv whose observation is the picture PsychoPy draws.

    Args:
        dt: time step (ms); one frame per step.
        win_size: ``(width, height)`` of the frame in pixels (NeuroGym's older name).
        win_kwargs: NeuroGym's ``{"size": (w, h), "color": ...}``; ``size`` and
            ``color`` (PsychoPy rgb, -1..1, or a name) are used.
    """

    default_color: Any = "black"

    def __init__(self, dt: float = 16, win_size: tuple[int, int] | None = None, win_kwargs: dict[str, Any] | None = None) -> None:
        super().__init__(dt=dt)
        kwargs = dict(win_kwargs or {})
        size = win_size or kwargs.get("size") or (100, 100)
        self.win_size = (int(size[0]), int(size[1]))
        if min(self.win_size) < 8:
            raise ValueError(f"win_size must be at least 8 x 8 pixels, got {self.win_size}")
        self.win_color = kwargs.get("color", self.default_color)
        w, h = self.win_size
        self.observation_space = spaces.Box(0, 255, shape=(h, w, 3), dtype=np.uint8)

    # ---------------------------------------------------------------- drawing
    @property
    def win(self) -> Any:
        """The shared hidden window (not part of the task's state)."""
        return shared_window(self.win_size)

    def render_frame(self, stims: Iterable[Any]) -> np.ndarray:
        """Draw ``stims`` on the background and read the frame (back buffer, no flip)."""
        win = self.win
        _own_gl_state(win)
        win.colorSpace = "rgb"
        win.color = self.win_color
        win.clearBuffer()
        for stim in stims:
            stim.draw()
        frame = np.asarray(win._getFrame(buffer="back"))  # noqa: SLF001 (PsychoPy's own reader)
        win.clearBuffer()
        return np.ascontiguousarray(frame[..., :3], dtype=np.uint8)

    def background_frame(self) -> np.ndarray:
        return self.render_frame(())

    def fill_background(self) -> None:
        """Set every step of the trial to the empty background."""
        self.ob[:] = self.background_frame()

    def set_frames(self, period: str, make_stims: Any) -> None:
        """Render ``make_stims(i)`` (stims of the period's ``i``-th step) into the period's steps."""
        ob = self.view_ob(period)
        for i in range(ob.shape[0]):
            ob[i] = self.render_frame(make_stims(i))

    def set_static(self, period: str, stims: Iterable[Any]) -> None:
        """One picture for the whole period."""
        ob = self.view_ob(period)
        if ob.shape[0]:
            ob[:] = self.render_frame(stims)
