"""Context-dependent decision making (Mante et al. 2013)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks._common import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles, ring_bump


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
        names: dict[str, Any] = {"fixation": 0}
        names.update({f"stim{i + 1}_mod1": 1 + i for i in range(dim_ring)})
        names.update({f"stim{i + 1}_mod2": 1 + dim_ring + i for i in range(dim_ring)})
        if self.use_expl_context:
            names.update({"context1": 1 + 2 * dim_ring, "context2": 2 + 2 * dim_ring})
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(len(names),), dtype=np.float32, name=names)
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence of the relevant modality, positive toward choice 1."""
        coh = trial["coh_1"] if int(trial["context"]) == 0 else trial["coh_2"]
        return float(coh) * (1.0 if int(trial["ground_truth"]) == 1 else -1.0)

    def batch_trials(self, rng: np.random.Generator, n: int):
        """``n`` trials at once, for ``ngym.Dataset`` (same distribution as ``new_trial``)."""
        from neurogym_app.core.dataset import BatchLayout

        ground_truth = self.choices[rng.integers(self.choices.size, size=n)]
        other_choice = self.choices[rng.integers(self.choices.size, size=n)]
        context = self.contexts[rng.integers(self.contexts.size, size=n)]
        cohs = np.asarray(self.cohs)
        coh_1 = cohs[rng.integers(cohs.size, size=n)]
        coh_2 = cohs[rng.integers(cohs.size, size=n)]
        choice_mod1 = np.where(context == 0, ground_truth, other_choice)
        choice_mod2 = np.where(context == 0, other_choice, ground_truth)
        lay = BatchLayout(self, rng, n)
        lay.add(["fixation", "stimulus", "delay", "decision"])
        ob, gt = lay.build(self.observation_space.shape)
        k = self.dim_ring
        ob[..., 0] = lay.mask(["fixation", "stimulus", "delay"] if self.go_cue else "fixation")
        cols = lay.span("stimulus")
        shown = lay.mask("stimulus", cols)[..., None]
        mod1 = ring_bump(self.theta, self.theta[choice_mod1 - 1][:, None], gain=(coh_1 / 200)[:, None])
        mod2 = ring_bump(self.theta, self.theta[choice_mod2 - 1][:, None], gain=(coh_2 / 200)[:, None])
        block = ob[:, cols, 1 : 1 + 2 * k]
        block[..., :k] = shown * mod1[:, None, :]
        block[..., k:] = shown * mod2[:, None, :]
        block += (shown * (self.sigma * rng.standard_normal(block.shape))).astype(np.float32)
        decision = lay.mask("decision")
        ob[decision] = 0
        if self.use_expl_context:
            ob[np.arange(n), :, 1 + 2 * k + context] += 1
        gt[...] = decision * ground_truth[:, None]
        trials = {"ground_truth": ground_truth, "other_choice": other_choice, "context": context,
                  "coh_1": coh_1, "coh_2": coh_2, "durations": lay.durations_ms()}
        return (*lay.finish(ob, gt), trials)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        rng = self.rng
        choices, contexts, cohs = self.choices, self.contexts, self.cohs
        # rng.choice(a) of a 1-D a is a[rng.integers(0, len(a))]: the same one draw, without its checks
        trial = {
            "ground_truth": int(choices[rng.integers(0, len(choices))]),
            "other_choice": int(choices[rng.integers(0, len(choices))]),
            "context": int(contexts[rng.integers(0, len(contexts))]),
            "coh_1": float(cohs[rng.integers(0, len(cohs))]),
            "coh_2": float(cohs[rng.integers(0, len(cohs))]),
        }
        kwargs.pop("coh_relevant", None)  # derived below
        if kwargs:
            trial.update(kwargs)
        relevant, irrelevant = int(trial["ground_truth"]), int(trial["other_choice"])
        context0 = int(trial["context"]) == 0
        choice_mod1, choice_mod2 = (relevant, irrelevant) if context0 else (irrelevant, relevant)
        trial["coh_relevant"] = trial["coh_1"] if context0 else trial["coh_2"]

        self.add_period(("fixation", "stimulus", "delay", "decision"))
        # Performance: the arrays are written directly, with the values of
        #   add_ob(1, fixation periods, where="fixation")
        #   add_ob(mod1, "stimulus", where=[1..n]); add_ob(mod2, "stimulus", where=[n+1..2n])
        #   add_randn(0, sigma, "stimulus", where=[1..2n]); set_ob(0, "decision")
        #   add_ob(1, where="context1" or "context2"); set_groundtruth(relevant, "decision")
        # The periods follow one another from 0, so the fixation input spans rows 0 .. end of
        # its last period; nothing but the context input (added after) is on in "decision".
        start, end = self.start_ind, self.end_ind
        ob = self.ob
        n = self.dim_ring
        ob[: end["delay" if self.go_cue else "fixation"], 0] = 1
        stimulus = self._stimulus(choice_mod1, trial["coh_1"], choice_mod2, trial["coh_2"])
        block = ob[start["stimulus"] : end["stimulus"], 1 : 1 + 2 * n]
        noise = rng.standard_normal(block.shape)
        noise *= self.sigma
        # the inputs and the noise each cast to float32, then added in float32, as add_ob then
        # add_randn do (add_randn's "0 +" on the noise only turns -0.0 into +0.0, which
        # changes no sum with these inputs)
        block[...] = stimulus
        block += noise.astype(np.float32)
        if self.use_expl_context:
            ob[:, 1 + 2 * n if context0 else 2 + 2 * n] = 1
        self.gt[start["decision"] : end["decision"]] = relevant
        return trial

    def _stimulus(self, choice_mod1: int, coh_1: Any, choice_mod2: int, coh_2: Any) -> np.ndarray:
        """Both modalities' ``ring_bump`` inputs, one after the other (float32); cached per condition."""
        theta = self.theta
        cache = self.__dict__.get("_stimulus_cache")
        if cache is None or cache[0] is not theta:
            cache = self._stimulus_cache = (theta, {})
        table = cache[1]
        key = (choice_mod1, coh_1, choice_mod2, coh_2)
        plain = type(coh_1) is float and type(coh_2) is float and coh_1 == coh_1 and coh_2 == coh_2
        stimulus = table.get(key) if plain else None
        if stimulus is None:
            mod1 = ring_bump(theta, theta[choice_mod1 - 1], gain=coh_1 / 200)
            mod2 = ring_bump(theta, theta[choice_mod2 - 1], gain=coh_2 / 200)
            stimulus = np.concatenate((mod1, mod2)).astype(np.float32)  # as written into the observation
            if plain and len(table) < 256:
                table[key] = stimulus
        return stimulus

    def _step(self, action):
        return judge_fixate_then_choose(self, action)
