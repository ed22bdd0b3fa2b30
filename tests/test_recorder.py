"""The session record: round trip, commit semantics, folders, ids, damaged files, export."""

from __future__ import annotations

import csv
import errno
import json
import math
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurogym_app.errors import UserError
from neurogym_app.record import schema
from neurogym_app.record.export import export_session
from neurogym_app.record.ids import InvalidParticipantId, sanitise_participant
from neurogym_app.record.reader import SessionFormatError, open_session
from neurogym_app.record.recorder import RecordingError, SessionRecorder
from neurogym_app.record.schema import Event, TrialRecord

STAMP = datetime(2025, 1, 2, 3, 4, 5)
MANIFEST = {
    "player": {"kind": "human", "id": "P01"},
    "task": {"id": "GoNogo-v0", "timing_preset": "human", "rt_from": "decision", "condition_vars": ["ground_truth"]},
    "seeds": {"env": 1},
    "key_map": {"mode": "press"},
    "display": {"backend": "fake", "refresh_hz": 60.0},
}


def new_recorder(root, participant="P01", session=1, stamp=STAMP, task_vars=("ground_truth", "trial_seed")):
    return SessionRecorder.create(
        root,
        task_id="GoNogo-v0",
        participant=participant,
        session=session,
        manifest=MANIFEST,
        task_vars=list(task_vars),
        periods=["fixation", "stimulus", "delay", "decision"],
        timestamp=stamp,
    )


def make_record(i, n_steps=5, **summary):
    rng = np.random.default_rng(i)
    base = {
        "gt": 1,
        "choice": 1,
        "choice_label": "go",
        "correct": 1,
        "outcome": "correct",
        "reward": 1.0,
        "rt_ms": 300.0 + i,
        "n_steps": n_steps,
        "onset_decision_s": 1.5 + i,
        "dropped_frames": 0,
    }
    base.update(summary)
    return TrialRecord(
        index=i,
        vars={"ground_truth": i % 2, "trial_seed": 10**18 + i},
        summary=base,
        arrays={
            "observation": rng.standard_normal((n_steps, 3)).astype(np.float32),
            "action": np.arange(n_steps, dtype=np.int64) % 2,
            "reward": np.zeros(n_steps),
            "gt": np.ones(n_steps, dtype=np.int64),
        },
        events=[Event(0.25 + i, "key", {"key": "space", "kind": "press", "step": 3, "action": 1})],
        committed_at=2.0 + i,
    )


