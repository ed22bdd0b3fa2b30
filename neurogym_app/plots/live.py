"""Live plots of a session: accuracy, RT histogram, psychometric/chronometric curves, timeline.

Every plot creates its pyqtgraph items once and changes them with ``setData``
/ ``setOpts`` in ``update_from(...)``; the plots hold no session logic (they
read a :class:`~neurogym_app.analysis.trial_table.TrialTable` or a
:class:`~neurogym_app.analysis.trial_table.TimelineModel`). Throttling is the
caller's job (the Play view redraws at most every 100 ms).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPainter, QPicture
from PyQt6.QtWidgets import QGraphicsItem, QLabel

from neurogym_app.analysis.trial_table import Curve, TimelineModel, TrialTable
from neurogym_app.plots.steps import stairs
from neurogym_app.plots.style import (
    KIND_COLORS,
    OUTCOME_COLORS,
    bars,
    configure,
    period_color,
    qcolor,
    series_color,
    set_bars,
    style_plot,
)

__all__ = ["AccuracyPlot", "RTHistogramPlot", "CurvePlot", "ConditionPlot", "TimelinePlot"]


def _pen(rgb: Sequence[int], width: float = 1.5, alpha: int = 255, style: Any = None) -> Any:
    pen = pg.mkPen(qcolor(rgb, alpha), width=width)
    if style is not None:
        pen.setStyle(style)
    return pen


def _show_text(item: Any, text: str, x: float, y: float) -> None:
    """Show a TextItem at (x, y), touching only what changed (a new text re-lays out the item)."""
    if item.toPlainText() != text:
        item.setText(text)
    pos = item.pos()
    if pos.x() != x or pos.y() != y:
        item.setPos(x, y)
    if not item.isVisible():
        item.setVisible(True)


def cache_static_parts(plot: Any) -> None:
    """Paint the axes, title and legend from a pixmap while they do not change.

    Axis text dominates a plot's repaint (pyqtgraph replays each axis's
    QPicture of tick labels on every repaint, ~1-5 ms each); with a device
    cache an unchanged axis is one pixmap copy, and a changed one is redrawn once.
    """
    item = plot.getPlotItem()
    mode = QGraphicsItem.CacheMode.DeviceCoordinateCache
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        if axis is not None:
            axis.setCacheMode(mode)
    item.titleLabel.setCacheMode(mode)
    legend = getattr(item, "legend", None)
    if legend is not None:
        legend.setCacheMode(mode)


def stepped_range(lo: float, hi: float, current: tuple[float, float] | None, pad: float = 0.06) -> tuple[float, float]:
    """A view range holding ``lo..hi`` that changes in steps, not with every new point.

    ``current`` is kept while it holds the data and the data fill at least half
    of it; otherwise the new range is the data padded by ``pad`` of their span,
    its ends rounded out to a twentieth of a round span. An unchanged range
    leaves the axes cached; a new one re-renders their labels and grid (~2 ms).
    """
    if current is not None and current[0] <= lo and hi <= current[1] and hi - lo >= 0.5 * (current[1] - current[0]):
        return current
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    step = 10.0 ** np.floor(np.log10(span)) / 20.0
    return float(np.floor((lo - pad * span) / step) * step), float(np.ceil((hi + pad * span) / step) * step)


def render_axis(axis: Any) -> None:
    """Lay out an axis whose range changed (tick values, labels, grid lines) into its picture now.

    pyqtgraph does this inside the next repaint (~1.5 ms of Python per axis);
    done as a step of its own, that repaint only replays the picture.
    """
    if axis.picture is not None:
        return
    picture = QPicture()
    painter = QPainter(picture)
    try:
        if axis.style["tickFont"]:
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)
        if specs is not None:
            axis.drawPicture(painter, *specs)
    finally:
        painter.end()
    axis.picture = picture


class _Base(pg.PlotWidget):
    def __init__(self, title: str, xlabel: str, ylabel: str, parent: Any = None) -> None:
        configure()
        super().__init__(parent=parent)
        style_plot(self, title, xlabel, ylabel)
        self.setMinimumSize(220, 160)
        self._empty = pg.TextItem("no trials yet", color=(140, 140, 140), anchor=(0.5, 0.5))
        self._empty.setZValue(10)
        self.addItem(self._empty, ignoreBounds=True)
        self.paint_ms = 0.0  # how long the last repaint took (the Play view's redraw budget reads it)
        self.note = QLabel(self)  # a sentence over the plot instead of a meaningless curve (see set_note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a4b00; background: rgba(255,255,255,215); padding: 2px; font-size: 8pt;")
        self.note.setVisible(False)
        cache_static_parts(self)

    def _other_item(self, key: str, table: TrialTable | None, legend: str | None, force: bool = False, **opts: Any) -> Any:
        """The curve of another player's series ``key`` (made on first use); None when ``table`` has no trial."""
        others = self.__dict__.setdefault("others", {})
        item = others.get(key)
        if item is None:
            if table is None and not force:
                return None
            item = others[key] = pg.PlotDataItem(**opts)
            self.addItem(item)
            if legend:
                self.getPlotItem().legend.addItem(item, legend)
        if not force and (table is None or len(table) == 0):
            item.setData([], [])
            return None
        return item

    def set_labels(self, xlabel: str | None, ylabel: str | None) -> None:
        """Axis labels, set only when they change (a new label re-renders the axis)."""
        for name, text in (("bottom", xlabel), ("left", ylabel)):
            axis = self.getPlotItem().getAxis(name)
            if text is not None and axis.labelText != text:
                self.setLabel(name, text)

    def set_note(self, text: str | None) -> None:
        """Show ``text`` in a box at the bottom of the plot (None hides it)."""
        if not text:
            if self.note.isVisible():
                self.note.setVisible(False)
            return
        if self.note.text() != text:
            self.note.setText(text)
        self.note.setGeometry(70, 26, max(80, self.width() - 80), 38)
        if not self.note.isVisible():
            self.note.setVisible(True)

    def render_steps(self) -> list[tuple[str, Any]]:
        """The work left before a cheap repaint after a data change: one step per axis to lay out."""
        item = self.getPlotItem()
        axes = [item.getAxis(name) for name in ("bottom", "left")]
        return [(f"axis.{a.orientation}", lambda a=a: render_axis(a)) for a in axes if a.isVisible() and a.picture is None]

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt naming)
        t0 = time.perf_counter()
        super().paintEvent(event)
        self.paint_ms = (time.perf_counter() - t0) * 1000.0

    def _show_empty(self, empty: bool, text: str | None = None) -> None:
        if text is not None:
            self._empty.setText(text)
        self._empty.setVisible(empty)
        if empty:
            vb = self.getPlotItem().getViewBox()
            (x0, x1), (y0, y1) = vb.viewRange()
            self._empty.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    def show_message(self, text: str) -> None:
        """Show ``text`` in place of the data until the next data arrives."""
        self._show_empty(True, text)


