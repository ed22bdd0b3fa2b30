"""The Compare view: human sessions next to agent runs of the same task.

Accuracy per condition, psychometric and chronometric curves with 95 %
intervals (each session listed with its accuracy); every session thin and light, the pooled curve of each player kind
(all participants, all agent seeds) bold. "Add sweep..." adds the recorded
runs of a sweep's agents (``neurogym-app sweep``), all seeds of one task, so
a sweep's networks pool against people. Practice trials are left out unless
"include practice trials" is checked (as ``neurogym-app compare --include-practice``). Export to PNG/SVG/PDF (matplotlib
when installed, else pyqtgraph's exporters).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush
from PyQt6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.agents.sweep_folder import SweepError, read_sweep
from neurogym_app.analysis.comparison import CompareModel
from neurogym_app.plots.live import ConditionPlot, CurvePlot
from neurogym_app.plots.style import KIND_COLORS, qcolor

__all__ = ["CompareView"]

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class CompareView(QWidget):
    """Sessions side by side (see module doc)."""

    add_requested = pyqtSignal()

    def __init__(self, sessions_root: Any = "sessions", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions_root = Path(sessions_root)
        self.model = CompareModel()
        self.errors: list[str] = []
        self.list = QListWidget()
        self.add_button = QPushButton("Add sessions...")
        self.add_sweep_button = QPushButton("Add sweep...")
        self.remove_button = QPushButton("Remove")
        self.clear_button = QPushButton("Clear")
        self.export_button = QPushButton("Export figure...")
        self.individual = QCheckBox("show individual sessions")
        self.individual.setChecked(True)
        # as `neurogym-app compare`: practice trials are left out unless asked for (--include-practice)
        self.include_practice = QCheckBox("include practice trials")
        self.include_practice.setChecked(self.model.include_practice)
        self.include_practice.setToolTip("Count the practice trials of experiment sessions too (left out by default)")
        self.note = QLabel("Add sessions from the Sessions tab (select, then 'Add to comparison').")
        self.note.setWordWrap(True)
        self.conditions = ConditionPlot()
        self.psychometric = CurvePlot("Psychometric curve", "signed strength", "P(positive choice)", ylim=(-0.02, 1.02))
        self.chronometric = CurvePlot("Chronometric curve", "|signed strength|", "RT (ms)")

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>Sessions</b> (uncheck to hide)"))
        lv.addWidget(self.list, 1)
        row = QHBoxLayout()
        for b in (self.add_button, self.add_sweep_button, self.remove_button, self.clear_button):
            row.addWidget(b)
        lv.addLayout(row)
        lv.addWidget(self.individual)
        lv.addWidget(self.include_practice)
        lv.addWidget(self.export_button)
        lv.addWidget(self.note)
        plots = QWidget()
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.conditions, 0, 0, 1, 2)
        grid.addWidget(self.psychometric, 1, 0)
        grid.addWidget(self.chronometric, 1, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(plots)
        split.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.model.subscribe(lambda _m: self.refresh())
        self.list.itemChanged.connect(self._checked)
        self.add_button.clicked.connect(self._choose)
        self.add_sweep_button.clicked.connect(self._choose_sweep)
        self.remove_button.clicked.connect(self._remove)
        self.clear_button.clicked.connect(self.model.clear)
        self.export_button.clicked.connect(lambda: self.export())
        self.individual.toggled.connect(lambda _on: self.refresh())
        self.include_practice.toggled.connect(self.model.set_include_practice)
        self.refresh()

    # ------------------------------------------------------------ editing
    def add_sessions(self, paths: list[str]) -> int:
        """Add run folders; returns how many were added (unreadable ones are listed in the note)."""
        self.errors = []
        added = 0
        for p in paths:
            try:
                self.model.add(p)
                added += 1
            except Exception as exc:  # a damaged or foreign folder: name it, keep the others
                self.errors.append(" ".join(str(exc).split()))
        if self.errors:
            self.note.setText("<span style='color:#a33'>" + html.escape("; ".join(self.errors)) + "</span>")
        return added

    def add_sweep(self, path: str | Path, task: str | None = None) -> int:
        """Add the recorded runs of a sweep's finished agents of ``task``; returns how many were added.

        Without ``task``: the task of the sessions already compared, if the sweep
        has it, else the sweep's first task.
        """
        try:
            sweep = read_sweep(path)
        except SweepError as exc:
            self.errors = [str(exc)]
            self.note.setText("<span style='color:#a33'>" + html.escape(str(exc)) + "</span>")
            return 0
        tasks = sweep.tasks()
        if task is None:
            task = next((t for t in self.model.tasks() if t in tasks), tasks[0] if tasks else None)
        if task not in tasks:
            message = f"{sweep.path}: the sweep has no agents of {task} (its tasks: {', '.join(tasks) or 'none yet'})"
            self.errors = [message]
            self.note.setText("<span style='color:#a33'>" + html.escape(message) + "</span>")
            return 0
        return self.add_sessions(sweep.session_paths(task))

    def _choose_sweep(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add the agents of a sweep folder", str(self.sessions_root))
        if folder:
            self.add_sweep(folder)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a session folder", str(self.sessions_root))
        if folder:
            self.add_sessions([folder])

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.model.remove(item.data(PATH_ROLE))

    def _checked(self, item: QListWidgetItem) -> None:
        self.model.set_enabled(item.data(PATH_ROLE), item.checkState() == Qt.CheckState.Checked)

    # ------------------------------------------------------------ drawing
    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for e in self.model.entries:
            acc = e.table.accuracy() if len(e.table) else float("nan")
            acc_text = f", {acc:.0%} correct" if acc == acc else ""
            item = QListWidgetItem(f"{e.label}  [{e.kind}, {len(e.table)} trials{acc_text}]")
            item.setData(PATH_ROLE, str(e.path))
            item.setToolTip(f"{e.task}\n{e.path}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if e.enabled else Qt.CheckState.Unchecked)
            item.setForeground(QBrush(qcolor(KIND_COLORS.get(e.kind, KIND_COLORS["?"]))))
            self.list.addItem(item)
        self.list.blockSignals(False)

    def refresh(self) -> None:
        """Redraw every plot from the model (items are reused; series not drawn are hidden)."""
        self._fill_list()
        groups = self.model.groups()
        conditions = self.model.conditions()
        self.conditions.set_conditions(conditions)
        keys: list[str] = []
        kinds = list(groups)
        width = 0.5 / max(len(kinds), 1)
        show_individual = self.individual.isChecked()
        xlabels: tuple[str, str] | None = None
        for gi, (kind, members) in enumerate(groups.items()):
            color = KIND_COLORS.get(kind, KIND_COLORS["?"])
            offset = (gi - (len(kinds) - 1) / 2) * width
            if show_individual:
                for e in members:
                    key = f"ind:{e.path}"
                    keys.append(key)
                    labels, curve = e.table.condition_accuracy()
                    self.conditions.set_condition_curve(key, labels, curve, offset=offset, color=color, alpha=90, width=1.0, size=5, legend="")
                    p = e.table.psychometric()
                    self.psychometric.set_curve(key, p, color=color, alpha=90, width=1.0, size=5, legend="")
                    self.chronometric.set_curve(key, e.table.chronometric(), color=color, alpha=90, width=1.0, size=5, legend="", connect=True)
            pooled = self.model.pooled(kind)
            name = f"{kind} pooled (n={len(members)})"
            key = f"pool:{kind}"
            keys.append(key)
            labels, curve = pooled.condition_accuracy()
            self.conditions.set_condition_curve(key, labels, curve, offset=offset, color=color, width=2.5, size=9, legend=name)
            p = pooled.psychometric()
            self.psychometric.set_curve(key, p, color=color, width=3.0, size=9, legend=name)
            c = pooled.chronometric()
            self.chronometric.set_curve(key, c, color=color, width=3.0, size=9, legend=name, connect=True)
            if xlabels is None and not p.empty:
                xlabels = (p.xlabel, p.ylabel)
        for plot in (self.conditions, self.psychometric, self.chronometric):
            plot.keep(keys)
        if xlabels is not None:
            self.psychometric.setLabel("bottom", xlabels[0])
            self.psychometric.setLabel("left", xlabels[1])
        self.conditions.setXRange(-0.6, max(len(conditions), 1) - 0.4, padding=0)
        tasks = self.model.tasks()
        if not self.errors:
            if len(tasks) > 1:
                self.note.setText(
                    "<span style='color:#a33'>These sessions are of different tasks: " + html.escape(", ".join(tasks)) + "</span>"
                )
            elif self.model.entries:
                n = {k: len(v) for k, v in groups.items()}
                self.note.setText(
                    html.escape(tasks[0] if tasks else "")
                    + ": "
                    + ", ".join(f"{v} {k}" for k, v in n.items())
                    + ". Bold: pooled per player kind, with 95% intervals; practice trials "
                    + ("included." if self.model.include_practice else "left out.")
                )
            else:
                self.note.setText("Add sessions from the Sessions tab (select, then 'Add to comparison').")

    def plotted_series(self) -> dict[str, int]:
        """Visible series per plot (for tests and the pilot)."""
        out = {}
        for name, plot in (("conditions", self.conditions), ("psychometric", self.psychometric), ("chronometric", self.chronometric)):
            out[name] = sum(1 for s in plot.series.values() if s.points.isVisible() and len(s.points.data) > 0)
        return out

    # ------------------------------------------------------------ export
    def export(self, path: str | Path | None = None) -> Path | None:
        """Save the comparison as PNG, SVG or PDF (asks where when ``path`` is None)."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export comparison", str(self.sessions_root / "comparison.png"), "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"
            )
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        title = ", ".join(self.model.tasks())
        try:
            from neurogym_app.plots.compare_figure import save_compare_figure

            written = save_compare_figure(self.model, target, title=title or None)
        except ImportError:
            written = self._export_pyqtgraph(target)
        self.note.setText(f"figure written to {written}")
        return written

    def _export_pyqtgraph(self, target: Path) -> Path:
        import pyqtgraph.exporters as exporters

        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() == ".svg":
            exporters.SVGExporter(self.psychometric.getPlotItem()).export(str(target))
        else:
            target = target.with_suffix(".png")
            self.grab().save(str(target))
        return target

