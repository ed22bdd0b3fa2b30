"""``neurogym.envs.native.null`` (upstream's module path); the code is in ``neurogym_app.tasks.native.null``."""

from neurogym_app.tasks.native.null import Null

__all__ = ["Null"]
