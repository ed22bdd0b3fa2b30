"""Spatial suppression of motion (Tadin et al. 2003), the native supervised version."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards

#: empirical curves: frame index (0-based) -> probability of perceiving the
#: true (corr) and the opposite (anti) direction, from human psychophysics
_FRAMES = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 15, 18, 21, 28, 36, 37, 38, 39], dtype=float) - 1
_CURVES = {
    "high": (
        [*[0.249] * 7, 0.249, 0.249, 0.249, 0.27, 0.32, 0.4583, 0.65, 0.85, 0.99, 0.99, 0.99, 0.99],
        [*[0.249] * 7, 0.249, 0.29, 0.31, 0.4, 0.475, 0.4167, 0.3083, 0.075, 0.04, 0.04, 0.03, 0.03],
    ),
    "low": (
        [*[0.249] * 7, 0.25, 0.26, 0.2583, 0.325, 0.45, 0.575, 0.875, 0.933, 0.99, 0.99, 0.99, 0.99],
        [*[0.249] * 7, 0.25, 0.26, 0.2583, 0.267, 0.1417, 0.1167, 0.058, 0.016, 0.003, 0.003, 0.003, 0.003],
    ),
}


class SpatialSuppressMotion(TrialEnv):
    """Four-direction motion judgement whose target is the human choice probabilities over time.

    A drifting stimulus (left, right, up or down) of a given contrast and
    size drives 4 direction pools x 8 size units (32 inputs; a larger
    stimulus drives more units of each pool). There is no fixation or
    decision period: the ground truth at every frame is the probability that
    a person reports each of the four directions after seeing the stimulus
    for that long, interpolated from measured human performance (large
    high-contrast stimuli are slow to be seen correctly and often seen
    reversed -- spatial suppression; small low-contrast ones are fast).

    The output (action) is a probability vector over left/right/up/down.
    There is no reward (as in NeuroGym); ``performance`` is one minus the mean
    total-variation distance between the output and the ground truth.
    Unlike NeuroGym, the probabilities never go negative: where the measured
    correct + opposite probabilities exceed 1, the rows are renormalised.

    Args:
        dt: ms per frame (8.3 for a 120 Hz monitor).
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        rewards: dict updating ``abort``, ``correct``, ``fail`` (unused).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nature01800",
        "paper_name": "Perceptual consequences of centre-surround antagonism in visual motion processing",
        "tags": ["perceptual", "plaid", "motion", "center-surround"],
        "rt_from": "stimulus",
        "condition_vars": ["direction", "contrast"],
        "strength_var": None,
        "human_playable": False,
        "human_playable_reason": "supervised only: the output is a probability for each of four directions at "
        "every frame, with no choice to make or reward; play the PsychoPy SpatialSuppressMotion task instead",
    }
    default_timing = {"stimulus": 300}
    timing_presets = {"human": {"stimulus": 300}}

    def __init__(
        self,
        dt: float = 8.3,
        timing: dict[str, Any] | str | None = None,
        rewards: dict[str, float] | None = None,
    ) -> None:
        super().__init__(dt=dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.directions = [1, 2, 3, 4]  # left, right, up, down
        self.theta = np.array([-np.pi / 2, np.pi / 2, 0, np.pi])
        self.directions_anti = [2, 1, 4, 3]
        self.directions_ortho = [[3, 4], [3, 4], [1, 2], [1, 2]]
        self.contrasts = [0.05, 0.99]
        self.action_space = spaces.Box(
            0, 1, shape=(4,), dtype=np.float32, name={"left": 0, "right": 1, "up": 2, "down": 3}
        )
        self.observation_space = spaces.Box(
            0,
            np.inf,
            shape=(32,),
            dtype=np.float32,
            name={name: list(range(8 * i, 8 * i + 8)) for i, name in enumerate(["left", "right", "up", "down"])},
        )

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "direction": int(self.rng.choice(self.directions)),
            "contrast": float(self.rng.choice(self.contrasts)),
        }
        diameter = kwargs.pop("diameter", None)
        trial.update(kwargs)
        direction, contrast = int(trial["direction"]), float(trial["contrast"])
        if direction not in self.directions:
            raise ValueError(f"direction must be 1 (left), 2 (right), 3 (up) or 4 (down), got {direction!r}")
        if not 0 <= contrast <= 1:
            raise ValueError(f"contrast must be in [0, 1], got {contrast!r}")
        # only two conditions are modelled: small low-contrast, large high-contrast
        if diameter is None:
            diameter = 1 if contrast < 0.5 else 8
        if int(diameter) != diameter or not 1 <= diameter <= 8:
            raise ValueError(f"diameter must be an integer 1-8, got {diameter!r}")
        diameter = int(diameter)
        trial["diameter"] = diameter
        trial["direction"], trial["contrast"] = direction, contrast

        self.add_period("stimulus")
        self.set_ob(self._stimulus_row(direction, contrast, diameter), "stimulus")
        self.set_groundtruth(self._probabilities(direction, contrast, self.n_steps), "stimulus")
        return trial

    def _stimulus_row(self, direction: int, contrast: float, diameter: int) -> np.ndarray:
        """The 32 inputs of a stimulus: 4 pools of 8 units, the first ``diameter`` of each on."""
        pools = (np.cos(self.theta - self.theta[direction - 1]) + 1) * contrast / 2
        stim = np.zeros((4, 8))
        stim[:, :diameter] = pools[:, None]
        return stim.reshape(-1)

    def _probabilities(self, direction: int, contrast: float, n: int) -> np.ndarray:
        corr_curve, anti_curve = _CURVES["high" if contrast > 0.5 else "low"]
        frames = np.arange(n, dtype=float)
        corr = np.interp(frames, _FRAMES, corr_curve)  # flat beyond the last frame, as the data are
        anti = np.interp(frames, _FRAMES, anti_curve)
        ortho = np.maximum((1 - corr - anti) / 2, 0.0)
        gt = np.zeros((n, 4))
        gt[:, direction - 1] = corr
        gt[:, self.directions_anti[direction - 1] - 1] = anti
        for d in self.directions_ortho[direction - 1]:
            gt[:, d - 1] = ortho
        gt /= gt.sum(axis=1, keepdims=True)
        return gt.astype(np.float32)

    def _step(self, action):
        gt = self.gt_now
        total = float(np.abs(np.asarray(action, dtype=float).reshape(-1) - gt).sum())
        distance = 0.5 * total
        self.performance += (1.0 - distance) / max(1, self.n_steps)
        return OBNOW, 0.0, False, False, {"new_trial": False, "gt": gt}
