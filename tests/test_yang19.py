"""The Yang et al. 2019 collection (``yang19.<name>-v0``): layout, oracle play, ring codes, labels."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from neurogym_app.core import registry
from neurogym_app.core.timing import spec_bounds
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.collections import yang19

NAMES = [
    "go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti", "dm1", "dm2", "ctxdm1", "ctxdm2", "multidm",
    "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm", "dms", "dnms", "dmc", "dnmc",
]
REACH = ["go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti"]
DM = ["dm1", "dm2", "ctxdm1", "ctxdm2", "multidm"]
DLYDM = ["dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm"]
MATCH = ["dms", "dnms", "dmc", "dnmc"]
# Which rings show the stimuli and how much each counts (Yang et al. 2019, Fig. 1).
DM_WEIGHTS = {
    "dm1": (1, 0), "dm2": (0, 1), "ctxdm1": (1, 0), "ctxdm2": (0, 1), "multidm": (1, 1),
    "dlydm1": (1, 0), "dlydm2": (0, 1), "ctxdlydm1": (1, 0), "ctxdlydm2": (0, 1), "multidlydm": (1, 1),
}
DM_SHOWN = {
    "dm1": (1,), "dm2": (2,), "ctxdm1": (1, 2), "ctxdm2": (1, 2), "multidm": (1, 2),
    "dlydm1": (1,), "dlydm2": (2,), "ctxdlydm1": (1, 2), "ctxdlydm2": (1, 2), "multidlydm": (1, 2),
}


def make(name: str, **kwargs) -> TrialEnv:
    env = registry.make(f"yang19.{name}-v0", **kwargs)
    assert isinstance(env, TrialEnv)
    return env


def ring(env: TrialEnv, period: str, modality: int) -> np.ndarray:
    """The ``stimulus_mod<modality>`` ring during ``period`` (time x units)."""
    idx = env.observation_space.name[f"stimulus_mod{modality}"]
    return env.view_ob(period)[:, idx]


def direction_index(theta: float, n: int) -> int:
    return int(round(float(theta) / (2 * np.pi / n))) % n


def decision_gt(env: TrialEnv) -> int:
    gt = env.view_groundtruth("decision")
    assert len(gt) > 0 and np.all(gt == gt[0]), "the correct action changes within the decision period"
    return int(gt[0])


# ------------------------------------------------------------------ structure
@pytest.mark.parametrize("name", NAMES)
def test_each_task_is_a_documented_trialenv_class(name):
    cls = getattr(yang19, name)
    assert inspect.isclass(cls) and issubclass(cls, TrialEnv)
    assert cls.__name__ == name
    assert (cls.__dict__.get("__doc__") or "").strip(), f"{name} has no docstring of its own"
    assert registry.spec(f"yang19.{name}-v0").entry_point == f"neurogym_app.tasks.collections.yang19:{name}"


@pytest.mark.parametrize("name", NAMES)
def test_layout_matches_neurogym(name):
    env = make(name)
    n = 16
    assert env.observation_space.shape == (1 + 2 * n,)
    assert env.observation_space.name == {
        "fixation": 0,
        "stimulus_mod1": list(range(1, n + 1)),
        "stimulus_mod2": list(range(n + 1, 2 * n + 1)),
    }
    assert env.action_space.n == 1 + n
    assert env.action_space.name == {"fixation": 0, "choice": list(range(1, n + 1))}
    assert env.rewards == {"abort": -0.1, "correct": 1.0, "fail": 0.0}
    small = make(name, dim_ring=8)
    assert small.observation_space.shape == (17,) and small.action_space.n == 9


@pytest.mark.parametrize(
    "name, timing",
    [
        ("go", {"fixation": 500, "stimulus": 500, "delay": 0, "decision": 500}),
        ("rtgo", {"fixation": 500, "decision": 500}),
        ("dlyanti", {"fixation": 500, "stimulus": 500, "delay": 500, "decision": 500}),
        ("dm1", {"fixation": ("uniform", (200, 500)), "stimulus": 500, "decision": 200}),
        ("multidlydm", {"fixation": ("uniform", (200, 500)), "stim1": 500, "delay": 1000, "stim2": 500, "decision": 200}),
        ("dmc", {"fixation": 300, "sample": 500, "delay": 1000, "test": 500, "decision": 900}),
    ],
)
def test_default_timing_matches_neurogym(name, timing):
    assert make(name).timing == timing


def test_delayed_reach_keeps_the_callers_timing():
    # NeuroGym's dlygo/dlyanti replaced any given timing by {"delay": 500}.
    env = make("dlygo", timing={"fixation": 300})
    assert env.timing["fixation"] == 300 and env.timing["delay"] == 500


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    env = make(name)
    meta = type(env).metadata
    assert meta["paper_link"] == "https://www.nature.com/articles/s41593-018-0310-2"
    assert meta["paper_name"].startswith("Task representations in neural networks")
    assert meta["tags"] and meta["human_playable"] is True
    trial = env.reset(seed=1)[1]["trial"]
    assert meta["rt_from"] in env.periods
    assert meta["condition_vars"] and all(k in trial for k in meta["condition_vars"])
    if name in DM + DLYDM:
        assert meta["strength_var"] in trial
        assert env.signed_strength(trial) == pytest.approx(
            trial["strength"] if trial["target"] == 1 else -trial["strength"]
        )


@pytest.mark.parametrize("name", NAMES)
def test_human_preset_is_playable(name):
    env = make(name, timing="human")
    assert set(env.timing) == set(make(name).timing)
    assert spec_bounds(env.timing["fixation"])[0] >= 500
    low, high = spec_bounds(env.timing["decision"])
    assert 1500 <= low <= high <= 2000
    for period, spec in env.timing.items():
        lo, _ = spec_bounds(spec)
        assert lo == 0 or lo >= 100, f"{period} flashes for {lo} ms"


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="dim_ring"):
        make("dms", dim_ring=15)
    with pytest.raises(ValueError, match="dim_ring"):
        make("dmc", dim_ring=3)
    with pytest.raises(ValueError, match="dim_ring"):
        make("go", dim_ring=1)
    with pytest.raises(ValueError, match="cohs"):
        make("dm1", cohs=[])
    with pytest.raises(ValueError, match="cohs"):
        make("dlydm1", cohs=[0.5, 0.5])
    with pytest.raises(registry.TaskParameterError):
        make("go", anti=True)


# ---------------------------------------------------------------- oracle play
@pytest.mark.parametrize("timing", [None, "human"])
@pytest.mark.parametrize("name", NAMES)
def test_oracle_acting_gt_now_is_correct(name, timing):
    env = make(name, timing=timing)
    env.reset(seed=3)
    perf, rewards = [], 0.0
    while len(perf) < 60:
        _, reward, _, _, info = env.step(env.gt_now)
        rewards += reward
        if info["new_trial"]:
            perf.append(info["performance"])
    assert np.mean(perf) == 1.0
    assert rewards == pytest.approx(60 * env.rewards["correct"])


@pytest.mark.parametrize("name", NAMES)
def test_wrong_or_early_responses_are_not_rewarded(name):
    env = make(name)
    env.reset(seed=5)
    assert env.current_period == "fixation"
    _, reward, *_ = env.step(1)  # a response while fixation is required
    assert reward == env.rewards["abort"]
    # a wrong direction in the decision period ends the trial unrewarded
    env.new_trial()
    while not env.in_period("decision"):
        env.step(0)
    wrong = 1 + (env.gt_now % env.dim_ring) if env.gt_now else 1
    _, reward, _, _, info = env.step(wrong)
    assert info["new_trial"] and info["performance"] == 0 and reward == env.rewards["fail"]


@pytest.mark.parametrize("name", ["dms", "dnms", "dmc", "dnmc"])
def test_withholding_on_nogo_trials_is_correct(name):
    env = make(name)
    env.reset(seed=0)
    go_gt = "match" if name in ("dms", "dmc") else "non-match"
    nogo_gt = "non-match" if go_gt == "match" else "match"
    env.new_trial(ground_truth=nogo_gt)
    assert decision_gt(env) == 0
    total = 0.0
    while True:
        _, reward, _, _, info = env.step(0)
        total += reward
        if info["new_trial"]:
            break
    assert info["performance"] == 1 and total == env.rewards["correct"]
    env.new_trial(ground_truth=go_gt)
    assert decision_gt(env) == 1 + env.trial["test_index"]
    while True:  # a missed go trial is not correct
        _, reward, _, _, info = env.step(0)
        if info["new_trial"]:
            break
    assert info["performance"] == 0 and reward == 0


# ----------------------------------------------------------- ring-coded input
@pytest.mark.parametrize("name", REACH)
def test_reach_stimulus_peaks_at_the_trial_direction(name):
    env = make(name)
    env.reset(seed=11)
    n = env.dim_ring
    period = "decision" if name.startswith("rt") else "stimulus"
    seen = set()
    for _ in range(200):
        trial = env.new_trial()
        mod, other = trial["modality"], 3 - trial["modality"]
        stim = direction_index(trial["stim_theta"], n)
        expected = (trial["ground_truth"] + n // 2) % n if "anti" in name else trial["ground_truth"]
        assert stim == expected
        shown = ring(env, period, mod)
        assert np.all(shown.argmax(axis=1) == stim)
        assert shown.max() == pytest.approx(0.8)
        assert np.all(ring(env, period, other) == 0)
        if not name.startswith("rt"):
            assert np.all(ring(env, "decision", mod) == 0)  # the stimulus is gone at the response
        assert decision_gt(env) == 1 + trial["ground_truth"]
        seen.add((stim, mod))
    assert len(seen) == 2 * n


@pytest.mark.parametrize("name", DM + DLYDM)
def test_dm_stimuli_peak_at_their_directions_and_gt_is_the_stronger(name):
    env = make(name, sigma=0.0)
    env.reset(seed=12)
    n = env.dim_ring
    w = DM_WEIGHTS[name]
    ties = 0
    for _ in range(300):
        trial = env.new_trial()
        i1, i2 = trial["stim1_index"], trial["stim2_index"]
        assert direction_index(trial["theta1"], n) == i1 and direction_index(trial["theta2"], n) == i2
        sep = min((i1 - i2) % n, (i2 - i1) % n) * 360 / n
        assert 90 <= sep <= 180
        evidence = 0.0
        for mod in (1, 2):
            if mod not in DM_SHOWN[name]:
                for period in ("stim1", "stim2") if name in DLYDM else ("stimulus",):
                    assert np.all(ring(env, period, mod) == 0)
                continue
            if name in DLYDM:
                a, b = ring(env, "stim1", mod), ring(env, "stim2", mod)
                assert np.all(a.argmax(axis=1) == i1) and np.all(b.argmax(axis=1) == i2)
                s1, s2 = a[0, i1], b[0, i2]
            else:
                both = ring(env, "stimulus", mod)[0]
                s1, s2 = both[i1], both[i2]
                # both bumps are local maxima; the global one is the stronger stimulus
                for i in (i1, i2):
                    assert both[i] >= both[(i - 1) % n] and both[i] >= both[(i + 1) % n]
                assert both.argmax() in ((i1,) if s1 > s2 else (i2,))
            evidence += w[mod - 1] * (s1 - s2)
        target = decision_gt(env) - 1
        assert target in (i1, i2)
        if abs(evidence) < 1e-6:
            ties += 1
            assert trial["strength"] == 0
        else:
            assert target == (i1 if evidence > 0 else i2)
            assert np.sign(env.signed_strength(trial)) == np.sign(evidence)
            assert trial["strength"] == pytest.approx(abs(evidence) / 0.8, rel=1e-3)
    assert ties < 100  # only multidm/multidlydm can tie (about 1 trial in 8 or 6)
    if name not in ("multidm", "multidlydm"):
        assert ties == 0


@pytest.mark.parametrize("name", MATCH)
def test_match_stimuli_peak_at_sample_and_test(name):
    env = make(name, sigma=0.0)
    env.reset(seed=13)
    n = env.dim_ring
    for _ in range(200):
        trial = env.new_trial()
        mod, other = trial["modality"], 3 - trial["modality"]
        assert np.all(ring(env, "sample", mod).argmax(axis=1) == trial["sample_index"])
        assert np.all(ring(env, "test", mod).argmax(axis=1) == trial["test_index"])
        assert direction_index(trial["sample_theta"], n) == trial["sample_index"]
        assert direction_index(trial["test_theta"], n) == trial["test_index"]
        for period in ("sample", "delay", "test", "decision"):
            assert np.all(ring(env, period, other) == 0)
        assert np.all(ring(env, "delay", mod) == 0)
        if name in ("dms", "dnms"):
            same = trial["sample_index"] == trial["test_index"]
            assert same == (trial["ground_truth"] == "match")
            if not same:
                assert (trial["test_index"] - trial["sample_index"]) % n == n // 2


# ------------------------------------------------- category labels (regression)
def category_from_angle(theta: float) -> int:
    """The category rule, independently: upper half of the ring 0, lower half 1."""
    s = np.sin(theta)
    assert abs(s) > 1e-6, f"stimulus at {theta} rad lies on the category boundary"
    return 0 if s > 0 else 1


@pytest.mark.parametrize("dim_ring", [16, 4, 8, 32])
@pytest.mark.parametrize("name", ["dmc", "dnmc"])
def test_category_gt_always_follows_the_category_rule(name, dim_ring):
    """NeuroGym mislabelled ~6 % of trials (every sample at theta = pi with 16 units).

    The sample and test directions are read back from the observation (peak of
    the ring during the sample and test periods), their categories computed
    from the angle, and the decision-period ground truth must always be the
    test direction on a (dmc) match / (dnmc) non-match, and fixation otherwise.
    """
    env = make(name, sigma=0.0, dim_ring=dim_ring)
    env.reset(seed=2019)
    step = 2 * np.pi / dim_ring
    samples_seen, outcomes = set(), set()
    for _ in range(3000):
        trial = env.new_trial()
        mod = trial["modality"]
        sample = int(ring(env, "sample", mod)[0].argmax())
        test = int(ring(env, "test", mod)[0].argmax())
        match = category_from_angle(sample * step) == category_from_angle(test * step)
        respond = match if name == "dmc" else not match
        assert decision_gt(env) == (1 + test if respond else 0), trial
        assert trial["ground_truth"] == ("match" if match else "non-match"), trial
        assert trial["sample_category"] == category_from_angle(trial["sample_theta"])
        assert trial["test_category"] == category_from_angle(trial["test_theta"])
        samples_seen.add(sample)
        outcomes.add((match, category_from_angle(sample * step)))
    # every direction off the boundary is used, including the ones next to it
    assert samples_seen == set(range(dim_ring)) - {0, dim_ring // 2}
    assert outcomes == {(True, 0), (True, 1), (False, 0), (False, 1)}


@pytest.mark.parametrize("name", ["dmc", "dnmc"])
def test_category_tasks_on_a_two_unit_ring(name):
    """NeuroGym's yang19 example uses dim_ring=2: both directions lie on the boundary.

    Each is then its own category, so the sample tells the answer: a match is a
    test in the sample's direction. NeuroGym called every sample category 0
    (``i_sample > half_ring``), so its answer depended on the test alone.
    """
    env = make(name, sigma=0.0, dim_ring=2)
    env.reset(seed=19)
    seen = set()
    for _ in range(400):
        trial = env.new_trial()
        mod = trial["modality"]
        sample = int(ring(env, "sample", mod)[0].argmax())
        test = int(ring(env, "test", mod)[0].argmax())
        assert (sample, test) == (trial["sample_index"], trial["test_index"])
        assert trial["sample_category"] == sample and trial["test_category"] == test
        match = sample == test
        assert trial["ground_truth"] == ("match" if match else "non-match"), trial
        respond = match if name == "dmc" else not match
        assert decision_gt(env) == (1 + test if respond else 0), trial
        seen.add((sample, test))
    assert seen == {(0, 0), (0, 1), (1, 0), (1, 1)}
    trial = env.new_trial(sample_index=1, test_index=1)
    assert trial["ground_truth"] == "match" and trial["sample_category"] == 1


def test_category_trials_can_be_fixed_and_rebuilt():
    env = make("dmc")
    env.reset(seed=0)
    for sample in (7, 9):  # the directions next to theta = pi
        for gt in ("match", "non-match"):
            trial = env.new_trial(sample_index=sample, ground_truth=gt)
            assert (trial["sample_category"] == trial["test_category"]) == (gt == "match")
            ob = env.ob.copy()
            env.new_trial(**trial)
            assert np.array_equal(env.ob, ob)
    trial = env.new_trial(sample_index=3, test_index=12)
    assert trial["ground_truth"] == "non-match" and decision_gt(env) == 0
    with pytest.raises(ValueError, match="boundary"):
        env.new_trial(sample_index=8)
    with pytest.raises(ValueError, match="boundary"):
        env.new_trial(sample_index=3, test_index=0)
    with pytest.raises(ValueError, match="not a match"):
        env.new_trial(sample_index=3, test_index=12, ground_truth="match")


def test_category_of():
    assert [yang19.category_of(i, 16) for i in (1, 7, 9, 15)] == [0, 0, 1, 1]
    for boundary in (0, 8, 16):
        with pytest.raises(ValueError):
            yang19.category_of(boundary, 16)
