"""``neurogym.envs.native.delaymatchcategory`` (upstream's module path); the code is in ``neurogym_app.tasks.native.delaymatchcategory``."""

from neurogym_app.tasks.native.delaymatchcategory import DelayMatchCategory

__all__ = ["DelayMatchCategory"]
