"""The PsychoPy columns of a trials.csv row (``key_resp.*``, ``trials.*``, ``mouse.*``, ...).

A PsychoPy analysis script reads a keyboard response as ``key_resp.keys``,
``key_resp.rt`` (seconds) and ``key_resp.corr``, the loop position as
``trials.thisN``/``trials.thisTrialN`` and the session as ``participant``,
``session``, ``date``, ``expName``, ``frameRate``; a pointer response as
``mouse.x``/``mouse.y``/``mouse.time``. These cells are derived from the
row's own columns (``rt_ms``, ``response_key``, ``correct``...), so the two
vocabularies never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from neurogym_app.record.schema import Event

__all__ = ["psychopy_cells", "psychopy_date"]


def psychopy_date(iso: Any) -> str | None:
    """``2026-12-07T22:54:58.815+00:00`` -> ``2026-12-07_22h54.58.815`` in local time (PsychoPy's ``date``)."""
    if not isinstance(iso, str):
        return None
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d_%Hh%M.%S.") + f"{when.microsecond // 1000:03d}"


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def psychopy_cells(row: Mapping[str, Any], manifest: Mapping[str, Any], events: Sequence[Event] = ()) -> dict[str, Any]:
    """The PsychoPy cells of one trials.csv row (see module doc)."""
    experiment = manifest.get("experiment") or {}
    task = manifest.get("task") or {}
    display = manifest.get("display") or {}
    rt_ms = _number(row.get("rt_ms"))
    key = row.get("response_key")
    trial = row.get("trial")
    in_block = row.get("exp_trial_in_block")
    out: dict[str, Any] = {
        "date": psychopy_date(manifest.get("start_time")),
        "expName": (experiment.get("name") if isinstance(experiment, Mapping) else None) or task.get("id"),
        "frameRate": _number(display.get("measured_refresh_hz") or display.get("refresh_hz")),
        "trials.thisN": trial,
        "trials.thisTrialN": in_block if in_block is not None else trial,
        "key_resp.corr": row.get("correct"),
    }
    if key is not None and key != "pointer":
        out["key_resp.keys"] = key
        out["key_resp.rt"] = None if rt_ms is None else rt_ms / 1000.0
    elif key == "pointer" and rt_ms is not None:
        out["mouse.time"] = rt_ms / 1000.0
        press = _pointer_response(events, row)
        if press is not None:
            out["mouse.x"], out["mouse.y"] = press
    return out


def _pointer_response(events: Sequence[Event], row: Mapping[str, Any]) -> tuple[float, float] | None:
    """Position of the pointer press that gave the response (the first press mapped to the choice)."""
    name = row.get("choice_label")
    presses = [e for e in events if e.kind == "pointer" and e.data.get("kind") == "press" and "action" in e.data]
    for e in presses:
        if name is None or e.data.get("name") == name:
            x, y = _number(e.data.get("x")), _number(e.data.get("y"))
            if x is not None and y is not None:
                return x, y
    return None
