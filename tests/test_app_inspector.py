"""Period inspector: sampled trials, the timing editor regenerating them, export to envs/."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from neurogym_app.config import Config
from neurogym_app.qt.inspector import PeriodInspector

TASK = "PerceptualDecisionMaking-v0"


@pytest.fixture
def inspector(qtbot, tmp_path):
    w = PeriodInspector(envs_dir=tmp_path / "envs")
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.set_task(TASK)
    return w


def test_shows_sampled_trials_of_a_task(inspector):
    s = inspector.sampled
    assert s is not None and s.task_id == TASK
    assert len(s.trials) == inspector.n_trials.value() == 5
    assert inspector.preset.currentText() == "human"
    assert inspector.editor.periods() == ["fixation", "stimulus", "delay", "decision"]
    # the plots hold the data
    assert len(inspector.raster.bars.opts["x0"]) == 5 * 3  # delay lasts 0 ms: not drawn
    assert len(inspector.obs_plot.traces) >= 3 and inspector.obs_plot.traces[0].xData is not None
    assert inspector.gt_plot.gt.yData is not None and np.nanmax(inspector.gt_plot.gt.yData) >= 1
    assert inspector.reward_plot.points.data.size == 5  # one reward per trial
    assert "5 trials" in inspector.status.text()
    assert inspector.editor.item(1, 3).text() == "1000"  # sampled stimulus duration


def test_typing_a_timing_regenerates_the_trials(inspector, qtbot):
    editor = inspector.editor
    editor.combo("stimulus").setCurrentText("uniform")
    field = editor.editor("stimulus")
    field.clear()
    with qtbot.waitSignal(inspector.regenerated, timeout=3000):
        qtbot.keyClicks(field, "300, 1500")
    durations = inspector.period_durations()["stimulus"]
    assert all(300 <= d <= 1500 for d in durations)
    assert len(set(durations)) > 1
    rows = inspector.raster.bars.opts
    widths = np.asarray(rows["x1"]) - np.asarray(rows["x0"])
    assert any(w not in (500.0, 1000.0, 2000.0) for w in widths)  # the raster changed with them
    assert "-" in editor.item(1, 3).text()  # a range was sampled


def test_truncated_exponential_and_choice(inspector, qtbot):
    inspector.n_trials.setValue(12)
    inspector.editor.set_form("fixation", "truncated_exponential", "400, 200, 800")
    inspector.editor.set_form("stimulus", "choice", "200, 800")
    inspector.regenerate()
    d = inspector.period_durations()
    assert len(d["fixation"]) == 12 and all(200 <= v <= 800 for v in d["fixation"])
    assert set(d["stimulus"]) <= {200.0, 800.0}


def test_invalid_timing_is_shown_and_not_used(inspector, qtbot):
    field = inspector.editor.editor("stimulus")
    before = inspector.period_durations()["stimulus"]
    inspector.editor.combo("stimulus").setCurrentText("uniform")
    field.clear()
    qtbot.keyClicks(field, "900, 100")
    inspector.regenerate()
    assert "stimulus" in inspector.editor.errors
    assert "low 900 > high 100" in inspector.status.text()
    assert "background" in field.styleSheet()
    assert inspector.period_durations()["stimulus"] == before  # the last valid spec stays
    assert inspector.export_experiment(inspector.envs_dir / "bad.toml") is None


def test_seed_and_trial_count_change_the_sample(inspector, qtbot):
    first = inspector.sampled.ob.copy()
    with qtbot.waitSignal(inspector.regenerated, timeout=3000):
        inspector.seed.setValue(9)
    assert inspector.sampled.seed == 9
    assert not np.array_equal(first[: len(inspector.sampled.ob)], inspector.sampled.ob[: len(first)])
    with qtbot.waitSignal(inspector.regenerated, timeout=3000):
        inspector.n_trials.setValue(2)
    assert len(inspector.sampled.trials) == 2


def test_preset_and_heatmap(inspector):
    inspector.preset.setCurrentText("default")
    inspector.preset.textActivated.emit("default")  # as choosing it in the list does
    assert inspector.editor.editor("stimulus").text() == "2000"
    assert inspector.period_durations()["stimulus"][0] == 2000
    inspector.mode.setCurrentText("heatmap")
    assert inspector.obs_plot.image.isVisible()
    assert inspector.obs_plot.image.image.shape == (3, inspector.sampled.n_steps)
    inspector.mode.setCurrentText("traces")
    assert not inspector.obs_plot.image.isVisible()


def test_export_writes_an_experiment_toml(inspector, qtbot):
    inspector.editor.set_form("stimulus", "uniform", "300, 700")
    inspector.regenerate()
    with qtbot.waitSignal(inspector.exported) as sig:
        path = inspector.export_experiment(inspector.default_export_path())
    assert path == inspector.envs_dir / "PerceptualDecisionMaking_experiment.toml"
    assert sig.args == [str(path)]
    cfg = Config(path)
    assert cfg.env.name == TASK
    assert cfg.env.timing["stimulus"] == ["uniform", [300, 700]]
    assert cfg.env.timing["decision"] == 2000
    assert "written to" in inspector.status.text()


def test_other_tasks_and_unknown_ids(inspector, qtbot):
    inspector.task_combo.setCurrentText("GoNogo-v0")
    qtbot.keyClick(inspector.task_combo.lineEdit(), Qt.Key.Key_Return)
    assert inspector.task_id == "GoNogo-v0"
    assert inspector.sampled.task_id == "GoNogo-v0"
    inspector.set_task("NoSuchTask-v9")
    assert inspector.task_id == "GoNogo-v0"
    assert "unknown task id" in inspector.status.text()


def test_every_available_task_can_be_inspected(qtbot, tmp_path):
    """The inspector opens on any registered task (or explains in one line why not)."""
    from neurogym_app.core import registry

    w = PeriodInspector(envs_dir=tmp_path)
    qtbot.addWidget(w)
    w.n_trials.setValue(2)
    for task_id, entry in sorted(registry.entries().items()):
        if not entry.available:
            continue
        w.set_task(task_id)
        assert w.sampled is not None and w.sampled.task_id == task_id or w.error, task_id
