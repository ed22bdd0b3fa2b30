"""NeuroGym's ``neurogym.envs.contrib`` package: one module per upstream module, the tasks live in ``neurogym_app.tasks.contrib``."""
