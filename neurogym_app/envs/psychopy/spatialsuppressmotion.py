"""``neurogym.envs.psychopy.spatialsuppressmotion`` (upstream's module path); the code is in ``neurogym_app.tasks.psychopy.spatialsuppressmotion``."""

from neurogym_app.tasks.psychopy.spatialsuppressmotion import SpatialSuppressMotion

__all__ = ["SpatialSuppressMotion"]
