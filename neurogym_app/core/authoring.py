"""Mistakes in a task definition, told in one line: the file and line of the task's code, and the fix.

A task's mistake surfaces deep in the core or in numpy (``add_ob(0.5,
"stimulus", where="stimuls")`` fails inside the channel look-up). ``one_line``
turns the exception into ``FILE:LINE: message``, where FILE:LINE is the
innermost frame of the task's own code (not of ``neurogym_app.core``, numpy,
Gymnasium or the standard library), and the message is the core's
``TaskDefinitionError`` text (which names the fix) or the exception itself.
"""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import Path

from neurogym_app.errors import UserError

__all__ = ["task_frame", "one_line", "TaskAuthoringError"]

_PACKAGE = Path(__file__).resolve().parent.parent  # neurogym_app: the machinery, never the mistake...
_TASKS = _PACKAGE / "tasks"  # ...but for its built-in tasks, which are task code like a user's
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


class TaskAuthoringError(UserError):
    """A task failed because of its definition; ``str()`` is the one-line report (the CLI prints it)."""


def _is_library(filename: str) -> bool:
    path = Path(filename).resolve()
    if path.is_relative_to(_PACKAGE):
        return not path.is_relative_to(_TASKS) or path == _TASKS / "helpers.py"
    if path.is_relative_to(_STDLIB):
        return True
    parts = path.parts
    return "site-packages" in parts or "dist-packages" in parts or filename.startswith("<")


def task_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of task code in ``exc``'s traceback (None if it arose in library code only)."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if not _is_library(frame.filename):
            return frame
    return None


def _message(exc: BaseException) -> str:
    from neurogym_app.core.trial_env import TaskDefinitionError

    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    if isinstance(exc, TaskDefinitionError):
        return str(text)
    return f"{type(exc).__name__}: {text}"


def one_line(exc: BaseException) -> str | None:
    """``FILE:LINE: message`` for an exception raised by a task's code or its use of the API; None otherwise.

    None means the exception did not come through a task's code (a fault of
    the library itself): it is not the task author's to fix.
    """
    where = getattr(exc, "where", None)  # (file, line) the core named itself (e.g. the _new_trial that returned)
    if where is None:
        frame = task_frame(exc)
        if frame is None:
            return None
        where = (frame.filename, frame.lineno)
    return f"{where[0]}:{where[1]}: {' '.join(_message(exc).split())}"
