"""Helpers for task authors: the pieces many tasks share.

The built-in tasks use these, and so can yours (``envs/template.py`` and
``docs/CONTRIBUTING-TASKS.md`` show how)::

    from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump

* ``ring_angles(n)`` / ``ring_bump(angles, direction)``: a ring of ``n`` units and
  its cosine-tuned response to a direction (the stimulus of the ring tasks);
* ``input_noise_sd(sigma, dt)``: the per-step sd of an input noise given per
  sqrt(ms), NeuroGym's convention (``add_randn(0, self.sigma, ...)``);
* ``merge_rewards(defaults, rewards)``: a task's rewards updated by the
  caller's, unknown outcome names rejected in one line;
* ``judge_fixate_then_choose(env, action)``: the ``_step`` of a "hold fixation,
  then choose" task.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from neurogym_app.core.trial_env import OBNOW, TrialEnv

__all__ = ["ring_angles", "ring_bump", "merge_rewards", "input_noise_sd", "judge_fixate_then_choose", "in_any"]


def ring_angles(n: int) -> np.ndarray:
    """``n`` preferred directions evenly spaced on the circle, starting at 0."""
    return np.arange(n) * (2 * np.pi / n)


def ring_bump(angles: np.ndarray, direction: float, gain: float = 0.5, offset: float = 0.5) -> np.ndarray:
    """Cosine tuning of a ring of units to ``direction``: ``offset + gain*cos``."""
    return offset + gain * np.cos(angles - direction)


def merge_rewards(defaults: Mapping[str, float], rewards: Mapping[str, float] | None) -> dict[str, float]:
    """Default rewards updated by the caller's, rejecting unknown outcome names."""
    merged = dict(defaults)
    if rewards is not None and not isinstance(rewards, Mapping):
        raise ValueError(
            f"rewards must be a table of outcome -> number (e.g. {{correct = 1.0}}), got {rewards!r}; "
            f"this task's rewards are: {', '.join(merged)}"
        )
    if rewards:
        unknown = [k for k in rewards if k not in merged]
        if unknown:
            raise ValueError(f"unknown reward {unknown[0]!r}; this task's rewards are: {', '.join(merged)}")
        for k, v in rewards.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
                raise ValueError(f"reward {k!r} must be a finite number, got {v!r}")
        merged.update({k: float(v) for k, v in rewards.items()})
    return merged


def input_noise_sd(sigma: float, dt: float) -> float:
    """Per-step noise sd for a noise of ``sigma`` per sqrt(ms) (NeuroGym's convention)."""
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    return float(sigma) / np.sqrt(dt)


def in_any(env: TrialEnv, periods: Iterable[str]) -> bool:
    """Whether the current step lies in any of ``periods``."""
    in_period = env.in_period
    for period in periods:  # a plain loop: a generator in any() costs more than the look-ups (every step)
        if in_period(period):
            return True
    return False


def judge_fixate_then_choose(
    env: TrialEnv,
    action: Any,
    fixation_periods: Iterable[str] = ("fixation",),
    decision_period: str = "decision",
    fail_reward_key: str | None = "fail",
) -> tuple[Any, float, bool, bool, dict[str, Any]]:
    """The usual judging of a "hold fixation, then choose" task.

    Leaving fixation early costs ``rewards['abort']`` (and ends the trial if
    ``env.abort``); the first non-fixation action in the decision period ends
    the trial, rewarded ``correct`` if it equals the ground truth.
    """
    gt = env.gt_now
    reward = 0.0
    new_trial = False
    if action != 0:
        if in_any(env, fixation_periods):
            new_trial = bool(env.abort)
            reward = env.rewards["abort"]
        elif env.in_period(decision_period):
            new_trial = True
            if action == gt:
                reward = env.rewards["correct"]
                env.performance = 1
            elif fail_reward_key is not None:
                reward = env.rewards.get(fail_reward_key, 0.0)
    return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
