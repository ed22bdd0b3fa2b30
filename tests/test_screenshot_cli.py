"""`neurogym-app screenshot VIEW`: every view of the app rendered offscreen to a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtGui import QImage

from neurogym_app.cli.main import main
from neurogym_app.stimuli.backends.qpainter import qimage_to_array


def pixels(path: Path) -> np.ndarray:
    img = QImage(str(path))
    assert not img.isNull()
    return qimage_to_array(img)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shots") / "sessions"
    for who in ("A", "B"):
        assert main(["play", "PerceptualDecisionMaking-v0", "--auto", "lapse", "--trials", "6", "--seed", "3",
                     "--headless", "--backend", "null", "--participant", who, "--out", str(root)]) == 0
    return root


def test_every_view_is_rendered(sessions, tmp_path, capsys):
    runs = sorted((sessions / "PerceptualDecisionMaking-v0").iterdir())
    targets = {"tasks": ["GoNogo-v0"], "inspector": ["GoNogo-v0"], "play": ["GoNogo-v0"], "sessions": [str(sessions)],
               "replay": [str(runs[0])], "compare": [str(r) for r in runs]}
    images = {}
    for view, args in targets.items():
        out = tmp_path / f"{view}.png"
        assert main(["screenshot", view, *args, "--out", str(out), "--size", "900x600"]) == 0
        assert f"screenshot written to {out}" in capsys.readouterr().out
        img = pixels(out)
        assert img.shape[0] >= 600 and img.shape[1] >= 900  # at least the size asked (the window has a minimum)
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20  # a real window, not a blank image
        images[view] = img
    # each view looks different (the right tab was shown)
    names = list(images)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            h = min(images[a].shape[0], images[b].shape[0])
            assert np.mean(images[a][:h] != images[b][:h]) > 0.05, (a, b)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "--out", "x.png"], "the replay view needs a recorded session"),
        (["replay", "NOPE", "--out", "x.png"], "NOPE is not a session folder"),
        (["tasks", "GoNogo-v0", "--out", "x.jpg"], "give a .png file name"),
        (["play", "NoSuchTask-v0", "--out", "x.png"], "unknown task id 'NoSuchTask-v0'"),
        (["tasks", "--out", "x.png", "--size", "big"], "--size must look like 1400x900"),
    ],
)
def test_screenshot_errors_are_one_line(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["screenshot", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "x.png").exists()
