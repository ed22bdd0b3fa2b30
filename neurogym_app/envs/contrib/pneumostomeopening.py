"""``neurogym.envs.contrib.pneumostomeopening`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.pneumostomeopening``."""

from neurogym_app.tasks.contrib.pneumostomeopening import Pneumostomeopening

__all__ = ["Pneumostomeopening"]
