"""Export sessions: a BIDS dataset (:mod:`neurogym_app.record.bids`) or the trials table as CSV.

Both are rebuilt from ``steps.sqlite`` (the source of truth), so they work on
interrupted runs too. Practice trials are left out unless ``include_practice``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from neurogym_app.record.bids import export_bids, session_folders
from neurogym_app.record.reader import SessionReader, is_experiment_folder
from neurogym_app.record.recorder import csv_line, format_row

__all__ = ["FORMATS", "export_folder", "export_session", "export_sessions"]

FORMATS = ("bids", "csv")


def export_sessions(
    paths: Sequence[str | os.PathLike[str]],
    fmt: str = "bids",
    out: str | os.PathLike[str] | None = None,
    include_practice: bool = False,
) -> list[Path]:
    """Export every session in ``paths`` (run folders, experiment folders, folders of them); returns the files.

    ``bids``: one dataset at ``out`` (default ``<first path>/export/bids``), merged with what is there.
    ``csv``: ``<out>/<run folder>_trials.csv`` per session (default ``out``: each session's ``export/``;
    an experiment's task sessions go in one folder per task).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "bids":
        target = Path(out) if out is not None else Path(paths[0]) / "export" / "bids"
        return export_bids(paths, target, include_practice=include_practice).written
    files = []
    for given in paths:
        base = Path(out) if out is not None else (Path(given) / "export" if is_experiment_folder(given) else None)
        for folder in session_folders([given]):
            # an experiment's task sessions share their folder name: one subfolder per task
            in_experiment = is_experiment_folder(folder.parent.parent)
            where = base / folder.parent.name if in_experiment and base is not None else base
            files.append(_export_csv(folder, where, include_practice))
    return files


def export_folder(
    path: str | os.PathLike[str], fmt: str = "bids", out: str | os.PathLike[str] | None = None, include_practice: bool = False
) -> list[Path]:
    """Export a session, or every task session of an experiment folder (see :func:`export_sessions`)."""
    return export_sessions([path], fmt, out, include_practice=include_practice)


def export_session(
    path: str | os.PathLike[str], fmt: str = "bids", out: str | os.PathLike[str] | None = None, include_practice: bool = False
) -> list[Path]:
    """Export one session (see :func:`export_sessions`)."""
    return export_sessions([path], fmt, out, include_practice=include_practice)


def _export_csv(path: Path, out: str | os.PathLike[str] | None, include_practice: bool) -> Path:
    with SessionReader(path) as reader:
        folder = Path(out) if out is not None else reader.path / "export"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{reader.path.name}_trials.csv"
        columns = reader.columns or sorted({k for r in reader.rows() for k in r})
        with open(target, "w", encoding="utf-8", newline="") as f:
            f.write(csv_line(columns))
            for row in reader.rows(include_practice=include_practice):
                f.write(csv_line(format_row(row, columns)))
        return target
