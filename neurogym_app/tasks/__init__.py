"""The built-in task catalogue, registered lazily (entry points as strings)."""

from __future__ import annotations

import importlib.util

from neurogym_app.core import registry

_installed = False

PSYCHOPY_NOTE = "needs PsychoPy: run `make psychopy` (or pip install the `psychopy` extra) to use this task"


def _psychopy_available() -> bool:
    try:
        return importlib.util.find_spec("psychopy") is not None
    except (ImportError, ValueError):
        return False


def register_builtin() -> None:
    """Register every built-in id (idempotent). Imports only the entry tables."""
    global _installed
    if _installed:
        return
    _installed = True
    from neurogym_app.tasks import collections, contrib, native, psychopy

    for group, table in (("native", native.ENTRIES), ("collections", collections.ENTRIES), ("contrib", contrib.ENTRIES)):
        for task_id, entry_point in table.items():
            registry.register(task_id, entry_point, group=group, replace=True)
    has_psychopy = _psychopy_available()
    for task_id, entry_point in psychopy.ENTRIES.items():
        registry.register(
            task_id,
            entry_point,
            group="psychopy",
            replace=True,
            available=has_psychopy,
            note=None if has_psychopy else PSYCHOPY_NOTE,
        )
