"""Synthetic recorded runs for demos, tests and benchmarks (pure: numpy only).

``write_synthetic_session`` plays a task step by step with a scripted,
seeded policy and records it in the session format, as an agent run would
be recorded: observation, action, reward, gt, step times, and (optionally)
a hidden state from a fixed random recurrent network driven by the
observations plus the policy's action probabilities. The policy answers
correctly with a probability that grows with the trial's stimulus strength
(a Weibull psychometric function), after a variable delay, so the curves
look like a real observer's. It stands in for trained agents wherever a
recorded run with hidden states is needed without training one; the
manifest says ``"synthetic": true``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.core import registry
from neurogym_app.record.recorder import SessionRecorder
from neurogym_app.record.schema import TrialRecord, onset_column
from neurogym_app.runtime.trial_log import signed_strength_of

__all__ = ["write_synthetic_session", "p_correct"]


def p_correct(strength: float | None, threshold: float = 12.0, slope: float = 1.4, lapse: float = 0.02) -> float:
    """Weibull accuracy for a two-choice observer at ``|strength|`` (0.85 when the task has none)."""
    if strength is None or not math.isfinite(strength):
        return 0.85
    s = abs(float(strength))
    return float(0.5 + (0.5 - lapse) * (1.0 - math.exp(-((s / threshold) ** slope))))


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def write_synthetic_session(
    root: str | os.PathLike[str],
    task_id: str = "PerceptualDecisionMaking-v0",
    *,
    n_trials: int = 50,
    seed: int = 0,
    kind: str = "agent",
    participant: str = "demo-agent",
    kwargs: dict[str, Any] | None = None,
    hidden_size: int = 16,
    threshold: float = 12.0,
    mean_delay_steps: float = 3.0,
) -> Path:
    """Record ``n_trials`` of ``task_id`` played by the scripted policy; returns the run folder."""
    env = registry.make(task_id, **dict(kwargs or {}))
    task = env.unwrapped
    rng = np.random.default_rng(seed)
    dt = float(task.dt)
    step_s = dt / 1000.0
    ob, _ = env.reset(seed=seed)
    meta = getattr(task, "metadata", {}) or {}
    rt_from = meta.get("rt_from")
    names = getattr(task.action_space, "name", None) or {}
    fixate = names.get("fixation", 0) if isinstance(names.get("fixation", 0), int) else 0
    n_actions = int(getattr(task.action_space, "n", 0) or 0)
    responses = [a for a in range(n_actions) if a != fixate]
    labels = {fixate: "fixate"}
    for key, value in names.items():
        idx = [value] if isinstance(value, int) else list(value)
        for j, i in enumerate(idx):
            labels.setdefault(int(i), key if len(idx) == 1 else f"{key}{j + 1}")
    for i, lab in (meta.get("action_labels") or {}).items():
        labels[int(i)] = str(lab)
    n_in = int(np.prod(task.observation_space.shape))
    w_rec = rng.normal(0, 0.9 / math.sqrt(max(hidden_size, 1)), (hidden_size, hidden_size))
    w_in = rng.normal(0, 1.0, (hidden_size, n_in))
    task_vars = [k for k in (task.trial or {}) if k != "trial_seed"] + ["trial_seed"]
    recorder = SessionRecorder.create(
        root,
        task_id=task_id,
        participant=participant,
        session=1,
        manifest={
            "player": {"kind": kind, "id": participant, "policy": "scripted psychometric observer", "synthetic": True},
            "task": {
                "id": task_id,
                "class": type(task).__name__,
                "parameters": dict(kwargs or {}),
                "timing": {p: _plain(s) if not callable(s) else str(s) for p, s in task.timing.items()},
                "dt": dt,
                "time_scale": 1.0,
                "rt_from": rt_from,
                "condition_vars": list(meta.get("condition_vars") or []),
                "strength_var": meta.get("strength_var"),
            },
            "seeds": {"env": seed, "policy": seed},
            "view": "agent",
            "display": {"backend": "none"},
            "synthetic": True,
        },
        task_vars=task_vars,
        periods=list(task.timing),
    )
    t = 0.0
    h = np.zeros(hidden_size)
    for i in range(n_trials):
        trial = dict(task.trial or {})
        periods = {p: (int(task.start_ind[p]), int(task.end_ind[p])) for p in task.periods}
        gt_plan = np.asarray(task.gt).reshape(-1) if getattr(task, "tmax", 0) > 0 else np.zeros(1)
        strength = signed_strength_of(task, trial)
        correct_choice = rng.random() < p_correct(strength, threshold)
        target = next((int(g) for g in gt_plan if int(g) != fixate), None)
        if target is None or not responses:
            choice = None
        elif correct_choice or len(responses) == 1:
            choice = target
        else:
            choice = int(rng.choice([a for a in responses if a != target]))
        first_resp = next((k for k, g in enumerate(gt_plan) if int(g) != fixate), len(gt_plan))
        s_abs = abs(strength) if strength is not None and math.isfinite(strength) else threshold
        mean_delay = max(mean_delay_steps * (0.6 + 1.2 * math.exp(-s_abs / threshold)), 1.0)
        respond_at = first_resp + int(rng.geometric(1.0 / mean_delay)) - 1
        obs, actions, rewards, gts, hidden, probs, starts = [], [], [], [], [], [], []
        k = 0
        info: dict[str, Any] = {}
        while True:
            x = np.asarray(ob, dtype=float).reshape(-1)
            h = np.tanh(w_rec @ h + w_in @ x * 0.5)
            logits = np.full(max(n_actions, 1), -2.0)
            if n_actions:
                logits[fixate] = 2.0
                if choice is not None and k >= first_resp:
                    logits[choice] = 0.5 + 0.8 * (k - first_resp + 1)
            p = np.exp(logits - logits.max())
            p /= p.sum()
            action = choice if (choice is not None and k >= respond_at) else fixate
            obs.append(x)
            hidden.append(h.copy())
            probs.append(p)
            starts.append(t)
            gts.append(int(task.gt_now) if getattr(task, "tmax", 0) > 0 else 0)
            ob, reward, terminated, truncated, info = env.step(action)
            actions.append(action)
            rewards.append(float(reward))
            t += step_s
            k += 1
            if info.get("new_trial") or terminated or truncated or k > 100_000:
                if terminated or truncated:
                    ob, _ = env.reset()
                break
        n = len(actions)
        responded = [j for j, a in enumerate(actions) if a != fixate]
        rt_start = periods.get(rt_from, (0, 0))[0] if rt_from else 0
        resp_k = next((j for j in responded if j >= rt_start), None)
        perf = float(info.get("performance", 0) or 0)
        early = sum(1 for j in responded if j < rt_start)
        t0 = starts[0]
        summary: dict[str, Any] = {
            "signed_strength": strength,
            "gt": target if target is not None else fixate,
            "gt_label": labels.get(target if target is not None else fixate, str(target)),
            "choice": actions[resp_k] if resp_k is not None else None,
            "choice_label": labels.get(actions[resp_k]) if resp_k is not None else None,
            "response_key": None,
            "correct": int(perf >= 1.0),
            "outcome": "correct" if perf >= 1.0 else ("wrong" if resp_k is not None else ("too early" if early else "too late")),
            "reward": float(np.sum(rewards)),
            "rt_ms": (resp_k - rt_start + 0.5) * dt if resp_k is not None else None,
            "n_early_responses": early,
            "n_steps": n,
            "trial_onset_s": t0,
            "trial_end_s": t0 + n * step_s,
            "n_frames": n,
            "dropped_frames": 0,
            "max_frame_interval_ms": dt,
        }
        for name, (a, _b) in periods.items():
            summary[onset_column(name)] = t0 + a * step_s if a < n else None
        record = TrialRecord(
            index=i,
            vars={k_: _plain(v) for k_, v in trial.items()},
            summary=summary,
            arrays={
                "observation": np.asarray(obs, dtype=np.float32),
                "action": np.asarray(actions, dtype=np.int64),
                "reward": np.asarray(rewards, dtype=np.float64),
                "gt": np.asarray(gts, dtype=np.int64),
                "step_start": np.asarray(starts, dtype=np.float64),
                "hidden": np.asarray(hidden, dtype=np.float32),
                "action_probs": np.asarray(probs, dtype=np.float32),
            },
            block=1,
            committed_at=t,
        )
        recorder.write_trial(record)
    recorder.close("completed")
    return recorder.path
