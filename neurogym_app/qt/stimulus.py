"""The stimulus canvas as the app embeds it, and a Display on it for the runner.

``FitCanvas`` is a :class:`~neurogym_app.qt.canvas.StimulusCanvas` that keeps
the whole stimulus layout in view at any widget size: it scales pixels per
degree so the design surface (1024 x 768 pixels at 36 px/deg, the default
``Geometry``) fits the widget, as a smaller monitor at the same viewing
distance would. It also draws deferred scenes (``DeferredScene``), so a
simulated run that ticks many frames per screen refresh builds only the
scene that is painted.

``CanvasDisplay`` implements the runner's Display protocol on a canvas: the
onset it returns is when the frame was handed to Qt (``update``), on the
runner clock; the repaint follows within the event loop (see
``qt/canvas.py`` for the uncertainty of Qt onsets).
"""

from __future__ import annotations

import time
from typing import Any

from PyQt6.QtGui import QPainter
from PyQt6.QtWidgets import QWidget

from neurogym_app.input.events import InputEvent
from neurogym_app.qt.canvas import StimulusCanvas
from neurogym_app.stimuli.backends.audio import SceneAudio
from neurogym_app.stimuli.backends.qpainter import render_scene
from neurogym_app.stimuli.scene import Geometry, Scene

__all__ = ["FitCanvas", "CanvasDisplay", "ClockProxy", "DESIGN_SIZE"]

DESIGN_SIZE = (1024, 768)
DESIGN_PIX_PER_DEG = 36.0


class ClockProxy:
    """A clock that forwards to another one, swappable between sessions."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock

    def now(self) -> float:
        return float(self.clock.now())


class FitCanvas(StimulusCanvas):
    """A stimulus canvas whose layout always fits (see module doc)."""

    def __init__(self, clock: Any = None, parent: QWidget | None = None, accept_input: bool = True) -> None:
        super().__init__(clock=clock, geometry=Geometry(DESIGN_PIX_PER_DEG, DESIGN_SIZE), parent=parent)
        self.accept_input = accept_input
        self.message: str | None = None
        self.paint_ms = 0.0
        self._fit()

    def _fit(self) -> None:
        w, h = max(self.width(), 1), max(self.height(), 1)
        k = min(w / DESIGN_SIZE[0], h / DESIGN_SIZE[1])
        self.geometry = Geometry(DESIGN_PIX_PER_DEG * k, (w, h))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt naming)
        self._fit()
        super().resizeEvent(event)

    def set_scene(self, scene: Any) -> None:  # type: ignore[override]
        self._scene = scene
        self.update()

    @property
    def scene(self) -> Scene:  # type: ignore[override]
        scene = self._scene
        resolve = getattr(scene, "resolve", None)
        if resolve is not None:
            scene = resolve()
        return scene if isinstance(scene, Scene) else Scene()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        t0 = time.perf_counter()
        painter = QPainter(self)
        try:
            render_scene(self.scene, painter, self.geometry.with_size((self.width(), self.height())))
        finally:
            painter.end()
        self.paint_ms = (time.perf_counter() - t0) * 1000.0  # the Play view's redraw budget reads it

    def clear_scene(self) -> None:
        self.set_scene(Scene())

    def _push(self, event: InputEvent) -> None:
        if self.accept_input:
            super()._push(event)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if not self.accept_input:
            event.ignore()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: Any) -> None:  # noqa: N802
        if not self.accept_input:
            event.ignore()
            return
        super().keyReleaseEvent(event)


class CanvasDisplay:
    """The Display protocol on an embedded :class:`FitCanvas`."""

    backend = "qt-embedded"

    def __init__(self, canvas: FitCanvas, clock: Any, refresh_hz: float = 60.0, audio: bool = True) -> None:
        self.canvas = canvas
        self.clock = clock
        self.refresh_hz = float(refresh_hz)
        self.frames = 0
        # the tones of each Scene start with its frame (not on a virtual clock: nobody listens)
        self.audio = SceneAudio(backend="qt") if audio else None

    def present(self, scene: Any) -> float:
        self.canvas.set_scene(scene)
        self.frames += 1
        onset = float(self.clock.now())
        if self.audio is not None:
            resolve = getattr(scene, "resolve", None)  # a DeferredScene: its tones are due now
            self.audio.present(resolve() if resolve is not None else scene, onset)
        return onset

    def poll(self) -> list[InputEvent]:
        return self.canvas.take_events()

    def close(self) -> None:
        pass

    def info(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "refresh_hz": self.refresh_hz,
            "onsets": "time the frame was handed to Qt (the repaint follows within the event loop)",
            **(self.audio.info() if self.audio is not None else {"audio_device": "off (virtual clock)"}),
        }
