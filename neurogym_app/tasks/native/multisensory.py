"""Multi-sensory integration: combine evidence from two modalities."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


class MultiSensoryIntegration(TrialEnv):
    """Two-alternative choice on evidence split between two sensory modalities.

    Both modalities point to the same one of ``dim_ring`` choices; the trial's
    coherence is split between them in a random proportion (``coh_prop`` to
    modality 1, the rest to modality 2), so the best decision integrates both.
    The fixation input goes off in the decision period (the go cue). As in
    NeuroGym, only fixation-period actions are penalised. Unlike NeuroGym, the
    input noise is added to the stimulus channels only (NeuroGym also adds it
    to the fixation input during the stimulus).

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        sigma: input noise, per sqrt(ms).
        dim_ring: number of directions (choices) per modality.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/32/11/3726",
        "paper_name": "Multisensory decision-making in rats and humans",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left"},
    }
    default_timing = {"fixation": 300, "stimulus": 750, "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "decision": 2000}}
    default_cohs = (5, 15, 50)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        dim_ring: int = 2,
    ) -> None:
        super().__init__(dt=dt)
        if int(dim_ring) != dim_ring or dim_ring < 2:
            raise ValueError(f"dim_ring must be an integer >= 2 (number of choices), got {dim_ring!r}")
        dim_ring = int(dim_ring)
        self.cohs = np.asarray(self.default_cohs, dtype=float)
        self.sigma = input_noise_sd(sigma, dt)
        self.dim_ring = dim_ring
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(1 + 2 * dim_ring,),
            dtype=np.float32,
            name={  # the group first: a channel's label is its last (most specific) name
                "fixation": 0,
                "stimulus": list(range(1, 2 * dim_ring + 1)),
                "stimulus_mod1": list(range(1, dim_ring + 1)),
                "stimulus_mod2": list(range(dim_ring + 1, 2 * dim_ring + 1)),
            },
        )
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Total coherence signed by direction: positive toward choice 0 (action 1, "right")."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 0 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "coh": float(self.rng.choice(self.cohs)),
            "coh_prop": float(self.rng.random()),
        }
        trial.update(kwargs)
        gt = int(trial["ground_truth"])
        if not 0 <= gt < self.dim_ring:
            raise ValueError(f"ground_truth must be in 0..{self.dim_ring - 1}, got {gt!r}")
        coh_1 = float(trial["coh"]) * float(trial["coh_prop"])
        coh_2 = float(trial["coh"]) * (1 - float(trial["coh_prop"]))

        self.add_period(["fixation", "stimulus", "decision"])
        self.add_ob(1, ["fixation", "stimulus"], where="fixation")
        self.add_ob(ring_bump(self.theta, self.theta[gt], gain=coh_1 / 200), "stimulus", where="stimulus_mod1")
        self.add_ob(ring_bump(self.theta, self.theta[gt], gain=coh_2 / 200), "stimulus", where="stimulus_mod2")
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        self.set_groundtruth(gt, "decision", where="choice")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
