"""The agent demo window: the stimulus as people see it, beside the agent's hidden activity and choices.

``AgentDemoDisplay`` implements the runner's Display protocol on a window
made of a :class:`~neurogym_app.qt.stimulus.FitCanvas` (the task's Scene)
and an :class:`ActivityPanel` that paints, from an
:class:`~neurogym_app.agents.demo.AgentSource`:

* the hidden activity of the last steps as a heat map (units x steps, blue
  negative, red positive), with the task period of every step underneath;
* the action probabilities of the current step as bars (the chosen action
  filled, the correct one marked);
* what the agent saw and did (trial, step, period, action, running accuracy).

``FrameSaver`` (a runner source) writes a PNG of the window for every new
step and every phase change, for headless use (``neurogym-app demo --headless --frames DIR``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PyQt6.QtWidgets import QApplication, QHBoxLayout, QWidget

from neurogym_app.agents.demo import AgentSource
from neurogym_app.qt.stimulus import FitCanvas
from neurogym_app.stimuli.backends.qpainter import ensure_app

__all__ = ["ActivityPanel", "AgentDemoDisplay", "FrameSaver"]

PERIOD_COLOURS = [(141, 160, 203), (252, 141, 98), (102, 194, 165), (231, 138, 195), (166, 216, 84), (255, 217, 47), (229, 196, 148)]
BG = QColor(250, 250, 250)


def _diverging(values: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> RGB uint8 (blue - white - red)."""
    v = np.clip(values, -1.0, 1.0)[..., None]
    blue = np.array([33, 102, 172], dtype=float)
    red = np.array([178, 24, 43], dtype=float)
    white = np.array([247, 247, 247], dtype=float)
    rgb = np.where(v < 0, white + (blue - white) * (-v), white + (red - white) * v)
    return rgb.astype(np.uint8)


