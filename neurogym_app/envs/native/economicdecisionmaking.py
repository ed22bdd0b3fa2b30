"""``neurogym.envs.native.economicdecisionmaking`` (upstream's module path); the code is in ``neurogym_app.tasks.native.economicdecisionmaking``."""

from neurogym_app.tasks.native.economicdecisionmaking import EconomicDecisionMaking

__all__ = ["EconomicDecisionMaking"]
