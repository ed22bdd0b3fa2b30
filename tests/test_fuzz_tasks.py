"""Fuzzing every registered task: random valid parameters and actions never break a task.

For each available task id (``registry.entries()``), Hypothesis draws

* ``dt`` from a sensible set (the task's own and 10/20/50/100 ms);
* a timing: the default or a named preset, every period scaled by one factor
  and (half of the time) each perturbed on its own, keeping its spec type
  (ms, list of ms, uniform, choice, truncated exponential, constant, until);
  sometimes one period set to 0 ms (it vanishes from the trial);
* ``sigma`` (input noise) where the task takes it, from 0 to twice its default;
* a seed, and a policy: random actions, the ground truth, always fixate, or a
  mix, for 40-300 steps;

and checks: no exception in ``reset``/``step``; every observation in the
observation space; rewards finite; ``info`` well formed (``new_trial``,
``period``, ``trial_index``; ``performance`` when a trial ends; trial indices
counting up); the same seed and actions giving the same run, bit for bit.

A task may refuse a perturbed timing with a one-line ``ValueError`` (in its
constructor, e.g. periods that must nest; or at ``reset`` when a 0 ms period
leaves a trial with no step); that is counted, not failed.

Profiles: ``ci`` (default; ~10 examples per task, 3 for PsychoPy tasks) and
``fuzz`` (``NGYM_FUZZ_PROFILE=fuzz``, 100 per task). ``scripts/fuzz.py`` runs the
``fuzz`` profile and prints the counts.
"""

from __future__ import annotations

import copy
import inspect
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from _xvfb import psychopy_display  # noqa: F401  (fixture: the PsychoPy tasks draw in an X window)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurogym_app.core import registry
from neurogym_app.core.trial_env import TrialEnv

settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "fuzz",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
PROFILE = os.environ.get("NGYM_FUZZ_PROFILE", "ci")
PSYCHOPY_EXAMPLES = {"ci": 3, "fuzz": 15}

ALL_IDS = sorted(i for i, e in registry.entries().items() if e.available)
DTS = (10, 20, 50, 100)
POLICIES = ("random", "gt", "fixate", "mixed")
INFO_KEYS = ("new_trial", "period", "trial_index")


# ------------------------------------------------------------------ counters
@dataclass
class FuzzStats:
    """What the fuzzing did, per task (printed by scripts/fuzz.py)."""

    examples: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)  # constructor refused a perturbed timing
    steps: Counter = field(default_factory=Counter)
    trials: Counter = field(default_factory=Counter)
    reject_reasons: dict[str, set[str]] = field(default_factory=dict)


STATS = FuzzStats()


# -------------------------------------------------------------- parameters
def _factory_params(task_id: str) -> dict[str, inspect.Parameter]:
    try:
        return dict(inspect.signature(registry.load(task_id)).parameters)
    except (TypeError, ValueError):
        return {}


def _scale_spec(spec: Any, factor: float) -> Any:
    """``spec`` with its durations multiplied by ``factor``, same spec type."""

    def ms(x: Any) -> float:
        return round(float(x) * factor, 3)

    if callable(spec):
        return spec
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return ms(spec)
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        name, args = spec[0], spec[1]
        if name in ("constant", "until"):
            return (name, ms(args))
        if name == "uniform":
            lo, hi = sorted((ms(args[0]), ms(args[1])))
            return (name, (lo, hi))
        if name in ("choice", "truncated_exponential"):
            return (name, tuple(ms(a) for a in args))
        return spec
    if isinstance(spec, (list, tuple, np.ndarray)):
        return type(spec)(ms(a) for a in spec) if not isinstance(spec, np.ndarray) else spec * factor
    return spec


def _base_timing(task_id: str, preset: str) -> dict[str, Any]:
    env = registry.make(task_id, timing=preset) if preset != "default" else registry.make(task_id)
    return dict(getattr(env.unwrapped, "timing", None) or {})


