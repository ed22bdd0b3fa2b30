"""Task browser: search, tag filter, details pane, double-click and buttons."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt

from neurogym_app.core import registry
from neurogym_app.qt.browser import ALL_TAGS, TaskBrowser, task_details_html


@pytest.fixture
def browser(qtbot):
    w = TaskBrowser()
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    return w


def test_lists_every_registered_task(browser):
    ids = set(registry.entries())
    assert set(browser.visible_tasks()) == ids
    assert browser.count.text() == f"{len(ids)} of {len(ids)} tasks"


def test_typing_in_the_search_box_filters(browser, qtbot):
    qtbot.keyClicks(browser.search, "perceptual")
    visible = browser.visible_tasks()
    assert "PerceptualDecisionMaking-v0" in visible
    assert "GoNogo-v0" not in visible
    assert all("perceptual" in t.lower() or "perceptual" in str(registry.task_metadata(t)).lower() for t in visible)
    # two words: both must match (id, tags or description)
    browser.search.clear()
    qtbot.keyClicks(browser.search, "delay match")
    assert set(browser.visible_tasks()) >= {"DelayMatchSample-v0", "DelayMatchCategory-v0"}
    assert "PerceptualDecisionMaking-v0" not in browser.visible_tasks()
    browser.search.clear()
    qtbot.keyClicks(browser.search, "no-such-task-xyz")
    assert browser.visible_tasks() == []
    assert browser.count.text().startswith("0 of")


def test_tag_filter(browser):
    tags = [browser.tags.itemText(i) for i in range(browser.tags.count())]
    assert tags[0] == ALL_TAGS and "perceptual" in tags
    browser.tags.setCurrentText("perceptual")
    visible = browser.visible_tasks()
    assert visible and all("perceptual" in registry.task_metadata(t)["tags"] for t in visible)
    browser.tags.setCurrentText(ALL_TAGS)
    assert len(browser.visible_tasks()) == len(registry.entries())


def test_selecting_shows_details(browser, qtbot):
    with qtbot.waitSignal(browser.task_selected) as sig:
        assert browser.select_task("PerceptualDecisionMaking-v0")
    assert sig.args == ["PerceptualDecisionMaking-v0"]
    text = browser.details.toPlainText()
    for expected in ("PerceptualDecisionMaking-v0", "perceptual", "stimulus", "fixation", "Left arrow or F", "Right arrow or J", "Timing", "Paper"):
        assert expected in text
    html = browser.details.toHtml()
    assert "jneurosci.org" in html  # the paper link


def test_details_of_a_task_people_cannot_play():
    text = task_details_html("Null-v0")
    assert "Null-v0" in text
    assert "not playable" in text or "Default keys" in text


def test_double_click_asks_for_the_inspector(browser, qtbot):
    browser.select_task("GoNogo-v0")
    index = browser.list.currentIndex()
    rect = browser.list.visualRect(index)
    with qtbot.waitSignal(browser.inspect_requested) as sig:
        # a real double-click: press/release, then the double-click press (Qt checks the pressed item)
        qtbot.mouseClick(browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(browser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == ["GoNogo-v0"]


def test_buttons_ask_for_inspector_and_play(browser, qtbot):
    browser.select_task("DelayMatchSample-v0")
    with qtbot.waitSignal(browser.play_requested) as sig:
        qtbot.mouseClick(browser.play_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["DelayMatchSample-v0"]
    with qtbot.waitSignal(browser.inspect_requested) as sig:
        qtbot.mouseClick(browser.inspect_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["DelayMatchSample-v0"]
