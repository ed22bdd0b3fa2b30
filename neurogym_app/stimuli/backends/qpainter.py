"""Draw a Scene with QPainter (adapter: imports PyQt6).

``render_scene(scene, painter_or_size, geometry)`` paints into an active
QPainter (a widget, a QImage) or, given a ``(width, height)``, into a new
QImage it returns. ``render_to_image(scene, size)`` gives an ``(H, W, 3)``
uint8 array for tests, screenshots and offscreen use.

Patches are blitted from ``scene.patch_raster`` (numpy), so the PsychoPy
backend shows the same pixels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

try:
    from PyQt6.QtCore import QPointF, QRectF, Qt
    from PyQt6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
except ImportError as exc:  # pragma: no cover - PyQt6 is a core dependency
    raise ImportError("the QPainter backend needs PyQt6: pip install pyqt6") from exc

from neurogym_app.stimuli.scene import (
    CAPTION_PX,
    Bar,
    Dot,
    DotField,
    FixationPoint,
    Geometry,
    Image,
    Patch,
    Scene,
    Text,
    image_rgb,
    patch_raster,
)

__all__ = ["render_scene", "render_to_image", "save_png", "qimage_to_array", "array_to_qimage", "ensure_app", "CAPTION_PX"]

_APP: Any = None


def ensure_app() -> Any:
    """The running QApplication, created (offscreen-capable) if there is none.

    QPainter needs a QGuiApplication for fonts; a QApplication also serves
    widgets, so that is what we create.
    """
    from PyQt6.QtWidgets import QApplication

    global _APP
    app = QApplication.instance()
    if app is None:
        app = QApplication([])
        _APP = app  # keep it alive: a collected QApplication takes the fonts with it
    return app


def _qcolor(c: tuple[int, int, int], opacity: float = 1.0) -> QColor:
    col = QColor(int(c[0]), int(c[1]), int(c[2]))
    if opacity < 1.0:
        col.setAlphaF(max(0.0, min(1.0, float(opacity))))
    return col


def array_to_qimage(arr: np.ndarray) -> QImage:
    """An ``(H, W, 3|4)`` uint8 array as a QImage (copied, so it owns its data)."""
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[:2]
    if arr.shape[2] == 4:
        fmt = QImage.Format.Format_RGBA8888
    else:
        fmt = QImage.Format.Format_RGB888
    # PyQt6's stub says `bytes`; QImage takes any buffer (here the array's, without a copy)
    img = QImage(arr.data, w, h, int(arr.strides[0]), fmt)  # type: ignore[call-overload]
    return img.copy()


def qimage_to_array(img: QImage) -> np.ndarray:
    """A QImage as ``(H, W, 3)`` uint8 RGB."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    # PyQt6's stub gives sip.voidptr no buffer protocol, though it has one (numpy reads it without a copy)
    buf = np.frombuffer(ptr, dtype=np.uint8).reshape(h, img.bytesPerLine())  # type: ignore[call-overload]
    return buf[:, : w * 3].reshape(h, w, 3).copy()


