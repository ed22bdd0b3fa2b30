"""`neurogym-app gallery --out DIR`: an index and a page per task, each with its periods figure."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types

import pytest

from neurogym_app.cli import cmd_gallery
from neurogym_app.cli.main import main

TASKS = ["PerceptualDecisionMaking-v0", "GoNogo-v0"]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    code = main(["gallery", "--out", str(out), "--tasks", *TASKS, "--seed", "1"])
    return out, code


def test_gallery_writes_an_index_linking_every_page(gallery):
    out, code = gallery
    assert code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    for task_id in TASKS:
        assert f"href='{task_id}.html'" in index
        assert (out / f"{task_id}.html").exists()


@pytest.mark.parametrize("task_id", TASKS)
def test_each_page_names_the_task_and_links_its_figure(gallery, task_id):
    out, _ = gallery
    page = (out / f"{task_id}.html").read_text(encoding="utf-8")
    assert f"<h1>{task_id}</h1>" in page
    image = f"img/{task_id}-periods.png"
    assert f"<img src='{image}'" in page
    assert (out / image).read_bytes()[:4] == b"\x89PNG"
    assert "<h2>Timing</h2>" in page and "<code>decision</code>" in page
    assert "<code>fixation</code>" in page  # channel/action names
    assert "href='https://" in page  # the paper link
    assert "href='index.html'" in page


def _fake_views(monkeypatch, **functions):
    module = types.ModuleType("neurogym_app.stimuli.views")
    module.__spec__ = importlib.machinery.ModuleSpec("neurogym_app.stimuli.views", None)
    for name, fn in functions.items():
        setattr(module, name, fn)
    monkeypatch.setitem(sys.modules, "neurogym_app.stimuli.views", module)


def test_stimulus_picture_draws_with_the_views(tmp_path, monkeypatch):
    calls = []
    _fake_views(monkeypatch, stimulus_picture=lambda task_id, path: calls.append((task_id, path)) or True)
    assert cmd_gallery.stimulus_picture("GoNogo-v0", tmp_path / "z.png") is True
    assert calls == [("GoNogo-v0", tmp_path / "z.png")]


def test_stimulus_picture_is_shown_when_the_hook_draws(tmp_path, monkeypatch):
    def fake(task_id, path):
        path.write_bytes(b"\x89PNG fake")
        return True

    monkeypatch.setattr(cmd_gallery, "stimulus_picture", fake)
    problems = cmd_gallery.write_gallery(tmp_path, ["GoNogo-v0"], seed=0, trials=1)
    assert problems == []
    page = (tmp_path / "GoNogo-v0.html").read_text(encoding="utf-8")
    assert "<img src='img/GoNogo-v0-stimulus.png'" in page


def test_unknown_task_is_a_one_line_error(tmp_path, capsys):
    assert main(["gallery", "--out", str(tmp_path), "--tasks", "NoSuchTask-v0"]) == 2
    err = capsys.readouterr().err
    assert "NoSuchTask-v0" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "index.html").exists()


def test_page_names_are_safe_file_names():
    assert cmd_gallery.page_name("yang19.go-v0") == "yang19.go-v0.html"
    assert cmd_gallery.page_name("a/b c") == "a_b_c.html"
