"""The app's Sessions and Compare views open a sweep folder (the tiny sweep of ``_sweep_data``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from neurogym_app.qt.compare import CompareView
from neurogym_app.qt.sessions import SessionsView
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import start_play
from neurogym_app.runtime.run import PlayOptions

pytestmark = pytest.mark.torch

TASK = "PerceptualDecisionMaking-v0"


def _simulated(root: Path, participant: str, n: int, seed: int) -> Path:
    clock = FakeClock()
    session = start_play(PlayOptions(TASK, participant=participant, n_trials=n, seed=seed, player="lapse"), NullDisplay(clock), sessions_root=root)
    while session.tick(clock.now()):
        clock.advance(1 / 60)
    return session.path


@pytest.fixture(scope="module")
def lab(tiny_sweep, tmp_path_factory):
    """A sessions root holding a simulated participant's session and, below it, the tiny sweep."""
    folder, result = tiny_sweep
    root = tmp_path_factory.mktemp("lab")
    person = _simulated(root, "sim-p1", 12, 4)
    sweep = root / "sweeps" / "tiny"
    shutil.copytree(folder, sweep)
    return root, sweep, person, result.rows


def _cells(view: SessionsView, column: str) -> list[str]:
    col = view.sweep_model.COLUMNS.index(column)
    return [view.sweep_proxy.index(r, col).data() for r in range(view.sweep_proxy.rowCount())]


def test_sessions_view_lists_the_agents_of_a_sweep_folder(qtbot, lab):
    root, sweep, _, rows = lab
    view = SessionsView(sweep)
    qtbot.addWidget(view)
    view.show()
    assert view.agents_box.isVisible()
    assert view.sweep_model.rowCount() == 4
    assert _cells(view, "Task") == [r["task"] for r in rows]
    assert _cells(view, "Seed") == [str(r["seed"]) for r in rows]
    assert _cells(view, "Accuracy (default)") == [f"{r['accuracy_default']:.1%}" for r in rows]
    assert _cells(view, "Accuracy (human)") == [f"{r['accuracy_human']:.1%}" for r in rows]
    assert _cells(view, "Status") == ["ok"] * 4
    assert "4 trained" in view.agents_label.text()
    # the agents' recorded runs are sessions like any other
    kinds = [view.model.infos[i].kind for i in range(view.model.rowCount())]
    assert kinds == ["agent"] * 4
    tip = view.sweep_proxy.index(0, 0).data(0x03)  # ToolTipRole
    assert str(sweep / rows[0]["agent"]) in tip


def test_selected_agents_go_to_the_comparison_with_a_persons_session(qtbot, lab):
    root, sweep, person, rows = lab
    view = SessionsView(root)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 5  # the person's session and the 4 agent runs below sweeps/tiny
    assert view.sweep_model.rowCount() == 4 and _cells(view, "Sweep") == ["tiny"] * 4
    pdm = [i for i, r in enumerate(rows) if r["task"] == TASK]
    view.select_agent_rows(pdm)
    with qtbot.waitSignal(view.compare_requested) as signal:
        view.compare_agents_button.click()
    assert signal.args[0] == [str(sweep / rows[i]["session"]) for i in pdm]

    compare = CompareView(sessions_root=root)
    qtbot.addWidget(compare)
    compare.add_sessions([str(person)])
    added = compare.add_sweep(sweep)  # picks the task already compared
    assert added == 2 and compare.model.tasks() == [TASK]
    groups = compare.model.groups()
    assert [len(groups["simulated"]), len(groups["agent"])] == [1, 2]
    texts = [compare.list.item(i).text() for i in range(compare.list.count())]
    assert texts[0].startswith("sim-p1  [simulated, 12 trials, ")
    for text, i in zip(texts[1:], pdm):
        assert text.startswith(f"{Path(rows[i]['agent']).name}  [agent, 16 trials, ") and "% correct]" in text
    series = compare.plotted_series()
    # per condition: the person, each agent, the agents pooled (12-step agents rarely choose: no psychometric points)
    assert series["conditions"] >= 4 and series["psychometric"] >= 2


def test_compare_add_sweep_names_a_bad_folder_or_task(qtbot, lab, tmp_path):
    _, sweep, _, _ = lab
    compare = CompareView(sessions_root=tmp_path)
    qtbot.addWidget(compare)
    assert compare.add_sweep(tmp_path) == 0
    assert "not a sweep folder" in compare.note.text()
    assert compare.add_sweep(sweep, task="DelayMatchSample-v0") == 0
    assert "no agents of DelayMatchSample-v0" in compare.note.text()
    assert compare.add_sweep(sweep, task="GoNogo-v0") == 2 and compare.model.tasks() == ["GoNogo-v0"]


def test_sessions_view_screenshot_shows_both_tables(qtbot, lab, tmp_path):
    root, _, _, _ = lab
    view = SessionsView(root)
    qtbot.addWidget(view)
    view.resize(1100, 640)
    view.show()
    qtbot.waitExposed(view)
    path = tmp_path / "sessions.png"
    assert view.grab().save(str(path))
    import imageio.v3 as iio

    img = iio.imread(path)[..., :3].astype(int)
    from PyQt6.QtCore import QPoint, QRect

    def rect(widget) -> QRect:
        return QRect(widget.mapTo(view, QPoint(0, 0)), widget.size())

    top, bottom = rect(view.table), rect(view.agents_table)
    assert bottom.top() > top.bottom()  # the agents table sits below the sessions table
    rows = img[bottom.top() + 30 : bottom.bottom() - 5, bottom.left() + 5 : bottom.right() - 5]
    assert (rows.sum(axis=2) < 200).sum() > 200  # dark text in the agents rows
    assert np.ptp(img) > 100
