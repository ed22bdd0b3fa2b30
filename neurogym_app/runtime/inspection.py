"""The period inspector's model: sample trials of a task under an edited timing (pure: no Qt).

``sample_trials(task_id, seed=..., n_trials=..., timing=...)`` builds the task
with the given timing, plays ``n_trials`` trials with the ground truth as the
action (so correct responses and their rewards show) and returns every step's
observation, gt and reward with each trial's periods (ms from the trial start).

The timing editor works on *forms*: ``(distribution, text)`` pairs such as
``("uniform", "300, 700")``; :func:`spec_form` and :func:`parse_form` convert
between forms and timing specs with one-line errors naming the period.
:func:`experiment_toml` writes the result as an experiment file for ``envs/``
(the ``Config`` TOML layout: ``[env]`` name, dt, kwargs, timing and ``[session]``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.core import registry
from neurogym_app.core.timing import TimingError, describe_spec, spec_bounds, validate_timing
from neurogym_app.runtime.playback import channel_labels

__all__ = [
    "FORMS",
    "SampledTrial",
    "SampledTrials",
    "spec_form",
    "parse_form",
    "task_timing",
    "sample_trials",
    "experiment_dict",
    "experiment_toml",
    "write_experiment",
    "MAX_STEPS",
]

#: distributions the timing editor offers
FORMS = ("constant", "uniform", "choice", "truncated_exponential")
MAX_STEPS = 200_000  # safety limit on the steps of one sample


def _g(v: Any) -> str:
    return f"{float(v):g}"


def spec_form(spec: Any) -> tuple[str, str]:
    """``(distribution, args text)`` of a timing spec; ``("fixed", name)`` for specs the editor cannot change."""
    if callable(spec):
        return "fixed", getattr(spec, "__name__", "callable")
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return "constant", _g(spec)
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name, args = spec[0], spec[1] if len(spec) > 1 else None
        if name == "constant":
            return "constant", _g(args)
        if name == "until":
            return "fixed", f"until {_g(args)} ms"
        if name in ("uniform", "choice", "truncated_exponential"):
            return name, ", ".join(_g(a) for a in (args if isinstance(args, (list, tuple)) else [args]))
    if isinstance(spec, (list, tuple, np.ndarray)) and len(spec) > 0:
        return "choice", ", ".join(_g(a) for a in spec)
    return "fixed", repr(spec)


def parse_form(period: str, distribution: str, text: str) -> Any:
    """The timing spec of a form; :class:`TimingError` (one line, naming the period) if invalid."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise TimingError(f"timing for period {period!r}: {text!r} is not a list of numbers (ms)") from None
    if distribution == "constant":
        if len(values) != 1:
            raise TimingError(f"timing for period {period!r}: constant needs one number of ms, got {text!r}")
        spec: Any = values[0]
    elif distribution == "uniform":
        if len(values) != 2:
            raise TimingError(f"timing for period {period!r}: uniform needs 'low, high' in ms, got {text!r}")
        spec = ("uniform", (values[0], values[1]))
    elif distribution == "choice":
        if not values:
            raise TimingError(f"timing for period {period!r}: choice needs one or more ms values")
        spec = ("choice", tuple(values))
    elif distribution == "truncated_exponential":
        if not 1 <= len(values) <= 3:
            raise TimingError(f"timing for period {period!r}: truncated_exponential needs 'mean[, min[, max]]', got {text!r}")
        spec = ("truncated_exponential", tuple(values))
    else:
        raise TimingError(f"timing for period {period!r}: unknown distribution {distribution!r}; use one of {', '.join(FORMS)}")
    validate_timing(period, spec)
    return spec


def _accepts(task_id: str, name: str) -> bool:
    import inspect

    try:
        sig = inspect.signature(registry.load(task_id))
    except (TypeError, ValueError):
        return True
    return name in sig.parameters or any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def task_timing(task_id: str, preset: str | None = None, kwargs: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], float, list[str]]:
    """``(timing, dt, presets)``: the resolved timing of ``task_id`` under ``preset``, its dt and its preset names."""
    params = dict(kwargs or {})
    if preset and preset != "default" and _accepts(task_id, "timing"):
        params["timing"] = preset
    env = registry.make(task_id, **params)
    task = env.unwrapped
    presets = ["default", *getattr(type(task), "timing_presets", {}).keys()]
    return dict(getattr(task, "timing", {}) or {}), float(getattr(task, "dt", 100)), presets


