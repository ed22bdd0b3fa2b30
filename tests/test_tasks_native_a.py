"""Native tasks, batch A: conformance, metadata, oracle policies and fixed upstream defects.

AnnubesEnv, AntiReach, Bandit, DawTwoStep, DelayComparison, DelayMatchCategory,
DelayMatchSampleDistractor1D, DelayPairedAssociation, Detection,
DualDelayMatchSample, EconomicDecisionMaking, HierarchicalReasoning,
IntervalDiscrimination.
"""

from __future__ import annotations

import copy
import itertools
import json

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core.checks import check_task

TASKS = [
    "AnnubesEnv",
    "AntiReach",
    "Bandit",
    "DawTwoStep",
    "DelayComparison",
    "DelayMatchCategory",
    "DelayMatchSampleDistractor1D",
    "DelayPairedAssociation",
    "Detection",
    "DualDelayMatchSample",
    "EconomicDecisionMaking",
    "HierarchicalReasoning",
    "IntervalDiscrimination",
]
IDS = [f"{name}-v0" for name in TASKS]


def run_policy(env, policy, n_trials, seed=0):
    """Play ``n_trials`` trials; returns the per-trial performances, rewards and infos."""
    env.reset(seed=seed)
    perfs, rewards, trial_reward = [], [], 0.0
    for _ in range(100_000):
        ob, reward, terminated, truncated, info = env.step(policy(env))
        trial_reward += reward
        if info["new_trial"]:
            perfs.append(info["performance"])
            rewards.append(trial_reward)
            trial_reward = 0.0
            if len(perfs) == n_trials:
                break
    return np.array(perfs, dtype=float), np.array(rewards)


def oracle(env):
    return int(env.gt_now)


# --------------------------------------------------------------- conformance
@pytest.mark.parametrize("task_id", IDS)
def test_conforms(task_id):
    result = check_task(task_id, steps=1000, seed=0)
    assert result.ok, result.summary()


@pytest.mark.parametrize("task_id", IDS)
@pytest.mark.parametrize("kwargs", [{"timing": "human"}, {"dt": 20}, {"dt": 50, "timing": "human"}])
def test_conforms_with_other_timing(task_id, kwargs):
    result = check_task(task_id, steps=600, seed=3, kwargs=kwargs)
    assert result.ok, result.summary()


@pytest.mark.parametrize("task_id", IDS)
def test_metadata_complete(task_id):
    meta = ngym.task_metadata(task_id)
    cls = ngym.spec(task_id).load()
    for key in ("paper_name", "paper_link", "tags", "rt_from", "condition_vars", "strength_var", "action_labels"):
        assert key in cls.metadata, f"{task_id} metadata lacks {key!r}"
    assert meta["description"]
    assert meta["human_playable"] is True
    env = ngym.make(task_id)
    assert "human" in cls.timing_presets
    human = ngym.make(task_id, timing="human")
    human.reset(seed=0)
    assert meta["rt_from"] in human.timing, f"rt_from {meta['rt_from']!r} is not a period of {task_id}"
    trial = human.trial
    for var in meta["condition_vars"]:
        assert var in trial, f"condition var {var!r} not in {task_id}'s trials"
    if meta["strength_var"] is not None:
        assert meta["strength_var"] in trial
    for action in meta["action_labels"]:
        assert 0 <= action < env.action_space.n
    if hasattr(cls, "signed_strength"):
        assert isinstance(cls.signed_strength(trial), float)


@pytest.mark.parametrize("task_id", IDS)
def test_human_preset_gives_people_time(task_id):
    env = ngym.make(task_id, timing="human")
    env.reset(seed=1)
    rt_period = ngym.task_metadata(task_id)["rt_from"]
    for _ in range(5):
        window = env.end_t[rt_period] - env.start_t[rt_period]
        assert window >= 1000, f"{task_id}: response window {window} ms is too short for a person"
        env.new_trial()


@pytest.mark.parametrize("task_id", IDS)
def test_rebuild_from_json_roundtrip(task_id):
    """A recorded trial, saved as JSON and loaded back, rebuilds the same trial."""
    env = ngym.make(task_id)
    env.reset(seed=5)
    for _ in range(5):
        trial = env.new_trial()
        ob, gt = env.ob.copy(), env.gt.copy()
        loaded = json.loads(json.dumps(trial, default=float))
        if task_id == "AnnubesEnv-v0":  # JSON turns the tuple of modalities into a list
            assert isinstance(loaded["stim_types"], list)
        env.new_trial(**loaded)
        np.testing.assert_array_equal(env.ob, ob)
        np.testing.assert_array_equal(env.gt, gt)


