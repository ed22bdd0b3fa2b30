"""Step-resolved plots: periods, observation channels, gt/actions, reward, hidden activity, action probabilities.

Used by the period inspector (several sampled trials on one time axis) and by
the replay view (one recorded trial, with a cursor on the current step).
Items are created once; ``update_*`` methods call ``setData``/``setImage``.
Times are in ms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from neurogym_app.plots.style import (
    bars,
    configure,
    fit_axis_width,
    period_color,
    qcolor,
    series_color,
    set_bars,
    style_plot,
)

__all__ = ["stairs", "StepPlot", "PeriodRasterPlot", "ObservationPlot", "ActionPlot", "RewardPlot", "HeatmapPlot", "ProbsPlot"]

Period = tuple[str, float, float]  # name, start ms, end ms
AXIS_WIDTH = 80  # px of the left axis of step plots (x-linked plots share one width: sync_axis_widths)


def stairs(edges: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points of a staircase: ``values[k]`` held from ``edges[k]`` to ``edges[k + 1]``."""
    edges = np.asarray(edges, dtype=float)
    values = np.asarray(values, dtype=float)
    return np.repeat(edges, 2)[1:-1], np.repeat(values, 2)


def _pen(rgb: Sequence[int], width: float = 1.5, alpha: int = 255, style: Any = None) -> Any:
    pen = pg.mkPen(qcolor(rgb, alpha), width=width)
    if style is not None:
        pen.setStyle(style)
    return pen


class StepPlot(pg.PlotWidget):
    """A plot over time (ms) with shaded periods, trial boundaries and an optional cursor."""

    def __init__(self, title: str = "", ylabel: str = "", xlabel: str = "time (ms)", parent: Any = None) -> None:
        configure()
        super().__init__(parent=parent)
        style_plot(self, title, xlabel, ylabel)
        self.setMinimumSize(200, 110)
        self.getPlotItem().getAxis("left").setWidth(AXIS_WIDTH)
        self.shading = bars()
        self.shading.setZValue(-10)
        self.addItem(self.shading, ignoreBounds=True)
        self.bounds = pg.PlotDataItem(pen=_pen((90, 90, 90), 1, style=Qt.PenStyle.DashLine), connect="pairs")
        self.addItem(self.bounds, ignoreBounds=True)
        self.cursor = pg.InfiniteLine(0, angle=90, pen=_pen((214, 39, 40), 2))
        self.cursor.setVisible(False)
        self.cursor.setZValue(20)
        self.addItem(self.cursor, ignoreBounds=True)
        self._y_span = (0.0, 1.0)

    def set_y_span(self, lo: float, hi: float) -> None:
        self._y_span = (lo, hi)

    def set_periods(self, periods: Sequence[Period], boundaries: Sequence[float] = ()) -> None:
        """Shade ``periods`` over the y span; dashed lines at trial ``boundaries`` (ms)."""
        lo, hi = self._y_span
        keep = [(n, a, b) for n, a, b in periods if b > a]
        set_bars(
            self.shading,
            [a for _, a, _ in keep],
            [b for _, _, b in keep],
            np.full(len(keep), lo),
            np.full(len(keep), hi),
            [qcolor(period_color(n), 70) for n, _, _ in keep],
        )
        xs = np.repeat(np.asarray(boundaries, dtype=float), 2)
        ys = np.tile([lo, hi], len(boundaries))
        self.bounds.setData(xs, ys)

    def set_cursor(self, t_ms: float | None) -> None:
        if t_ms is None:
            self.cursor.setVisible(False)
        else:
            self.cursor.setValue(float(t_ms))
            self.cursor.setVisible(True)