@dataclass
class SampledTrial:
    index: int
    vars: dict[str, Any]
    periods: list[tuple[str, float, float]]  # (name, start ms, end ms) from the trial start
    start_step: int  # first step in the concatenated arrays
    n_steps: int
    correct: bool | None = None


@dataclass
class SampledTrials:
    """Several consecutive trials of a task, as the inspector shows them."""

    task_id: str
    seed: int
    dt: float
    timing: dict[str, Any]
    ob: np.ndarray  # (T, C): flat observation of every step
    gt: np.ndarray  # (T,) first component of the ground truth
    reward: np.ndarray  # (T,)
    trials: list[SampledTrial] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    action_names: dict[int, str] = field(default_factory=dict)
    has_periods: bool = True

    @property
    def n_steps(self) -> int:
        return int(self.ob.shape[0])

    @property
    def t_ms(self) -> np.ndarray:
        """Start time (ms) of every step on the concatenated axis."""
        return np.arange(self.n_steps) * self.dt

    def period_names(self) -> list[str]:
        names: list[str] = []
        for tr in self.trials:
            for name, _, _ in tr.periods:
                if name not in names:
                    names.append(name)
        return names

    def durations(self) -> dict[str, list[float]]:
        """Sampled duration (ms) of every period, trial by trial."""
        out: dict[str, list[float]] = {}
        for tr in self.trials:
            for name, a, b in tr.periods:
                out.setdefault(name, []).append(b - a)
        return out


def _action_names(task: Any) -> dict[int, str]:
    space = task.action_space
    names: dict[int, str] = {}
    for key, value in (getattr(space, "name", None) or {}).items():
        idx = [value] if isinstance(value, int) else list(value)
        for j, i in enumerate(idx):
            names[int(i)] = key if len(idx) == 1 else f"{key}{j + 1}"
    labels = (getattr(task, "metadata", {}) or {}).get("action_labels") or {}
    for i, label in labels.items():
        names[int(i)] = str(label)
    return names


def sample_trials(
    task_id: str,
    *,
    seed: int = 0,
    n_trials: int = 5,
    timing: Mapping[str, Any] | str | None = None,
    kwargs: Mapping[str, Any] | None = None,
) -> SampledTrials:
    """Play ``n_trials`` of ``task_id`` with its ground truth as actions (see module doc)."""
    params = dict(kwargs or {})
    if timing is not None and _accepts(task_id, "timing"):
        params["timing"] = dict(timing) if isinstance(timing, Mapping) else timing
    env = registry.make(task_id, **params)
    task: Any = env.unwrapped  # a TrialEnv (periods, start_t, end_t)
    dt = float(getattr(task, "dt", 100))
    ob, _ = env.reset(seed=seed)
    try:
        env.action_space.seed(seed)
    except Exception:  # pragma: no cover - spaces without seeding
        pass
    has_periods = hasattr(task, "start_t") and float(getattr(task, "tmax", 0) or 0) > 0
    obs: list[np.ndarray] = []
    gts: list[float] = []
    rewards: list[float] = []
    trials: list[SampledTrial] = []
    for i in range(max(1, int(n_trials))):
        vars_ = {k: v for k, v in dict(getattr(task, "trial", None) or {}).items()}
        periods = (
            sorted(((p, float(task.start_t[p]), float(task.end_t[p])) for p in task.periods), key=lambda x: (x[1], x[2]))
            if has_periods
            else []
        )
        start = len(obs)
        steps = 0
        info: dict[str, Any] = {}
        limit = max(1, int(round(float(getattr(task, "tmax", 0) or 0) / dt)) + 2) if has_periods else 1
        while True:
            gt_now = getattr(task, "gt_now", None) if has_periods else None
            action = gt_now if gt_now is not None else env.action_space.sample()
            obs.append(np.asarray(ob, dtype=float).reshape(-1))
            g = np.asarray(gt_now if gt_now is not None else np.nan, dtype=float).reshape(-1)
            gts.append(float(g[0]) if g.size else math.nan)
            ob, reward, terminated, truncated, info = env.step(action)
            rewards.append(float(reward))
            steps += 1
            if terminated or truncated:
                ob, _ = env.reset()
                break
            if info.get("new_trial") or steps >= limit or len(obs) >= MAX_STEPS:
                break
        perf = info.get("performance")
        trials.append(
            SampledTrial(
                index=i, vars=vars_, periods=periods, start_step=start, n_steps=steps,
                correct=None if perf is None else bool(float(perf) >= 1.0),
            )
        )
        if len(obs) >= MAX_STEPS:
            break
    ob_arr = np.stack(obs) if obs else np.zeros((0, 1))
    space = task.observation_space
    size = ob_arr.shape[1] if ob_arr.ndim == 2 else 1
    return SampledTrials(
        task_id=task_id,
        seed=seed,
        dt=dt,
        timing=dict(getattr(task, "timing", {}) or {}),
        ob=ob_arr,
        gt=np.asarray(gts, dtype=float),
        reward=np.asarray(rewards, dtype=float),
        trials=trials,
        channels=channel_labels(getattr(space, "name", None), size),
        action_names=_action_names(task) if hasattr(task.action_space, "n") else {},
        has_periods=has_periods,
    )


