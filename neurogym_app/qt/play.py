"""The Play view: the stimulus canvas of the human-play runtime with live plots beside it.

``PlayController`` owns the frame timer and drives a
:class:`~neurogym_app.runtime.play_setup.PlaySession` (runner, recorder, live
models): on the real clock one runner tick per timer event (a person plays),
or on a virtual clock as many frames as fit in a few milliseconds (a
simulated participant plays as fast as the CPU allows). ``PlayView`` lays out
the options, the canvas and the plots: the scrolling trial timeline, running
accuracy (moving window and per block), the RT histogram and the psychometric
curve (tasks with a stimulus strength), redrawn at most every 50 ms.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.core import registry
from neurogym_app.plots.live import AccuracyPlot, CurvePlot, RTHistogramPlot, TimelinePlot
from neurogym_app.qt.stimulus import CanvasDisplay, ClockProxy, FitCanvas
from neurogym_app.runtime.clock import FakeClock, MonotonicClock
from neurogym_app.runtime.play_setup import PlaySession, start_play
from neurogym_app.runtime.run import PLAYERS, PlayOptions

__all__ = ["PlayController", "PlayView"]

REDRAW_MS = 50  # plot redraws at most this often (a simulated player on a virtual clock)
REDRAW_HUMAN_MS = 100  # while a person plays: fewer repaints competing with the stimulus frames
VIRTUAL_BUDGET_S = 0.012  # wall time spent ticking virtual frames per timer event
VIRTUAL_MAX_FRAMES = 600


class PlayController(QObject):
    """Runs one PlaySession at a time on a QTimer (see module doc).

    Signals: ``started(session)``, ``trial_done(row)``, ``finished(status, path)``,
    ``stats(fps, dropped, frames)`` (about twice a second while playing).
    """

    started = pyqtSignal(object)
    trial_done = pyqtSignal(dict)
    finished = pyqtSignal(str, str)
    stats = pyqtSignal(float, int, int)

    def __init__(self, canvas: FitCanvas, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.clock_proxy = ClockProxy(MonotonicClock())
        canvas.clock = self.clock_proxy
        self.session: PlaySession | None = None
        self.virtual = False
        self.refresh_hz = 60.0
        self.error: str | None = None
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_timeout)
        self._last_stats = 0.0

    @property
    def running(self) -> bool:
        return self.session is not None and not self.session.closed

    def start(
        self,
        options: PlayOptions,
        sessions_root: Any = "sessions",
        *,
        virtual: bool = False,
        refresh_hz: float = 60.0,
        autorun: bool = True,
    ) -> PlaySession:
        """Start a session; with ``autorun=False`` nothing ticks until :meth:`run_frames`."""
        if self.running:
            self.stop()
        self.virtual = virtual
        options.virtual_clock = virtual
        self.refresh_hz = float(refresh_hz)
        clock = FakeClock() if virtual else MonotonicClock()
        self.clock_proxy.clock = clock
        self.canvas.take_events()
        display = CanvasDisplay(self.canvas, self.clock_proxy, refresh_hz)
        self.session = start_play(options, display, sessions_root=sessions_root, lazy_scenes=True, on_trial=self.trial_done.emit)
        self.error = None
        self.started.emit(self.session)
        if autorun:
            self.timer.start(0 if virtual else max(1, int(1000.0 / refresh_hz) - 1))
        return self.session

    def run_frames(self, n: int) -> int:
        """Tick up to ``n`` frames now (virtual clock: each frame advances it one refresh period)."""
        done = 0
        while done < n and self.running:
            self._tick_once()
            done += 1
        return done

    def run_until_done(self, max_frames: int = 10_000_000) -> int:
        return self.run_frames(max_frames)

    def _tick_once(self) -> bool:
        session = self.session
        assert session is not None
        clock = self.clock_proxy.clock
        try:
            alive = session.tick(clock.now())
        except Exception as exc:  # a task or recording error ends the session with a message
            self.error = f"{type(exc).__name__}: {exc}"
            session.close()
            self._finish()
            return False
        if self.virtual:
            clock.advance(1.0 / self.refresh_hz)
        if not alive:
            self._finish()
        return alive

    def _on_timeout(self) -> None:
        if not self.running:
            self.timer.stop()
            return
        if self.virtual:
            t_end = time.perf_counter() + VIRTUAL_BUDGET_S
            for _ in range(VIRTUAL_MAX_FRAMES):
                if not self._tick_once() or time.perf_counter() > t_end:
                    break
        else:
            self._tick_once()
        now = time.perf_counter()
        if now - self._last_stats > 0.5:
            self._last_stats = now
            self.emit_stats()

    def emit_stats(self) -> None:
        session = self.session
        if session is None:
            return
        st = session.runner.stats
        n = len(st.intervals)
        recent = np.fromiter(itertools.islice(st.intervals, max(0, n - 120), n), dtype=float, count=min(n, 120))
        med = float(np.median(recent)) if recent.size else 0.0
        fps = 1.0 / med if med > 0 else 0.0
        self.stats.emit(fps, int(st.dropped), int(st.frames))

    def stop(self) -> None:
        """End the session now (its unfinished trial is not saved)."""
        session = self.session
        if session is None or session.closed:
            return
        session.stop()
        try:
            session.tick(self.clock_proxy.now())
        except Exception:  # stopping must always work
            pass
        session.close()
        self._finish()

    def _finish(self) -> None:
        self.timer.stop()
        session = self.session
        if session is None:
            return
        self.emit_stats()
        path = str(session.path) if session.path is not None else ""
        status = session.runner.status if not self.error else "error"
        self.finished.emit(status, path)


class PlayView(QWidget):
    """Options, stimulus canvas, live plots (see module doc)."""

    session_finished = pyqtSignal(str, str)  # status, path

    def __init__(self, sessions_root: Any = "sessions", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions_root = sessions_root
        self.canvas = FitCanvas()
        self.canvas.setMinimumSize(320, 240)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.controller = PlayController(self.canvas, self)
        self._fs_window: QWidget | None = None
        self._drawn = (-1, -1)

        # options
        self.task_combo = QComboBox()
        self.task_combo.setEditable(True)
        self.task_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.task_combo.addItems([i for i, e in sorted(registry.entries().items()) if e.available])
        self.task_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.participant = QLineEdit("anon")
        self.session_no = QSpinBox(minimum=1, maximum=999, value=1)
        self.trials = QSpinBox(minimum=1, maximum=100_000, value=20)
        self.player = QComboBox()
        self.player.addItems(list(PLAYERS))
        self.player.setToolTip("human: you play with the keyboard; oracle/random/lapse: a simulated participant")
        self.timing = QComboBox()
        self.timing.addItems(["human", "default"])
        self.time_scale = QDoubleSpinBox(minimum=0.1, maximum=10.0, value=1.0, singleStep=0.25)
        self.view_kind = QComboBox()
        self.view_kind.addItems(["natural", "agent"])
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("random")
        self.virtual = QCheckBox("fast (virtual clock)")
        self.virtual.setToolTip("simulated players only: run as fast as the CPU allows, times on a virtual clock")
        self.record = QCheckBox("record session")
        self.record.setChecked(True)
        self.feedback = QCheckBox("feedback")
        self.feedback.setChecked(True)
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.fullscreen_button = QPushButton("Full screen")
        self.fullscreen_button.setCheckable(True)
        self.fullscreen_button.setToolTip("Show the stimulus full screen (F11; Esc ends the session)")
        self.message = QLabel("Choose a task and press Start.")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Task", self.task_combo)
        form.addRow("Participant", self.participant)
        form.addRow("Session", self.session_no)
        form.addRow("Trials", self.trials)
        form.addRow("Player", self.player)
        form.addRow("Timing", self.timing)
        form.addRow("Time scale", self.time_scale)
        form.addRow("View", self.view_kind)
        form.addRow("Seed", self.seed)
        checks = QHBoxLayout()
        for w in (self.virtual, self.record, self.feedback):
            checks.addWidget(w)
        form.addRow(checks)
        box = QGroupBox("Session")
        box.setLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.fullscreen_button)

        self.left = QWidget()
        lv = QVBoxLayout(self.left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(box)
        lv.addLayout(buttons)
        lv.addWidget(self.message)
        self.canvas_holder = QVBoxLayout()
        self.canvas_holder.addWidget(self.canvas, 1)
        lv.addLayout(self.canvas_holder, 1)

        # plots
        self.timeline = TimelinePlot()
        self.accuracy = AccuracyPlot()
        self.rt_hist = RTHistogramPlot()
        self.psychometric = CurvePlot("Psychometric curve", "signed strength", "P(positive choice)", ylim=(-0.02, 1.02))
        self.summary = QLabel()
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout()
        grid.addWidget(self.timeline, 0, 0, 1, 2)
        grid.addWidget(self.accuracy, 1, 0)
        grid.addWidget(self.rt_hist, 1, 1)
        grid.addWidget(self.psychometric, 2, 0)
        grid.addWidget(self.summary, 2, 1)
        for r, s in ((0, 3), (1, 3), (2, 3)):
            grid.setRowStretch(r, s)
        right = QWidget()
        right.setLayout(grid)
        split = QSplitter()
        split.addWidget(self.left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.refresh_plots)
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.stop)
        self.fullscreen_button.toggled.connect(self.set_fullscreen)
        self.player.currentTextChanged.connect(self._player_changed)
        self.controller.finished.connect(self._finished)
        self.controller.started.connect(self._started)
        self._player_changed(self.player.currentText())
        self.refresh_plots(force=True)

    # ------------------------------------------------------------ options
    def set_task(self, task_id: str) -> None:
        self.task_combo.setCurrentText(task_id)

    def _player_changed(self, player: str) -> None:
        self.virtual.setEnabled(player != "human")
        if player == "human":
            self.virtual.setChecked(False)

    def options(self) -> PlayOptions:
        """The PlayOptions the form describes (ValueError with a one-line message if invalid)."""
        seed_text = self.seed.text().strip()
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise ValueError(f"seed must be a whole number, got {seed_text!r}") from None
        player = self.player.currentText()
        return PlayOptions(
            task_id=self.task_combo.currentText().strip(),
            participant=self.participant.text().strip() or "anon",
            session=int(self.session_no.value()),
            n_trials=int(self.trials.value()),
            seed=seed,
            timing=self.timing.currentText(),
            time_scale=float(self.time_scale.value()),
            view=self.view_kind.currentText(),
            player=player,
            feedback=self.feedback.isChecked(),
            record=self.record.isChecked(),
            wait_for_start=player == "human",
            iti_ms=500.0,
        )

    def show_options(self, opts: PlayOptions) -> None:
        """Fill the form from ``opts`` (so what is shown is what runs)."""
        self.task_combo.setCurrentText(opts.task_id)
        self.participant.setText(opts.participant)
        self.session_no.setValue(int(opts.session))
        self.trials.setValue(int(opts.n_trials))
        self.player.setCurrentText(opts.player)
        if isinstance(opts.timing, str):
            self.timing.setCurrentText(opts.timing)
        self.time_scale.setValue(float(opts.time_scale))
        self.view_kind.setCurrentText(opts.view)
        self.seed.setText("" if opts.seed is None else str(opts.seed))
        self.record.setChecked(bool(opts.record))
        self.feedback.setChecked(bool(opts.feedback))

    # ------------------------------------------------------------ running
    def start(self, options: PlayOptions | None = None, *, autorun: bool = True) -> PlaySession | None:
        """Start playing (the form's options unless ``options`` is given)."""
        try:
            opts = options or self.options()
            if options is not None:
                self.show_options(options)
            virtual = self.virtual.isChecked() and opts.player != "human"
            session = self.controller.start(opts, self.sessions_root, virtual=virtual, autorun=autorun)
        except Exception as exc:  # bad options, unknown task, not playable, disk errors: one line
            self.message.setText(f"<span style='color:#a33'>{' '.join(str(exc).split())}</span>")
            return None
        if opts.player == "human":
            self.canvas.setFocus()
        return session

    def stop(self) -> None:
        self.controller.stop()

    def _started(self, session: PlaySession) -> None:
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        where = f"recording to {session.path}" if session.path is not None else "not recorded"
        who = "you" if session.options.player == "human" else f"simulated {session.options.player} participant"
        keys = session.keymap.describe().replace(" | ", ", ")
        self.message.setText(f"Playing {session.options.task_id} ({who}, seed {session.seed}); {where}.<br>Keys: {keys}")
        has_strength = session.table.strength_var is not None or callable(getattr(session.env.unwrapped, "signed_strength", None))
        self.psychometric._show_empty(True, "collecting trials..." if has_strength else "this task has no stimulus strength")
        self._drawn = (-1, -1)
        self.redraw_timer.setInterval(REDRAW_HUMAN_MS if session.options.player == "human" else REDRAW_MS)
        self.redraw_timer.start()
        self.refresh_plots(force=True)

    def _finished(self, status: str, path: str) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.redraw_timer.stop()
        self.refresh_plots(force=True)
        if self.fullscreen_button.isChecked():
            self.fullscreen_button.setChecked(False)
        error = self.controller.error
        text = f"Session {status}" + (f": {error}" if error else "") + (f"; saved in {path}" if path else "")
        self.message.setText(text)
        self.session_finished.emit(status, path)

    # ------------------------------------------------------------ drawing
    def refresh_plots(self, force: bool = False) -> None:
        """Redraw the plots if the session changed since the last redraw (throttled by the timer)."""
        session = self.controller.session
        if session is None:
            if force:
                self.summary.setText("No session yet.")
            return
        table, timeline = session.table, session.timeline
        key = (table.version, timeline.version)
        if key == self._drawn and not force:
            return
        if timeline.version != self._drawn[1] or force:
            self.timeline.update_from(timeline)
        if table.version != self._drawn[0] or force:
            self.accuracy.update_from(table)
            self.rt_hist.update_from(table)
            if table.has_strength:
                curve = table.psychometric()
                self.psychometric.setLabel("bottom", curve.xlabel)
                self.psychometric.setLabel("left", curve.ylabel)
                self.psychometric.set_curve("session", curve, color=(31, 119, 180), legend="")
            self.summary.setText(self._summary_html(session))
        self._drawn = key

    def _summary_html(self, session: PlaySession) -> str:
        t = session.table
        n = len(t)
        acc = t.accuracy()
        rt = t.column("rt_ms")
        rt = rt[np.isfinite(rt)]
        counts = t.outcome_counts()
        st = session.runner.stats
        lines = [
            f"<b>{session.options.task_id}</b>",
            f"trials: {n} of {session.options.n_trials}",
            f"accuracy: {acc:.1%}" if n and np.isfinite(acc) else "accuracy: -",
            f"median RT: {np.median(rt):.0f} ms" if rt.size else "median RT: -",
            ", ".join(f"{k}: {v}" for k, v in counts.items()),
            f"frames: {st.frames}, dropped: {st.dropped}" + (" (virtual clock)" if self.controller.virtual else ""),
        ]
        if session.path is not None:
            lines.append(f"<span style='color:#666'>{session.path}</span>")
        return "<br>".join(lines)

    # ------------------------------------------------------------ full screen
    def set_fullscreen(self, on: bool) -> None:
        """Move the stimulus canvas to a full-screen window (and back)."""
        if on and self._fs_window is None:
            window = QWidget(None, Qt.WindowType.Window)
            window.setWindowTitle("neurogym-app stimulus")
            window.setStyleSheet("background: black;")
            lay = QVBoxLayout(window)
            lay.setContentsMargins(0, 0, 0, 0)
            self.canvas_holder.removeWidget(self.canvas)
            lay.addWidget(self.canvas)
            window.showFullScreen()
            self._fs_window = window
            self.canvas.setFocus()
        elif not on and self._fs_window is not None:
            window, self._fs_window = self._fs_window, None
            window.layout().removeWidget(self.canvas)
            self.canvas.setParent(self.left)
            self.canvas_holder.addWidget(self.canvas, 1)
            self.canvas.show()
            window.close()
            window.deleteLater()
        if self.fullscreen_button.isChecked() != on:
            self.fullscreen_button.blockSignals(True)
            self.fullscreen_button.setChecked(on)
            self.fullscreen_button.blockSignals(False)

    @property
    def is_fullscreen(self) -> bool:
        return self._fs_window is not None
