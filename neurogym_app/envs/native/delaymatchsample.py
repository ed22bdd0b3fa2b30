"""``neurogym.envs.native.delaymatchsample`` (upstream's module path); the code is in ``neurogym_app.tasks.native.delaymatchsample``."""

from neurogym_app.tasks.native.delaymatchsample import DelayMatchSample, DelayMatchSampleDistractor1D

__all__ = ["DelayMatchSample", "DelayMatchSampleDistractor1D"]
