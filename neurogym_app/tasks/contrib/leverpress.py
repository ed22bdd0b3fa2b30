"""Lever-pressing tasks and a context-switching task.

The lever-pressing tasks and ``ContextSwitchV0`` (``ContextSwitch-v0``) are
plain Gymnasium envs without trials: each step is one time step (``dt`` ms)
and none of them ends an episode. ``ContextSwitch`` (``ContextSwitch-v1``) is
a ``TrialEnv`` of one-step trials, so it has ``new_trial`` as every task.

Fixed from NeuroGym (all four): they implemented ``_step`` instead of
``step`` (so ``step`` raised ``NotImplementedError``), ``reset`` took no
``seed``, they drew from ``np_random.rand`` / ``self.rng`` which did not exist
(``AttributeError``) and returned float64 observations for float32 spaces.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import BaseEnv, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class _SteppedEnv(BaseEnv):
    """Shared reset plumbing: seed via ``self.seed``, then ``_reset_state``."""

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.seed(seed)
        return self._reset_state(), {}

    def _reset_state(self) -> np.ndarray:
        raise NotImplementedError

    def _check_action(self, action: Any) -> int:
        if not self.action_space.contains(action):
            raise ValueError(f"{type(self).__name__}: action {action!r} is not in {self.action_space}")
        return int(action)


class LeverPress(_SteppedEnv):
    """Lever pressing where a cue signals that a press sequence can start.

    Observation: the cue (1 on the step after it turns on, else 0). While
    idle (action 0) the cue turns on with probability ``signal_prob`` per
    step; the agent must then press (action 1) ``n_press`` steps in a row
    and earns ``correct`` on the last press. Not pressing resets the
    sequence; pressing with no sequence under way costs ``abort``.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["motor", "go-no-go", "reinforcement learning"],
        "action_labels": {1: "press"},
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        signal_prob: float = 0.5,
        n_press: int = 4,
    ) -> None:
        super().__init__(dt=dt)
        if not 0 < signal_prob <= 1:
            raise ValueError(f"signal_prob must be a probability in (0, 1], got {signal_prob!r}")
        if n_press < 1:
            raise ValueError(f"n_press must be >= 1, got {n_press!r}")
        self.signal_prob = float(signal_prob)
        self.n_press = int(n_press)
        self.rewards = merge_rewards({"correct": 10.0, "abort": -1.0}, rewards)
        self.action_space = spaces.Discrete(2, name={"wait": 0, "press": 1})
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32, name={"cue": 0})
        self.state = 0  # presses still needed; 0: no sequence under way

    def _ob(self) -> np.ndarray:
        return np.array([float(self.state == self.n_press)], dtype=np.float32)

    def _reset_state(self) -> np.ndarray:
        self.state = 0
        return self._ob()

    def step(self, action: Any):
        action = self._check_action(action)
        reward = 0.0
        if self.state == 0:
            if action == 0:
                if self.rng.random() < self.signal_prob:
                    self.state = self.n_press
            else:
                reward = self.rewards["abort"]
        elif action == 1:
            self.state -= 1
            if self.state == 0:
                reward = self.rewards["correct"]
        else:
            self.state = 0
        return self._ob(), float(reward), False, False, {"presses_left": self.state}

    @property
    def optimal_reward(self) -> float:
        """Mean reward per step of the best policy."""
        p = self.signal_prob
        ns = np.arange(1000)
        return float(self.rewards["correct"] / np.sum((ns + self.n_press + 1) * p * (1 - p) ** ns))


