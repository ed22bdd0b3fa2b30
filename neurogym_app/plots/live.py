"""Live plots of a session: accuracy, RT histogram, psychometric/chronometric curves, timeline.

Every plot creates its pyqtgraph items once and changes them with ``setData``
/ ``setOpts`` in ``update_from(...)``; the plots hold no session logic (they
read a :class:`~neurogym_app.analysis.trial_table.TrialTable` or a
:class:`~neurogym_app.analysis.trial_table.TimelineModel`). Throttling is the
caller's job (the Play view redraws at most every 100 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from neurogym_app.analysis.trial_table import Curve, TimelineModel, TrialTable
from neurogym_app.plots.steps import stairs
from neurogym_app.plots.style import (
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


class _Base(pg.PlotWidget):
    def __init__(self, title: str, xlabel: str, ylabel: str, parent: Any = None) -> None:
        configure()
        super().__init__(parent=parent)
        style_plot(self, title, xlabel, ylabel)
        self.setMinimumSize(220, 160)
        self._empty = pg.TextItem("no trials yet", color=(140, 140, 140), anchor=(0.5, 0.5))
        self._empty.setZValue(10)
        self.addItem(self._empty, ignoreBounds=True)

    def _show_empty(self, empty: bool, text: str | None = None) -> None:
        if text is not None:
            self._empty.setText(text)
        self._empty.setVisible(empty)
        if empty:
            vb = self.getPlotItem().getViewBox()
            (x0, x1), (y0, y1) = vb.viewRange()
            self._empty.setPos((x0 + x1) / 2, (y0 + y1) / 2)


class AccuracyPlot(_Base):
    """Running accuracy over a moving window, and accuracy per block (horizontal segments)."""

    def __init__(self, window: int = 20, parent: Any = None) -> None:
        super().__init__("Accuracy", "trial", "accuracy", parent)
        self.window = window
        self.setYRange(0, 1.05, padding=0)
        self.chance = pg.InfiniteLine(0.5, angle=0, pen=_pen((150, 150, 150), 1, style=Qt.PenStyle.DashLine))
        self.addItem(self.chance, ignoreBounds=True)
        self.blocks = pg.PlotDataItem(pen=_pen((230, 120, 30), 3, alpha=200), connect="finite")
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
        self._auto_x = False
        self._show_empty(True)

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
        if n < 10:
            self.setXRange(0.5, 10.5, padding=0.02)
        elif not self._auto_x:
            self.getPlotItem().enableAutoRange(x=True)  # pyqtgraph then follows the data lazily, at paint time
            self._auto_x = True
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
        self._show_empty(True, "no responses yet")

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
        self.hist.setData(edges, counts)
        if rt.size:
            self.median.setValue(med)
            self.median.setVisible(True)
            self.median_label.setText(f"median {med:.0f} ms")
            self.median_label.setPos(med, float(counts.max()) if counts.size else 1.0)
            self.median_label.setVisible(True)
            top = max(1.0, float(counts.max()) * 1.15)
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
        empty = not any(s.points.isVisible() and len(s.points.data) for s in self.series.values())
        if empty != self._was_empty:
            self._was_empty = empty
            self._show_empty(empty)
            if not empty:  # follow the data from now on (pyqtgraph updates the range lazily, at paint time)
                self.getPlotItem().enableAutoRange(x=True, y=self.ylim is None)

    def clear_curves(self) -> None:
        self.keep([])


class ConditionPlot(CurvePlot):
    """Accuracy per condition, conditions on the x axis (labelled ticks); series side by side."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Accuracy per condition", "condition", "accuracy", ylim=(0.0, 1.05), parent=parent)
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
        self.setXRange(-0.6, max(len(self.labels), 1) - 0.4, padding=0)


class TimelinePlot(_Base):
    """The scrolling timeline of a running session (seconds since the session start).

    Rows, top to bottom: periods (coloured bars), the stimulus channels
    (traces), key presses (ticks), the choice, and the reward/outcome.
    """

    ROWS = {"periods": 4.0, "stimulus": 2.3, "keys": 1.1, "choice": 0.65, "reward": 0.2}
    TRACE_BASE, TRACE_SCALE = 1.55, 0.95  # stimulus traces: y = base + scale * value (values clipped to -0.5..2)
    MAX_CHANNELS = 6
    N_LABELS = 40

    def __init__(self, window_s: float = 8.0, parent: Any = None) -> None:
        super().__init__("Timeline", "time (s)", "", parent)
        self.window_s = window_s
        item = self.getPlotItem()
        item.getAxis("left").setTicks([[(v, k) for k, v in self.ROWS.items()]])
        item.getAxis("left").setWidth(62)
        item.setYRange(-0.3, 4.5, padding=0)
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
        for it in (self.keys, self.choices, self.rewards):
            self.addItem(it)
        self.now_line = pg.InfiniteLine(0, angle=90, pen=_pen((214, 39, 40), 1.2))
        self.addItem(self.now_line, ignoreBounds=True)
        self.labels = [pg.TextItem("", color=(50, 50, 50), anchor=(0, 0.5)) for _ in range(self.N_LABELS)]
        for lab in self.labels:
            lab.setVisible(False)
            self.addItem(lab, ignoreBounds=True)
        self._show_empty(True, "press Start to play")

    def update_from(self, model: TimelineModel) -> None:
        trials = model.all_trials()
        if not trials:
            set_bars(self.periods, [], [], [], [], [])
            for tr in self.traces:
                tr.setData([], [])
            for it in (self.keys, self.choices, self.rewards):
                it.setData([], [])
            for lab in self.labels:
                lab.setVisible(False)
            self._show_empty(True)
            return
        now = max(model.now, trials[-1].t0)
        t_lo = now - self.window_s
        trials = [t for t in trials if t.t_end >= t_lo - 1.0]
        # periods
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
        visible = [(a, b, n) for a, b, n in zip(x0, x1, names) if b > t_lo and min(b, now) - max(a, t_lo) > wide]
        for i, lab in enumerate(self.labels):
            if i < len(visible):
                a, b, n = visible[i]
                lab.setText(n)
                lab.setPos(max(a, t_lo) + 0.01 * self.window_s, y)
                lab.setVisible(True)
            else:
                lab.setVisible(False)
        # stimulus traces: concatenated, NaN between trials
        n_ch = max((tr.obs.shape[1] for tr in trials), default=0)
        base = self.TRACE_BASE
        for c, item in enumerate(self.traces):
            if c >= n_ch:
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
        # key presses, choices, rewards
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
        self.now_line.setValue(now)
        self.setXRange(t_lo, now + 0.05 * self.window_s, padding=0)
        self._show_empty(False)
