"""``neurogym.wrappers.side_bias`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.side_bias``."""

from neurogym_app.core.wrappers.side_bias import SideBias

__all__ = ["SideBias"]
