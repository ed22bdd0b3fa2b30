"""Context-dependent decision making (Mante et al. 2013)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


class ContextDecisionMaking(TrialEnv):
    """Decide on one of two simultaneous stimulus modalities, ignoring the other.

    Two modalities (e.g. motion and colour of a dot field) each carry evidence
    for one of ``dim_ring`` choices. The context says which modality counts:
    fixed (implicit, ``impl_context_modality``) or cued per trial
    (``use_expl_context``). With ``go_cue=True`` the fixation input stays on
    through stimulus and delay and its offset is the go cue, as in Mante et al.
    (NeuroGym issue #279); by default the layout matches NeuroGym.
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nature12742",
        "paper_name": "Context-dependent computation by recurrent dynamics in prefrontal cortex",
        "tags": ["perceptual", "context dependent", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["context", "ground_truth", "coh_1", "coh_2"],
        "strength_var": "coh_relevant",
    }
    default_timing = {"fixation": 300, "stimulus": 750, "delay": ("truncated_exponential", (600, 300, 3000)), "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "delay": ("uniform", (300, 700)), "decision": 2000}}

    def __init__(
        self,
        dt: float = 100,
        use_expl_context: bool = False,
        impl_context_modality: int = 0,
        dim_ring: int = 2,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        abort: bool = False,
        go_cue: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if impl_context_modality not in (0, 1):
            raise ValueError(f"impl_context_modality must be 0 or 1, got {impl_context_modality!r}")
        if dim_ring < 2:
            raise ValueError(f"dim_ring must be at least 2, got {dim_ring}")
        self.use_expl_context = bool(use_expl_context)
        self.dim_ring = dim_ring
        self.sigma = input_noise_sd(sigma, dt)
        self.go_cue = bool(go_cue)
        self.cohs = [5.0, 15.0, 50.0]  # a list, as NeuroGym's
        self.contexts = np.array([0, 1]) if self.use_expl_context else np.array([impl_context_modality])
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = abort
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(1, dim_ring + 1)
        # the channels of each modality (NeuroGym names only single channels in this task)
        self.mod1_channels = list(range(1, 1 + dim_ring))
        self.mod2_channels = list(range(1 + dim_ring, 1 + 2 * dim_ring))
        names: dict[str, Any] = {"fixation": 0}
        names.update({f"stim{i + 1}_mod1": 1 + i for i in range(dim_ring)})
        names.update({f"stim{i + 1}_mod2": 1 + dim_ring + i for i in range(dim_ring)})
        if self.use_expl_context:
            names.update({"context1": 1 + 2 * dim_ring, "context2": 2 + 2 * dim_ring})
        n_inputs = 1 + 2 * dim_ring + 2 * self.use_expl_context
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(n_inputs,), dtype=np.float32, name=names)
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence of the relevant modality, positive toward choice 1."""
        coh = trial["coh_1"] if int(trial["context"]) == 0 else trial["coh_2"]
        return float(coh) * (1.0 if int(trial["ground_truth"]) == 1 else -1.0)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {
            "ground_truth": int(self.rng.choice(self.choices)),
            "other_choice": int(self.rng.choice(self.choices)),
            "context": int(self.rng.choice(self.contexts)),
            "coh_1": float(self.rng.choice(self.cohs)),
            "coh_2": float(self.rng.choice(self.cohs)),
        }
        kwargs.pop("coh_relevant", None)  # derived below
        trial.update(kwargs)
        context0 = int(trial["context"]) == 0
        relevant, irrelevant = int(trial["ground_truth"]), int(trial["other_choice"])
        choice_1, choice_2 = (relevant, irrelevant) if context0 else (irrelevant, relevant)
        trial["coh_relevant"] = trial["coh_1"] if context0 else trial["coh_2"]
        stim_1 = ring_bump(self.theta, self.theta[choice_1 - 1], gain=trial["coh_1"] / 200)
        stim_2 = ring_bump(self.theta, self.theta[choice_2 - 1], gain=trial["coh_2"] / 200)

        self.add_period(["fixation", "stimulus", "delay", "decision"])
        self.add_ob(1, ["fixation", "stimulus", "delay"] if self.go_cue else "fixation", where="fixation")
        self.add_ob(stim_1, "stimulus", where=self.mod1_channels)
        self.add_ob(stim_2, "stimulus", where=self.mod2_channels)
        self.add_randn(0, self.sigma, "stimulus", where=self.mod1_channels + self.mod2_channels)
        if self.use_expl_context:
            self.add_ob(1, where="context1" if context0 else "context2")
        self.set_groundtruth(relevant, "decision")
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
