"""``neurogym.envs.native.contextdecisionmaking`` (upstream's module path); the code is in ``neurogym_app.tasks.native.contextdecisionmaking``."""

from neurogym_app.tasks.native.contextdecisionmaking import ContextDecisionMaking

__all__ = ["ContextDecisionMaking"]
