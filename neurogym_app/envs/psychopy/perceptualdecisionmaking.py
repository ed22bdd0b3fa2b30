"""``neurogym.envs.psychopy.perceptualdecisionmaking`` (upstream's module of ``RandomDotMotion``)."""

from neurogym_app.tasks.psychopy.randomdotmotion import RandomDotMotion

__all__ = ["RandomDotMotion"]
