"""ngym.Dataset: fresh arrays, no dropped steps, reproducible, every task, vectorized == new_trial in law.

Also the behaviour-preserving fast paths the Dataset and the benchmarks rely on
(``TaskRandom.choice``, compiled timing specs, channel slices). No timing
assertions here: speed is measured by ``bench/run.py``.
"""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest
from _env_trials import env_trials
from _xvfb import psychopy_display  # noqa: F401  (fixture: the PsychoPy tasks draw in an X window)

import neurogym_app as ngym
from neurogym_app.core import registry
from neurogym_app.core import timing as timing_mod
from neurogym_app.core.batch import build_trials
from neurogym_app.core.dataset import Dataset
from neurogym_app.core.rng import make_rng
from neurogym_app.core.trial_env import OBNOW, TrialEnv

ALL_IDS = sorted(i for i, e in registry.entries().items() if e.available)
PSYCHOPY_IDS = {i for i, e in registry.entries().items() if e.group == "psychopy"}
VECTORIZED = [
    "PerceptualDecisionMaking-v0",
    "ContextDecisionMaking-v0",
    "DelayMatchSample-v0",
    "GoNogo-v0",
    "PerceptualDecisionMakingDelayResponse-v0",
]


def _both_modes(task_id):
    return [pytest.param(task_id, True, id=f"{task_id}-vectorized"), pytest.param(task_id, False, id=f"{task_id}-new_trial")]


# --------------------------------------------------------------------------- API, shapes, dtypes
def test_lazy_attribute_is_the_class():
    assert ngym.Dataset is Dataset


@pytest.mark.parametrize("batch_first", [False, True])
def test_shapes_and_dtypes(batch_first):
    ds = ngym.Dataset("PerceptualDecisionMaking-v0", batch_size=5, seq_len=40, batch_first=batch_first, seed=0)
    inputs, targets = ds()
    lead = (5, 40) if batch_first else (40, 5)
    assert inputs.shape == lead + ds.env.observation_space.shape
    assert targets.shape == lead
    assert inputs.dtype == np.float32 and targets.dtype == np.int64
    assert inputs.flags.c_contiguous and targets.flags.c_contiguous
    assert ds.inputs_shape == inputs.shape and ds.target_shape == targets.shape


def test_batch_first_is_the_transpose():
    a = ngym.Dataset("DelayMatchSample-v0", batch_size=3, seq_len=25, seed=4)()
    b = ngym.Dataset("DelayMatchSample-v0", batch_size=3, seq_len=25, seed=4, batch_first=True)()
    np.testing.assert_array_equal(a[0], b[0].swapaxes(0, 1))
    np.testing.assert_array_equal(a[1], b[1].swapaxes(0, 1))


def test_continuous_actions_give_float32_targets():
    box_ids = [i for i in ALL_IDS if i in ("ReachingDelayResponse-v0", "SpatialSuppressMotion-v0")]
    assert box_ids, "no task with a Box action space is registered"
    _, targets = ngym.Dataset(box_ids[0], batch_size=2, seq_len=10, seed=0)()
    assert targets.dtype == np.float32


def test_default_seq_len_and_env_attribute():
    ds = ngym.Dataset("GoNogo-v0", batch_size=2)
    assert ds.seq_len == 1000
    assert isinstance(ds.env.unwrapped, TrialEnv)
    assert ds()[0].shape[0] == 1000


def test_env_instance_is_copied():
    env = ngym.make("PerceptualDecisionMaking-v0", dim_ring=3)
    env.reset(seed=1)
    trial = dict(env.trial)
    ds = ngym.Dataset(env, batch_size=2, seq_len=30, seed=0)
    inputs, _ = ds()
    assert inputs.shape == (30, 2, 4)
    assert env.trial == trial  # the given env was not stepped or reseeded
    with pytest.raises(ValueError, match="env_kwargs"):
        ngym.Dataset(env, env_kwargs={"dim_ring": 2})


def test_env_kwargs_reach_the_task():
    ds = ngym.Dataset("PerceptualDecisionMaking-v0", env_kwargs={"dim_ring": 4}, batch_size=2, seq_len=10, seed=0)
    assert ds()[0].shape == (10, 2, 5)


