"""RNN agents (PyTorch, imported lazily), policies and the agent player.

Nothing here imports torch at import time; the names below load their module
on first use::

    from neurogym_app.agents import train_agent, load_agent, run_agent, record_policy

* :func:`train_agent` (``agents.train.train``): supervised training on ``ngym.Dataset``;
* :func:`train_rl` (``agents.rl``): PPO / A2C / RecurrentPPO via Stable-Baselines3;
* :class:`Agent`, :func:`evaluate` (``agents.agent``); :func:`load_agent` (``agents.loading``);
* :func:`run_agent`, :func:`record_policy` (``agents.player``): recorded runs
  in the session format people's runs use;
* :class:`PolicyNet`, :class:`ModelSpec`, :func:`build_model` (``agents.models``).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "train_agent": ("neurogym_app.agents.train", "train"),
    "TrainSettings": ("neurogym_app.agents.train", "TrainSettings"),
    "train_rl": ("neurogym_app.agents.rl", "train_rl"),
    "SB3Agent": ("neurogym_app.agents.rl", "SB3Agent"),
    "Agent": ("neurogym_app.agents.agent", "Agent"),
    "AgentStep": ("neurogym_app.agents.agent", "AgentStep"),
    "load_agent": ("neurogym_app.agents.loading", "load_agent"),
    "evaluate": ("neurogym_app.agents.agent", "evaluate"),
    "run_agent": ("neurogym_app.agents.player", "run_agent"),
    "record_policy": ("neurogym_app.agents.player", "record_policy"),
    "PolicyNet": ("neurogym_app.agents.models", "PolicyNet"),
    "ModelSpec": ("neurogym_app.agents.models", "ModelSpec"),
    "build_model": ("neurogym_app.agents.models", "build_model"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'neurogym_app.agents' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
