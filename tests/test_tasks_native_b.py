"""Native tasks, batch B: timing, multisensory, null, PDM variants, wagering,
probabilistic reasoning, reaching, spatial suppression, tone detection, and the
``perceptualdecisionmaking`` collection. Oracle policies and regression tests
for NeuroGym's defects."""

from __future__ import annotations

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core.checks import check_task
from neurogym_app.tasks.native.reaching import STEP, circular_dist

DISCRETE_IDS = [
    "MotorTiming-v0",
    "OneTwoThreeGo-v0",
    "MultiSensoryIntegration-v0",
    "PerceptualDecisionMakingDelayResponse-v0",
    "PulseDecisionMaking-v0",
    "PostDecisionWager-v0",
    "ProbabilisticReasoning-v0",
    "perceptualdecisionmaking.roitman02-v0",
    "perceptualdecisionmaking.ibl20-v0",
]
ALL_IDS = [
    *DISCRETE_IDS,
    "Null-v0",
    "Reaching1D-v0",
    "Reaching1DWithSelfDistraction-v0",
    "ReachingDelayResponse-v0",
    "SpatialSuppressMotion-v0",
    "ToneDetection-v0",
]


def play(env, policy, n_trials, seed=0):
    """Run ``policy(env)`` for ``n_trials`` trials; per-trial summed rewards and performances."""
    env.reset(seed=seed)
    rewards, perfs, total = [], [], 0.0
    for _ in range(100_000):
        _, reward, terminated, truncated, info = env.step(policy(env))
        assert not (terminated or truncated)
        total += reward
        if info["new_trial"]:
            rewards.append(total)
            perfs.append(info["performance"])
            total = 0.0
            if len(perfs) == n_trials:
                break
    return np.array(rewards), np.array(perfs, dtype=float)


def oracle(env):
    return env.gt_now


def fixate(env):
    return 0


def step_until(env, period, action=0):
    """Step with ``action`` until the current time step lies in ``period``."""
    for _ in range(10_000):
        if env.in_period(period):
            return
        _, _, _, _, info = env.step(action)
        assert not info["new_trial"], f"trial ended before {period!r}"
    raise AssertionError(f"never reached {period!r}")


# ------------------------------------------------------------ conformance
@pytest.mark.parametrize("task_id", ALL_IDS)
def test_human_preset_conforms(task_id):
    result = check_task(task_id, steps=600, seed=3, kwargs={"timing": "human"})
    assert result.ok, result.summary()


@pytest.mark.parametrize("task_id", ALL_IDS)
def test_metadata_for_people(task_id):
    meta = ngym.task_metadata(task_id)
    cls = ngym.spec(task_id).load()
    assert meta["paper_name"] is None or isinstance(meta["paper_name"], str)
    assert "human" in cls.timing_presets
    for name in meta["condition_vars"]:
        assert isinstance(name, str)
    env = ngym.make(task_id)
    env.reset(seed=0)
    for name in meta["condition_vars"]:
        assert name in env.trial, f"condition var {name!r} not recorded in the trial"
    if meta["strength_var"]:
        assert meta["strength_var"] in env.trial
        assert isinstance(cls.signed_strength(env.trial), float)
    if meta["human_playable"]:
        assert meta["rt_from"] in env.periods or meta["rt_from"] in env.timing
        if isinstance(env.action_space, ngym.spaces.Discrete):
            assert meta.get("action_labels"), "a playable discrete task needs action labels"
            assert all(0 < a < env.action_space.n for a in meta["action_labels"])
    else:
        assert meta["human_playable_reason"]


# ----------------------------------------------------------------- oracles
@pytest.mark.parametrize("task_id", DISCRETE_IDS)
def test_oracle_is_always_right(task_id):
    env = ngym.make(task_id)
    rewards, perfs = play(env, oracle, 40)
    assert perfs.mean() == 1.0
    assert rewards.mean() > 0.9 * env.rewards["correct"]


