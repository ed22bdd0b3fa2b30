"""``neurogym.envs.psychopy.psychopy_env``: the base class of the PsychoPy tasks (upstream's ``PsychopyEnv``)."""

from neurogym_app.tasks.psychopy.base import PsychopyTask

#: upstream's name for the base class
PsychopyEnv = PsychopyTask

__all__ = ["PsychopyEnv", "PsychopyTask"]
