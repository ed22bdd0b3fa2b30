"""The Replay view: play, pause, step and scrub a recorded run trial by trial and step by step.

The stimulus is shown as it was displayed: the Scene is rebuilt from the
recorded observation and the trial's variables through the task's view. Beside
it: the trial's observation channels, the action taken against the ground
truth, the rewards, the keys pressed at the current step and, for agent runs,
the hidden-state activity and the action probabilities. The play timer lives
in :class:`ReplayController`; the position logic in
:class:`~neurogym_app.runtime.playback.ReplayCursor`.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.plots.steps import ActionPlot, HeatmapPlot, ObservationPlot, ProbsPlot, RewardPlot
from neurogym_app.plots.style import sync_axis_widths
from neurogym_app.qt.stimulus import FitCanvas
from neurogym_app.runtime.playback import ReplayCursor, ReplayModel, ReplayTrial
from neurogym_app.stimuli.scene import Scene, Text

__all__ = ["ReplayController", "ReplayView"]

TIMER_MS = 30


class ReplayController(QObject):
    """Owns the replay timer: while playing, advances the cursor by the wall time elapsed."""

    moved = pyqtSignal()
    playing_changed = pyqtSignal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cursor: ReplayCursor | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(TIMER_MS)
        self.timer.timeout.connect(self._on_timeout)
        self._last = 0.0
        self._announced = False  # what playing_changed last said

    def attach(self, cursor: ReplayCursor | None) -> None:
        self.pause()
        self.cursor = cursor

    def play(self) -> None:
        if self.cursor is None:
            return
        if self.cursor.at_end:
            self.cursor.seek(0, 0)
            self.moved.emit()
        self.cursor.playing = True
        self._last = time.perf_counter()
        self.timer.start()
        self._announced = True
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.cursor is not None:
            self.cursor.playing = False
        self.timer.stop()
        if self._announced:
            self._announced = False
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self.cursor is not None and self.cursor.playing:
            self.pause()
        else:
            self.play()

    def advance(self, seconds: float) -> bool:
        """Advance the cursor by ``seconds`` of wall time (what the timer does; tests call it)."""
        if self.cursor is None:
            return False
        moved = self.cursor.advance(seconds)
        if moved:
            self.moved.emit()
        if not self.cursor.playing:
            self.pause()
        return moved

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        elapsed, self._last = now - self._last, now
        self.advance(min(elapsed, 0.5))


class ReplayView(QWidget):
    """A recorded run, step by step (see module doc)."""

    opened = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: ReplayModel | None = None
        self.cursor: ReplayCursor | None = None
        self.controller = ReplayController(self)
        self._shown_trial: int | None = None
        self.error: str | None = None

        self.title = QLabel("Open a session (Sessions tab or File > Open session) to replay it.")
        self.title.setWordWrap(True)
        self.canvas = FitCanvas(accept_input=False)
        self.canvas.setMinimumSize(300, 225)
        self.info = QTextBrowser()
        self.info.setMinimumHeight(120)
        self.prev_trial = QPushButton("<< Trial")
        self.step_back = QPushButton("< Step")
        self.play_button = QPushButton("Play")
        self.step_fwd = QPushButton("Step >")
        self.next_trial = QPushButton("Trial >>")
        for b, tip in (
            (self.prev_trial, "previous trial (Page Up)"),
            (self.step_back, "one step back (Left)"),
            (self.play_button, "play / pause (Space)"),
            (self.step_fwd, "one step forward (Right)"),
            (self.next_trial, "next trial (Page Down)"),
        ):
            b.setToolTip(tip)
        self.trial_spin = QSpinBox(minimum=1, maximum=1)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(0)
        self.speed = QComboBox()
        for s in ReplayCursor.SPEEDS:
            self.speed.addItem(f"{s:g}x", s)
        self.speed.setCurrentText("1x")
        self.position = QLabel()

        self.obs_plot = ObservationPlot("Observation")
        self.action_plot = ActionPlot("Action and ground truth")
        self.reward_plot = RewardPlot("Reward")
        self.hidden_plot = HeatmapPlot("Hidden-state activity (agent)")
        self.probs_plot = ProbsPlot("Action probabilities (agent)")
        for p in (self.action_plot, self.reward_plot, self.hidden_plot, self.probs_plot):
            p.setXLink(self.obs_plot)
        self.reward_plot.setMaximumHeight(130)

        controls = QHBoxLayout()
        for w in (self.prev_trial, self.step_back, self.play_button, self.step_fwd, self.next_trial):
            controls.addWidget(w)
        controls.addWidget(QLabel("Trial"))
        controls.addWidget(self.trial_spin)
        controls.addWidget(self.slider, 1)
        controls.addWidget(QLabel("Speed"))
        controls.addWidget(self.speed)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.canvas, 3)
        lv.addWidget(self.position)
        lv.addWidget(self.info, 2)
        plots = QSplitter(Qt.Orientation.Vertical)
        for p in (self.obs_plot, self.action_plot, self.reward_plot, self.hidden_plot, self.probs_plot):
            plots.addWidget(p)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(plots)
        split.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(split, 1)

        self.prev_trial.clicked.connect(lambda: self._move(trials=-1))
        self.next_trial.clicked.connect(lambda: self._move(trials=1))
        self.step_back.clicked.connect(lambda: self._move(steps=-1))
        self.step_fwd.clicked.connect(lambda: self._move(steps=1))
        self.play_button.clicked.connect(self.controller.toggle)
        self.trial_spin.valueChanged.connect(self._spin)
        self.slider.valueChanged.connect(self._scrub)
        self.speed.currentIndexChanged.connect(self._speed)
        self.controller.moved.connect(self.show_position)
        self.controller.playing_changed.connect(lambda p: self.play_button.setText("Pause" if p else "Play"))
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, fn in (
            (Qt.Key.Key_Space, self.controller.toggle),
            (Qt.Key.Key_Right, lambda: self._move(steps=1)),
            (Qt.Key.Key_Left, lambda: self._move(steps=-1)),
            (Qt.Key.Key_PageDown, lambda: self._move(trials=1)),
            (Qt.Key.Key_PageUp, lambda: self._move(trials=-1)),
        ):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(ctx)
            sc.activated.connect(fn)
        self._set_enabled(False)
        self._message_scene("no session open")

    # ------------------------------------------------------------ opening
    def open_session(self, path: str | Path) -> bool:
        """Open a run folder; False (with the reason in ``error`` and on screen) if it cannot be read."""
        self.controller.pause()
        try:
            model = ReplayModel(path)
        except Exception as exc:  # SessionFormatError and friends: one line on screen
            self.error = " ".join(str(exc).split())
            self.title.setText(f"<span style='color:#a33'>{html.escape(self.error)}</span>")
            return False
        if self.model is not None:
            self.model.close()
        self.error = None
        self.model = model
        self.cursor = ReplayCursor(lambda pos: model.trial(pos).n_steps, model.n_trials, model.step_s)
        self.controller.attach(self.cursor)
        self._shown_trial = None
        man = model.manifest
        player = man.get("player") or {}
        self.title.setText(
            f"<b>{html.escape(model.task_id)}</b> &mdash; {html.escape(str(man.get('participant') or player.get('id') or '?'))} "
            f"({html.escape(model.kind)}), {model.n_trials} trials, {html.escape(str(man.get('status', '?')))} "
            f"&mdash; <span style='color:#666'>{html.escape(str(model.path))}</span>"
        )
        self.trial_spin.blockSignals(True)
        self.trial_spin.setMaximum(max(1, model.n_trials))
        self.trial_spin.setValue(1)
        self.trial_spin.blockSignals(False)
        self._set_enabled(model.n_trials > 0)
        if model.n_trials == 0:
            self._message_scene("this session has no committed trial")
        else:
            self.show_position()
        self.opened.emit(str(model.path))
        return True

    def _set_enabled(self, on: bool) -> None:
        for w in (self.prev_trial, self.step_back, self.play_button, self.step_fwd, self.next_trial, self.trial_spin, self.slider, self.speed):
            w.setEnabled(on)

    def _message_scene(self, text: str) -> None:
        self.canvas.set_scene(Scene((Text(text, 0.0, 0.0, size=0.7, color=(230, 230, 230)),), units="deg"))

    # ------------------------------------------------------------ moving
    def _move(self, steps: int = 0, trials: int = 0) -> None:
        if self.cursor is None:
            return
        if trials:
            self.cursor.trial_by(trials)
        if steps:
            self.cursor.step_by(steps)
        self.show_position()

    def seek(self, position: int, step: int = 0) -> None:
        if self.cursor is not None:
            self.cursor.seek(position, step)
            self.show_position()

    def advance(self, seconds: float) -> bool:
        return self.controller.advance(seconds)

    def _spin(self, value: int) -> None:
        if self.cursor is not None and value - 1 != self.cursor.position:
            self.seek(value - 1, 0)

    def _scrub(self, value: int) -> None:
        if self.cursor is not None and value != self.cursor.step:
            self.cursor.seek(self.cursor.position, value)
            self.show_position()

    def _speed(self, _index: int) -> None:
        if self.cursor is not None:
            self.cursor.speed = float(self.speed.currentData())

    # ------------------------------------------------------------ drawing
    def current_trial(self) -> ReplayTrial | None:
        if self.model is None or self.cursor is None or self.model.n_trials == 0:
            return None
        return self.model.trial(self.cursor.position)

    def show_position(self) -> None:
        trial = self.current_trial()
        if trial is None or self.cursor is None or self.model is None:
            return
        k = self.cursor.step
        if self._shown_trial != trial.index:
            self._show_trial(trial)
            self._shown_trial = trial.index
        for w, value, maximum in ((self.slider, k, max(trial.n_steps - 1, 0)), (self.trial_spin, self.cursor.position + 1, None)):
            w.blockSignals(True)
            if maximum is not None:
                w.setMaximum(maximum)
            w.setValue(value)
            w.blockSignals(False)
        t_ms = (k + 0.5) * trial.dt
        for p in (self.obs_plot, self.action_plot, self.reward_plot, self.hidden_plot, self.probs_plot):
            p.set_cursor(t_ms)
        within = 0.0
        if self.cursor.playing:
            within = self.cursor.within_step * trial.dt
        try:
            scene = self.model.scene(trial, k, within)
        except Exception as exc:  # a view that cannot draw this step: say so, keep replaying
            scene = None
            self._message_scene(f"cannot draw this step: {exc}")
        if scene is not None:
            self.canvas.set_scene(scene)
        elif self.model.env is None:
            self._message_scene(f"task {self.model.task_id} is not available here")
        self.position.setText(
            f"trial {self.cursor.position + 1}/{self.model.n_trials} (index {trial.index}), "
            f"step {k + 1}/{trial.n_steps}, t = {k * trial.dt:g} ms, period: {trial.period_of(k) or '-'}"
        )
        self.info.setHtml(self._info_html(trial, k))

    def _show_trial(self, trial: ReplayTrial) -> None:
        model = self.model
        assert model is not None
        periods = [(n, a * trial.dt, b * trial.dt) for n, (a, b) in trial.periods.items()]
        names = model.action_names()
        self.obs_plot.update_obs(trial.flat_obs(), trial.dt, model.channel_names() or [])
        self.obs_plot.set_periods(periods)
        self.action_plot.update_steps(trial.series("gt"), trial.dt, action=trial.series("action"), names=names)
        self.action_plot.set_periods(periods)
        t0 = trial.step_time(0)
        presses = []
        for e in trial.events:
            if (e.data or {}).get("kind") == "press":
                if t0 is not None:  # the key's own time, relative to the trial's first step
                    presses.append((e.t - t0) * 1000.0 / max(model.time_scale, 1e-9))
                elif e.data.get("step") is not None:
                    presses.append((e.data["step"] + 0.5) * trial.dt)
        self.action_plot.set_presses(presses)
        self.reward_plot.update_steps(trial.series("reward"), trial.dt)
        self.reward_plot.set_periods(periods)
        hidden, probs = trial.hidden, trial.probs
        self.hidden_plot.setVisible(hidden is not None)
        self.probs_plot.setVisible(probs is not None)
        self.hidden_plot.update_array(hidden, trial.dt)
        self.hidden_plot.set_periods(periods)
        self.probs_plot.update_array(probs, trial.dt, names=names)
        self.probs_plot.set_periods(periods)
        sync_axis_widths([self.obs_plot, self.action_plot, self.reward_plot, self.hidden_plot, self.probs_plot])

    def _info_html(self, trial: ReplayTrial, k: int) -> str:
        row = trial.row
        model = self.model
        names = model.action_names() if model is not None else {}

        def at(name: str) -> str:
            arr = trial.arrays.get(name)
            if arr is None or k >= len(arr):
                return "-"
            v = np.asarray(arr[k]).reshape(-1)
            if v.size == 1 and float(v[0]).is_integer() and name in ("action", "gt"):
                return f"{int(v[0])} ({names.get(int(v[0]), '?')})"
            return ", ".join(f"{x:.3g}" for x in v[:6])

        keys = [
            f"{e.data.get('kind')} {e.data.get('key') or 'pointer'}" + (f" -> {e.data.get('name')}" if e.data.get("name") else "")
            for e in trial.events_at(k)
        ]
        vars_text = ", ".join(f"{k_}={v}" for k_, v in trial.vars.items() if k_ != "trial_seed")
        rt = row.get("rt_ms")
        lines = [
            f"<b>Trial {trial.index}</b>: {html.escape(vars_text)}",
            f"outcome <b>{html.escape(str(row.get('outcome')))}</b>, choice {html.escape(str(row.get('choice_label')))}, "
            f"gt {html.escape(str(row.get('gt_label')))}, reward {row.get('reward')}, "
            + (f"RT {float(rt):.0f} ms" if rt is not None else "no RT"),
            f"<b>Step {k}</b>: action {at('action')}, gt {at('gt')}, reward {at('reward')}",
            f"keys at this step: {html.escape(', '.join(keys)) if keys else 'none'}",
        ]
        probs = trial.probs
        if probs is not None and k < len(probs):
            lines.append("p(action): " + ", ".join(f"{names.get(i, i)} {p:.2f}" for i, p in enumerate(probs[k])))
        return "<br>".join(lines)
