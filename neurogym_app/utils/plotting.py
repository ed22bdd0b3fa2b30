"""``plot_env``: run a task for a while and draw what happened (NeuroGym's ``ngym.utils.plotting``).

The roll-out is plain numpy; the drawing lives in ``neurogym_app.plots.static``
(matplotlib, imported only when a figure is made).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.wrappers.base import task_label
from neurogym_app.core.wrappers.steplog import StepLog

__all__ = ["plot_env", "run_env", "visualize_run"]

#: a run asked for ``num_trials`` stops after this many steps even if trials never end
MAX_STEPS_FOR_TRIALS = 100_000


class _Policy:
    """Chooses actions: ``model.predict`` (Stable-Baselines3, recurrent state kept within a trial), a callable,
    a fixed action or random samples."""

    def __init__(self, env: Any, def_act: Any, model: Any) -> None:
        self.env, self.def_act, self.model = env, def_act, model
        self.predict = getattr(model, "predict", None) if model is not None else None
        if model is not None and self.predict is None and not callable(model):
            raise TypeError(f"plot_env: model must have .predict(ob) or be callable, got {type(model).__name__}")
        self.recurrent = self.predict is not None and "state" in _parameters(self.predict)
        self.trial_ended()

    def trial_ended(self) -> None:
        self.state: Any = None
        self.episode_start = np.array([True])

    def __call__(self, ob: Any) -> Any:
        if self.predict is not None:
            if self.recurrent:
                out = self.predict(ob, state=self.state, episode_start=self.episode_start, deterministic=True)
            else:
                out = self.predict(ob)
            self.episode_start = np.array([False])
            if isinstance(out, tuple):  # Stable-Baselines3 returns (action, state)
                action, self.state = out[0], out[1]
                return action
            return out
        if self.model is not None:
            return self.model(ob)
        if self.def_act is not None:
            return self.def_act
        return self.env.action_space.sample()


def _parameters(func: Any) -> set[str]:
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


def _is_vec_env(env: Any) -> bool:
    """A Stable-Baselines3 ``VecEnv`` (``DummyVecEnv``): batched reset/step over ``env.envs``."""
    return hasattr(env, "num_envs") and hasattr(env, "envs") and not isinstance(env, gym.Env)


class _SingleFromVec:
    """The first env of a one-env ``VecEnv``, seen through the usual Gymnasium calls."""

    def __init__(self, vec: Any) -> None:
        if vec.num_envs != 1:
            raise ValueError(f"plot_env: a VecEnv with one env is needed, got {vec.num_envs}")
        self.vec = vec
        self.action_space = vec.action_space
        self.observation_space = vec.observation_space

    @property
    def unwrapped(self) -> Any:
        return self.vec.envs[0].unwrapped

    def reset(self, seed: int | None = None) -> tuple[Any, dict[str, Any]]:
        if seed is not None:
            self.vec.seed(seed)
        return self.vec.reset(), {}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        ob, rewards, dones, infos = self.vec.step(np.asarray(action).reshape(1, *np.shape(action)[1:] or ()))
        # a VecEnv resets by itself at the end of an episode
        return ob, float(rewards[0]), False, False, dict(infos[0])


def run_env(
    env: gym.Env | str,
    num_steps: int = 200,
    num_trials: int | None = None,
    def_act: Any = None,
    model: Any = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Reset ``env`` and play it; returns the aligned step arrays (see ``StepLog``).

    Actions come from ``model`` (``.predict(ob)``, Stable-Baselines3 recurrent
    policies with their state; or a callable), else ``def_act`` every step,
    else random samples of the action space. With ``num_trials`` the run
    stops when that many trials have ended. ``env`` may be a one-env
    Stable-Baselines3 ``VecEnv`` (``DummyVecEnv([lambda: env])``).
    """
    if isinstance(env, str):
        from neurogym_app.core.registry import make

        env = make(env)
    if _is_vec_env(env):
        env = _SingleFromVec(env)
    if num_trials is None and (isinstance(num_steps, bool) or int(num_steps) < 1):
        raise ValueError(f"plot_env: num_steps must be >= 1, got {num_steps!r}")
    if num_trials is not None and int(num_trials) < 1:
        raise ValueError(f"plot_env: num_trials must be >= 1, got {num_trials!r}")
    batched = isinstance(env, _SingleFromVec)
    choose = _Policy(env, def_act, model)
    log = StepLog()
    ob, _ = env.reset(seed=seed)
    limit = MAX_STEPS_FOR_TRIALS if num_trials is not None else int(num_steps)
    trials_done = 0
    for _ in range(limit):
        action = choose(ob)
        next_ob, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            info = {**info, "new_trial": True}
        log.add(_first(ob) if batched else ob, _first(action) if batched else action, reward, info)
        ob = next_ob
        if terminated or truncated:
            ob, _ = env.reset()
        if info.get("new_trial"):
            choose.trial_ended()
            trials_done += 1
            if num_trials is not None and trials_done >= num_trials:
                break
    data = log.arrays()
    data["env"] = env
    return data


def _first(value: Any) -> Any:
    """An observation or action of a one-env VecEnv without its batch axis."""
    array = np.asarray(value)
    return array[0] if array.ndim >= 1 and array.shape[0] == 1 else value


