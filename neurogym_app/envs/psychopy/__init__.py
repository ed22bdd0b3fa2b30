"""NeuroGym's ``neurogym.envs.psychopy`` package (pixel-observation tasks; the code is in ``neurogym_app.tasks.psychopy``).

Importing these modules does not import PsychoPy; building a task does.
"""
