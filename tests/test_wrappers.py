"""The wrappers (ngym.wrappers): behaviour on the built-in tasks, clear errors, determinism."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurogym_app as ngym
from neurogym_app.config import Config
from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.core.wrappers import (
    IncompatibleTaskError,
    Monitor,
    MultiEnvs,
    Noise,
    PassAction,
    PassReward,
    RandomGroundTruth,
    ReactionTime,
    RequireFixation,
    ScheduleAttr,
    ScheduleEnvs,
    SideBias,
    TrialHistoryV2,
    WrapperParameterError,
)
from neurogym_app.utils.scheduler import (
    RandomBlockSchedule,
    RandomSchedule,
    SequentialBlockSchedule,
    SequentialSchedule,
)

PDM, GNG, CDM, DMS, RSG = (
    "PerceptualDecisionMaking-v0",
    "GoNogo-v0",
    "ContextDecisionMaking-v0",
    "DelayMatchSample-v0",
    "ReadySetGo-v0",
)
TASKS = [PDM, GNG, CDM, DMS, RSG]

# wrapper name -> how to put it on a task
FACTORIES = {
    "Noise": lambda env: Noise(env, std_noise=0.2),
    "PassReward": PassReward,
    "PassAction": PassAction,
    "PassAction(one_hot)": lambda env: PassAction(env, one_hot=True),
    "ReactionTime": lambda env: ReactionTime(env, urgency=-0.01),
    "SideBias": lambda env: SideBias(env, probs=[[0.8, 0.2], [0.2, 0.8]], block_dur=4),
    "RandomGroundTruth": lambda env: RandomGroundTruth(env, p=[0.3, 0.7]),
    "TrialHistoryV2": lambda env: TrialHistoryV2(env, probs=[[0.9, 0.1], [0.1, 0.9]]),
    "ScheduleAttr": lambda env: ScheduleAttr(env, SequentialSchedule(2), [{}, {}]),
    "RequireFixation": RequireFixation,
    "Monitor": lambda env: Monitor(env, sv_per=10**9),
}

# (wrapper, task) pairs that cannot work, and a word the error must give as the reason
INCOMPATIBLE = {
    ("ReactionTime", DMS): "'stimulus' and 'decision' periods",
    ("ReactionTime", RSG): "'stimulus' and 'decision' periods",
    ("SideBias", RSG): "no `choices`",
    ("RandomGroundTruth", RSG): "no `choices`",
    ("TrialHistoryV2", RSG): "no `choices`",
}


def rollout(env: gym.Env, seed: int, steps: int = 300) -> dict[str, list]:
    """Reset with ``seed`` and play a fixed action sequence (so runs are comparable)."""
    actions = np.random.default_rng(1234).integers(env.action_space.n, size=steps)
    ob, _ = env.reset(seed=seed)
    out = {"obs": [np.array(ob)], "rewards": [], "trials": [], "new_trial": []}
    for a in actions:
        ob, reward, terminated, truncated, info = env.step(int(a))
        assert not (terminated or truncated)
        out["obs"].append(np.array(ob))
        out["rewards"].append(reward)
        out["new_trial"].append(info["new_trial"])
        if info["new_trial"]:
            out["trials"].append(dict(info["trial"]))
    return out


def same_run(a: dict, b: dict) -> bool:
    return (
        len(a["obs"]) == len(b["obs"])
        and all(np.array_equal(x, y) for x, y in zip(a["obs"], b["obs"]))
        and a["rewards"] == b["rewards"]
        and a["trials"] == b["trials"]
    )


# ------------------------------------------------------------------ matrix


@pytest.mark.parametrize("task_id", TASKS)
@pytest.mark.parametrize("wrapper", list(FACTORIES))
def test_wrapper_on_task_works_or_says_why(wrapper, task_id):
    env = ngym.make(task_id)
    reason = INCOMPATIBLE.get((wrapper.split("(")[0], task_id))
    if reason is not None:
        with pytest.raises(IncompatibleTaskError) as err:
            FACTORIES[wrapper](env)
        message = str(err.value)
        assert "\n" not in message
        assert message.startswith(wrapper.split("(")[0] + ":")
        assert task_id in message and reason in message
        assert isinstance(err.value, TypeError)
        return

    wrapped = FACTORIES[wrapper](env)
    # NeuroGym-style attribute access goes through the wrapper
    assert wrapped.timing == env.unwrapped.timing
    assert wrapped.dt == env.unwrapped.dt
    run = rollout(wrapped, seed=3)
    assert any(run["new_trial"]), "no trial ended in 300 steps"
    for ob in run["obs"]:
        assert wrapped.observation_space.contains(ob.astype(wrapped.observation_space.dtype))
    # determinism per seed, with a fresh wrapper and with the same one again
    again = rollout(FACTORIES[wrapper](ngym.make(task_id)), seed=3)
    assert same_run(run, again)
    assert same_run(run, rollout(wrapped, seed=3))
    # new_trial() through the wrapper starts a trial (and returns its variables)
    trial = wrapped.new_trial()
    assert isinstance(trial, dict) and "trial_seed" in trial
    assert wrapped.unwrapped.t_ind == 0


@pytest.mark.parametrize("wrapper", ["Noise", "SideBias", "RandomGroundTruth", "TrialHistoryV2"])
def test_seed_changes_the_wrapper_draws(wrapper):
    a = rollout(FACTORIES[wrapper](ngym.make(PDM)), seed=1)
    b = rollout(FACTORIES[wrapper](ngym.make(PDM)), seed=2)
    assert not same_run(a, b)


def test_attributes_and_new_trial_through_a_stack_of_wrappers():
    task = ngym.make(PDM)
    env = Monitor(Noise(PassReward(SideBias(ReactionTime(task), probs=[[1.0, 0.0]], block_dur=3)), 0.1))
    env.reset(seed=0)
    assert env.timing == task.timing
    assert env.unwrapped is task
    trial = env.new_trial(coh=51.2)
    assert trial["coh"] == 51.2 and trial["ground_truth"] == 0  # SideBias (probs 1, 0) ran
    assert env.gt is task.gt
    # ReactionTime ran too: the decision starts with the stimulus
    assert task.start_ind["decision"] == task.start_ind["stimulus"]
    assert env.observation_space.shape == (4,)
    assert env.observation_space.name["reward"] == 3


def test_wrapped_env_deepcopies_and_pickles():
    env = SideBias(Noise(ngym.make(PDM), 0.1), probs=[[0.5, 0.5]], block_dur=5)
    env.reset(seed=0)
    clone = copy.deepcopy(env)
    restored = pickle.loads(pickle.dumps(env))
    steps = [env.step(1)[0] for _ in range(40)]
    assert all(np.array_equal(a, clone.step(1)[0]) for a in steps)
    assert restored.timing == env.timing


def test_wrappers_are_lazily_exposed_on_the_package():
    assert ngym.wrappers.SideBias is SideBias
    assert "Monitor-v0" in ngym.wrappers.all_wrappers()
    assert "RequireFixation-v0" in ngym.wrappers.all_wrappers()


# ------------------------------------------------------------------ Noise


def test_noise_adds_noise_to_a_copy_and_to_the_first_observation():
    env = Noise(ngym.make(GNG), std_noise=0.5)
    ob, _ = env.reset(seed=0)
    task = env.unwrapped
    assert not np.array_equal(ob, task.ob[0])
    stored = task.ob.copy()
    noisy = [env.step(0)[0] - task.ob[min(task.t_ind, task.n_steps - 1)] for _ in range(3)]
    np.testing.assert_array_equal(task.ob, stored)  # the task's trial stays clean
    assert ob.dtype == task.observation_space.dtype
    deviations = np.concatenate(noisy)
    assert 0.1 < deviations.std() < 2.0


def test_noise_zero_is_identity_and_negative_is_rejected():
    env = Noise(ngym.make(PDM), std_noise=0)
    ob, _ = env.reset(seed=0)
    np.testing.assert_array_equal(ob, env.unwrapped.ob[0])
    with pytest.raises(WrapperParameterError, match="Noise: std_noise"):
        Noise(ngym.make(PDM), std_noise=-1)


# ------------------------------------------------------------------ PassReward / PassAction


def test_pass_reward_appends_the_previous_reward():
    env = PassReward(ngym.make(PDM))
    ob, _ = env.reset(seed=0)
    assert ob[-1] == 0 and env.observation_space.name["reward"] == 3
    ob, reward, *_ = env.step(1)  # leaving fixation: abort penalty
    assert reward == pytest.approx(-0.1) and ob[-1] == pytest.approx(-0.1)
    np.testing.assert_array_equal(ob[:-1], env.unwrapped.ob_now)


@pytest.mark.parametrize("one_hot", [False, True])
def test_pass_action_appends_the_previous_action(one_hot):
    env = PassAction(ngym.make(PDM), one_hot=one_hot)
    ob, _ = env.reset(seed=0)
    width = 3 if one_hot else 1
    assert env.observation_space.shape == (3 + width,)
    np.testing.assert_array_equal(ob[3:], np.zeros(width))
    ob, *_ = env.step(2)
    np.testing.assert_array_equal(ob[3:], [0, 0, 1] if one_hot else [2])


class _BoxActionTask(TrialEnv):
    """A task whose actions a PassAction cannot encode (a 2-D Box), and whose observation is 2-D."""

    def __init__(self, obs_shape=(2,), action_shape=(2, 2)):
        super().__init__(dt=10)
        self.timing = {"stimulus": 50}
        self.observation_space = spaces.Box(-1, 1, shape=obs_shape, dtype=np.float32)
        self.action_space = spaces.Box(-1, 1, shape=action_shape, dtype=np.float32)

    def _new_trial(self, **kwargs):
        self.add_period("stimulus")
        return dict(kwargs)

    def _step(self, action):
        return OBNOW, 0.0, False, False, {}


def test_pass_action_rejects_actions_it_cannot_encode():
    with pytest.raises(
        IncompatibleTaskError, match=r"PassAction: _BoxActionTask has a Box action space of shape \(2, 2\)"
    ):
        PassAction(_BoxActionTask())
    with pytest.raises(WrapperParameterError, match="one_hot needs Discrete"):
        PassAction(_BoxActionTask(action_shape=(2,)), one_hot=True)
    env = PassAction(_BoxActionTask(action_shape=(2,)))  # a 1-D Box is appended component-wise
    env.reset(seed=0)
    ob, *_ = env.step(np.array([0.5, -0.5], dtype=np.float32))
    np.testing.assert_allclose(ob[2:], [0.5, -0.5])


def test_observation_channels_need_a_flat_box():
    with pytest.raises(IncompatibleTaskError, match="PassReward: _BoxActionTask .* only a 1-D Box observation"):
        PassReward(_BoxActionTask(obs_shape=(2, 2)))


# ------------------------------------------------------------------ ReactionTime


def test_reaction_time_decision_starts_with_the_stimulus_and_a_response_ends_the_trial():
    env = ReactionTime(ngym.make(PDM, timing={"fixation": 200, "stimulus": 1000}), urgency=-0.05)
    env.reset(seed=0)
    task = env.unwrapped
    onset = task.start_ind["stimulus"]
    assert task.start_ind["decision"] == onset
    answer = task.gt[task.end_ind["decision"] - 1]
    assert answer != 0 and np.all(task.gt[onset : task.end_ind["decision"]] == answer)
    assert np.all(task.gt[:onset] == 0)
    rewards = [env.step(0)[1] for _ in range(onset)]
    assert rewards == [pytest.approx(-0.05)] * onset  # urgency every step
    ob, reward, _, _, info = env.step(int(answer))  # respond at stimulus onset
    assert info["new_trial"] and info["performance"] == 1
    assert reward == pytest.approx(1.0 - 0.05)
    assert info["tr_dur"] == onset
    np.testing.assert_array_equal(ob, task.ob[0])  # the next trial's first observation, not zeros


def test_reaction_time_on_gonogo_and_context_tasks():
    for task_id in (GNG, CDM):
        env = ReactionTime(ngym.make(task_id))
        env.reset(seed=1)
        task = env.unwrapped
        assert task.start_t["decision"] == task.start_t["stimulus"]


# ------------------------------------------------------------------ SideBias, RandomGroundTruth, TrialHistoryV2


def ground_truths(env: gym.Env, n: int, seed: int = 0) -> list[int]:
    env.reset(seed=seed)
    return [env.new_trial()["ground_truth"] for _ in range(n)]


def test_side_bias_blocks_of_fixed_length():
    env = SideBias(ngym.make(PDM), probs=[[1.0, 0.0], [0.0, 1.0]], block_dur=3)
    gts = ground_truths(env, 13)
    runs = [gts[i : i + 3] for i in range(1, 13, 3)]  # the first block may be cut short by reset's trial
    assert all(len(set(r)) == 1 for r in runs)
    assert all(a[0] != b[0] for a, b in zip(runs, runs[1:]))  # a switch always changes block
    trial = env.new_trial()
    assert trial["probs"] in ([1.0, 0.0], [0.0, 1.0])


@pytest.mark.parametrize("block_dur", [0.3, (2, 5)])
def test_side_bias_probabilistic_and_random_length_blocks(block_dur):
    env = SideBias(ngym.make(DMS), probs=[[0.9, 0.1], [0.1, 0.9]], block_dur=block_dur)
    gts = ground_truths(env, 400)
    assert set(gts) <= {1, 2}  # DelayMatchSample's choices
    assert ground_truths(env, 400) == gts


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"probs": [[0.5, 0.5, 0.0]]}, "3 entries but PerceptualDecisionMaking-v0 has 2 choices"),
        ({"probs": [[0.5, 0.6]]}, "must sum to 1; row 0 sums to 1.1"),
        ({"probs": [0.5, 0.5]}, "2D list of lists (matrix)"),
        ({"probs": [[1.5, -0.5]]}, "non-negative"),
        ({"probs": [[0.5, 0.5]], "block_dur": 0}, "block_dur must be"),
        ({"probs": [[0.5, 0.5]], "block_dur": 1.5}, "block_dur must be"),
        ({"probs": [[0.5, 0.5]], "block_dur": (5, 2)}, "block_dur must be"),
    ],
)
def test_side_bias_rejects_bad_parameters(kwargs, message):
    with pytest.raises(WrapperParameterError, match="SideBias: ") as err:
        SideBias(ngym.make(PDM), **kwargs)
    assert message in str(err.value)


def test_a_recorded_trial_replays_through_trial_wrappers():
    env = SideBias(ngym.make(PDM), probs=[[0.5, 0.5]], block_dur=10)
    env.reset(seed=0)
    trial = env.new_trial()
    ob, gt = env.unwrapped.ob.copy(), env.unwrapped.gt.copy()
    forced = 1 - trial["ground_truth"]
    assert env.new_trial(ground_truth=forced)["ground_truth"] == forced
    env.new_trial(**trial)
    np.testing.assert_array_equal(env.unwrapped.ob, ob)
    np.testing.assert_array_equal(env.unwrapped.gt, gt)


def test_random_ground_truth_uses_p_and_keeps_other_arguments():
    env = RandomGroundTruth(ngym.make(CDM), p=[0.0, 1.0])
    assert set(ground_truths(env, 30)) == {2}  # ContextDecisionMaking's choices are 1, 2
    trial = env.new_trial(coh_1=50.0, p=[1.0, 0.0])
    assert trial["ground_truth"] == 1 and trial["coh_1"] == 50.0
    with pytest.raises(WrapperParameterError, match="RandomGroundTruth: probs rows have 3 entries"):
        RandomGroundTruth(ngym.make(PDM), p=[0.2, 0.3, 0.5])


def test_trial_history_follows_the_transition_matrix():
    env = TrialHistoryV2(ngym.make(GNG), probs=[[0.0, 1.0], [1.0, 0.0]])  # always switch
    gts = ground_truths(env, 20)
    assert all(a != b for a, b in zip(gts, gts[1:]))
    repeat = TrialHistoryV2(ngym.make(GNG), probs=[[1.0, 0.0], [0.0, 1.0]])
    assert len(set(ground_truths(repeat, 20))) == 1
    with pytest.raises(WrapperParameterError, match="TrialHistoryV2: probs must be 2x2"):
        TrialHistoryV2(ngym.make(GNG), probs=[[0.5, 0.5]])


# ------------------------------------------------------------------ ScheduleAttr


def test_schedule_attr_sets_trial_variables_by_schedule():
    env = ScheduleAttr(ngym.make(PDM), SequentialSchedule(2), [{"coh": 0.0}, {"coh": 51.2}])
    env.reset(seed=0)
    cohs = [env.new_trial()["coh"] for _ in range(6)]
    assert cohs in ([0.0, 51.2] * 3, [51.2, 0.0] * 3)
    assert env.new_trial(coh=6.4)["coh"] == 6.4  # the caller wins (replay)
    with pytest.raises(WrapperParameterError, match="ScheduleAttr: the schedule has n=3 conditions"):
        ScheduleAttr(ngym.make(PDM), SequentialSchedule(3), [{}, {}])


def test_schedules():
    seq = SequentialSchedule(3)
    assert [seq() for _ in range(4)] == [1, 2, 0, 1]
    blocks = SequentialBlockSchedule(2, [2, 3])
    assert [blocks() for _ in range(7)] == [0, 0, 1, 1, 1, 0, 0]
    rand = RandomSchedule(3)
    rand.seed(0)
    picks = [rand() for _ in range(50)]
    assert all(a != b for a, b in zip(picks, picks[1:]))
    rand.seed(0)
    rand.reset()
    assert [rand() for _ in range(50)] == picks
    rblocks = RandomBlockSchedule(3, [2, 2, 2])
    rblocks.seed(1)
    seq = [rblocks() for _ in range(9)]
    assert seq[0] == seq[1] == 0 and seq[2] != 0
    with pytest.raises(ValueError, match="block_lens has 1 entries"):
        SequentialBlockSchedule(2, [3])


# ------------------------------------------------------------------ ScheduleEnvs, MultiEnvs


def test_schedule_envs_switches_tasks_between_trials():
    envs = [ngym.make(PDM), ngym.make(DMS)]
    env = ScheduleEnvs(envs, SequentialSchedule(2), env_input=True)
    assert env.observation_space.shape == (5,)
    assert env.observation_space.name["env_input"] == [3, 4]
    ob, _ = env.reset(seed=0)
    played = []
    for _ in range(600):
        task_before = env.unwrapped
        ob, _, _, _, info = env.step(env.action_space.sample())
        assert env.observation_space.contains(ob)
        if info["new_trial"]:
            played.append(info["i_env"])
            assert info["trial"] == task_before.trial
            # the step that ends a trial returns the next trial's first observation, on its task
            np.testing.assert_array_equal(ob, env.unwrapped.ob[0])
            assert ob[3 + env.i_env] == 1 and ob[3 + 1 - env.i_env] == 0
    assert len(played) > 10
    assert all(a != b for a, b in zip(played, played[1:]))  # alternating tasks
    assert env.timing is env.unwrapped.timing  # the current task's timing
    assert rollout(env, seed=4)["trials"] == rollout(env, seed=4)["trials"]


def test_schedule_envs_needs_compatible_tasks():
    with pytest.raises(IncompatibleTaskError, match="ScheduleEnvs: GoNogo-v0 has action space"):
        ScheduleEnvs([ngym.make(PDM), ngym.make(GNG)], RandomSchedule(2))
    with pytest.raises(IncompatibleTaskError, match="ScheduleEnvs: ContextDecisionMaking-v0 has observation shape"):
        ScheduleEnvs([ngym.make(PDM), ngym.make(CDM)], RandomSchedule(2))
    with pytest.raises(IncompatibleTaskError, match="wrap the ScheduleEnvs instead"):
        ScheduleEnvs([PassReward(ngym.make(PDM)), ngym.make(PDM)], RandomSchedule(2))
    with pytest.raises(WrapperParameterError, match="schedule has n=3 conditions but there are 2 envs"):
        ScheduleEnvs([ngym.make(PDM), ngym.make(DMS)], RandomSchedule(3))


def test_multi_envs_draws_trials_on_the_chosen_task():
    env = MultiEnvs([ngym.make(PDM), ngym.make(DMS)], env_input=True)
    ob, _ = env.reset(seed=0)
    assert list(ob[3:]) == [1, 0]
    env.set_i(1)
    trial = env.new_trial()
    assert "sample_theta" in trial and env.unwrapped is env.envs[1].unwrapped
    assert list(env.unwrapped.ob[0, 3:]) == [0, 1]
    assert "sample" in env.timing
    for _ in range(200):
        _, _, _, _, info = env.step(env.action_space.sample())
        assert info["i_env"] == 1
    with pytest.raises(WrapperParameterError, match="MultiEnvs: env index must be in 0..1"):
        env.set_i(2)


# ------------------------------------------------------------------ RequireFixation


def test_require_fixation_restarts_the_fixation_period_on_a_break():
    task = ngym.make(PDM, timing={"fixation": 300, "stimulus": 200}, abort=True)
    env = RequireFixation(task)
    env.reset(seed=0)
    assert env.fixation_action == 0
    env.step(0)
    env.step(0)
    ob, reward, _, _, info = env.step(1)  # break on the last fixation step
    assert not info["new_trial"]  # no abort, although the task would abort
    assert reward == pytest.approx(task.rewards["abort"])
    assert info["fixation_breaks"] == 1 and task.t_ind == 0
    np.testing.assert_array_equal(ob, task.ob[0])
    periods = [env.step(0)[4]["period"] for _ in range(4)]
    assert periods == ["fixation"] * 3 + ["stimulus"]  # the whole fixation again, then the stimulus
    # outside the fixation period actions are judged by the task as usual
    _, _, _, _, info = env.step(1)
    assert info["period"] == "stimulus" and "fixation_breaks" in info


def test_require_fixation_says_why_it_cannot_wrap():
    with pytest.raises(
        IncompatibleTaskError, match="RequireFixation: PerceptualDecisionMaking-v0 has no 'hold' period"
    ):
        RequireFixation(ngym.make(PDM), period="hold")
    with pytest.raises(IncompatibleTaskError, match="RequireFixation: _BoxActionTask has no 'fixation' period"):
        RequireFixation(_BoxActionTask())
    with pytest.raises(IncompatibleTaskError, match="apply RequireFixation first, then PassReward"):
        RequireFixation(PassReward(ngym.make(PDM)))


# ------------------------------------------------------------------ Monitor


def play(env: gym.Env, steps: int, seed: int = 0) -> None:
    env.reset(seed=seed)
    env.action_space.seed(seed)
    for _ in range(steps):
        env.step(env.action_space.sample())


def test_monitor_saves_every_sv_per_trials(tmp_path, capsys):
    env = Monitor(ngym.make(GNG), folder=tmp_path, sv_per=5, verbose=True, name="run1")
    play(env, 200)
    files = env.saved_files
    assert [f.name for f in files[:2]] == ["GoNogo_bhvr_data_run1_5.npz", "GoNogo_bhvr_data_run1_10.npz"]
    assert all(f.parent == tmp_path for f in files)
    data = np.load(files[0], allow_pickle=True)
    assert len(data["reward"]) == 5 and len(data["performance"]) == 5
    assert set(data.files) >= {"action", "reward", "cum_reward", "performance", "trial"}
    assert isinstance(data["trial"][0], dict) and "ground_truth" in data["trial"][0]
    out = capsys.readouterr().out
    assert "Average reward" in out and "Number of trials: 5" in out
    assert len(env.history["reward"]) == env.num_tr


def test_monitor_saves_by_steps_with_the_old_spelling(tmp_path):
    env = Monitor(ngym.make(PDM), folder=tmp_path, sv_per=50, sv_stp="timestep")
    assert env.sv_stp == "step"
    play(env, 400)
    assert len(list(tmp_path.glob("*.npz"))) >= 3


def test_monitor_takes_a_toml_config_or_a_config_object(tmp_path):
    toml = tmp_path / "config.toml"
    toml.write_text(
        f'local_dir = "{tmp_path.as_posix()}/logs"\n[monitor]\nname = "m"\ninterval = 4\nverbose = false\n'
        '[monitor.plot]\ncreate = true\nstep = 30\next = "svg"\n',
        encoding="utf-8",
    )
    env = Monitor(ngym.make(PDM), config=str(toml))
    assert env.config.monitor.interval == 4 and env.sv_fig
    play(env, 200)
    assert list(env.save_dir.glob("*.npz")) and list(env.save_dir.glob("*task_*.svg"))
    assert env.save_dir.parent == tmp_path / "logs" / "PerceptualDecisionMaking-v0"
    cfg = Config(monitor={"interval": 3, "plot": {"create": False}}, local_dir=tmp_path / "o")
    env = Monitor(ngym.make(PDM), config=cfg, sv_per=7)  # a keyword wins over the config
    assert env.sv_per == 7 and cfg.monitor.interval == 3  # the caller's Config is not changed


def test_monitor_rejects_conflicting_or_bad_options():
    with pytest.raises(WrapperParameterError, match="Monitor: sv_per=5 and interval=6 set the same option"):
        Monitor(ngym.make(PDM), sv_per=5, interval=6)
    with pytest.raises(WrapperParameterError, match="Monitor: .*trigger"):
        Monitor(ngym.make(PDM), sv_stp="week")
    with pytest.raises(TypeError, match="Monitor: config must be"):
        Monitor(ngym.make(PDM), config=42)


def test_monitor_step_fn_and_evaluate_policy_do_not_record(tmp_path):
    calls = []
    task = ngym.make(PDM)

    def step_fn(action):
        calls.append(action)
        return task.step(action)

    env = Monitor(task, folder=tmp_path, sv_per=2, step_fn=step_fn)
    env.reset(seed=0)
    env.step(0)
    assert calls == [0]
    result = env.evaluate_policy(num_trials=20, verbose=False)
    assert len(result["rewards"]) == 20 and 0 <= result["mean_performance"] <= 1
    assert env.num_tr == 0 and not list(tmp_path.glob("*.npz"))


def test_monitor_figure_rows_line_up(tmp_path, monkeypatch):
    from neurogym_app.plots import static

    drawn = {}
    real = static.trials_figure

    def spy(ob, actions, **kwargs):
        drawn.update(ob=ob, actions=actions, **kwargs)
        return real(ob, actions, **kwargs)

    monkeypatch.setattr(static, "trials_figure", spy)
    env = Monitor(ngym.make(PDM), folder=tmp_path, sv_fig=True, num_stps_sv_fig=25)
    ob, _ = env.reset(seed=0)
    seen, actions, gts = [ob], [], []
    for i in range(25):
        actions.append(i % 3)
        ob, _, _, _, info = env.step(actions[-1])
        seen.append(ob)
        gts.append(info["gt"])
    figure = env.saved_files[-1]
    assert figure.suffix == ".png" and figure.exists()
    # row t: the observation action t was chosen on (reset's first), that action, its ground truth
    np.testing.assert_array_equal(drawn["ob"], np.array(seen[:25], dtype=float))
    np.testing.assert_array_equal(drawn["actions"], actions)
    np.testing.assert_array_equal(drawn["gt"], gts)


# ------------------------------------------------------------------ properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), min_size=1, max_size=4),
    block_dur=st.integers(1, 6),
    seed=st.integers(0, 2**31),
)
def test_side_bias_property_blocks_and_support(rows, block_dur, seed):
    probs = [[p, 1 - p] if flip else [1 - p, p] for p, flip in rows]
    env = SideBias(ngym.make(GNG), probs=probs, block_dur=block_dur)
    env.reset(seed=seed)
    blocks, gts = [], []
    for _ in range(4 * block_dur + 3):
        gts.append(env.new_trial()["ground_truth"])
        blocks.append(env.curr_block)
        assert env.choice_prob[env.curr_block][gts[-1]] > 0  # never a value of zero probability
    # after the (possibly partial) first block, blocks change exactly every block_dur trials
    changes = [i for i in range(1, len(blocks)) if blocks[i] != blocks[i - 1]]
    if len(probs) > 1:
        assert changes and all(b - a == block_dur for a, b in zip(changes, changes[1:]))
    else:
        assert changes == []
    env.reset(seed=seed)
    assert [env.new_trial()["ground_truth"] for _ in range(len(gts))] == gts


@settings(max_examples=20, deadline=None)
@given(std=st.floats(0.0, 3.0), seed=st.integers(0, 2**31), one_hot=st.booleans())
def test_observation_wrappers_property(std, seed, one_hot):
    env = PassAction(PassReward(Noise(ngym.make(PDM), std_noise=std)), one_hot=one_hot)
    run = rollout(env, seed=seed, steps=60)
    assert same_run(run, rollout(env, seed=seed, steps=60))
    actions = np.random.default_rng(1234).integers(3, size=60)
    for ob, action, reward in zip(run["obs"][1:], actions, run["rewards"]):
        assert ob.shape == env.observation_space.shape
        code = ob[-3:] if one_hot else ob[-1:]
        np.testing.assert_array_equal(code, np.eye(3)[action] if one_hot else [action])
        assert ob[3] == pytest.approx(reward)


def test_wrapper_files_exist_one_per_wrapper():
    from neurogym_app.core import wrappers as implementation

    folder = Path(implementation.__file__).parent
    for module in ("monitor", "noise", "pass_reward", "pass_action", "reaction_time", "side_bias",
                   "random_ground_truth", "schedule_attr", "schedule_envs", "trial_history", "multi_envs",
                   "require_fixation"):  # fmt: skip
        assert (folder / f"{module}.py").exists()
