"""``neurogym.envs.native.tonedetection`` (upstream's module path); the code is in ``neurogym_app.tasks.native.tonedetection``."""

from neurogym_app.tasks.native.tonedetection import ToneDetection

__all__ = ["ToneDetection"]
