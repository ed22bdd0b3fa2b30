"""Perceptual decision making: report the direction of noisy motion evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks._common import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


class PerceptualDecisionMaking(TrialEnv):
    """Two-alternative forced choice on a noisy stimulus (random-dot motion).

    While fixating, the agent sees evidence for one of ``dim_ring`` directions
    with a coherence drawn from ``cohs``; after the stimulus (and an optional
    delay) it reports the direction during the decision period.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        cohs: coherences (percent) to draw from.
        sigma: input noise, per sqrt(ms).
        dim_ring: number of directions (choices).
        abort: end the trial when fixation is broken.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/12/12/4745",
        "paper_name": "The analysis of visual motion: a comparison of neuronal and psychophysical performance",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left"},
    }
    default_timing = {"fixation": 100, "stimulus": 2000, "delay": 0, "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "delay": 0, "decision": 2000}}
    default_cohs = (0, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        cohs: list[float] | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
        abort: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if dim_ring < 2:
            raise ValueError(f"dim_ring must be at least 2 (number of choices), got {dim_ring}")
        self.cohs = np.asarray(self.default_cohs if cohs is None else cohs, dtype=float)
        if self.cohs.size == 0 or np.any(self.cohs < 0) or np.any(self.cohs > 100):
            raise ValueError(f"cohs must be a non-empty list of coherences in 0-100 %, got {cohs!r}")
        self.sigma = input_noise_sd(sigma, dt)
        self.dim_ring = dim_ring
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = abort
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + dim_ring,), dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1))},
        )
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by direction: positive toward choice 0 (rightward)."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 0 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"ground_truth": int(self.rng.choice(self.choices)), "coh": float(self.rng.choice(self.cohs))}
        trial.update(kwargs)
        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        evidence = ring_bump(self.theta, self.theta[trial["ground_truth"]], gain=trial["coh"] / 200)
        self.add_ob(evidence, "stimulus", where="stimulus")
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
