"""Instructions for people: one text per task id, from ``assets/instructions/tasks.toml``.

Each text says what the natural view shows and which keys (or the pointer)
answer; the Yang et al. (2019) tasks share a common paragraph plus a rule
sentence each. A user's task has none unless its ``metadata`` has an
``"instructions"`` string (see docs/CONTRIBUTING-TASKS.md).
"""

from __future__ import annotations

import textwrap
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["INSTRUCTIONS_FILE", "task_instructions", "instruction_table"]

INSTRUCTIONS_FILE = Path(__file__).resolve().parents[2] / "assets" / "instructions" / "tasks.toml"


@lru_cache(maxsize=1)
def instruction_table() -> dict[str, str]:
    """Task id -> instruction text (empty when the assets folder is not there)."""
    if not INSTRUCTIONS_FILE.exists():
        return {}
    try:
        data = tomllib.loads(INSTRUCTIONS_FILE.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{INSTRUCTIONS_FILE}: {exc}; fix the TOML syntax") from exc
    table = {str(k): str(v).strip() for k, v in (data.get("tasks") or {}).items()}
    yang = data.get("yang19") or {}
    common = str(yang.get("common", "")).strip()
    for task_id, rule in (yang.get("rules") or {}).items():
        table[str(task_id)] = f"{common}\n{str(rule).strip()}"
    return {k: _wrap(v) for k, v in table.items()}


def _wrap(text: str, width: int = 72) -> str:
    """Lines of at most ``width`` characters (the instruction screen does not wrap)."""
    return "\n".join(textwrap.fill(line, width) if line.strip() else "" for line in text.splitlines())


def task_instructions(env_or_id: Any) -> str | None:
    """The instructions of a task (an id or an env), or None when it has none."""
    if isinstance(env_or_id, str):
        return instruction_table().get(env_or_id)
    task = getattr(env_or_id, "unwrapped", env_or_id)
    meta = getattr(task, "metadata", None) or {}
    if isinstance(meta.get("instructions"), str):
        return _wrap(str(meta["instructions"]).strip())
    spec = getattr(task, "spec", None) or getattr(env_or_id, "spec", None)
    task_id = getattr(spec, "id", None)
    return instruction_table().get(task_id) if task_id else None
