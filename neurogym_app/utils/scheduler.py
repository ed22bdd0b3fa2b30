"""Trial schedules (NeuroGym's ``neurogym.utils.scheduler``), for ScheduleEnvs and ScheduleAttr."""

from neurogym_app.core.wrappers.schedule import (
    BaseSchedule,
    RandomBlockSchedule,
    RandomSchedule,
    SequentialBlockSchedule,
    SequentialSchedule,
)

__all__ = ["BaseSchedule", "RandomBlockSchedule", "RandomSchedule", "SequentialBlockSchedule", "SequentialSchedule"]
