"""``neurogym.envs.native.annubes`` (upstream's module path); the code is in ``neurogym_app.tasks.native.annubes``."""

from neurogym_app.tasks.native.annubes import AnnubesEnv

__all__ = ["AnnubesEnv"]
