"""``neurogym.envs.native.readysetgo`` (upstream's module path); the code is in ``neurogym_app.tasks.native.readysetgo``."""

from neurogym_app.tasks.native.readysetgo import ReadySetGo, MotorTiming, OneTwoThreeGo

__all__ = ["ReadySetGo", "MotorTiming", "OneTwoThreeGo"]
