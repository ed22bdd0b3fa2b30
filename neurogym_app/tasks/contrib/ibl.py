"""IBL-style visual decisions: one noisy left/right contrast per step, with biased blocks."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class IBL(TrialEnv):
    """International Brain Laboratory decision task, one step per trial.

    Each trial is a single step: the two observation channels (left, right)
    show ``0.5 +/- coh/200`` plus Gaussian noise (sd ``sigma``), the larger
    mean on the correct side; the agent answers at once with action 0 (left)
    or 1 (right) and is rewarded ``correct`` if right, ``fail`` otherwise.
    Every action is a choice (there is no "wait" action), so each step is a
    trial; a person plays it turn by turn (one key press per trial), and
    there is no period to time (the ``human`` preset is empty).

    Fixed from NeuroGym: the task never worked there (no periods, a
    ``RandomState`` call on the env's generator, observations written over
    the trial array); its reward was always ``correct`` whatever the choice.
    Each trial now draws its stimulus from the env's seeded generator.
    """

    metadata = {
        "paper_link": "https://www.sciencedirect.com/science/article/pii/S0896627317311364",
        "paper_name": "An International Laboratory for Systems and Computational Neuroscience",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "stimulus",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {0: "left", 1: "right"},
    }
    default_timing: dict[str, Any] = {}
    timing_presets = {"human": {}}
    default_cohs = (1.6, 3.2, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 0.1,
        cohs: list[float] | None = None,
    ) -> None:
        super().__init__(dt=dt)
        if sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {sigma!r}")
        self.cohs = np.asarray(self.default_cohs if cohs is None else cohs, dtype=float)
        if self.cohs.size == 0 or np.any(self.cohs < 0) or np.any(self.cohs > 100):
            raise ValueError(f"cohs must be a non-empty list of contrasts in 0-100 %, got {cohs!r}")
        self.sigma = float(sigma)
        self.rewards = merge_rewards({"correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.choices = np.array([0, 1])
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float32, name={"left": 0, "right": 1})
        self.action_space = spaces.Discrete(2, name={"left": 0, "right": 1})

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Contrast signed by side: positive toward the right (1)."""
        return float(trial["coh"]) * (1.0 if int(trial["ground_truth"]) == 1 else -1.0)

    def _p_right(self, trial_block: int | None) -> float:
        return 0.5

    def _draw_trial(self, kwargs: dict[str, Any], block: int | None) -> dict[str, Any]:
        u = float(self.rng.random())
        coh = float(self.rng.choice(self.cohs))
        if block is not None:
            block = int(kwargs.get("block", block))
        trial: dict[str, Any] = {} if block is None else {"block": block}
        trial["ground_truth"] = int(u < self._p_right(block))
        trial["coh"] = coh
        trial.update(kwargs)
        if int(trial["ground_truth"]) not in (0, 1):
            raise ValueError(f"ground_truth must be 0 (left) or 1 (right), got {trial['ground_truth']!r}")
        self._build(trial)
        return trial

    def _build(self, trial: dict[str, Any]) -> None:
        self.add_period("stimulus", duration=self.dt)
        gt, coh = int(trial["ground_truth"]), float(trial["coh"])
        self.add_ob(0.5 - coh / 200, "stimulus")
        self.set_ob(0.5 + coh / 200, "stimulus", where=[gt])
        self.add_randn(0, self.sigma, "stimulus")
        self.set_groundtruth(gt, "stimulus")

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        return self._draw_trial(kwargs, None)

    def _step(self, action):
        gt = self.gt_now
        if int(action) == gt:
            reward = self.rewards["correct"]
            self.performance = 1
        else:
            reward = self.rewards["fail"]
        info = {"new_trial": True, "gt": gt, "coh": self.trial["coh"]}
        # TrialEnv puts ``self.trial`` in both the reset info and the info of the
        # step that ends the trial; a one-step trial would hand out one dict twice.
        self.trial = dict(self.trial)
        return OBNOW, reward, False, False, info


class IBL_Block(IBL):  # noqa: N801 (NeuroGym's name)
    """IBL task with blocks of trials biased toward one side.

    As ``IBL``, but trials come in blocks of ``block_size``; each block
    draws one of ``probs`` (pairs P(left), P(right); by default 0.2/0.8,
    0.8/0.2, 0.5/0.5) uniformly, and the correct side of its trials is drawn
    with that bias. The trial records its ``block`` (an index into
    ``probs``); ``reset`` starts a new block.
    """

    metadata = {**IBL.metadata, "condition_vars": ["block", "ground_truth", "coh"]}
    default_probs = ((0.2, 0.8), (0.8, 0.2), (0.5, 0.5))

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 0.1,
        cohs: list[float] | None = None,
        block_size: int = 200,
        probs: list[tuple[float, float]] | None = None,
    ) -> None:
        super().__init__(dt=dt, rewards=rewards, timing=timing, sigma=sigma, cohs=cohs)
        if block_size < 1:
            raise ValueError(f"block_size must be >= 1 trial, got {block_size!r}")
        self.probs = [tuple(float(p) for p in pair) for pair in (self.default_probs if probs is None else probs)]
        if not self.probs or any(len(p) != 2 or min(p) < 0 or abs(sum(p) - 1) > 1e-9 for p in self.probs):
            raise ValueError(f"probs must be a non-empty list of (P(left), P(right)) pairs summing to 1, got {probs!r}")
        self.block_size = int(block_size)
        self.block: int | None = None
        self.block_count = 0  # trials played in the current block

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.block = None
        self.block_count = 0
        return super().reset(seed=seed, options=options)

    def _p_right(self, trial_block: int | None) -> float:
        if trial_block is None or not 0 <= trial_block < len(self.probs):
            raise ValueError(f"block must be an index into probs (0-{len(self.probs) - 1}), got {trial_block!r}")
        return self.probs[trial_block][1]

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        next_block = int(self.rng.integers(len(self.probs)))
        if self.block is None or self.block_count >= self.block_size:
            self.block, self.block_count = next_block, 0
        trial = self._draw_trial(kwargs, self.block)
        self.block = int(trial["block"])
        return trial

    def _step(self, action):
        result = super()._step(action)
        self.block_count += 1
        result[4]["block"] = self.block
        return result
