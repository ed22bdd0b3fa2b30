"""``neurogym.envs.native.delaypairedassociation`` (upstream's module path); the code is in ``neurogym_app.tasks.native.delaypairedassociation``."""

from neurogym_app.tasks.native.delaypairedassociation import DelayPairedAssociation

__all__ = ["DelayPairedAssociation"]