def test_bad_arguments():
    with pytest.raises(TypeError):
        ngym.Dataset(3)
    with pytest.raises(ValueError, match="batch_size"):
        ngym.Dataset("GoNogo-v0", batch_size=0)
    with pytest.raises(ValueError, match="seq_len"):
        ngym.Dataset("GoNogo-v0", seq_len=0)
    with pytest.raises(ValueError, match="cannot be batched .the trial reads its ground-truth array.; use Dataset"):
        ngym.Dataset("ReadySetGo-v0", vectorized=True)  # its trial definition writes the gt through view_groundtruth


# --------------------------------------------------------------------------- fresh arrays, windows, seeds
@pytest.mark.parametrize(("task_id", "vectorized"), [p for t in ("PerceptualDecisionMaking-v0", "ContextDecisionMaking-v0") for p in _both_modes(t)])
@pytest.mark.parametrize("batch_size", [1, 4])
@pytest.mark.parametrize("batch_first", [False, True])
def test_every_call_returns_fresh_arrays(task_id, vectorized, batch_size, batch_first):
    ds = ngym.Dataset(task_id, batch_size=batch_size, seq_len=30, seed=0, vectorized=vectorized, batch_first=batch_first)
    first_in, first_t = ds()
    kept_in, kept_t = first_in.copy(), first_t.copy()
    for _ in range(300):  # enough calls to refill and shift the row buffers
        inputs, targets = ds()
        assert inputs.base is None and targets.base is None  # owned, not views of the dataset's buffers
        assert not np.shares_memory(inputs, first_in) and not np.shares_memory(targets, first_t)
    np.testing.assert_array_equal(first_in, kept_in)
    np.testing.assert_array_equal(first_t, kept_t)


@pytest.mark.parametrize(
    ("task_id", "vectorized"),
    [p for t in VECTORIZED for p in _both_modes(t)] + [pytest.param("yang19.dm1-v0", False, id="yang19.dm1")],
)
@pytest.mark.parametrize("batch_first", [False, True])
def test_consecutive_calls_are_consecutive_windows(task_id, vectorized, batch_first):
    assert task_id in ALL_IDS, f"{task_id} is not registered"
    axis = 1 if batch_first else 0
    small = ngym.Dataset(task_id, batch_size=3, seq_len=37, seed=11, vectorized=vectorized, batch_first=batch_first, cache_len=50)
    parts = [small() for _ in range(6)]
    big = ngym.Dataset(task_id, batch_size=3, seq_len=74, seed=11, vectorized=vectorized, batch_first=batch_first)
    wholes = [big() for _ in range(3)]
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts], axis), np.concatenate([w[0] for w in wholes], axis))
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts], axis), np.concatenate([w[1] for w in wholes], axis))


@pytest.mark.parametrize(("task_id", "vectorized"), [p for t in VECTORIZED[:3] for p in _both_modes(t)])
def test_same_seed_same_batches(task_id, vectorized):
    a = ngym.Dataset(task_id, batch_size=4, seq_len=50, seed=3, vectorized=vectorized)
    b = ngym.Dataset(task_id, batch_size=4, seq_len=50, seed=3, vectorized=vectorized)
    c = ngym.Dataset(task_id, batch_size=4, seq_len=50, seed=4, vectorized=vectorized)
    for _ in range(3):
        (ia, ta), (ib, tb), (ic, _) = a(), b(), c()
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta, tb)
    assert not np.array_equal(ia, ic)
    assert not np.array_equal(ia[:, 0], ia[:, 1])  # rows are different streams
    if not vectorized:  # new_trial rows are the env reset with seed + b: a row does not depend on the batch size
        one = ngym.Dataset(task_id, batch_size=1, seq_len=150, seed=3, vectorized=vectorized)()[0]
        again = ngym.Dataset(task_id, batch_size=4, seq_len=150, seed=3, vectorized=vectorized)()[0]
        np.testing.assert_array_equal(one[:, 0], again[:, 0])


