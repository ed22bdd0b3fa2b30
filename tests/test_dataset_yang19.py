"""yang19 ``batch_trials`` (dm family, delayed-dm family, delayed match family): same law as ``new_trial``.

Same checks as tests/test_dataset.py for the native tasks: the batched trial
variables, period durations, targets and observations have the distribution of
the env's trials, and without noise each batched trial is exactly the env's
trial built from the same variables and durations.
"""

from __future__ import annotations

import numpy as np
import pytest
from _env_trials import env_trials

import neurogym_app as ngym
from neurogym_app.core.dataset import Dataset, batch_method
from neurogym_app.core.rng import make_rng

DM = ["dm1", "dm2", "ctxdm1", "ctxdm2", "multidm"]
DLYDM = ["dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm"]
MATCH = ["dms", "dnms", "dmc", "dnmc"]
SHOWN = {"dm1": [1], "dm2": [2], "dlydm1": [1], "dlydm2": [2]}


def _id(name):
    return f"yang19.{name}-v0"


def _coh_names(name):
    mods = SHOWN.get(name, [1, 2])
    if name in DLYDM:
        return [f"coh1_mod{m}" for m in mods] + [f"coh2_mod{m}" for m in mods]
    return [f"coh_mod{m}" for m in mods]


def _categorical(name):
    if name in MATCH:
        extra = ["sample_category"] if name in ("dmc", "dnmc") else []
        return ["ground_truth", "modality", "sample_index", "test_index", *extra]
    return ["stim1_index", "stim2_index", "target", "ground_truth", "strength", *_coh_names(name)]




def _as_float(values):
    values = np.asarray(values)
    if values.dtype.kind in "UO":
        return (values == "match").astype(float)
    return values.astype(float)


def _freqs(values, support):
    values = np.asarray(values)
    return np.array([np.mean(np.isclose(values, s)) for s in support])


