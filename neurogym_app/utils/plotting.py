"""``plot_env``: run a task for a while and draw what happened (NeuroGym's ``ngym.utils.plotting``).

The roll-out is plain numpy; the drawing lives in ``neurogym_app.plots.static``
(matplotlib, imported only when a figure is made).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym

from neurogym_app.core.wrappers._base import task_label
from neurogym_app.core.wrappers._steplog import StepLog

__all__ = ["plot_env", "run_env"]

#: a run asked for ``num_trials`` stops after this many steps even if trials never end
MAX_STEPS_FOR_TRIALS = 100_000


def _policy(env: gym.Env, def_act: Any, model: Any) -> Callable[[Any], Any]:
    if model is not None:
        predict = getattr(model, "predict", None)
        if predict is None:
            if not callable(model):
                raise TypeError(f"plot_env: model must have .predict(ob) or be callable, got {type(model).__name__}")
            return model

        def act(ob: Any) -> Any:
            out = predict(ob)  # Stable-Baselines3 returns (action, state)
            return out[0] if isinstance(out, tuple) else out

        return act
    if def_act is not None:
        return lambda ob: def_act
    return lambda ob: env.action_space.sample()


def run_env(
    env: gym.Env | str,
    num_steps: int = 200,
    num_trials: int | None = None,
    def_act: Any = None,
    model: Any = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Reset ``env`` and play it; returns the aligned step arrays (see ``StepLog``).

    Actions come from ``model`` (``.predict(ob)`` or a callable), else
    ``def_act`` every step, else random samples of the action space. With
    ``num_trials`` the run stops when that many trials have ended.
    """
    if isinstance(env, str):
        from neurogym_app.core.registry import make

        env = make(env)
    if num_trials is None and (isinstance(num_steps, bool) or int(num_steps) < 1):
        raise ValueError(f"plot_env: num_steps must be >= 1, got {num_steps!r}")
    if num_trials is not None and int(num_trials) < 1:
        raise ValueError(f"plot_env: num_trials must be >= 1, got {num_trials!r}")
    choose = _policy(env, def_act, model)
    log = StepLog()
    ob, _ = env.reset(seed=seed)
    limit = MAX_STEPS_FOR_TRIALS if num_trials is not None else int(num_steps)
    trials_done = 0
    for _ in range(limit):
        action = choose(ob)
        next_ob, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            info = {**info, "new_trial": True}
        log.add(ob, action, reward, info)
        ob = next_ob
        if terminated or truncated:
            ob, _ = env.reset()
        if info.get("new_trial"):
            trials_done += 1
            if num_trials is not None and trials_done >= num_trials:
                break
    data = log.arrays()
    data["env"] = env
    return data


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


def _reward_values(env: gym.Env) -> dict[str, float] | None:
    rewards = getattr(env.unwrapped, "rewards", None)
    if isinstance(rewards, Mapping):
        try:
            return {str(k): float(v) for k, v in rewards.items()}
        except (TypeError, ValueError):
            return None
    return None
