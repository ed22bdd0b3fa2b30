"""``neurogym.envs.native.perceptualdecisionmaking`` (upstream's module path); the code is in ``neurogym_app.tasks.native.perceptualdecisionmaking``."""

from neurogym_app.tasks.native.perceptualdecisionmaking import (
    PerceptualDecisionMaking,
    PerceptualDecisionMakingDelayResponse,
    PulseDecisionMaking,
)

__all__ = ["PerceptualDecisionMaking", "PerceptualDecisionMakingDelayResponse", "PulseDecisionMaking"]
