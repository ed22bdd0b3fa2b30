"""``neurogym.envs.contrib.leverpress`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.leverpress``."""

from neurogym_app.tasks.contrib.leverpress import (
    ContextSwitch,
    ContextSwitchV0,
    FullInput,
    LeverPress,
    LeverPressWithPoke,
    LeverPressWithPokeRest,
)

__all__ = ["LeverPress", "LeverPressWithPoke", "LeverPressWithPokeRest", "ContextSwitch", "ContextSwitchV0", "FullInput"]
