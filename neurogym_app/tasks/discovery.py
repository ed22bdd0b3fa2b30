"""Register the custom tasks found in a folder of Python modules (``envs/``).

Runs when the CLI or the app starts, never on ``import neurogym_app``. Every
TrialEnv subclass defined in a module becomes ``ClassName-v0``. A module that
fails to import is reported with its file and line (never skipped silently);
an id that clashes with a built-in or another file is an error naming both.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
import types
from pathlib import Path

from neurogym_app.core import registry
from neurogym_app.core.trial_env import BaseEnv, TrialEnv
from neurogym_app.errors import UserError

__all__ = ["discover_envs", "DEFAULT_ENVS_DIR", "last_problems"]

DEFAULT_ENVS_DIR = "envs"
_problems: list[str] = []
_loaded: dict[Path, list[str]] = {}


class TaskIdClashError(UserError):
    """Two task definitions claim the same id."""


def last_problems() -> list[str]:
    """Problems met by the last discovery (modules that failed to import)."""
    return list(_problems)


def _import_failure(path: Path, exc: BaseException) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"{path}:{exc.lineno}: task module failed to import: SyntaxError: {exc.msg}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    line = frames[-1].lineno if frames else 1
    return f"{path}:{line}: task module failed to import: {type(exc).__name__}: {exc}"


def _task_classes(module) -> list[type]:
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ != module.__name__ or not issubclass(obj, BaseEnv) or obj in (BaseEnv, TrialEnv):
            continue
        if obj.__name__.startswith("_") or inspect.isabstract(obj):
            continue
        if issubclass(obj, TrialEnv) and obj._new_trial is TrialEnv._new_trial:
            continue  # a base class for other tasks, not a task
        found.append(obj)
    return found


PARENT_PACKAGE = "neurogym_app_envs"


def _ensure_parent_package(root: Path) -> None:
    # Custom modules live under a synthetic package so their classes pickle
    # (pickle imports the class's module by name).
    package = sys.modules.get(PARENT_PACKAGE)
    if package is None:
        package = types.ModuleType(PARENT_PACKAGE)
        package.__path__ = []
        sys.modules[PARENT_PACKAGE] = package
    if str(root.resolve()) not in package.__path__:
        package.__path__.append(str(root.resolve()))


def discover_envs(folder: str | Path | None = None) -> list[str]:
    """Import every module in ``folder`` and register its tasks; return problems.

    ``folder=None`` uses ``./envs`` when it exists. Raises ``TaskIdClashError``
    when an id is defined twice.
    """
    _problems.clear()
    explicit = folder is not None
    root = Path(folder if folder is not None else DEFAULT_ENVS_DIR)
    if not root.is_dir():
        if explicit:
            raise UserError(f"--envs {root}: no such folder; give a folder of task modules")
        return []
    for path in sorted(root.glob("*.py")):
        if path.name.startswith("_"):
            continue
        resolved = path.resolve()
        if resolved in _loaded:
            continue
        _ensure_parent_package(root)
        module_name = f"{PARENT_PACKAGE}.{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            _problems.append(f"{path}:1: not importable as a Python module")
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # any failure in user code is reported, with its line
            sys.modules.pop(module_name, None)
            _problems.append(_import_failure(path, exc))
            continue
        ids = []
        for cls in _task_classes(module):
            task_id = f"{cls.__name__}-v0"
            existing = registry.entries().get(task_id)
            if existing is not None:
                where = existing.source or f"the built-in task {existing.entry_point}"
                raise TaskIdClashError(
                    f"task id {task_id!r} is defined twice: in {path} and {where}; rename the class in {path.name}"
                )
            registry.register(task_id, cls, group="custom", source=str(path))
            ids.append(task_id)
        _loaded[resolved] = ids
    return last_problems()
