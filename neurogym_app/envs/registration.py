"""NeuroGym's ``neurogym.envs.registration``: ``make``, ``register``, ``all_envs``, ``all_tags`` and the id tables.

The registry itself is ``neurogym_app.core.registry`` (lazy entry points,
one-line errors); this module gives it upstream's names and signatures:

* ``make(id_, **kwargs)`` builds the bare task (``ngym.make``);
* ``register(id_, **kwargs)`` takes Gymnasium's keywords (``entry_point``,
  ``kwargs``) and, as upstream, does nothing when ``id_`` is already
  registered with the same entry point;
* ``ALL_NATIVE_ENVS``, ``ALL_COLLECTIONS_ENVS``, ``ALL_CONTRIB_ENVS``,
  ``ALL_PSYCHOPY_ENVS``, ``ALL_ENVS`` and ``ALL_EXTENDED_ENVS`` map ids to
  ``"module:attr"`` entry points, taken when this module is imported.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from neurogym_app.core import registry
from neurogym_app.core.registry import all_envs, all_tags

__all__ = [
    "ALL_COLLECTIONS_ENVS",
    "ALL_CONTRIB_ENVS",
    "ALL_ENVS",
    "ALL_EXTENDED_ENVS",
    "ALL_NATIVE_ENVS",
    "ALL_PSYCHOPY_ENVS",
    "all_envs",
    "all_tags",
    "make",
    "register",
]


def _entry_point_text(entry_point: Any) -> str:
    if isinstance(entry_point, str):
        return entry_point
    return f"{getattr(entry_point, '__module__', '?')}:{getattr(entry_point, '__qualname__', repr(entry_point))}"


def _table(group: str) -> dict[str, str]:
    return {
        task_id: _entry_point_text(entry.entry_point)
        for task_id, entry in sorted(registry.entries().items())
        if entry.group == group and entry.available
    }


ALL_NATIVE_ENVS = _table("native")
ALL_COLLECTIONS_ENVS = _table("collections")
ALL_CONTRIB_ENVS = _table("contrib")
ALL_PSYCHOPY_ENVS = _table("psychopy")
ALL_ENVS = {**ALL_NATIVE_ENVS, **ALL_PSYCHOPY_ENVS, **ALL_CONTRIB_ENVS}
ALL_EXTENDED_ENVS = {**ALL_ENVS, **ALL_COLLECTIONS_ENVS}


def make(id_: str, **kwargs: Any) -> gym.Env:
    """Build task ``id_`` with the given parameters and no wrappers (same as ``ngym.make``)."""
    return registry.make(id_, **kwargs)


def register(id_: str, **kwargs: Any) -> None:
    """Register ``id_`` (upstream's signature: ``entry_point=...``, optional ``kwargs={...}``).

    An id registered already with the same entry point is left as it is; with
    another entry point it is an error naming both (``ValueError``).
    """
    if "entry_point" not in kwargs:
        raise TypeError(f"register({id_!r}): give entry_point='module:Class' (or the class itself)")
    entry_point = kwargs.pop("entry_point")
    env_kwargs = dict(kwargs.pop("kwargs", None) or {})
    existing = registry.entries().get(id_)
    if existing is not None and existing.entry_point == entry_point:
        return
    # Gymnasium's own keywords (max_episode_steps, ...) are not task parameters
    for gym_only in ("max_episode_steps", "reward_threshold", "nondeterministic", "order_enforce", "disable_env_checker"):
        kwargs.pop(gym_only, None)
    registry.register(id_, entry_point, kwargs={**env_kwargs, **kwargs})
