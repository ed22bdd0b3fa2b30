"""``neurogym.utils.info``: print the catalogue, the wrappers, the tags, or one task or wrapper.

Output goes through ``neurogym_app.utils.logging.logger`` (stderr), as upstream.
"""

from __future__ import annotations

import importlib
import inspect

import gymnasium as gym

from neurogym_app.core import registry
from neurogym_app.core.describe import METADATA_DEF_KEYS, env_string
from neurogym_app.core.wrappers import ALL_WRAPPERS, all_wrappers
from neurogym_app.utils.logging import logger

__all__ = ["show_all_tags", "show_all_tasks", "show_all_wrappers", "show_info"]


def show_all_tasks(tag: str | None = None) -> None:
    """List every task id (of ``tag`` only, if given)."""
    logger.info("Available tasks:" if not tag else f"Available tasks with tag {tag!r}:")
    for task_id in registry.all_envs(tag=tag):
        logger.info(task_id)


def show_all_wrappers() -> None:
    """List every wrapper id (``Monitor-v0``, ``SideBias-v0`` ...)."""
    logger.info("Available wrappers:")
    for wrapper_id in all_wrappers():
        logger.info(wrapper_id)


def show_all_tags() -> None:
    """List every tag the tasks use."""
    logger.info("Available tags:")
    for tag in registry.all_tags():
        logger.info(tag)


def show_info(obj_: str | gym.Env) -> None:
    """Describe a task (by id or env) or a wrapper (by id, e.g. ``"SideBias-v0"``)."""
    if isinstance(obj_, gym.Env):
        logger.info("Info for environment:" + env_string(obj_)[3:])
        return
    if not isinstance(obj_, str):
        raise TypeError(f"show_info: expected a task id, a wrapper id or an env, got {type(obj_).__name__}")
    if obj_ in ALL_WRAPPERS:
        _wrapper_info(obj_)
        return
    if obj_ in registry.entries():
        logger.info("Info for environment:" + env_string(registry.make(obj_))[3:])
        return
    raise ValueError(f"show_info: {obj_!r} is neither a task id nor a wrapper id (see show_all_tasks(), show_all_wrappers())")


def _wrapper_info(wrapper_id: str) -> None:
    module_name, _, name = ALL_WRAPPERS[wrapper_id].partition(":")
    cls = getattr(importlib.import_module(module_name), name)
    meta = getattr(cls, "metadata", None)
    meta = meta if isinstance(meta, dict) else {}
    logger.info(f"Info for wrapper: {wrapper_id}")
    description = meta.get("description") or (inspect.getdoc(cls) or "Missing description").split("\n\n")[0]
    logger.info(f"Logic: {' '.join(description.split())}")
    if meta.get("paper_name"):
        link = meta.get("paper_link")
        logger.info(f"Reference paper: [{meta['paper_name']}]({link})" if link else f"Reference paper: {meta['paper_name']}")
    others = [k for k in meta if k not in METADATA_DEF_KEYS and k != "render_modes"]
    if others:
        logger.info("Input parameters:")
        for key in others:
            logger.info(f"{key} : {meta[key]}")