# ------------------------------------------------------------------ oracles
ORACLE_CASES = [
    ("AnnubesEnv-v0", {}),
    ("AntiReach-v0", {}),
    ("AntiReach-v0", {"anti": False}),
    ("DelayComparison-v0", {}),
    ("DelayMatchCategory-v0", {}),
    ("DelayMatchSampleDistractor1D-v0", {}),
    ("DelayPairedAssociation-v0", {}),
    ("Detection-v0", {}),
    ("DualDelayMatchSample-v0", {}),
    ("EconomicDecisionMaking-v0", {}),
    ("HierarchicalReasoning-v0", {}),
    ("IntervalDiscrimination-v0", {}),
    ("DawTwoStep-v0", {}),
    ("Bandit-v0", {"p": (0.2, 0.8)}),
]


@pytest.mark.parametrize(("task_id", "kwargs"), ORACLE_CASES)
def test_oracle_policy_is_perfect(task_id, kwargs):
    env = ngym.make(task_id, **kwargs)
    perfs, rewards = run_policy(env, oracle, n_trials=60)
    assert perfs.mean() == 1.0, f"{task_id}: oracle performance {perfs.mean()}"
    if task_id not in ("Bandit-v0", "DawTwoStep-v0", "DelayPairedAssociation-v0", "Detection-v0"):
        assert np.all(rewards > 0), f"{task_id}: an oracle trial went unrewarded"


def test_oracle_beats_chance_on_reward():
    bandit = ngym.make("Bandit-v0", p=(0.2, 0.8))
    _, oracle_rewards = run_policy(bandit, oracle, n_trials=400)
    coin = np.random.default_rng(1)
    _, random_rewards = run_policy(bandit, lambda env: int(coin.integers(2)), n_trials=400, seed=1)
    assert oracle_rewards.mean() > 0.7 > random_rewards.mean()
    daw = ngym.make("DawTwoStep-v0")
    _, oracle_rewards = run_policy(daw, oracle, n_trials=400)
    assert oracle_rewards.mean() > 0.6  # 0.8 * 0.9 + 0.2 * 0.1 = 0.74 expected


# ------------------------------------------- HierarchicalReasoning: ground truth
def _flash_interval(env):
    """The delay between the two flashes, read from the observation itself."""
    flash = env.ob[:, 3:5].sum(axis=1) > 0
    steps = np.flatnonzero(flash)
    first_end = steps[0] + int(np.argmin(flash[steps[0] :]))  # first step after flash 1
    second_start = steps[steps > first_end][0]
    return (second_start - first_end) * env.dt


@pytest.mark.parametrize("dt", [100, 10, 50])
def test_hierarchical_reasoning_gt_follows_rule(dt):
    env = ngym.make("HierarchicalReasoning-v0", dt=dt)
    assert env.mid_delay == 850.0  # the paper's boundary (NeuroGym used 610 ms)
    env.reset(seed=0)
    seen = set()
    for _ in range(300):
        trial = env.new_trial()
        shown = env.end_t["delay"] - env.start_t["delay"]
        assert trial["interval"] == shown == _flash_interval(env)
        if shown != 850:
            assert trial["long_interval"] == (shown > 850)
        pro = int(trial["long_interval"]) == trial["rule"]
        target = trial["stimulus"] if pro else 1 - trial["stimulus"]
        flash_side = int(np.argmax(env.ob[env.start_ind["flash1"], 3:5]))
        assert flash_side == trial["stimulus"]
        decision_gt = env.gt[env.start_ind["decision"] : env.end_ind["decision"]]
        assert np.all(decision_gt == 3 + target)
        rule_gt = env.gt[env.start_ind["rule_target"] : env.end_ind["rule_target"]]
        assert np.all(rule_gt == 1 + trial["rule"])
        seen.add((trial["rule"], trial["long_interval"], pro))
    assert len(seen) == 4  # both rules, both interval categories


def test_hierarchical_reasoning_ambiguous_interval_is_random():
    env = ngym.make("HierarchicalReasoning-v0", dt=10)
    env.reset(seed=0)
    labels = [env.new_trial(interval=850)["long_interval"] for _ in range(200)]
    assert 0.3 < np.mean(labels) < 0.7


