"""The period inspector: sampled trials of a task on a time axis, and a live timing editor.

For a task and a seed it shows the periods of several sampled trials (one row
each), every observation channel (traces or a heatmap), the ground truth and
the rewards of a ground-truth player. The timing editor offers constant,
uniform, choice and truncated-exponential durations per period; every edit
regenerates the trials (debounced), and "Export experiment" writes the timing
as an experiment TOML in ``envs/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.core import registry
from neurogym_app.core.timing import TimingError
from neurogym_app.plots.steps import ActionPlot, ObservationPlot, PeriodRasterPlot, RewardPlot
from neurogym_app.plots.style import sync_axis_widths
from neurogym_app.runtime.inspection import (
    FORMS,
    SampledTrials,
    parse_form,
    sample_trials,
    spec_form,
    task_timing,
    write_experiment,
)

__all__ = ["TimingEditor", "PeriodInspector"]

DEBOUNCE_MS = 150


class TimingEditor(QTableWidget):
    """One row per period: distribution, parameters (ms) and what was sampled.

    ``changed`` is emitted after every edit; :meth:`timing` returns the specs
    (rows with errors keep their last valid spec and are marked red).
    """

    changed = pyqtSignal()
    COLS = ("period", "distribution", "ms", "sampled ms")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLS), parent)
        self.setHorizontalHeaderLabels(list(self.COLS))
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 110)
        self._specs: dict[str, Any] = {}
        self._periods: list[str] = []
        self.errors: dict[str, str] = {}
        self._loading = False

    def set_timing(self, timing: dict[str, Any]) -> None:
        """Show ``timing`` (rows are reused when the periods are the same, so no widget is recreated)."""
        self._loading = True
        try:
            self._specs = dict(timing)
            periods = list(timing)
            if periods != self._periods:
                self._build_rows(periods)
            self.errors = {}
            for row, period in enumerate(periods):
                dist, text = spec_form(timing[period])
                combo: QComboBox = self.cellWidget(row, 1)  # type: ignore[assignment]
                edit: QLineEdit = self.cellWidget(row, 2)  # type: ignore[assignment]
                combo.clear()
                combo.addItems(list(FORMS) if dist != "fixed" else ["fixed"])
                combo.setCurrentText(dist)
                combo.setEnabled(dist != "fixed")
                edit.setText(text)
                edit.setEnabled(dist != "fixed")
                edit.setPlaceholderText(self._hint(dist))
                edit.setStyleSheet("")
                edit.setToolTip("")
                self.item(row, 3).setText("")
        finally:
            self._loading = False

    def _build_rows(self, periods: list[str]) -> None:
        for row in range(self.rowCount()):
            for col in (1, 2):
                old = self.cellWidget(row, col)
                if old is not None:
                    self.removeCellWidget(row, col)
                    old.hide()
                    old.deleteLater()
        self._periods = periods
        self.setRowCount(len(periods))
        for row, period in enumerate(periods):
            name = QTableWidgetItem(period)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, 0, name)
            combo = QComboBox()
            combo.currentTextChanged.connect(lambda _t, r=row: self._edited(r))
            self.setCellWidget(row, 1, combo)
            edit = QLineEdit()
            edit.textChanged.connect(lambda _t, r=row: self._edited(r))
            self.setCellWidget(row, 2, edit)
            sampled = QTableWidgetItem("")
            sampled.setFlags(sampled.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, 3, sampled)

    @staticmethod
    def _hint(dist: str) -> str:
        return {
            "constant": "ms",
            "uniform": "low, high",
            "choice": "ms, ms, ...",
            "truncated_exponential": "mean[, min[, max]]",
        }.get(dist, "")

    def periods(self) -> list[str]:
        return list(self._periods)

    def combo(self, period: str) -> QComboBox:
        return self.cellWidget(self._periods.index(period), 1)  # type: ignore[return-value]

    def editor(self, period: str) -> QLineEdit:
        return self.cellWidget(self._periods.index(period), 2)  # type: ignore[return-value]

    def set_form(self, period: str, distribution: str, text: str) -> None:
        """Set a row as a user would (emits ``changed``)."""
        self.combo(period).setCurrentText(distribution)
        self.editor(period).setText(text)

    def _edited(self, row: int) -> None:
        if self._loading:
            return
        period = self._periods[row]
        combo: QComboBox = self.cellWidget(row, 1)  # type: ignore[assignment]
        edit: QLineEdit = self.cellWidget(row, 2)  # type: ignore[assignment]
        edit.setPlaceholderText(self._hint(combo.currentText()))
        try:
            self._specs[period] = parse_form(period, combo.currentText(), edit.text())
            self.errors.pop(period, None)
            edit.setStyleSheet("")
            edit.setToolTip("")
        except TimingError as exc:
            self.errors[period] = str(exc)
            edit.setStyleSheet("background: #fbe3e1;")
            edit.setToolTip(str(exc))
        self.changed.emit()

    def timing(self) -> dict[str, Any]:
        return dict(self._specs)

    def show_sampled(self, durations: dict[str, list[float]]) -> None:
        """Summarise the durations drawn for each period (range, or the value if constant)."""
        for row, period in enumerate(self._periods):
            values = durations.get(period, [])
            if not values:
                text = "-"
            elif min(values) == max(values):
                text = f"{values[0]:g}"
            else:
                text = f"{min(values):g}-{max(values):g}"
            item = self.item(row, 3)
            if item is not None:
                item.setText(text)
                item.setToolTip(", ".join(f"{v:g}" for v in values))


class PeriodInspector(QWidget):
    """Sampled trials of one task, with a timing editor (see module doc)."""

    regenerated = pyqtSignal()
    exported = pyqtSignal(str)

    def __init__(self, envs_dir: str | Path = "envs", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.envs_dir = Path(envs_dir)
        self.task_id: str | None = None
        self.sampled: SampledTrials | None = None
        self.error: str | None = None
        self._dt = 100.0

        self.task_combo = QComboBox()
        self.task_combo.setEditable(True)
        self.task_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.task_combo.setMinimumContentsLength(28)
        ids = [i for i, e in sorted(registry.entries().items()) if e.available]
        self.task_combo.addItems(ids)
        self.task_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        self.n_trials = QSpinBox(minimum=1, maximum=50, value=5)
        self.preset = QComboBox()
        self.mode = QComboBox()
        self.mode.addItems(["traces", "heatmap"])
        self.reset_button = QPushButton("Reset timing")
        self.export_button = QPushButton("Export experiment...")
        self.export_button.setToolTip("Write this timing as an experiment TOML in envs/")
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.editor = TimingEditor()
        self.raster = PeriodRasterPlot()
        self.obs_plot = ObservationPlot("Observation (all channels)")
        self.gt_plot = ActionPlot("Ground truth")
        self.reward_plot = RewardPlot("Reward of a ground-truth player")
        self.gt_plot.setXLink(self.obs_plot)
        self.reward_plot.setXLink(self.obs_plot)
        self.gt_plot.setMaximumHeight(150)
        self.reward_plot.setMaximumHeight(130)

        top = QHBoxLayout()
        for label, w in (("Task", self.task_combo), ("Seed", self.seed), ("Trials", self.n_trials), ("Timing preset", self.preset), ("Show", self.mode)):
            top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addStretch(1)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>Timing editor</b> (durations in ms, rounded to dt)"))
        lv.addWidget(self.editor, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.export_button)
        lv.addLayout(buttons)
        lv.addWidget(self.status)
        plots = QSplitter(Qt.Orientation.Vertical)
        for w in (self.raster, self.obs_plot, self.gt_plot, self.reward_plot):
            plots.addWidget(w)
        plots.setSizes([170, 320, 120, 110])
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(plots)
        split.setSizes([380, 820])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.regenerate)
        # bound methods, not lambdas: PyQt disconnects them when this widget is deleted
        self.task_combo.textActivated.connect(self._task_chosen)
        self.task_combo.lineEdit().returnPressed.connect(self._task_chosen)
        self.seed.valueChanged.connect(self.schedule)
        self.n_trials.valueChanged.connect(self.schedule)
        self.preset.textActivated.connect(self._load_preset)
        self.mode.currentTextChanged.connect(self.obs_plot.set_mode)
        self.editor.changed.connect(self.schedule)
        self.reset_button.clicked.connect(self._load_preset)
        self.export_button.clicked.connect(self._export_clicked)

    # --------------------------------------------------------------- task
    def _task_chosen(self, *_args: Any) -> None:
        text = self.task_combo.currentText().strip()
        if text and text != self.task_id:
            self.set_task(text)

    def _export_clicked(self, *_args: Any) -> None:
        self.export_experiment()

    def set_task(self, task_id: str) -> None:
        """Show ``task_id`` (its default timing preset: ``human`` if it has one)."""
        try:
            registry.spec(task_id)
        except registry.UnknownTaskError as exc:
            self._set_status(str(exc), error=True)
            return
        self.task_id = task_id
        self.task_combo.setCurrentText(task_id)
        try:
            _, _, presets = task_timing(task_id)
        except Exception as exc:  # a task that cannot be built: say why
            self._set_status(f"{task_id}: {exc}", error=True)
            return
        self.preset.blockSignals(True)
        self.preset.clear()
        self.preset.addItems(presets)
        self.preset.setCurrentText("human" if "human" in presets else "default")
        self.preset.blockSignals(False)
        self._load_preset()

    def _load_preset(self, *_args: Any) -> None:
        if not self.task_id:
            return
        try:
            timing, dt, _ = task_timing(self.task_id, self.preset.currentText())
        except Exception as exc:  # shown, not raised: the inspector stays usable
            self._set_status(f"{self.task_id}: {exc}", error=True)
            return
        self._dt = dt
        self.editor.set_timing(timing)
        self.regenerate()

    def schedule(self, *_args: Any) -> None:
        """Regenerate after a short pause (edits come in bursts while typing)."""
        self._timer.start()

    # --------------------------------------------------------------- model
    def regenerate(self) -> SampledTrials | None:
        """Sample the trials again with the current task, seed, count and timing."""
        self._timer.stop()
        if not self.task_id:
            return None
        try:
            sampled = sample_trials(
                self.task_id,
                seed=int(self.seed.value()),
                n_trials=int(self.n_trials.value()),
                timing=self.editor.timing() or None,
            )
        except Exception as exc:  # show the task's own message, keep the last plots
            self._set_status(f"cannot sample {self.task_id}: {' '.join(str(exc).split())}", error=True)
            return None
        self.sampled = sampled
        self._show(sampled)
        bad = "; ".join(self.editor.errors.values())
        if bad:
            self._set_status(bad, error=True)
        else:
            total = sampled.n_steps * sampled.dt
            n_ok = sum(1 for t in sampled.trials if t.correct)
            self._set_status(
                f"{len(sampled.trials)} trials, {sampled.n_steps} steps of {sampled.dt:g} ms "
                f"({total / 1000:.1f} s); ground-truth player correct on {n_ok}"
            )
        self.regenerated.emit()
        return sampled

    def _show(self, s: SampledTrials) -> None:
        rows = [list(t.periods) for t in s.trials]
        ends = [t.n_steps * s.dt for t in s.trials]
        self.raster.update_trials(rows, ends)
        periods, bounds = [], []
        for t in s.trials:
            base = t.start_step * s.dt
            end = t.n_steps * s.dt  # a trial can end before its last period (a response ends it)
            periods += [(n, base + a, base + min(b, end)) for n, a, b in t.periods if a < end]
            if t.start_step:
                bounds.append(base)
        self.obs_plot.update_obs(s.ob, s.dt, s.channels)
        self.obs_plot.set_periods(periods, bounds)
        self.gt_plot.update_steps(s.gt, s.dt, names=s.action_names)
        self.gt_plot.set_periods(periods, bounds)
        self.reward_plot.update_steps(s.reward, s.dt)
        self.reward_plot.set_periods(periods, bounds)
        self.editor.show_sampled(s.durations())
        sync_axis_widths([self.raster, self.obs_plot, self.gt_plot, self.reward_plot])

    def _set_status(self, text: str, error: bool = False) -> None:
        self.error = text if error else None
        self.status.setText(text)
        self.status.setStyleSheet("color: #a33;" if error else "color: #333;")

    # --------------------------------------------------------------- export
    def default_export_path(self) -> Path:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", (self.task_id or "task").replace("-v0", ""))
        return self.envs_dir / f"{base}_experiment.toml"

    def export_experiment(self, path: str | Path | None = None) -> Path | None:
        """Write the current task and timing as an experiment TOML (asks where when ``path`` is None)."""
        if not self.task_id:
            return None
        if self.editor.errors:
            self._set_status("fix the timing errors before exporting: " + "; ".join(self.editor.errors.values()), error=True)
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export experiment", str(self.default_export_path()), "TOML (*.toml)")
            if not chosen:
                return None
            path = chosen
        written = write_experiment(
            path, self.task_id, self.editor.timing(), dt=self._dt, n_trials=100, seed=int(self.seed.value())
        )
        self._set_status(f"experiment written to {written}")
        self.exported.emit(str(written))
        return written

    # ------------------------------------------------------------ queries
    def period_durations(self) -> dict[str, list[float]]:
        return self.sampled.durations() if self.sampled is not None else {}