class AccuracyPlot(_Base):
    """Running accuracy over a moving window, and accuracy per block (horizontal segments)."""

    def __init__(self, window: int = 20, parent: Any = None) -> None:
        super().__init__("Accuracy", "trial", "accuracy", parent)
        self.window = window
        self.setYRange(0, 1.05, padding=0)
        self.chance = pg.InfiniteLine(0.5, angle=0, pen=_pen((150, 150, 150), 1, style=Qt.PenStyle.DashLine))
        self.addItem(self.chance, ignoreBounds=True)
        self.blocks = pg.PlotDataItem(pen=_pen((110, 110, 110), 3, alpha=150), connect="finite")
        self.running = pg.PlotDataItem(pen=_pen((31, 119, 180), 2))
        self.addItem(self.blocks)
        self.addItem(self.running)
        # after addItem (PlotItem.addItem applies the plot's own settings): draw at most ~2 points per pixel
        self.running.setDownsampling(auto=True, method="peak")
        self.running.setClipToView(True)
        self.legend = self.getPlotItem().addLegend(offset=(-5, -5), labelTextSize="8pt", brush=(255, 255, 255, 200))
        self.legend.addItem(self.running, f"last {window} trials")
        self.legend.addItem(self.blocks, "per block")
        self.getPlotItem().getViewBox().setMouseEnabled(y=False)
        self.getPlotItem().getViewBox().setLimits(yMin=-0.05, yMax=1.1)
        self._x_hi = 0  # the last trial number the x range shows
        self.others: dict[str, Any] = {}
        self._show_empty(True)

    def set_color(self, rgb: Sequence[int]) -> None:
        """The colour of the session's own running accuracy (its player kind's)."""
        if tuple(rgb) != getattr(self, "_color", None):
            self._color = tuple(rgb)
            self.running.setPen(_pen(rgb, 2))
            self.blocks.setPen(_pen(rgb, 4, alpha=90))

    def set_other(self, key: str, table: TrialTable | None, color: Sequence[int] = (255, 127, 14), width: float = 2.0,
                  alpha: int = 255, legend: str | None = None) -> None:
        """Another player's running accuracy (an agent facing the same trials); None hides it."""
        item = self._other_item(key, table, legend, pen=_pen(color, width, alpha))
        if item is not None:
            self.set_other_values(key, table.running_accuracy(self.window))

    def set_other_values(self, key: str, acc: np.ndarray, color: Sequence[int] = (255, 127, 14), width: float = 2.0,
                         legend: str | None = None) -> None:
        """Another series of running accuracy values, one per trial (e.g. the mean over several agents)."""
        item = self.others.get(key)
        if item is None:
            item = self._other_item(key, None, legend, force=True, pen=_pen(color, width))
        n = len(acc)
        item.setData(np.arange(1, n + 1, dtype=float), acc, connect="finite", antialias=n < 2000)

    def update_from(self, table: TrialTable) -> None:
        n = len(table)
        if n == 0:
            self.running.setData([], [])
            self.blocks.setData([], [])
            self._show_empty(True)
            return
        acc = table.running_accuracy(self.window)
        x = np.arange(1, n + 1, dtype=float)
        # antialiased lines through thousands of jagged points cost ~10x more to paint: drop it for long sessions
        self.running.setData(x, acc, connect="finite", antialias=n < 2000)
        b = table.block_accuracy()
        bx = np.empty(2 * b.blocks.size)
        by = np.empty(2 * b.blocks.size)
        bx[0::2], bx[1::2] = b.start + 0.5, b.end + 0.5
        by[0::2] = by[1::2] = b.accuracy
        self.blocks.setData(bx, by)
        # the x range grows in steps (a tenth more trials of headroom, to a multiple of 5), not with every
        # trial: an unchanged range leaves the axis cached, a new one re-renders its labels
        if n > self._x_hi or n < self._x_hi / 2:
            self._x_hi = 10 if n <= 10 else int(np.ceil(n * 1.1 / 5.0) * 5)
            self.setXRange(0.5, self._x_hi + 0.5, padding=0.02)
        self._show_empty(False)


