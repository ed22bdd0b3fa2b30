"""The desktop app: ``run_app`` and its ``MainWindow`` (tabs: Tasks, Inspector, Play, Sessions, Replay, Compare).

``make run`` / ``neurogym-app app [TASK]`` call :func:`run_app`. Menus: File
(open session, recent sessions, sessions folder, export figure, quit), View
(tabs by Ctrl+1..6, full-screen stimulus F11), Play (start Ctrl+R, stop
Ctrl+.). The status bar shows the frame rate and dropped frames while a
session plays. Settings (window geometry, last task, sessions folder, play
options, recent sessions) persist in QSettings (see ``qt/settings.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QSettings, QTimer
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from neurogym_app.core import registry
from neurogym_app.qt.browser import TaskBrowser
from neurogym_app.qt.compare import CompareView
from neurogym_app.qt.inspector import PeriodInspector
from neurogym_app.qt.play import PlayView
from neurogym_app.qt.replay import ReplayView
from neurogym_app.qt.sessions import SessionsView
from neurogym_app.qt.settings import AppSettings, app_settings

__all__ = ["MainWindow", "run_app", "DEFAULT_TASK", "TAB_NAMES"]

DEFAULT_TASK = "PerceptualDecisionMaking-v0"
TAB_NAMES = ("tasks", "inspector", "play", "sessions", "replay", "compare")


class MainWindow(QMainWindow):
    """The app's window (see module doc).

    Args:
        task_id: task selected first (browser, inspector, play).
        sessions_root: folder of recorded sessions (Sessions tab; Play records there).
        settings: QSettings to use (tests pass an INI file in a temporary folder).
        envs_dir: where the inspector exports experiment files.
    """

    def __init__(
        self,
        task_id: str = DEFAULT_TASK,
        sessions_root: str | os.PathLike[str] = "sessions",
        settings: QSettings | None = None,
        envs_dir: str | os.PathLike[str] = "envs",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = AppSettings(settings)
        self.sessions_root = Path(sessions_root)
        self.setWindowTitle("neurogym-app")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.browser = TaskBrowser()
        self.inspector = PeriodInspector(envs_dir=envs_dir)
        self.play = PlayView(sessions_root=self.sessions_root)
        self.sessions = SessionsView(self.sessions_root)
        self.replay = ReplayView()
        self.compare = CompareView(sessions_root=self.sessions_root)
        for widget, title in (
            (self.browser, "Tasks"),
            (self.inspector, "Inspector"),
            (self.play, "Play"),
            (self.sessions, "Sessions"),
            (self.replay, "Replay"),
            (self.compare, "Compare"),
        ):
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)
        self._status()
        self._menus()
        self._wire()
        self._restore(task_id)

    # ------------------------------------------------------------- layout
    def _status(self) -> None:
        bar = self.statusBar()
        self.fps_label = QLabel("fps: -")
        self.dropped_label = QLabel("dropped frames: -")
        self.root_label = QLabel()
        for w in (self.fps_label, self.dropped_label, self.root_label):
            w.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(w)
        self._update_root_label()

    def _update_root_label(self) -> None:
        self.root_label.setText(f"sessions: {self.sessions_root}")

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(file_menu, "&Open session...", QKeySequence.StandardKey.Open, self.open_session_dialog)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._action(file_menu, "Sessions &folder...", None, self.choose_sessions_root)
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, "&Export figure...", QKeySequence("Ctrl+E"), self.export_current)
        self._action(file_menu, "Export &experiment (inspector)...", QKeySequence("Ctrl+Shift+E"), lambda: self.inspector.export_experiment())
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        view_menu = bar.addMenu("&View")
        for i, name in enumerate(("Tasks", "Inspector", "Play", "Sessions", "Replay", "Compare")):
            self._action(view_menu, name, QKeySequence(f"Ctrl+{i + 1}"), lambda _c=False, i=i: self.tabs.setCurrentIndex(i))
        view_menu.addSeparator()
        self.fullscreen_action = self._action(view_menu, "Full-screen stimulus", QKeySequence("F11"), self._toggle_fullscreen)
        play_menu = bar.addMenu("&Play")
        self.start_action = self._action(play_menu, "&Start", QKeySequence("Ctrl+R"), self._start_play)
        self.stop_action = self._action(play_menu, "S&top", QKeySequence("Ctrl+."), self.play.stop)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About", None, self._about)
        self._fill_recent()

    def _action(self, menu: Any, text: str, shortcut: Any, slot: Any) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recents = self.settings.recent_sessions()
        for path in recents:
            action = QAction(self._short(path), self)
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_session(p))
            self.recent_menu.addAction(action)
        if recents:
            self.recent_menu.addSeparator()
            clear = QAction("Clear list", self)
            clear.triggered.connect(self._clear_recent)
            self.recent_menu.addAction(clear)
        self.recent_menu.setEnabled(bool(recents))

    @staticmethod
    def _short(path: str) -> str:
        p = Path(path)
        return f"{p.parent.name}/{p.name}"

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent()

    def _wire(self) -> None:
        self.browser.inspect_requested.connect(self.show_inspector)
        self.browser.play_requested.connect(self.show_play)
        self.sessions.replay_requested.connect(self.open_session)
        self.sessions.compare_requested.connect(self.add_to_compare)
        self.sessions.root_changed.connect(self._root_changed)
        self.play.session_finished.connect(self._play_finished)
        self.play.controller.stats.connect(self._stats)
        self.play.controller.started.connect(lambda _s: self.statusBar().showMessage("playing...", 3000))

    # ------------------------------------------------------------- actions
    def show_inspector(self, task_id: str) -> None:
        self.inspector.set_task(task_id)
        self.tabs.setCurrentWidget(self.inspector)

    def show_play(self, task_id: str) -> None:
        self.play.set_task(task_id)
        self.tabs.setCurrentWidget(self.play)

    def open_session(self, path: str | os.PathLike[str]) -> bool:
        """Open a run folder in the Replay tab (and remember it in File > Open recent)."""
        ok = self.replay.open_session(path)
        self.tabs.setCurrentWidget(self.replay)
        if ok:
            self.settings.add_recent(path)
            self._fill_recent()
            self.statusBar().showMessage(f"opened {path}", 5000)
        else:
            self.statusBar().showMessage(self.replay.error or "cannot open the session", 8000)
        return ok

    def open_session_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a session folder", str(self.sessions_root))
        if folder:
            self.open_session(folder)

    def add_to_compare(self, paths: list[str]) -> None:
        self.compare.add_sessions(list(paths))
        self.tabs.setCurrentWidget(self.compare)

    def choose_sessions_root(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Sessions folder", str(self.sessions_root))
        if folder:
            self.set_sessions_root(folder)

    def set_sessions_root(self, folder: str | os.PathLike[str]) -> None:
        self.sessions.set_root(folder)

    def _root_changed(self, folder: str) -> None:
        self.sessions_root = Path(folder)
        self.play.sessions_root = self.sessions_root
        self.compare.sessions_root = self.sessions_root
        self._update_root_label()

    def export_current(self) -> None:
        """Export what the current tab shows: the comparison figure, or a PNG of the tab."""
        current = self.tabs.currentWidget()
        if current is self.compare:
            self.compare.export()
            return
        if current is self.inspector:
            self.inspector.export_experiment()
            return
        name = TAB_NAMES[self.tabs.currentIndex()]
        chosen, _ = QFileDialog.getSaveFileName(self, "Export view", f"{name}.png", "PNG (*.png)")
        if chosen:
            current.grab().save(chosen)

    def _toggle_fullscreen(self) -> None:
        self.tabs.setCurrentWidget(self.play)
        self.play.set_fullscreen(not self.play.is_fullscreen)

    def _start_play(self) -> None:
        self.tabs.setCurrentWidget(self.play)
        self.play.start()

    def _play_finished(self, status: str, path: str) -> None:
        self.sessions.refresh()
        self.statusBar().showMessage(f"session {status}" + (f": {path}" if path else ""), 8000)

    def _stats(self, fps: float, dropped: int, frames: int) -> None:
        virtual = " (virtual)" if self.play.controller.virtual else ""
        self.fps_label.setText(f"fps: {fps:.1f}{virtual}")
        self.dropped_label.setText(f"dropped frames: {dropped} / {frames}")

    def _about(self) -> None:
        from neurogym_app import __version__

        QMessageBox.about(
            self,
            "About neurogym-app",
            f"neurogym-app {__version__}\nNeuroGym-compatible tasks played by people and networks.",
        )

    # ------------------------------------------------------------- settings
    def _restore(self, task_id: str) -> None:
        s = self.settings
        self.resize(1280, 820)
        s.restore_window(self)
        play = self.play
        play.participant.setText(str(s.get("play/participant", "anon")))
        play.trials.setValue(s.get("play/trials", 20, int))
        player = str(s.get("play/player", "human"))
        if player in [play.player.itemText(i) for i in range(play.player.count())]:
            play.player.setCurrentText(player)
        play.virtual.setChecked(s.get("play/virtual", False, bool) and player != "human")
        play.view_kind.setCurrentText(str(s.get("play/view", "natural")))
        play.timing.setCurrentText(str(s.get("play/timing", "human")))
        try:
            registry.spec(task_id)
        except registry.UnknownTaskError:
            task_id = DEFAULT_TASK
        self.browser.select_task(task_id)
        self.inspector.set_task(task_id)
        self.play.set_task(task_id)
        tab = s.get("window/tab", 0, int)
        if 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def save_settings(self) -> None:
        s = self.settings
        s.save_window(self)
        s.set("window/tab", self.tabs.currentIndex())
        s.set("last/task", self.play.task_combo.currentText())
        s.set("last/sessions_root", str(self.sessions_root))
        s.set("play/participant", self.play.participant.text())
        s.set("play/trials", self.play.trials.value())
        s.set("play/player", self.play.player.currentText())
        s.set("play/virtual", self.play.virtual.isChecked())
        s.set("play/view", self.play.view_kind.currentText())
        s.set("play/timing", self.play.timing.currentText())
        s.sync()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt naming)
        self.play.stop()
        if self.play.is_fullscreen:
            self.play.set_fullscreen(False)
        self.replay.controller.pause()
        self.save_settings()
        super().closeEvent(event)


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("neurogym-app")
    app.setOrganizationName("neurogym-app")
    return app  # type: ignore[return-value]


def run_app(
    task_id: str = DEFAULT_TASK,
    sessions_root: str | os.PathLike[str] = "sessions",
    screenshot: str | os.PathLike[str] | None = None,
    settings_path: str | os.PathLike[str] | None = None,
    envs_dir: str | os.PathLike[str] = "envs",
) -> int:
    """Open the desktop app; with ``screenshot`` render the window once to that PNG and return 0."""
    app = _application()
    window = MainWindow(task_id=task_id, sessions_root=sessions_root, settings=app_settings(settings_path), envs_dir=envs_dir)
    if screenshot is not None:
        window.resize(1280, 820)
        window.show()
        for _ in range(3):
            app.processEvents()
        target = Path(screenshot)
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(target))
        window.close()
        if not ok:
            sys.stderr.write(f"neurogym-app: cannot write the screenshot {target}\n")
            return 1
        print(f"screenshot written to {target}")
        return 0
    window.show()
    QTimer.singleShot(0, window.raise_)
    return int(app.exec())

