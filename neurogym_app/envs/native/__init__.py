"""NeuroGym's ``neurogym.envs.native`` package: one module per upstream module, the tasks live in ``neurogym_app.tasks.native``."""