class RTHistogramPlot(_Base):
    """Histogram of the reaction times (ms), with the median marked."""

    def __init__(self, bins: int = 30, parent: Any = None) -> None:
        super().__init__("Reaction times", "RT (ms)", "trials", parent)
        self.bins = bins
        self.hist = pg.PlotDataItem(
            stepMode="center", fillLevel=0, brush=qcolor((31, 119, 180), 110), pen=_pen((31, 119, 180), 1.5)
        )
        self.addItem(self.hist)
        self.median = pg.InfiniteLine(0, angle=90, pen=_pen((214, 39, 40), 1.5, style=Qt.PenStyle.DashLine))
        self.median.setVisible(False)
        self.addItem(self.median, ignoreBounds=True)
        self.median_label = pg.TextItem("", color=(214, 39, 40), anchor=(0, 0))
        self.addItem(self.median_label, ignoreBounds=True)
        self.getPlotItem().getViewBox().setMouseEnabled(y=False)
        self._range: tuple[float, float] = (0.0, 0.0)
        self._hi, self._range_n = 1000.0, 0
        self.others: dict[str, Any] = {}
        self.legend = self.getPlotItem().addLegend(offset=(-5, 5), labelTextSize="8pt", brush=(255, 255, 255, 200))
        self._show_empty(True, "no responses yet")

    def set_color(self, rgb: Sequence[int], legend: str | None = None) -> None:
        """The colour of the session's own histogram (its player kind's), and its legend entry."""
        if (tuple(rgb), legend) != getattr(self, "_style", None):
            self._style = (tuple(rgb), legend)
            self.hist.setPen(_pen(rgb, 1.5))
            self.hist.setBrush(qcolor(rgb, 110))
            self.legend.removeItem(self.hist)
            if legend:
                self.legend.addItem(self.hist, legend)

    def set_other(self, key: str, table: TrialTable | None, color: Sequence[int] = (255, 127, 14), legend: str | None = None) -> None:
        """Another player's RT histogram, outlined, on the same bins (call after :meth:`update_from`)."""
        item = self._other_item(key, table, legend, stepMode="center", pen=_pen(color, 2.0))
        if item is None:
            return
        edges, counts = table.rt_histogram(self.bins, range_ms=(0.0, self._hi))
        counts = self._counts(counts)
        item.setData(edges, counts)
        peak = float(counts.max()) * 1.15 if counts.size else 1.0
        top = max(self._range[1], stepped_range(0.0, peak, None, pad=0.0)[1])
        if top > self._range[1]:
            self._range = (self._range[0], top)
            self.setYRange(0, top, padding=0)
        self._show_empty(False)

    def set_density(self, on: bool) -> None:
        """Counts as fractions of each player's responses (players with different numbers of trials)."""
        if on != getattr(self, "density", False):
            self.density = on
            self.set_labels(None, "fraction of responses" if on else "trials")
            self._range = (0.0, 0.0)

    def _counts(self, counts: np.ndarray) -> np.ndarray:
        if getattr(self, "density", False) and counts.sum() > 0:
            return counts / counts.sum()
        return counts

    def update_from(self, table: TrialTable) -> None:
        rt = table.column("rt_ms")
        rt = rt[np.isfinite(rt)]
        if rt.size:
            k = rt.size // 2
            med = float(np.partition(rt, k)[k]) if rt.size % 2 else float(np.mean(np.partition(rt, [k - 1, k])[k - 1 : k + 1]))
            if rt.size >= self._range_n * 1.05 + 5 or rt.size < self._range_n:
                # the histogram's range (99.5th percentile) is refreshed after 5 % more responses
                hi = float(np.percentile(rt, 99.5)) if rt.size > 20 else float(rt.max())
                self._hi, self._range_n = max(hi * 1.05, 100.0), rt.size
            edges, counts = table.rt_histogram(self.bins, range_ms=(0.0, self._hi))
        else:
            edges, counts = table.rt_histogram(self.bins)
        counts = self._counts(counts)
        self.hist.setData(edges, counts)
        if rt.size:
            self.median.setValue(med)
            self.median.setVisible(True)
            self.median_label.setText(f"median {med:.0f} ms")
            self.median_label.setPos(med, float(counts.max()) if counts.size else 1.0)
            self.median_label.setVisible(True)
            peak = max(0.05 if getattr(self, "density", False) else 1.0, float(counts.max()) * 1.15)
            top = self._range[1] if peak <= self._range[1] and peak >= 0.5 * self._range[1] else stepped_range(0.0, peak, None, pad=0.0)[1]
            if (float(edges[-1]), top) != self._range:
                self._range = (float(edges[-1]), top)
                self.setYRange(0, top, padding=0)
                self.setXRange(float(edges[0]), float(edges[-1]), padding=0.02)
        else:
            self.median.setVisible(False)
            self.median_label.setVisible(False)
        self._show_empty(rt.size == 0)


