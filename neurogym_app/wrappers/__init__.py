"""NeuroGym's ``neurogym.wrappers`` (``from neurogym_app.wrappers import Monitor, SideBias``).

The wrappers live in ``neurogym_app.core.wrappers``, one module each; this
package gives them upstream's import paths (``wrappers.block``,
``wrappers.monitor``, ``wrappers.side_bias`` ...). ``ngym.wrappers`` is this
package. Every name here is the very class of ``core.wrappers``.
"""

from neurogym_app.core.wrappers import (
    ALL_WRAPPERS,
    ForwardingWrapper,
    IncompatibleTaskError,
    Monitor,
    MultiEnvs,
    Noise,
    PassAction,
    PassReward,
    RandomGroundTruth,
    ReactionTime,
    RequireFixation,
    ScheduleAttr,
    ScheduleEnvs,
    SideBias,
    TrialHistoryV2,
    WrapperParameterError,
    WrapperParameterTypeError,
    all_wrappers,
)

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