class PeriodRasterPlot(pg.PlotWidget):
    """Periods of several trials: one row per trial, time from the trial start (ms)."""

    N_LABELS = 60

    def __init__(self, parent: Any = None) -> None:
        configure()
        super().__init__(parent=parent)
        style_plot(self, "Periods of the sampled trials (\u25a0 trial end with a ground-truth player)", "time from trial start (ms)", "")
        self.setMinimumSize(200, 120)
        self.getPlotItem().getAxis("left").setWidth(AXIS_WIDTH)
        self.getPlotItem().getViewBox().invertY(True)
        self.bars = bars()
        self.addItem(self.bars)
        self.labels = [pg.TextItem("", color=(30, 30, 30), anchor=(0.5, 0.5)) for _ in range(self.N_LABELS)]
        for lab in self.labels:
            lab.setVisible(False)
            self.addItem(lab, ignoreBounds=True)
        self.ends = pg.ScatterPlotItem(symbol="s", size=6, brush=qcolor((60, 60, 60)), pen=None)
        self.addItem(self.ends)

    def update_trials(self, trials: Sequence[Sequence[Period]], ends_ms: Sequence[float] | None = None) -> None:
        x0, x1, y0, y1, names = [], [], [], [], []
        for row, periods in enumerate(trials):
            for name, a, b in periods:
                if b > a:
                    x0.append(a)
                    x1.append(b)
                    y0.append(row - 0.38)
                    y1.append(row + 0.38)
                    names.append(name)
        set_bars(self.bars, x0, x1, y0, y1, [qcolor(period_color(n)) for n in names], pg.mkPen(qcolor((255, 255, 255)), width=1))
        span = max(x1) if x1 else 1.0
        shown = 0
        for a, b, yy, n in zip(x0, x1, y0, names):
            if shown >= self.N_LABELS:
                break
            if (b - a) >= 0.06 * span:
                lab = self.labels[shown]
                lab.setText(n)
                lab.setPos((a + b) / 2, yy + 0.38)
                lab.setVisible(True)
                shown += 1
        for lab in self.labels[shown:]:
            lab.setVisible(False)
        if ends_ms is not None:
            self.ends.setData(list(ends_ms), list(range(len(ends_ms))))
        ticks = [(float(i), f"trial {i + 1}") for i in range(len(trials))]
        self.getPlotItem().getAxis("left").setTicks([ticks])
        self.setYRange(-0.6, max(len(trials), 1) - 0.4, padding=0)
        self.setXRange(0, span, padding=0.02)