class _Series:
    """The items of one curve: points, error bars, an optional fit line."""

    def __init__(self, plot: pg.PlotWidget, name: str) -> None:
        # no ``name``: a named item would add itself to the plot's legend (we add entries ourselves)
        self.errors = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0), beam=0.0)
        self.line = pg.PlotDataItem()
        self.fit = pg.PlotDataItem()
        self.points = pg.ScatterPlotItem()
        for item in (self.errors, self.fit, self.line, self.points):
            plot.addItem(item)
        self.style: tuple | None = None  # (color, width, alpha, symbol, size) last applied
        self.bounds: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1 of what it draws

    def apply_style(self, color: Sequence[int], width: float, alpha: int, symbol: str, size: float) -> None:
        """Pens and brushes, set only when they change (setData then passes data alone)."""
        style = (tuple(color), width, alpha, symbol, size)
        if style == self.style:
            return
        self.style = style
        self.errors.setData(pen=_pen(color, max(1.0, width * 0.6), alpha))
        self.points.setSymbol(symbol)
        self.points.setSize(size)
        self.points.setBrush(qcolor(color, alpha))
        self.points.setPen(_pen((255, 255, 255), 0.8, alpha))
        self.fit.setPen(_pen(color, width, alpha))
        self.line.setPen(_pen(color, width, alpha))

    def items(self) -> list[Any]:
        return [self.errors, self.line, self.fit, self.points]