def csv_rows(path):
    with open(path / schema.CSV_NAME, newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------- round trip
def test_round_trip(tmp_path):
    rec = new_recorder(tmp_path)
    assert rec.path == tmp_path / "GoNogo-v0" / "P01_1_20250102T030405"
    records = [make_record(i) for i in range(3)]
    for r in records:
        rec.write_trial(r)
    rec.close("completed")
    with open_session(rec.path) as s:
        assert len(s) == 3 and s.trial_indices() == [0, 1, 2]
        m = s.manifest
        assert m["format"] == schema.FORMAT_NAME and m["format_version"] == schema.FORMAT_VERSION
        assert m["status"] == "completed" and m["n_trials"] == 3 and m["end_time"] and m["start_time"]
        assert m["player"] == {"kind": "human", "id": "P01"} and m["app"]["name"] == "neurogym-app"
        for r, got in zip(records, s):
            assert got.vars == r.vars and got.block == 1
            for name, arr in r.arrays.items():
                assert got.arrays[name].dtype == arr.dtype and np.array_equal(got.arrays[name], arr)
            assert got.events == r.events
            assert got.row["rt_ms"] == r.summary["rt_ms"] and got.row["participant"] == "P01"
            assert got.committed_at == r.committed_at
    rows = csv_rows(rec.path)
    assert [r["trial"] for r in rows] == ["0", "1", "2"]
    assert list(rows[0])[:9] == ["participant", "session", "block", "practice", "trial", "task", "timing", "ground_truth", "trial_seed"]
    assert rows[1]["rt_ms"] == "301.0" and rows[1]["trial_seed"] == str(10**18 + 1)
    assert rows[0]["onset_fixation_s"] == "" and rows[0]["onset_decision_s"] == "1.5"


def test_files_and_pragmas(tmp_path):
    rec = new_recorder(tmp_path)
    rec.write_trial(make_record(0))
    conn = sqlite3.connect(rec.path / schema.SQLITE_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert rec._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    rec.close()
    assert sorted(p.name for p in rec.path.iterdir()) == ["manifest.json", "steps.sqlite", "trials.csv"]


def test_other_vars_column_for_variables_of_later_trials(tmp_path):
    rec = new_recorder(tmp_path)
    r = make_record(0)
    r.vars["extra"] = [1, 2]
    rec.write_trial(r)
    rec.close()
    assert json.loads(csv_rows(rec.path)[0]["other_vars"]) == {"extra": [1, 2]}


# ------------------------------------------------------------ commit semantics
def test_a_trial_exists_iff_committed(tmp_path, monkeypatch):
    rec = new_recorder(tmp_path)
    rec.write_trial(make_record(0))
    real = rec._commit

    def failing_commit(record, row):
        conn = rec._conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO trials (trial, block, vars, summary, committed_at) VALUES (?, 1, '{}', '{}', 0)", (record.index,)
        )
        conn.execute("ROLLBACK")  # as if the process died before COMMIT
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(rec, "_commit", failing_commit)
    with pytest.raises(RecordingError) as info:
        rec.write_trial(make_record(1))
    msg = str(info.value)
    assert "cannot save trial 1" in msg and "disk is full" in msg and "1 trial(s) saved before" in msg and "\n" not in msg
    monkeypatch.setattr(rec, "_commit", real)
    with pytest.raises(RecordingError, match="stopped earlier"):
        rec.write_trial(make_record(2))
    rec.close()
    with open_session(rec.path) as s:
        assert len(s) == 1 and s.manifest["status"] == "error" and "disk is full" in s.manifest["error"]
        with pytest.raises(KeyError):
            s.trial(1)
    assert len(csv_rows(rec.path)) == 1


def test_failing_array_rolls_back_the_whole_trial(tmp_path):
    rec = new_recorder(tmp_path)
    bad = make_record(0)
    bad.arrays["oops"] = np.array([object()], dtype=object)  # cannot be stored
    with pytest.raises(RecordingError):
        rec.write_trial(bad)
    rec.close()
    with open_session(rec.path) as s:
        assert len(s) == 0
    assert csv_rows(rec.path) == []


def test_csv_write_error_stops_with_a_clear_message(tmp_path, monkeypatch):
    rec = new_recorder(tmp_path)
    rec.write_trial(make_record(0))

    def full(row):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rec, "_append_csv", full)
    with pytest.raises(RecordingError) as info:
        rec.write_trial(make_record(1))
    assert "No space left on device" in str(info.value) and "trial 1 is in steps.sqlite only" in str(info.value)
    rec.close()
    with open_session(rec.path) as s:
        assert len(s) == 2  # the database committed; the csv missed the row
    assert len(csv_rows(rec.path)) == 1


def test_unwritable_root_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RecordingError) as info:
        new_recorder(blocker / "sub")
    assert "cannot create a session folder" in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, UserError)


def test_interrupted_run_recovers_committed_trials(tmp_path):
    rec = new_recorder(tmp_path)
    for i in range(4):
        rec.write_trial(make_record(i))
    # copy the folder as a crash would leave it: WAL not checkpointed, manifest still "running"
    crashed = tmp_path / "crashed"
    shutil.copytree(rec.path, crashed)
    assert (crashed / "steps.sqlite-wal").exists()
    with open_session(crashed) as s:
        assert len(s) == 4 and s.manifest["status"] == "running"
        assert np.array_equal(s.trial(3).arrays["action"], make_record(3).arrays["action"])
    rec.close()


# ------------------------------------------------------------ folders and ids
def test_never_overwrites(tmp_path):
    a = new_recorder(tmp_path)
    b = new_recorder(tmp_path)
    c = new_recorder(tmp_path)
    assert [a.path.name, b.path.name, c.path.name] == [
        "P01_1_20250102T030405",
        "P01_1_20250102T030405-1",
        "P01_1_20250102T030405-2",
    ]
    a.write_trial(make_record(0))
    for r in (a, b, c):
        r.close()
    with open_session(a.path) as s:
        assert len(s) == 1


