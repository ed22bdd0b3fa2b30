"""NeuroGym's ``neurogym.envs.registration``: ``make``, ``register``, ``all_envs``, ``all_tags`` and the id tables.

The registry itself is ``neurogym_app.core.registry`` (lazy entry points,
one-line errors); this module gives it upstream's names and signatures:

* ``make(id_, **kwargs)`` builds the bare task (``ngym.make``);
* ``register(id_, **kwargs)`` takes Gymnasium's keywords (``entry_point``,
  ``kwargs``) and, as upstream, does nothing when ``id_`` is already
  registered with the same entry point;
* ``all_envs`` lists, as upstream, ``TrialEnv`` tasks only (every one has
  ``new_trial``), one id per task: its latest version. The trial-less contrib
  envs (``LeverPress*``, ``Pneumostomeopening``; upstream registers no
  contrib task at all) are listed by ``ngym.all_envs(contrib=True)``.
  Where a task changed (``AnnubesEnv-v1``, ``ContextSwitch-v1``) the older
  id stays registered, so ``make`` builds it and sessions recorded with it
  verify, but only ``ngym.all_envs`` (every registered id) lists it;
* ``ALL_NATIVE_ENVS``, ``ALL_COLLECTIONS_ENVS``, ``ALL_CONTRIB_ENVS``,
  ``ALL_PSYCHOPY_ENVS``, ``ALL_ENVS`` and ``ALL_EXTENDED_ENVS`` map those ids
  to ``"module:attr"`` entry points, taken when this module is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gymnasium as gym

from neurogym_app.core import registry
from neurogym_app.core.registry import all_tags
from neurogym_app.core.trial_env import TrialEnv

__all__ = [
    "ALL_COLLECTIONS_ENVS",
    "ALL_CONTRIB_ENVS",
    "ALL_ENVS",
    "ALL_EXTENDED_ENVS",
    "ALL_NATIVE_ENVS",
    "ALL_PSYCHOPY_ENVS",
    "all_envs",
    "all_tags",
    "latest_versions",
    "make",
    "register",
]


def _entry_point_text(entry_point: Any) -> str:
    if isinstance(entry_point, str):
        return entry_point
    return f"{getattr(entry_point, '__module__', '?')}:{getattr(entry_point, '__qualname__', repr(entry_point))}"


def _split_version(task_id: str) -> tuple[str, int]:
    name, sep, version = task_id.rpartition("-v")
    return (name, int(version)) if sep and version.isdigit() else (task_id, 0)


def latest_versions(ids: Iterable[str]) -> list[str]:
    """``ids`` without those a higher version of the same task supersedes, sorted."""
    ids = list(ids)
    newest: dict[str, int] = {}
    for task_id in ids:
        name, version = _split_version(task_id)
        newest[name] = max(version, newest.get(name, version))
    return sorted(i for i in ids if _split_version(i)[1] == newest[_split_version(i)[0]])


def all_envs(
    tag: str | None = None, psychopy: bool = False, contrib: bool = False, collections: bool = False
) -> list[str]:
    """Sorted task ids, the latest version of each (upstream's signature: native always, the others on request)."""
    if tag is not None and not isinstance(tag, str):
        raise TypeError(f"all_envs: tag must be a string, got {type(tag).__name__}")
    ids = latest_versions(registry.all_envs(tag=tag, psychopy=psychopy, contrib=contrib, collections=collections))
    return [i for i in ids if _has_trials(i)]


def _has_trials(task_id: str) -> bool:
    """Whether ``task_id`` builds a TrialEnv (a factory that is not a class, or fails to import, counts as one)."""
    try:
        factory = registry.load(task_id)
    except registry.TaskImportError:
        return True  # listed: make() then reports what is wrong
    return not isinstance(factory, type) or issubclass(factory, TrialEnv)


def _table(group: str) -> dict[str, str]:
    current = {i for i in latest_versions(registry.entries()) if _has_trials(i)}
    return {
        task_id: _entry_point_text(entry.entry_point)
        for task_id, entry in sorted(registry.entries().items())
        if entry.group == group and entry.available and task_id in current
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
