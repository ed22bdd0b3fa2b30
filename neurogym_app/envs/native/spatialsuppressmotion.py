"""``neurogym.envs.native.spatialsuppressmotion`` (upstream's module path); the code is in ``neurogym_app.tasks.native.spatialsuppressmotion``."""

from neurogym_app.tasks.native.spatialsuppressmotion import SpatialSuppressMotion

__all__ = ["SpatialSuppressMotion"]
