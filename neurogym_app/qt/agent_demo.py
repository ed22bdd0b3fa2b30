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

__all__ = ["ActivityPanel", "AgentDemoDisplay", "ClipRecorder", "FrameSaver"]

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

    def __init__(self, source: AgentSource, keymap: Any, title: str = "", n_actions: int | None = None,
                 parent: QWidget | None = None, subtitle: str = "") -> None:
        super().__init__(parent)
        self.source = source
        self.keymap = keymap
        self.title = title
        self.subtitle = subtitle
        self.phase = "idle"
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

    def _fit(self, text: str, width: float, size: int, bold: bool = False, minimum: int = 10) -> QFont:
        """The largest font from ``size`` down to ``minimum`` px in which ``text`` fits ``width``."""
        font = QFont()
        font.setBold(bold)
        for px in range(size, minimum - 1, -1):
            font.setPixelSize(px)
            if QFontMetrics(font).horizontalAdvance(text) <= width:
                break
        return font

    def _text(self, p: QPainter, x: float, y: float, w: float, text: str, size: int, bold: bool = False,
              colour: QColor | None = None) -> float:
        """Draw one line fitted to ``w`` (shrunk, then elided if it still does not fit); return the next y."""
        font = self._fit(text, w, size, bold)
        p.setFont(font)
        p.setPen(colour or QColor(30, 30, 30))
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(w))
        h = font.pixelSize() + 6
        p.drawText(QRectF(x, y, w, h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
        return y + h

    @staticmethod
    def _value(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:g}"
        if isinstance(v, (list, tuple, np.ndarray)):
            return "[" + ", ".join(f"{float(x):g}" for x in np.ravel(v)[:4]) + (", ..." if np.size(v) > 4 else "") + "]"
        return str(v)

    def _paint(self, p: QPainter) -> None:
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, BG)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pad = 14
        inner = w - 2 * pad
        y = self._text(p, pad, 4, inner, self.title, 17, bold=True)
        if self.subtitle:
            y = self._text(p, pad, y, inner, self.subtitle, 12, colour=QColor(90, 90, 90))
        src = self.source
        trial = src.current
        latest = src.latest
        acc = f"{np.mean(self.results):.0%} of {len(self.results)}" if self.results else "-"
        if trial is not None:
            shown = "   ".join(f"{k} = {self._value(v)}" for k, v in trial.shown_vars.items())
            y = self._text(p, pad, y + 4, inner, f"Trial {trial.index + 1}:  {shown}", 14, bold=True)
            y = self._text(p, pad, y, inner, f"correct answer: {trial.correct_label or '-'}", 14, colour=QColor(44, 130, 44))
            if trial.choice_label is not None and src.reveal(self.phase):
                conf = f" (p = {trial.choice_p:.2f})" if trial.choice_p is not None else ""
                verdict = ""
                if trial.correct_label not in (None, "no response"):
                    verdict = ": correct" if trial.choice_label == trial.correct_label else ": wrong"
                text, colour = f"network chose: {trial.choice_label}{conf}{verdict}", QColor(230, 110, 10)
            elif not src.reveal(self.phase):
                text, colour = "network's choice: shown after your response", QColor(120, 120, 120)
            else:
                text, colour = "network chose: nothing yet", QColor(120, 120, 120)
            y = self._text(p, pad, y, inner, text, 14, bold=True, colour=colour)
            step_text = f"step {latest.step + 1}/{trial.n_steps}, period: {latest.period or '-'}" if latest is not None else ""
            y = self._text(p, pad, y, inner, f"{step_text}   network correct so far: {acc}" + (f"   [{self.phase_text}]" if self.phase_text else ""), 12)
        else:
            y = self._text(p, pad, y + 4, inner, f"waiting for the first step   correct so far: {acc}", 12)

        # --- hidden activity: the previous trial, then the whole current trial (filled as it runs)
        top = y + 6
        map_h = max(80, int(h * 0.42))
        self._text(p, pad, top, inner, "hidden activity: units x steps (previous trial | this trial; blue < 0 < red)", 12)
        rect = QRectF(pad, top + 20, inner, map_h - 44)
        p.setPen(QPen(QColor(160, 160, 160)))
        p.drawRect(rect)
        cols, start = src.trial_columns()
        hidden = [c[2].hidden for c in cols if c[2] is not None and c[2].hidden is not None]
        n_cols = max(len(cols), 1)
        if hidden:
            units = len(hidden[0])
            full = np.full((units, n_cols, 3), 235, dtype=np.uint8)
            scale = max(1e-6, float(np.percentile(np.abs(np.stack(hidden)), 98)))
            for i, (_, _, step) in enumerate(cols):
                if step is not None and step.hidden is not None and len(step.hidden) == units:
                    full[:, i] = _diverging(step.hidden / scale)
            qimg = QImage(np.ascontiguousarray(full).data, n_cols, units, 3 * n_cols, QImage.Format.Format_RGB888).copy()
            p.drawImage(rect, qimg)
        cell = rect.width() / n_cols
        if start > 0:
            p.setPen(QPen(QColor(20, 20, 20), 2))
            p.drawLine(int(rect.left() + start * cell), int(rect.top()), int(rect.left() + start * cell), int(rect.bottom()))
        # period strip under the map (the current trial's planned periods shown ahead)
        names: list[str] = []
        strip = QRectF(rect.left(), rect.bottom() + 3, rect.width(), 10)
        for i, (trial_i, k, _) in enumerate(cols):
            p.fillRect(QRectF(strip.left() + i * cell, strip.top(), cell + 0.5, strip.height()), self._period_colour(trial_i.period_of(k), names))
        x = rect.left()
        small = QFont()
        small.setPixelSize(12)
        p.setFont(small)
        for name in names:
            colour = self._period_colour(name, names)
            p.fillRect(QRectF(x, strip.bottom() + 4, 10, 10), colour)
            p.setPen(QColor(60, 60, 60))
            p.drawText(QRectF(x + 13, strip.bottom() + 1, 120, 16), Qt.AlignmentFlag.AlignLeft, name)
            x += 18 + QFontMetrics(small).horizontalAdvance(name)

        # --- action probabilities
        top2 = rect.bottom() + 34
        self._text(p, pad, top2, inner, "action probabilities now (filled: chosen; green outline: correct)", 12)
        reveal = src.reveal(self.phase)
        probs = latest.probs if latest is not None and reveal else None
        n = len(latest.probs) if latest is not None and latest.probs is not None else (self.n_actions or 0)
        if n:
            bar_area = QRectF(pad + 80, top2 + 22, w - 2 * pad - 130, h - top2 - 30)
            row_h = min(30.0, bar_area.height() / n)
            for a in range(n):
                yy = bar_area.top() + a * row_h
                label = self.keymap.label(a) if self.keymap is not None else str(a)
                p.setFont(small)
                p.setPen(QColor(40, 40, 40))
                p.drawText(QRectF(pad, yy, 76, row_h - 4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{label}")
                p.setPen(QPen(QColor(180, 180, 180)))
                p.drawRect(QRectF(bar_area.left(), yy + 3, bar_area.width(), row_h - 8))
                if probs is not None:
                    chosen = np.array_equal(np.asarray(latest.action), a)
                    colour = QColor(255, 127, 14) if chosen else QColor(150, 150, 150)
                    p.fillRect(QRectF(bar_area.left(), yy + 3, bar_area.width() * float(probs[a]), row_h - 8), colour)
                    p.setPen(QColor(40, 40, 40))
                    p.drawText(QRectF(bar_area.right() + 4, yy, 46, row_h - 4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{probs[a]:.2f}")
                    if latest.gt is not None and np.array_equal(np.asarray(latest.gt), a):
                        p.setPen(QPen(QColor(44, 160, 44), 2.5))
                        p.drawRect(QRectF(bar_area.left() - 2, yy + 1, bar_area.width() + 4, row_h - 4))


class AgentDemoDisplay:
    """The runner's Display on the demo window (stimulus canvas + activity panel)."""

    backend = "qt"
    blocks_on_flip = False

    def __init__(self, clock: Any, source: AgentSource, keymap: Any, *, title: str = "", size: tuple[int, int] = (1280, 600),
                 offscreen: bool = False, refresh_hz: float = 60.0, n_actions: int | None = None, subtitle: str = "",
                 student: bool = False) -> None:
        self.app = ensure_app()
        self.clock = clock
        self.window = QWidget()
        self.window.setWindowTitle(f"neurogym-app demo: {title}")
        layout = QHBoxLayout(self.window)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.canvas = FitCanvas(clock=clock)
        self.panel = ActivityPanel(source, keymap, title=title, n_actions=n_actions, subtitle=subtitle)
        self.student = student
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
        """A student's keys are passed on; when the agent plays, only Esc (the viewer can quit)."""
        self.process_events()
        events = self.canvas.take_events()
        if self.student:
            return events
        return [e for e in events if getattr(e, "key", None) == "escape"]

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
        panel.phase = frame.phase
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


class ClipRecorder:
    """A runner source that films the demo window at ``fps`` frames per second of the demo's clock
    and writes them as a GIF or MP4 (``neurogym-app demo --record FILE.gif|FILE.mp4``, for slides).

    Frames are scaled to ``width`` pixels wide; GIFs loop. Writing needs ``imageio`` (GIF, via
    Pillow) and ``imageio-ffmpeg`` (MP4): ``pip install 'neurogym-app[media]'``.
    """

    FORMATS = (".gif", ".mp4")

    def __init__(self, display: AgentDemoDisplay, path: str | Path, fps: float = 10.0, width: int = 960,
                 max_frames: int = 3000) -> None:
        self.display = display
        self.path = Path(path)
        if self.path.suffix.lower() not in self.FORMATS:
            raise ValueError(f"--record {self.path}: give a .gif or .mp4 file name")
        if not fps > 0:
            raise ValueError(f"--fps must be > 0, got {fps}")
        self.fps = float(fps)
        self.width = int(width)
        self.max_frames = max_frames
        self.frames: list[np.ndarray] = []
        self._next_t: float | None = None

    def poll(self, now: float) -> list:
        return []

    def on_frame(self, runner: Any, frame: Any) -> None:
        if len(self.frames) >= self.max_frames:
            return
        if self._next_t is not None and frame.onset < self._next_t:
            return
        self._next_t = frame.onset + 1.0 / self.fps if self._next_t is None else self._next_t + 1.0 / self.fps
        img = self.display.grab()
        if img.width() > self.width:
            img = img.scaledToWidth(self.width, Qt.TransformationMode.SmoothTransformation)
        img = img.convertToFormat(QImage.Format.Format_RGB888)
        ptr = img.constBits()
        ptr.setsize(img.sizeInBytes())
        rows = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())
        self.frames.append(rows[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy())

    def write(self) -> Path:
        """Write the frames; returns the file."""
        if not self.frames:
            raise ValueError("no frames were recorded")
        try:
            import imageio.v2 as imageio
        except ImportError as exc:
            raise ImportError(f"--record needs imageio: pip install 'neurogym-app[media]' ({exc})") from None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.suffix.lower() == ".gif":
            imageio.mimsave(self.path, self.frames, duration=1000.0 / self.fps, loop=0)
        else:
            try:
                import imageio_ffmpeg  # noqa: F401 (the MP4 writer)
            except ImportError as exc:
                raise ImportError(f"--record FILE.mp4 needs imageio-ffmpeg: pip install 'neurogym-app[media]' ({exc})") from None
            h, w = self.frames[0].shape[:2]
            frames = [f[: h - h % 2, : w - w % 2] for f in self.frames]  # H.264 wants even sizes
            imageio.mimsave(self.path, frames, fps=self.fps, codec="libx264", quality=7, macro_block_size=1)
        return self.path
