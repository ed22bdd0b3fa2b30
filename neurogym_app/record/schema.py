"""The session record's format: names, versions, tables and the ``trials.csv`` columns.

A run folder ``<root>/<task>/<player>_<session>_<timestamp>[-n]/`` holds

``manifest.json``
    ``format`` (``"neurogym-app-session"``), ``format_version``, ``app``
    (name, version), ``player`` (kind: human / agent / simulated, id, and the
    simulated strategy), ``session``, ``task`` (id, parameters, timing preset,
    dt, resolved timing, time_scale), ``seeds``, ``key_map``, ``display``
    (backend, nominal and measured refresh rate), ``flow`` (feedback, ITI),
    ``clock`` (what times are relative to), ``start_time``/``end_time`` (ISO
    8601, UTC), ``status`` (running / completed / aborted / interrupted /
    error), ``n_trials``, ``csv_columns``.

``steps.sqlite`` (WAL, ``synchronous=FULL``), the source of truth; one
    transaction per trial writes its rows in :data:`TABLES`:
    ``trials`` (variables and the trials.csv row as JSON), ``arrays`` (the
    step arrays as ``.npy`` BLOBs: observation, action, reward, gt, step_time,
    frame_onset, frame_step, ...) and ``events`` (keys and pointer with their
    times and the action they mapped to).

``trials.csv``
    One row per committed trial, columns :func:`csv_columns`: see
    :data:`CSV_COLUMN_DOCS`. Times are seconds since the run's start on the
    runner's clock (for a task session of an experiment: since the experiment's
    start, so onsets increase across its blocks and tasks); ``rt_ms`` is in
    milliseconds and is not rounded to ``dt``.

An experiment folder ``<root>/<experiment>/<participant>_<session>_<timestamp>/``
holds :data:`EXPERIMENT_MANIFEST` (format :data:`EXPERIMENT_FORMAT_NAME`: design,
block order, seeds, plan, display, status, ``resumed_from``, and ``sessions``:
task key -> the ordinary session folder of that task, relative to it), a copy
of the experiment file, a combined ``trials.csv`` and the task sessions.
:func:`neurogym_app.record.reader.session_folders` turns either kind of folder
into the session folders it holds.

Format versions (every older version stays readable and verifiable):

1. the first format.
2. ``practice`` column after ``block`` (0/1; version 1 experiment sessions say
   ``exp_practice``, see :func:`is_practice`); a task session of an experiment
   records its env seed, ``trial_source: "plan"`` (each trial rebuilt from its
   recorded variables, ``trial_seed`` included, so ``verify`` regenerates it),
   ``first_trial`` (a resumed run numbers its trials on from the run it
   resumes) and onsets on the experiment's clock; the PsychoPy columns
   :data:`CSV_PSYCHOPY` (and :data:`CSV_POINTER` for pointer tasks) at the end
   of trials.csv; floats written rounded to their meaning (:func:`round_for_column`).
   Version 1 sessions have none of these columns and read as before.
3. ``trial_parameters`` in the manifest: task attributes changed between trials
   (an experiment's staircase on a task parameter); each trial's row holds the
   value it was drawn with in the column :func:`parameter_column` (``param_<name>``),
   and ``verify`` sets it before regenerating that trial. Absent: nothing changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "SQLITE_NAME",
    "CSV_NAME",
    "TABLES",
    "EXPERIMENT_FORMAT_NAME",
    "EXPERIMENT_FORMAT_VERSION",
    "EXPERIMENT_MANIFEST",
    "CSV_LEAD",
    "CSV_RESPONSE",
    "CSV_FRAMES",
    "CSV_PSYCHOPY",
    "CSV_POINTER",
    "CSV_COLUMN_DOCS",
    "PLAYER_KINDS",
    "Event",
    "TrialRecord",
    "csv_columns",
    "var_column",
    "onset_column",
    "parameter_column",
    "has_pointer",
    "round_for_column",
    "is_practice",
]

FORMAT_NAME = "neurogym-app-session"
FORMAT_VERSION = 3
EXPERIMENT_FORMAT_NAME = "neurogym-app-experiment"
EXPERIMENT_FORMAT_VERSION = 2
EXPERIMENT_MANIFEST = "experiment.json"
MANIFEST_NAME = "manifest.json"
SQLITE_NAME = "steps.sqlite"
CSV_NAME = "trials.csv"
PLAYER_KINDS = ("human", "agent", "simulated")

TABLES = {
    "meta": "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "trials": (
        "CREATE TABLE IF NOT EXISTS trials ("
        " trial INTEGER PRIMARY KEY,"  # 0-based index in the session
        " block INTEGER NOT NULL,"
        " vars TEXT NOT NULL,"  # JSON: what new_trial drew (incl. trial_seed)
        " summary TEXT NOT NULL,"  # JSON: the trials.csv row
        " committed_at REAL NOT NULL)"  # seconds since the session start
    ),
    "arrays": (
        "CREATE TABLE IF NOT EXISTS arrays ("
        " trial INTEGER NOT NULL REFERENCES trials(trial),"
        " name TEXT NOT NULL,"
        " npy BLOB NOT NULL,"
        " PRIMARY KEY (trial, name))"
    ),
    "events": (
        "CREATE TABLE IF NOT EXISTS events ("
        " trial INTEGER NOT NULL REFERENCES trials(trial),"
        " seq INTEGER NOT NULL,"
        " t REAL NOT NULL,"  # seconds since the session start
        " kind TEXT NOT NULL,"  # key / pointer / ...
        " data TEXT NOT NULL,"  # JSON
        " PRIMARY KEY (trial, seq))"
    ),
}

#: the first columns of trials.csv (PsychoPy vocabulary)
CSV_LEAD = ("participant", "session", "block", "practice", "trial", "task", "timing")
#: after the task variables
CSV_RESPONSE = (
    "signed_strength",
    "gt",
    "gt_label",
    "choice",
    "choice_label",
    "response_key",
    "correct",
    "outcome",
    "reward",
    "rt_ms",
    "n_early_responses",
    "n_steps",
    "trial_onset_s",
    "trial_end_s",
)
#: after the period onsets
CSV_FRAMES = ("n_frames", "dropped_frames", "max_frame_interval_ms", "other_vars")
#: last: the names a PsychoPy analysis script reads for a keyboard response (format version 2)
CSV_PSYCHOPY = (
    "date",
    "expName",
    "frameRate",
    "trials.thisN",
    "trials.thisTrialN",
    "key_resp.keys",
    "key_resp.rt",
    "key_resp.corr",
)
#: after CSV_PSYCHOPY, in sessions of tasks that take pointer responses
CSV_POINTER = ("mouse.x", "mouse.y", "mouse.time")

CSV_COLUMN_DOCS = {
    "participant": "participant id (sanitised)",
    "session": "session number",
    "block": "block number (1 for a plain session; an experiment's practice blocks are 0)",
    "practice": "1 for a practice trial (compare and export leave these out unless --include-practice), else 0",
    "trial": "trial index in the session, from 0 (a resumed task session continues the numbers of the run it resumes)",
    "task": "task id",
    "timing": "timing preset that ran (human / default / custom)",
    "<task variable>": "one column per variable new_trial drew for the first trial (incl. trial_seed); "
    "a name that clashes with a fixed column is prefixed 'var_'",
    "signed_strength": "the task's signed stimulus strength (empty if it defines none)",
    "gt": "the correct response action (first non-fixation ground truth; the fixation action if none)",
    "gt_label": "its name from the key map",
    "choice": "the response action given at or after the rt_from period (empty: none)",
    "choice_label": "its name",
    "response_key": "the key (or 'pointer') that gave it",
    "correct": "1 if the task scored the trial as performed (performance == 1), else 0",
    "outcome": "correct / wrong / too_early / too_late",
    "reward": "sum of the trial's rewards",
    "rt_ms": "response time minus the onset of the rt_from period's first frame (ms, not rounded to dt)",
    "n_early_responses": "responses before the rt_from period",
    "n_steps": "task steps the trial lasted",
    "trial_onset_s": "onset of the trial's first frame (s since session start)",
    "trial_end_s": "time of the step boundary that ended the trial",
    "onset_<period>_s": "onset of the first frame of each period of the first trial (empty if never shown)",
    "n_frames": "frames presented during the trial",
    "dropped_frames": "frame intervals longer than 1.5x the display's refresh period",
    "max_frame_interval_ms": "longest frame interval in the trial",
    "other_vars": "JSON of trial variables that have no column (tasks whose variables differ between trials)",
    "date": "PsychoPy: the session's start, local time, as YYYY-MM-DD_HHhMM.SS.mmm",
    "expName": "PsychoPy: the experiment name (experiment files) or the task id",
    "frameRate": "PsychoPy: the display's refresh rate when the session started (Hz)",
    "trials.thisN": "PsychoPy: trial index in the session, from 0 (same as trial)",
    "trials.thisTrialN": "PsychoPy: trial index in its block, from 0",
    "key_resp.keys": "PsychoPy: the key that gave the response (empty: no key response)",
    "key_resp.rt": "PsychoPy: rt_ms in seconds (empty: no key response)",
    "key_resp.corr": "PsychoPy: 1 if correct, else 0 (same as correct)",
    "mouse.x": "PsychoPy: pointer x of a pointer response, in the task's units (-1 to 1 across the stimulus)",
    "mouse.y": "PsychoPy: pointer y of a pointer response (up is positive)",
    "mouse.time": "PsychoPy: the pointer response's time, rt_ms in seconds",
}

_FIXED = set(CSV_LEAD) | set(CSV_RESPONSE) | set(CSV_FRAMES) | set(CSV_PSYCHOPY) | set(CSV_POINTER)

_SECONDS = {"key_resp.rt", "mouse.time", "onset", "duration", "response_time"}


def round_for_column(value: float, column: str | None = None) -> float:
    """``value`` rounded to what it means in ``column``: ms to 0.001, seconds to 0.000001 (the
    same microsecond), Hz to 0.001, anything else to 12 significant digits (binary noise such as
    ``100.00000000000009`` goes); never ``-0.0``."""
    name = column or ""
    if name.endswith("_ms"):
        out = round(value, 3)
    elif name.endswith("_s") or name in _SECONDS:
        out = round(value, 6)
    elif name == "frameRate":
        out = round(value, 3)
    else:
        out = float(f"{value:.12g}")
    return out + 0.0 if out != 0 else 0.0


def has_pointer(manifest: Mapping[str, Any]) -> bool:
    """True when a session's key map takes pointer responses (its trials.csv has the mouse.* columns)."""
    keymap = manifest.get("key_map") or {}
    return isinstance(keymap, Mapping) and bool(keymap.get("pointer"))


