"""Sessions view: the sessions folder as a table; filter, sort, open for replay or comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
from _synthetic import write_synthetic_session
from PyQt6.QtCore import Qt

from neurogym_app.qt.sessions import SessionsView
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import start_play
from neurogym_app.runtime.run import PlayOptions

TASK = "PerceptualDecisionMaking-v0"


def _simulated(root: Path, participant: str, n: int, seed: int) -> Path:
    clock = FakeClock()
    session = start_play(PlayOptions(TASK, participant=participant, n_trials=n, seed=seed, player="oracle"), NullDisplay(clock), sessions_root=root)
    while session.tick(clock.now()):
        clock.advance(1 / 60)
    return session.path


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions")
    _simulated(root, "alice", 3, 1)
    write_synthetic_session(root, TASK, n_trials=5, seed=1, participant="rnn-a", kwargs={"timing": "human"})
    write_synthetic_session(root, "GoNogo-v0", n_trials=4, seed=2, participant="rnn-b")
    broken = root / TASK / "broken_1_x"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"format": "neurogym-app-session", "format_version": 1}')
    return root


@pytest.fixture
def view(qtbot, root):
    w = SessionsView(root)
    qtbot.addWidget(w)
    w.resize(1100, 600)
    w.show()
    return w


def _column(view, name):
    col = view.model.COLUMNS.index(name)
    return [view.proxy.index(r, col).data() for r in range(view.proxy.rowCount())]


def test_lists_every_run_with_its_summary(view, root):
    assert view.model.rowCount() == 4
    assert "4 of 4 sessions" == view.count.text()
    parts = dict(zip(_column(view, "Participant"), zip(_column(view, "Player"), _column(view, "Trials"), _column(view, "Accuracy"), _column(view, "Task"))))
    assert parts["alice"] == ("simulated", "3", "100.0%", TASK)
    assert parts["rnn-a"][0] == "agent" and parts["rnn-a"][1] == "5"
    assert parts["rnn-b"][3] == "GoNogo-v0"
    assert all(d for d, p in zip(_column(view, "Date"), _column(view, "Participant")) if p != "?")
    assert str(root.resolve()) in view.root_label.text()


def test_damaged_run_is_listed_not_fatal(view):
    statuses = dict(zip(_column(view, "Folder"), _column(view, "Status")))
    assert statuses["broken_1_x"] == "damaged"
    row = _column(view, "Folder").index("broken_1_x")
    tip = view.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "steps.sqlite" in tip


def test_filter_and_sort(view, qtbot):
    qtbot.keyClicks(view.search, "agent")
    assert sorted(_column(view, "Participant")) == ["rnn-a", "rnn-b"]
    view.search.clear()
    qtbot.keyClicks(view.search, "gonogo")
    assert _column(view, "Participant") == ["rnn-b"]
    view.search.clear()
    view.table.sortByColumn(view.model.COLUMNS.index("Trials"), Qt.SortOrder.AscendingOrder)
    trials = [int(t) for t in _column(view, "Trials")]
    assert trials == sorted(trials)


def test_double_click_and_buttons_open_sessions(view, qtbot):
    row = _column(view, "Participant").index("alice")
    rect = view.table.visualRect(view.proxy.index(row, 0))
    with qtbot.waitSignal(view.replay_requested) as sig:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert Path(sig.args[0]).name.startswith("alice_1_")
    view.select_rows([row])
    with qtbot.waitSignal(view.replay_requested) as sig:
        qtbot.mouseClick(view.replay_button, Qt.MouseButton.LeftButton)
    assert Path(sig.args[0]).name.startswith("alice_1_")
    view.select_rows([0, 1])
    with qtbot.waitSignal(view.compare_requested) as sig:
        qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    assert len(sig.args[0]) == 2


def test_refresh_sees_new_runs_and_root_change(view, qtbot, tmp_path):
    _simulated(view.root, "bob", 2, 5)
    view.refresh()
    assert "bob" in _column(view, "Participant")
    with qtbot.waitSignal(view.root_changed):
        view.set_root(tmp_path / "empty")
    assert view.model.rowCount() == 0
    assert "does not exist yet" in view.root_label.text()


def test_linked_runs_are_shown_and_open(qtbot, tmp_path):
    """A person's run against the shipped PDM agent: each row names the other run (Linked column, links
    under the table for the selected row); clicking the link or double-clicking the cell opens the other run."""
    from neurogym_app.agents.against import opponent_for

    root = tmp_path / "S"
    clock = FakeClock()
    agent = Path(__file__).resolve().parents[1] / "assets" / "agents" / "PerceptualDecisionMaking_gru32"
    opponent = opponent_for([str(agent)], out=root)
    options = PlayOptions(TASK, participant="alice", n_trials=3, seed=4, player="oracle", virtual_clock=True)
    session = start_play(options, NullDisplay(clock), sessions_root=root, opponent=opponent)
    while session.tick(clock.now()):
        clock.advance(1 / 60)
    person = session.path
    view = SessionsView(root)
    qtbot.addWidget(view)
    rows = {_column(view, "Player")[r]: r for r in range(view.proxy.rowCount())}
    assert set(rows) == {"simulated", "agent"}
    linked = _column(view, "Linked")
    assert linked[rows["simulated"]] == "agent PerceptualDecisionMaking_gru32"
    assert linked[rows["agent"]] == "simulated alice"
    agent_path = view._info_at(rows["simulated"]).links[0][1]
    assert agent_path.resolve() == view._info_at(rows["agent"]).path.resolve()
    # select the person's run: its link appears; activating it selects and opens the agent's run
    view.select_rows([rows["simulated"]])
    assert not view.links_label.isHidden() and str(agent_path) in view.links_label.text()
    with qtbot.waitSignal(view.replay_requested) as sig:
        view.links_label.linkActivated.emit(str(agent_path))
    assert Path(sig.args[0]).resolve() == agent_path.resolve()
    assert [Path(p).resolve() for p in view.selected_paths()] == [agent_path.resolve()]
    # a double-click on the agent's Linked cell opens the person's run; elsewhere on the row, the row's own
    col = view.model.COLUMNS.index("Linked")
    with qtbot.waitSignal(view.replay_requested) as sig:
        view._double_clicked(view.proxy.index(rows["agent"], col))
    assert Path(sig.args[0]).resolve() == Path(person).resolve()
    with qtbot.waitSignal(view.replay_requested) as sig:
        view._double_clicked(view.proxy.index(rows["agent"], 0))
    assert Path(sig.args[0]).resolve() == agent_path.resolve()
    # a run without links shows none
    view.select_rows([])
    assert view.links_label.isHidden()
