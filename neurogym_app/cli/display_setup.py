"""The CLI's screens: the config file, the display backend (Qt / PsychoPy / null) and its event pump.

Shared by ``neurogym-app play TASK`` and ``play EXPERIMENT.toml``; display
backends are imported here, lazily, only for the backend in use.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from neurogym_app.errors import UserError

__all__ = ["NO_DISPLAY", "load_config", "has_screen", "make_display", "event_pump"]

NO_DISPLAY = (
    "no display found (DISPLAY/WAYLAND_DISPLAY are not set); play needs a screen, "
    "or run with --headless (and --auto for a simulated player)"
)


def load_config(path: str | None) -> Any:
    from neurogym_app.config import Config, ConfigError

    try:
        return Config(path) if path else Config()
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def has_screen() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def make_display(
    backend: str, *, headless: bool, auto: bool, fullscreen: bool, clock: Any, cfg: Any, draw: bool = False
) -> tuple[Any, bool]:
    """(display, paced): the Display for ``backend``; ``paced`` if its present waits for the refresh.

    A simulated player with no window (``--auto --headless``) is not drawn unless ``draw``:
    nobody sees those frames, and drawing them made such runs 17-23x slower for the same record.
    """
    from neurogym_app.runtime.null_display import NullDisplay

    if headless and auto and not draw and backend == "qt":
        return NullDisplay(clock, cfg.display.refresh_hz), False
    if backend == "null":
        if not auto:
            raise UserError("--backend null draws nothing: use it with --auto")
        return NullDisplay(clock, cfg.display.refresh_hz), False
    size = tuple(cfg.display.resolution) if fullscreen else (1024, 768)
    if backend == "psychopy":
        if headless:
            raise UserError("the psychopy backend needs a screen; use --backend qt with --headless")
        try:
            from neurogym_app.stimuli.backends.psychopy_backend import PsychoPyDisplay
            from neurogym_app.stimuli.scene import Geometry
        except ImportError as exc:
            raise UserError(f"{exc}") from None
        try:
            display = PsychoPyDisplay(
                clock=clock,
                size=size,
                geometry=Geometry.from_display(cfg.display, size),
                fullscreen=fullscreen,
                measure_refresh=True,
            )
        except ImportError as exc:
            raise UserError(str(exc)) from None
        return display, True
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from neurogym_app.qt.canvas import QtDisplay
        from neurogym_app.stimuli.scene import Geometry
    except ImportError as exc:
        if headless and auto:
            return NullDisplay(clock, cfg.display.refresh_hz), False
        raise UserError(f"the Qt display is not available: {exc}") from None
    display = QtDisplay(
        clock=clock,
        size=size,
        geometry=Geometry.from_display(cfg.display, size),
        fullscreen=fullscreen and not headless,
        offscreen=headless,
        refresh_hz=cfg.display.refresh_hz if headless else None,
        title="neurogym-app play",
    )
    return display, False


def event_pump(display: Any) -> Any:
    """Qt delivers (and timestamps) key events only while its event loop runs: pump it between frames."""
    if type(display).__name__ != "QtDisplay":
        return None
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    return app.processEvents if app is not None else None


def timing_summary(measured_hz: float | None, dropped: int, frames: int, drawn: bool = True) -> str:
    """The line every run ends with: ``display: refresh 60.0 Hz, 0 dropped frame(s) of 2238``."""
    hz = f"{measured_hz:.1f} Hz" if measured_hz else "not measured"
    note = " (timed, not drawn)" if not drawn else ""
    return f"display: refresh {hz}, {dropped} dropped frame(s) of {frames}{note}"
