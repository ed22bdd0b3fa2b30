"""Post-decision wagering (Kiani & Shadlen 2009): a sure target for the unsure."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards, ring_angles, ring_bump


class PostDecisionWager(TrialEnv):
    """Motion discrimination where, on half the trials, a sure target offers a smaller sure reward.

    A noisy motion stimulus of random duration is followed by a delay. On
    wager trials a sure target (input ``sure``) appears during the delay,
    500-750 ms after the stimulus ends, and stays on; choosing it (action
    ``sure``) earns ``rewards['sure']`` (default 0.7 x ``correct``) whatever
    the motion was. Choosing the sure target when it was not offered costs
    ``abort``. The fixation input goes off at the decision period (go cue);
    as in NeuroGym only fixation-period actions are penalised.

    Fixes NeuroGym's defect that a correct direction choice was never
    rewarded (it compared the action with the choice index, which is one
    less than the action that reports it). Input noise goes to the stimulus
    channels only.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``, ``sure``
            (``sure`` defaults to 0.7 x ``correct``).
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        dim_ring: number of motion directions (choices).
        sigma: input noise, per sqrt(ms).
    """

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/324/5928/759.long",
        "paper_name": "Representation of Confidence Associated with a Decision by Neurons in the Parietal Cortex",
        "tags": ["perceptual", "delayed response", "confidence"],
        "rt_from": "decision",
        "condition_vars": ["wager", "ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left", 3: "sure"},
    }
    default_timing = {
        "fixation": 100,
        "stimulus": ("truncated_exponential", (180, 100, 900)),
        "delay": ("truncated_exponential", (1350, 1200, 1800)),
        "pre_sure": ("uniform", (500, 750)),
        "decision": 100,
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "stimulus": ("truncated_exponential", (300, 100, 900)),
            "delay": ("truncated_exponential", (1350, 1200, 1800)),
            "pre_sure": ("uniform", (500, 750)),
            "decision": 2000,
        }
    }
    default_cohs = (0, 3.2, 6.4, 12.8, 25.6, 51.2)
    sure_fraction = 0.7

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        dim_ring: int = 2,
        sigma: float = 1.0,
    ) -> None:
        super().__init__(dt=dt)
        if int(dim_ring) != dim_ring or dim_ring < 2:
            raise ValueError(f"dim_ring must be an integer >= 2 (number of choices), got {dim_ring!r}")
        dim_ring = int(dim_ring)
        self.dim_ring = dim_ring
        self.wagers = [True, False]
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.cohs = np.asarray(self.default_cohs, dtype=float)
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0, "sure": 0.0}, rewards)
        if not rewards or "sure" not in rewards:
            self.rewards["sure"] = self.sure_fraction * self.rewards["correct"]
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.sure_action = dim_ring + 1
        self._choice_actions = list(range(1, dim_ring + 1))  # set_groundtruth(gt, where="choice") sets action gt + 1
        self._evidence_rows: dict[tuple[int, float], np.ndarray] = {}
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(dim_ring + 2,),
            dtype=np.float32,
            name={"fixation": 0, "stimulus": list(range(1, dim_ring + 1)), "sure": dim_ring + 1},
        )
        self.action_space = spaces.Discrete(
            dim_ring + 2, name={"fixation": 0, "choice": list(range(1, dim_ring + 1)), "sure": dim_ring + 1}
        )

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by direction: positive toward choice 0 (action 1, "right")."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 0 else -1.0)

    def _evidence_row(self, gt: int, coh: float) -> np.ndarray:
        """The stimulus bump as ``add_ob`` leaves it in a zero float32 row (cached per direction and coherence).

        Performance: written with one slice assignment instead of ``add_ob``;
        the stimulus block is zero before, so the bits are those of ``add_ob``.
        """
        cache = self._evidence_rows
        key = (gt, coh)
        row = cache.get(key)
        if row is None:
            row = np.zeros(self.dim_ring, dtype=self.observation_space.dtype)
            row += ring_bump(self.theta, self.theta[gt], gain=coh / 200)
            if len(cache) >= 256:  # coherences passed to new_trial can be anything: keep the cache small
                cache.clear()
            cache[key] = row
        return row

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Performance: ``rng.choice(seq)`` is one ``integers(0, len(seq))`` draw
        # returning ``seq[k]``; the draws are made directly, in the same order.
        integers = self.rng.integers
        wagers, choices, cohs = self.wagers, self.choices, self.cohs
        trial = {
            "wager": bool(wagers[int(integers(0, len(wagers)))]),
            "ground_truth": int(choices[int(integers(0, len(choices)))]),
            "coh": float(cohs[int(integers(0, len(cohs)))]),
        }
        if kwargs:
            trial.update(kwargs)
            trial["wager"] = bool(trial["wager"])
        gt = int(trial["ground_truth"])
        if not 0 <= gt < self.dim_ring:
            raise ValueError(f"ground_truth must be in 0..{self.dim_ring - 1}, got {gt!r}")
        wager = trial["wager"]
        self.add_period(["fixation", "stimulus", "delay"])
        end_t = self.end_t
        # drawn on every trial (wager or not), so later draws never depend on the wager
        pre_sure = min(self.sample_time("pre_sure"), end_t["delay"] - end_t["stimulus"])
        if wager:
            self.add_period("pre_sure", duration=pre_sure, after="stimulus")
        self.add_period("decision", after="delay")

        # Performance: the observation written directly, with the values (and
        # order) of add_ob(1, [fixation, stimulus, delay], where="fixation"),
        # add_ob(evidence, "stimulus", where="stimulus"), add_randn and the sure
        # input's add_ob/set_ob: each block is zero before it is written.
        ob = self.ob
        start, end = self.start_ind, self.end_ind
        ob[start["fixation"] : end["delay"], 0] = 1  # three back-to-back periods
        s, e = start["stimulus"], end["stimulus"]
        # add_ob(evidence) then add_randn(0, sigma): the rows were zero, so add_ob
        # left the float32 evidence row; add_randn adds sigma * N(0, 1) computed in
        # float64 and cast to float32 (its zero mean only turns -0.0 into +0.0,
        # which no sum here can see): one float32 sum, done by one np.add.
        noise = self.rng.standard_normal((e - s, self.dim_ring))
        noise *= self.sigma
        evidence = self._evidence_row(gt, float(trial["coh"]))
        np.add(noise.astype(ob.dtype), evidence, out=ob[s:e, 1 : 1 + self.dim_ring])
        if wager:
            self._show_sure_target(ob, start, end)
        self.gt[start["decision"] : end["decision"]] = self._choice_actions[gt]
        return trial

    def _show_sure_target(self, ob: np.ndarray, start: dict[str, int], end: dict[str, int]) -> None:
        """The sure input: on in the delay and decision, then off again in pre_sure.

        Performance: pre_sure starts with the delay and ends in it (its duration
        is at most the delay's), and the decision follows the delay: the input is
        then on from the end of pre_sure to the end of the decision, one write.
        """
        sure = self.dim_ring + 1
        pre_sure_end, delay_end = end["pre_sure"], end["delay"]
        if start["pre_sure"] == start["delay"] <= pre_sure_end <= delay_end == start["decision"]:
            ob[pre_sure_end : end["decision"], sure] = 1
        else:  # (not reached with these periods) the three writes
            ob[start["delay"] : delay_end, sure] = 1
            ob[start["decision"] : end["decision"], sure] = 1
            ob[start["pre_sure"] : pre_sure_end, sure] = 0

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:  # fixating is never judged: skip the period look-ups
            # in_period("fixation"), in_period("decision") read from the same dicts
            t, start_t, end_t = self.t, self.start_t, self.end_t
            if start_t["fixation"] <= t < end_t["fixation"]:
                new_trial = self.abort
                reward = self.rewards["abort"]
            elif start_t["decision"] <= t < end_t["decision"]:
                new_trial = True
                if action == self.sure_action:
                    if self.trial["wager"]:
                        reward = self.rewards["sure"]
                        span = self.rewards["correct"] - self.rewards["fail"]
                        self.performance = (reward - self.rewards["fail"]) / span if span else 0.0
                    else:
                        reward = self.rewards["abort"]
                elif action == gt:  # gt is the action that reports the correct direction
                    reward = self.rewards["correct"]
                    self.performance = 1
                else:
                    reward = self.rewards["fail"]
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
