"""``neurogym.envs.native.dawtwostep`` (upstream's module path); the code is in ``neurogym_app.tasks.native.dawtwostep``."""

from neurogym_app.tasks.native.dawtwostep import DawTwoStep

__all__ = ["DawTwoStep"]
