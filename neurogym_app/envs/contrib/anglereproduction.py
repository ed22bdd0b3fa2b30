"""``neurogym.envs.contrib.anglereproduction`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.anglereproduction``."""

from neurogym_app.tasks.contrib.anglereproduction import AngleReproduction

__all__ = ["AngleReproduction"]
