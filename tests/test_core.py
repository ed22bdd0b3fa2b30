"""The task core: timing, periods, seeding, step semantics, registry, make."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core import timing
from neurogym_app.core.rng import make_rng
from neurogym_app.core.trial_env import OBNOW, TaskDefinitionError


class TwoPeriods(ngym.TrialEnv):
    """A tiny task with known periods, used to test the core."""

    default_timing = {"fixation": 120, "decision": 40}

    def __init__(self, dt=100, timing=None, use_ob_now=False):
        super().__init__(dt=dt)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.use_ob_now = use_ob_now
        self.rewards = {"correct": 1.0}
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(2,), name={"fixation": 0, "stim": 1})
        self.action_space = ngym.spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs):
        trial = {"value": float(self.rng.random())}
        trial.update(kwargs)
        self.add_period(["fixation", "decision"])
        self.add_ob(1, "fixation", where="fixation")
        self.add_ob(np.arange(self.n_steps, dtype=float)[:, None] + trial["value"], where="stim")
        self.set_groundtruth(1, "decision")
        return trial

    def _step(self, action):
        reward = 0.0
        if self.in_period("decision") and action == self.gt_now:
            reward = 1.0
            self.performance = 1
        ob = self.ob_now if self.use_ob_now else OBNOW
        return ob, reward, False, False, {"new_trial": False}


# ----------------------------------------------------------------- timing
def test_durations_round_to_nearest_dt_and_never_vanish():
    assert timing.round_to_dt(149, 100) == 100
    assert timing.round_to_dt(150, 100) == 200
    assert timing.round_to_dt(40, 100) == 100  # NeuroGym floors this to 0
    assert timing.round_to_dt(0, 100) == 0


def test_short_period_exists_in_trial():
    env = TwoPeriods()
    env.reset(seed=0)
    # fixation 120 -> 100 ms; decision 40 -> 100 ms (one step, not zero)
    assert env.start_t == {"fixation": 0.0, "decision": 100.0}
    assert env.end_t["decision"] == 200.0 and env.n_steps == 2


@pytest.mark.parametrize(
    "spec, lo, hi",
    [
        (("uniform", (300, 700)), 300, 700),
        (("choice", [100, 200, 300]), 100, 300),
        (("truncated_exponential", (600, 300, 3000)), 300, 3000),
        (("constant", 500), 500, 500),
        ([80, 160], 80, 160),
        (250, 250, 250),
    ],
)
def test_distribution_specs_stay_in_bounds(spec, lo, hi):
    rng = make_rng(1)
    draws = [timing.sample_duration("p", spec, rng) for _ in range(500)]
    assert min(draws) >= lo and max(draws) <= hi


def test_truncated_exponential_mean_is_plausible():
    rng = make_rng(3)
    draws = np.array([timing.truncated_exponential(rng, 600, 0, np.inf) for _ in range(20000)])
    assert abs(draws.mean() - 600) < 20


def test_until_ends_period_at_absolute_time():
    class UntilTask(TwoPeriods):
        default_timing = {"fixation": ("uniform", (100, 500)), "decision": ("until", 1000)}

    env = UntilTask(dt=100)
    for seed in range(5):
        env.reset(seed=seed)
        assert env.end_t["decision"] == 1000.0
        assert env.start_t["decision"] == env.end_t["fixation"]


@pytest.mark.parametrize(
    "spec, words",
    [
        (-5, "negative"),
        (("uniform", (700, 300)), "low"),
        (("gamma", (1, 2)), "unknown distribution"),
        ("abc", "not a timing spec"),
        (("choice", []), "non-empty"),
    ],
)
def test_bad_timing_specs_raise_clear_errors(spec, words):
    with pytest.raises(timing.TimingError, match=words):
        timing.validate_timing("stimulus", spec)


def test_unknown_period_in_timing_names_the_periods():
    with pytest.raises(ValueError, match="did you mean 'fixation'"):
        ngym.make("PerceptualDecisionMaking-v0", timing={"fixaton": 300})


def test_human_timing_preset():
    env = ngym.make("PerceptualDecisionMaking-v0", timing="human")
    assert env.timing_preset == "human"
    assert env.timing["decision"] >= 1000
    with pytest.raises(ValueError, match="no timing preset 'robot'"):
        ngym.make("PerceptualDecisionMaking-v0", timing="robot")


# --------------------------------------------------------- step semantics
def test_reset_takes_no_hidden_step_and_returns_first_observation():
    env = TwoPeriods()
    ob, info = env.reset(seed=0)
    assert env.t_ind == 0 and env.num_tr == 1
    np.testing.assert_array_equal(ob, env.ob[0])
    assert info["new_trial"] is True and info["trial_index"] == 0


def test_step_judges_current_step_and_returns_next_observation():
    env = TwoPeriods()
    env.reset(seed=0)
    first_ob = env.ob.copy()
    ob, reward, *_ , info = env.step(0)
    np.testing.assert_array_equal(ob, first_ob[1])
    assert info["period"] == "fixation" and info["gt"] == 0 and info["trial_index"] == 0
    ob, reward, *_, info = env.step(1)
    assert info["period"] == "decision" and reward == 1.0
    assert info["new_trial"] and info["performance"] == 1
    assert "trial_seed" in info["trial"]
    np.testing.assert_array_equal(ob, env.ob[0])  # first observation of the next trial


def test_neurogym_style_ob_now_return_is_advanced():
    a, b = TwoPeriods(use_ob_now=True), TwoPeriods(use_ob_now=False)
    a.reset(seed=4)
    b.reset(seed=4)
    for action in [0, 1, 0, 0, 1]:
        oa, *_ = a.step(action)
        ob, *_ = b.step(action)
        np.testing.assert_array_equal(oa, ob)


def test_obnow_is_a_sentinel_not_a_string():
    assert OBNOW is not "OBNOW"  # noqa: F632 - identity is the point
    assert pickle.loads(pickle.dumps(OBNOW)) is OBNOW


def test_adding_period_after_observation_is_an_error():
    class Bad(TwoPeriods):
        def _new_trial(self, **kwargs):
            self.add_period("fixation")
            self.add_ob(1, "fixation")
            self.add_period("decision")
            return {}

    with pytest.raises(TaskDefinitionError, match="add all periods first"):
        Bad().reset(seed=0)


# ----------------------------------------------------------------- seeding
def test_same_seed_same_trials_different_seed_different():
    def run(seed):
        env = ngym.make("PerceptualDecisionMaking-v0")
        env.reset(seed=seed)
        obs = []
        for _ in range(300):
            ob, *_ = env.step(0)
            obs.append(ob)
        return np.array(obs)

    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_recorded_trial_rebuilds_exactly_noise_included():
    env = ngym.make("PerceptualDecisionMaking-v0")
    env.reset(seed=2)
    trial = env.new_trial()
    ob = env.ob.copy()
    env.new_trial()
    env.new_trial(**trial)
    np.testing.assert_array_equal(env.ob, ob)


def test_neurogym_randomstate_names_work():
    rng = make_rng(0)
    assert 0 <= rng.rand() < 1 and rng.randn(3).shape == (3,) and 0 <= rng.randint(5) < 5
    clone = pickle.loads(pickle.dumps(rng))
    assert clone.rand() == rng.rand()


def test_deepcopy_continues_identically():
    env = ngym.make("ContextDecisionMaking-v0")
    env.reset(seed=1)
    for _ in range(10):
        env.step(0)
    twin = copy.deepcopy(env)
    for a in [0, 1, 2, 0, 1] * 20:
        o1, r1, *_ = env.step(a)
        o2, r2, *_ = twin.step(a)
        np.testing.assert_array_equal(o1, o2)
        assert r1 == r2


# ------------------------------------------------------------ spaces/make
def test_named_spaces():
    env = ngym.make("PerceptualDecisionMaking-v0")
    assert env.observation_space.name == {"fixation": 0, "stimulus": [1, 2]}
    assert env.action_space.name == {"fixation": 0, "choice": [1, 2]}
    with pytest.raises(ValueError, match="outside"):
        ngym.spaces.Box(0, 1, shape=(2,), name={"a": 5})


def test_make_returns_bare_task_with_neurogym_attributes():
    env = ngym.make("PerceptualDecisionMaking-v0", dt=20)
    assert isinstance(env, ngym.TrialEnv) and env.dt == 20
    env.reset(seed=0)
    assert env.timing["stimulus"] == 2000 and env.gt.shape[0] == env.ob.shape[0]
    assert env.spec is not None and env.spec.id == "PerceptualDecisionMaking-v0"


def test_gymnasium_make_works_and_wraps():
    env = gym.make("GoNogo-v0")
    assert isinstance(env, gym.Wrapper)
    ob, _ = env.reset(seed=0)
    assert ob in env.observation_space


def test_unknown_id_names_closest_ids():
    with pytest.raises(ngym.UnknownTaskError, match="did you mean 'PerceptualDecisionMaking-v0'"):
        ngym.make("PerceptualDecisionMakng-v0")
    with pytest.raises(ngym.UnknownTaskError, match="case-sensitive"):
        ngym.make("gonogo-v0")


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(ngym.TaskParameterError, match="has no parameter 'coherences'.*valid parameters: .*cohs"):
        ngym.make("PerceptualDecisionMaking-v0", coherences=[1])


def test_bad_parameter_values_are_clear():
    with pytest.raises(ValueError, match="dim_ring"):
        ngym.make("PerceptualDecisionMaking-v0", dim_ring=1)
    with pytest.raises(ValueError, match="unknown reward 'win'"):
        ngym.make("GoNogo-v0", rewards={"win": 1})


def test_register_and_duplicate_id():
    ngym.register("TwoPeriodsTest-v0", TwoPeriods)
    try:
        env = ngym.make("TwoPeriodsTest-v0")
        assert isinstance(env, TwoPeriods)
        with pytest.raises(ValueError, match="defined twice"):
            ngym.register("TwoPeriodsTest-v0", TwoPeriods)
    finally:
        from neurogym_app.core.registry import unregister

        unregister("TwoPeriodsTest-v0")


def test_all_envs_and_tags():
    native = ngym.all_envs()
    assert "GoNogo-v0" in native
    assert all(not i.startswith("yang19.") for i in native)
    assert "perceptual" in ngym.all_tags()
    assert "PerceptualDecisionMaking-v0" in ngym.all_envs(tag="perceptual")


def test_go_cue_option_keeps_fixation_until_decision():
    env = ngym.make("ContextDecisionMaking-v0", go_cue=True)
    env.reset(seed=0)
    fix = env.ob[:, 0]
    assert np.all(fix[: env.start_ind["decision"]] == 1) and np.all(fix[env.start_ind["decision"] :] == 0)
    plain = ngym.make("ContextDecisionMaking-v0")
    plain.reset(seed=0)
    assert np.all(plain.ob[plain.start_ind["stimulus"] :, 0] == 0)


def test_gonogo_keeps_performance_for_withheld_nogo():
    env = ngym.make("GoNogo-v0")
    env.reset(seed=0, options={"trial": {"ground_truth": 0}})
    info = {}
    while not info.get("new_trial"):
        _, _, _, _, info = env.step(0)
    assert info["performance"] == 1


def test_import_loads_no_gui_or_heavy_packages():
    code = (
        "import sys, neurogym_app as ngym; ngym.make('PerceptualDecisionMaking-v0').reset(seed=0);"
        "bad=[m for m in ('PyQt6','pyqtgraph','psychopy','torch','matplotlib') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ----------------------------------------------------------------------------- the per-step period index
class Overlapping(ngym.TrialEnv):
    """Periods that overlap and one that a task moves by hand mid-trial (NeuroGym tasks edit start_t)."""

    def __init__(self, dt=100, move_at=None):
        super().__init__(dt=dt)
        self.move_at = move_at
        self.timing = {"a": 300, "b": 300, "c": 200}
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(1,))
        self.action_space = ngym.spaces.Discrete(2)

    def _new_trial(self, **kwargs):
        self.add_period(["a", "b"])
        self.add_period("c", after=100.0)  # overlaps the end of a and the start of b
        return {}

    def _step(self, action):
        if self.move_at is not None and self.t_ind == self.move_at:
            self.start_t["b"] = self.t + self.dt  # b now starts at the next step
        return OBNOW, 0.0, False, False, {}


def _scan_period(env):
    """current_period by its definition: the first period whose times contain t."""
    return next((p for p in env.periods if env.start_t[p] <= env.t < env.end_t[p]), None)


@pytest.mark.parametrize("dt", [100, 0.1 * 1000, 30, 7.3])
def test_step_period_matches_the_scan_of_period_times(dt):
    env = Overlapping(dt=dt)
    env.reset(seed=0)
    for _ in range(40):
        expected = _scan_period(env)
        _, _, _, _, info = env.step(0)
        assert info["period"] == expected


def test_period_moved_by_the_task_mid_trial_is_seen_by_step():
    env = Overlapping(dt=100, move_at=0)
    env.reset(seed=0)
    seen = []
    for _ in range(5):
        expected = _scan_period(env)
        _, _, _, _, info = env.step(0)
        seen.append(info["period"])
        assert info["period"] == expected
    # c (added after a and b) never wins: a is first until 300 ms, then b starts early at 100 ms
    assert seen[:3] == ["a", "a", "a"]


def test_period_times_survive_pickle():
    env = TwoPeriods(dt=100)
    env.reset(seed=3)
    env.step(0)
    clone = pickle.loads(pickle.dumps(env))
    assert clone.start_t == env.start_t and clone.end_t == env.end_t
    assert clone.current_period == env.current_period == "decision"
    clone.end_t["fixation"] = 500.0  # plain dicts: a task may move a period by hand
    assert clone.current_period == "fixation" and env.current_period == "decision"


def test_block_hashed_trial_seeds_give_numpys_pcg64_states():
    from neurogym_app.core.rng import SeedStates, derive_seed, pcg64_states

    seeds = np.random.default_rng(5).integers(2**63, size=500, dtype=np.uint64)
    edge = np.array([0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1], dtype=np.uint64)
    for seed, (state, inc) in zip(np.concatenate([seeds, edge]).tolist(), pcg64_states(np.concatenate([seeds, edge]))):
        expected = np.random.PCG64(seed).state["state"]
        assert (state, inc) == (expected["state"], expected["inc"]), seed
    # the queue hands out the seeds derive_seed would draw, in order, across block boundaries
    queue, master = SeedStates(make_rng(11)), make_rng(11)
    for _ in range(16 + 32 + 64 + 3):
        seed, state = queue.next()
        assert seed == derive_seed(master)
        assert state[0] == np.random.PCG64(seed).state["state"]["state"]


class Sequenced(ngym.TrialEnv):
    """Adds its periods as one list or one by one (the same trial either way)."""

    def __init__(self, one_by_one, dt=30, durations=None):
        super().__init__(dt=dt)
        self.one_by_one = one_by_one
        self.durations = durations or [None] * 5
        self.timing = timing.normalise_timing({
            "fixation": ("uniform", (100, 400)),
            "cue": ("choice", [40, 70, 130]),
            "wait": ("truncated_exponential", (200, 50, 600)),
            "go": ("until", 2000),
            "tail": 0,
        })
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(1,))
        self.action_space = ngym.spaces.Discrete(2)

    def _new_trial(self, **kwargs):
        names = ["fixation", "cue", "wait", "go", "tail"]
        if self.one_by_one:
            for name, duration in zip(names, self.durations):
                self.add_period(name, duration=duration)
        else:
            self.add_period(names, duration=self.durations)
        return {}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


@pytest.mark.parametrize("durations", [None, [None, 70, 44.9, timing.Until(1500), 0], [10, None, None, None, 31]])
def test_adding_a_list_of_periods_equals_adding_them_one_by_one(durations):
    listed, single = Sequenced(False, durations=durations), Sequenced(True, durations=durations)
    listed.reset(seed=9)
    single.reset(seed=9)
    for _ in range(50):
        for attr in ("start_t", "end_t", "start_ind", "end_ind"):
            assert dict(getattr(listed, attr)) == dict(getattr(single, attr))
        assert listed.tmax == single.tmax and listed.periods == single.periods
        listed.new_trial()
        single.new_trial()
    with pytest.raises(TaskDefinitionError, match="added twice"):
        listed.add_period(["go"])


@pytest.mark.parametrize("dt", [30, 7.3, 100])
def test_step_reports_the_first_period_of_each_step(dt):
    env = Sequenced(False, dt=dt)
    env.reset(seed=4)
    for _ in range(300):
        expected = _scan_period_at(env, env.t_ind) if env.t == env.t_ind * env.dt else env.current_period
        _, _, _, _, info = env.step(0)
        assert info["period"] == expected


def _scan_period_at(env, k):
    t = k * env.dt
    return next((p for p in env.periods if env.start_t[p] <= t < env.end_t[p]), None)


def test_constant_timing_layout_follows_timing_changes():
    listed, single = Sequenced(False), Sequenced(True)
    constant = {"fixation": 300, "cue": 60, "wait": 0, "go": 450, "tail": 20}
    for env in (listed, single):
        env.timing = timing.normalise_timing(dict(constant))
        env.reset(seed=2)
    for step in range(12):
        if step == 4:
            for env in (listed, single):
                env.timing["cue"] = 90  # edited in place: the cached layout must not be reused
        if step == 8:
            for env in (listed, single):
                env.timing["wait"] = ("choice", [30, 60])  # no longer constant
        for attr in ("start_t", "end_t", "start_ind", "end_ind"):
            assert dict(getattr(listed, attr)) == dict(getattr(single, attr))
        assert listed.tmax == single.tmax
        assert [listed.period_at(k) for k in range(listed.n_steps)] == [single.period_at(k) for k in range(single.n_steps)]
        listed.new_trial()
        single.new_trial()
    assert listed.end_t["cue"] - listed.start_t["cue"] == 90


class ConstantWriter(ngym.TrialEnv):
    """Constant timing (a shared layout) and declarative writes resolved once per layout."""

    def __init__(self):
        super().__init__(dt=10)
        self.timing = {"a": 30, "b": 20, "c": 10}
        self.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(3,), name={"x": 0, "yz": [1, 2]})
        self.action_space = ngym.spaces.Discrete(2, name={"go": 1})

    def _new_trial(self, **kwargs):
        self.add_period(["a", "b", "c"])
        self.add_ob(1, ["a", "b"], where="x")
        self.add_ob(np.array([2.0, 3.0]), "b", where="yz")
        self.set_ob(5, "c", where=[0, 2])
        self.set_groundtruth(0, "c", where="go")
        return {}

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


def _expected_rows(env):
    ob = np.zeros((env.n_steps, 3), np.float32)
    a, b, c = (slice(env.start_ind[p], env.end_ind[p]) for p in "abc")
    ob[a, 0] = 1
    ob[b, 0] = 1
    ob[b, 1:] += np.array([2.0, 3.0], np.float32)
    ob[c, 0] = ob[c, 2] = 5
    return ob


def test_writes_resolved_once_per_layout_follow_timing_and_space_changes():
    env = ConstantWriter()
    env.reset(seed=0)
    for trial in range(9):
        if trial == 3:
            env.timing["b"] = 40  # a new layout: what was resolved for the old one must not be reused
        if trial == 6:
            env.observation_space = ngym.spaces.Box(-np.inf, np.inf, shape=(3,), name={"x": 2, "yz": [0, 1]})
        env.new_trial()
        expected = _expected_rows(env)
        if trial >= 6:
            expected = np.zeros_like(expected)
            a, b, c = (slice(env.start_ind[p], env.end_ind[p]) for p in "abc")
            expected[a, 2] = expected[b, 2] = 1
            expected[b, :2] += np.array([2.0, 3.0], np.float32)
            expected[c, 0] = expected[c, 2] = 5
        np.testing.assert_array_equal(env.ob, expected)
        assert env.gt.tolist() == [0] * env.start_ind["c"] + [1] * (env.end_ind["c"] - env.start_ind["c"])
    assert env.end_t["b"] - env.start_t["b"] == 40


def test_trial_generator_written_in_place_is_make_rng_of_the_trial_seed():
    import platform

    from neurogym_app.core.rng import SeedStates, state_writer

    rng = make_rng(0)
    writer = state_writer(rng)
    if platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64"):
        assert writer is not None  # 128-bit integers on these: the C state is written directly
    queue = SeedStates(make_rng(4))
    for _ in range(16 + 5):
        rng.integers(2**32, size=3, dtype=np.uint32)  # a buffered half-word the next trial must not see
        seed = queue.advance(rng)
        fresh = make_rng(seed)
        assert rng.bit_generator.state == fresh.bit_generator.state
        assert rng.integers(2**32, size=3, dtype=np.uint32).tolist() == fresh.integers(2**32, size=3, dtype=np.uint32).tolist()
        assert rng.standard_normal(2).tolist() == fresh.standard_normal(2).tolist()
