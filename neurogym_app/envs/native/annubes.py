"""``neurogym.envs.native.annubes`` (upstream's module path); the code is in ``neurogym_app.tasks.native.annubes``.

``AnnubesEnv`` is NeuroGym's current task (id ``AnnubesEnv-v1``); ``AnnubesEnvV0``
is neurogym-app 0.1's (id ``AnnubesEnv-v0``, kept for recorded sessions).
"""

from neurogym_app.tasks.native.annubes import AnnubesEnv
from neurogym_app.tasks.native.annubes_v0 import AnnubesEnvV0

__all__ = ["AnnubesEnv", "AnnubesEnvV0"]
