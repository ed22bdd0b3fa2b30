"""``neurogym.envs.native.hierarchicalreasoning`` (upstream's module path); the code is in ``neurogym_app.tasks.native.hierarchicalreasoning``."""

from neurogym_app.tasks.native.hierarchicalreasoning import HierarchicalReasoning

__all__ = ["HierarchicalReasoning"]
