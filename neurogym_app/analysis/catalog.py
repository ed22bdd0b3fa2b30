"""The sessions folder as a list: one :class:`SessionInfo` per run folder (pure, no Qt).

``scan_sessions(root)`` finds every ``manifest.json`` under ``root`` (run
folders ``<root>/<task>/<run>/`` and agent runs a level deeper), reads the
manifest and asks ``steps.sqlite`` (read-only, one query) for the committed
trial count and the accuracy, so listing a folder of large sessions stays fast.
A folder that cannot be read is listed with status ``damaged`` and the reason.

``load_table(reader)`` turns a session's trials into a :class:`TrialTable`
with the task's condition variables and strength variable (practice trials
left out unless ``include_practice``).

A run still marked ``running`` whose writer is gone is listed as
``interrupted`` with the trials its database committed, whatever its manifest says.
A task session of an experiment names its experiment folder and the experiment's
real state (``record.reader.read_experiment``: a killed experiment is ``interrupted``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from neurogym_app.analysis.trial_table import TrialTable, format_value
from neurogym_app.record import schema
from neurogym_app.record.reader import SessionFormatError, read_experiment, writer_alive

__all__ = ["SessionInfo", "scan_sessions", "session_info", "load_table", "task_metadata", "MAX_DEPTH"]

MAX_DEPTH = 4  # levels below the root searched for run folders


@dataclass
class SessionInfo:
    """What the Sessions view lists about one run folder."""

    path: Path
    task: str = "?"
    participant: str = "?"
    session: int | None = None
    kind: str = "?"  # human / agent / simulated
    player_id: str = ""
    n_trials: int = 0
    accuracy: float | None = None
    start_time: str = ""
    status: str = "?"
    error: str | None = None
    experiment: Path | None = None  # the experiment folder this task session belongs to
    experiment_status: str = ""  # that experiment's real status (interrupted if it was killed)
    links: tuple[tuple[str, Path], ...] = ()  # (label, session folder) of the linked runs (``play --against``)

    @property
    def date(self) -> str:
        """Local date and time of the start (``YYYY-MM-DD HH:MM``), or the raw text."""
        if not self.start_time:
            return ""
        try:
            stamp = datetime.fromisoformat(self.start_time)
        except ValueError:
            return self.start_time
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone()
        return stamp.strftime("%Y-%m-%d %H:%M")

    @property
    def name(self) -> str:
        return self.path.name


def _db_stats(db: Path) -> tuple[int, float | None]:
    uri = f"{db.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        n, acc = conn.execute("SELECT count(*), avg(json_extract(summary, '$.correct')) FROM trials").fetchone()
    finally:
        conn.close()
    return int(n or 0), (float(acc) if acc is not None else None)


def _links(manifest: dict[str, Any]) -> tuple[tuple[str, Path], ...]:
    """The runs a session is linked to: the agents that faced its trials (``against``), the person's
    session an agent faced (``reference``); links without a recorded session are left out."""
    out: list[tuple[str, Path]] = []
    against = manifest.get("against")
    for link in against if isinstance(against, list) else ():
        if isinstance(link, dict) and link.get("session"):
            out.append((f"{link.get('kind') or 'agent'} {link.get('id') or ''}".strip(), Path(str(link["session"]))))
    ref = manifest.get("reference")
    if isinstance(ref, dict) and ref.get("session"):
        out.append((f"{ref.get('kind') or 'session'} {ref.get('participant') or ''}".strip(), Path(str(ref["session"]))))
    return tuple(out)


def session_info(path: str | os.PathLike[str]) -> SessionInfo:
    """The listing of one run folder (never raises: problems give status ``damaged``)."""
    folder = Path(path)
    info = SessionInfo(path=folder)
    try:
        manifest = json.loads((folder / schema.MANIFEST_NAME).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != schema.FORMAT_NAME:
            raise ValueError("not a neurogym-app session manifest")
    except (OSError, ValueError) as exc:
        info.status, info.error = "damaged", f"manifest: {' '.join(str(exc).split())[:100]}"
        return info
    task = manifest.get("task") or {}
    player = manifest.get("player") or {}
    info.task = str(task.get("id") if isinstance(task, dict) else task or "?")
    info.participant = str(manifest.get("participant") or player.get("id") or "?")
    sess = manifest.get("session")
    info.session = int(sess) if isinstance(sess, int) else None
    info.kind = str(player.get("kind") or "?") if isinstance(player, dict) else "?"
    info.player_id = str(player.get("id") or "") if isinstance(player, dict) else ""
    info.start_time = str(manifest.get("start_time") or "")
    info.status = str(manifest.get("status") or "?")
    info.n_trials = int(manifest.get("n_trials") or 0)
    info.links = _links(manifest)
    db = folder / schema.SQLITE_NAME
    try:
        info.n_trials, info.accuracy = _db_stats(db)
        if info.status == "running" and not writer_alive(manifest):
            info.status = "interrupted"  # killed: the database holds what it committed
    except (sqlite3.Error, OSError) as exc:
        info.status, info.error = "damaged", f"{schema.SQLITE_NAME}: {' '.join(str(exc).split())[:100]}"
    info.experiment, info.experiment_status = _experiment_of(folder)
    return info


def _experiment_of(folder: Path) -> tuple[Path | None, str]:
    """The experiment folder listing ``folder`` as one of its task sessions, and its real status."""
    for parent in list(folder.resolve().parents)[:2]:  # <experiment>/<task>/<session> or <experiment>/<session>
        if not (parent / schema.EXPERIMENT_MANIFEST).is_file():
            continue
        try:
            state = read_experiment(parent)
        except SessionFormatError as exc:
            return parent, f"damaged: {' '.join(str(exc).split())[:100]}"
        if any(s.path == folder.resolve() for s in state.sessions):
            return parent, state.status
    return None, ""


def scan_sessions(root: str | os.PathLike[str]) -> list[SessionInfo]:
    """Every run folder under ``root``, newest first."""
    base = Path(root)
    if not base.is_dir():
        return []
    found: list[Path] = []
    stack: list[tuple[Path, int]] = [(base, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if any(e.name == schema.MANIFEST_NAME and e.is_file() for e in entries):
            found.append(folder)
            continue
        if depth < MAX_DEPTH:
            stack.extend((Path(e.path), depth + 1) for e in entries if e.is_dir() and not e.name.startswith("."))
    infos = [session_info(p) for p in found]
    infos.sort(key=lambda i: (i.start_time, str(i.path)), reverse=True)
    return infos


def task_metadata(task_id: str) -> dict[str, Any]:
    """The task's metadata, or ``{}`` if the task is not registered here."""
    from neurogym_app.core import registry

    try:
        return registry.task_metadata(task_id)
    except Exception:  # an unknown or broken task must not stop browsing sessions
        return {}


