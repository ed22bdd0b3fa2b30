"""A sweep folder on disk: its layout, its manifest, its results table (no torch, no Qt).

``neurogym-app sweep --out DIR`` writes::

    DIR/sweep.json          manifest: format, grid (tasks, models, hidden sizes, seeds), training
                            settings, executor, versions, status, point counts, failures
    DIR/results.csv         one row per point of the grid, in grid order (COLUMNS)
    DIR/results.json        the same rows, with the column list and the manifest's grid
    DIR/summary.png         accuracy by task and model, seeds as points (plots/sweep_figure.py)
    DIR/agents/<name>/      one normal agent folder per point (agent.json, model.pt,
                            evaluation.json, learning_curve.*), exactly what ``train`` writes,
                            plus sweep_point.json, written last: the point is finished
    DIR/sessions/<task>/<run>/  each agent's recorded run (the session format people's runs
                            use), from which its psychometric fit is computed

So any agent of a sweep can be given wherever an agent folder is expected
(``run-agent``, ``play --against``), and the sweep folder opened as a sessions
root lists every agent's recorded run next to people's.

:func:`read_sweep` reads a sweep folder for the app (Sessions and Compare
views); :func:`find_sweeps` finds the sweep folders under a sessions root.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurogym_app.errors import UserError

__all__ = [
    "SWEEP_FORMAT",
    "SWEEP_FORMAT_VERSION",
    "MANIFEST_NAME",
    "RESULTS_CSV",
    "RESULTS_JSON",
    "FIGURE_NAME",
    "POINT_RECORD",
    "AGENTS_DIR",
    "SESSIONS_DIR",
    "COLUMNS",
    "SweepError",
    "SweepAgent",
    "SweepInfo",
    "is_sweep_folder",
    "read_sweep",
    "find_sweeps",
    "write_results",
    "read_point_record",
    "finite_number",
]

SWEEP_FORMAT = "neurogym-app-sweep"
SWEEP_FORMAT_VERSION = 1
MANIFEST_NAME = "sweep.json"
RESULTS_CSV = "results.csv"
RESULTS_JSON = "results.json"
FIGURE_NAME = "summary.png"
POINT_RECORD = "sweep_point.json"
AGENTS_DIR = "agents"
SESSIONS_DIR = "sessions"
#: how deep below a sessions root find_sweeps looks for sweep folders
FIND_DEPTH = 3

#: the results table, one row per point (paths relative to the sweep folder)
COLUMNS = (
    "task",
    "model",
    "hidden",
    "seed",
    "steps",
    "timing",
    "accuracy_default",
    "accuracy_human",
    "strength_var",
    "psychometric_threshold",
    "psychometric_slope",
    "psychometric_bias",
    "recorded_timing",
    "recorded_trials",
    "recorded_accuracy",
    "train_seconds",
    "status",
    "error",
    "agent",
    "session",
)


class SweepError(UserError):
    """A sweep that cannot run or be read as asked (bad grid, foreign folder, other settings)."""


@dataclass
class SweepAgent:
    """One point of a sweep as the app lists it."""

    task: str
    model: str
    hidden: int
    seed: int
    status: str
    accuracy_default: float | None = None
    accuracy_human: float | None = None
    threshold: float | None = None
    slope: float | None = None
    strength_var: str | None = None
    agent_path: Path | None = None
    session_path: Path | None = None
    error: str = ""

    @property
    def label(self) -> str:
        return f"{self.model}{self.hidden} seed {self.seed}"

    @property
    def accuracy(self) -> float | None:
        """Held-out accuracy on the human timing when the task has one, else on the default."""
        return self.accuracy_human if self.accuracy_human is not None else self.accuracy_default


@dataclass
class SweepInfo:
    path: Path
    manifest: dict[str, Any]
    agents: list[SweepAgent] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        return str(self.manifest.get("status", "?"))

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(a.task for a in self.agents))

    def session_paths(self, task: str | None = None) -> list[str]:
        """The recorded runs of the finished agents (of ``task``), in grid order."""
        return [str(a.session_path) for a in self.agents if a.session_path is not None and (task is None or a.task == task)]


def finite_number(value: Any) -> float | None:
    """``value`` as a finite float, else None (missing, text, NaN, inf)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def is_sweep_folder(path: str | os.PathLike[str]) -> bool:
    return (Path(path) / MANIFEST_NAME).is_file()


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{folder}: not a sweep folder (no {MANIFEST_NAME})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SweepError(f"{path}: damaged sweep manifest: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict) or data.get("format") != SWEEP_FORMAT:
        raise SweepError(f"{path}: not a neurogym-app sweep manifest (format {data.get('format') if isinstance(data, dict) else None!r})")
    if int(data.get("format_version", 0)) > SWEEP_FORMAT_VERSION:
        raise SweepError(f"{path}: sweep format {data.get('format_version')} is newer than this app reads ({SWEEP_FORMAT_VERSION})")
    return data


def read_point_record(agent_folder: Path) -> dict[str, Any] | None:
    """The ``sweep_point.json`` of a finished point, or None (unfinished, or damaged: rerun it)."""
    try:
        record = json.loads((agent_folder / POINT_RECORD).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or record.get("format") != SWEEP_FORMAT or not isinstance(record.get("row"), dict):
        return None
    return record


def read_sweep(path: str | os.PathLike[str]) -> SweepInfo:
    """The manifest and every point of a sweep folder (SweepError if it is not one)."""
    folder = Path(path).resolve()
    manifest = read_manifest(folder)
    rows: list[Mapping[str, Any]] = []
    try:
        data = json.loads((folder / RESULTS_JSON).read_text(encoding="utf-8"))
        rows = [r for r in data.get("rows", []) if isinstance(r, dict)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        rows = []  # results not written yet (first point still training): list none
    info = SweepInfo(folder, manifest)
    for r in rows:
        agent = folder / str(r["agent"]) if r.get("agent") and r.get("status") == "ok" else None
        session = folder / str(r["session"]) if r.get("session") and r.get("status") == "ok" else None
        info.agents.append(
            SweepAgent(
                task=str(r.get("task", "?")),
                model=str(r.get("model", "?")),
                hidden=int(r.get("hidden") or 0),
                seed=int(r.get("seed") or 0),
                status=str(r.get("status", "?")),
                accuracy_default=finite_number(r.get("accuracy_default")),
                accuracy_human=finite_number(r.get("accuracy_human")),
                threshold=finite_number(r.get("psychometric_threshold")),
                slope=finite_number(r.get("psychometric_slope")),
                strength_var=r.get("strength_var") or None,
                agent_path=agent if agent is not None and agent.is_dir() else None,
                session_path=session if session is not None and session.is_dir() else None,
                error=str(r.get("error") or ""),
            )
        )
    return info


def find_sweeps(root: str | os.PathLike[str], depth: int = FIND_DEPTH) -> list[Path]:
    """Sweep folders at or below ``root`` (at most ``depth`` levels down), sorted by path."""
    base = Path(root)
    if not base.is_dir():
        return []
    found: list[Path] = []
    stack = [(base, 0)]
    while stack:
        folder, level = stack.pop()
        if (folder / MANIFEST_NAME).is_file():
            found.append(folder)
            continue  # a sweep's own agents and sessions hold no further sweeps
        if level >= depth:
            continue
        try:
            stack.extend((Path(e.path), level + 1) for e in os.scandir(folder) if e.is_dir() and not e.name.startswith("."))
        except OSError:
            continue
    return sorted(found)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return value


def write_results(folder: Path, rows: Iterable[Mapping[str, Any]], grid: Mapping[str, Any]) -> None:
    """``results.csv`` and ``results.json`` (each written to a temporary file, then renamed)."""
    from neurogym_app.record.jsonutil import plain

    rows = [{c: r.get(c) for c in COLUMNS} for r in rows]
    tmp = folder / (RESULTS_CSV + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: _cell(r[c]) for c in COLUMNS})
    tmp.replace(folder / RESULTS_CSV)
    tmp = folder / (RESULTS_JSON + ".tmp")
    tmp.write_text(json.dumps(plain({"format": SWEEP_FORMAT, "columns": list(COLUMNS), "grid": dict(grid), "rows": rows}), indent=1) + "\n", encoding="utf-8")
    tmp.replace(folder / RESULTS_JSON)
