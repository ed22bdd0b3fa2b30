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

import gc
import itertools
import time
from typing import Any

import numpy as np
from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
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

from neurogym_app.analysis.trial_table import sort_conditions
from neurogym_app.core import registry
from neurogym_app.plots.live import AccuracyPlot, ConditionPlot, CurvePlot, RTHistogramPlot, TimelinePlot
from neurogym_app.plots.style import KIND_COLORS
from neurogym_app.qt.stimulus import CanvasDisplay, ClockProxy, FitCanvas
from neurogym_app.runtime.against import constant_rt_note
from neurogym_app.runtime.clock import FakeClock, MonotonicClock
from neurogym_app.runtime.play_setup import PlaySession, start_play
from neurogym_app.runtime.run import PLAYERS, PlayOptions

__all__ = ["PlayController", "PlayView"]

REDRAW_MS = 50  # plot redraws at most this often (a simulated player on a virtual clock)
REDRAW_HUMAN_MS = 100  # while a person plays: fewer repaints competing with the stimulus frames
VIRTUAL_BUDGET_S = 0.012  # wall time spent ticking virtual frames per timer event
VIRTUAL_MAX_FRAMES = 600
FRAME_SLACK_MS = 4.0  # of every frame period, kept free for the stimulus frame itself and timer jitter
PAGE_AHEAD = 0.4  # of the timeline's window: between trials the page turns if the next trial would reach its edge
STARVED_FRAMES = 30  # redraws waiting this many frames run at the next frame between trials, fitting or not
NOBODY = "(nobody)"
BROWSE = "Browse for an agent or a recorded agent session..."


def _first_period_end(trial: Any) -> int:
    """The step at which a trial's first period (e.g. fixation) ends: its stimulus starts there."""
    spans = [span for span in trial.periods.values() if span[1] > span[0]]
    if not spans:
        return 0
    first = min(a for a, _ in spans)
    return min(b for a, b in spans if a == first)


