"""The stimulus canvas widget and ``QtDisplay``, the Qt implementation of the Display protocol.

Timing (documented uncertainty): ``QtDisplay.present`` paints synchronously
(``QWidget.repaint``), lets Qt flush the window, and returns the time it
handed the frame over on the runner clock. Qt widgets do not wait for the
vertical blank, so the photons appear up to one refresh later (plus the
monitor's input lag); the PsychoPy backend's flip timestamps are the
lab-grade path. Key and pointer events are stamped with the runner clock when
Qt delivers them to the widget (within the event-loop latency of the press,
typically below a millisecond while the runner polls every frame).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import QEvent, QPointF, QSize, Qt
from PyQt6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent, QPainter
from PyQt6.QtWidgets import QApplication, QWidget

from neurogym_app.input.events import InputEvent, KeyEvent, PointerEvent
from neurogym_app.runtime.clock import Clock, MonotonicClock
from neurogym_app.stimuli.backends.frame_accounting import FrameAccounting
from neurogym_app.stimuli.backends.qpainter import ensure_app, qimage_to_array, render_scene
from neurogym_app.stimuli.scene import Geometry, Scene

__all__ = ["StimulusCanvas", "QtDisplay", "key_name"]

_NAMED_KEYS: dict[Qt.Key, str] = {
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Space: "space",
    Qt.Key.Key_Return: "return",
    Qt.Key.Key_Enter: "return",
    Qt.Key.Key_Escape: "escape",
    Qt.Key.Key_Tab: "tab",
    Qt.Key.Key_Backtab: "tab",
    Qt.Key.Key_Backspace: "backspace",
}


def key_name(key: int | Qt.Key, text: str = "") -> str | None:
    """The normalised key name (see ``input/events.py``) of a Qt key code, or None for modifiers."""
    try:
        qkey = Qt.Key(key)
    except ValueError:
        qkey = None
    if qkey in _NAMED_KEYS:
        return _NAMED_KEYS[qkey]
    code = int(key)
    if ord("A") <= code <= ord("Z") or ord("0") <= code <= ord("9"):
        return chr(code).lower()
    if qkey in (
        Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock,
    ):
        return None
    if text and text.isprintable() and not text.isspace():
        return text.lower()
    name = QKeySequence(code).toString()
    return name.lower() if name else None


class StimulusCanvas(QWidget):
    """A widget that paints the current Scene and records input as KeyEvent/PointerEvent.

    Args:
        clock: runner clock used to timestamp events (default: a MonotonicClock).
        geometry: pixels per degree (its ``size`` is replaced by the widget's).
        parent: Qt parent widget.
        on_event: optional callback called with every new event.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        geometry: Geometry | None = None,
        parent: QWidget | None = None,
        on_event: Callable[[InputEvent], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock or MonotonicClock()
        self.geometry = geometry or Geometry()
        self.on_event = on_event
        self._scene = Scene()
        self._events: deque[InputEvent] = deque()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAutoFillBackground(False)
        self.setMinimumSize(200, 150)

    # -------------------------------------------------------------- scene
    @property
    def scene(self) -> Scene:
        return self._scene

    def set_scene(self, scene: Scene) -> None:
        """Show ``scene`` at the next paint (call ``repaint()`` to paint now)."""
        self._scene = scene
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(*self.geometry.size)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            render_scene(self._scene, painter, self.geometry.with_size((self.width(), self.height())))
        finally:
            painter.end()

    def grab_array(self) -> np.ndarray:
        """What the widget shows now, as ``(H, W, 3)`` uint8."""
        return qimage_to_array(self.grab().toImage())

    # -------------------------------------------------------------- events
    def _push(self, event: InputEvent) -> None:
        self._events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def take_events(self) -> list[InputEvent]:
        """Events since the last call, oldest first."""
        out = list(self._events)
        self._events.clear()
        return out

    def _key(self, event: QKeyEvent, kind: str) -> None:
        if event.isAutoRepeat():
            event.accept()
            return
        t = self.clock.now()
        name = key_name(event.key(), event.text())
        if name is not None:
            self._push(KeyEvent(name, t, kind))  # type: ignore[arg-type]
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self._key(event, "press")

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self._key(event, "release")

    def event(self, event: QEvent) -> bool:
        # Tab/Backtab would move the focus instead of reaching keyPressEvent.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def _pointer(self, event: QMouseEvent, kind: str) -> None:
        t = self.clock.now()
        pos: QPointF = event.position()
        x, y = self.geometry.from_screen(pos.x(), pos.y(), self._scene.units, (self.width(), self.height()))
        button = {Qt.MouseButton.LeftButton: 1, Qt.MouseButton.RightButton: 2, Qt.MouseButton.MiddleButton: 3}.get(event.button(), 0)
        self._push(PointerEvent(x, y, t, kind, button))  # type: ignore[arg-type]
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._pointer(event, "press")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._pointer(event, "release")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._pointer(event, "move")


class QtDisplay(FrameAccounting):
    """The Display protocol on a Qt window (or an offscreen widget).

    Args:
        clock: runner clock (default MonotonicClock); onsets and events use it.
        size: window size in pixels ``(width, height)``.
        geometry: pixels per degree (default ``Geometry()``; its size is the window's).
        fullscreen: show full screen.
        offscreen: never show a window (render into an unshown widget; works
            with any QPA platform, e.g. ``QT_QPA_PLATFORM=offscreen``).
        refresh_hz: nominal refresh rate; default: the screen's reported rate
            (60 if it reports none).
        title: window title.
        pointer_moves: also report pointer moves (not only presses/releases).

    ``present`` returns when the frame was handed over (see module doc).
    ``frame_intervals`` and ``dropped_frames`` (intervals > 1.5 refresh
    periods between consecutive presents) are measured; ``measured_hz`` is
    the median present rate. Extra, optional beyond the Display protocol:
    ``capture()`` (a screenshot as an array), ``canvas`` (the widget),
    ``inject(event)``, ``nominal_hz``, ``measured_hz``.
    """

    backend = "qt"
    #: ``present`` does not wait for the vertical blank: the runner paces the loop
    blocks_on_flip = False

    def __init__(
        self,
        clock: Clock | None = None,
        size: tuple[int, int] = (1024, 768),
        geometry: Geometry | None = None,
        fullscreen: bool = False,
        offscreen: bool = False,
        refresh_hz: float | None = None,
        title: str = "neurogym-app",
        pointer_moves: bool = False,
    ) -> None:
        self.app = ensure_app()
        self.clock = clock or MonotonicClock()
        self.offscreen = offscreen
        self.geometry = (geometry or Geometry()).with_size(size)
        self.canvas = StimulusCanvas(self.clock, self.geometry)
        self.canvas.setMouseTracking(pointer_moves)
        self.canvas.setWindowTitle(title)
        self.canvas.resize(*size)
        if not offscreen:
            if fullscreen:
                self.canvas.showFullScreen()
            else:
                self.canvas.show()
            self.canvas.activateWindow()
            self.canvas.setFocus()
        screen = self.canvas.screen() or QGuiApplication.primaryScreen()
        nominal = float(screen.refreshRate()) if screen is not None else 0.0
        self.nominal_hz = nominal if nominal > 1 else 60.0
        self.refresh_hz: float = float(refresh_hz) if refresh_hz else self.nominal_hz
        self._init_frames()
        self._closed = False
        self._process()

    # -------------------------------------------------------------- protocol
    def present(self, scene: Scene) -> float:
        """Paint ``scene`` now; return when the frame was handed over (runner clock, s)."""
        self.canvas.set_scene(scene)
        if self.offscreen or not self.canvas.isVisible():
            # nothing to flush to a screen: paint into the widget's backing image
            self.canvas.grab()
        else:
            self.canvas.repaint()
            self._process()
        onset = self.clock.now()
        self._account(onset)
        return onset

    def poll(self) -> list[InputEvent]:
        """Input events since the last poll (each stamped when Qt delivered it)."""
        self._process()
        return self.canvas.take_events()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.canvas.close()
            self.canvas.deleteLater()
            self._process()

    # --------------------------------------------------------------- extras
    def capture(self) -> np.ndarray:
        """The current frame as ``(H, W, 3)`` uint8."""
        return self.canvas.grab_array()

    def inject(self, event: InputEvent) -> None:
        """Queue an event as if it came from the keyboard/pointer (tests, pilots)."""
        self.canvas._push(event)

    def _process(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.processEvents()

    def __enter__(self) -> QtDisplay:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