def test_fixating_earns_nothing_where_oracle_earns():
    env = ngym.make("PostDecisionWager-v0")
    rewards, perfs = play(env, fixate, 20)
    assert perfs.sum() == 0 and rewards.sum() == 0


def test_motortiming_rewards_the_cued_interval():
    env = ngym.make("MotorTiming-v0")
    for ind, interval in ((0, 800.0), (1, 1500.0)):
        env.reset(seed=1, options={"trial": {"production_ind": ind}})
        assert env.trial["production"] == interval
        cue = "cue_short" if ind == 0 else "cue_long"
        idx = env.observation_space.name[cue]
        assert env.view_ob("cue")[:, idx].min() == 1 and env.view_ob("fixation")[:, idx].max() == 0
        assert env.view_ob("production").max() == 0  # fixation off: go
        step_until(env, "production")
        _, reward, _, _, info = env.step(1)  # far too early
        assert info["new_trial"] and reward == env.rewards["fail"] and info["performance"] == 0


def test_onetwothreego_punishes_early_response_and_rewards_the_beat():
    env = ngym.make("OneTwoThreeGo-v0")
    env.reset(seed=0)
    _, reward, _, _, _ = env.step(1)
    assert reward == env.rewards["abort"]
    env.new_trial(interval=800)
    ob = env.ob
    stim = env.observation_space.name["stimulus"]
    assert [ob[env.start_ind[p], stim] for p in ("s1", "s2", "s3")] == [1, 1, 1]
    step_until(env, "response")
    assert env.t - env.end_t["s3"] == pytest.approx(800)
    _, reward, _, _, info = env.step(1)
    assert reward == pytest.approx(env.rewards["correct"]) and info["performance"] == 1


def test_pulse_ground_truth_follows_the_pulses():
    env = ngym.make("PulseDecisionMaking-v0")
    env.reset(seed=0)
    for _ in range(50):
        trial = env.new_trial()
        n1, n2 = sum(trial["pulse1"]), sum(trial["pulse2"])
        if n1 != n2:
            assert trial["ground_truth"] == int(n2 > n1)
        assert trial["evidence"] == n2 - n1
        for i in range(env.n_bin):
            row = env.ob[env.start_ind[f"cue{i}"]]
            assert (row[1], row[2]) == (trial["pulse1"][i], trial["pulse2"][i])
    trial = env.new_trial(pulse1=[1, 1, 1, 0, 0, 0], pulse2=[0] * 6)
    assert trial["ground_truth"] == 0 and env.view_groundtruth("decision")[0] == 1


def test_pdm_delay_response_layout():
    env = ngym.make("PerceptualDecisionMakingDelayResponse-v0", sigma=0.0)
    env.reset(seed=0, options={"trial": {"ground_truth": 2, "coh": 51.2}})
    stim = env.view_ob("stimulus")
    assert np.allclose(stim[:, 2], (1 + 0.512) / 2) and np.allclose(stim[:, 1], (1 - 0.512) / 2)
    assert env.view_ob("delay")[:, 0].min() == 1 and env.view_ob("decision").max() == 0
    assert set(env.view_groundtruth("decision")) == {2}


def test_probabilistic_reasoning_evidence():
    env = ngym.make("ProbabilisticReasoning-v0")
    env.reset(seed=0)
    trial = env.new_trial(shapes=[9, 9, 8, 0], locs=[3, 2, 1, 0])
    assert trial["log_odd"] == pytest.approx(10 + 10 + 0.9 - 10)
    assert trial["ground_truth"] == 1  # p = 1 / (1 + 1e-10.9)
    n = env.n_shape
    # the shape shown first (at location 3) stays on through the last stimulus period, off in the delay
    last = env.ob[env.start_ind["stimulus3"]]
    assert last[1 + 3 * n + 9] == 1 and last[1 + 0 * n + 0] == 1
    assert env.view_ob("delay")[:, 1:].max() == 0


