"""Every task gives the same run for the same seed and actions as when its fingerprint was recorded.

Recorded sessions are rebuilt from their seeds, so a change here breaks them.
After an intended change: ``.venv/bin/python scripts/trace_hashes.py --write``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("trace_hashes", ROOT / "scripts" / "trace_hashes.py")
trace_hashes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trace_hashes)

RECORDED = json.loads(trace_hashes.HASHES.read_text())["hashes"]


def test_every_task_has_a_fingerprint():
    assert sorted(trace_hashes.task_ids()) == sorted(RECORDED)


@pytest.mark.parametrize("task_id", sorted(RECORDED))
def test_seeded_run_is_unchanged(task_id):
    assert trace_hashes.trace_hash(task_id) == RECORDED[task_id], (
        f"{task_id} no longer gives the recorded run for seed {trace_hashes.SEED}; "
        "if that is intended, run scripts/trace_hashes.py --write"
    )


def test_fingerprint_sees_a_changed_value():
    import hashlib

    import numpy as np

    a, b = hashlib.sha256(), hashlib.sha256()
    trace_hashes._feed(a, {"gt": np.int64(1), "ob": np.zeros(2, np.float32)})
    trace_hashes._feed(b, {"gt": 1, "ob": np.zeros(2, np.float32)})
    assert a.hexdigest() != b.hexdigest()  # the type of a value counts, not only its number
