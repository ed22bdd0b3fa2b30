"""``neurogym.wrappers.pass_action`` (upstream's module path); the code is in ``neurogym_app.core.wrappers.pass_action``."""

from neurogym_app.core.wrappers.pass_action import PassAction

__all__ = ["PassAction"]