def test_reseeding_restarts_the_streams():
    ds = ngym.Dataset("ContextDecisionMaking-v0", batch_size=2, seq_len=20, seed=5)
    first = ds()[0]
    ds()
    ds.seed(5)
    np.testing.assert_array_equal(ds()[0], first)
    ds.seed()  # a fresh random seed, recorded
    assert isinstance(ds.seed_value, int)


def test_new_trial_rows_are_the_env_trial_streams():
    """Row b of the new_trial path is the trials of the task reset with seed + b, end to end."""
    seed, n = 21, 300
    ds = ngym.Dataset("PerceptualDecisionMakingDelayResponse-v0", batch_size=2, seq_len=n, seed=seed, vectorized=False)
    inputs, targets = ds()
    for b in range(2):
        env = ngym.make("PerceptualDecisionMakingDelayResponse-v0")
        env.reset(seed=seed + b)
        obs, gts = [env.ob.copy()], [env.gt.copy()]
        while sum(len(o) for o in obs) < n:
            env.new_trial()
            obs.append(env.ob.copy())
            gts.append(env.gt.copy())
        np.testing.assert_array_equal(inputs[:, b], np.concatenate(obs)[:n])
        np.testing.assert_array_equal(targets[:, b], np.concatenate(gts)[:n])


def test_the_stream_matches_what_the_env_judges():
    """inputs[t] is the observation the agent acts on at t and targets[t] the gt it is judged by."""
    env = ngym.make("DelayMatchSample-v0")
    ob, _ = env.reset(seed=9)
    inputs, targets = ngym.Dataset("DelayMatchSample-v0", batch_size=1, seq_len=120, seed=9, vectorized=False)()
    for t in range(120):
        np.testing.assert_array_equal(inputs[t, 0], ob)
        ob, _, _, _, info = env.step(0)
        assert info["gt"] == targets[t, 0]


def test_iteration_honours_max_batch():
    ds = ngym.Dataset("GoNogo-v0", batch_size=2, seq_len=10, max_batch=3, seed=0)
    assert len(ds) == 3
    batches = list(ds)
    assert len(batches) == 3
    assert all(i.shape == (10, 2, 3) and t.shape == (10, 2) for i, t in batches)
    assert len(list(ds)) == 3  # iterable again, continuing the stream
    ds()
    ds()
    ds()
    with pytest.raises(StopIteration):
        ds()
    with pytest.raises(TypeError):
        len(ngym.Dataset("GoNogo-v0", seq_len=5))


def test_call_fixes_trial_variables_on_the_new_trial_path():
    ds = ngym.Dataset("PerceptualDecisionMaking-v0", batch_size=2, seq_len=200, seed=0, vectorized=False, cache_len=1)
    _, targets = ds(ground_truth=1)
    assert set(np.unique(targets)) == {0, 2}
    with pytest.raises(ValueError, match="vectorized=False"):
        ngym.Dataset("PerceptualDecisionMaking-v0", seq_len=5000, seed=0)(ground_truth=1)


# --------------------------------------------------------------------------- every task
@pytest.mark.parametrize(
    "task_id", [pytest.param(i, marks=pytest.mark.psychopy) if i in PSYCHOPY_IDS else i for i in ALL_IDS]
)
def test_every_registered_task_gives_batches(task_id, request):
    if task_id in PSYCHOPY_IDS:
        request.getfixturevalue("psychopy_display")
    ds = ngym.Dataset(task_id, batch_size=2, seq_len=40, seed=0)
    first = ds()
    second = ds()
    again = ngym.Dataset(task_id, batch_size=2, seq_len=40, seed=0)()
    space = ds.env.action_space
    for inputs, targets in (first, second):
        assert inputs.shape == (40, 2, *ds.env.observation_space.shape)
        assert targets.shape == (40, 2, *space.shape)
        assert inputs.dtype == np.float32
        assert not np.isnan(inputs).any()
        if isinstance(space, gym.spaces.Discrete):
            assert targets.dtype == np.int64  # the task's gt values, whatever they mean
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])


