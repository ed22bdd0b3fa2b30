"""Export a session: BIDS-style ``_events.tsv`` + JSON sidecar, or the trials table as CSV.

Both are rebuilt from ``steps.sqlite`` (the source of truth), so they work on
interrupted runs too.

BIDS events: one row per shown period of each trial (``trial_type`` = the
period name, ``onset``/``duration`` in seconds since the session start) and
one row per response (``trial_type`` = ``response``, ``response_time`` in
seconds from the ``rt_from`` period's onset), with the trial index, its
condition variables, choice and correctness; missing values are ``n/a``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from neurogym_app.record import schema
from neurogym_app.record.reader import SessionReader
from neurogym_app.record.recorder import csv_line, format_cell

__all__ = ["FORMATS", "export_session", "bids_label", "bids_rows"]

FORMATS = ("bids", "csv")


def bids_label(text: Any) -> str:
    """A BIDS entity label: letters and digits only."""
    label = re.sub(r"[^A-Za-z0-9]", "", str(text))
    return label or "x"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def bids_rows(reader: SessionReader) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of the events table."""
    task = reader.manifest.get("task") or {}
    cond = [c for c in (task.get("condition_vars") or []) if isinstance(c, str)]
    periods = [c[len("onset_") : -2] for c in reader.columns if c.startswith("onset_") and c.endswith("_s")]
    columns = ["onset", "duration", "trial_type", "trial", *cond, "response_time", "value", "correct", "outcome"]
    rows: list[dict[str, Any]] = []
    for row in reader.rows():
        trial = row.get("trial")
        base = {c: row.get(schema.var_column(c)) for c in cond}
        shown = [(p, _num(row.get(schema.onset_column(p)))) for p in periods]
        shown = sorted(((p, t) for p, t in shown if t is not None), key=lambda pt: pt[1])
        end = _num(row.get("trial_end_s"))
        for i, (period, onset) in enumerate(shown):
            nxt = shown[i + 1][1] if i + 1 < len(shown) else end
            duration = max(0.0, nxt - onset) if nxt is not None else None
            rows.append({"onset": onset, "duration": duration, "trial_type": period, "trial": trial, **base})
        rt = _num(row.get("rt_ms"))
        rt_from = task.get("rt_from")
        ref = _num(row.get(schema.onset_column(rt_from))) if rt_from else _num(row.get("trial_onset_s"))
        if rt is not None and ref is not None:
            rows.append(
                {
                    "onset": ref + rt / 1000.0,
                    "duration": 0.0,
                    "trial_type": "response",
                    "trial": trial,
                    **base,
                    "response_time": rt / 1000.0,
                    "value": row.get("choice_label") or row.get("choice"),
                    "correct": row.get("correct"),
                    "outcome": row.get("outcome"),
                }
            )
        elif rows and rows[-1].get("trial") == trial:
            rows[-1].update(correct=row.get("correct"), outcome=row.get("outcome"))
    rows.sort(key=lambda r: (r["onset"], r["trial"] if r["trial"] is not None else -1))
    return columns, rows


def _sidecar(reader: SessionReader, columns: list[str]) -> dict[str, Any]:
    task = reader.manifest.get("task") or {}
    docs: dict[str, Any] = {
        "onset": {"Description": "time of the event's first frame, from the session start", "Units": "s"},
        "duration": {"Description": "until the next period's first frame (or the trial's end)", "Units": "s"},
        "trial_type": {"Description": "task period shown, or 'response'"},
        "trial": {"Description": "trial index in the session, from 0"},
        "response_time": {
            "Description": f"response minus the onset of the '{task.get('rt_from')}' period's first frame",
            "Units": "s",
        },
        "value": {"Description": "the response given (action name)"},
        "correct": {"Description": "1 if the task scored the trial correct", "Levels": {"0": "incorrect", "1": "correct"}},
        "outcome": {"Description": "correct / wrong / too early / too late"},
    }
    for c in columns:
        docs.setdefault(c, {"Description": f"trial variable '{c}' of {task.get('id')}"})
    app = reader.manifest.get("app") or {}
    docs["TaskName"] = task.get("id")
    docs["StimulusPresentation"] = {
        "SoftwareName": "neurogym-app",
        "SoftwareVersion": app.get("version"),
        "Code": "https://github.com/neurogym/neurogym",
    }
    return docs


def _tsv_cell(value: Any) -> str:
    text = format_cell(value)
    return "n/a" if text == "" else text.replace("\t", " ").replace("\n", " ")


def export_session(path: str | os.PathLike[str], fmt: str = "bids", out: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write the export of the session at ``path`` into ``out`` (default ``<session>/export``); returns the files."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    with SessionReader(path) as reader:
        folder = Path(out) if out is not None else reader.path / "export"
        folder.mkdir(parents=True, exist_ok=True)
        m = reader.manifest
        if fmt == "csv":
            target = folder / f"{reader.path.name}_trials.csv"
            columns = reader.columns or sorted({k for r in reader.rows() for k in r})
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(csv_line(columns))
                for row in reader.rows():
                    f.write(csv_line([format_cell(row.get(c)) for c in columns]))
            return [target]
        task = m.get("task") or {}
        run = re.search(r"-(\d+)$", reader.path.name)
        stem = f"sub-{bids_label(m.get('participant'))}_ses-{bids_label(m.get('session'))}_task-{bids_label(task.get('id'))}"
        if run:
            stem += f"_run-{int(run.group(1)) + 1}"
        columns, rows = bids_rows(reader)
        tsv = folder / f"{stem}_events.tsv"
        with open(tsv, "w", encoding="utf-8", newline="") as f:
            f.write("\t".join(columns) + "\n")
            for r in rows:
                f.write("\t".join(_tsv_cell(r.get(c)) for c in columns) + "\n")
        sidecar = folder / f"{stem}_events.json"
        sidecar.write_text(json.dumps(_sidecar(reader, columns), indent=1) + "\n", encoding="utf-8")
        return [tsv, sidecar]