def test_hierarchical_reasoning_blocks_alternate_rules():
    env = ngym.make("HierarchicalReasoning-v0")
    env.reset(seed=2)
    rules = [env.trial["rule"]] + [env.new_trial()["rule"] for _ in range(200)]
    runs = [len(list(g)) for _, g in itertools.groupby(rules)]
    assert all(10 <= r <= 20 for r in runs[:-1])
    env.reset(seed=2)
    again = [env.trial["rule"]] + [env.new_trial()["rule"] for _ in range(200)]
    assert again == rules  # reset restarts the block sequence


def test_hierarchical_reasoning_wrong_rule_report_is_not_rewarded():
    env = ngym.make("HierarchicalReasoning-v0")

    def wrong_rule(env):
        gt = int(env.gt_now)
        return 3 - gt if gt in (1, 2) else gt

    perfs, rewards = run_policy(env, wrong_rule, n_trials=30)
    assert perfs.sum() == 0 and rewards.max() <= 0


# --------------------------------------------------------- Detection fixes
def _onset_step(env):
    stim = env.ob[env.start_ind["stimulus"] :, 1]
    return int(np.flatnonzero(stim > 0.25)[0])


def test_detection_gt_defined_on_every_trial():
    env = ngym.make("Detection-v0", sigma=0.0)
    env.reset(seed=0)
    kinds = set()
    for _ in range(200):
        trial = env.new_trial()
        assert env.gt.shape == (env.n_steps,)
        assert env.ob.shape == (env.n_steps, 2)
        stim_gt = env.view_groundtruth("stimulus")
        if trial["ground_truth"] == 0:
            assert trial["stim_onset"] is None
            assert not env.gt.any() and not env.view_ob("stimulus")[:, 1].any()
        else:
            onset = _onset_step(env)
            assert trial["stim_onset"] == onset * env.dt
            assert not stim_gt[:onset].any() and stim_gt[onset:].all()
            # room to respond after the stimulus, as NeuroGym intends
            assert len(stim_gt) - onset >= env.stim_dur + env.extra_step
        assert not env.view_groundtruth("fixation").any()
        kinds.add(trial["ground_truth"])
    assert kinds == {0, 1}


def test_detection_short_stimulus_period_and_fixed_delay():
    env = ngym.make("Detection-v0", sigma=0.0, timing={"stimulus": 100})  # one step: NeuroGym crashed
    env.reset(seed=0)
    for _ in range(20):
        trial = env.new_trial(ground_truth=1)
        assert env.view_groundtruth("stimulus").tolist() == [1]
        assert trial["stim_onset"] == 0.0
    env = ngym.make("Detection-v0", sigma=0.0, delay=300, timing={"stimulus": 1000})  # delay in ms
    env.reset(seed=0)
    env.new_trial(ground_truth=1)
    assert _onset_step(env) == 3
    env = ngym.make("Detection-v0", sigma=0.0, stim_dur=20)  # shorter than dt: still one visible step
    env.reset(seed=0)
    env.new_trial(ground_truth=1)
    assert np.count_nonzero(env.view_ob("stimulus")[:, 1]) == 1


def test_detection_noise_same_on_go_and_nogo_trials():
    env = ngym.make("Detection-v0")
    env.reset(seed=0)
    noise = {0: [], 1: []}
    for _ in range(400):
        trial = env.new_trial()
        values = env.view_ob("stimulus")[:, 1]
        if trial["ground_truth"] == 1:
            onset = int(trial["stim_onset"] / env.dt)
            values = np.delete(values, range(onset, onset + env.stim_dur))
        noise[trial["ground_truth"]].extend(values.tolist())
    sd_go, sd_nogo = np.std(noise[1]), np.std(noise[0])
    assert abs(sd_go / sd_nogo - 1) < 0.1  # NeuroGym: sqrt(2) larger on no-go trials


def test_detection_early_response_fails_and_miss_costs():
    env = ngym.make("Detection-v0", sigma=0.0)
    env.reset(seed=0, options={"trial": {"ground_truth": 1, "stim_onset": 500}})
    total = 0.0
    while True:  # wait past fixation, respond just before the onset
        go = int(env.in_period("stimulus") and env.t < env.start_t["stimulus"] + 400)
        _, reward, *_, info = env.step(go)
        total += reward
        if info["new_trial"]:
            break
    assert info["performance"] == 0 and total == env.rewards["fail"]
    env.reset(seed=0, options={"trial": {"ground_truth": 1}})  # never responding: a miss
    total = 0.0
    while True:
        _, reward, *_, info = env.step(0)
        total += reward
        if info["new_trial"]:
            break
    assert info["performance"] == 0 and total == env.rewards["miss"]


