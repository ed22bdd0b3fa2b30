"""neurogym_app: NeuroGym-compatible cognitive tasks for networks and people.

``import neurogym_app as ngym`` gives NeuroGym's API (``ngym.make``,
``ngym.register``, ``ngym.all_envs``, ``ngym.TrialEnv``, ``ngym.spaces``,
``ngym.Dataset``, ``ngym.wrappers``, ``ngym.Config`` ...). Heavy parts load on
first use, so importing stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from neurogym_app import tasks as _tasks
from neurogym_app.core import spaces
from neurogym_app.core.registry import (
    TaskImportError,
    TaskParameterError,
    UnknownTaskError,
    all_envs,
    all_tags,
    make,
    register,
    spec,
    task_metadata,
)
from neurogym_app.core.trial_env import OBNOW, BaseEnv, PeriodEnv, TrialEnv, TrialWrapper

__version__ = "0.1.0"

_tasks.register_builtin()

_LAZY = {
    "Config": ("neurogym_app.config", "Config"),
    "Dataset": ("neurogym_app.core.dataset", "Dataset"),
    "wrappers": ("neurogym_app.wrappers", None),
    "utils": ("neurogym_app.utils", None),
    "check_task": ("neurogym_app.core.checks", "check_task"),
    "info": ("neurogym_app.utils.info", None),
    "envs": ("neurogym_app.envs", None),
}

__all__ = [
    "OBNOW",
    "BaseEnv",
    "Config",
    "Dataset",
    "PeriodEnv",
    "TaskImportError",
    "TaskParameterError",
    "TrialEnv",
    "TrialWrapper",
    "UnknownTaskError",
    "all_envs",
    "all_tags",
    "check_task",
    "envs",
    "info",
    "make",
    "register",
    "spaces",
    "spec",
    "task_metadata",
    "utils",
    "wrappers",
    "__version__",
]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'neurogym_app' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
