"""yang19 in ``ngym.Dataset``: every family's one trial definition is batched (recorded calls), in the env's law.

The reach tasks are noise-free by default, so their batched trials are the
trials run one by one, bit for bit; the noisy families have the env's law of
inputs and targets, with noise exactly in the stimulus periods.
"""

from __future__ import annotations

import numpy as np
import pytest
from _env_trials import env_trials

import neurogym_app as ngym
from neurogym_app.core.batch import build_trials
from neurogym_app.core.dataset import Dataset
from neurogym_app.core.rng import make_rng

REACH = ["go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti"]
DM = ["dm1", "dm2", "ctxdm1", "ctxdm2", "multidm"]
DLYDM = ["dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm"]
MATCH = ["dms", "dnms", "dmc", "dnmc"]


def _id(name):
    return f"yang19.{name}-v0"


def _batch(task_id, steps, seed=0, **kwargs):
    task = ngym.make(task_id, **kwargs).unwrapped
    return build_trials(task, make_rng(seed), steps, task.observation_space.shape, (), np.int64)


@pytest.mark.parametrize("name", REACH + DM + DLYDM + MATCH)
def test_every_family_task_is_batched(name):
    ds = Dataset(_id(name), batch_size=3, seq_len=50, seed=0)
    assert ds.vectorized
    inputs, targets = ds()
    assert inputs.shape == (50, 3, 33) and targets.shape == (50, 3)


@pytest.mark.parametrize("name", REACH)
def test_noise_free_batches_are_the_trials_run_one_by_one(name):
    ob, gt = _batch(_id(name), 2000, seed=3)
    task = ngym.make(_id(name)).unwrapped
    task.rng = make_rng(3)
    obs, gts = [], []
    while sum(len(o) for o in obs) < len(ob):
        task._reset_periods()
        task._new_trial()
        obs.append(task.ob.copy())
        gts.append(task.gt.copy())
    np.testing.assert_array_equal(ob, np.concatenate(obs)[: len(ob)])
    np.testing.assert_array_equal(gt, np.concatenate(gts)[: len(gt)])


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [(n, {}) for n in DM + DLYDM + MATCH]
    + [("dm1", {"timing": {"stimulus": ("choice", [200, 400, 800])}, "dim_ring": 8}), ("dmc", {"dim_ring": 8})],
)
def test_batched_trials_have_the_env_distribution(name, kwargs):
    _, _, lengths, env_ob, env_gt = env_trials(_id(name), 1500, **kwargs)
    ob, gt = _batch(_id(name), int(lengths.sum()), **kwargs)
    support = np.unique(env_gt)
    assert set(np.unique(gt)) <= set(support)
    freq = lambda values: np.array([np.mean(values == s) for s in support])  # noqa: E731
    np.testing.assert_allclose(freq(gt), freq(env_gt), atol=0.02)
    np.testing.assert_allclose(ob.mean(axis=0), env_ob.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(ob.std(axis=0), env_ob.std(axis=0), rtol=0.06, atol=0.03)


@pytest.mark.parametrize("name", ["dm1", "dlydm2", "dms", "dnmc"])
def test_batched_noise_lies_in_the_stimulus_periods(name):
    ob, _ = _batch(_id(name), 20000, sigma=1.5)
    clean, _ = _batch(_id(name), 20000, sigma=0)  # the noise is drawn after the trials: the same trials
    n = min(len(ob), len(clean))
    residual = ob[:n] - clean[:n]
    np.testing.assert_array_equal(residual[:, 0], 0)  # never on the fixation input
    noisy = (residual[:, 1:] != 0).all(axis=1)  # both rings at once
    assert 0.1 < noisy.mean() < 0.9
    sigma = ngym.make(_id(name), sigma=1.5).unwrapped.sigma
    np.testing.assert_allclose(residual[noisy][:, 1:].std(), sigma, rtol=0.03)
    np.testing.assert_allclose(residual[noisy][:, 1:].mean(), 0, atol=0.02)
