"""Helpers around the tasks (NeuroGym's ``ngym.utils``): ``plot_env``, ``run_env``, ``scheduler``.

``plot_env`` needs matplotlib (the ``plot`` extra); it is imported only when a
figure is made, so ``ngym.utils`` itself imports without it.
"""

from __future__ import annotations

from neurogym_app.utils import scheduler
from neurogym_app.utils.plotting import plot_env, run_env

__all__ = ["plot_env", "run_env", "scheduler"]