class _PlainEnv(gym.Env):
    """A Gymnasium env without trials: the Dataset steps it with the zero action."""

    observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float64)
    action_space = gym.spaces.Discrete(3)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.k = 0
        return np.array([self.np_random.random(), 0.0]), {}

    def step(self, action):
        self.k += 1
        info = {"gt": self.k % 3} if self.k % 2 else {}
        return np.array([self.np_random.random(), float(action)]), 0.0, self.k >= 5, False, info


def test_envs_without_trial_arrays_are_stepped():
    inputs, targets = ngym.Dataset(_PlainEnv(), batch_size=2, seq_len=12, seed=0)()
    assert inputs.shape == (12, 2, 2) and inputs.dtype == np.float32
    np.testing.assert_array_equal(inputs[:, :, 1], 0)  # the zero action was taken
    # target: info["gt"] when the step reports one (k odd: k % 3), else the action taken (0);
    # the episode ends at k = 5 and the env is reset
    np.testing.assert_array_equal(targets[:, 0], [1, 0, 0, 0, 2, 1, 0, 0, 0, 2, 1, 0])
    again = ngym.Dataset(_PlainEnv(), batch_size=2, seq_len=12, seed=0)()[0]
    np.testing.assert_array_equal(inputs, again)


# --------------------------------------------------------------------------- vectorized == new_trial


def _freqs(values, support):
    values = np.asarray(values)
    return np.array([np.mean(np.isclose(values, s)) for s in support])