class CurvePlot(_Base):
    """Psychometric / chronometric (or any) curves with 95 % intervals, one series per key.

    ``set_curve(key, curve, ...)`` creates a series the first time a key is
    seen and only calls ``setData`` afterwards; ``keep(keys)`` hides the rest.
    """

    FOLLOW_X = True  # the x range follows the data (ConditionPlot sets its own)

    def __init__(self, title: str, xlabel: str, ylabel: str, ylim: tuple[float, float] | None = None, parent: Any = None) -> None:
        super().__init__(title, xlabel, ylabel, parent)
        self.ylim = ylim
        if ylim is not None:
            self.setYRange(*ylim, padding=0.02)
            self.getPlotItem().getViewBox().setMouseEnabled(y=False)
        self.series: dict[str, _Series] = {}
        self.legend = self.getPlotItem().addLegend(offset=(5, 5), labelTextSize="8pt", brush=(255, 255, 255, 200))
        self._legend_names: dict[str, str] = {}
        self._was_empty = True
        self._show_empty(True, "no data")

    def set_curve(
        self,
        key: str,
        curve: Curve,
        color: Sequence[int] | None = None,
        width: float = 2.0,
        alpha: int = 255,
        symbol: str = "o",
        size: float = 7.0,
        legend: str | None = None,
        connect: bool = True,
        show_fit: bool = True,
    ) -> None:
        """Draw ``curve`` as series ``key``: points with error bars, its fit if any, else a line if ``connect``."""
        s = self.series.get(key)
        if s is None:
            s = self.series[key] = _Series(self, key)
        color = color or series_color(len(self.series) - 1)
        ok = np.isfinite(curve.y)
        x, y = curve.x[ok], curve.y[ok]
        lo, hi = curve.lo[ok], curve.hi[ok]
        top = np.nan_to_num(hi - y)
        bottom = np.nan_to_num(y - lo)
        beam = 0.0
        ux = np.unique(x)
        if ux.size > 1:
            beam = float(np.min(np.diff(ux))) * 0.25
        s.apply_style(color, width, alpha, symbol, size)
        s.errors.setData(x=x, y=y, top=top, bottom=bottom, beam=beam)
        s.points.setData(x=x, y=y)
        has_fit = show_fit and curve.fit_x is not None and curve.fit_y is not None
        bx = [x] + ([np.asarray(curve.fit_x, float)] if has_fit else [])
        by = [y - bottom, y + top] + ([np.asarray(curve.fit_y, float)] if has_fit else [])
        ax, ay = np.concatenate(bx), np.concatenate(by)
        ax, ay = ax[np.isfinite(ax)], ay[np.isfinite(ay)]
        s.bounds = (float(ax.min()) - beam, float(ax.max()) + beam, float(ay.min()), float(ay.max())) if ax.size and ay.size else None
        if has_fit:
            s.fit.setData(curve.fit_x, curve.fit_y)
        elif s.fit.xData is not None and len(s.fit.xData):
            s.fit.setData([], [])
        if connect and not has_fit:
            s.line.setData(x, y)
        elif s.line.xData is not None and len(s.line.xData):
            s.line.setData([], [])
        for item in s.items():
            if not item.isVisible():
                item.setVisible(True)
        name = legend if legend is not None else key
        if self._legend_names.get(key) != name:
            if key in self._legend_names:
                self.legend.removeItem(s.points)
            if name:
                self.legend.addItem(s.points, name)
            self._legend_names[key] = name
        self._refresh_empty()

    def keep(self, keys: Sequence[str]) -> None:
        """Hide the series whose keys are not in ``keys``."""
        wanted = set(keys)
        for key, s in self.series.items():
            visible = key in wanted
            for item in s.items():
                item.setVisible(visible)
            if not visible and self._legend_names.get(key):
                self.legend.removeItem(s.points)
                self._legend_names[key] = ""
        self._refresh_empty()

    def _refresh_empty(self) -> None:
        shown = [s for s in self.series.values() if s.points.isVisible() and len(s.points.data)]
        empty = not shown
        if empty != self._was_empty:
            self._was_empty = empty
            self._show_empty(empty)
        if not empty:
            self._follow([s.bounds for s in shown if s.bounds is not None])

    def _follow(self, bounds: Sequence[tuple[float, float, float, float]]) -> None:
        """Range the view over the shown series in steps (:func:`stepped_range`), not with every trial."""
        if not bounds:
            return
        b = np.asarray(bounds)
        x = stepped_range(float(b[:, 0].min()), float(b[:, 1].max()), getattr(self, "_xr", None))
        if self.FOLLOW_X and x != getattr(self, "_xr", None):
            self._xr = x
            self.setXRange(*x, padding=0)
        if self.ylim is None:
            y = stepped_range(float(b[:, 2].min()), float(b[:, 3].max()), getattr(self, "_yr", None))
            if y != getattr(self, "_yr", None):
                self._yr = y
                self.setYRange(*y, padding=0)

    def clear_curves(self) -> None:
        self.keep([])