def test_existing_foreign_folder_is_left_alone(tmp_path):
    target = tmp_path / "GoNogo-v0" / "P01_1_20250102T030405"
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("keep me")
    rec = new_recorder(tmp_path)
    assert rec.path.name.endswith("-1") and (target / "notes.txt").read_text() == "keep me"
    rec.close()


@pytest.mark.parametrize(
    "raw, clean",
    [("P01", "P01"), ("  Jane Doe ", "Jane_Doe"), ("José-2.b", "José-2.b"), ("a_b", "a_b"), ("x" * 64, "x" * 64)],
)
def test_good_participant_ids(raw, clean):
    assert sanitise_participant(raw) == clean


@pytest.mark.parametrize(
    "raw, words",
    [
        ("../etc", "path separator"),
        ("a..b", "'..'"),
        ("a/b", "path separator"),
        ("a\\b", "path separator"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("..", "'..'"),
        (".hidden", "starts with"),
        ("-rf", "starts with"),
        ("x" * 65, "longer than 64"),
        ("a\x00b", "control characters"),
        ("a\nb", "control characters"),
        ("a\u202eb", "control characters"),
        ("con", "reserved"),
        ("a:b", "contains ':'"),
        ("a*b", "contains '*'"),
    ],
)
def test_bad_participant_ids_are_one_line_errors(raw, words):
    with pytest.raises(InvalidParticipantId) as info:
        sanitise_participant(raw)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_recorder_rejects_bad_id_and_session(tmp_path):
    with pytest.raises(InvalidParticipantId):
        new_recorder(tmp_path, participant="../../x")
    with pytest.raises(RecordingError):
        new_recorder(tmp_path, session=0)
    assert not (tmp_path / "GoNogo-v0").exists() or not any((tmp_path / "GoNogo-v0").iterdir())


# ------------------------------------------------------------- damaged files
@pytest.fixture
def session_dir(tmp_path):
    rec = new_recorder(tmp_path)
    for i in range(30):
        rec.write_trial(make_record(i, n_steps=50))
    rec.close()
    return rec.path


def _one_line_error(path, *words):
    with pytest.raises(SessionFormatError) as info:
        open_session(path)
    msg = str(info.value)
    assert "\n" not in msg and isinstance(info.value, UserError)
    for w in words:
        assert w in msg, msg
    return msg


def test_random_bytes_database(session_dir):
    (session_dir / "steps.sqlite").write_bytes(os.urandom(8192))
    _one_line_error(session_dir, "steps.sqlite", "not a SQLite database")


def test_empty_database(session_dir):
    (session_dir / "steps.sqlite").write_bytes(b"")
    _one_line_error(session_dir, "is empty")


def test_truncated_database(session_dir):
    db = session_dir / "steps.sqlite"
    data = db.read_bytes()
    assert len(data) > 20000
    db.write_bytes(data[: len(data) // 3])
    _one_line_error(session_dir, "steps.sqlite", "damaged")


def test_corrupted_pages(session_dir):
    db = session_dir / "steps.sqlite"
    data = bytearray(db.read_bytes())
    page = 4096
    for p in range(1, len(data) // page):
        data[p * page : p * page + 200] = os.urandom(200)
    db.write_bytes(bytes(data))
    _one_line_error(session_dir, "steps.sqlite", "damaged")


def test_foreign_database(session_dir):
    db = session_dir / "steps.sqlite"
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.commit()
    conn.close()
    _one_line_error(session_dir, "foreign")


def test_too_new_database(session_dir):
    conn = sqlite3.connect(session_dir / "steps.sqlite")
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    conn.commit()
    conn.close()
    _one_line_error(session_dir, "newer neurogym-app", "upgrade")


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[1, 2, 3]", "not a neurogym-app session manifest"),
        (b'{"format": "something-else", "format_version": 1}', "not a neurogym-app session manifest"),
        (b'{"format": "neurogym-app-session", "format_version": 2000}', "newer neurogym-app"),
        (b'{"format": "neurogym-app-session", "format_version": "x"}', "damaged"),
    ],
)
def test_bad_manifests(session_dir, content, words):
    (session_dir / "manifest.json").write_bytes(content)
    _one_line_error(session_dir, words)


def test_missing_files(tmp_path, session_dir):
    _one_line_error(tmp_path / "nope", "no such session folder")
    _one_line_error(tmp_path, "no manifest.json")
    (session_dir / "steps.sqlite").unlink()
    _one_line_error(session_dir, "no steps.sqlite")


def test_reader_accepts_a_file_in_the_folder(session_dir):
    with open_session(session_dir / "trials.csv") as s:
        assert len(s) == 30


# ------------------------------------------------------------------ export
def test_export_bids_and_csv(session_dir, tmp_path):
    files = export_session(session_dir, "bids", tmp_path / "bids")
    beh = tmp_path / "bids" / "sub-P01" / "ses-1" / "beh"
    tsv, sidecar = beh / "sub-P01_ses-1_task-GoNogoV0_run-1_events.tsv", beh / "sub-P01_ses-1_task-GoNogoV0_run-1_events.json"
    assert tsv in files and sidecar in files
    lines = tsv.read_text().splitlines()
    header = lines[0].split("\t")
    assert header[:3] == ["onset", "duration", "trial_type"] and "trial" in header and "response_time" in header
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    responses = [r for r in rows if r["trial_type"] == "response"]
    assert len(responses) == 30
    assert float(responses[0]["response_time"]) == pytest.approx(0.3)
    assert float(responses[0]["onset"]) == pytest.approx(1.5 + 0.3)
    assert all(r["correct"] in ("1", "n/a") for r in rows)
    meta = json.loads(sidecar.read_text())
    assert meta["onset"]["Units"] == "s" and meta["TaskName"] == "GoNogo-v0"
    (out,) = export_session(session_dir, "csv", tmp_path / "c")
    assert out.read_text() == (session_dir / "trials.csv").read_text()


# ------------------------------------------------------- property: round trip
_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
_values = st.one_of(st.integers(-(2**62), 2**62), _finite, st.booleans(), st.text(max_size=20), st.none())
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_, np.uint8]),
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
)
_events = st.lists(
    st.builds(
        Event,
        t=_finite,
        kind=st.sampled_from(["key", "pointer", "frame"]),
        data=st.dictionaries(_names, _values, max_size=4),
    ),
    max_size=6,
)
_trials = st.lists(
    st.tuples(st.dictionaries(_names, _values, max_size=5), st.dictionaries(_names, _arrays, max_size=4), _events),
    min_size=1,
    max_size=4,
)


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trials=_trials)
@example(trials=[({"_": "\r", "b": "x\ny,\"z"}, {}, [])])  # carriage returns and quotes in trials.csv cells
def test_round_trip_property(trials):
    with tempfile.TemporaryDirectory() as root:
        rec = new_recorder(root, task_vars=sorted(trials[0][0]))
        for i, (vars_, arrays, events) in enumerate(trials):
            rec.write_trial(TrialRecord(i, dict(vars_), {"reward": 0.5}, dict(arrays), list(events)))
        rec.close()
        with open_session(rec.path) as s:
            assert len(s) == len(trials)
            for i, (vars_, arrays, events) in enumerate(trials):
                got = s.trial(i)
                assert got.vars == vars_
                assert set(got.arrays) == set(arrays)
                for name, arr in arrays.items():
                    assert got.arrays[name].dtype == arr.dtype and got.arrays[name].shape == arr.shape
                    assert np.array_equal(got.arrays[name], arr, equal_nan=arr.dtype.kind == "f")
                assert [(e.t, e.kind, dict(e.data)) for e in got.events] == [(e.t, e.kind, dict(e.data)) for e in events]
        rows = csv_rows(Path(rec.path))
        assert len(rows) == len(trials)
        for name, value in trials[0][0].items():
            if isinstance(value, str):
                assert rows[0][schema.var_column(name)] == value
