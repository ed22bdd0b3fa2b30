"""The task core: ``TrialEnv``, timing, named spaces, the registry, wrappers, ``Dataset``.

As a package it also answers to NeuroGym's ``neurogym.core`` module names
(``from neurogym_app.core import TrialEnv, TrialWrapper, env_string``).
"""

from neurogym_app.core.describe import METADATA_DEF_KEYS, env_string
from neurogym_app.core.trial_env import OBNOW, BaseEnv, PeriodEnv, TaskDefinitionError, TrialEnv, TrialWrapper

#: NeuroGym's name for the error of a task misusing the period API (e.g. ``add_period`` after ``add_ob``)
InvalidOperationError = TaskDefinitionError

__all__ = [
    "METADATA_DEF_KEYS",
    "OBNOW",
    "BaseEnv",
    "InvalidOperationError",
    "PeriodEnv",
    "TaskDefinitionError",
    "TrialEnv",
    "TrialWrapper",
    "env_string",
]