def plot_env(
    env: gym.Env | str,
    num_steps: int = 200,
    num_trials: int | None = None,
    def_act: Any = None,
    model: Any = None,
    name: str | None = None,
    legend: bool = True,
    ob_traces: Sequence[str] | None = None,
    fig_kwargs: Mapping[str, Any] | None = None,
    fname: str | os.PathLike[str] | None = None,
    plot_performance: bool = True,
    seed: int | None = None,
):
    """Run ``env`` and plot observations, actions with ground truth, rewards and performance.

    Args:
        env: a task (possibly wrapped) or a task id.
        num_steps: steps to run (ignored when ``num_trials`` is given).
        num_trials: run until this many trials have ended.
        def_act: play this action every step (when no ``model``).
        model: a policy, ``model.predict(ob)`` (Stable-Baselines3) or ``model(ob)``.
        name: figure title (default: the task id).
        legend: draw legends.
        ob_traces: one label per observation channel: draw them as lines.
        fig_kwargs: ``figsize``/``dpi`` for the figure, the rest for ``subplots``.
        fname: save the figure there (``.png``/``.svg``/``.pdf``; no suffix: PNG).
        plot_performance: add the per-trial performance row.
        seed: ``reset(seed=...)`` before the run, for a reproducible figure.

    Column ``t`` of every row is step ``t``: the observation the action was
    chosen on, the action, the ground truth it was judged against, its reward.
    Returns the ``matplotlib.figure.Figure``; needs the ``plot`` extra.
    """
    from neurogym_app.plots import static

    static.require_matplotlib()
    data = run_env(env, num_steps=num_steps, num_trials=num_trials, def_act=def_act, model=model, seed=seed)
    env = data.pop("env")
    return static.trials_figure(
        data["ob"],
        data["actions"],
        gt=data["gt"],
        rewards=data["rewards"],
        performance=data["performance"] if plot_performance else None,
        new_trial=data["new_trial"],
        periods=data["periods"],
        ob_names=getattr(env.observation_space, "name", None),
        action_names=getattr(env.action_space, "name", None),
        reward_values=_reward_values(env),
        dt=getattr(env.unwrapped, "dt", None),
        name=task_label(env) if name is None else name,
        legend=legend,
        ob_traces=ob_traces,
        fig_kwargs=fig_kwargs,
        fname=fname,
    )


def visualize_run(
    ob: Any,
    actions: Any,
    gt: Any = None,
    rewards: Any = None,
    performance: Any = None,
    states: Any = None,
    legend: bool = True,
    ob_traces: Sequence[str] | None = None,
    name: str = "",
    fname: str | os.PathLike[str] | None = None,
    fig_kwargs: Mapping[str, Any] | None = None,
    env: gym.Env | None = None,
    initial_ob: Any = None,
    trial_starts: Sequence[int] | None = None,
):
    """Draw a run recorded elsewhere (NeuroGym's ``visualize_run``): observations, actions, ground truth, rewards.

    ``ob[t]`` is drawn with ``actions[t]``: pass the observations the actions
    were chosen on (e.g. a network's inputs). Observations returned by
    ``step`` (each one after its action) are aligned by giving the first
    observation as ``initial_ob``. ``trial_starts`` (1-based step numbers, as
    upstream) mark where trials begin; ``env`` supplies channel and action
    names and ``dt``. ``states`` is accepted for compatibility and not drawn.
    Returns the ``matplotlib.figure.Figure``; needs the ``plot`` extra.
    """
    from neurogym_app.plots import static

    static.require_matplotlib()
    obs = np.asarray(ob)
    if initial_ob is not None:
        obs = np.concatenate([np.asarray(initial_ob)[None], obs[:-1]], axis=0)
    if obs.ndim != 2:
        raise ValueError(f"visualize_run: ob must be (steps, channels), got shape {obs.shape}")
    new_trial = None
    if trial_starts is not None:
        new_trial = np.zeros(len(obs), dtype=bool)
        for start in trial_starts:
            if 1 < int(start) <= len(obs):
                new_trial[int(start) - 2] = True  # the step before a trial starts ends the previous one
    task = env.unwrapped if env is not None else None
    return static.trials_figure(
        obs,
        np.asarray(actions),
        gt=None if gt is None else np.asarray(gt),
        rewards=None if rewards is None else np.asarray(rewards, dtype=float),
        performance=None if performance is None else np.asarray(performance, dtype=float),
        new_trial=new_trial,
        ob_names=getattr(env.observation_space, "name", None) if env is not None else None,
        action_names=getattr(env.action_space, "name", None) if env is not None else None,
        dt=getattr(task, "dt", None),
        name=name,
        legend=legend,
        ob_traces=ob_traces,
        fig_kwargs=fig_kwargs,
        fname=fname,
    )


def _reward_values(env: gym.Env) -> dict[str, float] | None:
    rewards = getattr(env.unwrapped, "rewards", None)
    if isinstance(rewards, Mapping):
        try:
            return {str(k): float(v) for k, v in rewards.items()}
        except (TypeError, ValueError):
            return None
    return None
