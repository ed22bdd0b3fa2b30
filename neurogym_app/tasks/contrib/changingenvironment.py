"""Perceptual decisions whose response mapping depends on a hidden, switching context."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards


class ChangingEnvironment(TrialEnv):
    """Random-dot motion whose correct response depends on a randomly changing context.

    Each trial shows noisy evidence for left (side 1) or right (side 2). The
    agent answers with one of two response pairs: in context 0 the correct
    action is the side itself (1 left, 2 right), in context 1 it is side + 2
    (3 left, 4 right). The context persists across trials and flips between
    trials with probability ``cxt_ch_prob``; it is hidden (to be inferred
    from reward) unless ``cxt_cue`` adds an observation channel showing it.
    ``reset`` starts over from a random context.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        stim_scale: multiplies the coherences (difficulty).
        sigma: input noise, per sqrt(ms).
        cxt_ch_prob: probability that the context flips before a trial.
        cxt_cue: show the context as an observation channel.

    Fixed from NeuroGym: the initial context was drawn at construction from
    an unseeded generator; with ``cxt_cue`` the context channel was blanked
    during fixation and the evidence for the correct side was written into
    the fixation channel (side 1) or the wrong stimulus channel (side 2).
    """

    observation_space: spaces.Box  # named, so stimulus channels can be looked up by name

    metadata = {
        "paper_link": "https://www.pnas.org/content/113/31/E4531",
        "paper_name": "Hierarchical decision processes that operate over distinct timescales underlie choice "
        "and changes in strategy",
        "tags": ["perceptual", "two-alternative", "supervised", "context dependent"],
        "rt_from": "decision",
        "condition_vars": ["context", "side", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "left1", 2: "right1", 3: "left2", 4: "right2"},
    }
    default_timing = {"fixation": 500, "stimulus": ("truncated_exponential", (1000, 500, 1500)), "decision": 500}
    timing_presets = {"human": {"fixation": 500, "stimulus": ("uniform", (500, 1500)), "decision": 2000}}
    default_cohs = (0, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        stim_scale: float = 1.0,
        sigma: float = 1.0,
        cxt_ch_prob: float = 0.001,
        cxt_cue: bool = False,
    ) -> None:
        super().__init__(dt=dt)
        if not 0 <= cxt_ch_prob <= 1:
            raise ValueError(f"cxt_ch_prob must be a probability in [0, 1], got {cxt_ch_prob!r}")
        if stim_scale < 0:
            raise ValueError(f"stim_scale must be >= 0, got {stim_scale!r}")
        self.cxt_ch_prob = float(cxt_ch_prob)
        self.cxt_cue = bool(cxt_cue)
        self.cohs = np.asarray(self.default_cohs, dtype=float) * stim_scale
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.choices = np.array([1, 2])  # side: 1 left, 2 right
        self.curr_cxt: int | None = None  # set by the first trial
        if self.cxt_cue:
            names: dict[str, Any] = {"context": 0, "fixation": 1, "stimulus": [2, 3]}
        else:
            names = {"fixation": 0, "stimulus": [1, 2]}
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3 + int(self.cxt_cue),), dtype=np.float32, name=names)
        self.action_space = spaces.Discrete(
            5, name={"fixation": 0, "choice_context0": [1, 2], "choice_context1": [3, 4]}
        )

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Coherence signed by side: positive toward the right (side 2)."""
        return float(trial["coh"]) * (1.0 if int(trial["side"]) == 2 else -1.0)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.curr_cxt = None
        return super().reset(seed=seed, options=options)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        switch = bool(self.rng.random() < self.cxt_ch_prob)
        first_context = int(self.rng.integers(2))
        if self.curr_cxt is None:
            context = first_context
        else:
            context = 1 - self.curr_cxt if switch else self.curr_cxt
        trial = {
            "context": context,
            "side": int(self.rng.choice(self.choices)),
            "coh": float(self.rng.choice(self.cohs)),
        }
        kwargs.pop("ground_truth", None)  # derived from side and context
        trial.update(kwargs)
        context, side, coh = int(trial["context"]), int(trial["side"]), float(trial["coh"])
        if context not in (0, 1) or side not in (1, 2):
            raise ValueError(f"context must be 0 or 1 and side 1 or 2, got context={context!r}, side={side!r}")
        trial["ground_truth"] = side + 2 * context
        self.curr_cxt = context

        self.add_period(["fixation", "stimulus", "decision"])
        self.add_ob(1, "fixation", where="fixation")
        stim = self.observation_space.name["stimulus"]
        self.add_ob((1 - coh / 100) / 2, "stimulus", where="stimulus")
        self.set_ob((1 + coh / 100) / 2, "stimulus", where=[stim[side - 1]])
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        if self.cxt_cue:
            self.set_ob(context, where="context")
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        ob, reward, terminated, truncated, info = judge_fixate_then_choose(self, action)
        info["context"] = self.curr_cxt
        return ob, reward, terminated, truncated, info
