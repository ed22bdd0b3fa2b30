"""Trials drawn one by one from an env, to compare with the Dataset's batched trials."""

from __future__ import annotations

import numpy as np

import neurogym_app as ngym


def env_trials(task_id, n, seed=0, **kwargs):
    """n trials from new_trial: variables, period durations (ms), lengths, and stacked ob/gt."""
    env = ngym.make(task_id, **kwargs)
    env.reset(seed=seed)
    trials, durations, lengths, obs, gts = [], {}, [], [], []
    for i in range(n):
        if i:
            env.new_trial()
        trials.append(dict(env.trial))
        for p in env.periods:
            durations.setdefault(p, []).append(env.end_t[p] - env.start_t[p])
        lengths.append(env.n_steps)
        obs.append(env.ob.copy())
        gts.append(env.gt.copy())
    return (
        trials,
        {p: np.array(v) for p, v in durations.items()},
        np.array(lengths),
        np.concatenate(obs),
        np.concatenate(gts),
    )