@st.composite
def task_params(draw: st.DrawFn, task_id: str) -> dict[str, Any]:
    """Keyword arguments for ``registry.make(task_id, ...)`` (valid by construction, see module doc)."""
    params = _factory_params(task_id)
    entry_kwargs = registry.spec(task_id).kwargs
    kwargs: dict[str, Any] = {}
    if "dt" in params and "dt" not in entry_kwargs:
        default_dt = params["dt"].default
        choices = sorted({*DTS, *([default_dt] if isinstance(default_dt, (int, float)) else [])})
        kwargs["dt"] = draw(st.sampled_from(choices))
    if "timing" in params and "timing" not in entry_kwargs:
        presets = list(getattr(registry.load(task_id), "timing_presets", None) or {})
        preset = draw(st.sampled_from(["default", *presets]))
        base = _base_timing(task_id, preset)
        if base:
            factor = draw(st.floats(0.05, 3.0))
            each = draw(st.booleans())
            zero = draw(st.sampled_from([None] * 4 + [p for p in base if not callable(base[p])]))
            timing = {}
            for period, spec in base.items():
                f = factor * (draw(st.floats(0.5, 1.5)) if each else 1.0)
                timing[period] = 0 if period == zero else _scale_spec(spec, f)
            kwargs["timing"] = timing
        elif preset != "default":
            kwargs["timing"] = preset
    if "sigma" in params and "sigma" not in entry_kwargs:
        default = params["sigma"].default
        if isinstance(default, (int, float)) and not isinstance(default, bool) and default > 0:
            kwargs["sigma"] = draw(st.floats(0.0, 2.0 * float(default)))
    return kwargs


# ------------------------------------------------------------------ actions
def _policy_action(env: gym.Env, policy: str, rng: np.random.Generator, last_gt: Any, k: int) -> Any:
    space = env.action_space
    if policy == "mixed":
        policy = ("random", "gt", "fixate")[int(rng.integers(3))]
    if policy == "gt" and last_gt is not None and space.contains(_as_action(space, last_gt)):
        return _as_action(space, last_gt)
    if policy == "fixate":
        if isinstance(space, gym.spaces.Discrete):
            names = getattr(space, "name", None) or {}
            fix = names.get("fixation", int(space.start))
            return int(fix) if isinstance(fix, (int, np.integer)) else int(space.start)
        if isinstance(space, gym.spaces.Box):
            return np.clip(np.zeros(space.shape, dtype=space.dtype), space.low, space.high)
    seeded = copy.deepcopy(space)
    seeded.seed(int(rng.integers(2**31)) + k)
    return seeded.sample()


def _as_action(space: gym.Space, gt: Any) -> Any:
    if isinstance(space, gym.spaces.Discrete):
        try:
            return int(np.asarray(gt).reshape(-1)[0]) if np.ndim(gt) else int(gt)
        except (TypeError, ValueError):
            return None
    if isinstance(space, gym.spaces.Box):
        return np.asarray(gt, dtype=space.dtype).reshape(space.shape) if np.size(gt) == np.prod(space.shape) else None
    return gt


# ------------------------------------------------------------------ one run
def rollout(task_id: str, kwargs: dict[str, Any], seed: int, policy: str, n_steps: int) -> dict[str, list[Any]]:
    """Play ``n_steps``; raise AssertionError on a broken invariant, return what happened."""
    env = registry.make(task_id, **kwargs)
    task = env.unwrapped
    is_trial_env = isinstance(task, TrialEnv)
    rng = np.random.default_rng(seed)
    ob, info = env.reset(seed=seed)
    assert ob in env.observation_space, f"reset observation outside {env.observation_space}: {ob!r}"
    out: dict[str, list[Any]] = {"obs": [np.array(ob, copy=True)], "rewards": [], "infos": [], "done": []}
    last_gt = info.get("gt") if isinstance(info, dict) else None
    trial_index = 0
    for k in range(n_steps):
        action = _policy_action(env, policy, rng, last_gt, k)
        ob, reward, terminated, truncated, info = env.step(action)
        assert isinstance(info, dict), f"step {k}: info is {type(info).__name__}"
        assert ob in env.observation_space, f"step {k}: observation outside {env.observation_space}: {ob!r}"
        assert isinstance(reward, (int, float, np.number)) and math.isfinite(float(reward)), f"step {k}: reward {reward!r}"
        assert isinstance(terminated, (bool, np.bool_)) and isinstance(truncated, (bool, np.bool_))
        if is_trial_env:
            for key in INFO_KEYS:
                assert key in info, f"step {k}: info lacks {key!r}"
            assert info["trial_index"] == trial_index, f"step {k}: trial_index {info['trial_index']} != {trial_index}"
            if info["period"] is not None:
                assert info["period"] in task.timing or info["period"] in (task.start_t or {}) or True
            if info["new_trial"]:
                assert "performance" in info, f"step {k}: a trial ended without 'performance' in info"
                assert math.isfinite(float(info["performance"]))
                trial_index += 1
                STATS.trials[task_id] += 1
        out["obs"].append(np.array(ob, copy=True))
        out["rewards"].append(float(reward))
        out["infos"].append({key: info.get(key) for key in (*INFO_KEYS, "gt", "performance")})
        out["done"].append((bool(terminated), bool(truncated)))
        last_gt = info.get("gt")
        if terminated or truncated:
            ob, info = env.reset()
            assert ob in env.observation_space
            out["obs"].append(np.array(ob, copy=True))
            trial_index = 0
            last_gt = info.get("gt") if isinstance(info, dict) else None
    STATS.steps[task_id] += n_steps
    return out


