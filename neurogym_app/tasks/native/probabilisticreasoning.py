"""Probabilistic reasoning (Yang & Shadlen 2007): add up the evidence of shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import TrialEnv
from neurogym_app.tasks.helpers import judge_fixate_then_choose, merge_rewards


class ProbabilisticReasoning(TrialEnv):
    """Choose between two targets from a sequence of shapes, each carrying a log-likelihood ratio.

    ``n_loc`` shapes appear one after another at distinct locations and stay
    on until the last stimulus period ends. Shape ``i`` carries the evidence
    ``shape_weight[i]`` (log10 likelihood ratio) for choice 2 over choice 1;
    the correct choice is drawn with probability ``1 / (1 + 10**-log_odd)``
    given the summed weight ``log_odd``. After a delay the fixation input goes
    off and the agent chooses; acting before the decision period costs ``abort``.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec (``fixation``, ``stimulus0``,
            ..., ``delay``, ``decision``), or a preset name (``"human"``).
        shape_weight: evidence weight of each shape.
        n_loc: number of locations (shapes shown per trial).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nature05852",
        "paper_name": "Probabilistic reasoning by neurons",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "log_odd"],
        "strength_var": "log_odd",
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {
        "fixation": 500,
        "delay": ("uniform", (450, 550)),
        "decision": 500,
        **{f"stimulus{i}": 500 for i in range(4)},
    }
    timing_presets = {
        "human": {
            "fixation": 500,
            "delay": ("uniform", (450, 550)),
            "decision": 2000,
            **{f"stimulus{i}": 500 for i in range(4)},
        }
    }
    default_shape_weight = (-10, -0.9, -0.7, -0.5, -0.3, 0.3, 0.5, 0.7, 0.9, 10)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        shape_weight: list[float] | None = None,
        n_loc: int = 4,
    ) -> None:
        super().__init__(dt=dt)
        weights = self.default_shape_weight if shape_weight is None else shape_weight
        try:
            self.shape_weight = [float(w) for w in weights]
        except (TypeError, ValueError):
            raise ValueError(f"shape_weight must be a list of numbers, got {shape_weight!r}") from None
        if not self.shape_weight:
            raise ValueError("shape_weight must have at least one weight")
        if int(n_loc) != n_loc or n_loc < 1:
            raise ValueError(f"n_loc must be a positive integer, got {n_loc!r}")
        self.n_loc = int(n_loc)
        self.n_shape = len(self.shape_weight)
        self.shapes = np.eye(self.n_shape)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        defaults: dict[str, Any] = {"fixation": 500, "delay": ("uniform", (450, 550)), "decision": 500}
        for i in range(self.n_loc):
            defaults[f"stimulus{i}"] = 500
        self.timing = self.resolve_timing(defaults, timing)
        for i in range(self.n_loc, 4):  # a preset names four locations
            if f"stimulus{i}" not in defaults:
                self.timing.pop(f"stimulus{i}", None)
        self.abort = False
        self.choices = np.array([0, 1])
        names: dict[str, Any] = {"fixation": 0}
        for i in range(self.n_loc):
            names[f"loc{i}"] = list(range(1 + i * self.n_shape, 1 + (i + 1) * self.n_shape))
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(1 + self.n_shape * self.n_loc,), dtype=np.float32, name=names
        )
        self.action_space = spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})
        self._stimuli = [f"stimulus{i}" for i in range(self.n_loc)]
        self._pre_decision_periods = ("fixation", *self._stimuli, "delay")

    @staticmethod
    def signed_strength(trial: dict[str, Any]) -> float:
        """Summed log10 likelihood ratio, positive toward choice 2 ("right")."""
        return float(trial["log_odd"])

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        n_loc, n_shape = self.n_loc, self.n_shape
        rng = self.rng
        locs = rng.choice(n_loc, size=n_loc, replace=False).tolist()
        shapes = rng.choice(n_shape, size=n_loc).tolist()
        u = float(rng.random())
        trial: dict[str, Any] = {"locs": locs, "shapes": shapes}
        if kwargs:
            for derived in ("log_odd", "ground_truth"):
                kwargs.pop(derived, None)
            trial.update(kwargs)
            locs = [int(v) for v in trial["locs"]]
            shapes = [int(v) for v in trial["shapes"]]
            if sorted(locs) != list(range(n_loc)) or len(shapes) != n_loc:
                raise ValueError(f"locs must be a permutation of 0..{n_loc - 1} and shapes have {n_loc} entries")
            if not all(0 <= s < n_shape for s in shapes):
                raise ValueError(f"shapes must be in 0..{n_shape - 1}, got {shapes!r}")
            trial["locs"], trial["shapes"] = locs, shapes
        weight = self.shape_weight
        log_odd = float(sum([weight[s] for s in shapes]))
        p = 1.0 / (10 ** (-log_odd) + 1.0)
        trial["log_odd"] = log_odd
        trial["ground_truth"] = int(u < p)

        stimuli = self._stimuli
        self.add_period(["fixation", *stimuli, "delay", "decision"])
        self.add_ob(1, where="fixation")
        self.set_ob(0, "decision", where="fixation")
        for i, (loc, shape) in enumerate(zip(locs, shapes)):  # each shape stays on from its period on
            self.add_ob(self.shapes[shape], stimuli[i:], where=f"loc{loc}")
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        self._pre_decision = self._pre_decision_periods
        return trial

    def _step(self, action):
        return judge_fixate_then_choose(self, action, fixation_periods=self._pre_decision)
