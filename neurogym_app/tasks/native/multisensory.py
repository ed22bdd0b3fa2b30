"""Multi-sensory integration: combine evidence from two modalities."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.spaces import channel_indices
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards, ring_angles


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
            name={
                "fixation": 0,
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
        rng = self.rng
        choices, cohs = self.choices, self.cohs
        # rng.choice(a) of a 1-D a is a[rng.integers(0, len(a))]: the same one draw, without its checks
        trial = {
            "ground_truth": int(choices[rng.integers(0, len(choices))]),
            "coh": float(cohs[rng.integers(0, len(cohs))]),
            "coh_prop": float(rng.random()),
        }
        if kwargs:
            trial.update(kwargs)
        gt = int(trial["ground_truth"])
        if not 0 <= gt < self.dim_ring:
            raise ValueError(f"ground_truth must be in 0..{self.dim_ring - 1}, got {gt!r}")
        coh_1 = float(trial["coh"]) * float(trial["coh_prop"])
        coh_2 = float(trial["coh"]) * (1 - float(trial["coh_prop"]))
        self.add_period(("fixation", "stimulus", "decision"))
        # Performance: the arrays are written directly, with the values of
        #   add_ob(1, ["fixation", "stimulus"], where="fixation")
        #   add_ob(ring_bump(theta, theta[gt], gain=coh_k / 200), "stimulus", where="stimulus_modk")
        #   add_randn(0, sigma, "stimulus", where=[1..2n]); set_groundtruth(gt, "decision", where="choice")
        start, end = self.start_ind, self.end_ind
        ob = self.ob
        ob[: end["stimulus"], 0] = 1
        self._write_stimulus(ob, start["stimulus"], end["stimulus"], coh_1 / 200, coh_2 / 200, gt)
        self.gt[start["decision"] : end["decision"]] = self._choice_actions()[gt]
        return trial

    def _write_stimulus(self, ob: np.ndarray, s0: int, s1: int, gain_1: float, gain_2: float, gt: int) -> None:
        """Stimulus rows ``s0:s1``: both modalities' bumps toward ``gt`` plus noise, in few numpy calls.

        Performance: the bits of add_ob(bump_k) then add_randn(0, sigma). A bump is
        ring_bump's 0.5 + gain_k * cos(theta - theta[gt]): the cosines are numpy's
        (cached per direction) and the product and sum, done on Python floats, are
        the same IEEE double operations numpy does; the bumps are then cast to
        float32. The noise is sigma * N(0, 1) in float64, cast to float32. The block
        (zero before) ends as float32 bump + float32 noise, the one float32 sum
        add_ob then add_randn make (add_randn's "0 +" on the noise only turns -0.0
        into +0.0, which changes no sum with these inputs).
        """
        cosines = self._cosines(gt)
        row = [0.5 + gain_1 * c for c in cosines]  # modality 1's channels, then modality 2's
        row += [0.5 + gain_2 * c for c in cosines]
        bumps32 = np.array(row, dtype=ob.dtype)
        noise = self.rng.standard_normal((s1 - s0, len(row)))
        noise *= self.sigma
        np.add(noise.astype(ob.dtype), bumps32, out=ob[s0:s1, 1 : 1 + len(row)])

    def _cosines(self, gt: int) -> list[float]:
        """``cos(theta - theta[gt])`` (numpy's values) as Python floats, cached per direction."""
        theta = self.theta
        cache = self.__dict__.get("_cos_cache")
        if cache is None or cache[0] is not theta:
            cache = self._cos_cache = (theta, {})
        cosines = cache[1].get(gt)
        if cosines is None:
            cosines = cache[1][gt] = np.cos(theta - theta[gt]).tolist()
        return cosines

    def _choice_actions(self) -> list[int]:
        """The actions named ``choice`` (what ``set_groundtruth(v, ..., where="choice")`` indexes with ``v``)."""
        names = self.action_space.name
        cache = self.__dict__.get("_choice_cache")
        if cache is None or cache[0] is not names:
            cache = self._choice_cache = (names, channel_indices(names, "choice"))
        return cache[1]

    def _step(self, action):
        if action == 0:  # fixating is never judged (the usual step): skip the judge
            return OBNOW, 0.0, False, False, {"new_trial": False, "gt": self.gt_now}
        return judge_fixate_then_choose(self, action)
