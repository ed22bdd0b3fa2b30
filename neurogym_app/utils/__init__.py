"""Helpers around the tasks (NeuroGym's ``neurogym.utils``).

At upstream's paths: ``utils.spaces``, ``utils.data`` (``Dataset``),
``utils.scheduler``, ``utils.plotting`` (``plot_env``), ``utils.info``,
``utils.logging`` (``logger``), ``utils.ngym_random`` (``TruncExp``),
``utils.psychometric``, ``utils.tasktools``, ``utils.functions``,
``utils.decorators``. Plotting needs matplotlib (the ``plot`` extra), imported
only when a figure is made; ``info``, ``data`` and the other submodules load
on first use, so ``ngym.utils`` itself stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from neurogym_app.utils import plotting, scheduler, spaces
from neurogym_app.utils.ngym_random import TruncExp
from neurogym_app.utils.plotting import plot_env, run_env
from neurogym_app.utils.psychometric import plot_psychometric
from neurogym_app.utils.scheduler import RandomSchedule, SequentialBlockSchedule, SequentialSchedule

__all__ = [
    "RandomSchedule",
    "SequentialBlockSchedule",
    "SequentialSchedule",
    "TruncExp",
    "plot_env",
    "plot_psychometric",
    "plotting",
    "run_env",
    "scheduler",
    "spaces",
]

_SUBMODULES = ("data", "decorators", "functions", "info", "logging", "ngym_random", "psychometric", "tasktools")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