class ConditionPlot(CurvePlot):
    """Accuracy per condition, conditions on the x axis (labelled ticks); series side by side."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Accuracy per condition", "condition", "accuracy", ylim=(0.0, 1.05), parent=parent)
        self.FOLLOW_X = False
        self.labels: list[str] = []

    def set_conditions(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        ticks = [(float(i), self._short(lab)) for i, lab in enumerate(self.labels)]
        self.getPlotItem().getAxis("bottom").setTicks([ticks])
        self.setXRange(-0.6, max(len(self.labels), 1) - 0.4, padding=0)

    @staticmethod
    def _short(label: str) -> str:
        parts = [p.split("=", 1)[-1] for p in label.split(", ")]
        return "/".join(parts)

    def set_condition_curve(self, key: str, labels: Sequence[str], curve: Curve, offset: float = 0.0, **kw: Any) -> None:
        """A series whose points are matched to the plot's conditions by label."""
        index = {lab: i for i, lab in enumerate(self.labels)}
        x = np.array([index.get(lab, np.nan) for lab in labels], dtype=float) + offset
        moved = Curve(x, curve.y, curve.lo, curve.hi, curve.n, label=curve.label)
        kw["connect"] = False
        kw["show_fit"] = False
        super().set_curve(key, moved, **kw)


