"""Write recorded sessions as a BIDS dataset (behavioural data, ``beh/``), or add them to one.

``export_bids(paths, dataset)`` takes run folders, experiment folders or any
folder holding them, and writes::

    dataset_description.json   (once; an existing one is kept)
    README                     (once)
    participants.tsv / .json   (one row per participant, merged with the rows already there)
    sub-<p>/ses-<s>/beh/sub-<p>_ses-<s>_task-<t>_run-<r>_beh.tsv     the trials (trials.csv columns)
    sub-<p>/ses-<s>/beh/sub-<p>_ses-<s>_task-<t>_run-<r>_beh.json    every column described
    sub-<p>/ses-<s>/beh/sub-<p>_ses-<s>_task-<t>_run-<r>_events.tsv  periods, keys, responses, feedback
    sub-<p>/ses-<s>/beh/sub-<p>_ses-<s>_task-<t>_run-<r>_events.json
    sourcedata/neurogym-app/labels.json   original ids -> labels, and which recording became which run

BIDS labels hold letters and digits only, so ids such as ``P_01`` or
``yang19.dm1-v0`` are mapped to labels (``P01``, ``yang19Dm1V0``; a number is
added when two ids would give one label). The mapping is kept in
``labels.json``, in ``participants.tsv`` (``original_id``) and in each
sidecar's ``TaskName``. A recording already in the dataset is skipped; a new
recording of the same participant, session and task becomes the next run.
Files are created exclusively: nothing already in the dataset is overwritten
(``participants.tsv``/``.json`` gain rows and keys, the old ones are kept).

Times are seconds from the recording's start (its clock origin), as in trials.csv.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurogym_app.errors import UserError
from neurogym_app.record import schema
from neurogym_app.record.reader import SessionReader, is_experiment_folder
from neurogym_app.record.reader import session_folders as reader_session_folders
from neurogym_app.record.recorder import format_cell, write_json_atomic

__all__ = ["BIDS_VERSION", "BidsExport", "BidsExportError", "bids_label", "events_rows", "export_bids", "session_folders"]

BIDS_VERSION = "1.10.0"
LABELS_FILE = Path("sourcedata") / "neurogym-app" / "labels.json"
README_HEAD = "neurogym-app behavioural dataset"
_FEEDBACK_OUTCOMES = ("correct", "wrong", "too early", "too late")


class BidsExportError(UserError):
    """Sessions that cannot be exported as asked (no sessions found, a foreign dataset file...)."""


@dataclass
class BidsExport:
    """What one export did: files created, recordings skipped (already in the dataset)."""

    dataset: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ labels
def bids_label(text: Any) -> str:
    """An alphanumeric BIDS label for an id: ``P_01`` -> ``P01``, ``yang19.dm1-v0`` -> ``yang19Dm1V0``.

    Non-ASCII letters lose their accents; a removed separator capitalises the next letter.
    """
    raw = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", raw) if p]
    if not parts:
        return "x"
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _assign(mapping: dict[str, str], original: str) -> str:
    """The label of ``original`` in ``mapping`` (original -> label), adding a new unique one."""
    if original in mapping:
        return mapping[original]
    base = bids_label(original)
    taken = set(mapping.values())
    label, n = base, 2
    while label in taken:
        label, n = f"{base}{n}", n + 1
    mapping[original] = label
    return label


# ------------------------------------------------------------------ sessions
def session_folders(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The run folders in ``paths``: a run folder, an experiment folder (its task sessions, as
    :func:`neurogym_app.record.reader.session_folders` lists them) or a folder holding either."""
    found: list[Path] = []
    for given in paths:
        p = Path(given)
        if not p.exists():
            raise BidsExportError(f"no such session folder: {p} (give a run folder, an experiment folder or a folder holding them)")
        if p.is_file() or (p / schema.MANIFEST_NAME).is_file() or is_experiment_folder(p):
            found.extend(reader_session_folders(p))  # a damaged or foreign folder: one line naming it
            continue
        inner = sorted(m.parent for m in p.rglob(schema.MANIFEST_NAME) if _is_session(m))
        if not inner:
            reader_session_folders(p)  # raises: "<p> is not a neurogym-app session folder (no manifest.json)"
            raise BidsExportError(f"{p} holds no neurogym-app session (no run folder with {schema.MANIFEST_NAME})")
        found.extend(inner)
    unique: dict[Path, Path] = {}
    for f in found:
        unique.setdefault(f.resolve(), f)  # each folder once, where it was first named
    return list(unique.values())