class _Painter:
    """Draws scene items with one painter at one scale."""

    def __init__(self, painter: QPainter, scene: Scene, geometry: Geometry, size: tuple[int, int]):
        self.p = painter
        self.scene = scene
        self.size = size
        self.s = geometry.scale(scene.units)
        self.cx = size[0] / 2.0
        self.cy = size[1] / 2.0

    def pt(self, x: float, y: float) -> QPointF:
        return QPointF(self.cx + x * self.s, self.cy - y * self.s)

    def px(self, v: float) -> float:
        return float(v) * self.s

    # -- items
    def fixation(self, f: FixationPoint) -> None:
        p, c = self.p, self.pt(f.x, f.y)
        size = max(self.px(f.size), 2.0)
        col = _qcolor(f.color, f.opacity)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(col))
        if f.shape == "dot":
            p.drawEllipse(c, size / 2, size / 2)
        elif f.shape == "square":
            p.drawRect(QRectF(c.x() - size / 2, c.y() - size / 2, size, size))
        else:
            lw = max(self.px(f.line_width) if f.line_width else size / 5.0, 1.0)
            path = QPainterPath()
            path.addRect(QRectF(c.x() - size / 2, c.y() - lw / 2, size, lw))
            path.addRect(QRectF(c.x() - lw / 2, c.y() - size / 2, lw, size))
            path.setFillRule(Qt.FillRule.WindingFill)
            p.drawPath(path.simplified())

    def dot(self, d: Dot) -> None:
        p, c = self.p, self.pt(d.x, d.y)
        size = max(self.px(d.size), 1.0)
        col = _qcolor(d.color, d.opacity)
        if d.fill:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(col))
        else:
            pen = QPen(col)
            pen.setWidthF(max(self.px(d.line_width), 1.0))
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
        r = size / 2
        if d.shape == "circle":
            p.drawEllipse(c, r, r)
        elif d.shape == "square":
            p.drawRect(QRectF(c.x() - r, c.y() - r, size, size))
        elif d.shape == "triangle":
            h = size * math.sqrt(3) / 2
            p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - h * 2 / 3), QPointF(c.x() - r, c.y() + h / 3), QPointF(c.x() + r, c.y() + h / 3)]))
        else:  # diamond
            p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()), QPointF(c.x(), c.y() + r), QPointF(c.x() - r, c.y())]))

    def bar(self, b: Bar) -> None:
        p = self.p
        w, h = self.px(b.width), self.px(b.height)
        c = self.pt(b.x, b.y)
        left, top = c.x() - w / 2, c.y() - h / 2
        bottom = top + h
        zero_y = bottom - b.zero_fraction * h
        val_y = bottom - b.value_fraction * h
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(_qcolor(b.color)))
        y0, y1 = sorted((zero_y, val_y))
        if y1 - y0 > 0:
            p.drawRect(QRectF(left, y0, w, y1 - y0))
        pen = QPen(_qcolor(b.outline))
        pen.setWidthF(max(1.0, w / 25))
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(left, top, w, h))
        p.drawLine(QPointF(left - w * 0.15, zero_y), QPointF(left + w * 1.15, zero_y))
        if b.clipped:
            tip = top - w * 0.4 if b.clipped > 0 else bottom + w * 0.4
            base = top if b.clipped > 0 else bottom
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(_qcolor(b.color)))
            p.drawPolygon(QPolygonF([QPointF(left, base), QPointF(left + w, base), QPointF(left + w / 2, tip)]))

    def patch(self, patch: Patch) -> None:
        raster = patch_raster(patch, self.s, self.scene.background)
        n = raster.shape[0]
        c = self.pt(patch.x, patch.y)
        img = array_to_qimage(raster)
        self.p.drawImage(QRectF(c.x() - n / 2, c.y() - n / 2, n, n), img)

    def text(self, t: Text, pixel_size: float | None = None) -> None:
        p = self.p
        size_px = pixel_size if pixel_size is not None else self.px(t.size)
        font = QFont(p.font())
        font.setPixelSize(max(1, int(round(size_px))))
        font.setBold(t.bold)
        p.setFont(font)
        p.setPen(QPen(_qcolor(t.color)))
        lines = t.text.split("\n")
        line_h = size_px * 1.3
        c = self.pt(t.x, t.y) if pixel_size is None else QPointF(t.x, t.y)
        total = line_h * len(lines)
        top = c.y() - total / 2
        flags = {
            "center": Qt.AlignmentFlag.AlignHCenter,
            "left": Qt.AlignmentFlag.AlignLeft,
            "right": Qt.AlignmentFlag.AlignRight,
        }[t.align] | Qt.AlignmentFlag.AlignVCenter
        width = max(self.size[0] * 2.0, 10.0)
        for i, line in enumerate(lines):
            y = top + i * line_h
            if t.align == "center":
                rect = QRectF(c.x() - width / 2, y, width, line_h)
            elif t.align == "left":
                rect = QRectF(c.x(), y, width, line_h)
            else:
                rect = QRectF(c.x() - width, y, width, line_h)
            p.drawText(rect, int(flags.value), line)

    def image(self, im: Image) -> None:
        arr = image_rgb(im.data)
        qimg = array_to_qimage(arr)
        w, h = self.px(im.width), self.px(im.height)
        c = self.pt(im.x, im.y)
        p = self.p
        p.save()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, bool(im.smooth))
        p.drawImage(QRectF(c.x() - w / 2, c.y() - h / 2, w, h), qimg)
        p.restore()

    def dotfield(self, d: DotField) -> None:
        p = self.p
        if d.show_aperture:
            pen = QPen(_qcolor(d.aperture_color))
            pen.setWidthF(1.0)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            r = self.px(d.aperture)
            p.drawEllipse(self.pt(d.x, d.y), r, r)
        size = max(self.px(d.dot_size), 1.0)
        for color, pos in d.groups():
            pen = QPen(_qcolor(color))
            pen.setWidthF(size)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            xs = self.cx + pos[:, 0] * self.s
            ys = self.cy - pos[:, 1] * self.s
            p.drawPoints(QPolygonF([QPointF(float(x), float(y)) for x, y in zip(xs, ys)]))

    def caption(self) -> None:
        if not self.scene.caption:
            return
        t = Text(self.scene.caption, self.size[0] / 2.0, self.size[1] - CAPTION_PX * 1.4, color=self.scene.caption_color)
        self.text(t, pixel_size=CAPTION_PX)

    def draw(self) -> None:
        p = self.p
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.fillRect(QRectF(0, 0, self.size[0], self.size[1]), _qcolor(self.scene.background))
        for item in self.scene.flat_items():
            if isinstance(item, Patch):
                self.patch(item)
            elif isinstance(item, DotField):
                self.dotfield(item)
            elif isinstance(item, FixationPoint):
                self.fixation(item)
            elif isinstance(item, Dot):
                self.dot(item)
            elif isinstance(item, Bar):
                self.bar(item)
            elif isinstance(item, Text):
                self.text(item)
            elif isinstance(item, Image):
                self.image(item)
        self.caption()
        p.restore()


