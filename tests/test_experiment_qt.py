"""The participant dialog (Qt) and the experiment screens drawn by the QPainter backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurogym_app.config.experiment import ParticipantField, load_experiment  # noqa: E402
from neurogym_app.experiment.screens import BlockSummary, ScreenScenes  # noqa: E402
from neurogym_app.qt.participant_dialog import ParticipantDialog  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIELDS = [
    ParticipantField(name="age", type="int", min=18, max=99, required=True),
    ParticipantField(name="handedness", type="choice", choices=["right", "left"]),
    ParticipantField(name="notes"),
]


def test_dialog_validates_with_a_one_line_message(qtbot):
    dialog = ParticipantDialog(FIELDS, title="Pilot")
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == {"age", "handedness", "notes"}
    dialog.id_edit.setText("P/01")
    dialog.editors["age"].setText("30")
    dialog.accept()
    assert dialog.info is None and dialog.result() == 0 and "path separator" in dialog.error.text()
    assert "\n" not in dialog.error.text()
    dialog.id_edit.setText("P01")
    dialog.editors["age"].setText("12")
    dialog.accept()
    assert dialog.info is None and dialog.error.text() == "Age: must be at least 18 (got 12)"
    dialog.editors["age"].setText("30")
    dialog.editors["handedness"].setCurrentText("left")
    dialog.session_spin.setValue(2)
    dialog.accept()
    assert dialog.error.text() == "" and dialog.info is not None
    assert dialog.info.id == "P01" and dialog.info.session == 2 and dialog.info.number == 1
    assert dialog.info.fields == {"age": 30, "handedness": "left", "notes": None}


def test_play_experiment_uses_the_dialog_when_not_auto(tmp_path, monkeypatch, capsys):
    """Without --auto/--participant the dialog asks; cancelling records nothing."""
    import neurogym_app.qt.participant_dialog as dialog_mod
    from neurogym_app.cli.main import main

    asked = []
    monkeypatch.setattr(dialog_mod, "ask_participant", lambda fields, **kw: asked.append([f.name for f in fields]))
    pilot = ROOT / "envs" / "pilot_example.toml"
    assert main(["play", str(pilot), "--headless", "--out", str(tmp_path)]) == 1
    assert asked == [["age", "handedness", "notes"]] and "cancelled" in capsys.readouterr().out
    assert not (tmp_path / "pilot_example").exists()


def test_screens_render_with_text_inside_the_screen():
    from neurogym_app.stimuli.backends.qpainter import render_to_image
    from neurogym_app.stimuli.scene import Geometry

    cfg = load_experiment(ROOT / "envs" / "pilot_example.toml")
    s = ScreenScenes()
    summary = BlockSummary("Motion direction", 30, 24, 512.0)
    screens = [
        s.welcome(cfg.title, cfg.welcome),
        s.instructions("Motion direction", cfg.tasks["rdm"].instructions, "F or Left arrow: left | J: right | Esc: quit", practice=6),
        s.practice_done(summary, ["correct", "wrong"], False),
        s.break_screen(1, 4, 30, 100, summary, cfg.flow.break_text),
        s.confirm_abort(),
        s.end(cfg.flow.end_text, [summary], "display: 60 Hz"),
    ]
    size = (1024, 768)
    for screen in screens:
        img = render_to_image(screen.scene, size, Geometry(size=size))
        bright = np.argwhere(img.max(axis=2) > 200)  # text pixels
        assert len(bright) > 200, screen.name
        # nothing touches the edges: text fits the screen
        assert bright[:, 1].min() > 5 and bright[:, 1].max() < size[0] - 5, screen.name
