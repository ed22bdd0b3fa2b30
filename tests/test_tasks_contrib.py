"""The contrib tasks: registered, makeable, and each behaves as documented (bug fixes included)."""

from __future__ import annotations

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.core import registry
from neurogym_app.core.batch import build_trials
from neurogym_app.core.rng import make_rng
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.contrib import ENTRIES

CONTRIB_IDS = [
    "AngleReproduction-v0",
    "ChangingEnvironment-v0",
    "CVLearning-v0",
    "IBL-v0",
    "IBL_Block-v0",
    "LeverPress-v0",
    "LeverPressWithPoke-v0",
    "LeverPressWithPokeRest-v0",
    "ContextSwitch-v0",
    "ContextSwitch-v1",
    "MatchingPenny-v0",
    "MemoryRecall-v0",
    "Pneumostomeopening-v0",
]


# ---------------------------------------------------------------- helpers
def run(env, policy, steps, seed=0):
    """Play ``policy(env, ob)`` for ``steps`` steps; returns rewards and infos."""
    ob, _ = env.reset(seed=seed)
    rewards, infos = [], []
    for _ in range(steps):
        ob, reward, terminated, truncated, info = env.step(policy(env, ob))
        rewards.append(reward)
        infos.append(info)
        if terminated or truncated:
            ob, _ = env.reset()
    return np.array(rewards), infos


def random_policy(seed=1):
    rng = np.random.default_rng(seed)

    def policy(env, ob):
        return env.action_space.sample() if not hasattr(env.action_space, "n") else int(rng.integers(env.action_space.n))

    return policy


def oracle(env, ob):
    """The ground-truth action (TrialEnv tasks)."""
    return int(env.gt_now)


def trial_perf(infos):
    return [i["performance"] for i in infos if i.get("new_trial")]


# ------------------------------------------------------------ registration
def test_every_contrib_task_is_registered():
    assert sorted(ENTRIES) == sorted(CONTRIB_IDS)
    entries = registry.entries()
    for task_id in CONTRIB_IDS:
        assert entries[task_id].group == "contrib"
    assert set(CONTRIB_IDS) <= set(ngym.all_envs(contrib=True))
    assert not set(CONTRIB_IDS) & set(ngym.all_envs())


@pytest.mark.parametrize("task_id", CONTRIB_IDS)
def test_make_and_step(task_id):
    env = ngym.make(task_id)
    ob, info = env.reset(seed=0)
    assert ob in env.observation_space
    for _ in range(20):
        ob, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert ob in env.observation_space
        assert isinstance(reward, float)
        if terminated:
            env.reset()
    meta = ngym.task_metadata(task_id)
    assert meta["description"]
    assert meta["tags"]
    assert "paper_name" in meta and "paper_link" in meta
    if meta["human_playable"]:
        assert meta["action_labels"], f"{task_id} is human-playable but labels no action"
        if isinstance(env.unwrapped, TrialEnv):
            assert "human" in type(env.unwrapped).timing_presets
            ngym.make(task_id, timing="human").reset(seed=0)
    else:
        assert meta["human_playable_reason"]


@pytest.mark.parametrize("task_id", CONTRIB_IDS)
def test_bad_parameter_is_one_line_error(task_id):
    with pytest.raises(ngym.TaskParameterError):
        ngym.make(task_id, no_such_parameter=1)


# ------------------------------------------------------- AngleReproduction
def test_angle_reproduction_oracle_beats_holding_still():
    steps = 2000
    r_oracle, _ = run(ngym.make("AngleReproduction-v0", speed=5.0), oracle, steps)
    r_hold, _ = run(ngym.make("AngleReproduction-v0", speed=5.0), lambda env, ob: 0, steps)
    r_rand, _ = run(ngym.make("AngleReproduction-v0", speed=5.0), random_policy(), steps)
    assert r_oracle.sum() > r_hold.sum() + 20
    assert r_oracle.sum() > r_rand.sum() + 20


