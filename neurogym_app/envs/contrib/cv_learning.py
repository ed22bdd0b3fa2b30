"""``neurogym.envs.contrib.cv_learning`` (upstream's module path); the code is in ``neurogym_app.tasks.contrib.cv_learning``."""

from neurogym_app.tasks.contrib.cv_learning import CVLearning

__all__ = ["CVLearning"]
