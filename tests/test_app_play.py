"""Play view: simulated participants on a virtual clock, a person's keys on a fake clock, plots, full screen."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from neurogym_app.qt.play import PlayView
from neurogym_app.record.reader import open_session
from neurogym_app.runtime.run import PlayOptions

TASK = "PerceptualDecisionMaking-v0"


@pytest.fixture
def view(qtbot, tmp_path):
    w = PlayView(sessions_root=tmp_path / "sessions")
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    yield w
    w.stop()


def test_simulated_participant_through_the_form(view, qtbot):
    view.set_task(TASK)
    view.player.setCurrentText("oracle")
    view.trials.setValue(5)
    view.seed.setText("3")
    view.participant.setText("pilot")
    assert view.virtual.isEnabled()
    view.virtual.setChecked(True)
    with qtbot.waitSignal(view.session_finished, timeout=30_000) as sig:
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
        assert not view.start_button.isEnabled() and view.stop_button.isEnabled()
    status, path = sig.args
    assert status == "completed"
    session = view.controller.session
    assert len(session.table) == 5 and session.table.accuracy() == 1.0
    # the recording
    with open_session(path) as reader:
        assert len(reader) == 5
        assert reader.manifest["participant"] == "pilot" and reader.manifest["seeds"]["env"] == 3
        assert reader.manifest["clock"]["kind"] == "virtual"
    # the plots were drawn from the session
    x, y = view.accuracy.running.getData()
    assert len(x) == 5 and np.all(y == 1.0)
    assert view.rt_hist.median.isVisible()
    assert view.psychometric.series["session"].points.data.size > 0
    assert len(view.timeline.periods.opts["x0"]) > 0
    assert "trials: 5 of 5" in view.summary.text()
    assert "completed" in view.message.text() and view.start_button.isEnabled()


def test_play_on_the_fake_clock_frame_by_frame(view):
    opts = PlayOptions(TASK, n_trials=4, seed=1, player="lapse", record=False)
    view.virtual.setChecked(True)
    session = view.start(opts, autorun=False)
    ctl = view.controller
    assert ctl.virtual and session is not None
    ctl.run_frames(60)  # one second of virtual time
    assert ctl.clock_proxy.now() == pytest.approx(1.0)
    assert session.runner.stats.frames == 60
    view.refresh_plots()
    assert view.timeline.traces[0].xData is not None  # the running trial is on the timeline
    ctl.run_until_done()
    assert session.runner.status == "completed" and len(session.table) == 4
    assert session.path is None  # not recorded


def test_human_keys_on_the_canvas(view, qtbot, tmp_path):
    """A person presses keys on the canvas; the runner applies them at the next step boundary."""
    opts = PlayOptions(TASK, participant="me", n_trials=1, seed=4, player="human", wait_for_start=True, feedback=False, iti_ms=0)
    view.virtual.setChecked(True)  # the controller's virtual mode gives a fake clock for a person too
    ctl = view.controller
    session = ctl.start(opts, view.sessions_root, virtual=True, autorun=False)
    view.canvas.setFocus()
    ctl.run_frames(3)
    assert session.runner.phase == "ready"  # the controls are shown until a key is pressed
    qtbot.keyClick(view.canvas, Qt.Key.Key_Space)
    ctl.run_frames(2)
    assert session.runner.phase == "trial"
    log = session.runner.current_trial
    decision = log.periods["decision"][0]
    target = int(log.gt_plan[decision])
    key = Qt.Key.Key_Right if session.keymap.binding_for_key("right").action == target else Qt.Key.Key_Left
    while session.runner.current_trial is not None and session.runner.current_trial.step < decision + 2:
        ctl.run_frames(1)
    t_press = ctl.clock_proxy.now()
    qtbot.keyClick(view.canvas, key)
    ctl.run_until_done()
    row = session.runner.rows[0]
    assert row["outcome"] == "correct" and row["response_key"] in ("left", "right")
    onset = row["onset_decision_s"]
    assert row["rt_ms"] == pytest.approx((t_press - onset) * 1000.0, abs=1e-6)  # from the key's own timestamp
    manifest = json.loads((session.path / "manifest.json").read_text())
    assert manifest["player"]["kind"] == "human"


def test_stop_ends_the_session(view, qtbot):
    view.virtual.setChecked(True)
    session = view.start(PlayOptions(TASK, n_trials=50, seed=2, player="oracle"), autorun=False)
    view.controller.run_frames(400)
    done = len(session.table)
    with qtbot.waitSignal(view.session_finished) as sig:
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert sig.args[0] == "aborted"
    assert len(session.table) == done < 50
    manifest = json.loads((session.path / "manifest.json").read_text())
    assert manifest["status"] == "aborted" and manifest["n_trials"] == done


def test_escape_on_the_canvas_stops(view, qtbot):
    session = view.controller.start(PlayOptions(TASK, n_trials=5, seed=2, player="human", record=False), virtual=True, autorun=False)
    view.controller.run_frames(5)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Escape)
    view.controller.run_frames(2)
    assert not view.controller.running and session.runner.status == "aborted"


def test_bad_options_give_one_line(view):
    view.seed.setText("abc")
    assert view.start() is None
    assert "seed must be a whole number" in view.message.text()
    view.seed.setText("")
    view.task_combo.setCurrentText("Null-v0")
    assert view.start() is None
    assert "not human-playable" in view.message.text() or "Null-v0" in view.message.text()


def test_task_without_strength_says_so(view):
    view.virtual.setChecked(True)
    session = view.start(PlayOptions("GoNogo-v0", n_trials=3, seed=1, player="oracle", record=False), autorun=False)
    view.controller.run_until_done()
    view.refresh_plots(force=True)
    assert session.table.has_strength is False
    assert "no stimulus strength" in view.psychometric._empty.textItem.toPlainText()


def test_full_screen_stimulus_and_back(view):
    layout_parent = view.canvas.parentWidget()
    view.set_fullscreen(True)
    assert view.is_fullscreen and view.fullscreen_button.isChecked()
    assert view.canvas.window() is not view.window()
    view.set_fullscreen(False)
    assert not view.is_fullscreen and not view.fullscreen_button.isChecked()
    assert view.canvas.parentWidget() is layout_parent
    assert view.canvas.isVisible()


def test_plot_update_with_many_trials_keeps_items(view):
    """Plots reuse their items: the same objects before and after an update with 10 000 trials."""
    from neurogym_app.analysis.trial_table import TrialTable

    rng = np.random.default_rng(0)
    rows = [
        {"correct": int(rng.random() < 0.75), "rt_ms": float(rng.normal(450, 90)), "signed_strength": float(rng.choice([-10, 0, 10])), "gt": 1, "choice": float(rng.choice([1, 2])), "block": 1 + i // 1000}
        for i in range(10_000)
    ]
    table = TrialTable.from_rows(rows)
    items = [view.accuracy.running, view.accuracy.blocks, view.rt_hist.hist]
    view.accuracy.update_from(table)
    view.rt_hist.update_from(table)
    assert [view.accuracy.running, view.accuracy.blocks, view.rt_hist.hist] == items
    assert len(view.accuracy.running.xData) == 10_000  # all of them (drawn downsampled: ~2 points per pixel)
    x, _ = view.accuracy.running.getData()
    assert 0 < len(x) <= 10_000
    bx, by = view.accuracy.blocks.getData()
    assert len(bx) == 20  # ten blocks, two points each


def test_real_clock_session_runs_on_the_timer(view, qtbot):
    """On the real clock the controller's QTimer ticks one frame per refresh (a short, sped-up session)."""
    opts = PlayOptions(TASK, n_trials=1, seed=3, player="oracle", time_scale=0.25, feedback=False, iti_ms=0, record=False)
    view.virtual.setChecked(False)
    with qtbot.waitSignal(view.session_finished, timeout=20_000) as sig:
        view.start(opts)
        assert not view.controller.virtual and view.controller.timer.isActive()
    assert sig.args[0] == "completed"
    session = view.controller.session
    st = session.runner.stats
    assert st.frames > 10
    assert session.runner.rows[0]["outcome"] == "correct"
    assert session.runner.rows[0]["rt_ms"] > 0