class LeverPressWithPoke(_SteppedEnv):
    """Press a lever ``n_press`` times, then poke the reward port to collect.

    Actions: 0 poke the reward port, 1 press the lever. A poke after at
    least ``n_press`` presses earns ``correct`` and restarts the count.
    Observation: a constant 1, or (``observe_state=True``) the number of
    presses still needed. The task has no randomness.

    Fixed from NeuroGym: with ``observe_state`` the observation (up to
    ``n_press``) lay outside its [-1, 1] space.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["motor", "reinforcement learning"],
        "action_labels": {0: "poke", 1: "press"},
        "stochastic": False,
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        n_press: int = 4,
        observe_state: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if n_press < 1:
            raise ValueError(f"n_press must be >= 1, got {n_press!r}")
        self.n_press = int(n_press)
        self.observe_state = bool(observe_state)
        self.rewards = merge_rewards({"correct": 1.0}, rewards)
        self.action_space = spaces.Discrete(2, name={"poke": 0, "press": 1})
        high = float(self.n_press) if self.observe_state else 1.0
        self.observation_space = spaces.Box(-high, high, shape=(1,), dtype=np.float32, name={"state": 0})
        self.state = self.n_press

    def _ob(self) -> np.ndarray:
        return np.array([self.state if self.observe_state else 1.0], dtype=np.float32)

    def _reset_state(self) -> np.ndarray:
        self.state = self.n_press
        return self._ob()

    def step(self, action: Any):
        action = self._check_action(action)
        reward = 0.0
        if action == 0:
            if self.state <= 0:
                reward = self.rewards["correct"]
                self.state = self.n_press
        else:
            self.state = max(0, self.state - 1)
        return self._ob(), float(reward), False, False, {"presses_left": self.state}

    @property
    def optimal_reward(self) -> float:
        """Mean reward per step of the best policy."""
        return self.rewards["correct"] / (1.0 + self.n_press)

    @property
    def optimal_chance_reward(self) -> float:
        """Mean reward per step of the best policy that presses at random."""
        n = self.n_press
        p = np.sqrt(n) / (1 + np.sqrt(n))
        return float(p * (1 - p) / (n * (1 - p) + p) * self.rewards["correct"])


class LeverPressWithPokeRest(_SteppedEnv):
    """Lever press and poke, with thirst that scales the reward and a rest action.

    Actions: 0 poke the reward port, 1 press the lever, 2 rest. Poking and
    pressing cost ``effort``; a poke after ``n_press`` presses earns
    ``correct`` times the current thirst and quenches it. Thirst grows by a
    random 0.8-1.2 per step from -8 after drinking and is observed clipped
    to [0, 1] (or, with ``observe_state``, the presses still needed).

    Fixed from NeuroGym: its docstring had the actions as 0 rest, 2 poke,
    while the code used 0 poke, 2 rest (the code is kept); thirst read 0
    (not 1) exactly at 1.0, the start of every episode; ``observe_state``
    observations lay outside the space.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["motor", "reinforcement learning", "motivation"],
        "action_labels": {0: "poke", 1: "press", 2: "rest"},
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        n_press: int = 4,
        observe_state: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if n_press < 1:
            raise ValueError(f"n_press must be >= 1, got {n_press!r}")
        self.n_press = int(n_press)
        self.observe_state = bool(observe_state)
        self.rewards = merge_rewards({"correct": 2.0, "effort": -0.1}, rewards)
        self.action_space = spaces.Discrete(3, name={"poke": 0, "press": 1, "rest": 2})
        high = float(self.n_press) if self.observe_state else 1.0
        self.observation_space = spaces.Box(-high, high, shape=(1,), dtype=np.float32, name={"thirst": 0})
        self.state = self.n_press
        self.thirst_state = 1.0
        self.thirst = 1.0

    @staticmethod
    def _get_thirst(thirst_state: float) -> float:
        return float(np.clip(thirst_state, 0.0, 1.0))

    def _ob(self) -> np.ndarray:
        return np.array([self.state if self.observe_state else self.thirst], dtype=np.float32)

    def _reset_state(self) -> np.ndarray:
        self.state = self.n_press
        self.thirst_state = 1.0
        self.thirst = self._get_thirst(self.thirst_state)
        return self._ob()

    def step(self, action: Any):
        action = self._check_action(action)
        reward = 0.0
        if action == 0:
            reward = self.rewards["effort"]
            if self.state <= 0:
                reward += self.rewards["correct"] * self.thirst
                self.state = self.n_press
                self.thirst_state = -8.0
        elif action == 1:
            reward = self.rewards["effort"]
            self.state = max(0, self.state - 1)
        self.thirst_state += self.rng.random() * 0.4 + 0.8
        self.thirst = self._get_thirst(self.thirst_state)
        return self._ob(), float(reward), False, False, {"presses_left": self.state, "thirst": self.thirst}


