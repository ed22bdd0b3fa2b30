"""``neurogym.wrappers.monitor`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.monitor``."""

from neurogym_app.core.wrappers.monitor import Monitor

__all__ = ["Monitor"]