def test_angle_reproduction_rewards_use_the_exact_angle():
    # NeuroGym stored the angle in the integer gt array: the target became int(angle).
    env = ngym.make("AngleReproduction-v0")
    target = np.pi + 0.04
    env.reset(seed=0, options={"trial": {"ground_truth1": target, "ground_truth2": 0.0}})
    rewards = []
    while not env.in_period("go1"):
        env.step(0)
    for _ in range(3):
        _, reward, *_ = env.step(0)
        rewards.append(reward)
    assert rewards == pytest.approx([1 - 0.04] * 3)


def test_angle_reproduction_dial_shows_the_current_angle():
    env = ngym.make("AngleReproduction-v0")
    ob, _ = env.reset(seed=0)
    dial = env.observation_space.name["response"]
    assert ob[dial] == pytest.approx(np.cos(env.theta - np.pi))
    for k in range(1, 4):
        ob, *_ = env.step(1)  # counterclockwise
        assert ob[dial] == pytest.approx(np.cos(env.theta - (np.pi + k * env.turn)), abs=1e-6)


# ---------------------------------------------------- ChangingEnvironment
def test_changing_environment_context_aware_oracle_beats_random():
    steps = 3000
    r_oracle, i_oracle = run(ngym.make("ChangingEnvironment-v0", cxt_ch_prob=0.2, sigma=0.1), oracle, steps)
    r_rand, i_rand = run(ngym.make("ChangingEnvironment-v0", cxt_ch_prob=0.2, sigma=0.1), random_policy(), steps)
    assert np.mean(trial_perf(i_oracle)) == 1.0
    assert np.mean(trial_perf(i_rand)) < 0.4
    assert r_oracle.sum() > r_rand.sum()
    assert {i["context"] for i in i_oracle} == {0, 1}


def test_changing_environment_context_persists_and_is_seeded():
    env = ngym.make("ChangingEnvironment-v0", cxt_ch_prob=0.0)
    contexts = set()
    for seed in range(12):
        env.reset(seed=seed)
        first = env.trial["context"]
        for _ in range(10):
            assert env.new_trial()["context"] == first
        contexts.add(first)
    assert contexts == {0, 1}  # the first context is drawn, from the seeded generator
    assert env.new_trial(context=1, side=2)["ground_truth"] == 4


def test_changing_environment_cue_layout():
    env = ngym.make("ChangingEnvironment-v0", cxt_cue=True, sigma=0.0)
    env.reset(seed=0, options={"trial": {"context": 1, "side": 2, "coh": 51.2}})
    names = env.observation_space.name
    assert np.all(env.ob[:, names["context"]] == 1)  # NeuroGym blanked it during fixation
    fix = env.view_ob("fixation")
    assert np.all(fix[:, names["fixation"]] == 1)
    stim = env.view_ob("stimulus")
    assert np.all(stim[:, names["fixation"]] == 0)  # NeuroGym wrote evidence here for side 1
    left, right = names["stimulus"]
    assert np.all(stim[:, right] > stim[:, left])


# ------------------------------------------------------------- CVLearning
def test_cv_learning_oracle_climbs_the_curriculum():
    env = ngym.make("CVLearning-v0", trials_day=20, perf_len=5, keep_days=0)
    _, infos = run(env, oracle, 6000)
    assert infos[-1]["stage"] == 4
    env = ngym.make("CVLearning-v0", trials_day=20, perf_len=5, keep_days=0)
    _, infos = run(env, random_policy(), 6000)
    assert max(i["stage"] for i in infos) < 4


def test_cv_learning_stage0_forces_alternation():
    env = ngym.make("CVLearning-v0", stages=[0], max_num_reps=3)
    env.reset(seed=0)
    rewards = []
    for _ in range(5):  # always choose side 1 at the first decision step
        while not env.in_period("decision"):
            env.step(0)
        _, reward, *_ = env.step(1)
        rewards.append(reward)
    assert rewards[:3] == [1.0, 1.0, 1.0]  # both sides rewarded
    assert env.trial["forced"] and env.trial["ground_truth"] == 2
    assert rewards[3:] == [0.0, 0.0]  # after 3 repeats only the other side pays


