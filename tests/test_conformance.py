"""One conformance test over every registered task (README: `neurogym-app check`)."""

from __future__ import annotations

import pytest

import neurogym_app as ngym
from neurogym_app.core import registry
from neurogym_app.core.checks import check_task

ALL_IDS = sorted(i for i, e in registry.entries().items() if e.available and e.group != "custom")


def test_catalogue_is_registered():
    assert "PerceptualDecisionMaking-v0" in ALL_IDS
    assert len(ALL_IDS) >= 5


@pytest.mark.parametrize("task_id", ALL_IDS)
def test_task_conforms(task_id):
    result = check_task(task_id, steps=1000, seed=0)
    assert result.ok, result.summary()


@pytest.mark.parametrize("task_id", ALL_IDS)
def test_task_has_metadata(task_id):
    meta = ngym.task_metadata(task_id)
    assert meta["description"], f"{task_id} has no description"
    assert isinstance(meta["tags"], list)
    if meta.get("human_playable") is False:
        assert meta.get("human_playable_reason"), f"{task_id} is not human-playable but says not why"
