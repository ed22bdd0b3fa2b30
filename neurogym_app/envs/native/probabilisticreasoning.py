"""``neurogym.envs.native.probabilisticreasoning`` (upstream's module path); the code is in ``neurogym_app.tasks.native.probabilisticreasoning``."""

from neurogym_app.tasks.native.probabilisticreasoning import ProbabilisticReasoning

__all__ = ["ProbabilisticReasoning"]
