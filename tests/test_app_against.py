"""The Play view with "Compare with": a trained agent's series beside the person's on every live plot."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.qt.play import PlayView, RedrawBudget
from neurogym_app.record.reader import open_session
from neurogym_app.runtime.play_setup import PlayOptions

ROOT = Path(__file__).resolve().parents[1]
TASK = "PerceptualDecisionMaking-v0"
PDM_AGENT = ROOT / "assets" / "agents" / "PerceptualDecisionMaking_gru32"


@pytest.fixture
def view(qtbot, tmp_path):
    w = PlayView(sessions_root=tmp_path / "sessions")
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    yield w
    w.stop()


def test_chooser_offers_the_agents_of_the_task(view):
    view.set_task(TASK)
    items = [view.against.itemText(i) for i in range(view.against.count())]
    assert items[0] == "(nobody)" and items[-1].startswith("Browse")
    assert "agent PerceptualDecisionMaking_gru32" in items and "agent GoNogo_gru16" not in items
    view.set_task("GoNogo-v0")
    items = [view.against.itemText(i) for i in range(view.against.count())]
    assert "agent GoNogo_gru16" in items and "agent PerceptualDecisionMaking_gru32" not in items


def test_plots_hold_both_players(view, qtbot, tmp_path):
    view.set_task(TASK)
    view.set_against(PDM_AGENT)
    view.virtual.setChecked(True)
    opts = PlayOptions(TASK, participant="p1", n_trials=20, seed=5, player="oracle")
    with qtbot.waitSignal(view.session_finished, timeout=120_000) as sig:
        assert view.start(opts) is not None, view.message.text()
    status, path = sig.args
    assert status == "completed"
    session = view.controller.session
    model = session.against.model
    assert len(session.table) == 20 and len(model.tables["PerceptualDecisionMaking_gru32"]) == 20
    # accuracy: both running lines, 20 points each
    xs, ys = view.accuracy.running.getData()
    xa, ya = view.accuracy.others["agent"].getData()
    assert len(xs) == len(xa) == 20 and np.all(np.isfinite(ya))
    # psychometric: the person and the agent, in the Compare view's kind colours
    for key in ("session", "agent"):
        assert view.psychometric.series[key].points.data.size > 0
    assert view.psychometric.series["agent"].style[0] == (255, 127, 14)
    assert view.psychometric.series["session"].style[0] == (44, 160, 44)  # a simulated participant
    # accuracy per condition: both series
    assert view.conditions.series["session"].points.data.size > 0 and view.conditions.series["agent"].points.data.size > 0
    # RT histograms overlaid
    assert np.sum(view.rt_hist.others["agent"].getData()[1]) == pytest.approx(1.0)  # fractions: 20 vs 20 answers
    # the agent answers at the first step of the fixed decision period: a note, not a curve
    assert view.chronometric.note.isVisible() and "one dt (100 ms)" in view.chronometric.note.text()
    agent_curve = view.chronometric.series.get("agent")
    assert agent_curve is None or not agent_curve.points.isVisible()
    assert view.chronometric.series["session"].points.data.size > 0
    # timeline: the agent's choices and action probabilities under the person's rows, and the marker
    assert len(view.timeline.agent_choices.data) > 0
    assert view.timeline.probs[0].xData is not None and len(view.timeline.probs[0].xData) > 0
    shown = [m.toPlainText() for m in view.timeline.markers if m.isVisible()]
    assert shown and all(t.startswith("agent chose ") and " / you chose " in t for t in shown)
    assert "agent accuracy: " in view.summary.text() and "(20 trials)" in view.summary.text()
    assert "last trial: agent chose " in view.summary.text()
    # two linked sessions
    with open_session(path) as reader:
        links = reader.manifest["against"]
    assert len(links) == 1 and links[0]["n_trials"] == 20
    agent_manifest = json.loads((Path(links[0]["session"]) / "manifest.json").read_text())
    assert agent_manifest["reference"]["session"] == str(Path(path))


def test_mismatched_agent_is_refused_in_the_view(view, tmp_path):
    view.set_task(TASK)
    view.set_against(ROOT / "assets" / "agents" / "GoNogo_gru16")
    assert view.start(PlayOptions(TASK, n_trials=2, seed=1, player="oracle")) is None
    assert "trained on GoNogo-v0, not PerceptualDecisionMaking-v0" in view.message.text()
    assert not any((tmp_path / "sessions").rglob("manifest.json"))


def test_redraws_fit_the_frame_budget(view):
    """Between real-time frames a plot is redrawn only when its measured cost fits what is left of the frame."""
    budget = RedrawBudget()
    calls = []
    budget.cost_ms["slow"] = 9.0
    budget.mark("slow", lambda: calls.append("slow"))
    budget.mark("quick", lambda: calls.append("quick"))
    assert budget.run(5.0) < 5.0
    assert calls == ["quick"] and "slow" in budget.dirty and budget.deferred == 1
    budget.run(12.0)
    assert calls == ["quick", "slow"] and not budget.dirty
    # a plot's update and its repaint go on different frames
    plot = view.accuracy
    budget.mark("plot", lambda: calls.append("plot"), plot)
    budget.run(10.0)
    assert calls[-1] == "plot" and not plot.updatesEnabled() and budget.held == [plot]
    plot.paint_ms = 50.0  # a repaint that does not fit waits
    budget.run(10.0)
    assert not plot.updatesEnabled()
    budget.run(60.0)
    assert plot.updatesEnabled() and not budget.held
    # on a machine too busy for any frame to have room, a forced step (between trials) still redraws
    budget.mark("plot", lambda: calls.append("forced"), plot)
    budget.run(0.0, force=True)
    budget.run(0.0, force=True)
    assert calls[-1] == "forced" and plot.updatesEnabled()
    # the view's hook: the cursor moves every frame, the timeline's data only when its trials change
    opts = PlayOptions(TASK, n_trials=2, seed=1, player="oracle", record=False)
    session = view.start(opts, autorun=False)
    ctl = view.controller
    for _ in range(30):
        t0 = time.perf_counter()
        ctl._tick_once()
        view._between_frames(t0)
    px_per_s = max(view.timeline.width() - 80, 100) / view.timeline.window_s
    assert abs(view.timeline.now_line.value() - session.timeline.now) * px_per_s < 3.0  # within 3 pixels
    assert view._drawn_keys["timeline.periods"][2] == 0  # the running trial is drawn (before its stimulus)
    assert session.runner.phase == "trial" and "accuracy" not in view.budget.dirty  # no other plot during a trial


def test_view_ranges_change_in_steps():
    """A plot's range stays put while it holds the data (its axes stay cached) and moves to round ends when not."""
    from neurogym_app.plots.live import stepped_range

    first = stepped_range(380.0, 520.0, None)
    assert first[0] <= 380.0 and first[1] >= 520.0 and first == (370.0, 530.0)
    assert stepped_range(400.0, 510.0, first) == first  # new data inside, filling over half: unchanged
    grown = stepped_range(380.0, 700.0, first)
    assert grown != first and grown[0] <= 380.0 and grown[1] >= 700.0
    assert stepped_range(450.0, 460.0, grown) != grown  # the data shrank to a sliver: the range follows


def test_axis_layout_is_a_redraw_step_of_its_own(view):
    """After an update that moved a plot's range, its axis is laid out on a step before the (held) repaint."""
    budget = RedrawBudget()
    plot = view.chronometric
    axis = plot.getPlotItem().getAxis("left")
    plot.repaint()
    assert axis.picture is not None  # laid out by the paint
    budget.mark("chronometric", lambda: plot.setYRange(100.0, 900.0, padding=0), plot)
    budget.run(100.0)
    assert axis.picture is None and "chronometric:axis.left" in budget.dirty and budget.held == [plot]
    budget.run(100.0)
    assert budget.last == "chronometric:axis.left" and axis.picture is not None and not plot.updatesEnabled()
    budget.run(100.0)
    assert budget.last == "paint:CurvePlot" and plot.updatesEnabled()
