"""``neurogym.wrappers.block``: the block and schedule wrappers (code in ``neurogym_app.core.wrappers``)."""

from neurogym_app.core.wrappers.multi_envs import MultiEnvs
from neurogym_app.core.wrappers.random_ground_truth import RandomGroundTruth
from neurogym_app.core.wrappers.schedule_attr import ScheduleAttr
from neurogym_app.core.wrappers.schedule_envs import ScheduleEnvs
from neurogym_app.core.wrappers.trial_history import TrialHistoryV2

__all__ = ["MultiEnvs", "RandomGroundTruth", "ScheduleAttr", "ScheduleEnvs", "TrialHistoryV2"]