class ObservationPlot(StepPlot):
    """Observation channels over time: stacked traces or a heatmap (``set_mode``)."""

    MAX_TRACES = 32

    def __init__(self, title: str = "Observation", parent: Any = None) -> None:
        super().__init__(title, "", parent=parent)
        self.mode = "traces"
        self.traces: list[pg.PlotDataItem] = []
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setVisible(False)
        self.addItem(self.image)
        self.image.setColorMap(pg.colormap.get("viridis"))
        self._last: tuple[np.ndarray, float, list[str]] | None = None
        self._periods: tuple[Sequence[Period], Sequence[float]] = ((), ())

    def set_mode(self, mode: str) -> None:
        if mode not in ("traces", "heatmap"):
            raise ValueError(f"unknown mode {mode!r}; use 'traces' or 'heatmap'")
        self.mode = mode
        if self._last is not None:
            self.update_obs(*self._last)

    def update_obs(self, ob: np.ndarray, dt: float, channels: Sequence[str], t0: float = 0.0) -> None:
        """Show ``ob`` (steps x channels); step ``k`` spans ``[t0 + k*dt, t0 + (k+1)*dt)``."""
        ob = np.asarray(ob, dtype=float)
        if ob.ndim == 1:
            ob = ob[:, None]
        ob = ob.reshape(ob.shape[0], -1)
        channels = list(channels) or [f"#{i}" for i in range(ob.shape[1])]
        self._last = (ob, dt, channels)
        n, c = ob.shape
        mode = self.mode if c <= self.MAX_TRACES else "heatmap"
        axis = self.getPlotItem().getAxis("left")
        if mode == "heatmap":
            for tr in self.traces:
                tr.setData([], [])
            finite = ob[np.isfinite(ob)]
            lo, hi = (float(np.percentile(finite, 1)), float(np.percentile(finite, 99))) if finite.size else (0.0, 1.0)
            if hi <= lo:
                hi = lo + 1.0
            self.image.setImage(ob.T if n else np.zeros((c, 1)), levels=(lo, hi), autoLevels=False)
            self.image.setRect(t0, -0.5, max(n, 1) * dt, c)
            self.image.setVisible(True)
            self.getPlotItem().getViewBox().invertY(True)
            step = max(1, c // 16)
            axis.setTicks([[(float(i), channels[i]) for i in range(0, c, step)]])
            fit_axis_width(self, [channels[i] for i in range(0, c, step)], minimum=AXIS_WIDTH)
            self.set_y_span(-0.5, c - 0.5)
            self.setYRange(-0.5, c - 0.5, padding=0)
        else:
            self.image.setVisible(False)
            self.getPlotItem().getViewBox().invertY(False)
            while len(self.traces) < c:
                item = pg.PlotDataItem(pen=_pen(series_color(len(self.traces)), 1.5))
                self.traces.append(item)
                self.addItem(item)
            finite = ob[np.isfinite(ob)]
            spread = float(np.percentile(finite, 99) - np.percentile(finite, 1)) if finite.size else 1.0
            spacing = max(spread, 1e-6) * 1.15
            x = t0 + np.arange(n + 1) * dt
            ticks = []
            for i, tr in enumerate(self.traces):
                if i < c and n:
                    offset = -i * spacing
                    tr.setData(*stairs(x, ob[:, i] + offset))
                    ticks.append((offset, channels[i]))
                else:
                    tr.setData([], [])
            axis.setTicks([ticks])
            fit_axis_width(self, [t for _, t in ticks], minimum=AXIS_WIDTH)
            lo = -(c - 1) * spacing - 0.6 * spacing
            hi = 0.6 * spacing + (float(np.nanmax(ob[:, 0])) if n and np.isfinite(ob[:, 0]).any() else 0.0)
            self.set_y_span(lo, hi)
            self.setYRange(lo, hi, padding=0)
        self.setXRange(t0, t0 + max(n, 1) * dt, padding=0.01)
        self.set_periods(*self._periods)

    def set_periods(self, periods: Sequence[Period], boundaries: Sequence[float] = ()) -> None:
        self._periods = (list(periods), list(boundaries))
        super().set_periods(periods, boundaries)


class ActionPlot(StepPlot):
    """Ground truth (and, in replays, the action taken) per step, with named action ticks."""

    def __init__(self, title: str = "Ground truth", parent: Any = None) -> None:
        super().__init__(title, "", parent=parent)
        self.gt = pg.PlotDataItem(pen=_pen((44, 160, 44), 2.5), name="gt")
        self.action = pg.PlotDataItem(pen=_pen((31, 119, 180), 1.8, style=Qt.PenStyle.DashLine), name="action")
        self.keys = pg.ScatterPlotItem(symbol="t", size=10, brush=qcolor((60, 60, 60)), pen=None)
        self.addItem(self.gt)
        self.addItem(self.action)
        self.addItem(self.keys)
        self.legend = self.getPlotItem().addLegend(offset=(5, 1), labelTextSize="8pt", colCount=3, brush=(255, 255, 255, 200))
        self.legend.setVisible(False)
        self._has_action_legend = False
        self._key_y = 1.0
        self._keys_in_legend = False

    def update_steps(
        self,
        gt: np.ndarray,
        dt: float,
        action: np.ndarray | None = None,
        names: Mapping[int, str] | None = None,
        t0: float = 0.0,
    ) -> None:
        gt = np.asarray(gt, dtype=float).reshape(len(gt), -1)[:, 0] if len(gt) else np.zeros(0)
        n = gt.size
        x = t0 + np.arange(n + 1) * dt
        if n:
            self.gt.setData(*stairs(x, gt))
        else:
            self.gt.setData([], [])
        values = list(gt[np.isfinite(gt)])
        if action is not None and len(action):
            a = np.asarray(action, dtype=float).reshape(len(action), -1)[:, 0]
            self.action.setData(*stairs(t0 + np.arange(a.size + 1) * dt, a))
            values += list(a[np.isfinite(a)])
            if not self._has_action_legend:
                self.legend.addItem(self.gt, "gt")
                self.legend.addItem(self.action, "action")
                self._has_action_legend = True
            self.legend.setVisible(True)
        else:
            self.action.setData([], [])
        levels = sorted(set(values)) or [0.0]
        if names and len(levels) <= 12:
            ticks = [(v, names.get(int(v), f"{v:g}") if float(v).is_integer() else f"{v:g}") for v in levels]
            self.getPlotItem().getAxis("left").setTicks([ticks])
            fit_axis_width(self, [t for _, t in ticks], minimum=AXIS_WIDTH)
        else:
            self.getPlotItem().getAxis("left").setTicks(None)
        self._key_y = max(levels) + 0.3
        lo, hi = min(levels) - 0.5, max(levels) + (1.0 if self._has_action_legend else 0.5)
        self.set_y_span(lo, hi)
        self.setYRange(lo, hi, padding=0)
        self.setXRange(t0, t0 + max(n, 1) * dt, padding=0.01)


    def set_presses(self, times_ms: Sequence[float]) -> None:
        """Mark key presses (ms from the trial start) along the top of the plot."""
        self.keys.setData(list(times_ms), [self._key_y] * len(times_ms))
        if len(times_ms) and not self._keys_in_legend:
            self.legend.addItem(self.keys, "key press")
            self._keys_in_legend = True


class RewardPlot(StepPlot):
    """Reward per step (stems and markers; non-zero rewards only)."""

    def __init__(self, title: str = "Reward", parent: Any = None) -> None:
        super().__init__(title, "", parent=parent)
        self.stems = pg.PlotDataItem(pen=_pen((120, 120, 120), 1.2), connect="pairs")
        self.points = pg.ScatterPlotItem(symbol="o", size=8, pen=None)
        self.addItem(self.stems)
        self.addItem(self.points)
        self.zero = pg.InfiniteLine(0, angle=0, pen=_pen((160, 160, 160), 1))
        self.addItem(self.zero, ignoreBounds=True)

    def update_steps(self, reward: np.ndarray, dt: float, t0: float = 0.0) -> None:
        r = np.asarray(reward, dtype=float)
        idx = np.flatnonzero(np.nan_to_num(r) != 0)
        x = t0 + (idx + 0.5) * dt
        y = r[idx]
        self.stems.setData(np.repeat(x, 2), np.column_stack((np.zeros_like(y), y)).ravel())
        self.points.setData(x, y, brush=[qcolor((50, 160, 70) if v > 0 else (210, 50, 40)) for v in y])
        lo = min(0.0, float(np.nanmin(r)) if r.size else 0.0) - 0.2
        hi = max(0.0, float(np.nanmax(r)) if r.size else 1.0) + 0.2
        self.set_y_span(lo, hi)
        self.setYRange(lo, hi, padding=0)
        self.setXRange(t0, t0 + max(r.size, 1) * dt, padding=0.01)


class HeatmapPlot(StepPlot):
    """A (steps x units) array as a heatmap, e.g. an agent's hidden activity."""

    def __init__(self, title: str = "Hidden activity", ylabel: str = "unit", parent: Any = None) -> None:
        super().__init__(title, ylabel, parent=parent)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("CET-D1A") if "CET-D1A" in pg.colormap.listMaps() else pg.colormap.get("viridis"))
        self.addItem(self.image)
        self.getPlotItem().getViewBox().invertY(True)

    def update_array(self, arr: np.ndarray | None, dt: float, t0: float = 0.0) -> None:
        if arr is None or arr.size == 0:
            self.image.setImage(np.zeros((1, 1)), levels=(0, 1))
            self.image.setVisible(False)
            return
        arr = np.asarray(arr, dtype=float).reshape(arr.shape[0], -1)
        n, u = arr.shape
        m = float(np.nanmax(np.abs(arr))) or 1.0
        self.image.setImage(arr.T, levels=(-m, m), autoLevels=False)
        self.image.setRect(t0, -0.5, n * dt, u)
        self.image.setVisible(True)
        self.set_y_span(-0.5, u - 0.5)
        self.setYRange(-0.5, u - 0.5, padding=0)
        self.setXRange(t0, t0 + n * dt, padding=0.01)


