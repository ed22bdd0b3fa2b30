"""The conformance check every registered task must pass (``neurogym-app check``)."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core.authoring import one_line
from neurogym_app.core.trial_env import TRIAL_SEED_KEY, TrialEnv

__all__ = ["CheckResult", "check_task", "rollout"]


@dataclass
class CheckResult:
    task_id: str
    failures: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    #: checks not run: an earlier one failed in the task's own code (the same mistake would fail them all)
    stopped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.ok:
            return f"{self.task_id}: ok ({len(self.passed)} checks)"
        stopped = f"; stopped: {', '.join(self.stopped)}" if self.stopped else ""
        return f"{self.task_id}: FAILED " + "; ".join(self.failures) + stopped


def _sample_actions(env: gym.Env, n: int, seed: int) -> list[Any]:
    space = copy.deepcopy(env.action_space)
    space.seed(seed)
    return [space.sample() for _ in range(n)]


def rollout(env: gym.Env, actions: list[Any], seed: int | None) -> dict[str, list[Any]]:
    """Reset with ``seed`` and play ``actions``; returns obs, rewards, gts, infos."""
    ob, info = env.reset(seed=seed)
    out: dict[str, list[Any]] = {"obs": [np.array(ob, copy=True)], "rewards": [], "gt": [], "infos": []}
    for action in actions:
        ob, reward, terminated, truncated, info = env.step(action)
        out["obs"].append(np.array(ob, copy=True))
        out["rewards"].append(reward)
        out["gt"].append(info.get("gt"))
        out["infos"].append(info)
        if terminated or truncated:
            ob, _ = env.reset()
            out["obs"].append(np.array(ob, copy=True))
    return out


def _same(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> bool:
    if len(a["obs"]) != len(b["obs"]):
        return False
    obs_same = all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a["obs"], b["obs"]))
    gt_same = all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a["gt"], b["gt"]))
    return obs_same and gt_same and a["rewards"] == b["rewards"]


def _check(result: CheckResult, name: str, fn: Callable[[], str | None]) -> bool:
    """Run one check; False when it crashed in the task's own code (then the rest would only repeat it)."""
    try:
        problem = fn()
    except Exception as exc:  # a crash is a failed check, reported with its cause
        located = one_line(exc)
        result.failures.append(f"{name}: {located or f'{type(exc).__name__}: {exc}'}")
        return located is None
    if problem:
        result.failures.append(f"{name}: {problem}")
    else:
        result.passed.append(name)
    return True


