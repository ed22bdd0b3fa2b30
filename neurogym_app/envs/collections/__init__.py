"""Collections of tasks (NeuroGym's ``neurogym.envs.collections``): ``get_collection(name)``.

A collection is a list of task ids, ``"<collection>.<task>-v0"``, in the order
the collection defines them (Yang et al. 2019 in its paper's order).
"""

from __future__ import annotations

from neurogym_app.core import registry

__all__ = ["get_collection", "collection_names"]


def collection_names() -> list[str]:
    """Names of the registered collections (``"yang19"``, ``"perceptualdecisionmaking"``)."""
    names = {task_id.split(".", 1)[0] for task_id, entry in registry.entries().items() if entry.group == "collections"}
    return sorted(names)


def get_collection(collection: str) -> list[str]:
    """The task ids of ``collection``; an empty name gives ``[]``, an unknown one a ``ValueError``."""
    if not collection:
        return []
    prefix = f"{collection}."
    ids = [
        task_id
        for task_id, entry in registry.entries().items()
        if entry.group == "collections" and task_id.startswith(prefix)
    ]
    if not ids:
        known = ", ".join(collection_names())
        raise ValueError(f"unknown collection of tasks {collection!r}; known collections: {known}")
    return ids
