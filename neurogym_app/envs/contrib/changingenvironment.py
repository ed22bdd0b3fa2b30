"""``neurogym.envs.contrib.changingenvironment`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.changingenvironment``."""

from neurogym_app.tasks.contrib.changingenvironment import ChangingEnvironment

__all__ = ["ChangingEnvironment"]