def check_task(
    task: str | Callable[[], gym.Env],
    steps: int = 1000,
    seed: int = 0,
    kwargs: dict[str, Any] | None = None,
) -> CheckResult:
    """Run the conformance checks on a registered id (or an env factory).

    Checks: Gymnasium's env checker; same seed -> identical observations,
    rewards and gt over ``steps`` random-policy steps; different seeds differ
    (unless the task's metadata says ``stochastic: False``); deepcopy and
    pickle continue identically; every observation lies in the space; info
    is well formed; period boundaries tile the trial; ``new_trial(**trial)``
    rebuilds a recorded trial exactly.
    """
    from neurogym_app.core import registry

    if isinstance(task, str):
        task_id = task

        def factory() -> gym.Env:
            return registry.make(task_id, **(kwargs or {}))
    else:
        factory = task
        task_id = getattr(task, "__name__", "task")
    result = CheckResult(task_id)
    try:
        probe = factory()
    except Exception as exc:
        result.failures.append(f"make: {one_line(exc) or f'{type(exc).__name__}: {exc}'}")
        return result
    meta = dict(getattr(probe.unwrapped, "metadata", {}) or {})
    actions = _sample_actions(probe, steps, seed)

    def gym_checker() -> str | None:
        from gymnasium.utils.env_checker import check_env

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_env(factory(), skip_render_check=True)
        return None

    runs: dict[str, dict[str, list[Any]]] = {}

    def determinism() -> str | None:
        runs["a"] = rollout(factory(), actions, seed)
        runs["b"] = rollout(factory(), actions, seed)
        return None if _same(runs["a"], runs["b"]) else "same seed and actions gave different trials"

    def seeds_differ() -> str | None:
        if meta.get("stochastic", True) is False:
            return None
        other = rollout(factory(), actions, seed + 1)
        a = runs.get("a") or rollout(factory(), actions, seed)
        return "different seeds gave identical runs" if _same(a, other) else None

    def in_space() -> str | None:
        a = runs.get("a") or rollout(factory(), actions, seed)
        space = probe.observation_space
        for i, ob in enumerate(a["obs"]):
            if ob not in space:
                return f"observation {i} ({ob!r}) is outside {space}"
        return None

    def info_form() -> str | None:
        a = runs.get("a") or rollout(factory(), actions, seed)
        if not isinstance(probe.unwrapped, TrialEnv):
            return None
        ends = 0
        for i, info in enumerate(a["infos"]):
            for key in ("new_trial", "period", "trial_index"):
                if key not in info:
                    return f"step {i}: info lacks {key!r}"
            if info["new_trial"]:
                ends += 1
                if "performance" not in info:
                    return f"step {i}: end of trial without 'performance' in info"
        return None if ends or steps < 500 else "no trial ended within the run"

    def copies() -> str | None:
        env = factory()
        env.reset(seed=seed)
        half = actions[: steps // 2]
        for a in half:
            env.step(a)
        clones = {"deepcopy": copy.deepcopy(env), "pickle": pickle.loads(pickle.dumps(env))}
        rest = actions[steps // 2 :]
        reference = [env.step(a) for a in rest]
        for how, clone in clones.items():
            replay = [clone.step(a) for a in rest]
            for (o1, r1, *_), (o2, r2, *_) in zip(reference, replay):
                if not np.array_equal(o1, o2, equal_nan=True) or r1 != r2:
                    return f"a {how} copy diverged from the original"
        return None

    def periods_tile() -> str | None:
        env = factory().unwrapped
        if not isinstance(env, TrialEnv):
            return None
        env.reset(seed=seed)
        for _ in range(20):
            if not env.periods:
                return None if env.tmax == 0 else "trial has a length but no periods"
            spans = sorted((env.start_t[p], env.end_t[p]) for p in env.periods)
            covered = 0.0
            for start, end in spans:
                if start > covered + 1e-9:
                    return f"gap in the trial between {covered:g} and {start:g} ms"
                covered = max(covered, end)
            if abs(covered - env.tmax) > 1e-9:
                return f"periods end at {covered:g} ms but the trial lasts {env.tmax:g} ms"
            if env.ob.shape[0] != env.n_steps or env.gt.shape[0] != env.n_steps:
                return "observation/gt arrays do not match the trial length"
            env.new_trial()
        return None

    def periods_last_dt() -> str | None:
        env = factory().unwrapped
        if not isinstance(env, TrialEnv):
            return None
        env.reset(seed=seed)
        for _ in range(20):
            for name in env.periods:
                spec = env.timing.get(name)
                drawn = env.end_t[name] - env.start_t[name]
                # rounded to the nearest step a period of 0 < d < dt/2 ms would vanish; it is stretched to
                # one step instead, so it lasts more than twice its timing: the timing misstates the task
                if isinstance(spec, (int, float)) and not isinstance(spec, bool) and 0 < spec < env.dt / 2:
                    return (
                        f"period {name!r} is timed {spec:g} ms, less than half of dt = {env.dt:g} ms, and lasts "
                        f"{drawn:g} ms; time it at least dt (or 0 to skip it), or use a smaller dt"
                    )
            env.new_trial()
        return None

    def rebuild() -> str | None:
        env = factory().unwrapped
        if not isinstance(env, TrialEnv):
            return None
        env.reset(seed=seed)
        for _ in range(10):
            trial = dict(env.new_trial())
            if TRIAL_SEED_KEY not in trial:
                return "trial variables lack the trial seed"
            ob, gt, periods = env.ob.copy(), env.gt.copy(), dict(env.start_t)
            rebuilt = env.new_trial(**copy.deepcopy(trial))
            if not np.array_equal(env.ob, ob, equal_nan=True) or not np.array_equal(env.gt, gt):
                return f"new_trial(**trial) did not rebuild trial {trial!r}"
            if periods != env.start_t:
                return "new_trial(**trial) gave different periods"
            if set(rebuilt) != set(trial):
                return "the rebuilt trial records different variables"
        return None

    checks = [
        ("gymnasium env checker", gym_checker),
        ("determinism", determinism),
        ("seeds differ", seeds_differ),
        ("observations in space", in_space),
        ("info", info_form),
        ("deepcopy/pickle", copies),
        ("periods tile the trial", periods_tile),
        ("periods last at least dt", periods_last_dt),
        ("new_trial(**trial) rebuild", rebuild),
    ]
    for i, (name, fn) in enumerate(checks):
        if not _check(result, name, fn):
            result.stopped = [n for n, _ in checks[i + 1 :]]
            break
    return result