def test_detection_human_preset_leaves_a_response_window():
    env = ngym.make("Detection-v0", timing="human")
    env.reset(seed=0)
    for _ in range(100):
        trial = env.new_trial(ground_truth=1)
        left = env.end_t["stimulus"] - env.start_t["stimulus"] - trial["stim_onset"]
        assert left >= 1000


# ------------------------------------------- DelayPairedAssociation performance
def test_delay_paired_association_perfect_policy_scores_one():
    env = ngym.make("DelayPairedAssociation-v0")
    env.reset(seed=0)
    results = {0: [], 1: []}
    for _ in range(100_000):
        gt_trial = env.trial["ground_truth"]
        _, _, _, _, info = env.step(int(env.gt_now))
        if info["new_trial"]:
            results[gt_trial].append(info["performance"])
            if min(len(v) for v in results.values()) >= 20:
                break
    assert results[0] and all(p == 1 for p in results[0])  # withheld no-go trials (NeuroGym: 0)
    assert results[1] and all(p == 1 for p in results[1])


def test_delay_paired_association_wrong_go_scores_zero():
    env = ngym.make("DelayPairedAssociation-v0")
    env.reset(seed=0, options={"trial": {"pair": (1, 4)}})  # a no-go pair
    assert env.trial["ground_truth"] == 0
    total = 0.0
    while True:
        _, reward, *_, info = env.step(int(env.in_period("decision")))
        total += reward
        if info["new_trial"]:
            break
    assert info["performance"] == 0 and total == env.rewards["fail"]


def test_delay_paired_association_pairs():
    env = ngym.make("DelayPairedAssociation-v0")
    env.reset(seed=0)
    for pair, go in {(1, 3): 1, (2, 4): 1, (1, 4): 0, (2, 3): 0}.items():
        trial = env.new_trial(pair=pair)
        assert trial["ground_truth"] == go
        assert env.view_ob("stim1")[0, pair[0]] == 1 and env.view_ob("stim2")[0, pair[1]] == 1


# ------------------------------------- Bandit, DawTwoStep, Economic: arrays
def test_bandit_arrays_and_rewards():
    env = ngym.make("Bandit-v0", n=3, p=(0.1, 0.9, 0.5), rewards=(1.0, 1.0, 2.0))
    env.reset(seed=0)
    for _ in range(10):
        trial = env.new_trial()
        assert env.periods == ["decision"] and env.n_steps == 1
        assert env.ob.shape == (1, 1) and env.gt.tolist() == [2]  # 0.5 * 2 is the best expectation
        assert trial["ground_truth"] == 2
    env.reset(seed=0)
    payoffs = [env.step(1)[1] for _ in range(500)]
    assert set(payoffs) <= {0.0, 1.0} and 0.85 < np.mean(payoffs) < 0.95
    with pytest.raises(ValueError, match="p must list 3"):
        ngym.make("Bandit-v0", n=3, p=(0.5, 0.5))


def test_bandit_recorded_trial_replays_its_reward():
    env = ngym.make("Bandit-v0")
    env.reset(seed=4)
    trials, payoffs = [], []
    for _ in range(20):
        trials.append(dict(env.trial))
        payoffs.append(env.step(0)[1])
    for trial, payoff in zip(trials, payoffs):
        env.new_trial(**trial)
        assert env.step(0)[1] == payoff


def test_daw_two_step_arrays():
    env = ngym.make("DawTwoStep-v0")
    env.reset(seed=0)
    for _ in range(50):
        trial = env.new_trial()
        assert env.periods == ["stage1", "stage2"] and env.n_steps == 2
        assert env.gt.tolist() == [trial["hi_state"] + 1, 0]
        reached = trial["transition"][trial["ground_truth"] - 1]
        expected = np.zeros((2, 3), dtype=np.float32)
        expected[0, 0] = 1
        expected[1, reached] = 1
        np.testing.assert_array_equal(env.ob, expected)