class ActivityPanel(QWidget):
    """Paints the agent's hidden activity and action probabilities (see module doc)."""

    def __init__(self, source: AgentSource, keymap: Any, title: str = "", n_actions: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.keymap = keymap
        self.title = title
        self.n_actions = n_actions
        self.results: list[int] = []  # 1/0 per finished trial
        self.phase_text = ""
        self.setMinimumWidth(420)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def _period_colour(self, period: str | None, names: list[str]) -> QColor:
        if period is None:
            return QColor(220, 220, 220)
        if period not in names:
            names.append(period)
        r, g, b = PERIOD_COLOURS[names.index(period) % len(PERIOD_COLOURS)]
        return QColor(r, g, b)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt naming)
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, BG)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pad = 14
        font = QFont()
        font.setPixelSize(15)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(30, 30, 30))
        title = QFontMetrics(font).elidedText(self.title, Qt.TextElideMode.ElideRight, w - 2 * pad)
        p.drawText(QRectF(pad, 6, w - 2 * pad, 22), Qt.AlignmentFlag.AlignLeft, title)
        small = QFont()
        small.setPixelSize(12)
        p.setFont(small)
        latest = self.source.latest
        acc = f"{np.mean(self.results):.0%} of {len(self.results)}" if self.results else "-"
        if latest is not None:
            line = f"trial {latest.trial + 1}  step {latest.step}  period: {latest.period or '-'}   correct so far: {acc}"
        else:
            line = f"waiting for the first step   correct so far: {acc}"
        if self.phase_text:
            line += f"   [{self.phase_text}]"
        p.drawText(QRectF(pad, 30, w - 2 * pad, 18), Qt.AlignmentFlag.AlignLeft, line)

        # --- hidden activity heat map
        top = 56
        map_h = int(h * 0.48)
        p.setFont(small)
        p.drawText(QRectF(pad, top, w, 16), Qt.AlignmentFlag.AlignLeft, "hidden activity (units x recent steps; blue < 0 < red)")
        rect = QRectF(pad, top + 18, w - 2 * pad, map_h - 40)
        p.setPen(QPen(QColor(160, 160, 160)))
        p.drawRect(rect)
        mat = self.source.hidden_matrix()
        history = list(self.source.history)
        maxlen = self.source.history.maxlen or max(len(history), 1)
        if mat is not None and mat.size:
            img = _diverging(mat)  # (units, steps, 3)
            units, steps = img.shape[:2]
            full = np.full((units, maxlen, 3), 235, dtype=np.uint8)
            full[:, maxlen - steps :] = img
            qimg = QImage(np.ascontiguousarray(full).data, maxlen, units, 3 * maxlen, QImage.Format.Format_RGB888).copy()
            p.drawImage(rect, qimg)
        # period strip under the map
        names: list[str] = []
        strip = QRectF(rect.left(), rect.bottom() + 3, rect.width(), 10)
        cell = strip.width() / maxlen
        offset = maxlen - len(history)
        for i, s in enumerate(history):
            p.fillRect(QRectF(strip.left() + (offset + i) * cell, strip.top(), cell + 0.5, strip.height()), self._period_colour(s.period, names))
        x = rect.left()
        for name in names:
            colour = self._period_colour(name, names)
            p.fillRect(QRectF(x, strip.bottom() + 4, 10, 10), colour)
            p.setPen(QColor(60, 60, 60))
            p.drawText(QRectF(x + 13, strip.bottom() + 1, 120, 16), Qt.AlignmentFlag.AlignLeft, name)
            x += 18 + 7 * len(name)

        # --- action probabilities
        top2 = top + map_h + 22
        p.setPen(QColor(30, 30, 30))
        p.drawText(QRectF(pad, top2, w, 16), Qt.AlignmentFlag.AlignLeft, "action probabilities (filled: chosen; outline: correct)")
        probs = latest.probs if latest is not None else None
        n = len(probs) if probs is not None else (self.n_actions or 0)
        if n:
            bar_area = QRectF(pad + 80, top2 + 22, w - 2 * pad - 130, h - top2 - 40)
            row_h = min(30.0, bar_area.height() / n)
            for a in range(n):
                y = bar_area.top() + a * row_h
                label = self.keymap.label(a) if self.keymap is not None else str(a)
                p.setPen(QColor(40, 40, 40))
                p.drawText(QRectF(pad, y, 76, row_h - 4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{label}")
                p.setPen(QPen(QColor(180, 180, 180)))
                p.drawRect(QRectF(bar_area.left(), y + 3, bar_area.width(), row_h - 8))
                if probs is not None:
                    chosen = latest is not None and np.array_equal(np.asarray(latest.action), a)
                    colour = QColor(255, 127, 14) if chosen else QColor(150, 150, 150)
                    p.fillRect(QRectF(bar_area.left(), y + 3, bar_area.width() * float(probs[a]), row_h - 8), colour)
                    p.setPen(QColor(40, 40, 40))
                    p.drawText(QRectF(bar_area.right() + 4, y, 46, row_h - 4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{probs[a]:.2f}")
                    if latest is not None and latest.gt is not None and np.array_equal(np.asarray(latest.gt), a):
                        p.setPen(QPen(QColor(44, 160, 44), 2.5))
                        p.drawRect(QRectF(bar_area.left() - 2, y + 1, bar_area.width() + 4, row_h - 4))


class AgentDemoDisplay:
    """The runner's Display on the demo window (stimulus canvas + activity panel)."""

    backend = "qt"
    blocks_on_flip = False

    def __init__(self, clock: Any, source: AgentSource, keymap: Any, *, title: str = "", size: tuple[int, int] = (1280, 600),
                 offscreen: bool = False, refresh_hz: float = 60.0, n_actions: int | None = None) -> None:
        self.app = ensure_app()
        self.clock = clock
        self.window = QWidget()
        self.window.setWindowTitle(f"neurogym-app demo: {title}")
        layout = QHBoxLayout(self.window)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.canvas = FitCanvas(clock=clock)
        self.panel = ActivityPanel(source, keymap, title=title, n_actions=n_actions)
        layout.addWidget(self.canvas, 3)
        layout.addWidget(self.panel, 2)
        self.window.resize(*size)
        self.offscreen = offscreen
        self.refresh_hz = float(refresh_hz)
        self.window.show()  # offscreen QPA: shown into no screen, so layouts are computed
        self.process_events()

    def present(self, scene: Any) -> float:
        self.canvas.set_scene(scene)
        self.panel.update()
        if not self.offscreen:
            self.canvas.repaint()
            self.panel.repaint()
            self.process_events()
        return float(self.clock.now())

    def poll(self) -> list:
        """Only Esc is passed on (the agent plays; the viewer can quit)."""
        self.process_events()
        return [e for e in self.canvas.take_events() if getattr(e, "key", None) == "escape"]

    def grab(self) -> QImage:
        return self.window.grab().toImage()

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        self.process_events()

    def info(self) -> dict[str, Any]:
        return {"backend": "qt", "refresh_hz": self.refresh_hz, "headless": self.offscreen}

    def process_events(self) -> None:
        """Let Qt handle pending window events (the frame loop calls it between frames)."""
        app = QApplication.instance()
        if app is not None:
            app.processEvents()


class FrameSaver:
    """A runner source that keeps the panel's trial results and phase up to date and, given a
    folder, saves a PNG of the window at every new step and phase change (every frame with ``every_frame``)."""

    def __init__(self, display: AgentDemoDisplay, folder: str | Path | None, every_frame: bool = False, max_frames: int = 5000) -> None:
        self.display = display
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self.every_frame = every_frame
        self.max_frames = max_frames
        self.saved: list[Path] = []
        self._last: tuple | None = None

    def poll(self, now: float) -> list:
        return []

    def on_frame(self, runner: Any, frame: Any) -> None:
        panel = self.display.panel
        panel.phase_text = "" if frame.phase == "trial" else frame.phase
        if runner.rows and len(panel.results) != len(runner.rows):
            panel.results = [int(r.get("correct") or 0) for r in runner.rows]
        key = (frame.phase, frame.trial, frame.step)
        if self.folder is None or (key == self._last and not self.every_frame) or len(self.saved) >= self.max_frames:
            return
        self._last = key
        path = self.folder / f"frame_{len(self.saved):05d}.png"
        self.display.grab().save(str(path))
        self.saved.append(path)
