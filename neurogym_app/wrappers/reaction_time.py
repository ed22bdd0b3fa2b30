"""``neurogym.wrappers.reaction_time`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.reaction_time``."""

from neurogym_app.core.wrappers.reaction_time import ReactionTime

__all__ = ["ReactionTime"]