class ProbsPlot(StepPlot):
    """Action probabilities per step, one line per action."""

    def __init__(self, title: str = "Action probabilities", parent: Any = None) -> None:
        super().__init__(title, "p", parent=parent)
        self.lines: list[pg.PlotDataItem] = []
        self.legend = self.getPlotItem().addLegend(offset=(5, 1), labelTextSize="8pt", colCount=4, brush=(255, 255, 255, 200))
        self.set_y_span(0.0, 1.3)
        self.setYRange(-0.02, 1.3, padding=0)
        self.getPlotItem().getAxis("left").setTicks([[(v, f"{v:g}") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]])

    def update_array(self, probs: np.ndarray | None, dt: float, names: Mapping[int, str] | None = None, t0: float = 0.0) -> None:
        probs = None if probs is None else np.asarray(probs, dtype=float).reshape(len(probs), -1)
        k = 0 if probs is None else probs.shape[1]
        while len(self.lines) < k:
            i = len(self.lines)
            item = pg.PlotDataItem(pen=_pen(series_color(i), 2))
            self.lines.append(item)
            self.addItem(item)
            self.legend.addItem(item, (names or {}).get(i, f"action {i}"))
        for i, item in enumerate(self.lines):
            if probs is not None and i < k and probs.shape[0]:
                x = t0 + np.arange(probs.shape[0] + 1) * dt
                item.setData(*stairs(x, probs[:, i]))
            else:
                item.setData([], [])
        if probs is not None and probs.shape[0]:
            self.setXRange(t0, t0 + probs.shape[0] * dt, padding=0.01)