def test_cv_learning_stage1_first_error_counts_as_error():
    # NeuroGym: `first_choice_rew or reward` turned a wrong first choice (reward 0) into a success.
    env = ngym.make("CVLearning-v0", stages=[1])
    env.reset(seed=0)
    while not env.in_period("decision"):
        env.step(0)
    gt = int(env.gt_now)
    _, r_wrong, _, _, info = env.step(3 - gt)
    assert r_wrong == 0.0 and not info["new_trial"]  # may keep trying
    _, r_right, _, _, info = env.step(gt)
    assert r_right == 1.0 and info["new_trial"]
    assert info["performance"] == 0
    assert env.day_perf == [0]


def test_cv_learning_replaying_a_trial_leaves_the_curriculum_alone():
    env = ngym.make("CVLearning-v0", trials_day=2)
    env.reset(seed=0)
    trial = env.new_trial()
    for _ in range(5):
        env.new_trial(**trial)
    assert env.trials_counter == 0 and env.day_perf == []


# -------------------------------------------------------------------- IBL
@pytest.mark.parametrize("task_id", ["IBL-v0", "IBL_Block-v0"])
def test_ibl_choosing_the_brighter_side_beats_random(task_id):
    brighter = lambda env, ob: int(np.argmax(ob))  # noqa: E731
    r_bright, i_bright = run(ngym.make(task_id), brighter, 2000)
    r_rand, _ = run(ngym.make(task_id), random_policy(), 2000)
    assert all(i["new_trial"] for i in i_bright)  # one step per trial
    assert r_bright.mean() > 0.7  # low contrasts are hard at sigma 0.1
    assert 0.4 < r_rand.mean() < 0.6  # NeuroGym rewarded every choice


def test_ibl_block_biases_and_block_length():
    env = ngym.make("IBL_Block-v0", block_size=50)
    _, infos = run(env, lambda env, ob: 0, 3000)
    blocks = np.array([i["block"] for i in infos])
    gts = np.array([int(i["gt"]) for i in infos])
    changes = np.flatnonzero(blocks[1:] != blocks[:-1]) + 1
    assert len(changes) > 5 and np.all(changes % 50 == 0)
    for block, (_, p_right) in enumerate(env.probs):
        assert gts[blocks == block].mean() == pytest.approx(p_right, abs=0.08)


# --------------------------------------------------------------- LeverPress
def test_lever_press_oracle_is_near_optimal():
    env = ngym.make("LeverPress-v0")

    def press_after_cue(env, ob):
        return int(ob[0] == 1 or 0 < env.state < env.n_press)

    r_oracle, _ = run(env, press_after_cue, 20000)
    r_rand, _ = run(ngym.make("LeverPress-v0"), random_policy(), 20000)
    assert r_oracle.mean() == pytest.approx(env.optimal_reward, rel=0.1)
    assert r_rand.mean() < 0


def test_lever_press_with_poke_oracle_and_observed_state():
    env = ngym.make("LeverPressWithPoke-v0", observe_state=True)
    ob, _ = env.reset(seed=0)
    assert ob in env.observation_space and ob[0] == 4  # NeuroGym: outside its [-1, 1] space
    press_then_poke = lambda env, ob: int(env.state > 0)  # noqa: E731
    r, _ = run(env, press_then_poke, 1000)
    assert r.mean() == pytest.approx(env.optimal_reward, rel=0.01)
    r_rand, _ = run(ngym.make("LeverPressWithPoke-v0"), random_policy(), 1000)
    assert r_rand.mean() < r.mean()


