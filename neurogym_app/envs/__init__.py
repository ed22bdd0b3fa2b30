"""NeuroGym's ``neurogym.envs``: the task catalogue at upstream's module paths.

``neurogym_app.envs.native.<module>``, ``.contrib.<module>``,
``.collections.<module>`` and ``.psychopy.<module>`` name the same modules
as upstream and give the same classes; the task code itself lives in
``neurogym_app.tasks`` (one definition per task). ``registration`` holds
``make``/``register``/``all_envs``/``all_tags`` and the id tables.
"""

from neurogym_app.envs.collections import get_collection

__all__ = ["get_collection"]
