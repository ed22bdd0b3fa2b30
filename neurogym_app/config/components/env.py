"""``neurogym.config.components.env`` (the section lives in ``neurogym_app.config.sections``)."""

from neurogym_app.config.sections import EnvConfig

__all__ = ["EnvConfig"]