def _is_session(manifest: Path) -> bool:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == schema.FORMAT_NAME


def _recording_key(manifest: Mapping[str, Any], folder: Path) -> str:
    task = manifest.get("task") or {}
    return "|".join(str(x) for x in (manifest.get("participant"), manifest.get("session"), task.get("id"), manifest.get("start_time"), folder.name))


# ------------------------------------------------------------------ cells and columns
def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _tsv_cell(value: Any, column: str | None = None) -> str:
    text = format_cell(value, column)
    return "n/a" if text == "" else text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _units(column: str) -> str | None:
    if column.endswith("_ms"):
        return "ms"
    if column.endswith("_s") or column in ("key_resp.rt", "mouse.time", "onset", "duration", "response_time"):
        return "s"
    if column == "frameRate":
        return "Hz"
    return None


def _column_doc(column: str, manifest: Mapping[str, Any]) -> dict[str, Any]:
    task = manifest.get("task") or {}
    docs = schema.CSV_COLUMN_DOCS
    if column in docs:
        text = docs[column]
    elif column.startswith("onset_") and column.endswith("_s"):
        text = f"onset of the first frame of period '{column[6:-2]}' (n/a if not shown)"
    elif column.startswith("var_") or column in (task.get("condition_vars") or []) or column == "trial_seed":
        text = f"trial variable '{column.removeprefix('var_')}' of {task.get('id')} (what new_trial drew)"
    else:
        text = f"trial variable or task column '{column}' of {task.get('id')}"
    out: dict[str, Any] = {"Description": text}
    unit = _units(column)
    if unit:
        out["Units"] = unit
    levels = _levels(column, manifest)
    if levels:
        out["Levels"] = levels
    return out


def _action_levels(manifest: Mapping[str, Any]) -> dict[str, str]:
    keymap = manifest.get("key_map") or {}
    out = {}
    if keymap.get("fixate") is not None and not isinstance(keymap.get("fixate"), list):
        out[str(keymap["fixate"])] = "fixate (no response)"
    for a in keymap.get("actions") or []:
        if isinstance(a, Mapping) and isinstance(a.get("action"), int):
            out[str(a["action"])] = str(a.get("name"))
    return out


def _levels(column: str, manifest: Mapping[str, Any]) -> dict[str, str] | None:
    if column in ("correct", "key_resp.corr"):
        return {"0": "incorrect", "1": "correct"}
    if column in ("practice", "exp_practice"):
        return {"0": "main block", "1": "practice block"}
    if column == "outcome":
        return {o: o for o in _FEEDBACK_OUTCOMES}
    if column in ("gt", "choice"):
        return _action_levels(manifest) or None
    return None


# ------------------------------------------------------------------ events
EVENT_COLUMNS = ["onset", "duration", "trial_type", "block", "trial", "value", "action", "response_time", "correct"]