@pytest.mark.parametrize("name", DM + DLYDM + MATCH)
def test_every_family_task_is_batched(name):
    env = ngym.make(_id(name))
    assert batch_method(env) is not None
    ds = Dataset(_id(name), batch_size=3, seq_len=50, seed=0)
    assert ds.vectorized
    inputs, targets = ds()
    assert inputs.shape == (50, 3, 33) and targets.shape == (50, 3)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [(n, {}) for n in DM + DLYDM + MATCH]
    + [("dm1", {"timing": {"stimulus": ("choice", [200, 400, 800])}, "dim_ring": 8}), ("dmc", {"dim_ring": 8})],
)
def test_batched_trials_have_the_env_distribution(name, kwargs):
    n = 2000
    task_id = _id(name)
    trials, durations, lengths, env_ob, env_gt = env_trials(task_id, n, **kwargs)
    env = ngym.make(task_id, **kwargs)
    ob, gt, v_lengths, v_trials = env.batch_trials(make_rng(1), n)
    assert ob.shape == (int(np.sum(v_lengths)), *env.observation_space.shape) and ob.dtype == np.float32
    assert gt.shape[0] == ob.shape[0] and gt.dtype == np.int64
    for var in _categorical(name):
        env_values = _as_float([t[var] for t in trials])
        support = np.unique(env_values)
        vec = _as_float(v_trials[var])
        assert set(np.round(np.unique(vec), 9)) <= set(np.round(support, 9)), var
        np.testing.assert_allclose(_freqs(vec, support), _freqs(env_values, support), atol=0.05, err_msg=var)
    assert set(v_trials["durations"]) == set(durations)
    for period, values in durations.items():
        vec = v_trials["durations"][period]
        assert set(np.unique(vec)) <= set(np.unique(values)) or np.ptp(values) > 0, period
        np.testing.assert_allclose(vec.mean(), values.mean(), rtol=0.05, atol=env.dt / 2, err_msg=period)
        np.testing.assert_allclose(vec.std(), values.std(), rtol=0.15, atol=env.dt / 2, err_msg=period)
    np.testing.assert_allclose(v_lengths.mean(), lengths.mean(), rtol=0.05)
    support = np.unique(env_gt)
    assert set(np.unique(gt)) <= set(support)
    np.testing.assert_allclose(_freqs(gt, support), _freqs(env_gt, support), atol=0.02)
    np.testing.assert_allclose(ob.mean(axis=0), env_ob.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(ob.std(axis=0), env_ob.std(axis=0), rtol=0.05, atol=0.03)


def _fixed_variables(name, trials, i):
    if name in MATCH:
        keys = ["ground_truth", "modality", "sample_index", "test_index"]
    else:
        keys = ["stim1_index", "stim2_index", *_coh_names(name)]
    return {k: trials[k][i].item() for k in keys}


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [(n, {"sigma": 0}) for n in DM + DLYDM + MATCH]
    + [
        ("multidm", {"sigma": 0, "cohs": [0.0, 0.5, 0.5], "dim_ring": 8}),  # ties
        ("dlydm1", {"sigma": 0, "timing": {"delay": ("uniform", (0, 600))}}),
        ("dnmc", {"sigma": 0, "dim_ring": 12, "timing": {"fixation": ("choice", [100, 300])}}),
    ],
)
def test_batched_trials_equal_env_trials_with_the_same_variables(name, kwargs):
    """Without noise, each batched trial is exactly the env's trial with its variables and durations."""
    task_id = _id(name)
    env = ngym.make(task_id, **kwargs)
    n = 60
    ob, gt, lengths, trials = env.batch_trials(make_rng(2), n)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    for i in range(n):
        timing = {p: float(d[i]) for p, d in trials["durations"].items()}
        one = ngym.make(task_id, **{**kwargs, "timing": {**kwargs.get("timing", {}), **timing}})
        one.reset(seed=0)
        trial = one.new_trial(**_fixed_variables(name, trials, i))
        np.testing.assert_array_equal(one.ob, ob[offsets[i] : offsets[i + 1]], err_msg=f"trial {i}")
        if name not in MATCH and trial["strength"] == 0:  # a tie: the target is a coin flip, either stimulus
            assert trials["strength"][i] == 0
            choices = {1 + trial["stim1_index"], 1 + trial["stim2_index"]}
            assert set(np.unique(gt[offsets[i] : offsets[i + 1]])) - {0} <= choices
            continue
        np.testing.assert_array_equal(one.gt, gt[offsets[i] : offsets[i + 1]], err_msg=f"trial {i}")
        if name not in MATCH:
            assert trial["target"] == trials["target"][i] and trial["ground_truth"] == trials["ground_truth"][i]
            assert trial["strength"] == trials["strength"][i]


@pytest.mark.parametrize("name", ["dm1", "dlydm2", "dms", "dnmc"])
def test_batched_noise_has_the_env_sd(name):
    env = ngym.make(_id(name), sigma=1.5)
    ob, _, _, trials = env.batch_trials(make_rng(0), 400)
    quiet = ngym.make(_id(name), sigma=0)
    clean, _, _, _ = quiet.batch_trials(make_rng(0), 400)  # same draws before the noise: same trials
    stim_periods = ["sample", "test"] if name in MATCH else (["stim1", "stim2"] if name in DLYDM else ["stimulus"])
    lengths = np.array([sum(trials["durations"][p][i] for p in trials["durations"]) for i in range(400)]) / env.dt
    assert lengths.sum() == len(ob)
    residual = ob - clean
    noisy = np.abs(residual[:, 1:]).sum(axis=1) > 0
    expected = sum(trials["durations"][p].sum() for p in stim_periods) / env.dt
    assert noisy.sum() == expected  # noise exactly in the stimulus periods, on both rings
    np.testing.assert_array_equal(residual[:, 0], 0)
    np.testing.assert_allclose(residual[noisy][:, 1:].std(), env.sigma, rtol=0.03)
    np.testing.assert_allclose(residual[noisy][:, 1:].mean(), 0, atol=0.02)
