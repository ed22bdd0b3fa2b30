"""Lifted runs of ``_new_trial`` (``core.lifted``): one run per path through a task's code, trials in the env's law.

The Dataset builds a task's trials by running its unchanged ``_new_trial`` once
for many trials. These tests check the values trial by trial (lifted numpy
arithmetic, splits where Python needs a plain value), the per-trial durations
and order of calls, the laws of durations, inputs, targets and noise against
the env's own trials, and which trial definitions are refused (and then built
by recorded calls, ``core.batch``). No timing assertions: speed is ``bench/run.py``.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _env_trials import env_trials

import neurogym_app as ngym
from neurogym_app.core import dataset as dataset_mod
from neurogym_app.core import timing as timing_mod
from neurogym_app.core.batch import NotBatchable
from neurogym_app.core.dataset import Dataset
from neurogym_app.core.lifted import Lifted, LiftedRandom, Split, build_lifted, check_liftable
from neurogym_app.core.trial_env import OBNOW, TrialEnv

BENCH_TASKS = ["PerceptualDecisionMaking-v0", "ContextDecisionMaking-v0", "DelayMatchSample-v0", "yang19.dm1-v0", "yang19.dms-v0"]


def _shapes(task):
    return (task.observation_space.shape, task.action_space.shape, np.int64)


def _lifted(task_id, n_trials, seed=0, **kwargs):
    task = ngym.make(task_id, **kwargs).unwrapped
    ob, gt, _, _ = build_lifted(task, np.random.default_rng(seed), n_trials, _shapes(task), limit=False)
    return ob, gt


# --------------------------------------------------------------------------- values, trial by trial
def test_lifted_arithmetic_is_each_trials_arithmetic():
    rng = LiftedRandom(np.random.default_rng(0), 7, [])
    x, k = rng.uniform(0, 2 * np.pi), rng.integers(0, 4)
    ring = np.linspace(0, 2 * np.pi, 5, endpoint=False)
    results = [np.cos(ring - x) * 0.5 + 1, (k + 1) ** 2 % 3, -abs(x - 3), ring[None, :] * k / 2.0, x > 3, round(x)]
    for result in results:
        assert type(result) is Lifted and len(result.data) == 7
    for i in range(7):
        xi, ki = x.data[i], k.data[i]
        expected = [np.cos(ring - xi) * 0.5 + 1, (ki + 1) ** 2 % 3, -abs(xi - 3), ring[None, :] * ki / 2.0, xi > 3, round(xi)]
        for result, want in zip(results, expected):
            np.testing.assert_array_equal(result.data[i], want)


def test_a_plain_value_is_given_when_the_trials_agree_and_splits_them_otherwise():
    rng = LiftedRandom(np.random.default_rng(1), 50, [])
    k = rng.integers(0, 3)
    assert int(k * 0) == 0 and not bool(k < 0) and float(k - k) == 0.0
    with pytest.raises(Split) as split:
        int(k)
    np.testing.assert_array_equal(split.value.key[:, 0], k.data)
    with pytest.raises(NotBatchable, match="continuous draw"):
        float(rng.random())  # every trial its own path: not lifted
    assert bool(rng.random() < 2)  # a comparison has few values: it may be needed plain


class _Branchy(TrialEnv):
    """Draws used through int(), str(), if and as indices; the target is a function of what is shown."""

    def __init__(self):
        super().__init__(dt=10)
        self.timing = {"cue": ("choice", [20, 40]), "wait": ("uniform", (10, 60)), "go": ("truncated_exponential", (30, 10, 80))}
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(4,), name={"cue": [0, 1], "level": 2, "side": 3})
        self.action_space = ngym.spaces.Discrete(4)
        self.labels = ("left", "right")

    def _new_trial(self, **kwargs):
        side = str(self.rng.choice(self.labels))
        level = int(self.rng.integers(1, 4))
        phase = self.rng.uniform(0, 1)  # stays lifted: used in arithmetic only
        self.add_period(["cue", "wait", "go"])
        self.add_ob(phase, "cue", where="cue")
        self.set_ob(level, ["cue", "wait"], where="level")
        if side == "left":
            self.add_ob(-1, "go", where="side")
            answer = level
        else:
            self.add_ob(1, "go", where="side")
            answer = 3 - level if level < 3 else 0
        self.set_groundtruth(answer, "go")
        return {"side": side, "level": level}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


def _trials(ob, gt):
    """Split a stream of _Branchy trials at each start (a level row after a go row, or the first row)."""
    in_go = ob[:, 3] != 0
    starts = np.flatnonzero(np.r_[True, in_go[:-1] & ~in_go[1:]])
    return [(ob[a:b], gt[a:b]) for a, b in zip(starts, np.r_[starts[1:], len(ob)])]


def test_each_trial_takes_its_own_path_and_durations():
    task = _Branchy()
    assert check_liftable(copy.deepcopy(task), _shapes(task)) is None
    ob, gt, _, paths = build_lifted(task, np.random.default_rng(2), 3000, _shapes(task))
    assert paths == 6  # side x level: one run per path, whatever the durations and the phase
    trials = _trials(ob, gt)
    assert len(trials) == 3000
    cue_steps, wait_steps, go_steps = [], [], []
    for tob, tgt in trials:
        cue = (tob[:, 0] != 0).sum()
        go = (tob[:, 3] != 0).sum()
        cue_steps.append(cue)
        go_steps.append(go)
        wait_steps.append(len(tob) - cue - go)
        level = tob[0, 2]
        assert (tob[: len(tob) - go, 2] == level).all() and (tob[len(tob) - go :, 2] == 0).all()
        assert np.ptp(tob[:cue, 0]) == 0 and (tob[:cue, 0] == tob[:cue, 1]).all()  # one phase per trial
        side = tob[-1, 3]
        want = level if side < 0 else (3 - level if level < 3 else 0)
        assert (tgt[len(tob) - go :] == want).all() and (tgt[: len(tob) - go] == 0).all()
    # the durations' laws: those of sample_time, drawn per trial
    env = _Branchy()
    reference = {p: [] for p in ("cue", "wait", "go")}
    draws = np.random.default_rng(5)
    for _ in range(3000):
        for p in reference:
            reference[p].append(timing_mod.round_to_dt(timing_mod.sample_duration(p, env.timing[p], draws), 10) / 10)
    for p, ours in zip(reference, (cue_steps, wait_steps, go_steps)):
        support = np.unique(reference[p])
        assert set(np.unique(ours)) <= set(support)
        freq = lambda values: np.array([np.mean(np.asarray(values) == s) for s in support])  # noqa: E731,B023
        np.testing.assert_allclose(freq(ours), freq(reference[p]), atol=0.035)


class _Ordered(TrialEnv):
    """The order of the calls depends on a draw: each trial keeps its own order."""

    def __init__(self):
        super().__init__(dt=10)
        self.timing = {"a": ("choice", [20, 30]), "b": 20, "c": ("uniform", (10, 40))}
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(4,), name={"x": 0, "odd": [1, 3]})
        self.action_space = ngym.spaces.Discrete(3)

    def _new_trial(self, **kwargs):
        flip = bool(self.rng.random() < 0.5)
        self.add_period(["a", "b", "c"])
        if flip:
            self.set_ob(2, "b", where="x")
            self.add_ob(1, where="x")  # after the set: b is 3 there
        else:
            self.add_ob(1, where="x")
            self.set_ob(2, "b", where="x")  # after the add: b is 2 there
        self.add_ob([0.5, 0.25], ["a", "c"], where="odd")
        self.set_groundtruth(2 if flip else 1, "c")
        return {"flip": flip}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


def test_lifted_trials_keep_each_trials_order_of_calls():
    ob, gt, _, _ = build_lifted(_Ordered(), np.random.default_rng(0), 2000, ((4,), (), np.int64))
    in_b = ob[:, 0] > 1
    b_ends = np.flatnonzero(in_b[:-1] & ~in_b[1:])  # the first row of each trial's c
    assert len(b_ends) >= 1990
    for end in b_ends:
        assert gt[end + 1] == (2 if ob[end, 0] == 3 else 1)
    assert set(np.unique(ob[:, 0])) == {1.0, 2.0, 3.0}
    np.testing.assert_array_equal(np.unique(ob[:, [1, 3]], axis=0), [[0, 0], [0.5, 0.25]])


# --------------------------------------------------------------------------- the env's law
@pytest.mark.parametrize(
    ("task_id", "kwargs"),
    [(t, {}) for t in BENCH_TASKS]
    + [
        ("PerceptualDecisionMaking-v0", {"dim_ring": 3, "timing": {"delay": ("uniform", (100, 700))}}),
        ("ContextDecisionMaking-v0", {"use_expl_context": True, "go_cue": True}),
        ("GoNogo-v0", {"timing": {"delay": ("choice", [200, 400, 800])}}),
        ("PerceptualDecisionMakingDelayResponse-v0", {}),
        ("yang19.dnms-v0", {}),
        ("yang19.dlyanti-v0", {}),
        ("yang19.dm1-v0", {"timing": {"stimulus": ("choice", [200, 400, 800])}, "dim_ring": 8}),
    ],
)
def test_lifted_trials_have_the_env_distribution(task_id, kwargs):
    _, _, lengths, env_ob, env_gt = env_trials(task_id, 1500, **kwargs)
    ob, gt = _lifted(task_id, 1500, seed=1, **kwargs)
    support = np.unique(env_gt)
    assert set(np.unique(gt)) <= set(support)
    freq = lambda values: np.array([np.mean(values == s) for s in support])  # noqa: E731
    np.testing.assert_allclose(freq(gt), freq(env_gt), atol=0.02)
    np.testing.assert_allclose(len(ob) / 1500, lengths.mean(), rtol=0.05)
    np.testing.assert_allclose(ob.mean(axis=0), env_ob.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(ob.std(axis=0), env_ob.std(axis=0), rtol=0.06, atol=0.03)


@pytest.mark.parametrize("task_id", ["PerceptualDecisionMaking-v0", "yang19.dm1-v0", "yang19.dms-v0", "ContextDecisionMaking-v0"])
def test_lifted_noise_has_the_env_sd_and_lies_in_the_stimulus_periods(task_id):
    ob, _ = _lifted(task_id, 2000, sigma=1.5)
    clean, _ = _lifted(task_id, 2000, sigma=0)  # the noise is drawn after every path has run: the same trials
    assert ob.shape == clean.shape
    residual = ob - clean
    np.testing.assert_array_equal(residual[:, 0], 0)  # never on the fixation input
    noisy = (residual[:, 1:] != 0).any(axis=1)
    assert 0.1 < noisy.mean() < 0.95
    sigma = ngym.make(task_id, sigma=1.5).unwrapped.sigma
    values = residual[noisy][:, 1:]
    values = values[values != 0]
    np.testing.assert_allclose(values.std(), sigma, rtol=0.03)
    np.testing.assert_allclose(values.mean(), 0, atol=0.02)


# --------------------------------------------------------------------------- which tasks run lifted
@pytest.mark.parametrize("task_id", BENCH_TASKS)
def test_the_bench_tasks_run_lifted(task_id):
    ds = Dataset(task_id, batch_size=4, seq_len=60, seed=0)
    assert ds.vectorized and ds.why_not_lifted is None
    inputs, targets = ds()
    assert inputs.shape[:2] == (60, 4) and targets.shape == (60, 4)


@pytest.mark.parametrize(
    ("task_id", "reason"),
    [
        ("ChangingEnvironment-v0", "changes the task's state (curr_cxt)"),  # its context switches from trial to trial
        ("ContextSwitch-v1", "changes the task's state (context)"),  # the same, the context going back and forth
        ("DelayMatchSampleDistractor1D-v0", "continuous draw as a plain number (if, int(), float(), an index) (delaymatchsample.py:"),
    ],
)
def test_trial_definitions_that_cannot_run_lifted_are_recorded(task_id, reason):
    ds = Dataset(task_id, batch_size=2, seq_len=40, seed=0)
    assert ds.vectorized and reason in ds.why_not_lifted
    assert all(type(row).__name__ == "_BatchRow" for row in ds._rows)
    assert ds()[0].shape == (40, 2, *ds.ob_shape)


def test_a_block_that_cannot_run_lifted_sends_the_rows_to_recorded_trials(monkeypatch):
    PDM = ngym.make("PerceptualDecisionMaking-v0").unwrapped.__class__

    class Later(PDM):
        runs = 0  # on the class: the probe and the Dataset's task share it

        def _new_trial(self, **kwargs):
            type(self).runs += 1
            trial = super()._new_trial(**kwargs)
            if type(self).runs > 30:  # after the probe and a block or two: then it reads its array
                self.ob[:, 0] *= 1.0
            return trial

    monkeypatch.setattr(dataset_mod, "_LIFTED_ROW_STEPS", 64)
    ds = Dataset(Later(), batch_size=3, seq_len=50, seed=0)
    assert ds.why_not_lifted is None
    for _ in range(40):
        inputs, targets = ds()
        assert inputs.shape == (50, 3, 3) and targets.shape == (50, 3)
    source = ds._rows[0].source
    assert source.recorded is not None and all(row.one_by_one is not None for row in source.recorded)


def test_same_seed_same_lifted_batches_and_different_rows():
    a = Dataset("yang19.dms-v0", batch_size=4, seq_len=80, seed=7)
    b = Dataset("yang19.dms-v0", batch_size=4, seq_len=80, seed=7)
    c = Dataset("yang19.dms-v0", batch_size=4, seq_len=80, seed=8)
    for _ in range(3):
        (ia, ta), (ib, tb), (ic, _) = a(), b(), c()
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
        assert not np.array_equal(ia, ic)
        assert not np.array_equal(ia[:, 0], ia[:, 1])


class _OnePeriod(TrialEnv):
    """A one-step mark, then a period drawn from ``spec``: the stream shows every drawn duration."""

    def __init__(self, spec):
        super().__init__(dt=30)
        self.timing = timing_mod.normalise_timing({"mark": 30, "x": spec})
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(1,))
        self.action_space = ngym.spaces.Discrete(2)

    def _new_trial(self, **kwargs):
        self.add_period(["mark", "x"])
        self.add_ob(1, "mark")
        return {}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


@pytest.mark.parametrize(
    "spec",
    [300, ("constant", 120), ("uniform", (200, 500)), ("choice", (100, 200, 300)), ("choice", [100, 300]),
     ("truncated_exponential", (600, 300, 3000)), ("truncated_exponential", (100,)), ("truncated_exponential", (50, 90, 60)),
     [100, 200], lambda rng: 150 + 100 * rng.integers(3)],
    ids=repr,
)
def test_lifted_durations_have_sample_times_law(spec):
    task = _OnePeriod(spec)
    ob, _, _, _ = build_lifted(task, np.random.default_rng(4), 4000, ((1,), (), np.int64), limit=False)
    marks = np.flatnonzero(ob[:, 0] == 1)
    assert len(marks) == 4000
    ours = np.diff(np.r_[marks, len(ob)]) - 1
    draws = np.random.default_rng(9)
    reference = np.array([timing_mod.round_to_dt(timing_mod.sample_duration("x", task.timing["x"], draws), 30) / 30 for _ in range(4000)])
    support = np.unique(reference)
    assert set(np.unique(ours)) <= set(support)
    freq = lambda values: np.array([np.mean(values == s) for s in support])  # noqa: E731
    np.testing.assert_allclose(freq(ours), freq(reference), atol=0.03)


def test_a_timing_callable_without_the_generator_is_not_lifted():
    task = _OnePeriod(lambda: 150 + 100 * np.random.randint(3))  # draws from numpy's global generator
    assert "callable without the generator argument" in check_liftable(task, ((1,), (), np.int64))