def render_scene(scene: Scene, painter_or_size: Any, geometry: Geometry | None = None) -> QImage | None:
    """Draw ``scene`` with QPainter.

    ``painter_or_size``: an active ``QPainter`` (draws on its device, sized
    from the device) or ``(width, height)`` (draws on a new RGB QImage and
    returns it). ``geometry`` gives pixels per degree (default ``Geometry()``).
    """
    geometry = geometry or Geometry()
    if isinstance(painter_or_size, QPainter):
        dev = painter_or_size.device()
        size = (dev.width(), dev.height()) if dev is not None else geometry.size
        _Painter(painter_or_size, scene, geometry, size).draw()
        return None
    w, h = (int(v) for v in painter_or_size)
    ensure_app()
    img = QImage(w, h, QImage.Format.Format_RGB32)
    painter = QPainter(img)
    try:
        _Painter(painter, scene, geometry, (w, h)).draw()
    finally:
        painter.end()
    return img


def render_to_image(scene: Scene, size: tuple[int, int] = (800, 600), geometry: Geometry | None = None) -> np.ndarray:
    """``scene`` drawn offscreen at ``size = (width, height)``: an ``(H, W, 3)`` uint8 array."""
    img = render_scene(scene, size, geometry)
    assert img is not None
    return qimage_to_array(img)


def save_png(scene: Scene, path: Any, size: tuple[int, int] = (800, 600), geometry: Geometry | None = None) -> None:
    """Draw ``scene`` offscreen and write it to ``path`` as a PNG."""
    img = render_scene(scene, size, geometry)
    assert img is not None
    if not img.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
