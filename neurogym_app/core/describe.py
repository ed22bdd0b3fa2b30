"""A full, JSON-ready description of a task: metadata, spaces, timing, rewards."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core import registry
from neurogym_app.core.timing import describe_spec
from neurogym_app.core.trial_env import TrialEnv

__all__ = ["describe_task", "jsonable", "space_summary"]


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays, tuples and infinities made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan")
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if callable(value):
        return getattr(value, "__name__", "callable")
    return value


def space_summary(space: gym.Space) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(space).__name__}
    if isinstance(space, gym.spaces.Discrete):
        out["n"] = int(space.n)
    elif isinstance(space, gym.spaces.Box):
        out["shape"] = list(space.shape)
        out["low"] = jsonable(np.unique(space.low).tolist()[:4])
        out["high"] = jsonable(np.unique(space.high).tolist()[:4])
    elif getattr(space, "shape", None) is not None:
        out["shape"] = list(space.shape or ())
    names = getattr(space, "name", None)
    if names:
        out["names"] = jsonable(names)
    return out


def describe_task(task_id: str, **kwargs: Any) -> dict[str, Any]:
    """Everything `neurogym-app info` and the task browser show about a task."""
    entry = registry.spec(task_id)
    info: dict[str, Any] = {"id": entry.id, "group": entry.group, "available": entry.available}
    if not entry.available:
        info["note"] = entry.note
        return info
    meta = registry.task_metadata(task_id)
    info.update({k: v for k, v in meta.items() if k not in ("id", "group", "render_modes")})
    if entry.source:
        info["source"] = entry.source
    env = registry.make(task_id, **kwargs)
    task = env.unwrapped
    info["observation_space"] = space_summary(env.observation_space)
    info["action_space"] = space_summary(env.action_space)
    info["parameters"] = jsonable(dict(entry.kwargs, **kwargs))
    if isinstance(task, TrialEnv):
        info["dt"] = task.dt
        info["timing"] = {p: describe_spec(s) for p, s in task.timing.items()}
        info["timing_presets"] = {
            name: {p: describe_spec(s) for p, s in preset.items()} for name, preset in type(task).timing_presets.items()
        }
        info["rewards"] = jsonable(task.rewards)
        task.reset(seed=0)
        info["periods"] = task.periods
        info["example_trial"] = jsonable({k: v for k, v in (task.trial or {}).items() if k != "trial_seed"})
    info["has_periods"] = isinstance(task, TrialEnv)
    return jsonable(info)


#: the metadata keys ``env_string`` shows in their own sections (NeuroGym's ``METADATA_DEF_KEYS``)
METADATA_DEF_KEYS = ["description", "paper_name", "paper_link", "timing", "tags"]

#: metadata keys of ours that are not task parameters and stay out of ``env_string``
_APP_METADATA_KEYS = {"render_modes", "rt_from", "condition_vars", "strength_var", "human_playable", "human_playable_reason"}


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def env_string(env: gym.Env, short: bool = False) -> str:
    """A Markdown description of a task (NeuroGym's ``env_string``): doc, paper, rewards, other metadata, tags.

    ``short=True`` gives ``"<ClassName>"``. A wrapped env is described by its task.
    """
    task = env.unwrapped
    if short:
        return f"<{type(task).__name__}>"
    meta = getattr(task, "metadata", {}) or {}
    paper_name = _one_line(meta.get("paper_name") or "Missing paper name")
    paper_link = meta.get("paper_link")
    lines = [f"### {type(task).__name__}", f"Doc: {type(task).__doc__}", "Reference paper "]
    lines += [f"[{paper_name}]({paper_link})"] if paper_link else [paper_name, "Missing paper link"]
    rewards = getattr(task, "rewards", None)
    if rewards is not None:
        lines += ["", "Reward structure "]
        if isinstance(rewards, dict):
            lines += [f"{key} : {value}" for key, value in rewards.items()]
        else:
            lines.append(str(rewards))
    others = [k for k in meta if k not in METADATA_DEF_KEYS and k not in _APP_METADATA_KEYS and meta[k] is not None]
    if others:
        lines += ["", "Other parameters: "]
        lines += [f"{key} : {_one_line(meta[key])}" for key in others]
    tags = meta.get("tags")
    if tags:
        lines += ["", "Tags: " + ", ".join(str(t) for t in tags) + "."]
    return "\n".join(lines) + "\n"
