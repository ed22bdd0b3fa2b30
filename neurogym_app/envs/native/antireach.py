"""``neurogym.envs.native.antireach`` (upstream's module path); the code is in ``neurogym_app.tasks.native.antireach``."""

from neurogym_app.tasks.native.antireach import AntiReach

__all__ = ["AntiReach"]
