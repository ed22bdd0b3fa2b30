"""``neurogym.utils.spaces``: Gymnasium spaces with named parts (the code is in ``neurogym_app.core.spaces``)."""

from neurogym_app.core.spaces import Box, Discrete, MultiDiscrete

__all__ = ["Box", "Discrete", "MultiDiscrete"]