def events_rows(reader: SessionReader, include_practice: bool = False) -> list[dict[str, Any]]:
    """One row per shown period, key or pointer event, scored response and feedback screen, by onset
    (practice trials left out unless ``include_practice``)."""
    m = reader.manifest
    task = m.get("task") or {}
    flow = m.get("flow") or {}
    feedback_s = _num(flow.get("feedback_ms")) if flow.get("feedback") else None
    rt_from = task.get("rt_from")
    rows: list[dict[str, Any]] = []
    for data in reader:
        row = data.row
        if not include_practice and schema.is_practice(row):
            continue
        trial, block = row.get("trial", data.index), row.get("block", data.block)
        periods = sorted(
            ((c[6:-2], t) for c, v in row.items() if c.startswith("onset_") and c.endswith("_s") and (t := _num(v)) is not None),
            key=lambda pt: pt[1],
        )
        end = _num(row.get("trial_end_s"))
        for i, (period, onset) in enumerate(periods):
            nxt = periods[i + 1][1] if i + 1 < len(periods) else end
            rows.append({"onset": onset, "duration": None if nxt is None else max(0.0, nxt - onset), "trial_type": period, "block": block, "trial": trial})
        for ev in data.events:
            what = str(ev.data.get("kind") or "press")
            rows.append(
                {
                    "onset": ev.t,
                    "duration": 0.0,
                    "trial_type": f"{ev.kind}_{what}",
                    "block": block,
                    "trial": trial,
                    "value": ev.data.get("key") if ev.kind == "key" else _pointer_value(ev.data),
                    "action": ev.data.get("name"),
                }
            )
        rt = _num(row.get("rt_ms"))
        ref = _num(row.get(schema.onset_column(rt_from))) if rt_from else _num(row.get("trial_onset_s"))
        if rt is not None and ref is not None:
            rows.append(
                {
                    "onset": ref + rt / 1000.0,
                    "duration": 0.0,
                    "trial_type": "response",
                    "block": block,
                    "trial": trial,
                    "value": row.get("response_key"),
                    "action": row.get("choice_label"),
                    "response_time": rt / 1000.0,
                    "correct": row.get("correct"),
                }
            )
        if feedback_s is not None and end is not None:
            rows.append(
                {
                    "onset": end,
                    "duration": feedback_s / 1000.0,
                    "trial_type": "feedback",
                    "block": block,
                    "trial": trial,
                    "value": row.get("outcome"),
                    "correct": row.get("correct"),
                }
            )
    order = {"response": 1, "feedback": 2}
    rows.sort(key=lambda r: (r["onset"], r["trial"] if isinstance(r["trial"], int) else -1, order.get(r["trial_type"], 0)))
    return rows


def _pointer_value(data: Mapping[str, Any]) -> str | None:
    x, y = _num(data.get("x")), _num(data.get("y"))
    return None if x is None or y is None else f"{x:.4g},{y:.4g}"


