"""``neurogym.envs.native.bandit`` (upstream's module path); the code is in ``neurogym_app.tasks.native.bandit``."""

from neurogym_app.tasks.native.bandit import Bandit

__all__ = ["Bandit"]