def test_lever_press_with_poke_rest_thirst():
    env = ngym.make("LeverPressWithPokeRest-v0")
    ob, _ = env.reset(seed=0)
    assert ob[0] == 1.0  # NeuroGym read thirst 1.0 as 0
    for _ in range(4):
        env.step(1)
    _, reward, _, _, info = env.step(0)
    assert reward == pytest.approx(2.0 * 1.0 - 0.1)
    assert info["thirst"] == 0.0
    _, reward, *_ = env.step(2)
    assert reward == 0.0  # rest is free
    # pressing then drinking only when thirsty beats acting at random
    def thirsty(env, ob):
        if env.state > 0:
            return 1
        return 0 if env.thirst >= 1.0 else 2

    r_good, _ = run(ngym.make("LeverPressWithPokeRest-v0"), thirsty, 5000)
    r_rand, _ = run(ngym.make("LeverPressWithPokeRest-v0"), random_policy(), 5000)
    assert r_good.mean() > r_rand.mean() + 0.05


def test_context_switch_win_stay_lose_shift_beats_random():
    def win_stay(env, ob):
        stim = int(np.argmax(ob))
        return stim if env.believed == 0 else 1 - stim

    env = ngym.make("ContextSwitch-v0")
    env.believed = 0
    ob, _ = env.reset(seed=0)
    total = 0.0
    for _ in range(5000):
        ob_next, reward, _, _, info = env.step(win_stay(env, ob))
        if reward == 0:
            env.believed = 1 - env.believed
        total += reward
        ob = ob_next
    r_rand, infos = run(ngym.make("ContextSwitch-v0"), random_policy(), 5000)
    assert total / 5000 > 0.75
    assert 0.45 < r_rand.mean() < 0.55
    assert {i["context"] for i in infos} == {0, 1}


# ------------------------------------------------------------ MatchingPenny
def test_matching_penny_random_opponent_cannot_be_beaten():
    r, infos = run(ngym.make("MatchingPenny-v0", opponent_type="random"), lambda env, ob: 0, 4000)
    assert 0.45 < r.mean() < 0.55
    assert all(i["new_trial"] for i in infos)


def test_matching_penny_deterministic_opponent_can_be_exploited():
    env = ngym.make("MatchingPenny-v0", bias_threshold=0)  # NeuroGym's opponent

    def model_the_opponent(env, ob):
        return int(not np.round(env.mean_action))  # what the opponent is about to choose

    r_exploit, _ = run(env, model_the_opponent, 500)
    r_rand, _ = run(ngym.make("MatchingPenny-v0", bias_threshold=0), random_policy(), 500)
    assert r_exploit.mean() == 1.0
    assert r_rand.mean() < 0.7


def test_matching_penny_default_opponent_punishes_a_biased_agent():
    always_left, _ = run(ngym.make("MatchingPenny-v0"), lambda env, ob: 0, 1000)
    assert always_left.mean() < 0.1  # the opponent learns the bias and avoids it
    r_rand, _ = run(ngym.make("MatchingPenny-v0"), random_policy(), 4000)
    assert 0.4 < r_rand.mean() < 0.6  # an unpredictable agent gets about half


def test_matching_penny_observation_is_previous_opponent_choice():
    env = ngym.make("MatchingPenny-v0", opponent_type="random")
    ob, _ = env.reset(seed=3)
    for _ in range(50):
        opponent = env.trial["opponent_action"]
        ob, *_ = env.step(0)
        assert int(np.argmax(ob)) == opponent and ob.sum() == 1