# ------------------------------------------------ PostDecisionWager defect
@pytest.mark.parametrize("wager", [True, False])
@pytest.mark.parametrize("ground_truth", [0, 1])
def test_postdecisionwager_rewards_a_correct_choice(wager, ground_truth):
    """NeuroGym compared the action with the choice index: a correct choice was never rewarded."""
    env = ngym.make("PostDecisionWager-v0")
    env.reset(seed=0, options={"trial": {"wager": wager, "ground_truth": ground_truth}})
    step_until(env, "decision")
    correct_action = ground_truth + 1
    assert env.gt_now == correct_action
    _, reward, _, _, info = env.step(correct_action)
    assert info["new_trial"] and reward == env.rewards["correct"] == 1.0 and info["performance"] == 1

    env.reset(seed=0, options={"trial": {"wager": wager, "ground_truth": ground_truth}})
    step_until(env, "decision")
    _, reward, _, _, info = env.step(2 - ground_truth)  # the other direction
    assert info["new_trial"] and reward == env.rewards["fail"] and info["performance"] == 0


def test_postdecisionwager_sure_target():
    env = ngym.make("PostDecisionWager-v0")
    assert env.rewards["sure"] == pytest.approx(0.7)
    env.reset(seed=0, options={"trial": {"wager": True, "ground_truth": 0, "coh": 0.0}})
    sure = env.observation_space.name["sure"]
    assert env.view_ob("pre_sure")[:, sure].max() == 0
    assert env.ob[env.end_ind["pre_sure"], sure] == 1 and env.view_ob("decision")[:, sure].min() == 1
    assert env.view_ob("stimulus")[:, sure].max() == 0
    step_until(env, "decision")
    _, reward, _, _, info = env.step(env.sure_action)
    assert info["new_trial"] and reward == pytest.approx(0.7) and info["performance"] == pytest.approx(0.7)

    # not offered: no sure input, and choosing it costs the abort penalty
    env.reset(seed=0, options={"trial": {"wager": False, "ground_truth": 0}})
    assert "pre_sure" not in env.periods and env.ob[:, sure].max() == 0
    step_until(env, "decision")
    _, reward, _, _, info = env.step(env.sure_action)
    assert reward == env.rewards["abort"] and info["performance"] == 0


def test_postdecisionwager_sure_reward_follows_correct_unless_given():
    assert ngym.make("PostDecisionWager-v0", rewards={"correct": 2.0}).rewards["sure"] == pytest.approx(1.4)
    assert ngym.make("PostDecisionWager-v0", rewards={"sure": 0.5}).rewards["sure"] == 0.5


def test_postdecisionwager_oracle_choosing_sure_when_unsure():
    """An agent that takes the sure bet on zero-coherence wager trials earns more than guessing."""
    env = ngym.make("PostDecisionWager-v0")

    def policy(e):
        if e.in_period("decision") and e.trial["wager"] and e.trial["coh"] == 0:
            return e.sure_action
        return e.gt_now

    rewards, perfs = play(env, policy, 60)
    assert rewards.min() >= 0.7 - 1e-9 and perfs.mean() > 0.9


# ------------------------------------------------------- Reaching defects
@pytest.mark.parametrize("task_id", ["Reaching1D-v0", "Reaching1DWithSelfDistraction-v0"])
def test_reaching_ground_truth_is_the_float_target(task_id):
    """NeuroGym stores the target angle in an integer array, so 3.7 rad became 3."""
    env = ngym.make(task_id)
    env.reset(seed=0, options={"trial": {"ground_truth": 3.7}})
    assert np.issubdtype(env.gt.dtype, np.floating)
    assert np.all(env.view_groundtruth("reach") == 3.7)
    assert np.all(env.view_groundtruth("fixation") == pytest.approx(np.pi))
    step_until(env, "reach")
    env.state = 3.7 - STEP  # one "left" step from the target
    _, reward, _, _, info = env.step(1)
    assert info["gt"] == pytest.approx(3.7)
    assert reward == pytest.approx(env.rewards["correct"])


