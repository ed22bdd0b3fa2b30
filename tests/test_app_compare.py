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
    view.remove_button.click()  # as the user does
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
    real_draw = figure_module.draw_curve

    def spy(ax, curve, *args, **kwargs):
        drawn[-1].append(tuple(np.round(np.asarray(a, dtype=float), 12).tobytes() for a in (curve.x, curve.y, curve.lo, curve.hi)))
        return real_draw(ax, curve, *args, **kwargs)

    monkeypatch.setattr(figure_module, "draw_curve", spy)
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


PRACTICE_EXPERIMENT = """
name = "practice-check"
seed = 11
block_order = "fixed"

[flow]
feedback_ms = 200
practice_feedback_ms = 200
iti_ms = 200
ready_ms = 100

[tasks.rdm]
id = "PerceptualDecisionMaking-v0"
timing = "human"
trials = 8

[tasks.rdm.practice]
trials = 4

[[blocks]]
task = "rdm"

[simulated]
strategy = "psychometric"
threshold = 15.0
"""


@pytest.fixture(scope="module")
def practice_experiment(tmp_path_factory):
    """An experiment folder of one simulated participant: 4 practice trials, then 8."""
    from neurogym_app.cli.main import main

    root = tmp_path_factory.mktemp("practice")
    toml = root / "practice.toml"
    toml.write_text(PRACTICE_EXPERIMENT, encoding="utf-8")
    out = root / "sessions"
    assert main(["play", str(toml), "--auto", "psychometric", "--headless", "--participant", "P01", "--out", str(out)]) == 0
    (folder,) = sorted((out / "practice-check").iterdir())
    return folder


def _screen_psychometric(view, key):
    """The psychometric points and error bars the view shows for series ``key``."""
    import numpy as np

    s = view.psychometric.series[key]
    x, y = s.points.getData()
    return np.asarray(x), np.asarray(y), np.asarray(s.errors.opts["top"]), np.asarray(s.errors.opts["bottom"])


def test_include_practice_checkbox_counts_practice_as_the_cli_does(view, qtbot, practice_experiment, tmp_path, monkeypatch, capsys):
    """Practice is left out by default; the checkbox counts it; screen, export and `compare --include-practice` agree."""
    import json

    import numpy as np

    from neurogym_app.cli.main import main
    from neurogym_app.plots import compare_figure as figure_module

    folder = str(practice_experiment)
    assert not view.include_practice.isChecked()
    assert view.add_sessions([folder]) == 1
    assert "8 trials" in view.list.item(0).text() and len(view.model.entries[0].table) == 8
    assert "practice trials left out" in view.note.text()

    def cli_numbers(*extra):
        capsys.readouterr()
        assert main(["compare", folder, "--json", *extra]) == 0
        (entry,) = [e for e in json.loads(capsys.readouterr().out) if e["path"]]
        return entry

    def screen_matches(entry):
        psy = entry["psychometric"]
        y = np.array([np.nan if v is None else v for v in psy["y"]], dtype=float)
        ok = np.isfinite(y)
        x_s, y_s, top, bottom = _screen_psychometric(view, f"ind:{view.model.entries[0].path}")
        hi = np.array([np.nan if v is None else v for v in psy["hi"]], dtype=float)[ok]
        lo = np.array([np.nan if v is None else v for v in psy["lo"]], dtype=float)[ok]
        np.testing.assert_array_equal(x_s, np.asarray(psy["x"])[ok])
        np.testing.assert_array_equal(y_s, y[ok])
        np.testing.assert_allclose(top, np.nan_to_num(hi - y[ok]), rtol=0, atol=1e-12)
        np.testing.assert_allclose(bottom, np.nan_to_num(y[ok] - lo), rtol=0, atol=1e-12)

    without = cli_numbers()
    assert without["n_trials"] == 8
    screen_matches(without)

    from PyQt6.QtCore import QPoint

    box = view.include_practice
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on its box, as the user does
    assert view.include_practice.isChecked() and view.model.include_practice
    assert "12 trials" in view.list.item(0).text() and len(view.model.entries[0].table) == 12
    assert "practice trials included" in view.note.text()
    with_practice = cli_numbers("--include-practice")
    assert with_practice["n_trials"] == 12 and with_practice["psychometric"]["n"] != without["psychometric"]["n"]
    screen_matches(with_practice)

    # the export draws exactly the curves of `compare --include-practice --out`
    drawn: list[list[tuple]] = []
    real_draw = figure_module.draw_curve

    def spy(ax, curve, *args, **kwargs):
        drawn[-1].append(tuple(np.round(np.asarray(a, dtype=float), 12).tobytes() for a in (curve.x, curve.y, curve.lo, curve.hi, curve.n)))
        return real_draw(ax, curve, *args, **kwargs)

    monkeypatch.setattr(figure_module, "draw_curve", spy)
    drawn.append([])
    assert view.export(tmp_path / "view.png").is_file()
    drawn.append([])
    assert main(["compare", folder, "--include-practice", "--out", str(tmp_path / "cli.png")]) == 0
    drawn.append([])
    assert main(["compare", folder, "--out", str(tmp_path / "cli-without.png")]) == 0
    assert len(drawn[0]) >= 3 and drawn[0] == drawn[1] and drawn[0] != drawn[2]

    view.include_practice.setChecked(False)  # and back
    assert len(view.model.entries[0].table) == 8
    screen_matches(without)
