"""Read a session record, including the committed trials of an interrupted run.

``open_session(path)`` checks the manifest and ``steps.sqlite`` before
returning a :class:`SessionReader`; a damaged, foreign or too-new file raises
:class:`SessionFormatError` with one line naming the file. The reader never
writes: the database is opened read-only (WAL content of a run that was
killed is read as committed).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.errors import UserError
from neurogym_app.record import schema
from neurogym_app.record.npyblob import from_npy

__all__ = [
    "SessionFormatError",
    "SessionReader",
    "TrialData",
    "open_session",
    "read_manifest",
    "read_experiment_manifest",
    "session_folders",
    "is_experiment_folder",
    "writer_alive",
]

SQLITE_HEADER = b"SQLite format 3\x00"


class SessionFormatError(UserError, ValueError):
    """A session file that is missing, damaged, foreign or written by a newer version."""


@dataclass
class TrialData:
    """One committed trial: variables, its trials.csv row, arrays and events."""

    index: int
    block: int
    vars: dict[str, Any]
    row: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[schema.Event] = field(default_factory=list)
    committed_at: float = 0.0


def _folder(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if p.is_file() and p.name in (schema.MANIFEST_NAME, schema.SQLITE_NAME, schema.CSV_NAME):
        return p.parent
    return p


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a run folder, checked (format name and version)."""
    if not folder.exists():
        raise SessionFormatError(f"no such session folder: {folder}")
    if not folder.is_dir():
        raise SessionFormatError(
            f"{folder} is a file, not a neurogym-app session folder (give the run folder holding {schema.MANIFEST_NAME})"
        )
    mpath = folder / schema.MANIFEST_NAME
    if not mpath.is_file():
        raise SessionFormatError(f"{folder} is not a neurogym-app session folder (no {schema.MANIFEST_NAME})")
    try:
        data = json.loads(mpath.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise SessionFormatError(f"{mpath}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:80]
        raise SessionFormatError(f"{mpath} is damaged (not valid JSON: {detail})") from None
    if not isinstance(data, dict) or data.get("format") != schema.FORMAT_NAME:
        raise SessionFormatError(f"{mpath} is not a neurogym-app session manifest")
    _check_version(mpath, data.get("format_version"))
    return data


def _check_version(where: Path, version: Any) -> None:
    if isinstance(version, bool) or not (
        isinstance(version, int) or (isinstance(version, str) and version.strip().isdigit())
    ):
        raise SessionFormatError(f"{where} is damaged (format_version {version!r} is not a whole number)")
    v = int(version)
    if v > schema.FORMAT_VERSION:
        raise SessionFormatError(
            f"{where} was written by a newer neurogym-app (format version {v}, this one reads up to "
            f"{schema.FORMAT_VERSION}); upgrade neurogym-app to read it"
        )
    if v < 1:
        raise SessionFormatError(f"{where} is damaged (format_version {v})")


def _connect(db: Path) -> sqlite3.Connection:
    try:
        with db.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise SessionFormatError(f"{db}: cannot read: {exc.strerror or exc}") from None
    if not head:
        raise SessionFormatError(f"{db} is empty (damaged session)")
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise SessionFormatError(f"{db} is not a SQLite database (damaged or foreign file)")
    # A closed run has no -wal file: read its main file as immutable, so that reading
    # creates no -wal/-shm files in the session folder. A running or killed run has
    # its -wal (committed trials not yet checkpointed): read it with mode=ro.
    wal = db.with_name(db.name + "-wal")
    uri = f"{db.resolve().as_uri()}?{'mode=ro' if wal.exists() else 'immutable=1'}"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            # malformed: a writable connection would not help, and might try to "recover" it
            raise SessionFormatError(f"{db} is damaged ({' '.join(str(exc).split())})") from None
        try:
            conn = sqlite3.connect(db, check_same_thread=False)  # e.g. WAL files that need recovery
        except sqlite3.Error as exc:
            raise SessionFormatError(f"{db} cannot be opened: {exc}") from None
    return conn


def _check_db(db: Path, conn: sqlite3.Connection) -> None:
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if [tuple(r) for r in check] != [("ok",)]:
            detail = " ".join(str(check[0][0]).split())[:80] if check else "?"
            raise SessionFormatError(f"{db} is damaged ({detail})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:  # killed while the run folder was being set up: nothing was ever recorded
            raise SessionFormatError(f"{db} has no tables: the run stopped while it was being created (no trials)")
        if not set(schema.TABLES) <= tables:
            raise SessionFormatError(f"{db} is not a neurogym-app session database (foreign file)")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error as exc:
        raise SessionFormatError(f"{db} is damaged ({' '.join(str(exc).split())})") from None
    if meta.get("format") != schema.FORMAT_NAME:
        raise SessionFormatError(f"{db} is not a neurogym-app session database (foreign file)")
    _check_version(db, meta.get("format_version"))


class SessionReader:
    """The committed trials of one run folder (use :func:`open_session`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = _folder(path)
        self.manifest = read_manifest(self.path)
        db = self.path / schema.SQLITE_NAME
        if not db.is_file():
            raise SessionFormatError(
                f"{self.path} has no {schema.SQLITE_NAME} (damaged, or the run stopped while it was being created)"
            )
        self._conn: sqlite3.Connection | None = _connect(db)
        try:
            _check_db(db, self._conn)
        except SessionFormatError:
            self.close()
            raise
        self._db = db

    # ----------------------------------------------------------------- basics
    @property
    def columns(self) -> list[str]:
        cols = self.manifest.get("csv_columns")
        return list(cols) if isinstance(cols, list) else []

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        if self._conn is None:
            raise SessionFormatError(f"session {self.path} is closed")
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise SessionFormatError(f"{self._db} is damaged ({' '.join(str(exc).split())})") from None

    def trial_indices(self) -> list[int]:
        return [r[0] for r in self._query("SELECT trial FROM trials ORDER BY trial")]

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM trials")[0][0])

    def _decode(self, what: str, text: str) -> Any:
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            raise SessionFormatError(f"{self._db} is damaged ({what} is not valid JSON)") from None

    def trial(self, index: int, arrays: bool = True, events: bool = True) -> TrialData:
        """One committed trial (KeyError if trial ``index`` was never committed)."""
        rows = self._query("SELECT trial, block, vars, summary, committed_at FROM trials WHERE trial = ?", (index,))
        if not rows:
            raise KeyError(f"trial {index} is not in {self.path}")
        idx, block, vars_text, summary_text, committed = rows[0]
        data = TrialData(
            index=int(idx),
            block=int(block),
            vars=self._decode(f"trial {idx} variables", vars_text),
            row=self._decode(f"trial {idx} summary", summary_text),
            committed_at=float(committed),
        )
        if arrays:
            for name, blob in self._query("SELECT name, npy FROM arrays WHERE trial = ?", (index,)):
                try:
                    data.arrays[name] = from_npy(blob)
                except (ValueError, OSError, EOFError):
                    raise SessionFormatError(f"{self._db} is damaged (array {name!r} of trial {idx})") from None
        if events:
            for t, kind, text in self._query("SELECT t, kind, data FROM events WHERE trial = ? ORDER BY seq", (index,)):
                data.events.append(schema.Event(float(t), str(kind), self._decode(f"an event of trial {idx}", text)))
        return data

    def __iter__(self) -> Iterator[TrialData]:
        for i in self.trial_indices():
            yield self.trial(i)

    def rows(self, include_practice: bool = True) -> list[dict[str, Any]]:
        """The trials.csv rows of every committed trial (rebuilt from the database)."""
        out = []
        for idx, text in self._query("SELECT trial, summary FROM trials ORDER BY trial"):
            row = self._decode(f"trial {idx} summary", text)
            if include_practice or not schema.is_practice(row):
                out.append(row)
        return out

    @property
    def status(self) -> str:
        """The run's real status: a manifest still saying ``running`` with no live writer was interrupted."""
        status = str(self.manifest.get("status") or "?")
        if status == "running" and not writer_alive(self.manifest):
            return "interrupted"
        return status

    @property
    def n_committed(self) -> int:
        """Committed trials (the database's count, whatever the manifest's ``n_trials`` says)."""
        return len(self)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SessionReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(path: str | os.PathLike[str]) -> SessionReader:
    """Open a run folder (or a file in it) for reading; see :class:`SessionReader`."""
    return SessionReader(path)


def writer_alive(manifest: dict[str, Any]) -> bool:
    """Whether the process that writes this run (manifest ``writer``: host, pid) is still running here."""
    import socket

    writer = manifest.get("writer")
    if not isinstance(writer, dict) or writer.get("host") != socket.gethostname():
        return False
    try:
        pid = int(writer["pid"])
        os.kill(pid, 0)
    except (KeyError, TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:
        return False
    return True


def is_experiment_folder(path: str | os.PathLike[str]) -> bool:
    return (Path(path) / schema.EXPERIMENT_MANIFEST).is_file()


def read_experiment_manifest(folder: Path) -> dict[str, Any]:
    """The experiment manifest of an experiment folder, checked (format name and version)."""
    path = folder / schema.EXPERIMENT_MANIFEST
    if not folder.is_dir():
        raise SessionFormatError(f"no such session folder: {folder}")
    if not path.is_file():
        raise SessionFormatError(f"{folder} is not an experiment session folder (no {schema.EXPERIMENT_MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SessionFormatError(f"{path} is damaged ({' '.join(str(exc).split())[:80]})") from None
    if not isinstance(data, dict) or data.get("format") != schema.EXPERIMENT_FORMAT_NAME:
        raise SessionFormatError(f"{path} is not a neurogym-app experiment manifest")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFormatError(f"{path} is damaged (format_version {version!r} is not a whole number >= 1)")
    if version > schema.EXPERIMENT_FORMAT_VERSION:
        raise SessionFormatError(f"{path} was written by a newer neurogym-app (format version {version}); upgrade to read it")
    return data


def session_folders(path: str | os.PathLike[str]) -> list[Path]:
    """The session folders of ``path``: itself for a session, its task sessions for an experiment folder.

    A task session listed by an experiment that never got past its creation
    (no tables: nothing was committed) is left out.
    """
    folder = _folder(path)
    if (folder / schema.MANIFEST_NAME).is_file() or not is_experiment_folder(folder):
        read_manifest(folder)  # the one-line error for anything that is neither
        return [folder]
    manifest = read_experiment_manifest(folder)
    sessions = manifest.get("sessions") or {}
    if not isinstance(sessions, dict):
        raise SessionFormatError(f"{folder / schema.EXPERIMENT_MANIFEST} is damaged (sessions is not a mapping)")
    out = []
    for rel in sessions.values():
        sub = (folder / str(rel)).resolve()
        if not (sub / schema.MANIFEST_NAME).is_file():
            raise SessionFormatError(f"{folder}: its task session {rel} is missing")
        try:
            with open_session(sub):
                pass
        except SessionFormatError as exc:
            if "no tables" in str(exc) or f"no {schema.SQLITE_NAME}" in str(exc):
                continue
            raise
        out.append(sub)
    return out
