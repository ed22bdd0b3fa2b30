"""``neurogym.envs.native.reachingdelayresponse`` (upstream's module path); the code is in ``neurogym_app.tasks.native.reachingdelayresponse``."""

from neurogym_app.tasks.native.reachingdelayresponse import ReachingDelayResponse

__all__ = ["ReachingDelayResponse"]
