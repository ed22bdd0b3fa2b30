"""Write a session record (see :mod:`neurogym_app.record.schema`) trial by trial.

``SessionRecorder.create`` makes a fresh run folder (never an existing one: a
``-n`` suffix is added), writes ``manifest.json``, creates ``steps.sqlite``
(WAL, ``synchronous=FULL``) and the header of ``trials.csv``.
``write_trial`` commits one trial in one transaction, then appends its row to
``trials.csv`` and fsyncs it. Any write failure (disk full, read-only
folder...) raises :class:`RecordingError` with one line; what was written
before stays readable.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neurogym_app.errors import UserError
from neurogym_app.record import schema
from neurogym_app.record.ids import safe_component, sanitise_participant
from neurogym_app.record.jsonutil import dumps, plain
from neurogym_app.record.npyblob import to_npy
from neurogym_app.record.psychopy_columns import psychopy_cells

__all__ = ["RecordingError", "SessionRecorder", "build_row", "format_cell", "format_row", "now_iso", "fsync_dir", "write_json_atomic", "writer_info"]

MAX_SUFFIX = 10_000


class RecordingError(UserError, OSError):
    """Session data could not be written; the message says where and why."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _reason(exc: BaseException, where: Path | None = None) -> str:
    text = " ".join(str(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).split())
    hint = _diagnosis(where) if where is not None else ""
    return f"{text} ({hint})" if hint and hint.split()[-1] not in text.lower() else text


LOW_SPACE_BYTES = 1 << 20


def _diagnosis(folder: Path) -> str:
    """What the system says about writing in ``folder``: a full disk or a read-only folder ('' if neither).

    SQLite reports both as a vague "disk I/O error"; this names the cause.
    """
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        if shutil.disk_usage(probe).free < LOW_SPACE_BYTES:
            return "the disk is full"
    except OSError:
        pass
    names = ("", schema.SQLITE_NAME, schema.SQLITE_NAME + "-wal", schema.CSV_NAME, schema.MANIFEST_NAME)
    try:
        if any((probe / n).exists() and not os.access(probe / n, os.W_OK) for n in names):
            return "the folder is read-only"
    except OSError:
        pass
    return ""


def writer_info() -> dict[str, Any]:
    """Who writes a run (host, pid): readers tell a live run from an interrupted one by it."""
    import socket

    return {"host": socket.gethostname(), "pid": os.getpid()}


