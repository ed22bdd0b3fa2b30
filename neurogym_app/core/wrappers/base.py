"""What every wrapper here shares: attribute forwarding, errors, seeding, spaces.

Gymnasium 1.x wrappers no longer forward unknown attributes to the env they
wrap, but NeuroGym code reads ``env.timing``, ``env.gt`` or calls
``env.new_trial()`` through its wrappers. ``TrialWrapper`` (core) forwards
them; :class:`ForwardingWrapper` does the same for wrappers that work on any
Gymnasium env (Monitor, Noise, PassReward, PassAction).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.rng import TaskRandom, make_rng
from neurogym_app.core.trial_env import TrialEnv, TrialMaker
from neurogym_app.errors import UserError

__all__ = [
    "ForwardingWrapper",
    "IncompatibleTaskError",
    "WrapperParameterError",
    "task_label",
    "require_trial_task",
    "require_periods",
    "task_choices",
    "require_flat_box",
    "extended_box",
    "SeededWrapperMixin",
    "Seedable",
    "seed_env",
    "trial_maker",
    "WrapperParameterTypeError",
    "bad_parameter_type",
]


class IncompatibleTaskError(UserError, TypeError):
    """A wrapper was put on a task it cannot work with; the message says why."""


class WrapperParameterError(UserError, ValueError):
    """A wrapper parameter has a value the wrapper cannot use."""


class WrapperParameterTypeError(WrapperParameterError, TypeError):
    """A wrapper parameter of the wrong kind (where NeuroGym raises ``TypeError``); also a ``WrapperParameterError``."""


def task_label(env: gym.Env) -> str:
    """The registered id of the task under ``env`` (its class name if unregistered)."""
    task = env.unwrapped
    spec = getattr(task, "spec", None)
    task_id = getattr(spec, "id", None)
    return task_id or type(task).__name__


def incompatible(wrapper: str, env: gym.Env, reason: str) -> IncompatibleTaskError:
    return IncompatibleTaskError(f"{wrapper}: {task_label(env)} {reason}")


def bad_parameter(wrapper: str, reason: str) -> WrapperParameterError:
    return WrapperParameterError(f"{wrapper}: {reason}")


def bad_parameter_type(wrapper: str, reason: str) -> WrapperParameterTypeError:
    return WrapperParameterTypeError(f"{wrapper}: {reason}")


class ForwardingWrapper(gym.Wrapper):
    """A ``gymnasium.Wrapper`` that looks up unknown attributes on the env it wraps.

    Only reading is forwarded: assigning ``wrapper.x = ...`` sets it on the
    wrapper, as in Gymnasium.
    """

    def __getattr__(self, name: str) -> Any:
        # __getattr__ runs only when normal lookup fails; dunders and `env`
        # itself must fail normally (copy/pickle probe them before __init__).
        if name.startswith("__") or name == "env":
            raise AttributeError(name)
        return getattr(self.env, name)


def require_trial_task(wrapper: str, env: gym.Env) -> TrialEnv:
    task = env.unwrapped
    if not isinstance(task, TrialEnv):
        raise incompatible(wrapper, env, f"is a {type(task).__name__}, not a TrialEnv task made of trials and periods")
    return task


def trial_maker(wrapper: str, env: gym.Env) -> TrialMaker:
    """``env`` as what draws its task's trials: the task, a ``TrialWrapper`` or a forwarding wrapper over one."""
    if not isinstance(env, TrialMaker):
        raise incompatible(wrapper, env, "has no new_trial(): it is not a task made of trials nor a wrapper of one")
    return env


@runtime_checkable
class Seedable(Protocol):
    """NeuroGym's ``env.seed(seed)``: a task (``BaseEnv``) or a wrapper that seeds its own draws too."""

    def seed(self, seed: int | None = None) -> list[int | None]: ...


def seed_env(env: gym.Env, seed: int | None) -> list[int | None]:
    """Seed ``env`` the NeuroGym way: its own ``seed`` (a wrapper's, forwarded or not), else its task's."""
    for target in (env, env.unwrapped):
        if isinstance(target, Seedable):
            return target.seed(seed)
    raise AttributeError(f"{task_label(env)} has no seed(); seed it with reset(seed=...)")


