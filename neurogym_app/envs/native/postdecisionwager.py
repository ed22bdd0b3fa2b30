"""``neurogym.envs.native.postdecisionwager`` (upstream's module path); the code is in ``neurogym_app.tasks.native.postdecisionwager``."""

from neurogym_app.tasks.native.postdecisionwager import PostDecisionWager

__all__ = ["PostDecisionWager"]
