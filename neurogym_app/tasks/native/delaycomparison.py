"""Delayed comparison (Romo): which of two stimuli separated by a delay was stronger?"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards


class DelayComparison(TrialEnv):
    """Delayed comparison of two stimulus magnitudes (e.g. vibration frequencies).

    Two stimuli, each a value ``v`` from one pair of ``vpairs``, are shown one
    after the other with a delay between them; in the decision period the
    agent reports which one was larger: choice 1 (the first) or choice 2 (the
    second). A value is shown as ``(1 + (v - vmin)/(vmax - vmin)) / 2`` on the
    stimulus input, with noise on all inputs during the stimuli (as in NeuroGym).

    Args:
        dt: time step (ms).
        vpairs: value pairs to draw from (either order; stored as (larger, smaller)).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: input noise, per sqrt(ms).
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/30/28/9424",
        "paper_name": "Neuronal Population Coding of Parametric Working Memory",
        "tags": ["perceptual", "working memory", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "vpair"],
        "strength_var": "vdiff",
        "action_labels": {1: "first", 2: "second"},
    }
    default_timing = {"fixation": 500, "stimulus1": 500, "delay": 1000, "stimulus2": 500, "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus1": 500, "delay": 1000, "stimulus2": 500, "decision": 2000}}
    default_vpairs = ((18, 10), (22, 14), (26, 18), (30, 22), (34, 26))

    def __init__(
        self,
        dt: float = 100,
        vpairs: list[tuple[float, float]] | None = None,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        pairs = self.default_vpairs if vpairs is None else vpairs
        try:
            pairs = [(float(a), float(b)) for a, b in pairs]
        except (TypeError, ValueError):
            raise ValueError(f"vpairs must be a list of (v1, v2) number pairs, got {vpairs!r}") from None
        if not pairs or any(a == b for a, b in pairs):
            raise ValueError(f"vpairs must hold at least one pair, each of two different values, got {vpairs!r}")
        # (larger, smaller): ground truth 1 shows the pair in this order. NeuroGym
        # assumes the order and mislabels a pair given as (smaller, larger).
        self.vpairs = [(max(a, b), min(a, b)) for a, b in pairs]
        self.vall = np.ravel(self.vpairs)
        self.vmin = float(np.min(self.vall))
        self.vmax = float(np.max(self.vall))
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.choices = [1, 2]
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(2,), dtype=np.float32, name={"fixation": 0, "stimulus": 1}
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """First minus second value: positive when choice 1 (the first) is correct."""
        return float(trial["v1"]) - float(trial["v2"])

    def represent(self, v: float) -> float:
        """Input representation of a stimulus value: 0.5 (smallest) to 1 (largest)."""
        return (1 + (v - self.vmin) / (self.vmax - self.vmin)) / 2

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "vpair": self.vpairs[int(self.rng.integers(len(self.vpairs)))],
        }
        for derived in ("v1", "v2", "vdiff"):
            kwargs.pop(derived, None)
        trial.update(kwargs)
        trial["ground_truth"] = int(trial["ground_truth"])
        trial["vpair"] = tuple(float(v) for v in trial["vpair"])
        v1, v2 = trial["vpair"]
        if trial["ground_truth"] == 2:
            v1, v2 = v2, v1
        trial["v1"], trial["v2"] = v1, v2
        trial["vdiff"] = abs(v1 - v2)

        self.add_period(["fixation", "stimulus1", "delay", "stimulus2", "decision"])
        self.add_ob(1, where="fixation")
        self.set_ob(0, "decision")
        self.add_ob(self.represent(v1), "stimulus1", where="stimulus")
        self.add_ob(self.represent(v2), "stimulus2", where="stimulus")
        self.add_randn(0, self.sigma, ["stimulus1", "stimulus2"])
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