def test_reaching_self_channels_follow_the_state():
    env = ngym.make("Reaching1D-v0")
    ob, _ = env.reset(seed=0)
    n = env.dim_ring
    assert np.allclose(ob[n:], np.cos(env.theta - np.pi))
    ob, *_ = env.step(1)
    assert env.state == pytest.approx(np.pi + STEP)
    assert np.allclose(ob[n:], np.cos(env.theta - env.state))
    assert np.allclose(ob[:n], 0)  # the target appears in the reach period only
    step_until(env, "reach")
    assert np.allclose(env.ob_now[:n], np.cos(env.theta - env.trial["ground_truth"]), atol=1e-6)


def _steer(env):
    diff = np.mod(float(env.gt_now) - env.state + np.pi, 2 * np.pi) - np.pi
    if diff > STEP / 2:
        return 1
    if diff < -STEP / 2:
        return 2
    return 0


@pytest.mark.parametrize("task_id", ["Reaching1D-v0", "Reaching1DWithSelfDistraction-v0"])
def test_reaching_oracle_reaches_and_holds_the_target(task_id):
    env = ngym.make(task_id, timing={"reach": 8000})  # 80 steps: enough to turn by pi
    env.reset(seed=0)
    for _ in range(5):
        rewards = []
        while True:
            in_reach = env.in_period("reach")
            _, reward, _, _, info = env.step(_steer(env))
            if in_reach:
                rewards.append(reward)
            if info["new_trial"]:
                break
        assert min(rewards[-10:]) > env.rewards["correct"] - STEP
    _, oracle_perf = play(ngym.make(task_id), _steer, 30)
    _, idle_perf = play(ngym.make(task_id), fixate, 30)
    assert oracle_perf.mean() > idle_perf.mean()


def test_circular_dist():
    assert circular_dist(2 * np.pi - 0.1) == pytest.approx(0.1)
    assert circular_dist(-np.pi) == pytest.approx(np.pi)


# ---------------------------------------------------- ReachingDelayResponse
def test_reaching_delay_response_oracle_and_miss():
    env = ngym.make("ReachingDelayResponse-v0")
    rewards, perfs = play(env, lambda e: np.asarray(e.gt_now, dtype=np.float32), 30)
    assert np.allclose(rewards, env.rewards["correct"]) and np.all(perfs == 1)
    rewards, perfs = play(env, lambda e: np.array([-1.0, 0.0], dtype=np.float32), 10)
    assert np.allclose(rewards, env.rewards["miss"]) and np.all(perfs == 0)
    env.reset(seed=0, options={"trial": {"ground_truth": 0.25}})
    _, reward, *_ = env.step(np.array([1.0, 0.0], dtype=np.float32))  # go during the stimulus
    assert reward == env.rewards["abort"]
    step_until(env, "decision", np.array([-1.0, 0.0], dtype=np.float32))
    _, reward, _, _, info = env.step(np.array([1.0, 0.75], dtype=np.float32))
    assert info["new_trial"] and reward == pytest.approx(1 / 1.5**2)


# ------------------------------------------------------------------- Null
def test_null_runs_and_is_deterministic():
    env = ngym.make("Null-v0")
    assert env.metadata["stochastic"] is False and env.metadata["human_playable"] is False
    rewards, perfs = play(env, lambda e: e.action_space.sample(), 10)
    assert np.all(rewards == 0) and np.all(perfs == 1)
    ob, _ = env.reset(seed=0)
    assert ob.shape == (1,) and ob[0] == 0
    result = check_task("Null-v0")
    assert result.ok, result.summary()


