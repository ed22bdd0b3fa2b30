"""Reaching on a circle: move a cursor (the "self" state) to a target direction."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards, ring_angles

#: how far (radians) one "left"/"right" action turns the reaching state
STEP = 0.05


def circular_dist(angle: float | np.ndarray) -> float | np.ndarray:
    """Absolute angular distance (radians, 0..pi) of an angle difference."""
    return np.abs(np.mod(angle + np.pi, 2 * np.pi) - np.pi)


class _Reaching1DBase(TrialEnv):
    """Shared mechanics: a reaching state turned by left/right steps, judged against a float target."""

    default_timing = {"fixation": 500, "reach": 500}
    #: preferred directions of the ring's units, set by each subclass
    theta: np.ndarray
    #: a person turns 0.05 rad per step, so reaching any target (up to pi away) takes ~6.3 s at dt=100
    timing_presets = {"human": {"fixation": 500, "reach": 7000}}

    def _setup(self, dt: float, rewards: dict[str, float] | None, timing: dict[str, Any] | str | None) -> None:
        self.rewards = merge_rewards({"correct": 1.0, "fail": -0.1}, rewards)
        if self.rewards["correct"] <= self.rewards["fail"]:
            raise ValueError("rewards: 'correct' must be larger than 'fail'")
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.state = np.pi
        self.dec_per_dur = 1
        self._trial_steps = 0

    def _self_input(self, state: float) -> np.ndarray:
        raise NotImplementedError

    def _state_tuning(self, state: float) -> np.ndarray:
        """The ring's tuning to the reaching state: ``cos(theta - state)``."""
        return np.cos(self.theta - state)

    def _draw_target(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.state = np.pi
        trial = {"ground_truth": float(self.rng.uniform(0, 2 * np.pi))}
        if kwargs:
            trial.update(kwargs)
            trial["ground_truth"] = float(trial["ground_truth"])
        self.add_period(["fixation", "reach"])
        # The target is an angle, not an action index: a float ground truth
        # (NeuroGym stores it in an integer array, truncating e.g. 3.7 to 3).
        self._trial_steps = n_steps = self.n_steps  # fixed from here on: the arrays exist
        self.gt = np.zeros(n_steps, dtype=np.float64)
        self.set_groundtruth(np.pi, "fixation")
        self.set_groundtruth(trial["ground_truth"], "reach")
        self.dec_per_dur = max(1, self.end_ind["reach"] - self.start_ind["reach"])
        return trial

    def _step(self, action):
        state = self.state
        if action == 1:
            state += STEP
        elif action == 2:
            state -= STEP
        self.state = state = float(np.mod(state, 2 * np.pi))
        gt = float(self.gt_now)
        if self.in_period("reach"):
            rewards = self.rewards
            correct, fail = rewards["correct"], rewards["fail"]
            reward = max(correct - float(circular_dist(state - gt)), fail)
            span = correct - fail
            self.performance += (reward - fail) / span / self.dec_per_dur
        else:
            reward = 0.0
        nxt = self.t_ind + 1
        if nxt < self._trial_steps:  # the next observation shows where the reach is now
            self._show_state(nxt)
        return OBNOW, reward, False, False, {"new_trial": False, "gt": gt}

    def _show_state(self, t_ind: int) -> None:
        raise NotImplementedError


class Reaching1D(_Reaching1DBase):
    """Reach to a target direction on a circle by turning a cursor left or right.

    The "target" channels (a ring of ``dim_ring`` cosine-tuned units) show the
    target direction during the reach period; the "self" channels show the
    current reaching state, which starts at pi each trial and turns by 0.05
    rad per "left" (counter-clockwise) or "right" (clockwise) action. Every
    reach-period step is rewarded ``correct - distance`` (at least ``fail``);
    ``performance`` is the mean normalised reward over the reach period.
    The ground truth is the target angle (radians; pi during fixation) --
    a position, not an action. A person plays with held left/right keys.

    Args:
        dt: time step (ms).
        rewards: dict updating ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        dim_ring: number of units in each ring.
    """

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/233/4771/1416",
        "paper_name": "Neuronal population coding of movement direction",
        "tags": ["motor", "steps action space"],
        "rt_from": "reach",
        "condition_vars": ["ground_truth"],
        "action_labels": {1: "left", 2: "right"},
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        dim_ring: int = 16,
    ) -> None:
        super().__init__(dt=dt)
        if int(dim_ring) != dim_ring or dim_ring < 2:
            raise ValueError(f"dim_ring must be an integer >= 2, got {dim_ring!r}")
        self.dim_ring = int(dim_ring)
        self._setup(dt, rewards, timing)
        self.theta = ring_angles(self.dim_ring)
        n = self.dim_ring
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(2 * n,),
            dtype=np.float32,
            name={"self": list(range(n, 2 * n)), "target": list(range(n))},
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "left": 1, "right": 2})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = self._draw_target(kwargs)
        self.add_ob(np.cos(self.theta - trial["ground_truth"]), "reach", where="target")
        self.set_ob(self._state_tuning(self.state), where="self")
        return trial

    def _show_state(self, t_ind: int) -> None:
        self.ob[t_ind, self.dim_ring :] = self._state_tuning(self.state)


class Reaching1DWithSelfDistraction(_Reaching1DBase):
    """Reaching where the reaching state's own input overshadows the target input.

    As ``Reaching1D``, but a single ring of 32 units carries the sum of a weak
    target input (0.3 x cosine tuning, reach period only) and a strong input
    from the reaching state itself (cosine tuning), as electric fish sense
    their own discharges. A person plays with held left/right keys.

    Args:
        dt: time step (ms).
        rewards: dict updating ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
    """

    metadata = {
        "description": "The agent has to reproduce the angle indicated by the observation. Furthermore, the "
        "reaching state itself generates strong inputs that overshadow the actual target input.",
        "paper_link": None,
        "paper_name": None,
        "tags": ["motor", "steps action space"],
        "rt_from": "reach",
        "condition_vars": ["ground_truth"],
        "action_labels": {1: "left", 2: "right"},
    }
    n_units = 32
    target_gain = 0.3

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
    ) -> None:
        super().__init__(dt=dt)
        self._setup(dt, rewards, timing)
        self.theta = ring_angles(self.n_units)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(self.n_units,), dtype=np.float32, name={"stimulus": list(range(self.n_units))}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "left": 1, "right": 2})
        self._target_input = np.zeros(self.n_units)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = self._draw_target(kwargs)
        self._target_input = self.target_gain * np.cos(self.theta - trial["ground_truth"])
        self.add_ob(self._target_input, "reach")
        self.add_ob(self._state_tuning(self.state))
        return trial

    def _show_state(self, t_ind: int) -> None:
        tuning = self._state_tuning(self.state)
        if self.start_ind["reach"] <= t_ind < self.end_ind["reach"]:
            self.ob[t_ind] = self._target_input + tuning
        else:
            # 0.0 + tuning is tuning: a cosine of a float is never -0.0
            self.ob[t_ind] = tuning
