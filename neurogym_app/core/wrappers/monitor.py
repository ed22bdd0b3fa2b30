"""Monitor: log trials and steps, save behaviour to disk, plot on request."""

from __future__ import annotations

import datetime as _dt
import importlib.util
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.config import Config, ConfigError
from neurogym_app.core.wrappers.base import ForwardingWrapper, bad_parameter, task_label
from neurogym_app.core.wrappers.steplog import StepLog

__all__ = ["Monitor"]

#: NeuroGym's keyword arguments (old and new names) -> the Config field they set
_KEYWORD_FIELDS: dict[str, tuple[str, ...]] = {
    "sv_per": ("monitor", "interval"),
    "interval": ("monitor", "interval"),
    "sv_stp": ("monitor", "trigger"),
    "trigger": ("monitor", "trigger"),
    "verbose": ("monitor", "verbose"),
    "sv_fig": ("monitor", "plot", "create"),
    "plot_create": ("monitor", "plot", "create"),
    "num_stps_sv_fig": ("monitor", "plot", "step"),
    "num_stps_env": ("monitor", "plot", "step"),
    "plot_steps": ("monitor", "plot", "step"),
    "fig_type": ("monitor", "plot", "ext"),
    "ext": ("monitor", "plot", "ext"),
    "name": ("monitor", "name"),
    "level": ("monitor", "log", "level"),
    "log_trigger": ("monitor", "log", "trigger"),
    "log_interval": ("monitor", "log", "interval"),
}

#: NeuroGym's old Monitor defaults, used when no config is given
_DEFAULTS = {
    "monitor": {"interval": 100_000, "trigger": "trial", "verbose": False, "plot": {"create": False, "step": 100}},
}

_QUIET_LEVELS = {"WARNING", "ERROR", "CRITICAL"}


def _nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        out = {key: out}
    return out


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
        )
    return out


def _base_config(config: Any) -> dict[str, Any]:
    if config is None:
        return dict(_DEFAULTS)
    if isinstance(config, Config):
        return config.to_dict()
    if isinstance(config, (str, os.PathLike)):
        return Config(config).to_dict()
    if isinstance(config, Mapping):
        return Config(config).to_dict()
    raise TypeError(f"Monitor: config must be a Config, a TOML path or a dict, got {type(config).__name__}")


def _keyword_overrides(given: Mapping[str, Any]) -> dict[str, Any]:
    chosen: dict[tuple[str, ...], tuple[str, Any]] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key == "sv_stp" and value == "timestep":  # NeuroGym's old spelling
            value = "step"
        path = _KEYWORD_FIELDS[key]
        if path in chosen and chosen[path][1] != value:
            other = chosen[path][0]
            raise bad_parameter(
                "Monitor", f"{other}={chosen[path][1]!r} and {key}={value!r} set the same option; give one"
            )
        chosen[path] = (key, value)
    merged: dict[str, Any] = {}
    for path, (_, value) in chosen.items():
        merged = _merge(merged, _nested(path, value))
    return merged


