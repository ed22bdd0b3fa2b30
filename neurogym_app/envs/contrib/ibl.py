"""``neurogym.envs.contrib.ibl`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.ibl``."""

from neurogym_app.tasks.contrib.ibl import IBL, IBL_Block

__all__ = ["IBL", "IBL_Block"]