def _toml_spec(spec: Any) -> Any:
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        v = float(spec)
        return int(v) if v.is_integer() else v
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name, args = spec[0], spec[1]
        if isinstance(args, (list, tuple, np.ndarray)):
            return [name, [_toml_spec(a) for a in args]]
        return [name, _toml_spec(args)]
    if isinstance(spec, (list, tuple, np.ndarray)):
        return [_toml_spec(a) for a in spec]
    raise TimingError(f"timing spec {spec!r} cannot be written to TOML (give ms or [distribution, args])")


def experiment_dict(
    task_id: str,
    timing: Mapping[str, Any],
    *,
    dt: float | None = None,
    kwargs: Mapping[str, Any] | None = None,
    n_trials: int = 100,
    seed: int | None = None,
) -> dict[str, Any]:
    """The experiment as plain data in ``Config`` layout."""
    env: dict[str, Any] = {"name": task_id}
    if dt is not None:
        env["dt"] = int(dt) if float(dt).is_integer() else float(dt)
    extra = {k: v for k, v in dict(kwargs or {}).items() if k not in ("timing", "dt")}
    if extra:
        env["kwargs"] = extra
    env["timing"] = {p: _toml_spec(s) for p, s in timing.items() if not callable(s)}
    session: dict[str, Any] = {"trials": int(n_trials)}
    if seed is not None:
        session["seed"] = int(seed)
    return {"env": env, "session": session}


def experiment_toml(task_id: str, timing: Mapping[str, Any], **kwargs: Any) -> str:
    """The experiment TOML text (with a header comment describing each period's timing)."""
    import tomli_w

    data = experiment_dict(task_id, timing, **kwargs)
    lines = [
        f"# Experiment for {task_id}, exported by the neurogym-app period inspector",
        f"# on {datetime.now().strftime('%Y-%m-%d %H:%M')}. Load it with Config(path) or `--config`.",
        "# Timing (ms):",
    ]
    for p, s in timing.items():
        bounds = spec_bounds(s)
        rng = f" [{_g(bounds[0])}-{_g(bounds[1])}]" if bounds and bounds[0] != bounds[1] and math.isfinite(bounds[1]) else ""
        lines.append(f"#   {p}: {describe_spec(s)}{rng}")
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(data)


def write_experiment(path: str | os.PathLike[str], task_id: str, timing: Mapping[str, Any], **kwargs: Any) -> Path:
    """Write :func:`experiment_toml` to ``path`` (folders created); returns the path."""
    p = Path(path)
    if p.suffix != ".toml":
        p = p.with_suffix(".toml")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(experiment_toml(task_id, timing, **kwargs), encoding="utf-8")
    return p