def _events_sidecar(manifest: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    task = manifest.get("task") or {}
    kinds = sorted({str(r["trial_type"]) for r in rows})
    periods = [k for k in kinds if k not in ("response", "feedback") and not re.match(r"^(key|pointer)_", k)]
    levels = {p: f"task period '{p}' (onset: its first frame; duration: until the next period or the trial's end)" for p in periods}
    for k in kinds:
        if k.startswith(("key_", "pointer_")):
            levels[k] = f"a {k.replace('_', ' ')} event (value: the key, or pointer x,y in the task's units)"
    levels["response"] = "the scored response (onset = period onset + response time)"
    levels["feedback"] = "feedback screen (onset: the trial's end; its first frame follows within one frame)"
    out: dict[str, Any] = {
        "TaskName": task.get("id"),
        "onset": {"Description": "time from the recording's start (frame onset for periods, event time stamp for keys)", "Units": "s"},
        "duration": {"Description": "how long the period or screen lasted (0 for instantaneous events)", "Units": "s"},
        "trial_type": {"Description": "what happened", "Levels": levels},
        "block": {"Description": "block number (experiment files: practice is block 0)"},
        "trial": {"Description": "trial index in the recording, from 0 (the trial column of the _beh.tsv)"},
        "value": {"Description": "key name, pointer position, or the trial's outcome for feedback"},
        "action": {"Description": "the action name the key or pointer mapped to", "Levels": {v: v for v in _action_levels(manifest).values()} or None},
        "response_time": {"Description": f"response minus the onset of the '{rt_from_of(manifest)}' period's first frame", "Units": "s"},
        "correct": {"Description": "1 if the task scored the trial correct", "Levels": {"0": "incorrect", "1": "correct"}},
    }
    if out["action"]["Levels"] is None:
        del out["action"]["Levels"]
    out["StimulusPresentation"] = _presentation(manifest)
    return out


def rt_from_of(manifest: Mapping[str, Any]) -> str:
    return str((manifest.get("task") or {}).get("rt_from") or "trial")


def _presentation(manifest: Mapping[str, Any]) -> dict[str, Any]:
    app = manifest.get("app") or {}
    display = manifest.get("display") or {}
    out = {
        "SoftwareName": "neurogym-app",
        "SoftwareVersion": str(app.get("version") or ""),
        "Code": "https://github.com/neurogym/neurogym",
    }
    if display.get("backend"):
        out["SoftwareName"] = f"neurogym-app ({display['backend']} display)"
    return {k: v for k, v in out.items() if v not in (None, "")}


def _beh_sidecar(manifest: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    task = manifest.get("task") or {}
    player = manifest.get("player") or {}
    out: dict[str, Any] = {"TaskName": task.get("id")}
    description = f"{task.get('id')} played by a {player.get('kind', 'human')} player"
    if player.get("strategy"):
        description += f" (simulated strategy: {player['strategy']})"
    out["TaskDescription"] = description + f"; timing preset {task.get('timing_preset')}, dt {task.get('dt')} ms."
    for c in columns:
        out[c] = _column_doc(c, manifest)
    out["StimulusPresentation"] = _presentation(manifest)
    return out


# ------------------------------------------------------------------ dataset files
def _write_new(path: Path, text: str) -> Path:
    """Create ``path`` with ``text``; never replaces a file (``FileExistsError`` if one is there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    return path


def _tsv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    lines = ["\t".join(columns)]
    lines += ["\t".join(_tsv_cell(r.get(c), c) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def _read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        return [], []
    header = lines[0].split("\t")
    return header, [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BidsExportError(f"{path}: cannot read the dataset's {what} ({' '.join(str(exc).split())[:80]}); fix or remove it") from None
    if not isinstance(data, dict):
        raise BidsExportError(f"{path}: the dataset's {what} is not a JSON object; fix or remove it")
    return data


def _dataset_description(dataset: Path, result: BidsExport, app_version: str) -> None:
    path = dataset / "dataset_description.json"
    if path.exists():
        _read_json(path, "dataset_description.json")
        return
    desc = {
        "Name": "neurogym-app sessions",
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "raw",
        "GeneratedBy": [
            {"Name": "neurogym-app", "Version": app_version, "Description": "export --format bids", "CodeURL": "https://github.com/neurogym/neurogym"}
        ],
    }
    result.written.append(_write_new(path, json.dumps(desc, indent=2) + "\n"))


def _readme(dataset: Path, result: BidsExport) -> None:
    path = dataset / "README"
    if path.exists() or any(dataset.glob("README.*")):
        return
    text = f"""{README_HEAD}

Behavioural recordings of cognitive-neuroscience tasks (NeuroGym task
catalogue) made with neurogym-app, by human, simulated or network players.

Each recording is one run: sub-<participant>/ses-<session>/beh/
  *_beh.tsv     one row per trial (the session's trials.csv, PsychoPy column names included)
  *_events.tsv  task periods (first-frame onsets), key and pointer events, the scored
                response and feedback screens, in seconds from the recording's start
Every column is described in the JSON sidecar next to its file.

Participant and task ids that BIDS labels cannot hold were mapped to letters and
digits: participants.tsv (original_id), the sidecars' TaskName and
{LABELS_FILE.as_posix()} (with the source folder of every run) keep the mapping.
"""
    result.written.append(_write_new(path, text))


def _participants(dataset: Path, new: Mapping[str, Mapping[str, Any]], result: BidsExport) -> None:
    """Merge ``new`` (label -> columns) into participants.tsv/.json, keeping every row and key already there."""
    tsv = dataset / "participants.tsv"
    header, rows = _read_tsv(tsv) if tsv.exists() else (["participant_id"], [])
    if header[:1] != ["participant_id"]:
        raise BidsExportError(f"{tsv}: its first column is not participant_id; fix or remove it")
    by_id = {r["participant_id"]: r for r in rows}
    changed = False
    for label, cols in new.items():
        pid = f"sub-{label}"
        row = by_id.get(pid)
        if row is None:
            row = {"participant_id": pid}
            rows.append(row)
            by_id[pid] = row
            changed = True
        for k, v in cols.items():
            if k not in header:
                header.append(k)
                changed = True
            if row.get(k) in (None, "", "n/a") and v not in (None, ""):
                row[k] = _tsv_cell(v)
                changed = True
    if changed or not tsv.exists():
        rows.sort(key=lambda r: r["participant_id"])
        _replace(tsv, _tsv(header, rows))
        result.written.append(tsv)
    side = dataset / "participants.json"
    meta = _read_json(side, "participants.json") if side.exists() else {}
    docs = {
        "participant_id": {"Description": "BIDS label of the participant"},
        "original_id": {"Description": "the participant id as recorded by neurogym-app (labels hold letters and digits only)"},
        "player_kind": {"Description": "who played", "Levels": {"human": "a person", "simulated": "a simulated participant", "agent": "a trained network"}},
    }
    for k in header:
        if k not in meta:
            meta[k] = docs.get(k, {"Description": f"participant dialog field '{k}' of the experiment"})
    _replace(side, json.dumps(meta, indent=2) + "\n")
    if side not in result.written:
        result.written.append(side)


def _replace(path: Path, text: str) -> None:
    """Rewrite a dataset-wide table atomically (used only for files that merge rows/keys)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ------------------------------------------------------------------ export
def export_bids(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str], dataset: str | os.PathLike[str], include_practice: bool = False
) -> BidsExport:
    """Write (or add to) the BIDS dataset ``dataset`` from the sessions in ``paths`` (see module doc).

    Practice trials (the ``practice`` column) are left out unless ``include_practice``.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    folders = session_folders(paths)
    for folder in folders:  # every session readable before anything is written (a damaged one: one line)
        SessionReader(folder).close()
    root = Path(dataset)
    if root.exists() and not root.is_dir():
        raise BidsExportError(f"cannot write the export to {root}: it is a file; give a folder for the BIDS dataset")
    if root.is_dir() and any(root.iterdir()) and not (root / "dataset_description.json").exists():
        raise BidsExportError(f"{root} is not empty and not a BIDS dataset (no dataset_description.json); give a new or BIDS folder")
    root.mkdir(parents=True, exist_ok=True)
    labels_path = root / LABELS_FILE
    labels = _read_json(labels_path, LABELS_FILE.as_posix()) if labels_path.exists() else {}
    participants: dict[str, str] = dict(labels.get("participants") or {})
    tasks: dict[str, str] = dict(labels.get("tasks") or {})
    runs: dict[str, dict[str, Any]] = dict(labels.get("runs") or {})
    result = BidsExport(root)
    new_participants: dict[str, dict[str, Any]] = {}
    app_version = ""
    for folder in folders:
        with SessionReader(folder) as reader:
            m = reader.manifest
            app_version = app_version or str((m.get("app") or {}).get("version") or "")
            key = _recording_key(m, folder)
            if key in runs:
                result.skipped.append((folder, runs[key]["stem"]))
                continue
            original = str(m.get("participant") or (m.get("player") or {}).get("id") or "anon")
            sub = _assign(participants, original)
            ses = bids_label(m.get("session") or 1)
            task_id = str((m.get("task") or {}).get("id") or "task")
            task = _assign(tasks, task_id)
            beh = root / f"sub-{sub}" / f"ses-{ses}" / "beh"
            stem_base = f"sub-{sub}_ses-{ses}_task-{task}"
            run = 1 + max((int(p.group(1)) for f in beh.glob(f"{stem_base}_run-*_beh.tsv") if (p := re.search(r"_run-(\d+)_beh\.tsv$", f.name))), default=0)
            stem = f"{stem_base}_run-{run}"
            columns = reader.columns or sorted({k for r in reader.rows() for k in r})
            trials = reader.rows(include_practice=include_practice)
            events = events_rows(reader, include_practice)
            result.written.append(_write_new(beh / f"{stem}_beh.tsv", _tsv(columns, trials)))
            result.written.append(_write_new(beh / f"{stem}_beh.json", json.dumps(_beh_sidecar(m, columns), indent=2) + "\n"))
            result.written.append(_write_new(beh / f"{stem}_events.tsv", _tsv(EVENT_COLUMNS, events)))
            result.written.append(_write_new(beh / f"{stem}_events.json", json.dumps(_events_sidecar(m, events), indent=2) + "\n"))
            runs[key] = {"stem": f"sub-{sub}/ses-{ses}/beh/{stem}", "source": str(folder.resolve()), "participant": original, "task": task_id}
            result.runs.append(runs[key]["stem"])
            cols = new_participants.setdefault(sub, {"original_id": original, "player_kind": (m.get("player") or {}).get("kind")})
            for name, value in ((m.get("participant_info") or {}).get("fields") or {}).items():
                cols.setdefault(str(name), value)
    _dataset_description(root, result, app_version)
    _readme(root, result)
    if new_participants or not (root / "participants.tsv").exists():
        _participants(root, new_participants, result)
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(labels_path, {"participants": participants, "tasks": tasks, "runs": runs})
    result.written.append(labels_path)
    return result
