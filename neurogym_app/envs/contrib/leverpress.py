"""``neurogym.envs.contrib.leverpress`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.leverpress``."""

from neurogym_app.tasks.contrib.leverpress import LeverPress, LeverPressWithPoke, LeverPressWithPokeRest, ContextSwitch

__all__ = ["LeverPress", "LeverPressWithPoke", "LeverPressWithPokeRest", "ContextSwitch"]
