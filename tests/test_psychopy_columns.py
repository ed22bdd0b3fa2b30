"""trials.csv carries the columns a PsychoPy analysis script reads; floats are written rounded."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from neurogym_app.cli.main import main
from neurogym_app.record import schema
from neurogym_app.record.psychopy_columns import psychopy_cells, psychopy_date
from neurogym_app.record.reader import open_session


def play(tmp_path: Path, task: str, *args: str) -> Path:
    out = tmp_path / "sessions"
    assert main(["play", task, "--auto", "psychometric", "--headless", "--backend", "null", "--out", str(out), *args]) == 0
    return sorted((out / task).iterdir())[-1]


def test_a_psychopy_style_analysis_reproduces_accuracy_and_rts(tmp_path):
    folder = play(tmp_path, "PerceptualDecisionMaking-v0", "--trials", "40", "--seed", "4", "--participant", "P01")
    data = pd.read_csv(folder / "trials.csv")
    # what a PsychoPy user writes: accuracy and median RT of the keyboard responses per coherence
    responded = data[data["key_resp.keys"].notna()]
    accuracy = data["key_resp.corr"].mean()
    rt_by_coh = responded.groupby("coh")["key_resp.rt"].median()
    with open_session(folder) as s:
        rows = s.rows()
    ours_acc = sum(r["correct"] for r in rows) / len(rows)
    assert accuracy == pytest.approx(ours_acc, abs=1e-12)
    assert 0.5 < accuracy < 1.0  # a psychometric player: neither chance nor perfect
    for coh, rt_s in rt_by_coh.items():
        ours = sorted(r["rt_ms"] for r in rows if r["coh"] == coh and r["rt_ms"] is not None)
        mid = len(ours) // 2
        median = ours[mid] if len(ours) % 2 else (ours[mid - 1] + ours[mid]) / 2
        assert rt_s * 1000.0 == pytest.approx(median, abs=1e-3)  # key_resp.rt is rt_ms in seconds (to the us)
    # the loop and session columns
    assert list(data["trials.thisN"]) == list(range(40)) == list(data["trial"])
    assert list(data["trials.thisTrialN"]) == list(range(40))
    assert set(data["participant"]) == {"P01"} and set(data["session"]) == {1}
    assert set(data["expName"]) == {"PerceptualDecisionMaking-v0"} and set(data["frameRate"]) == {60.0}
    assert data["date"].str.fullmatch(r"\d{4}-\d\d-\d\d_\d\dh\d\d\.\d\d\.\d{3}").all()
    assert (responded["key_resp.keys"] == responded["response_key"]).all()


def test_floats_are_written_rounded_to_their_meaning(tmp_path):
    folder = play(tmp_path, "PerceptualDecisionMaking-v0", "--trials", "30", "--seed", "1")
    with open(folder / "trials.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    cells = [(c, v) for r in rows for c, v in r.items() if v]
    assert not [v for c, v in cells if v == "-0.0"]
    for c, v in cells:
        if c.endswith("_ms"):
            assert len(v.split(".")[-1]) <= 3, (c, v)
        if c.endswith("_s") or c in ("key_resp.rt",):
            assert len(v.split(".")[-1]) <= 6, (c, v)
    assert any(r["signed_strength"] == "0.0" for r in rows if r["coh"] == "0.0")
    assert schema.round_for_column(100.00000000000009, "rt_ms") == 100.0
    assert str(schema.round_for_column(-0.0, "signed_strength")) == "0.0"
    assert schema.round_for_column(1.9000000000000001, "trial_end_s") == 1.9
    assert schema.round_for_column(0.3890529353400092, "key_resp.rt") == 0.389053
    assert math.isclose(schema.round_for_column(12.3456789012345678, None), 12.3456789012)


def test_the_columns_are_documented_and_in_the_schema():
    columns = schema.csv_columns(["coh"], ["stimulus"], pointer=True)
    for name in (*schema.CSV_PSYCHOPY, *schema.CSV_POINTER):
        assert name in columns and name in schema.CSV_COLUMN_DOCS
    assert "mouse.x" not in schema.csv_columns(["coh"], ["stimulus"])


def test_pointer_responses_fill_the_mouse_columns():
    events = [schema.Event(1.2, "pointer", {"kind": "press", "x": 0.5, "y": -0.25, "action": 3, "name": "choice 3"})]
    row = {"trial": 4, "rt_ms": 321.5, "response_key": "pointer", "correct": 1, "choice_label": "choice 3"}
    manifest = {"start_time": "2026-12-07T22:54:58.815+00:00", "task": {"id": "T-v0"}, "display": {"refresh_hz": 60.0}}
    cells = psychopy_cells(row, manifest, events)
    assert cells["mouse.x"] == 0.5 and cells["mouse.y"] == -0.25 and cells["mouse.time"] == pytest.approx(0.3215)
    assert "key_resp.rt" not in cells and cells["key_resp.corr"] == 1
    key_cells = psychopy_cells({**row, "response_key": "f"}, manifest)
    assert key_cells["key_resp.keys"] == "f" and key_cells["key_resp.rt"] == pytest.approx(0.3215)
    assert psychopy_date("not a date") is None


def test_old_sessions_without_the_columns_stay_readable(tmp_path):
    folder = play(tmp_path, "GoNogo-v0", "--trials", "3", "--seed", "2")
    import json

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["csv_columns"] = [c for c in manifest["csv_columns"] if c not in schema.CSV_PSYCHOPY]
    manifest["format_version"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with open_session(folder) as s:
        assert len(s) == 3 and "key_resp.rt" not in s.columns
    assert main(["export", str(folder), "--out", str(tmp_path / "bids")]) == 0