@pytest.mark.parametrize(
    ("task_id", "kwargs"),
    [
        ("PerceptualDecisionMaking-v0", {}),
        ("PerceptualDecisionMaking-v0", {"dim_ring": 3, "timing": {"delay": ("uniform", (100, 700))}}),
        ("ContextDecisionMaking-v0", {}),
        ("ContextDecisionMaking-v0", {"use_expl_context": True, "go_cue": True}),
        ("DelayMatchSample-v0", {}),
        ("GoNogo-v0", {"timing": {"delay": ("choice", [200, 400, 800])}}),
        ("PerceptualDecisionMakingDelayResponse-v0", {}),
    ],
)
def test_batched_stream_has_the_env_distribution(task_id, kwargs):
    """The Dataset's batched rows (recorded calls) and the env's trials: the same law of inputs and targets."""
    _, _, lengths, env_ob, env_gt = env_trials(task_id, 1500, **kwargs)
    ds = Dataset(task_id, env_kwargs=kwargs, batch_size=4, seq_len=int(lengths.sum()) // 4, seed=1, vectorized=True)
    assert ds.vectorized
    inputs, targets = ds()
    ob = inputs.reshape(-1, *inputs.shape[2:])
    gt = targets.reshape(-1)
    support = np.unique(env_gt)
    assert set(np.unique(gt)) <= set(support)
    np.testing.assert_allclose(_freqs(gt, support), _freqs(env_gt, support), atol=0.02)
    np.testing.assert_allclose(ob.mean(axis=0), env_ob.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(ob.std(axis=0), env_ob.std(axis=0), rtol=0.05, atol=0.02)


def _sequential_trials(task, rng, n):
    """n trials of ``task._new_trial`` run the ordinary way on ``rng`` (no per-trial seeds): stacked ob, gt."""
    task.rng = rng
    obs, gts = [], []
    for _ in range(n):
        task._reset_periods()
        task._new_trial()
        obs.append(task.ob.copy())
        gts.append(task.gt.copy())
    return np.concatenate(obs), np.concatenate(gts)


@pytest.mark.parametrize(
    ("task_id", "kwargs"),
    [
        ("GoNogo-v0", {"timing": {"delay": ("choice", [200, 400, 800])}}),
        ("DelayMatchSampleDistractor1D-v0", {}),
        ("PulseDecisionMaking-v0", {}),
    ],
)
def test_batched_trials_equal_the_trials_run_one_by_one(task_id, kwargs):
    """Noise-free trial definitions draw the same numbers either way: the batch is the sequence, bit for bit."""
    task = ngym.make(task_id, **kwargs).unwrapped
    space, act = task.observation_space, task.action_space
    ob, gt = build_trials(task, make_rng(5), 3000, space.shape, act.shape, np.int64)
    ref_ob, ref_gt = _sequential_trials(ngym.make(task_id, **kwargs).unwrapped, make_rng(5), 400)
    n = min(len(ob), len(ref_ob))
    assert n >= 3000
    np.testing.assert_array_equal(ob[:n], ref_ob[:n])
    np.testing.assert_array_equal(gt[:n], ref_gt[:n])


class _Ordered(TrialEnv):
    """Calls whose order differs between trials, overlapping writes, fancy channels, a list value."""

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
        self.add_ob(np.arange(4.0), "c")
        self.set_groundtruth(2 if flip else 1, "c")
        return {"flip": flip}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


def test_batched_trials_keep_each_trials_order_of_calls():
    ob, gt = build_trials(_Ordered(), make_rng(0), 2000, (4,), (), np.int64)
    ref_ob, ref_gt = _sequential_trials(_Ordered(), make_rng(0), 400)
    n = min(len(ob), len(ref_ob))
    np.testing.assert_array_equal(ob[:n], ref_ob[:n])
    np.testing.assert_array_equal(gt[:n], ref_gt[:n])
    assert set(np.unique(ob[:, 0])) == {1.0, 2.0, 3.0}  # both orders happened (b is 3 after set-then-add)


def test_batched_noise_has_the_env_sd():
    task = ngym.make("PerceptualDecisionMaking-v0", sigma=1.5).unwrapped
    ob, _ = build_trials(task, make_rng(0), 20000, task.observation_space.shape, (), np.int64)
    quiet = ngym.make("PerceptualDecisionMaking-v0", sigma=0).unwrapped
    clean, _ = build_trials(quiet, make_rng(0), 20000, quiet.observation_space.shape, (), np.int64)
    n = min(len(ob), len(clean))  # the noise is drawn after the trials: the same trials either way
    stimulus = (clean[:n, 1:] != 0).any(axis=1)
    residual = (ob[:n] - clean[:n])[:, 1:][stimulus]
    np.testing.assert_allclose(residual.std(), task.sigma, rtol=0.03)
    np.testing.assert_allclose(residual.mean(), 0, atol=0.02)


def test_trial_definitions_that_touch_their_arrays_go_through_new_trial():
    PDM = registry.load("PerceptualDecisionMaking-v0")

    class Direct(PDM):
        def _new_trial(self, **kwargs):
            trial = super()._new_trial(**kwargs)
            self.ob[:, 0] *= 0.5  # a direct write: cannot be recorded
            return trial

    class Same(PDM):
        pass

    assert not ngym.Dataset(Direct(), seq_len=5).vectorized
    assert ngym.Dataset(Same(), seq_len=5).vectorized
    inputs, _ = ngym.Dataset(Direct(), seq_len=50, seed=0)()
    assert set(np.unique(inputs[:, 0, 0])) <= {0.0, 0.5}


# --------------------------------------------------------------------------- fast paths that must not change behaviour
@pytest.mark.parametrize(
    "population",
    [np.arange(2), np.array([0, 6.4, 12.8, 25.6, 51.2]), [1, 2], (1, 2), ["match", "non-match"], [-1.0, 1.0], [7], np.arange(16)],
    ids=repr,
)
def test_taskrandom_choice_draws_as_numpy(population):
    for seed in range(50):
        ours, numpy_rng = make_rng(seed), np.random.Generator(np.random.PCG64(seed))
        for _ in range(4):
            a, b = ours.choice(population), numpy_rng.choice(population)
            assert a == b and type(a) is type(b)
        assert ours.random() == numpy_rng.random()
    # everything else still goes to numpy
    ours, numpy_rng = make_rng(1), np.random.Generator(np.random.PCG64(1))
    np.testing.assert_array_equal(ours.choice(5, 3), numpy_rng.choice(5, 3))
    assert ours.choice(4, replace=False) == numpy_rng.choice(4, replace=False)
    assert ours.choice([1, 2, 3], p=[0.2, 0.3, 0.5]) == numpy_rng.choice([1, 2, 3], p=[0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    "spec",
    [300, 250.0, ("constant", 120), ("uniform", (200, 500)), ("choice", (100, 200, 300)), ("choice", [100, 300]),
     ("truncated_exponential", (600, 300, 3000)), [100, 200], lambda rng: 150 + 100 * rng.random()],
    ids=repr,
)
def test_sample_time_draws_as_the_timing_module(spec):
    env = ngym.make("PerceptualDecisionMaking-v0", dt=30)
    env.timing = {"stimulus": spec}
    env.rng = make_rng(3)
    reference = make_rng(3)
    for _ in range(20):
        raw = timing_mod.sample_duration("stimulus", spec, reference)
        assert env.sample_time("stimulus") == timing_mod.round_to_dt(raw, 30)
    env.timing = {"stimulus": 90}  # a changed spec is taken up at once
    assert env.sample_time("stimulus") == 90


def test_named_channels_as_slices_write_the_same_observation():
    env = ngym.make("ContextDecisionMaking-v0", use_expl_context=True, dim_ring=3)
    env.reset(seed=0)
    env.new_trial()
    fast = env.ob.copy()
    plain = np.zeros_like(fast)
    copied = copy.deepcopy(env)
    copied._fast_where = lambda where, names: (copied._where(where, names), False)  # the plain fancy-index path
    copied.new_trial(**env.trial)
    plain[...] = copied.ob
    np.testing.assert_array_equal(fast, plain)
    seen = []
    env.add_ob(lambda part: seen.append(part) or 0.0, "stimulus", where="stim1_mod1")
    env.add_ob(lambda part: seen.append(part) or 0.0, "stimulus", where=[1, 2, 3])
    assert all(not np.shares_memory(part, env.ob) for part in seen)  # callables get copies, as before


# --------------------------------------------------------------------------- wrappers
def _scheduled_env():
    from neurogym_app.core.wrappers import ScheduleEnvs
    from neurogym_app.utils.scheduler import RandomSchedule

    return ScheduleEnvs([ngym.make("yang19.dm1-v0"), ngym.make("yang19.dms-v0")], RandomSchedule(2))


def test_task_switching_wrappers_build_each_trial_on_its_task():
    inputs, targets = Dataset(_scheduled_env(), batch_size=1, seq_len=400, seed=3)()
    ref = _scheduled_env()
    ref.reset(seed=3)
    obs, gts, names = [], [], set()
    while sum(len(o) for o in obs) < 400:
        if obs:
            ref.new_trial()
        task = ref.unwrapped
        names.add(type(task).__name__)
        obs.append(task.ob.copy())
        gts.append(task.gt.copy())
    assert names == {"dm1", "dms"}
    np.testing.assert_array_equal(inputs[:, 0], np.concatenate(obs)[:400])
    np.testing.assert_array_equal(targets[:, 0], np.concatenate(gts)[:400])


@pytest.mark.parametrize("wrapper", ["Noise", "PassReward", "PassAction"])
@pytest.mark.parametrize("vectorized", [None, True, False])
def test_wrappers_that_change_observations_are_refused(wrapper, vectorized):
    from neurogym_app.core import wrappers

    env = getattr(wrappers, wrapper)(ngym.make("PerceptualDecisionMaking-v0"))
    with pytest.raises(ValueError, match=f"wrapped by {wrapper}") as err:
        Dataset(env, batch_size=2, seq_len=10, seed=0, vectorized=vectorized)
    assert "\n" not in str(err.value)


def test_a_trial_that_touches_its_arrays_later_sends_the_row_to_new_trial():
    PDM = registry.load("PerceptualDecisionMaking-v0")

    class Sometimes(PDM):
        def _new_trial(self, **kwargs):
            trial = super()._new_trial(**kwargs)
            if self.rng.random() < 0.02:  # rare: the probe's one trial does not see it
                self.view_ob("decision")[:] = 7.0
            return trial

    ds = ngym.Dataset(Sometimes(), batch_size=2, seq_len=500, seed=0)
    assert ds.vectorized
    sevens = 0
    for _ in range(40):
        inputs, targets = ds()
        assert inputs.shape == (500, 2, 3) and targets.shape == (500, 2)
        sevens += int((inputs == 7.0).sum())
    assert all(row.one_by_one is not None for row in ds._rows)
    assert sevens > 0  # the rows went on with the trial definition as written, one trial at a time