def fsync_dir(path: Path) -> None:
    """Make a folder's entries durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON to ``path`` via a temporary file and a rename (old content survives a failure)."""
    tmp = path.with_name(path.name + ".tmp")
    text = dumps(data, indent=1, sort_keys=False) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        try:  # a full disk must not also leave a half-written temporary file behind
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def format_cell(value: Any, column: str | None = None) -> str:
    """One trials.csv cell: '' for None/NaN, 1/0 for booleans, JSON for containers.

    Floats are written rounded to what they mean (:func:`schema.round_for_column`:
    ms to 0.001, s to 0.000001, no binary noise, no ``-0.0``).
    """
    if value is None:
        return ""
    value = plain(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(schema.round_for_column(value, column))
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def format_row(row: Mapping[str, Any], columns: Sequence[str]) -> list[str]:
    """The trials.csv cells of ``row`` over ``columns`` (each float rounded for its column)."""
    return [format_cell(row.get(c), c) for c in columns]


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line ending in ``\n``; a row with a carriage return in a cell is fully quoted
    (the csv module quotes ``\r`` only when it is part of the line terminator)."""
    buf = io.StringIO()
    if any("\r" in c for c in cells):
        csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(cells)
    else:
        csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buf.getvalue()


def build_row(
    columns: Sequence[str], lead: Mapping[str, Any], trial_vars: Mapping[str, Any], summary: Mapping[str, Any]
) -> dict[str, Any]:
    """The trials.csv row of one trial as a dict over ``columns``."""
    row: dict[str, Any] = {c: None for c in columns}
    row.update({k: v for k, v in lead.items() if k in row})
    other = {}
    for name, value in trial_vars.items():
        col = schema.var_column(name)
        if col in row:
            row[col] = value
        else:
            other[name] = value
    row.update({k: v for k, v in summary.items() if k in row and k != "other_vars"})
    if "other_vars" in row:
        row["other_vars"] = other or None
    return plain(row)


def _run_folder(task_dir: Path, stem: str) -> Path:
    for n in range(MAX_SUFFIX):
        candidate = task_dir / (stem if n == 0 else f"{stem}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise RecordingError(f"cannot create a run folder in {task_dir}: {MAX_SUFFIX} folders named {stem}-n exist")


class SessionRecorder:
    """Writes one run folder. Make it with :meth:`create`."""

    def __init__(self, path: Path, manifest: dict[str, Any], columns: list[str], conn: sqlite3.Connection) -> None:
        self.path = path
        self.manifest = manifest
        self.columns = columns
        self._conn: sqlite3.Connection | None = conn
        self.n_trials = 0
        self.failed: str | None = None

    # ---------------------------------------------------------------- create
    @classmethod
    def create(
        cls,
        root: str | os.PathLike[str],
        *,
        task_id: str,
        participant: str,
        session: int,
        manifest: Mapping[str, Any],
        task_vars: Sequence[str],
        periods: Sequence[str],
        timestamp: datetime | None = None,
    ) -> SessionRecorder:
        """Create ``<root>/<task>/<participant>_<session>_<timestamp>[-n]/`` and its files.

        ``manifest`` holds the caller's fields (player, task, seeds, key map,
        display, ...); the format fields, start time, status and csv columns
        are added here.
        """
        participant = sanitise_participant(participant)
        if not isinstance(session, int) or isinstance(session, bool) or session < 1:
            raise RecordingError(f"session number must be a positive integer, got {session!r}")
        stamp = (timestamp or datetime.now()).strftime("%Y%m%dT%H%M%S")
        task_dir = Path(root) / safe_component(task_id)
        try:
            task_dir.mkdir(parents=True, exist_ok=True)
            path = _run_folder(task_dir, f"{participant}_{session}_{stamp}")
        except RecordingError:
            raise
        except OSError as exc:
            raise RecordingError(f"cannot create a session folder under {task_dir}: {_reason(exc, task_dir)}") from exc
        columns = schema.csv_columns(task_vars, periods, pointer=schema.has_pointer(manifest))
        from neurogym_app import __version__

        full = {
            "format": schema.FORMAT_NAME,
            "format_version": schema.FORMAT_VERSION,
            "app": {"name": "neurogym-app", "version": __version__},
            **plain(dict(manifest)),
            "participant": participant,
            "session": session,
            "start_time": now_iso(),
            "end_time": None,
            "status": "running",
            "writer": writer_info(),
            "n_trials": 0,
            "csv_columns": columns,
            "files": {"manifest": schema.MANIFEST_NAME, "steps": schema.SQLITE_NAME, "trials": schema.CSV_NAME},
        }
        full.setdefault("task", {})
        if isinstance(full["task"], dict):
            full["task"].setdefault("id", task_id)
        try:
            write_json_atomic(path / schema.MANIFEST_NAME, full)
            conn = _create_db(path / schema.SQLITE_NAME, full)
            with open(path / schema.CSV_NAME, "w", encoding="utf-8", newline="") as f:
                f.write(csv_line(columns))
                f.flush()
                os.fsync(f.fileno())
            fsync_dir(path)
        except (OSError, sqlite3.Error) as exc:
            raise RecordingError(f"cannot write session files in {path}: {_reason(exc, path)}") from exc
        return cls(path, full, columns, conn)

    # ---------------------------------------------------------------- trials
    def lead(self, record: schema.TrialRecord) -> dict[str, Any]:
        task = self.manifest.get("task") or {}
        return {
            "participant": self.manifest["participant"],
            "session": self.manifest["session"],
            "block": record.block,
            "practice": int(record.practice),
            "trial": record.index,
            "task": task.get("id"),
            "timing": task.get("timing_preset"),
        }

    def write_trial(self, record: schema.TrialRecord) -> dict[str, Any]:
        """Commit one trial to steps.sqlite, then append its trials.csv row (fsynced).

        Returns the row. Raises :class:`RecordingError` if either write fails;
        a trial whose transaction did not commit does not exist.
        """
        if self.failed:
            raise RecordingError(f"session recording stopped earlier: {self.failed}")
        if self._conn is None:
            raise RecordingError(f"session {self.path} is closed")
        row = build_row(self.columns, self.lead(record), record.vars, record.summary)
        row.update({k: v for k, v in psychopy_cells(row, self.manifest, record.events).items() if k in row})
        try:
            self._commit(record, row)
        except (sqlite3.Error, OSError, TypeError, ValueError) as exc:
            self._fail(f"cannot save trial {record.index} to {self.path / schema.SQLITE_NAME}: {_reason(exc, self.path)}")
            raise RecordingError(f"{self.failed}; the {self.n_trials} trial(s) saved before are in {self.path}") from exc
        self.n_trials += 1  # committed: the trial exists
        try:
            self._append_csv(row)
        except OSError as exc:
            self._fail(f"cannot append trial {record.index} to {self.path / schema.CSV_NAME}: {_reason(exc, self.path)}")
            raise RecordingError(
                f"{self.failed}; the {self.n_trials - 1} trial(s) saved before are in {self.path} "
                f"(trial {record.index} is in {schema.SQLITE_NAME} only)"
            ) from exc
        return row

    def _fail(self, why: str) -> None:
        self.failed = why

    def _commit(self, record: schema.TrialRecord, row: Mapping[str, Any]) -> None:
        conn = self._conn
        assert conn is not None
        blobs = [(record.index, name, to_npy(arr)) for name, arr in record.arrays.items()]
        events = [(record.index, i, float(e.t), e.kind, dumps(e.data)) for i, e in enumerate(record.events)]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO trials (trial, block, vars, summary, committed_at) VALUES (?, ?, ?, ?, ?)",
                (record.index, record.block, dumps(record.vars), dumps(row), float(record.committed_at)),
            )
            conn.executemany("INSERT INTO arrays (trial, name, npy) VALUES (?, ?, ?)", blobs)
            conn.executemany("INSERT INTO events (trial, seq, t, kind, data) VALUES (?, ?, ?, ?, ?)", events)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _append_csv(self, row: Mapping[str, Any]) -> None:
        line = csv_line(format_row(row, self.columns))
        with open(self.path / schema.CSV_NAME, "a", encoding="utf-8", newline="") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    # -------------------------------------------------------------- manifest
    def update_manifest(self, **fields: Any) -> None:
        """Rewrite manifest.json with ``fields`` changed (atomically)."""
        self.manifest.update(plain(fields))
        try:
            write_json_atomic(self.path / schema.MANIFEST_NAME, self.manifest)
        except OSError as exc:
            raise RecordingError(f"cannot update {self.path / schema.MANIFEST_NAME}: {_reason(exc, self.path)}") from exc

    def close(self, status: str = "completed", **fields: Any) -> None:
        """Record the end (time, status, trial count) and close the database.

        Never raises for a session that already failed: its manifest is
        updated if the disk allows, and the database is closed.
        """
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        finally:
            conn.close()
        end = {"end_time": now_iso(), "status": status if not self.failed else "error", "n_trials": self.n_trials}
        if self.failed:
            end["error"] = self.failed
        try:
            self.update_manifest(**end, **fields)
        except RecordingError:
            if not self.failed:
                raise

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close("completed" if exc_type is None else "interrupted" if exc_type is KeyboardInterrupt else "error")


def _create_db(path: Path, manifest: Mapping[str, Any]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch {path.name} to WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        for ddl in schema.TABLES.values():
            conn.execute(ddl)
        meta = {
            "format": schema.FORMAT_NAME,
            "format_version": str(schema.FORMAT_VERSION),
            "app_version": str(manifest.get("app", {}).get("version", "")),
            "created": str(manifest.get("start_time", "")),
        }
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn
