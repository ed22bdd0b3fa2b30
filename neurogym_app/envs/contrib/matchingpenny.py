"""``neurogym.envs.contrib.matchingpenny`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.matchingpenny``."""

from neurogym_app.tasks.contrib.matchingpenny import MatchingPenny

__all__ = ["MatchingPenny"]
