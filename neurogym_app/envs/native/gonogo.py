"""``neurogym.envs.native.gonogo`` (upstream's module path); the code is in ``neurogym_app.tasks.native.gonogo``."""

from neurogym_app.tasks.native.gonogo import GoNogo

__all__ = ["GoNogo"]
