"""``neurogym.envs.native.dualdelaymatchsample`` (upstream's module path); the code is in ``neurogym_app.tasks.native.dualdelaymatchsample``."""

from neurogym_app.tasks.native.dualdelaymatchsample import DualDelayMatchSample

__all__ = ["DualDelayMatchSample"]
