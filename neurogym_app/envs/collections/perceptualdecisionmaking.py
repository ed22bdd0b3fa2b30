"""``neurogym.envs.collections.perceptualdecisionmaking`` (code in ``neurogym_app.tasks.collections``)."""

from neurogym_app.tasks.collections.perceptualdecisionmaking import ibl20, roitman02

__all__ = ["ibl20", "roitman02"]