# ------------------------------------------------------ SpatialSuppressMotion
def test_spatial_suppress_motion_probabilities_and_oracle():
    env = ngym.make("SpatialSuppressMotion-v0")
    env.reset(seed=0)
    for contrast in (0.05, 0.99):
        for direction in (1, 2, 3, 4):
            trial = env.new_trial(direction=direction, contrast=contrast)
            assert trial["diameter"] == (1 if contrast < 0.5 else 8)
            gt = env.gt
            assert gt.shape == (36, 4)
            assert np.all(gt >= 0) and np.allclose(gt.sum(axis=1), 1, atol=1e-6)  # NeuroGym's went negative
            assert gt[-1].argmax() == direction - 1
            pools = env.ob[0].reshape(4, 8)
            assert pools[direction - 1, 0] == pytest.approx(contrast)
            assert np.all(pools[:, trial["diameter"] :] == 0)
    # large high-contrast motion is often seen reversed early on (spatial suppression)
    env.new_trial(direction=1, contrast=0.99)
    assert env.gt[14, 1] > env.gt[14, 2]
    rewards, perfs = play(env, oracle, 5)
    assert np.allclose(perfs, 1, atol=1e-5) and np.all(rewards == 0)


# -------------------------------------------------------------- ToneDetection
def test_tone_detection_tone_and_final_answer():
    env = ngym.make("ToneDetection-v0", sigma=0.0)
    env.reset(seed=0, options={"trial": {"ground_truth": 2}})
    assert np.flatnonzero(env.ob[:, 0]).tolist() == [20]  # 1000 ms / 50 ms
    env.new_trial(condition=0)
    assert env.ob.max() == 0 and env.trial["ground_truth"] == 0
    rewards, perfs = play(env, oracle, 20)
    assert np.all(perfs == 1) and np.allclose(rewards, env.rewards["correct"])
    wrong = lambda e: (int(e.gt_now) + 1) % 4  # noqa: E731
    rewards, perfs = play(env, wrong, 10)
    assert np.all(perfs == 0) and np.all(rewards == 0)
    # a tone shorter than dt lasts one step (as every positive duration), it does not vanish
    coarse = ngym.make("ToneDetection-v0", dt=100, sigma=0.0)
    coarse.reset(seed=0, options={"trial": {"ground_truth": 2}})
    assert np.flatnonzero(coarse.ob[:, 0]).tolist() == [10]  # 1000 ms / 100 ms, one step long


# ------------------------------------------------------------ collections
def test_roitman02_allows_response_during_stimulus():
    env = ngym.make("perceptualdecisionmaking.roitman02-v0")
    env.reset(seed=0, options={"trial": {"ground_truth": 1}})
    assert env.start_t["decision"] == env.start_t["stimulus"] + env.dt
    step_until(env, "stimulus")
    env.step(0)
    assert env.in_period("stimulus") and env.in_period("decision") and env.gt_now == 2
    _, reward, _, _, info = env.step(2)
    assert info["new_trial"] and reward == 1.0 and info["performance"] == 1
    urgent = ngym.make("perceptualdecisionmaking.roitman02-v0", urgency=-0.01)
    urgent.reset(seed=0)
    _, reward, *_ = urgent.step(0)
    assert reward == pytest.approx(-0.01)


def test_ibl20_blocks_alternate_with_their_prior():
    env = ngym.make("perceptualdecisionmaking.ibl20-v0", block_len=90)
    env.reset(seed=0)
    trials = [env.trial] + [env.new_trial() for _ in range(359)]
    blocks = [t["block"] for t in trials]
    assert blocks == [0] * 90 + [1] * 90 + [0] * 90 + [1] * 90
    gts = np.array([t["ground_truth"] for t in trials])
    b = np.array(blocks)
    assert np.mean(gts[b == 0] == 0) > 0.7 and np.mean(gts[b == 1] == 1) > 0.7
    assert trials[0]["p"] == [0.8, 0.2] and trials[100]["p"] == [0.2, 0.8]
    with pytest.raises(ValueError, match="dim_ring"):
        ngym.make("perceptualdecisionmaking.ibl20-v0", dim_ring=3)


def test_collection_is_registered():
    ids = ngym.all_envs(collections=True)
    assert {"perceptualdecisionmaking.roitman02-v0", "perceptualdecisionmaking.ibl20-v0"} <= set(ids)