class TimelinePlot(_Base):
    """The scrolling timeline of a running session (seconds since the session start).

    Rows, top to bottom: periods (coloured bars), the stimulus channels
    (traces), key presses (ticks), the choice, and the reward/outcome; with
    an opponent (``play --against``) two more: the agent's choice on the same
    trial and its action probabilities (RNN agents), plus a per-trial
    "agent chose X / you chose Y" label.

    The x range moves in pages: between page turns only the red "now" line
    moves (:meth:`move_cursor`), which repaints a one-pixel-wide strip, not
    the plot; :meth:`update_from` (the trials' data) runs between trials.
    """

    ROWS = {"periods": 4.0, "stimulus": 2.3, "keys": 1.1, "choice": 0.65, "reward": 0.2}
    AGENT_ROWS = {"agent choice": -0.45, "agent P": -1.15}
    PROB_BASE, PROB_SCALE = -1.45, 0.6
    TRACE_BASE, TRACE_SCALE = 1.55, 0.95  # stimulus traces: y = base + scale * value (values clipped to -0.5..2)
    MAX_CHANNELS = 6
    MAX_PROBS = 4
    N_LABELS = 40
    N_MARKERS = 8
    STEPS = ("periods", "traces", "points", "agent")  # the steps of update_steps, in order

    def __init__(self, window_s: float = 12.0, parent: Any = None) -> None:
        super().__init__("Timeline", "time (s)", "", parent)
        self.window_s = window_s
        self.page = (0.0, window_s)
        item = self.getPlotItem()
        item.getAxis("left").setWidth(74)
        item.getViewBox().setMouseEnabled(x=False, y=False)
        item.hideButtons()
        self.periods = bars()
        self.addItem(self.periods)
        self.traces = [pg.PlotDataItem(pen=_pen(series_color(i), 1.5)) for i in range(self.MAX_CHANNELS)]
        for tr in self.traces:
            self.addItem(tr)
        self.keys = pg.ScatterPlotItem(symbol="t1", size=11, brush=qcolor((60, 60, 60)), pen=None)
        self.choices = pg.ScatterPlotItem(symbol="d", size=12, pen=None)
        self.rewards = pg.ScatterPlotItem(symbol="o", size=10, pen=None)
        self.agent_choices = pg.ScatterPlotItem(symbol="d", size=12, pen=_pen(KIND_COLORS["agent"], 1.5))
        for it in (self.keys, self.choices, self.rewards, self.agent_choices):
            self.addItem(it)
        self.probs = [pg.PlotDataItem(pen=_pen(series_color(i + 1), 1.3)) for i in range(self.MAX_PROBS)]
        for tr in self.probs:
            self.addItem(tr)
        self.now_line = pg.InfiniteLine(0, angle=90, pen=_pen((214, 39, 40), 1.2))
        self.addItem(self.now_line, ignoreBounds=True)
        self.labels = [pg.TextItem("", color=(50, 50, 50), anchor=(0, 0.5)) for _ in range(self.N_LABELS)]
        for lab in self.labels:
            lab.setVisible(False)
            self.addItem(lab, ignoreBounds=True)
        self.markers = [pg.TextItem("", color=(150, 70, 0), anchor=(0, 0.5)) for _ in range(self.N_MARKERS)]
        for lab in self.markers:
            lab.setVisible(False)
            self.addItem(lab, ignoreBounds=True)
        self.agent_rows = False
        self._set_rows(False)
        self._show_empty(True, "press Start to play")

    def _set_rows(self, agent: bool) -> None:
        self.agent_rows = agent
        rows = {**self.ROWS, **(self.AGENT_ROWS if agent else {})}
        item = self.getPlotItem()
        item.getAxis("left").setTicks([[(v, k) for k, v in rows.items()]])
        item.setYRange(-1.6 if agent else -0.3, 4.5, padding=0)

    def move_cursor(self, now: float, min_px: float = 3.0, turn: bool = False) -> bool:
        """Move the "now" line (once it has moved ``min_px`` pixels: each move is a small repaint);
        turn the page when it reaches the right edge (or now, with ``turn``). True if the range changed."""
        px_per_s = max(self.width() - 80, 100) / self.window_s
        if abs(now - self.now_line.value()) * px_per_s >= min_px or now < self.now_line.value():
            self.now_line.setValue(now)
        lo, hi = self.page
        if not turn and lo <= now <= hi - 0.05 * self.window_s:
            return False
        start = max(0.0, now - 0.5 * self.window_s)
        if (start, start + self.window_s) == self.page:
            return False
        self.page = (start, start + self.window_s)
        self.setXRange(*self.page, padding=0)
        return True

    def page_turn_due(self, now: float, ahead_s: float = 0.0) -> bool:
        lo, hi = self.page
        return not (lo <= now + ahead_s <= hi - 0.05 * self.window_s)

    def update_from(self, model: TimelineModel, against: Any = None, dt_s: float | None = None) -> None:
        """Redraw the trials of ``model`` (and of the opponent's :class:`AgainstModel`, if any)."""
        for _name, step in self.update_steps(model, against, dt_s):
            step()

    def update_steps(self, model: TimelineModel, against: Any = None, dt_s: float | None = None) -> list[tuple[str, Any]]:
        """:meth:`update_from` in steps of about 1 ms each, run in this order (on separate frames if need be):
        the rows and periods (which also place the page), the stimulus traces, the points (keys, choices,
        rewards), the agent's rows. Each reads the trials of the current page itself."""
        steps = {
            "periods": lambda: self._draw_periods(model, against),
            "traces": lambda: self._draw_traces(model),
            "points": lambda: self._draw_points(model),
            "agent": lambda: self._draw_agent(self._page_trials(model), against, dt_s),
        }
        return [(name, steps[name]) for name in self.STEPS]

    def _page_trials(self, model: TimelineModel) -> list[Any]:
        t_lo = self.page[0]
        return [t for t in model.all_trials() if t.t_end >= t_lo - 1.0]

    def _draw_periods(self, model: TimelineModel, against: Any) -> None:
        if (against is not None) != self.agent_rows:
            self._set_rows(against is not None)
        trials = model.all_trials()
        if not trials:
            set_bars(self.periods, [], [], [], [], [])
            for tr in (*self.traces, *self.probs):
                tr.setData([], [])
            for it in (self.keys, self.choices, self.rewards, self.agent_choices):
                it.setData([], [])
            for lab in (*self.labels, *self.markers):
                lab.setVisible(False)
            self._show_empty(True)
            return
        now = max(model.now, trials[-1].t0)
        self.move_cursor(now, min_px=0.0)
        t_lo = self.page[0]
        trials = [t for t in trials if t.t_end >= t_lo - 1.0]
        x0, x1, names = [], [], []
        for tr in trials:
            for name, (a, b) in tr.periods.items():
                if b > a:
                    x0.append(tr.t0 + a * tr.step_s)
                    x1.append(tr.t0 + b * tr.step_s)
                    names.append(name)
        brushes = [qcolor(period_color(n), 220) for n in names]
        y = self.ROWS["periods"]
        set_bars(
            self.periods, x0, x1, np.full(len(x0), y - 0.35), np.full(len(x0), y + 0.35), brushes,
            pg.mkPen(qcolor((255, 255, 255)), width=1),
        )
        wide = 0.07 * self.window_s  # label only the periods wide enough for their name
        page_hi = self.page[1]
        visible = [(a, b, n) for a, b, n in zip(x0, x1, names) if b > t_lo and min(b, page_hi) - max(a, t_lo) > wide]
        for i, lab in enumerate(self.labels):
            if i < len(visible):
                a, b, n = visible[i]
                _show_text(lab, n, max(a, t_lo) + 0.01 * self.window_s, y)
            elif lab.isVisible():
                lab.setVisible(False)
        self._show_empty(False)

    def _draw_traces(self, model: TimelineModel) -> None:
        """The stimulus traces: one path per channel over the page's trials, NaN between trials."""
        trials = self._page_trials(model)
        n_ch = max((tr.obs.shape[1] for tr in trials), default=0)
        base = self.TRACE_BASE
        for c, item in enumerate(self.traces):
            if c >= n_ch:
                if item.xData is not None and len(item.xData):
                    item.setData([], [])
                continue
            xs, ys = [], []
            for tr in trials:
                if tr.obs.shape[1] <= c or tr.obs.shape[0] == 0:
                    continue
                k = np.arange(tr.obs.shape[0] + 1)
                sx, sy = stairs(tr.t0 + k * tr.step_s, tr.obs[:, c])
                xs.append(sx)
                ys.append(sy)
                xs.append(np.array([np.nan]))
                ys.append(np.array([np.nan]))
            if xs:
                yy = base + self.TRACE_SCALE * np.clip(np.concatenate(ys), -0.5, 2.0)
                item.setData(np.concatenate(xs), yy, connect="finite")
            else:
                item.setData([], [])

    def _draw_points(self, model: TimelineModel) -> None:
        """Key presses, choices, rewards."""
        trials = self._page_trials(model)
        if not trials:
            return
        presses = [(t, n) for tr in trials for t, n in tr.presses]
        self.keys.setData([t for t, _ in presses], [self.ROWS["keys"]] * len(presses))
        ch = [(tr.choice[0], tr.outcome) for tr in trials if tr.choice is not None]
        self.choices.setData(
            [t for t, _ in ch], [self.ROWS["choice"]] * len(ch),
            brush=[qcolor(OUTCOME_COLORS.get(o or "", (90, 90, 90))) for _, o in ch],
        )
        done = [tr for tr in trials if tr.outcome is not None]
        self.rewards.setData(
            [tr.t_end for tr in done], [self.ROWS["reward"]] * len(done),
            brush=[qcolor(OUTCOME_COLORS.get(tr.outcome or "", (90, 90, 90))) for tr in done],
            size=[8 + 6 * min(abs(tr.reward or 0.0), 1.0) for tr in done],
        )

    def _draw_agent(self, trials: Sequence[Any], against: Any, dt_s: float | None) -> None:
        """The opponent's rows under the person's, on the person's trials (same trial index)."""
        if against is None:
            return
        xs, brushes = [], []
        prob_x: list[list[np.ndarray]] = [[] for _ in self.probs]
        prob_y: list[list[np.ndarray]] = [[] for _ in self.probs]
        markers = []
        rt_from = getattr(against, "rt_from", None)
        first = against.labels[0] if against.labels else None
        for tr in trials:
            answers: Mapping[str, Any] = against.trials.get(tr.index) or {}
            scale = tr.step_s / dt_s if dt_s else 1.0  # task seconds -> the person's seconds (time_scale)
            for label, ans in answers.items():
                offset = ans.choice_offset_s(rt_from)
                if offset is not None and ans.choice_label:
                    xs.append(tr.t0 + offset * scale)
                    brushes.append(qcolor(OUTCOME_COLORS.get(str(ans.row.get("outcome") or ""), (90, 90, 90))))
                if label == first and ans.probs is not None and ans.probs.ndim == 2:
                    p = ans.probs[:, 1:] if ans.probs.shape[1] > 1 else ans.probs  # action 0 is fixation
                    k = np.arange(p.shape[0] + 1)
                    for c in range(min(p.shape[1], len(self.probs))):
                        sx, sy = stairs(tr.t0 + k * tr.step_s, p[:, c])
                        prob_x[c] += [sx, np.array([np.nan])]
                        prob_y[c] += [self.PROB_BASE + self.PROB_SCALE * sy, np.array([np.nan])]
            text = against.marker(tr.index)
            if text:
                markers.append((tr.t0, text))
        self.agent_choices.setData(xs, [self.AGENT_ROWS["agent choice"]] * len(xs), brush=brushes)
        for c, item in enumerate(self.probs):
            if prob_x[c]:
                item.setData(np.concatenate(prob_x[c]), np.concatenate(prob_y[c]), connect="finite")
            else:
                item.setData([], [])
        markers = markers[-self.N_MARKERS :]
        for i, lab in enumerate(self.markers):
            if i < len(markers):
                t, text = markers[i]
                lift = 0.32 if (len(markers) - i) % 2 else 0.62  # alternate heights: neighbours never overlap
                _show_text(lab, text, max(t, self.page[0]), self.AGENT_ROWS["agent choice"] + lift)
            elif lab.isVisible():
                lab.setVisible(False)
