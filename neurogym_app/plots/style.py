"""Shared look of the app's pyqtgraph plots: colours, a plot factory, period colours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PyQt6.QtGui import QColor, QFont  # noqa: F401  (binds pyqtgraph to PyQt6)

__all__ = [
    "KIND_COLORS",
    "SERIES_COLORS",
    "OUTCOME_COLORS",
    "period_color",
    "series_color",
    "configure",
    "style_plot",
    "qcolor",
    "bars",
    "set_bars",
    "fit_axis_width",
    "sync_axis_widths",
]

#: one colour per player kind (Compare view)
KIND_COLORS = {"human": (31, 119, 180), "agent": (255, 127, 14), "simulated": (44, 160, 44), "?": (120, 120, 120)}
SERIES_COLORS = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
OUTCOME_COLORS = {
    "correct": (50, 160, 70),
    "wrong": (210, 50, 40),
    "too early": (230, 150, 30),
    "too late": (150, 150, 150),
}
_PERIOD_COLORS = (
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (219, 219, 141),
    (158, 218, 229),
    (199, 199, 199),
)
_period_index: dict[str, int] = {}

_configured = False


def configure() -> None:
    """Global pyqtgraph options for the app (white background, antialiasing); idempotent."""
    global _configured
    if _configured:
        return
    _configured = True
    # image axis order is set per ImageItem (axisOrder="row-major"), not globally: other code may rely on the default
    pg.setConfigOptions(antialias=True, background="w", foreground=(40, 40, 40))


def qcolor(rgb: Sequence[int], alpha: int = 255) -> QColor:
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]), int(alpha))


def period_color(name: str) -> tuple[int, int, int]:
    """A stable colour per period name (the same in every plot of a run of the app)."""
    common = {"fixation": 0, "stimulus": 1, "delay": 2, "decision": 3}
    if name in common:
        return _PERIOD_COLORS[common[name]]
    idx = _period_index.get(name)
    if idx is None:
        idx = _period_index[name] = 4 + len(_period_index) % (len(_PERIOD_COLORS) - 4)
    return _PERIOD_COLORS[idx]


def series_color(i: int) -> tuple[int, int, int]:
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def style_plot(plot: Any, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    """Title, axis labels and a light grid on a PlotItem / PlotWidget."""
    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    if title:
        item.setTitle(title, size="10pt")
    if xlabel:
        item.setLabel("bottom", xlabel)
    if ylabel:
        item.setLabel("left", ylabel)
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setMenuEnabled(False)
    for name in ("left", "bottom"):
        ax = item.getAxis(name)
        ax.setTextPen(pg.mkPen((60, 60, 60)))
        ax.setPen(pg.mkPen((120, 120, 120)))
        # no SI prefixes: they re-render the axis label (setHtml) on every range change
        ax.enableAutoSIPrefix(False)


def bars() -> Any:
    """An empty BarGraphItem (fill it with :func:`set_bars`)."""
    return pg.BarGraphItem(x0=[], x1=[], y0=[], y1=[], brushes=[], pen=None, pens=None)


def set_bars(item: Any, x0: Any, x1: Any, y0: Any, y1: Any, brushes: Sequence[Any], pen: Any = None) -> None:
    """Set the rectangles of a BarGraphItem; one shared ``pen`` (pyqtgraph fails on an empty ``pens`` list)."""
    import numpy as np

    item.setOpts(
        x0=np.asarray(x0, dtype=float), x1=np.asarray(x1, dtype=float),
        y0=np.asarray(y0, dtype=float), y1=np.asarray(y1, dtype=float),
        brushes=list(brushes), pen=pen, pens=None,
    )


def fit_axis_width(plot: Any, labels: Sequence[str], axis: str = "left", minimum: int = 50, maximum: int = 220) -> None:
    """Widen a vertical axis so its longest tick label fits (pyqtgraph drops labels that do not)."""
    from PyQt6.QtGui import QFontMetrics

    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    ax = item.getAxis(axis)
    font = ax.style.get("tickFont") or ax.font()
    metrics = QFontMetrics(font)
    width = max((metrics.horizontalAdvance(str(t)) for t in labels), default=0) + 18
    label_w = 22 if ax.label.isVisible() and ax.labelText else 0
    ax.setWidth(int(min(max(width + label_w, minimum), maximum)))


def sync_axis_widths(plots: Sequence[Any], axis: str = "left") -> None:
    """Give x-linked plots the same vertical-axis width, so their x axes line up."""
    axes = [(p.getPlotItem() if hasattr(p, "getPlotItem") else p).getAxis(axis) for p in plots]
    width = max((ax.fixedWidth or ax.width() or 0) for ax in axes) if axes else 0
    for ax in axes:
        ax.setWidth(int(width))
