"""``neurogym.wrappers.pass_reward`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.pass_reward``."""

from neurogym_app.core.wrappers.pass_reward import PassReward

__all__ = ["PassReward"]
