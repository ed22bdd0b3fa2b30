"""Multi-armed bandit: pick one of ``n`` arms, each paying off with its own probability."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv


class Bandit(TrialEnv):
    """Multi-arm bandit task.

    On each trial (a single step) the agent chooses one of ``n`` arms. Arm
    ``i`` pays ``rewards[i]`` with probability ``p[i]`` and nothing otherwise.
    The observation is a constant 0: what the agent learns comes from rewards.

    Args:
        dt: time step (ms); one trial is one step.
        n: number of arms.
        p: probability that each arm pays off (length ``n``).
        rewards: reward magnitude of each arm when it pays off (length ``n``;
            default 1 for every arm). Note: a list of magnitudes, as in NeuroGym,
            not a dict of outcomes.
        timing: accepted for the ``"human"`` preset (the choice window a person
            gets); the trial ends at the first step, since every action is a choice.

    For the supervised ``Dataset`` each trial has one period ("decision") with
    a zero observation and, as ground truth, the arm of highest expected reward
    (``ground_truth``; ties go to the lowest index). ``performance`` is 1 when
    that arm was chosen (NeuroGym never sets it). The payoff of each arm is
    drawn when the trial starts, so a recorded trial replays with its reward.
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/s41593-018-0147-8",
        "paper_name": "Prefrontal cortex as a meta-reinforcement learning system",
        "tags": ["n-alternative"],
        "rt_from": "decision",
        "condition_vars": [],
        "strength_var": None,
        "action_labels": {0: "left", 1: "right"},
    }
    default_timing = {"decision": 100}
    timing_presets = {"human": {"decision": 3000}}

    def __init__(
        self,
        dt: float = 100,
        n: int = 2,
        p: tuple[float, ...] | list[float] = (0.5, 0.5),
        rewards: list[float] | np.ndarray | None = None,
        timing: dict[str, Any] | str | None = None,
    ) -> None:
        super().__init__(dt=dt)
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int (number of arms), got {n!r}")
        self.n = int(n)
        self._p = np.asarray(p, dtype=float)
        if self._p.shape != (self.n,) or np.any(self._p < 0) or np.any(self._p > 1):
            raise ValueError(f"p must list {self.n} probabilities in 0-1 (one per arm), got {p!r}")
        self._rewards = np.ones(self.n) if rewards is None else np.asarray(rewards, dtype=float)
        if self._rewards.shape != (self.n,):
            raise ValueError(f"rewards must list {self.n} reward magnitudes (one per arm), got {rewards!r}")
        self.rewards = {f"arm{i}": float(r) for i, r in enumerate(self._rewards)}
        self._p_list, self._rewards_list = self._p.tolist(), self._rewards.tolist()  # a trial's p and rewards
        # One step per trial unless a preset/dict asks for a longer choice window.
        self.timing = self.resolve_timing({"decision": dt}, timing)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32, name={"bias": 0})
        self.action_space = spaces.Discrete(self.n, name={"choice": list(range(self.n))})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        self._payoff_draws = self.rng.random(self.n).tolist()  # one draw per arm, used at the choice
        trial: dict[str, Any] = {"p": list(self._p_list), "rewards": list(self._rewards_list)}
        if kwargs:
            kwargs.pop("ground_truth", None)  # derived from p and rewards
            trial.update(kwargs)
            trial["p"] = [float(v) for v in trial["p"]]
            trial["rewards"] = [float(v) for v in trial["rewards"]]
            if len(trial["p"]) != self.n or len(trial["rewards"]) != self.n:
                raise ValueError(f"p and rewards must have {self.n} entries (one per arm)")
        trial["ground_truth"] = _best_arm(trial["p"], trial["rewards"])
        self.add_period("decision")
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        action = int(action)
        gt = self.gt_now
        trial = self.trial
        paid = self._payoff_draws[action] < trial["p"][action]
        reward = float(trial["rewards"][action]) if paid else 0.0
        self.performance = 1 if action == gt else 0
        return OBNOW, reward, False, False, {"new_trial": True, "gt": gt}


def _best_arm(p: list[float], rewards: list[float]) -> int:
    """The arm of highest expected reward (the first of ties)."""
    expected = [pi * ri for pi, ri in zip(p, rewards)]
    return expected.index(max(expected))