_SUMMARY_FIELDS = ("correct", "rt_ms", "signed_strength", "choice", "gt", "reward", "outcome")


def load_table(reader: Any, label: str | None = None, include_practice: bool = False) -> TrialTable:
    """A :class:`TrialTable` of every committed trial of an open :class:`SessionReader`.

    The fields plots need are pulled out by SQLite (``json_extract``) in one
    query, so a session of 10 000 trials loads in a few tens of ms; if that
    query fails (an old SQLite without JSON), the rows are decoded in Python.
    """
    manifest = reader.manifest
    task = manifest.get("task") or {}
    task_id = task.get("id") if isinstance(task, dict) else str(task)
    meta = dict(task_metadata(str(task_id))) if task_id else {}
    if isinstance(task, dict):  # what the run recorded wins (the task may have changed since)
        for key in ("condition_vars", "strength_var"):
            if task.get(key) is not None:
                meta[key] = task[key]
    if label is None:
        player = manifest.get("player") or {}
        label = str(manifest.get("participant") or player.get("id") or reader.path.name)
    condition_vars = tuple(str(v) for v in meta.get("condition_vars") or ())
    strength_var = meta.get("strength_var")
    kwargs = {"condition_vars": condition_vars, "strength_var": strength_var, "label": label}
    try:
        return _load_table_sql(reader.path / schema.SQLITE_NAME, condition_vars, strength_var, kwargs, include_practice)
    except (sqlite3.Error, ValueError):
        return TrialTable.from_rows(reader.rows(include_practice=include_practice), **kwargs)


def _json_path(name: str) -> str:
    return '$."' + name.replace('"', '""') + '"'


#: a practice trial (format 1 experiments: exp_practice), as schema.is_practice says
_PRACTICE_SQL = "coalesce(json_extract(summary, '$.practice'), json_extract(summary, '$.exp_practice'), 0)"


def _load_table_sql(
    db: Path, condition_vars: tuple[str, ...], strength_var: str | None, kwargs: dict[str, Any], include_practice: bool = False
) -> TrialTable:
    extra = [*condition_vars, *([strength_var] if strength_var else [])]
    # json_extract with several paths parses each JSON text once and returns a small JSON array;
    # a variable's value comes from the trial's variables (what new_trial drew), as trials.csv has it
    summary_paths = ", ".join(f"'{_json_path(f)}'" for f in _SUMMARY_FIELDS)
    var_paths = ", ".join(f"'{_json_path(v)}'" for v in [*extra, "trial_seed"])  # >= 2 paths: always an array
    sql = f"SELECT json_extract(summary, {summary_paths}), block, json_extract(vars, {var_paths}) FROM trials"
    sql += "" if include_practice else f" WHERE NOT {_PRACTICE_SQL}"
    sql += " ORDER BY trial"
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    # one json.loads over all rows (a call per row costs ~10x more)
    summaries = json.loads("[" + ",".join(r[0] for r in rows) + "]")
    variables = json.loads("[" + ",".join(r[2] for r in rows) + "]")
    cols = list(zip(*summaries)) if rows else [()] * len(_SUMMARY_FIELDS)
    columns: dict[str, Any] = {
        "correct": cols[0], "rt_ms": cols[1], "strength": cols[2], "choice": cols[3],
        "gt": cols[4], "reward": cols[5], "outcome": cols[6], "block": [r[1] for r in rows],
    }
    if strength_var:
        columns["unsigned"] = [v[len(condition_vars)] for v in variables]
    if condition_vars:
        m = len(condition_vars)
        names: dict[str, str] = {}  # formatted once per distinct condition
        labels = []
        for values in variables:
            try:
                key: Any = tuple(values[:m])
                label = names.get(key)
            except TypeError:  # lists among the values: not hashable
                key = json.dumps(values[:m])
                label = names.get(key)
            if label is None:
                label = names[key] = ", ".join(f"{name}={format_value(v)}" for name, v in zip(condition_vars, values[:m]))
            labels.append(label)
    else:
        labels = ["all"] * len(rows)
    return TrialTable.from_columns(columns, labels, **kwargs)


