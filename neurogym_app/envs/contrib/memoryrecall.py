"""``neurogym.envs.contrib.memoryrecall`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.memoryrecall``."""

from neurogym_app.tasks.contrib.memoryrecall import MemoryRecall

__all__ = ["MemoryRecall"]