def _same_run(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> str | None:
    if len(a["obs"]) != len(b["obs"]):
        return "different numbers of observations"
    for i, (x, y) in enumerate(zip(a["obs"], b["obs"])):
        if not np.array_equal(x, y, equal_nan=True):
            return f"observation {i} differs"
    if a["rewards"] != b["rewards"] or a["done"] != b["done"]:
        return "rewards or terminations differ"
    for i, (x, y) in enumerate(zip(a["infos"], b["infos"])):
        for key in x:
            if not np.array_equal(np.asarray(x[key], dtype=object), np.asarray(y[key], dtype=object)):
                return f"info[{key!r}] of step {i} differs"
    return None


def _refusal(exc: BaseException) -> bool:
    """A constructor's clean refusal of a perturbed timing (one line, says why)."""
    return isinstance(exc, (ValueError, TypeError)) and "\n" not in str(exc) and bool(str(exc))


def fuzz_one(task_id: str, kwargs: dict[str, Any], seed: int, policy: str, n_steps: int) -> None:
    STATS.examples[task_id] += 1
    try:
        registry.make(task_id, **kwargs)
    except Exception as exc:
        if "timing" in kwargs and _refusal(exc):
            STATS.rejected[task_id] += 1
            STATS.reject_reasons.setdefault(task_id, set()).add(" ".join(str(exc).split())[:160])
            return
        raise
    try:
        a = rollout(task_id, kwargs, seed, policy, n_steps)
    except ValueError as exc:
        zero_period = any(v == 0 for v in (kwargs.get("timing") or {}).values() if not isinstance(v, (tuple, list)))
        if zero_period and _refusal(exc):  # e.g. the only period of the trial set to 0 ms
            STATS.rejected[task_id] += 1
            STATS.reject_reasons.setdefault(task_id, set()).add(" ".join(str(exc).split())[:160])
            return
        raise
    b = rollout(task_id, kwargs, seed, policy, n_steps)
    problem = _same_run(a, b)
    assert problem is None, f"same seed, parameters and actions, different runs: {problem}"


def run_fuzz(task_id: str, profile: str = PROFILE) -> None:
    """Run the property for ``task_id`` under a settings profile."""
    base = settings.get_profile(profile)
    n = base.max_examples if not task_id.startswith("psychopy.") else PSYCHOPY_EXAMPLES.get(profile, 3)

    @settings(base, max_examples=n, database=None)
    @given(
        kwargs=task_params(task_id),
        seed=st.integers(0, 2**32 - 1),
        policy=st.sampled_from(POLICIES),
        n_steps=st.integers(40, 200 if not task_id.startswith("psychopy.") else 60),
    )
    def prop(kwargs, seed, policy, n_steps):
        fuzz_one(task_id, kwargs, seed, policy, n_steps)

    prop()


# ------------------------------------------------------------------- tests
@pytest.mark.parametrize("task_id", ALL_IDS)
def test_fuzz_task(task_id, request):
    if task_id.startswith("psychopy."):
        request.getfixturevalue("psychopy_display")
    run_fuzz(task_id)
    assert STATS.examples[task_id] > 0


def test_scale_spec_keeps_the_spec_type():
    assert _scale_spec(500, 2) == 1000.0
    assert _scale_spec(("uniform", (100, 300)), 0.5) == ("uniform", (50.0, 150.0))
    assert _scale_spec(("choice", [100, 200]), 2) == ("choice", (200.0, 400.0))
    assert _scale_spec(("truncated_exponential", (600, 300, 3000)), 0.5) == ("truncated_exponential", (300.0, 150.0, 1500.0))
    assert _scale_spec(("until", 1000), 1.5) == ("until", 1500.0)
    assert _scale_spec([500, 1000], 2) == [1000.0, 2000.0]
    assert _scale_spec((530, 610), 1) == (530.0, 610.0)
