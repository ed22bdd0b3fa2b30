"""Replay view: open a recorded run, step, scrub, play at a speed; agents' hidden states and probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from _synthetic import write_synthetic_session
from PyQt6.QtCore import Qt

from neurogym_app.qt.replay import ReplayView
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import start_play
from neurogym_app.runtime.run import PlayOptions
from neurogym_app.stimuli.backends.qpainter import render_to_image

TASK = "PerceptualDecisionMaking-v0"


@pytest.fixture(scope="module")
def agent_run(tmp_path_factory):
    return write_synthetic_session(tmp_path_factory.mktemp("s"), TASK, n_trials=6, seed=4, kwargs={"timing": "human"})


@pytest.fixture(scope="module")
def simulated_run(tmp_path_factory):
    clock = FakeClock()
    opts = PlayOptions(TASK, participant="sim", n_trials=3, seed=8, player="oracle", view="natural")
    session = start_play(opts, NullDisplay(clock), sessions_root=tmp_path_factory.mktemp("s"))
    while session.tick(clock.now()):
        clock.advance(1 / 60)
    return session.path


@pytest.fixture
def view(qtbot):
    w = ReplayView()
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    return w


def test_opens_an_agent_run_with_hidden_state_and_probabilities(view, agent_run):
    assert view.open_session(agent_run)
    assert "agent" in view.title.text() and "6 trials" in view.title.text()
    assert view.hidden_plot.isVisibleTo(view) and view.probs_plot.isVisibleTo(view)
    trial = view.current_trial()
    assert view.hidden_plot.image.image.shape == (16, trial.n_steps)
    assert len(view.probs_plot.lines) == 3
    assert view.cursor.position == 0 and view.cursor.step == 0
    assert "trial 1/6" in view.position.text() and "period: fixation" in view.position.text()
    assert "p(action)" in view.info.toPlainText()


def test_step_buttons_keys_slider_and_trials(view, qtbot, agent_run):
    view.open_session(agent_run)
    qtbot.mouseClick(view.step_fwd, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.step_fwd, Qt.MouseButton.LeftButton)
    assert view.cursor.step == 2 and view.slider.value() == 2
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.cursor.step == 1
    view.slider.setValue(7)  # scrubbing
    assert view.cursor.step == 7
    assert view.obs_plot.cursor.value() == pytest.approx(750.0)
    assert "period: stimulus" in view.position.text()
    qtbot.mouseClick(view.next_trial, Qt.MouseButton.LeftButton)
    assert view.cursor.position == 1 and view.cursor.step == 0 and view.trial_spin.value() == 2
    view.trial_spin.setValue(5)
    assert view.cursor.position == 4
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert view.cursor.position == 3
    # stepping back from a trial's first step goes to the previous trial's last step
    qtbot.mouseClick(view.step_back, Qt.MouseButton.LeftButton)
    assert view.cursor.position == 2 and view.cursor.step == view.model.trial(2).n_steps - 1


def test_canvas_shows_the_scene_rebuilt_from_the_recording(view, agent_run):
    view.open_session(agent_run)
    view.seek(1, 8)
    trial = view.current_trial()
    expected = view.model.scene(trial, 8)
    assert view.canvas.scene == expected
    size = (view.canvas.width(), view.canvas.height())
    shown = view.canvas.grab_array()
    np.testing.assert_array_equal(shown, render_to_image(expected, size, view.canvas.geometry.with_size(size)))


def test_play_with_speed(view, qtbot, agent_run):
    view.open_session(agent_run)
    step_s = view.model.step_s  # 0.1 s per step when recorded
    view.speed.setCurrentText("4x")
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    assert view.cursor.playing and view.play_button.text() == "Pause"
    view.controller.timer.stop()  # drive it by hand: no wall-clock flakiness
    view.advance(step_s)  # 0.1 s at 4x: four steps
    assert view.cursor.step == 4 and view.slider.value() == 4
    view.advance(1000.0)  # to the end: it stops
    assert not view.cursor.playing and view.play_button.text() == "Play"
    assert view.cursor.at_end
    qtbot.keyClick(view, Qt.Key.Key_Space)  # play again from the start
    assert view.cursor.playing and view.cursor.position == 0
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert not view.cursor.playing


def test_simulated_run_shows_keys_and_no_agent_plots(view, simulated_run):
    view.open_session(simulated_run)
    assert not view.hidden_plot.isVisibleTo(view) and not view.probs_plot.isVisibleTo(view)
    trial = view.current_trial()
    press = next(e for e in trial.events if e.data.get("kind") == "press")
    view.seek(0, press.data["step"])
    text = view.info.toPlainText()
    assert f"press {press.data['key']}" in text
    assert "outcome correct" in text
    action = trial.series("action")
    assert action[press.data["step"]] != 0  # the press was applied at that step
    x, y = view.action_plot.action.getData()
    assert np.nanmax(y) == np.max(action)


def test_damaged_and_foreign_folders(view, tmp_path):
    assert not view.open_session(tmp_path / "nope")
    assert "no such session folder" in view.error
    assert "no such session folder" in view.title.text()
    (tmp_path / "manifest.json").write_text("{}")
    assert not view.open_session(tmp_path)
    assert "not a neurogym-app session manifest" in view.error
