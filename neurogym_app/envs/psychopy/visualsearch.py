"""``neurogym.envs.psychopy.visualsearch`` (upstream's module path); the code is in ``neurogym_app.tasks.psychopy.visualsearch``."""

from neurogym_app.tasks.psychopy.visualsearch import VisualSearch

__all__ = ["VisualSearch"]