# ------------------------------------------------- declarative trial definitions
@pytest.mark.parametrize(
    ("task_id", "kwargs"),
    [
        ("AngleReproduction-v0", {}),
        ("AngleReproduction-v0", {"speed": 5.0, "timing": {"go1": ("uniform", (0, 900))}}),
        ("MemoryRecall-v0", {}),
        ("MemoryRecall-v0", {"balanced": False, "p_recall": 0.5, "store_signal_dim": 2}),
    ],
)
def test_trial_definition_is_recorded_by_the_batch_builder(task_id, kwargs):
    """Written with add_ob/set_ob/set_groundtruth only (no direct array writes): core.batch records the
    calls and rebuilds, bit for bit, the trials the same generator gives one by one."""
    task = ngym.make(task_id, **kwargs).unwrapped
    act = task.action_space
    gt_dtype = np.int64 if isinstance(act, ngym.spaces.Discrete) else np.float32
    ob, gt = build_trials(task, make_rng(3), 2000, task.observation_space.shape, act.shape, gt_dtype)
    one_by_one = ngym.make(task_id, **kwargs).unwrapped
    one_by_one.rng = make_rng(3)
    obs, gts = [], []
    while sum(map(len, obs)) < len(ob):
        one_by_one._reset_periods()
        one_by_one._new_trial()
        obs.append(one_by_one.ob.copy())
        gts.append(one_by_one.gt.copy())
    n = len(ob)
    assert n >= 2000
    np.testing.assert_array_equal(ob, np.concatenate(obs)[:n])
    np.testing.assert_array_equal(gt, np.concatenate(gts)[:n])
    assert ngym.Dataset(task_id, env_kwargs=kwargs, seq_len=5).vectorized


# ------------------------------------------------------------- MemoryRecall
def test_memory_recall_reward_is_minus_error():
    # NeuroGym rewarded the error itself, so the worst recall earned the most.
    r_oracle, i_oracle = run(ngym.make("MemoryRecall-v0"), lambda env, ob: env.gt_now.copy(), 2000)
    r_zero, _ = run(ngym.make("MemoryRecall-v0"), lambda env, ob: np.zeros(10, np.float32), 2000)
    assert r_oracle.sum() == 0.0
    assert np.mean(trial_perf(i_oracle)) == pytest.approx(1.0)
    assert r_zero.sum() < -10


def test_memory_recall_structure():
    env = ngym.make("MemoryRecall-v0", p_recall=0.5, chance=1.0)
    env.reset(seed=0)
    trial = env.trial
    n_store = trial["T"] - trial["n_recall"]
    store = env.ob[:n_store, env.stim_dim]
    assert store.sum() == trial["n_recall"]
    stored = env.ob[:n_store, : env.stim_dim][store == 1]
    recalled = env.gt[n_store:]
    assert sorted(map(tuple, stored)) == sorted(map(tuple, recalled))
    assert np.array_equal(env.ob[n_store:, : env.stim_dim], recalled)  # chance 1: cues are exact
    with pytest.raises(ValueError, match="p_recall"):
        ngym.make("MemoryRecall-v0", p_recall=0.6)


# ------------------------------------------------------- Pneumostomeopening
def test_pneumostome_surfacing_keeps_the_snail_alive():
    def surface_and_breathe(env, ob):
        return 2 if env.agent_pos > 0 else 0

    env = ngym.make("Pneumostomeopening-v0")
    ob, _ = env.reset(seed=0)
    assert ob in env.observation_space
    r_good, infos = run(env, surface_and_breathe, 500)
    assert all(i["oxygen"] > 0 for i in infos)
    r_rand, infos_rand = run(ngym.make("Pneumostomeopening-v0"), random_policy(), 500)
    assert any(i["oxygen"] == 0 for i in infos_rand)  # random snails run out of air
    assert r_good.sum() > r_rand.sum()


def test_pneumostome_training_phase_punishes_aerial_breathing():
    def surface_and_breathe(env, ob):
        return 2 if env.agent_pos > 0 else 0

    skin = lambda env, ob: 1  # noqa: E731
    for phase, better in [("set_default_behavior", "aerial"), ("training_session", "skin")]:
        r_air, _ = run(ngym.make("Pneumostomeopening-v0", phase=phase), surface_and_breathe, 300)
        r_skin, _ = run(ngym.make("Pneumostomeopening-v0", phase=phase), skin, 300)
        assert (r_air.sum() > r_skin.sum()) == (better == "aerial")
    r_test, _ = run(ngym.make("Pneumostomeopening-v0", phase="testing_session"), surface_and_breathe, 100)
    assert r_test.sum() == 0.0
