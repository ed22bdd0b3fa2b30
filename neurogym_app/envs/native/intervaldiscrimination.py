"""``neurogym.envs.native.intervaldiscrimination`` (upstream's module path); the code is in ``neurogym_app.tasks.native.intervaldiscrimination``."""

from neurogym_app.tasks.native.intervaldiscrimination import IntervalDiscrimination

__all__ = ["IntervalDiscrimination"]
