"""JSON for session files: numpy scalars and arrays become plain numbers and lists."""

from __future__ import annotations

import json
import math
from pathlib import PurePath
from typing import Any

import numpy as np

__all__ = ["plain", "dumps"]


def plain(value: Any) -> Any:
    """``value`` with numpy types, tuples and paths made JSON-ready (floats kept exact)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`plain` (NaN/inf allowed, as Python's json reads them back)."""
    return json.dumps(plain(value), **kwargs)


def finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x
