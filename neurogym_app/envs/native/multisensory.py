"""``neurogym.envs.native.multisensory`` (upstream's module path); the code is in ``neurogym_app.tasks.native.multisensory``."""

from neurogym_app.tasks.native.multisensory import MultiSensoryIntegration

__all__ = ["MultiSensoryIntegration"]