class ContextSwitchV0(_SteppedEnv):
    """``ContextSwitch-v0`` (neurogym-app 0.1, kept so that its recorded sessions verify).

    Map one of two stimuli to one of two actions under a switching rule.

    Each step shows stimulus 0 or 1 (one-hot). In context 0 the correct
    action is the stimulus itself, in context 1 the other one. Before each
    response the (hidden) context flips with probability ``p_switch``; a
    correct response earns ``correct``. Every step is a choice: there is no
    "wait" action, so a person plays it one key press per step.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["context dependent", "two-alternative", "reinforcement learning"],
        "condition_vars": [],
        "action_labels": {0: "left", 1: "right"},
    }

    def __init__(self, dt: float = 100, rewards: dict[str, float] | None = None, p_switch: float = 0.1) -> None:
        super().__init__(dt=dt)
        if not 0 <= p_switch <= 1:
            raise ValueError(f"p_switch must be a probability in [0, 1], got {p_switch!r}")
        self.p_switch = float(p_switch)
        self.rewards = merge_rewards({"correct": 1.0, "fail": 0.0}, rewards)
        self.action_space = spaces.Discrete(2, name={"left": 0, "right": 1})
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32, name={"stimulus": [0, 1]})
        self.ob2action_context1 = {0: 0, 1: 1}
        self.ob2action_context2 = {0: 1, 1: 0}
        self.context = 0
        self.stimulus = 0

    def _ob(self) -> np.ndarray:
        ob = np.zeros(2, dtype=np.float32)
        ob[self.stimulus] = 1.0
        return ob

    def _reset_state(self) -> np.ndarray:
        self.context = 0
        self.stimulus = 0
        return self._ob()

    def step(self, action: Any):
        action = self._check_action(action)
        if self.rng.random() < self.p_switch:
            self.context = 1 - self.context
        mapping = self.ob2action_context1 if self.context == 0 else self.ob2action_context2
        correct_action = mapping[self.stimulus]
        reward = self.rewards["correct"] if action == correct_action else self.rewards["fail"]
        info = {"gt": correct_action, "context": self.context}
        self.stimulus = int(self.rng.integers(2))
        return self._ob(), float(reward), False, False, info


class ContextSwitch(TrialEnv):
    """Map one of two stimuli to one of two actions under a hidden, switching rule (``ContextSwitch-v1``).

    Every trial shows stimulus 0 or 1 (one-hot) until the agent answers: the
    first action ends the trial (one step at the default timing; the
    ``"human"`` preset gives a person 3 s). In context 0 the correct action is the stimulus itself, in
    context 1 the other one. Before each trial the context flips with
    probability ``p_switch``; a correct answer earns ``correct``. There is no
    "wait" action, so a person plays it one key press per trial.

    Each trial records ``context``, ``stimulus`` and ``ground_truth``;
    ``new_trial(**trial)`` rebuilds it (NeuroGym's ContextSwitch has no
    trials). ``reset()`` starts again in context 0, so a seed fixes the run.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["context dependent", "two-alternative", "reinforcement learning"],
        "condition_vars": ["context", "stimulus"],
        "action_labels": {0: "left", 1: "right"},
    }
    timing_presets = {"human": {"stimulus": 3000}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        p_switch: float = 0.1,
        timing: dict[str, Any] | str | None = None,
    ) -> None:
        super().__init__(dt=dt)
        if not 0 <= p_switch <= 1:
            raise ValueError(f"p_switch must be a probability in [0, 1], got {p_switch!r}")
        self.p_switch = float(p_switch)
        self.rewards = merge_rewards({"correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing({"stimulus": dt}, timing)  # default: one step per trial
        self.action_space = spaces.Discrete(2, name={"left": 0, "right": 1})
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32, name={"stimulus": [0, 1]})
        self.ob2action_context1 = {0: 0, 1: 1}
        self.ob2action_context2 = {0: 1, 1: 0}
        self.context = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.context = 0
        return super().reset(seed=seed, options=options)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        rng = self.rng
        switch = rng.random() < self.p_switch
        drawn_stimulus = int(rng.integers(2))
        context = int(kwargs.get("context", 1 - self.context if switch else self.context))
        stimulus = int(kwargs.get("stimulus", drawn_stimulus))
        if context not in (0, 1) or stimulus not in (0, 1):
            raise ValueError(f"ContextSwitch: context and stimulus are 0 or 1, got {context!r} and {stimulus!r}")
        self.context = context
        mapping = self.ob2action_context1 if context == 0 else self.ob2action_context2
        ground_truth = mapping[stimulus]
        self.add_period("stimulus")
        self.add_ob(1.0, "stimulus", where=[stimulus])
        self.set_groundtruth(ground_truth, "stimulus")
        return {"context": context, "stimulus": stimulus, "ground_truth": ground_truth}

    def _step(self, action: Any):
        if not self.action_space.contains(action):
            raise ValueError(f"ContextSwitch: action {action!r} is not in {self.action_space}")
        gt = self.gt_now
        correct = int(action) == int(gt)
        self.performance = int(correct)
        reward = self.rewards["correct"] if correct else self.rewards["fail"]
        # every action is an answer: it ends the trial
        return self.ob_now, reward, False, False, {"new_trial": True, "gt": gt, "context": self.context}


class FullInput(gym.Wrapper):
    """Append the last reward and a one-hot code of the last action to each observation (NeuroGym's ``FullInput``).

    For the lever-pressing envs, whose reward and action an agent should see.
    ``reset`` appends zeros (no reward, no action yet). The reward channel is
    unbounded (NeuroGym bounds it to [-1, 1], which a reward of 2 leaves).
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        if not isinstance(env.action_space, gym.spaces.Discrete) or not isinstance(env.observation_space, gym.spaces.Box):
            raise TypeError(f"FullInput needs a Box observation and Discrete actions, got {env.observation_space} and {env.action_space}")
        self._n_actions = int(env.action_space.n)
        base = env.observation_space
        low = np.concatenate([np.ravel(base.low), [-np.inf], np.zeros(self._n_actions)]).astype(np.float32)
        high = np.concatenate([np.ravel(base.high), [np.inf], np.ones(self._n_actions)]).astype(np.float32)
        self.observation_space = spaces.Box(low, high, dtype=np.float32)

    def _extended(self, ob: Any, reward: float, action: Any) -> np.ndarray:
        code = np.zeros(self._n_actions, dtype=np.float32)
        if action is not None:
            code[int(action)] = 1.0
        return np.concatenate([np.ravel(ob).astype(np.float32), np.array([reward], dtype=np.float32), code])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        ob, info = self.env.reset(seed=seed, options=options)
        return self._extended(ob, 0.0, None), info

    def step(self, action: Any):
        ob, reward, terminated, truncated, info = self.env.step(action)
        return self._extended(ob, float(reward), action), reward, terminated, truncated, info
