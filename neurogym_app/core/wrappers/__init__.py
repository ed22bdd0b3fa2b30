"""Wrappers for NeuroGym tasks (``ngym.wrappers``), one module each.

Trial-level wrappers subclass ``TrialWrapper`` (they change how trials are
drawn and can override ``new_trial``); step-level ones subclass
``ForwardingWrapper``. Both forward unknown attributes to the env they wrap,
so ``env.timing``, ``env.gt`` and ``env.new_trial()`` work through them.
A wrapper put on a task it cannot serve raises ``IncompatibleTaskError``
(a ``TypeError``) naming the wrapper, the task and the reason; a bad
parameter raises ``WrapperParameterError`` (a ``ValueError``).

Every wrapper with random draws uses its own generator, reseeded by
``reset(seed=...)``: one seed fixes the task and its wrappers.
"""

from __future__ import annotations

from neurogym_app.core.wrappers.base import (
    ForwardingWrapper,
    IncompatibleTaskError,
    WrapperParameterError,
    WrapperParameterTypeError,
)
from neurogym_app.core.wrappers.monitor import Monitor
from neurogym_app.core.wrappers.multi_envs import MultiEnvs
from neurogym_app.core.wrappers.noise import Noise
from neurogym_app.core.wrappers.pass_action import PassAction
from neurogym_app.core.wrappers.pass_reward import PassReward
from neurogym_app.core.wrappers.random_ground_truth import RandomGroundTruth
from neurogym_app.core.wrappers.reaction_time import ReactionTime
from neurogym_app.core.wrappers.require_fixation import RequireFixation
from neurogym_app.core.wrappers.schedule_attr import ScheduleAttr
from neurogym_app.core.wrappers.schedule_envs import ScheduleEnvs
from neurogym_app.core.wrappers.side_bias import SideBias
from neurogym_app.core.wrappers.trial_history import TrialHistoryV2

__all__ = [
    "ALL_WRAPPERS",
    "ForwardingWrapper",
    "IncompatibleTaskError",
    "Monitor",
    "MultiEnvs",
    "Noise",
    "PassAction",
    "PassReward",
    "RandomGroundTruth",
    "ReactionTime",
    "RequireFixation",
    "ScheduleAttr",
    "ScheduleEnvs",
    "SideBias",
    "TrialHistoryV2",
    "WrapperParameterError",
    "WrapperParameterTypeError",
    "all_wrappers",
]

#: NeuroGym's wrapper ids -> entry points
ALL_WRAPPERS = {
    f"{cls.__name__}-v0": f"{cls.__module__}:{cls.__name__}"
    for cls in (
        Monitor,
        Noise,
        PassReward,
        PassAction,
        ReactionTime,
        SideBias,
        RandomGroundTruth,
        ScheduleAttr,
        ScheduleEnvs,
        TrialHistoryV2,
        MultiEnvs,
        RequireFixation,
    )
}


def all_wrappers() -> list[str]:
    """Sorted wrapper ids (NeuroGym's ``ngym.wrappers.all_wrappers()``)."""
    return sorted(ALL_WRAPPERS)
