"""``neurogym.envs.native.detection`` (upstream's module path); the code is in ``neurogym_app.tasks.native.detection``."""

from neurogym_app.tasks.native.detection import Detection

__all__ = ["Detection"]
