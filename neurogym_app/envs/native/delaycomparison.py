"""``neurogym.envs.native.delaycomparison`` (upstream's module path); the code is in ``neurogym_app.tasks.native.delaycomparison``."""

from neurogym_app.tasks.native.delaycomparison import DelayComparison

__all__ = ["DelayComparison"]
