"""Daw two-step task: a first choice leads, probabilistically, to one of two reward states."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class DawTwoStep(TrialEnv):
    """Daw two-step task.

    On each trial the agent makes a first-stage choice (action 1 or 2). Each
    choice leads to "its" second-stage state with probability 0.8 (``p1``,
    ``p2``) and to the other state otherwise (common vs. rare transitions).
    One state pays ``rewards['correct']`` with probability 0.9, the other with
    0.1; which one is the rich state reverses with probability 0.025 per trial
    (``p_switch``). As in NeuroGym the reward comes with the transition, and in
    the second stage the agent must keep fixating.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort`` and ``correct``.
        timing: dict of period -> spec, or a preset name (``"human"``). By
            default each stage lasts one step, as in NeuroGym.

    Periods: ``stage1`` (fixation input on; choose) and ``stage2`` (the state
    reached is shown; fixate). The observation and ground truth arrays are
    those of a choice of the ground truth: in stage 1 the action that commonly
    leads to the rich state (``ground_truth``), in stage 2 fixation; after an
    actual choice the rest of the trial shows the state that choice reached.
    Not choosing by the end of stage 1 aborts the trial. ``performance`` is 1
    when the first choice was the ground truth. ``reset()`` restarts the
    experiment (state 1 rich), so seeded runs reproduce.
    """

    metadata = {
        "paper_link": "https://www.sciencedirect.com/science/article/pii/S0896627311001255",
        "paper_name": "Model-Based Influences on Humans' Choices and Striatal Prediction Errors",
        "tags": ["two-alternative"],
        "rt_from": "stage1",
        "condition_vars": ["hi_state"],
        "strength_var": None,
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {"stage1": 100, "stage2": 100}
    timing_presets = {"human": {"stage1": 3000, "stage2": 1000}}

    def __init__(
        self, dt: float = 100, rewards: dict[str, float] | None = None, timing: dict[str, Any] | str | None = None
    ) -> None:
        super().__init__(dt=dt)
        self.actions = [0, 1, 2]
        self.p1 = 0.8  # probability that action 1 leads to state 1
        self.p2 = 0.8  # probability that action 2 leads to state 2
        self.p_switch = 0.025  # probability per trial that the rich state changes
        self.high_reward_p = 0.9
        self.low_reward_p = 0.1
        self.state1_high_reward = True
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0}, rewards)
        self.timing = self.resolve_timing({"stage1": dt, "stage2": dt}, timing)
        self._chosen = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "state1": 1, "state2": 2}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.state1_high_reward = True
        return super().reset(seed=seed, options=options)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        u_trans1, u_trans2, u_switch, u_high, u_low = self.rng.random(5).tolist()
        transition = [1 if u_trans1 < self.p1 else 2, 2 if u_trans2 < self.p2 else 1]
        if u_switch < self.p_switch:
            self.state1_high_reward = not self.state1_high_reward
        hi_state = 0 if self.state1_high_reward else 1
        trial: dict[str, Any] = {"transition": transition, "hi_state": hi_state}
        given_reward = None
        if kwargs:
            given_reward = kwargs.pop("reward", None)
            kwargs.pop("ground_truth", None)  # derived from hi_state
            trial.update(kwargs)
            trial["transition"] = [int(s) for s in trial["transition"]]
            hi_state = int(trial["hi_state"])
            if hi_state not in (0, 1) or any(s not in (1, 2) for s in trial["transition"]):
                raise ValueError("hi_state must be 0 or 1 and transition must map actions 1, 2 to states 1 or 2")
            trial["hi_state"] = hi_state
            self.state1_high_reward = hi_state == 0  # a fixed hi_state also sets the block
        if given_reward is None:
            reward = [0.0, 0.0]
            correct = self.rewards["correct"]
            reward[hi_state] = float(u_high < self.high_reward_p) * correct
            reward[1 - hi_state] = float(u_low < self.low_reward_p) * correct
        else:
            reward = [float(r) for r in given_reward]
        trial["reward"] = reward
        # The first choice that commonly leads to the rich state (p1, p2 >= 0.5).
        trial["ground_truth"] = ground_truth = hi_state + 1

        self._chosen = False
        self.add_period(["stage1", "stage2"])
        reached = trial["transition"][ground_truth - 1]
        self.add_ob(1, "stage1", where="fixation")
        self.add_ob(1, "stage2", where=_STATE_CHANNEL[reached])
        self.set_groundtruth(ground_truth, "stage1")
        return trial

    def _step(self, action):
        action = int(action)
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if not self._chosen and self.in_period("stage1"):
            if action != 0:
                self._chosen = True
                trial = self.trial
                state = trial["transition"][action - 1]
                reward = float(trial["reward"][state - 1])
                self.performance = int(action == trial["ground_truth"])
                # From the next step on the agent sees the state its choice reached.
                self.ob[self.t_ind + 1 :] = _STATE_ROW[state]
            elif self.t_ind + 1 >= self.end_ind["stage1"]:
                reward = self.rewards["abort"]  # no choice in stage 1
                new_trial = True
        elif action != 0 and self.in_period("stage2"):
            reward = self.rewards["abort"]
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}


#: observation channel of each second-stage state
_STATE_CHANNEL = {1: "state1", 2: "state2"}


def _one_hot_row(channel: int) -> np.ndarray:
    row = np.zeros(3, dtype=np.float32)
    row[channel] = 1
    row.flags.writeable = False
    return row


#: the observation once a second-stage state is reached: only that state's input on
_STATE_ROW = {1: _one_hot_row(1), 2: _one_hot_row(2)}
