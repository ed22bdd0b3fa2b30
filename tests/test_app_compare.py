"""Compare view: sessions side by side, pooled per player kind, export PNG/SVG."""

from __future__ import annotations

import pytest
from _synthetic import write_synthetic_session
from PyQt6.QtCore import Qt

from neurogym_app.qt.compare import CompareView
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.play_setup import start_play
from neurogym_app.runtime.run import PlayOptions

TASK = "PerceptualDecisionMaking-v0"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions")
    sims = []
    for i in range(2):
        clock = FakeClock()
        s = start_play(PlayOptions(TASK, participant=f"sim{i}", n_trials=12, seed=20 + i, player="lapse", lapse=0.2), NullDisplay(clock), sessions_root=root)
        while s.tick(clock.now()):
            clock.advance(1 / 60)
        sims.append(str(s.path))
    agents = [str(write_synthetic_session(root, TASK, n_trials=20, seed=k, participant="rnn", kwargs={"timing": "human"})) for k in (1, 2)]
    other = str(write_synthetic_session(root, "GoNogo-v0", n_trials=5, seed=3, participant="gng"))
    return {"sim": sims, "agent": agents, "other": other}


@pytest.fixture
def view(qtbot, tmp_path):
    w = CompareView(sessions_root=tmp_path)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    return w


def test_individual_and_pooled_curves(view, runs):
    assert view.add_sessions(runs["sim"] + runs["agent"]) == 4
    assert view.list.count() == 4
    labels = [view.list.item(i).text() for i in range(4)]
    assert labels[2].startswith("rnn") and labels[3].startswith("rnn seed 2")  # the same agent id, told apart
    counts = view.plotted_series()
    # 4 individual sessions + 2 pooled groups in each plot
    assert counts == {"conditions": 6, "psychometric": 6, "chronometric": 6}
    pooled = view.psychometric.series["pool:agent"]
    assert pooled.fit.xData is not None and len(pooled.fit.xData) > 10  # the logistic fit
    assert len(view.conditions.labels) == 10  # 2 directions x 5 coherences
    assert "2 simulated" in view.note.text() and "2 agent" in view.note.text()


def test_hiding_sessions_and_individuals(view, runs):
    view.add_sessions(runs["sim"] + runs["agent"])
    item = view.list.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert view.plotted_series()["psychometric"] == 5
    view.individual.setChecked(False)
    assert view.plotted_series() == {"conditions": 2, "psychometric": 2, "chronometric": 2}
    view.list.item(0).setSelected(True)
    view._remove()
    assert view.list.count() == 3


def test_different_tasks_warn_and_bad_folders_are_named(view, runs, tmp_path):
    view.add_sessions([runs["agent"][0], runs["other"]])
    assert "different tasks" in view.note.text()
    assert view.add_sessions([str(tmp_path / "missing")]) == 0
    assert "no such session folder" in view.note.text()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_export(view, runs, tmp_path, suffix):
    view.add_sessions(runs["sim"] + runs["agent"])
    path = view.export(tmp_path / f"comparison{suffix}")
    assert path.suffix == suffix and path.stat().st_size > 5000
    if suffix == ".png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert b"<svg" in path.read_bytes()[:2000]


def test_the_views_export_and_the_cli_give_identical_intervals(view, runs, tmp_path, monkeypatch, capsys):
    """One statistics module: the Compare view's export and `neurogym-app compare` draw the same numbers."""
    import json

    import numpy as np

    from neurogym_app.cli.main import main
    from neurogym_app.plots import compare_figure as figure_module

    drawn: list[list[tuple]] = []
    real_draw = figure_module._draw

    def spy(ax, curve, *args, **kwargs):
        drawn[-1].append(tuple(np.round(np.asarray(a, dtype=float), 12).tobytes() for a in (curve.x, curve.y, curve.lo, curve.hi)))
        return real_draw(ax, curve, *args, **kwargs)

    monkeypatch.setattr(figure_module, "_draw", spy)
    sessions = runs["sim"] + runs["agent"]
    view.add_sessions(sessions)
    drawn.append([])
    assert view.export(tmp_path / "view.png").is_file()
    drawn.append([])
    assert main(["compare", *sessions, "--out", str(tmp_path / "cli.png")]) == 0
    assert len(drawn[0]) >= 12 and drawn[0] == drawn[1]  # the same curves, point for point, interval for interval

    capsys.readouterr()
    assert main(["compare", *sessions, "--json"]) == 0
    data = {e["path"]: e for e in json.loads(capsys.readouterr().out) if e["path"]}
    for entry in view.model.entries:
        psy = entry.table.psychometric()
        numbers = data[str(entry.path)]["psychometric"]
        assert numbers["lo"] == [float(v) for v in psy.lo] and numbers["hi"] == [float(v) for v in psy.hi]
        chrono = entry.table.chronometric()
        assert data[str(entry.path)]["chronometric"]["hi"] == [float(v) for v in chrono.hi]