def var_column(name: str) -> str:
    """Column of a task variable (prefixed ``var_`` if it clashes with a fixed column)."""
    return f"var_{name}" if name in _FIXED or name.startswith("onset_") else name


def parameter_column(name: str) -> str:
    """The trials.csv column holding the value of task parameter ``name`` a trial was drawn with."""
    return f"param_{name}"


def onset_column(period: str) -> str:
    return f"onset_{period}_s"


def is_practice(row: Mapping[str, Any]) -> bool:
    """A trials.csv row of a practice trial (``practice``; format 1 experiments: ``exp_practice``)."""
    value = row.get("practice")
    if value in (None, ""):
        value = row.get("exp_practice")
    try:
        return bool(int(value)) if value not in (None, "") else False
    except (TypeError, ValueError):
        return False


def csv_columns(task_vars: Sequence[str], periods: Sequence[str], pointer: bool = False) -> list[str]:
    """The fixed column list of a session's trials.csv (``pointer``: with the mouse.* columns)."""
    cols = list(CSV_LEAD)
    cols += [var_column(v) for v in task_vars]
    cols += list(CSV_RESPONSE)
    cols += [onset_column(p) for p in periods]
    cols += list(CSV_FRAMES)
    cols += list(CSV_PSYCHOPY)
    if pointer:
        cols += list(CSV_POINTER)
    return list(dict.fromkeys(cols))  # first occurrence of each column, in order


@dataclass(frozen=True)
class Event:
    """A timed event of a trial: ``kind`` is ``key`` or ``pointer`` (or another source)."""

    t: float
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class TrialRecord:
    """Everything one trial writes: its variables, its csv row, its arrays and events."""

    index: int
    vars: dict[str, Any]
    summary: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    block: int = 1
    committed_at: float = 0.0
    practice: bool = False
