"""Headless pilot of the real app (MainWindow): browse, inspect, play, list, replay, compare, settings, screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _synthetic import write_synthetic_session
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage

from neurogym_app.qt.app import TAB_NAMES, MainWindow, run_app
from neurogym_app.qt.settings import AppSettings, app_settings

TASK = "PerceptualDecisionMaking-v0"


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory: a MainWindow on a temporary sessions folder and settings file."""
    created = []

    def make(**kw):
        kw.setdefault("sessions_root", tmp_path / "sessions")
        kw.setdefault("envs_dir", tmp_path / "envs")
        kw.setdefault("settings", app_settings(tmp_path / "settings.ini"))
        w = MainWindow(**kw)
        qtbot.addWidget(w)
        w.resize(1300, 850)
        w.show()
        created.append(w)
        return w

    yield make
    for w in created:
        w.play.stop()


def test_pilot_end_to_end(make_window, qtbot, tmp_path):
    win = make_window(task_id=TASK)
    assert [win.tabs.tabText(i) for i in range(win.tabs.count())] == ["Tasks", "Inspector", "Play", "Sessions", "Replay", "Compare"]
    # 1. find a task by typing, open it in the inspector with a double-click
    win.tabs.setCurrentWidget(win.browser)
    win.browser.search.clear()
    qtbot.keyClicks(win.browser.search, "gonogo")
    assert win.browser.visible_tasks() == ["GoNogo-v0"]
    win.browser.select_task("GoNogo-v0")
    rect = win.browser.list.visualRect(win.browser.list.currentIndex())
    qtbot.mouseClick(win.browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(win.browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.tabs.currentWidget() is win.inspector
    assert win.inspector.task_id == "GoNogo-v0" and win.inspector.sampled is not None
    # 2. back to PerceptualDecisionMaking; Play button in the browser opens the Play tab
    win.browser.search.clear()
    win.browser.select_task(TASK)
    qtbot.mouseClick(win.browser.play_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is win.play
    assert win.play.task_combo.currentText() == TASK
    # 3. play 4 trials with a simulated participant on a virtual clock (Play > Start, Ctrl+R)
    win.play.player.setCurrentText("oracle")
    win.play.virtual.setChecked(True)
    win.play.trials.setValue(4)
    win.play.participant.setText("pilot")
    win.play.seed.setText("12")
    with qtbot.waitSignal(win.play.session_finished, timeout=30_000) as sig:
        win.start_action.trigger()
    status, path = sig.args
    assert status == "completed" and Path(path).is_dir()
    assert win.fps_label.text().startswith("fps: 60.0") and "dropped frames: 0" in win.dropped_label.text()
    # 4. the Sessions tab lists it; replay it
    win.tabs.setCurrentWidget(win.sessions)
    paths = win.sessions.visible_paths()
    assert str(Path(path)) in paths
    win.sessions.select_rows([paths.index(str(Path(path)))])
    qtbot.mouseClick(win.sessions.replay_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is win.replay
    assert win.replay.model is not None and win.replay.model.n_trials == 4
    qtbot.mouseClick(win.replay.step_fwd, Qt.MouseButton.LeftButton)
    assert win.replay.cursor.step == 1
    # it is now a recent session
    assert win.settings.recent_sessions()[0] == str(Path(path).resolve())
    assert win.recent_menu.actions()[0].toolTip() == str(Path(path).resolve())
    # 5. compare it with agent runs
    agents = [str(write_synthetic_session(tmp_path / "sessions", TASK, n_trials=10, seed=s, kwargs={"timing": "human"})) for s in (1, 2)]
    win.sessions.refresh()
    win.tabs.setCurrentWidget(win.sessions)
    rows = [win.sessions.visible_paths().index(p) for p in [str(Path(path)), *agents]]
    win.sessions.select_rows(rows)
    qtbot.mouseClick(win.sessions.compare_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is win.compare
    assert win.compare.list.count() == 3
    assert win.compare.plotted_series()["psychometric"] == 3 + 2
    out = win.compare.export(tmp_path / "figure.svg")
    assert out.is_file()
    # 6. the View menu's shortcuts switch tabs
    for i in range(len(TAB_NAMES)):
        qtbot.keyClick(win, Qt.Key(Qt.Key.Key_1 + i), Qt.KeyboardModifier.ControlModifier)
        assert win.tabs.currentIndex() == i


def test_settings_persist_between_runs(make_window, tmp_path):
    first = make_window()
    first.play.participant.setText("p042")
    first.play.trials.setValue(33)
    first.play.player.setCurrentText("lapse")
    first.tabs.setCurrentIndex(3)
    first.settings.add_recent(tmp_path)
    first.close()
    ini = tmp_path / "settings.ini"
    assert ini.is_file() and "p042" in ini.read_text()
    second = make_window()
    assert second.play.participant.text() == "p042"
    assert second.play.trials.value() == 33
    assert second.play.player.currentText() == "lapse"
    assert second.tabs.currentIndex() == 3
    assert second.settings.recent_sessions() == [str(tmp_path.resolve())]


def test_recent_list_is_bounded_and_unique(tmp_path):
    s = AppSettings(app_settings(tmp_path / "s.ini"))
    for i in range(15):
        s.add_recent(tmp_path / f"run{i}")
    s.add_recent(tmp_path / "run3")
    recent = s.recent_sessions()
    assert len(recent) == 10 and recent[0].endswith("run3") and len(set(recent)) == 10


def test_open_damaged_session_reports_in_the_status_bar(make_window, tmp_path):
    win = make_window()
    assert not win.open_session(tmp_path / "nothing-here")
    assert "no such session folder" in win.statusBar().currentMessage()
    assert win.settings.recent_sessions() == []


def test_unknown_task_falls_back_to_the_default(make_window):
    win = make_window(task_id="NoSuchTask-v0")
    assert win.play.task_combo.currentText() == TASK


def test_sessions_folder_change_reaches_play_and_compare(make_window, tmp_path):
    win = make_window()
    win.set_sessions_root(tmp_path / "elsewhere")
    assert win.play.sessions_root == tmp_path / "elsewhere"
    assert win.compare.sessions_root == tmp_path / "elsewhere"
    assert "elsewhere" in win.root_label.text()


def test_run_app_screenshot(tmp_path, qtbot):
    target = tmp_path / "shot" / "app.png"
    code = run_app(task_id="GoNogo-v0", sessions_root=tmp_path / "sessions", screenshot=target, settings_path=tmp_path / "s.ini")
    assert code == 0
    image = QImage(str(target))
    assert not image.isNull() and image.width() >= 1000 and image.height() >= 700


def test_cli_screenshot_subprocess(tmp_path):
    """`neurogym-app app TASK --screenshot PNG` renders once and exits 0."""
    target = tmp_path / "cli.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NGYM_APP_SETTINGS=str(tmp_path / "s.ini"))
    proc = subprocess.run(
        [sys.executable, "-m", "neurogym_app.cli.main", "app", "GoNogo-v0", "--out", str(tmp_path / "sessions"), "--screenshot", str(target)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert target.is_file() and target.stat().st_size > 10_000