def test_daw_two_step_choice_shows_reached_state():
    env = ngym.make("DawTwoStep-v0")
    env.reset(seed=0)
    choices = np.random.default_rng(0).integers(1, 3, size=50)
    for action in choices.tolist():
        trial = dict(env.trial)
        ob, reward, *_, info = env.step(action)
        state = trial["transition"][action - 1]
        assert ob.tolist() == [0, int(state == 1), int(state == 2)]
        assert reward == trial["reward"][state - 1]
        ob, reward, *_, info = env.step(0)
        assert info["new_trial"] and info["performance"] == int(action == trial["ground_truth"])
    env.reset(seed=0)
    _, reward, *_, info = env.step(0)  # no choice in stage 1 aborts
    assert info["new_trial"] and reward == env.rewards["abort"]


def test_daw_two_step_human_waits_for_the_choice():
    env = ngym.make("DawTwoStep-v0", timing="human")
    env.reset(seed=0)
    for _ in range(5):
        _, _, *_, info = env.step(0)
        assert not info["new_trial"]
    ob, *_ = env.step(2)
    assert ob[0] == 0 and ob[1:].sum() == 1  # the reached state shows for the rest of the trial


def test_daw_two_step_rich_state_switches_rarely():
    env = ngym.make("DawTwoStep-v0")
    env.reset(seed=0)
    hi = [env.new_trial()["hi_state"] for _ in range(4000)]
    switches = np.count_nonzero(np.diff(hi))
    assert 40 < switches < 170  # p_switch = 0.025


def test_economic_decision_making_gt_is_the_better_offer():
    env = ngym.make("EconomicDecisionMaking-v0")
    env.reset(seed=0)
    for juice in (("a", "b"), ("b", "a")):
        for offer in env.offers:
            trial = env.new_trial(juice=juice, offer=offer)
            n_b, n_a = offer
            value = {"a": n_a * 1.0, "b": n_b / 2.2}
            better = 1 if value[juice[0]] > value[juice[1]] else 2
            assert trial["ground_truth"] == better
            decision = env.view_groundtruth("decision")
            assert np.all(decision == better) and not env.view_groundtruth("offer_on").any()
            assert env.ob.shape == (env.n_steps, 7)


# ------------------------------------------------------ other task details
def test_delay_match_category_is_solvable_with_two_units():
    """NeuroGym's category boundary ran through its two units: mirror directions looked alike."""
    env = ngym.make("DelayMatchCategory-v0", sigma=0.0)
    env.reset(seed=0)
    for _ in range(200):
        trial = env.new_trial()
        sample = env.view_ob("sample")[0, 1:]
        test = env.view_ob("test")[0, 1:]
        sample_category, test_category = int(sample[1] > sample[0]), int(test[1] > test[0])
        assert sample_category == trial["sample_category"] == env.category_of(trial["sample_theta"])
        match = "match" if sample_category == test_category else "non-match"
        assert match == trial["ground_truth"]


def test_delay_comparison_labels_pairs_in_either_order():
    env = ngym.make("DelayComparison-v0", vpairs=[(10, 18)], sigma=0.0)
    env.reset(seed=0)
    for _ in range(20):
        trial = env.new_trial()
        first = env.view_ob("stimulus1")[0, 1]
        second = env.view_ob("stimulus2")[0, 1]
        assert trial["ground_truth"] == (1 if first > second else 2)
        assert env.signed_strength(trial) * (1 if trial["ground_truth"] == 1 else -1) > 0


def test_interval_discrimination_uses_given_durations():
    env = ngym.make("IntervalDiscrimination-v0")
    env.reset(seed=0)
    trial = env.new_trial(duration1=560, duration2=320)
    assert trial["ground_truth"] == 1 and trial["duration1"] == 560 and trial["duration2"] == 320
    assert env.end_t["stim1"] - env.start_t["stim1"] == 560
    for _ in range(50):
        trial = env.new_trial()
        d1 = np.count_nonzero(env.ob[:, 1]) * env.dt
        d2 = np.count_nonzero(env.ob[:, 2]) * env.dt
        assert (d1, d2) == (trial["duration1"], trial["duration2"])
        assert trial["ground_truth"] == (1 if d1 > d2 else 2)


def test_dual_delay_match_sample_judges_first_response_only():
    env = ngym.make("DualDelayMatchSample-v0")
    env.reset(seed=0)
    rewards = []
    while True:
        action = int(env.gt_now) if env.in_period("test1") or env.in_period("test2") else 0
        _, reward, *_, info = env.step(action)
        rewards.append(reward)
        if info["new_trial"]:
            break
    assert sum(rewards) == 2 * env.rewards["correct"]  # NeuroGym paid every step of test 1
    assert info["performance"] == 1


