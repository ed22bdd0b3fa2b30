"""``neurogym.envs.native.reaching`` (upstream's module path); the code is in ``neurogym_app.tasks.native.reaching``."""

from neurogym_app.tasks.native.reaching import Reaching1D, Reaching1DWithSelfDistraction

__all__ = ["Reaching1D", "Reaching1DWithSelfDistraction"]
