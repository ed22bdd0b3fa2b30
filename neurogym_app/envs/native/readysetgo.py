"""``neurogym.envs.native.readysetgo`` (upstream's module path); the code is in ``neurogym_app.tasks.native.readysetgo``."""

from neurogym_app.tasks.native.readysetgo import MotorTiming, OneTwoThreeGo, ReadySetGo

__all__ = ["ReadySetGo", "MotorTiming", "OneTwoThreeGo"]
