"""Load a trained agent of either kind: an RNN (:mod:`~neurogym_app.agents.agent`) or an SB3 model (:mod:`~neurogym_app.agents.rl`).

Its own module so that ``agent`` and ``rl`` do not import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neurogym_app.agents.agent import Agent, read_agent_spec, resolve_agent_folder

__all__ = ["load_agent"]


def load_agent(where: str | Path) -> Any:
    """The agent in ``where`` (a folder, or a name under ``sessions/agents/``): RNN or SB3."""
    folder = resolve_agent_folder(where)
    spec = read_agent_spec(folder)
    if spec.get("kind", "rnn") == "sb3":
        from neurogym_app.agents.rl import SB3Agent

        return SB3Agent.load(folder)
    return Agent.load(folder)