class Monitor(ForwardingWrapper):
    """Records behaviour trial by trial, saves it, prints progress and makes figures.

    Options come from ``config`` (a ``Config``, a TOML path or a dict; its
    ``[monitor]`` section and ``local_dir``) and/or keyword arguments, which
    win. Both NeuroGym spellings are accepted: ``sv_per``/``interval``,
    ``sv_stp``/``trigger`` ("trial", "step"; "timestep" too),
    ``sv_fig``/``plot_create``, ``num_stps_sv_fig``/``plot_steps``,
    ``fig_type``/``ext``. Without ``config`` the defaults are NeuroGym's
    old ones (save every 100000 trials, quiet, no figures).

    Args:
        env: any env whose ``info`` says ``new_trial`` (every TrialEnv task).
        config: ``Config``, TOML path or dict.
        folder: where files go (default ``<local_dir>/<task>/<timestamp>``,
            created at the first save).
        sv_per: save every ``sv_per`` trials (or steps, see ``sv_stp``).
        sv_stp: unit of ``sv_per``: "trial" or "step".
        verbose: print a summary at each save and progress lines every
            ``log_interval`` trials/steps.
        sv_fig: save a figure of the first ``num_stps_sv_fig`` steps after
            each save (and at the start).
        num_stps_sv_fig: steps per figure.
        name: monitor name, part of the file names.
        fig_type: figure file type ("png", "svg", "pdf").
        step_fn: called instead of ``env.step`` (NeuroGym's hook).

    Per trial, ``data`` holds ``action`` and ``reward`` of the trial's last
    step, ``cum_reward`` and every ``info`` key of that step (``performance``,
    ``trial``...); it is written to ``<name>_bhvr_data_<trials>.npz`` and
    cleared at each save (``trial`` dicts are stored as objects:
    ``np.load(..., allow_pickle=True)``). ``history`` keeps every trial's
    reward and performance for ``plot_training_history()``. Figures align
    ``ob[t]``, ``a[t]``, ``gt[t]``, ``r[t]`` (NeuroGym's are one step off).
    """

    metadata = {
        "description": "Saves relevant behavioral information: rewards, actions, observations, new trial, ground truth."
    }

    def __init__(
        self,
        env: gym.Env,
        config: Config | str | os.PathLike[str] | Mapping[str, Any] | None = None,
        folder: str | os.PathLike[str] | None = None,
        sv_per: int | None = None,
        sv_stp: str | None = None,
        verbose: bool | None = None,
        sv_fig: bool | None = None,
        num_stps_sv_fig: int | None = None,
        name: str | None = None,
        fig_type: str | None = None,
        step_fn: Callable[[Any], tuple] | None = None,
        *,
        trigger: str | None = None,
        interval: int | None = None,
        plot_create: bool | None = None,
        plot_steps: int | None = None,
        ext: str | None = None,
        level: str | None = None,
        log_trigger: str | None = None,
        log_interval: int | None = None,
        num_stps_env: int | None = None,
    ) -> None:
        super().__init__(env)
        given = {
            "sv_per": sv_per, "interval": interval, "sv_stp": sv_stp, "trigger": trigger, "verbose": verbose,
            "sv_fig": sv_fig, "plot_create": plot_create, "num_stps_sv_fig": num_stps_sv_fig,
            "num_stps_env": num_stps_env, "plot_steps": plot_steps, "fig_type": fig_type, "ext": ext, "name": name,
            "level": level, "log_trigger": log_trigger, "log_interval": log_interval,
        }  # fmt: skip
        settings = _merge(_base_config(config), _keyword_overrides(given))
        settings.setdefault("env", {})
        if not settings["env"].get("name"):
            settings["env"] = {**settings["env"], "name": task_label(env)}
        try:
            self.config: Config = Config.model_validate(settings)
        except ConfigError as exc:
            raise bad_parameter("Monitor", str(exc)) from None
        if step_fn is not None and not callable(step_fn):
            raise bad_parameter("Monitor", f"step_fn must be callable, got {type(step_fn).__name__}")
        self.step_fn = step_fn
        self.folder = Path(folder) if folder is not None else None
        self._save_dir: Path | None = self.folder
        if self.config.monitor.plot.create and importlib.util.find_spec("matplotlib") is None:
            raise ImportError(
                "Monitor(sv_fig=True) needs matplotlib, which is not installed: pip install 'neurogym-app[plot]'"
            )

        self.data: dict[str, list[Any]] = {}
        self.history: dict[str, list[float]] = {"reward": [], "performance": []}
        self.num_tr = 0
        self.t = 0  # steps since the last save (when saving by steps)
        self.total_steps = 0
        self.cum_reward = 0.0
        self.saved_files: list[Path] = []
        #: what the last ``evaluate_policy`` saw, one entry per trial: ``action``, ``reward`` and every ``info`` key
        self.data_eval: dict[str, Any] = {}
        self._last_ob: Any = None
        self._figure_log = StepLog()
        self._figure_open = self.config.monitor.plot.create
        self.reset_data()

    # ----------------------------------------------------------- settings
    @property
    def sv_per(self) -> int:
        return self.config.monitor.interval

    @property
    def sv_stp(self) -> str:
        return self.config.monitor.trigger

    @property
    def sv_fig(self) -> bool:
        return self.config.monitor.plot.create

    @property
    def verbose(self) -> bool:
        return self.config.monitor.verbose

    @property
    def save_dir(self) -> Path:
        """Folder of the saved files (chosen, not created, on first use)."""
        if self._save_dir is None:
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            self._save_dir = Path(self.config.local_dir) / self.config.env.name / stamp
        return self._save_dir

    @property
    def _file_prefix(self) -> str:
        name = self.config.monitor.name
        return f"{type(self.env.unwrapped).__name__}_bhvr_data_{name + '_' if name else ''}"

    # --------------------------------------------------------------- run
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        ob, info = self.env.reset(seed=seed, options=options)
        self.cum_reward = 0.0
        self._last_ob = ob
        return ob, info

    def step(self, action: Any, collect_data: bool = True):
        ob_acted_on = self._last_ob
        stepper = self.step_fn if self.step_fn is not None else self.env.step
        ob, reward, terminated, truncated, info = stepper(action)
        self._last_ob = ob
        self.cum_reward += float(reward)
        self.total_steps += collect_data
        if collect_data and self._figure_open and ob_acted_on is not None:
            self._figure_log.add(ob_acted_on, action, reward, info)
            if len(self._figure_log) >= self.config.monitor.plot.step:
                self._write_figure()
        if not collect_data:  # e.g. evaluate_policy(): play without recording anything
            if info.get("new_trial", False):
                self.cum_reward = 0.0
            return ob, reward, terminated, truncated, info
        if self.sv_stp == "step":
            self.t += 1
        if info.get("new_trial", False):
            self._end_trial(action, reward, info)
            if self._save_due():
                self.save()
        self._maybe_log(info)
        return ob, reward, terminated, truncated, info

    def _end_trial(self, action: Any, reward: float, info: Mapping[str, Any]) -> None:
        self.num_tr += 1
        row = {"action": action, "reward": reward, "cum_reward": self.cum_reward, **info}
        n_before = len(self.data.get("reward", []))
        for key, value in row.items():
            column = self.data.setdefault(key, [None] * n_before)  # a key first seen now: pad earlier trials
            column.append(value)
        for key, column in self.data.items():
            if key not in row:
                column.append(None)
        self.history["reward"].append(float(reward))
        perf = info.get("performance")
        self.history["performance"].append(float(perf) if perf is not None else np.nan)
        self.cum_reward = 0.0

    def _save_due(self) -> bool:
        if self.sv_stp == "step":
            return self.t >= self.sv_per
        return self.num_tr % self.sv_per == 0

    def save(self) -> Path | None:
        """Write the trials collected since the last save; returns the file (None if no trial)."""
        if not self.data.get("reward"):
            return None
        self.save_dir.mkdir(parents=True, exist_ok=True)
        path = self.save_dir / f"{self._file_prefix}{self.num_tr}.npz"
        arrays = {key: _column_array(values) for key, values in self.data.items()}
        np.savez(path, allow_pickle=True, **arrays)  # object columns (dicts, None) are pickled
        self.saved_files.append(path)
        if self.verbose:
            perf = [p for p in self.data.get("performance", []) if p is not None]
            print("--------------------")
            print(f"Data saved to: {path}")
            print(f"Number of trials: {self.num_tr}")
            print(f"Average reward: {np.mean(self.data['reward']):.4f}")
            if perf:
                print(f"Average performance: {np.mean(perf):.4f}")
            print("--------------------")
        self.reset_data()
        self.t = 0
        if self.sv_fig:
            self._figure_log.clear()
            self._figure_open = True
        return path

    def reset_data(self) -> None:
        """Empty the per-save data (NeuroGym's name)."""
        self.data = {"action": [], "reward": [], "cum_reward": [], "performance": []}

    def _maybe_log(self, info: Mapping[str, Any]) -> None:
        log = self.config.monitor.log
        if not (self.verbose and log.verbose) or log.level in _QUIET_LEVELS:
            return
        if log.trigger == "trial":
            if not info.get("new_trial") or self.num_tr % log.interval:
                return
        elif self.total_steps % log.interval:
            return
        recent_r = self.history["reward"][-log.interval :]
        recent_p = [p for p in self.history["performance"][-log.interval :] if np.isfinite(p)]
        perf = f", performance {np.mean(recent_p):.3f}" if recent_p else ""
        reward = f"mean reward {np.mean(recent_r):.3f}" if recent_r else "no trial yet"
        label = self.config.monitor.name or "Monitor"
        print(f"{label} | {self.config.env.name}: trial {self.num_tr}, step {self.total_steps}: {reward}{perf}")

    # ----------------------------------------------------------- figures
    def _write_figure(self) -> Path:
        from neurogym_app.plots import static  # plots layer, lazily: matplotlib only when asked

        fname = self.save_dir / f"{self._file_prefix}task_{self.num_tr:06d}.{self.config.monitor.plot.ext}"
        data = self._figure_log.arrays()
        task = self.env.unwrapped
        fig = static.trials_figure(
            data["ob"], data["actions"], gt=data["gt"], rewards=data["rewards"], performance=data["performance"],
            new_trial=data["new_trial"], periods=data["periods"],
            ob_names=getattr(self.observation_space, "name", None),
            action_names=getattr(self.action_space, "name", None),
            dt=getattr(task, "dt", None), name=self.config.monitor.plot.title or self.config.env.name,
        )  # fmt: skip
        path = static.save_figure(fig, fname)
        self._figure_log.clear()
        self._figure_open = False
        self.saved_files.append(path)
        return path

    def plot_training_history(
        self,
        figsize: tuple[float, float] = (12, 6),
        save_fig: bool = True,
        plot_performance: bool = True,
        *,
        window: int = 100,
        fname: str | os.PathLike[str] | None = None,
    ):
        """Figure of every trial's reward (and performance) so far, with a running mean over ``window`` trials.

        Saved to ``fname`` if given, else (``save_fig``, NeuroGym's default) to
        ``<local_dir>/<task>_training_history.png``. Returns the Figure.
        """
        from neurogym_app.plots import static

        perf = self.history["performance"]
        if fname is None and save_fig:
            fname = Path(self.config.local_dir) / f"{self.config.env.name}_training_history.png"
        return static.training_history_figure(
            self.history["reward"],
            perf if plot_performance and any(np.isfinite(perf)) else None,
            window=window,
            name=self.config.monitor.plot.title or self.config.env.name,
            fig_kwargs={"figsize": tuple(figsize)},
            fname=fname,
        )

    # -------------------------------------------------------- evaluation
    def evaluate_policy(self, num_trials: int = 100, model: Any = None, verbose: bool = True) -> dict[str, Any]:
        """Play ``num_trials`` trials with ``model`` (random actions if None) without saving anything.

        ``model.predict(ob, state=..., episode_start=..., deterministic=True)``
        is called as Stable-Baselines3's recurrent policies expect. Returns
        per-trial ``rewards``, ``cum_rewards``, ``performances`` and their means
        (``mean_reward`` is the fraction of trials ending with a positive reward).
        """
        ob, _ = self.reset()
        states = None
        episode_start = np.array([True])
        rewards: list[float] = []
        cum_rewards: list[float] = []
        performances: list[float] = []
        running = 0.0
        self.data_eval = {"action": [], "reward": []}
        while len(rewards) < num_trials:
            if model is not None:
                action, states = model.predict(ob, state=states, episode_start=episode_start, deterministic=True)
            else:
                action = self.action_space.sample()
            ob, reward, terminated, truncated, info = self.step(action, collect_data=False)
            episode_start = np.array([False])
            running += float(reward)
            if terminated or truncated:
                ob, _ = self.reset()
            if info.get("new_trial", False):
                rewards.append(float(reward))
                cum_rewards.append(running)
                running = 0.0
                if "performance" in info:
                    performances.append(float(info["performance"]))
                self._record_eval_trial(action, reward, info)
                states, episode_start = None, np.array([True])
                if verbose and len(rewards) % 1000 == 0:
                    print(f"Completed {len(rewards)}/{num_trials} trials")
        # arrays for analysis; the trial dicts stay a list
        self.data_eval = {k: v if k == "trial" else _column_array(v) for k, v in self.data_eval.items()}
        return {
            "rewards": rewards,
            "mean_reward": float(np.mean(np.array(rewards) > 0)) if rewards else 0.0,
            "cum_rewards": cum_rewards,
            "mean_cum_reward": float(np.mean(cum_rewards)) if cum_rewards else 0.0,
            "performances": performances,
            "mean_performance": float(np.mean(performances)) if performances else 0.0,
        }

    def _record_eval_trial(self, action: Any, reward: float, info: Mapping[str, Any]) -> None:
        n_before = len(self.data_eval["reward"])
        row = {"action": action, "reward": float(reward), **info}
        for key, value in row.items():
            self.data_eval.setdefault(key, [None] * n_before).append(value)
        for key, column in self.data_eval.items():
            if key not in row:
                column.append(None)


def _column_array(values: list[Any]) -> np.ndarray:
    """One saved column: numeric when it can be, objects (dicts, None) otherwise."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError):
        array = None
    if array is None or array.dtype == object:
        array = np.empty(len(values), dtype=object)
        array[:] = values
    return array