def test_dual_delay_match_sample_needs_both_answers_right():
    env = ngym.make("DualDelayMatchSample-v0")

    def second_wrong(env):
        if env.in_period("test1"):
            return int(env.gt_now)
        if env.in_period("test2"):
            return 3 - int(env.gt_now)
        return 0

    perfs, _ = run_policy(env, second_wrong, n_trials=20)
    assert perfs.sum() == 0


def test_dual_delay_match_sample_cue_order():
    env = ngym.make("DualDelayMatchSample-v0", sigma=0.0)
    env.reset(seed=0)
    for order in (0, 1):
        trial = env.new_trial(test_order=order)
        first_cue = "cue1" if order == 0 else "cue2"
        assert env.view_ob("cue1")[0, env.observation_space.name[first_cue]] == 1
        tested_first = env.view_ob("test1")[0]
        channels = env.observation_space.name["stimulus1" if order == 0 else "stimulus2"]
        assert np.abs(tested_first[channels]).sum() > 0
        assert np.all(env.view_groundtruth("test1") == trial["ground_truth1" if order == 0 else "ground_truth2"])


def test_distractor_task_fails_on_early_match():
    env = ngym.make("DelayMatchSampleDistractor1D-v0")
    env.reset(seed=0, options={"trial": {"ground_truth": 3}})
    total = 0.0
    while True:
        _, reward, *_, info = env.step(int(env.in_period("test1")))
        total += reward
        if info["new_trial"]:
            break
    assert total == env.rewards["fail"] and info["performance"] == 0
    env.reset(seed=0)
    for _ in range(30):
        trial = env.new_trial()
        k = trial["ground_truth"]
        assert trial[f"test{k}"] == trial["sample"]
        np.testing.assert_allclose(env.view_ob(f"test{k}")[0], env.view_ob("sample")[0])


def test_antireach_stimulus_opposite_to_target():
    env = ngym.make("AntiReach-v0")
    env.reset(seed=0)
    for anti in (True, False):
        trial = env.new_trial(anti=anti)
        peak = int(np.argmax(env.view_ob("stimulus")[0, 1:]))
        expected = (trial["ground_truth"] + (16 if anti else 0)) % 32
        assert peak == expected
        assert np.all(env.view_groundtruth("decision") == 1 + trial["ground_truth"])


def test_annubes_session_catch_and_max_sequential():
    env = ngym.make("AnnubesEnv-v0", session={"v": 1, ("a", "v"): 1}, catch_prob=0.25, max_sequential=2)
    env.reset(seed=0)
    assert env.observation_space.name == {"fixation": 0, "start": 1, "a": 2, "v": 3}
    run_v, catches = 0, 0
    for _ in range(400):
        trial = env.new_trial()
        assert trial["catch"] == (trial["stim_types"] == ())
        catches += trial["catch"]
        run_v = run_v + 1 if "v" in trial["stim_types"] else 0
        assert run_v <= 2
        stim_gt = env.view_groundtruth("stimulus")
        assert np.all(stim_gt == (0 if trial["catch"] else 1))
        for modality, channel in (("a", 2), ("v", 3)):
            shown = np.abs(env.view_ob("stimulus")[:, channel]).max() > 0.5
            assert shown == (modality in trial["stim_types"])
    assert 50 < catches < 200
    snapshot = copy.deepcopy(trial["sequential_count"])
    env.new_trial()
    assert trial["sequential_count"] == snapshot  # a snapshot, not the live counter


def test_annubes_validation():
    with pytest.raises(ValueError, match="catch_prob"):
        ngym.make("AnnubesEnv-v0", catch_prob=1.5)
    with pytest.raises(ValueError, match="every trial"):
        ngym.make("AnnubesEnv-v0", session={"v": 1}, catch_prob=0.0, max_sequential=3)
    with pytest.raises(ValueError, match="intensities"):
        ngym.make("AnnubesEnv-v0", intensities={"v": [1.0]})


def test_annubes_random_seed_reproduces():
    a = ngym.make("AnnubesEnv-v0", random_seed=7)
    b = ngym.make("AnnubesEnv-v0", random_seed=7)
    trials_a = [a.new_trial() for _ in range(5)]
    trials_b = [b.new_trial() for _ in range(5)]
    assert trials_a == trials_b