def require_periods(wrapper: str, env: gym.Env, *periods: str) -> TrialEnv:
    """The task under ``env``, after checking its timing names every period in ``periods``."""
    task = require_trial_task(wrapper, env)
    missing = [p for p in periods if p not in task.timing]
    if missing:
        have = ", ".join(task.timing) or "none"
        need = " and ".join(repr(p) for p in periods)
        raise incompatible(wrapper, env, f"has no {need} period{'s' if len(periods) > 1 else ''} (its periods: {have})")
    return task


def task_choices(wrapper: str, env: gym.Env) -> np.ndarray:
    """The task's ``choices`` (the values its ``ground_truth`` is drawn from)."""
    task = require_trial_task(wrapper, env)
    choices = getattr(task, "choices", None)
    if choices is None:
        raise incompatible(
            wrapper,
            env,
            "has no `choices` (the values its ground truth is drawn from), so its trials cannot be drawn here",
        )
    values = np.asarray(choices).reshape(-1)
    if values.size == 0:
        raise incompatible(wrapper, env, "has an empty `choices` list")
    return values


def require_flat_box(wrapper: str, env: gym.Env) -> gym.spaces.Box:
    space = env.observation_space
    if not isinstance(space, gym.spaces.Box) or len(space.shape) != 1:
        raise incompatible(
            wrapper,
            env,
            f"has a {type(space).__name__} observation of shape {getattr(space, 'shape', None)}; "
            "only a 1-D Box observation can get extra channels",
        )
    return space


def extended_box(space: gym.spaces.Box, extra: Mapping[str, int]) -> spaces.Box:
    """``space`` (1-D Box) with ``extra`` channels (name -> count) appended, unbounded.

    Channel names are kept and the new channels named, so stimulus views and
    plots still find them.
    """
    n_old = space.shape[0]
    n_new = int(sum(extra.values()))
    low = np.concatenate([np.asarray(space.low, dtype=np.float64), np.full(n_new, -np.inf)])
    high = np.concatenate([np.asarray(space.high, dtype=np.float64), np.full(n_new, np.inf)])
    names = dict(getattr(space, "name", None) or {})
    start = n_old
    for key, count in extra.items():
        names[key] = start if count == 1 else list(range(start, start + count))
        start += count
    dtype = space.dtype if np.issubdtype(space.dtype, np.floating) else np.float32
    return spaces.Box(low.astype(dtype), high.astype(dtype), dtype=dtype, name=names)


def _wrapper_depth(env: gym.Env) -> int:
    depth = 0
    while isinstance(env, gym.Wrapper):
        depth += 1
        env = env.env
    return depth


class SeededWrapperMixin:
    """A wrapper's own generator, reseeded by ``reset(seed=...)`` and ``seed(...)``.

    Wrappers draw from their own stream (not the task's), so wrapping a task
    does not change which trials the task itself draws, and one seed still
    fixes everything. The stream is derived from the seed, the wrapper's class
    and its depth in the stack, so two stacked wrappers do not draw the same
    numbers.
    """

    if TYPE_CHECKING:
        env: gym.Env  # the mixin is used on gymnasium wrappers only

    def _init_own_rng(self, env: gym.Env) -> None:
        self._stream = (zlib.crc32(type(self).__name__.encode()), _wrapper_depth(env))
        self._own_rng: TaskRandom = make_rng(None)

    def _reseed_own_rng(self, seed: int | None) -> None:
        if seed is None:
            self._own_rng = make_rng(None)
        else:
            sequence = np.random.SeedSequence([int(seed) % 2**63, *self._stream])
            self._own_rng = make_rng(int(sequence.generate_state(1, np.uint64)[0]))

    def _on_seed(self) -> None:
        """Redraw the wrapper's initial state after a reseed (override)."""

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._reseed_own_rng(seed)
            self._on_seed()
        return self.env.reset(seed=seed, options=options)

    def seed(self, seed: int | None = None) -> list[int | None]:
        """NeuroGym's ``env.seed``: seeds the task and this wrapper."""
        self._reseed_own_rng(seed)
        self._on_seed()
        return seed_env(self.env, seed)
