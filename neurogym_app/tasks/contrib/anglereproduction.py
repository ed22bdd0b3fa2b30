"""Angle reproduction: remember two angles, then rotate a dial to each in turn."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards, ring_angles

N_RING = 16


def circular_dist(x: float) -> float:
    """Absolute angular distance (rad, in [0, pi]) of an angle difference ``x``."""
    return float(abs(np.mod(x + np.pi, 2 * np.pi) - np.pi))


class AngleReproduction(TrialEnv):
    """Angle reproduction: reproduce two angles, shown one after the other, in order.

    Two angles are shown on a ring of 16 units (``stim1``, then ``stim2``),
    each followed by a delay. The agent turns a dial (its own ring of 16
    units, ``response``, which starts every trial at pi): action 1 turns it
    counterclockwise (angle up), action 2 clockwise, 0 holds it. While the
    ``go1`` cue is on it should point at the first angle, while ``go2`` is on
    at the second; every step there it earns ``correct - distance`` (rad),
    never less than ``fail``. ``performance`` is the mean of that reward
    scaled to [0, 1] over the go steps.

    The ground truth is the action sequence of an ideal dial that starts at
    pi and turns toward the target only during the go periods; the
    precomputed observation shows that ideal dial, and while playing the
    ``response`` channels show the real dial.

    Fixed from NeuroGym: the target angles were stored in the integer
    ground-truth array (Discrete action space), so rewards were computed
    against ``int(angle)``; the dial's reading was written into the
    observation already returned, so it lagged one step.
    """

    metadata = {
        "paper_link": "https://www.pnas.org/content/114/43/E9115.short",
        "paper_name": "Visual perception as retrospective Bayesian decoding from high- to low-level features",
        "tags": ["perceptual", "working memory", "delayed response", "steps action space"],
        "rt_from": "go1",
        "condition_vars": ["ground_truth1", "ground_truth2"],
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {
        "fixation": 500, "stim1": 500, "delay1": 500, "stim2": 500, "delay2": 500, "go1": 500, "go2": 500,
    }
    timing_presets = {
        "human": {
            "fixation": 500, "stim1": 500, "delay1": 1000, "stim2": 500, "delay2": 1000, "go1": 3000, "go2": 3000,
        }
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        speed: float = 0.5,
    ) -> None:
        super().__init__(dt=dt)
        if not speed > 0:
            raise ValueError(f"speed must be a positive turning speed in rad/s, got {speed!r}")
        self.rewards = merge_rewards({"correct": 1.0, "fail": -0.1}, rewards)
        if self.rewards["correct"] <= self.rewards["fail"]:
            raise ValueError("rewards: 'correct' must be larger than 'fail'")
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.speed = float(speed)
        self.turn = self.speed * dt / 1000.0  # rad per step (NeuroGym: 0.05 at dt=100)
        self.theta = ring_angles(N_RING)
        self.state = np.pi
        self.dec_per_dur = 1  # steps of go1 and go2: performance is their mean
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(2 * N_RING + 2,), dtype=np.float32,
            name={
                "stimulus": list(range(N_RING)),
                "response": list(range(N_RING, 2 * N_RING)),
                "go1": 2 * N_RING,
                "go2": 2 * N_RING + 1,
            },
        )
        self.action_space = spaces.Discrete(3, name={"hold": 0, "counterclockwise": 1, "clockwise": 2})

    def _ring(self, angle: Any) -> np.ndarray:
        """The ring's response to ``angle`` (one row per angle if given several)."""
        return np.cos(self.theta - np.asarray(angle)[..., None])

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        self.state = np.pi
        trial = {
            "ground_truth1": float(self.rng.uniform(0, 2 * np.pi)),
            "ground_truth2": float(self.rng.uniform(0, 2 * np.pi)),
        }
        trial.update(kwargs)
        self.add_period(["fixation", "stim1", "delay1", "stim2", "delay2", "go1", "go2"])
        self.add_ob(self._ring(trial["ground_truth1"]), "stim1", where="stimulus")
        self.add_ob(self._ring(trial["ground_truth2"]), "stim2", where="stimulus")
        self.add_ob(1, "go1", where="go1")
        self.add_ob(1, "go2", where="go2")

        # The dial rests at pi until go1; then an ideal dial turns to each target in turn.
        self.set_ob(self._ring(np.pi), where="response")
        state = np.pi
        for period, target in (("go1", trial["ground_truth1"]), ("go2", trial["ground_truth2"])):
            states, actions = self._ideal_dial(state, target, self.end_ind[period] - self.start_ind[period])
            self.set_ob(self._ring(states[:-1]), period, where="response")
            self.set_groundtruth(actions, period)
            state = states[-1]
        self.dec_per_dur = max(1, sum(self.end_ind[p] - self.start_ind[p] for p in ("go1", "go2")))
        return trial

    def _ideal_dial(self, state: float, target: float, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n_steps`` actions of a dial turning from ``state`` toward ``target``, and its ``n_steps + 1`` angles."""
        states, actions = [state], []
        for _ in range(n_steps):
            diff = np.mod(target - state + np.pi, 2 * np.pi) - np.pi
            action = 0 if abs(diff) <= self.turn / 2 else 1 if diff > 0 else 2
            state = self._turn(state, action)
            states.append(state)
            actions.append(action)
        return np.array(states), np.array(actions, dtype=np.int64)

    def _turn(self, state: float, action: int) -> float:
        if action == 1:
            state += self.turn
        elif action == 2:
            state -= self.turn
        return float(np.mod(state, 2 * np.pi))

    def _step(self, action):
        gt = self.gt_now
        self.state = self._turn(self.state, int(action))
        reward = 0.0
        target = None
        if self.in_period("go1"):
            target = self.trial["ground_truth1"]
        elif self.in_period("go2"):
            target = self.trial["ground_truth2"]
        if target is not None:
            correct, fail = self.rewards["correct"], self.rewards["fail"]
            reward = max(correct - circular_dist(self.state - target), fail)
            self.performance += (reward - fail) / (correct - fail) / self.dec_per_dur
        if self.t_ind + 1 < self.n_steps:
            # the dial as it is now is what the agent sees next
            self.ob[self.t_ind + 1, N_RING : 2 * N_RING] = self._ring(self.state)
        return OBNOW, reward, False, False, {"new_trial": False, "gt": gt, "angle": self.state}
