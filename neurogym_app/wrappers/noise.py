"""``neurogym.wrappers.noise`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.noise``."""

from neurogym_app.core.wrappers.noise import Noise

__all__ = ["Noise"]
