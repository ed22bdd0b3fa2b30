"""Side-by-side comparison of sessions of one task (pure: no Qt).

:class:`CompareModel` holds several sessions (a human, agent runs, simulated
players), each as a :class:`TrialTable`, and pools them per player kind, so
the Compare view can draw each session thinly and the pooled group curve
boldly: accuracy per condition, psychometric and chronometric curves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neurogym_app.analysis.catalog import load_table
from neurogym_app.analysis.trial_table import TrialTable, sort_conditions
from neurogym_app.record.reader import SessionFormatError, open_session, session_folders

__all__ = ["CompareEntry", "CompareModel", "KINDS"]

KINDS = ("human", "agent", "simulated")


@dataclass
class CompareEntry:
    path: Path
    label: str
    kind: str
    task: str
    table: TrialTable
    enabled: bool = True
    timing: str | None = None


class CompareModel:
    """Sessions to compare; listeners are called after every change."""

    def __init__(self, include_practice: bool = False) -> None:
        self.include_practice = include_practice  # practice trials are left out by default
        self.entries: list[CompareEntry] = []
        self._listeners: list[Callable[[CompareModel], None]] = []

    # ---------------------------------------------------------- observing
    def subscribe(self, callback: Callable[[CompareModel], None]) -> None:
        self._listeners.append(callback)

    def _notify(self) -> None:
        for cb in list(self._listeners):
            cb(self)

    # ------------------------------------------------------------ editing
    def add(self, path: str | os.PathLike[str]) -> CompareEntry:
        """Load a session folder, or every task session of an experiment folder (the last is returned).

        SessionFormatError if one is unreadable; adding a session twice returns it.
        """
        folders = session_folders(path)
        if not folders:
            raise SessionFormatError(f"{path}: the experiment has no recorded task session yet")
        entry = None
        for folder in folders:
            entry = self._add_session(folder)
        assert entry is not None
        return entry

    def _add_session(self, path: Path) -> CompareEntry:
        folder = Path(path).resolve()
        for e in self.entries:
            if e.path == folder:
                return e
        with open_session(folder) as reader:
            manifest = reader.manifest
            player = manifest.get("player") or {}
            kind = str(player.get("kind") or "?")
            pid = str(manifest.get("participant") or player.get("id") or folder.name)
            task = manifest.get("task") or {}
            task_id = str(task.get("id") if isinstance(task, dict) else task)
            label = pid
            if any(e.label == label and e.task == task_id for e in self.entries):  # the same player twice: tell runs apart
                seeds = manifest.get("seeds") or {}
                seed = seeds.get("env") if isinstance(seeds, dict) else None
                label = f"{pid} seed {seed}" if seed is not None else f"{pid} ({folder.name})"
            table = load_table(reader, label=label, include_practice=self.include_practice)
            timing = task.get("timing_preset") if isinstance(task, dict) else None
        entry = CompareEntry(folder, label, kind, task_id, table, timing=timing)
        self.entries.append(entry)
        self._notify()
        return entry

    def remove(self, path: str | os.PathLike[str]) -> None:
        folder = Path(path).resolve()
        self.entries = [e for e in self.entries if e.path != folder]
        self._notify()

    def set_enabled(self, path: str | os.PathLike[str], enabled: bool) -> None:
        folder = Path(path).resolve()
        for e in self.entries:
            if e.path == folder:
                e.enabled = enabled
        self._notify()

    def clear(self) -> None:
        self.entries = []
        self._notify()

    def set_include_practice(self, include: bool) -> None:
        """Count practice trials or leave them out (the default); every session's trials are read again."""
        include = bool(include)
        if include == self.include_practice:
            return
        self.include_practice = include
        for e in self.entries:
            with open_session(e.path) as reader:
                e.table = load_table(reader, label=e.label, include_practice=include)
        self._notify()

    # ------------------------------------------------------------ queries
    def active(self) -> list[CompareEntry]:
        return [e for e in self.entries if e.enabled and len(e.table)]

    def tasks(self) -> list[str]:
        return sorted({e.task for e in self.entries})

    def groups(self) -> dict[str, list[CompareEntry]]:
        """Active entries by player kind (human first, then agent, simulated, others)."""
        out: dict[str, list[CompareEntry]] = {}
        for e in sorted(self.active(), key=lambda e: (KINDS.index(e.kind) if e.kind in KINDS else 9, e.label)):
            out.setdefault(e.kind, []).append(e)
        return out

    def pooled(self, kind: str) -> TrialTable:
        members = self.groups().get(kind, [])
        return TrialTable.pooled([e.table for e in members], label=f"{kind} pooled (n={len(members)})")

    def conditions(self) -> list[str]:
        """Every condition label seen, in natural order."""
        seen: set[str] = set()
        for e in self.active():
            seen.update(e.table.conditions)
        return sort_conditions(seen)