class RedrawBudget:
    """Plot redraws fitted between stimulus frames by their measured cost.

    Each job is a plot (or the summary) whose data changed. A redraw is two
    steps on two frames: the update (new data into the plot, with the plot's
    painting held back), then the repaint (painting let through; Qt paints it
    right after, before the next frame is due). After each frame :meth:`run`
    takes at most one step, and only if its estimated cost (the job's last
    update time, the plot's last repaint) fits in what is left of the frame
    period; otherwise it waits for a later frame. Nothing ever delays a
    stimulus frame for a plot.
    """

    def __init__(self) -> None:
        self.cost_ms: dict[str, float] = {}  # update time per job
        self.dirty: dict[str, Any] = {}  # name -> (update callable, widget with paint_ms or None)
        self.held: list[Any] = []  # widgets updated, their repaint still held back
        self.waited = 0  # frames since the last step while work was waiting
        self.done = 0
        self.deferred = 0
        self.last: str | None = None  # the step the last run took ("<job>" or "paint:<job>"; None: nothing)

    def mark(self, name: str, update: Any, widget: Any = None) -> None:
        self.dirty[name] = (update, widget)

    def estimate(self, name: str) -> float:
        return self.cost_ms.get(name, 3.0)

    def run(self, budget_ms: float, force: bool = False, only: Any = None) -> float:
        """Take the next step that fits in ``budget_ms`` (a held repaint first), or the next one anyway
        with ``force`` (between trials, once it has waited too long); ``only``: the jobs that may update
        now (the others wait); the time spent (ms)."""
        self.last = None
        if force:
            budget_ms = float("inf")
        if not self.held and not self.dirty:
            self.waited = 0
            return 0.0
        self.waited += 1
        widget = self.held[0] if self.held else None
        if widget is not None and any(w is widget for _, w in self.dirty.values()):
            widget = None  # more updates of the held plot are waiting (its steps): take them before its one repaint
        if widget is not None:
            paint = float(getattr(widget, "paint_ms", 0.0) or 0.0)
            if paint > budget_ms:
                self.deferred += 1
                return 0.0
            self.waited = 0
            self.held.pop(0)
            self.last = f"paint:{type(widget).__name__}"
            if widget not in self.held:
                widget.setUpdatesEnabled(True)  # Qt repaints it once this frame's handler returns
            return paint
        held = self.held[0] if self.held else None
        names = list(self.dirty)
        if held is not None:
            names = [n for n in names if self.dirty[n][1] is held]
        if only is not None:  # "<job>:<part>": a part (e.g. an axis to lay out) of an allowed job
            names = [n for n in names if n.split(":")[0] in only]
        for name in names:
            if self.estimate(name) > budget_ms:
                self.deferred += 1
                continue
            update, widget = self.dirty.pop(name)
            self.waited = 0
            self.last = name
            if widget is not None and widget not in self.held:
                widget.setUpdatesEnabled(False)
                self.held.append(widget)
            t0 = time.perf_counter()
            update()
            took = (time.perf_counter() - t0) * 1000.0
            self.cost_ms[name] = 0.7 * self.cost_ms.get(name, took) + 0.3 * took
            self.done += 1
            # what the update left for the repaint (an axis to lay out, its range changed): steps of their own
            for part, step in getattr(widget, "render_steps", list)():
                self.dirty.setdefault(f"{name.split(':')[0]}:{part}", (step, widget))
            return took
        return 0.0

    def flush(self) -> None:
        """Let every held repaint through (the session ended: no frame to protect)."""
        for widget in self.held:
            widget.setUpdatesEnabled(True)
        self.held = []


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
        self._gc_held = False  # the cyclic GC disabled by us during a trial
        self.after_tick: Any = None  # called after every real-time tick with the tick's start (perf_counter)

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
        opponent: Any = None,
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
        display = CanvasDisplay(self.canvas, self.clock_proxy, refresh_hz, audio=not virtual)
        self.session = start_play(
            options, display, sessions_root=sessions_root, lazy_scenes=True, on_trial=self.trial_done.emit, opponent=opponent
        )
        self.error = None
        self.started.emit(self.session)
        if autorun:
            if not virtual:  # what exists now (Qt, plots, the task) lives on: later collections need not scan it
                gc.collect()
                gc.freeze()
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
            t0 = time.perf_counter()
            self._tick_once()
            self._gc_between_trials()
            if self.after_tick is not None and self.running:
                self.after_tick(t0)
        now = time.perf_counter()
        if now - self._last_stats > 0.5:
            self._last_stats = now
            self.emit_stats()

    def _gc_between_trials(self) -> None:
        """No cyclic garbage collection during a trial's stimulus frames (a full collection can take a frame
        period): collections are held off while a trial runs and happen as usual between trials."""
        session = self.session
        in_trial = session is not None and not session.closed and session.runner.phase == "trial"
        if in_trial and gc.isenabled():
            gc.disable()
            self._gc_held = True
        elif not in_trial and self._gc_held:
            gc.enable()
            self._gc_held = False

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
        if self._gc_held:
            gc.enable()
            self._gc_held = False
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
        self.against = QComboBox()
        self.against.setEditable(True)
        self.against.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.against.setToolTip(
            "A trained agent (or a folder of agents, or a recorded agent session) that faces the very trials played here; "
            "shown on these plots only, never on the participant's screen"
        )
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
        form.addRow("Compare with", self.against)
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
        self.chronometric = CurvePlot("Chronometric curve", "|signed strength|", "RT (ms)")
        self.conditions = ConditionPlot()
        self.summary = QLabel()
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # its text changes after every trial: with its size hint ignored that never re-lays out the grid
        # (a new layout resizes and repaints every plot at once: tens of ms in one frame)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        grid = QGridLayout()
        grid.addWidget(self.timeline, 0, 0, 1, 2)
        grid.addWidget(self.accuracy, 1, 0)
        grid.addWidget(self.conditions, 1, 1)
        grid.addWidget(self.psychometric, 2, 0)
        grid.addWidget(self.chronometric, 2, 1)
        grid.addWidget(self.rt_hist, 3, 0)
        grid.addWidget(self.summary, 3, 1)
        for r, s in ((0, 4), (1, 3), (2, 3), (3, 3)):
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
        self.controller.after_tick = self._between_frames
        self.budget = RedrawBudget()
        self._drawn_keys: dict[str, Any] = {}
        self._page_turned_in = -1
        self.task_combo.currentTextChanged.connect(self._fill_against)
        self.against.activated.connect(self._against_chosen)
        self._player_changed(self.player.currentText())
        self._fill_against(self.task_combo.currentText())
        self.refresh_plots(force=True)

    # ------------------------------------------------------------ compare with
    def _fill_against(self, task_id: str) -> None:
        """The agents (and agent sessions) of this task the chooser offers, then Browse."""
        from neurogym_app.agents.against import choices_for

        current = self.against.currentText()
        self.against.blockSignals(True)
        self.against.clear()
        self.against.addItem(NOBODY)
        for label, path in choices_for(task_id.strip(), self.sessions_root):
            self.against.addItem(label, str(path))
        self.against.addItem(BROWSE)
        if current and current not in (NOBODY, BROWSE) and self.against.findText(current) >= 0:
            self.against.setCurrentText(current)
        else:
            self.against.setCurrentIndex(0)
        self.against.blockSignals(False)

    def _against_chosen(self, index: int) -> None:
        if self.against.itemText(index) != BROWSE:
            return
        folder = QFileDialog.getExistingDirectory(self, "Agent folder, folder of agents, or recorded agent session", str(self.sessions_root))
        if folder:
            self.set_against(folder)
        else:
            self.against.setCurrentIndex(0)

    def set_against(self, where: Any) -> None:
        """Compare with ``where`` (an agent folder or name, a folder of agents, a recorded agent session; None: nobody)."""
        if where is None:
            self.against.setCurrentIndex(0)
            return
        text = str(where)
        i = self.against.findData(text)
        if i < 0:
            self.against.insertItem(self.against.count() - 1, text, text)
            i = self.against.count() - 2
        self.against.setCurrentIndex(i)

    def against_target(self) -> str | None:
        text = self.against.currentText().strip()
        if not text or text in (NOBODY, BROWSE):
            return None
        data = self.against.currentData()
        return str(data) if data else text

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
            opponent = None
            target = self.against_target()
            if target is not None:
                from neurogym_app.agents.against import opponent_for

                opponent = opponent_for([target], out=self.sessions_root, session=opts.session)
                if opponent.plan(0) is not None:  # a recorded agent session: its trials are the plan
                    opts.n_trials = min(opts.n_trials, len(opponent.trials))
            session = self.controller.start(opts, self.sessions_root, virtual=virtual, autorun=autorun, opponent=opponent)
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
        self.message.setText(f"Playing {session.options.task_id} ({who}, seed {session.seed}, {session.view_kind} view); {where}.<br>Keys: {keys}")
        has_strength = session.table.strength_var is not None or callable(getattr(session.env.unwrapped, "signed_strength", None))
        self.psychometric.show_message("collecting trials..." if has_strength else "this task has no stimulus strength")
        self._drawn = (-1, -1)
        self._drawn_keys = {}
        self._page_turned_in = -1  # the inter-trial interval (trials done) in which the page turned early
        self.budget = RedrawBudget()
        if session.against is not None:
            labels = session.against.model.labels
            names = ", ".join(labels) if len(labels) <= 2 else f"{len(labels)} agents ({labels[0]}, ...)"
            self.message.setText(self.message.text() + f"<br>Compare with: {names} (the same trials; on these plots only)")
        for plot in (self.accuracy, self.rt_hist):
            for key in list(plot.others):
                plot.set_other(key, None)
        for plot in (self.psychometric, self.chronometric, self.conditions):
            plot.clear_curves()
            plot.set_note(None)
        if self.controller.virtual:  # nothing to protect: redraw on a timer
            self.redraw_timer.setInterval(REDRAW_MS)
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
        """Redraw every plot whose data changed (all of them with ``force``), with no frame budget.

        Used on the virtual clock (a timer), at the start and at the end of a
        session; while a person plays in real time the plots are redrawn by
        :meth:`_between_frames` instead.
        """
        session = self.controller.session
        if session is None:
            if force:
                self.summary.setText("No session yet.")
            return
        self.budget.flush()
        for name, key, update, _widget in self._jobs(session):
            if force or self._drawn_keys.get(name) != key:
                self._drawn_keys[name] = key
                self.budget.dirty.pop(name, None)
                update()

    def _between_frames(self, tick_start: float) -> None:
        """After a real-time frame: move the timeline's cursor, then redraw what fits before the next frame."""
        session = self.controller.session
        if session is None:
            return
        now_s = session.timeline.now
        trial = session.runner.current_trial
        in_trial = trial is not None
        # between trials, turn the timeline's page early if the next trial would reach its edge -- once per
        # inter-trial interval (the turned page has room for the next trial; turning again while the interval
        # goes on would cost a second full repaint and axis for nothing)
        due = self.timeline.page_turn_due(now_s, 0.0 if in_trial else PAGE_AHEAD * self.timeline.window_s)
        if due and not in_trial:
            gap = len(session.timeline.trials)
            due = self._page_turned_in != gap
            if due:
                self._page_turned_in = gap
        if due:
            self.budget.mark("page", lambda: self.timeline.move_cursor(session.timeline.now, turn=True), self.timeline)
        else:
            self.timeline.move_cursor(now_s)  # a one-pixel strip is repainted, not the plot
        # plots redraw between trials; in a trial only the timeline (the new trial's periods), and only
        # before its stimulus (its first period, e.g. fixation); from then on nothing but a page turn
        only: Any = None
        if in_trial:
            only = ("page",)
            if trial.step < _first_period_end(trial):
                only = ("page", *(f"timeline.{part}" for part in TimelinePlot.STEPS))
            elif self.budget.held and self.budget.held[0] is not self.timeline:
                return
        for name, key, update, widget in self._jobs(session):
            if (only is None or name in only) and self._drawn_keys.get(name) != key:
                self._drawn_keys[name] = key
                self.budget.mark(name, update, widget)
        if not self.budget.dirty and not self.budget.held:
            return
        period_ms = 1000.0 / self.controller.refresh_hz
        used_ms = (time.perf_counter() - tick_start) * 1000.0 + float(getattr(self.canvas, "paint_ms", 0.0))
        # a busy machine can leave no frame with room: then redraw anyway, but only between trials
        force = self.budget.waited > STARVED_FRAMES and session.runner.phase in ("feedback", "iti", "ready")
        self.budget.run(period_ms - used_ms - FRAME_SLACK_MS, force=force, only=only)

    def _jobs(self, session: PlaySession) -> list[tuple[str, Any, Any, Any]]:
        """(name, data key, update, widget) of every plot: redrawn when its key changes."""
        table, timeline, against = session.table, session.timeline, session.against
        model = against.model if against is not None else None
        av = model.version if model is not None else -1
        cur = timeline.current
        tl_key = (
            len(timeline.trials), timeline.trials[-1].index if timeline.trials else -1,
            cur.index if cur is not None else None, len(cur.presses) if cur is not None else 0, av,
        )
        dt_s = float(getattr(session.env.unwrapped, "dt", 0) or 0) / 1000.0 or None
        tv = (table.version, av)
        return [
            *((f"timeline.{part}", tl_key, step, self.timeline) for part, step in self.timeline.update_steps(timeline, model, dt_s)),
            ("accuracy", tv, lambda: self._draw_accuracy(session), self.accuracy),
            ("psychometric", tv, lambda: self._draw_curves(session), self.psychometric),
            ("chronometric", tv, lambda: self._draw_chronometric(session), self.chronometric),
            ("conditions", tv, lambda: self._draw_conditions(session), self.conditions),
            ("rt", tv, lambda: self._draw_rt(session), self.rt_hist),
            ("summary", (tv, session.runner.stats.dropped // 10), lambda: self.summary.setText(self._summary_html(session)), None),
        ]

    # the person in the colour of the Compare view's player kind, agents in theirs: thin each, bold pooled
    def _person_color(self, session: PlaySession) -> tuple[int, int, int]:
        return KIND_COLORS.get(session.options.kind, KIND_COLORS["?"])

    def _agent_series(self, session: PlaySession) -> list[tuple[str, Any, dict[str, Any]]]:
        """(key, table, style) of the opponent: each agent thin and the pooled agents bold (one agent: bold)."""
        if session.against is None:
            return []
        model = session.against.model
        color = KIND_COLORS["agent"]
        if model.n_agents == 1:
            label = model.labels[0]
            return [("agent", model.tables[label], {"color": color, "width": 2.5, "legend": f"agent {label}"})]
        out = [(f"agent:{k}", model.tables[k], {"color": color, "width": 1.0, "alpha": 90, "legend": ""}) for k in model.labels]
        out.append(("agents", model.pooled(), {"color": color, "width": 3.0, "legend": f"{model.n_agents} agents pooled"}))
        return out

    def _draw_accuracy(self, session: PlaySession) -> None:
        self.accuracy.set_color(self._person_color(session))
        self.accuracy.update_from(session.table)
        series = self._agent_series(session)
        for key, table, style in series[:-1] if len(series) > 1 else series:
            self.accuracy.set_other(key, table, style["color"], style["width"], style.get("alpha", 255), style["legend"] or None)
        if len(series) > 1:  # several agents: each thin (their spread) and their mean per trial bold
            mean, _lo, _hi = session.against.model.running_accuracy_spread(self.accuracy.window)
            self.accuracy.set_other_values("agents", mean, KIND_COLORS["agent"], 3.0, f"{session.against.model.n_agents} agents, mean")

    def _draw_rt(self, session: PlaySession) -> None:
        self.rt_hist.set_color(self._person_color(session), "you" if session.against is not None else None)
        self.rt_hist.set_density(session.against is not None)
        self.rt_hist.update_from(session.table)
        series = self._agent_series(session)
        if series:
            key, table, style = series[-1]
            self.rt_hist.set_other(key, table, style["color"], legend=style["legend"])

    def _draw_curves(self, session: PlaySession) -> None:
        table = session.table
        if not table.has_strength:
            return
        curve = table.psychometric()
        self.psychometric.set_labels(curve.xlabel, curve.ylabel)
        legend = "you" if session.against is not None else ""
        self.psychometric.set_curve("session", curve, color=self._person_color(session), width=2.5, legend=legend)
        for key, t, style in self._agent_series(session):
            if len(t):
                self.psychometric.set_curve(key, t.psychometric(), color=style["color"], width=style["width"],
                                            alpha=style.get("alpha", 255), size=9 if style["width"] > 2 else 5, legend=style["legend"])

    def _draw_chronometric(self, session: PlaySession) -> None:
        table = session.table
        if not table.has_strength:
            return
        curve = table.chronometric()
        self.chronometric.set_labels(curve.xlabel, None)
        legend = "you" if session.against is not None else ""
        self.chronometric.set_curve("session", curve, color=self._person_color(session), width=2.5, legend=legend, connect=True)
        series = self._agent_series(session)
        if not series:
            return
        dt = float(getattr(session.env.unwrapped, "dt", 0) or 0)
        note = constant_rt_note(series[-1][1], dt)
        self.chronometric.set_note(note)
        if note is not None:
            self.chronometric.keep(["session"])
        else:
            for key, t, style in series:
                if len(t):
                    self.chronometric.set_curve(key, t.chronometric(), color=style["color"], width=style["width"],
                                                alpha=style.get("alpha", 255), size=9 if style["width"] > 2 else 5,
                                                legend=style["legend"], connect=True)

    def _draw_conditions(self, session: PlaySession) -> None:
        table = session.table
        series = self._agent_series(session)
        labels = sort_conditions(set(table.conditions).union(*(t.conditions for _, t, _ in series)))
        if not labels:
            return
        if labels != self.conditions.labels:
            self.conditions.set_conditions(labels)
        names, curve = table.condition_accuracy()
        legend = "you" if series else ""
        self.conditions.set_condition_curve("session", names, curve, offset=-0.12 if series else 0.0,
                                            color=self._person_color(session), width=2.0, legend=legend)
        for key, t, style in series:
            if len(t) and style["width"] > 2:  # the pooled (or single) agent: per-condition bars would crowd
                names, curve = t.condition_accuracy()
                self.conditions.set_condition_curve(key, names, curve, offset=0.12, color=style["color"], width=2.0, legend=style["legend"])

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
        against = session.against
        if against is not None:
            model = against.model
            spread = model.accuracy_spread()
            n_agent = min((len(t) for t in model.tables.values()), default=0)
            if spread is None:
                text = "waiting for the agent's first answer" if n else "-"
            elif model.n_agents == 1:
                text = f"{spread[0]:.1%} ({n_agent} trials)"
            else:
                text = f"{spread[0]:.1%} mean, {spread[1]:.0%}-{spread[2]:.0%} over {model.n_agents} agents ({n_agent} trials)"
            lines.append(f"<span style='color:#c25e00'>agent accuracy: {text}</span>")
            latest = model.marker(n - 1) if n else None
            if latest:
                lines.append(f"<span style='color:#c25e00'>last trial: {latest}</span>")
            if against.opponent.error:
                lines.append(f"<span style='color:#a33'>{against.opponent.error}</span>")
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


def play_screenshot(
    task_id: str,
    out: Any,
    *,
    against: Any = None,
    sessions_root: Any,
    trials_done: int = 12,
    n_trials: int = 20,
    player: str = "lapse",
    seed: int = 7,
    size: tuple[int, int] = (1500, 1000),
    timeout_s: float = 120.0,
) -> Any:
    """Save a PNG of the Play view mid-session: a simulated participant has played ``trials_done`` trials
    (virtual clock) and is inside the next one, ``against`` (if given) on the plots. Returns the path.

    The session is left unfinished and stopped after the picture (its trials stay recorded).
    """
    from pathlib import Path

    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    view = PlayView(sessions_root=sessions_root)
    view.resize(*size)
    view.show()
    view.set_task(task_id)
    if against is not None:
        view.set_against(against)
    view.virtual.setChecked(True)
    session = view.start(PlayOptions(task_id, participant=f"sim-{player}", n_trials=n_trials, seed=seed, player=player), autorun=False)
    if session is None:
        raise RuntimeError(view.message.text())
    ctl = view.controller
    while len(session.table) < trials_done and ctl.running:
        ctl.run_frames(1)
    ctl.run_frames(int(1.2 * ctl.refresh_hz))  # into the next trial's stimulus
    t_end = time.monotonic() + timeout_s
    model = session.against.model if session.against is not None else None
    while model is not None and min((len(t) for t in model.tables.values()), default=0) < trials_done and time.monotonic() < t_end:
        session.against.poll()
        app.processEvents()
        time.sleep(0.02)
    view.refresh_plots(force=True)
    for _ in range(3):
        app.processEvents()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(path))
    view.stop()
    view.close()
    return path
