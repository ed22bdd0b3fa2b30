"""Memory recall: store flagged binary patterns, then complete them from degraded cues."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv

T_DISTRIBUTIONS = ("uniform",)


class MemoryRecall(TrialEnv):
    """A generic memory recall task (pattern storage and cued completion).

    A trial is a sequence of ``T`` steps (``T`` uniform in
    ``[T_min, T_max]``). In the ``storage`` period each step shows a random
    binary pattern of ``stim_dim`` elements (+/-1 if ``balanced``, else 0/1);
    on ``int(p_recall * T)`` of those steps the store signal is on, marking
    the pattern for later. In the ``recall`` period each step shows a
    degraded copy of one marked pattern (in random order): with ``balanced``
    each element is hidden (set to 0) with probability ``2 * (1 - chance)``,
    otherwise flipped with probability ``1 - chance``. The action (a vector
    of ``stim_dim`` numbers) must be the whole stored pattern; the reward is
    minus the mean absolute error during recall (0 during storage).
    ``performance`` is the fraction of recalled elements on the right side
    of the midpoint between the two pattern values.

    Not playable by a person: every step needs a ``stim_dim``-dimensional
    continuous response.

    Fixed from NeuroGym: the reward was the error itself (positive, so the
    worst recall earned the most); ``_new_trial`` returned arrays instead of
    a trial dict and set no periods; ``p_recall > 0.5`` only printed a
    warning and then crashed (more patterns to recall than stored);
    ``store_signal_dim`` other than 1 gave observations of the wrong size.
    """

    metadata = {
        "paper_name": None,  # NeuroGym cites none
        "paper_link": None,
        "tags": ["memory", "working memory", "supervised"],
        "condition_vars": ["T"],
        "human_playable": False,
        "human_playable_reason": "each step needs a continuous response of stim_dim numbers (the recalled pattern)",
    }

    def __init__(
        self,
        dt: float = 1,
        stim_dim: int = 10,
        store_signal_dim: int = 1,
        T_min: int = 15,
        T_max: int | None = 25,
        T_distribution: str = "uniform",
        p_recall: float = 0.1,
        chance: float = 0.7,
        balanced: bool = True,
    ) -> None:
        super().__init__(dt=dt)
        if stim_dim < 1 or store_signal_dim < 1:
            raise ValueError(f"stim_dim and store_signal_dim must be >= 1, got {stim_dim!r}, {store_signal_dim!r}")
        T_max = T_min if T_max is None else T_max
        if T_min < 1 or T_max < T_min:
            raise ValueError(f"T_min must be >= 1 and T_max >= T_min, got T_min={T_min!r}, T_max={T_max!r}")
        if T_distribution not in T_DISTRIBUTIONS:
            raise ValueError(f"T_distribution must be one of {', '.join(T_DISTRIBUTIONS)}, got {T_distribution!r}")
        if not 0 <= p_recall <= 0.5:
            raise ValueError(f"p_recall must be in [0, 0.5] (cannot recall more patterns than stored), got {p_recall!r}")
        low_chance = 0.5 if balanced else 0.0
        if not low_chance <= chance <= 1:
            raise ValueError(f"chance must be in [{low_chance}, 1] (balanced={balanced}), got {chance!r}")
        self.stim_dim = int(stim_dim)
        self.store_signal_dim = int(store_signal_dim)
        self.input_dim = self.stim_dim + self.store_signal_dim
        self.output_dim = self.stim_dim
        self.T_min, self.T_max = int(T_min), int(T_max)
        self.T_distribution = T_distribution
        self.p_recall = float(p_recall)
        self.chance = float(chance)
        self.balanced = bool(balanced)
        if self.balanced:
            self.p_unknown = (1 - self.chance) * 2.0
        else:
            self.p_flip = 1 - self.chance
        self.rewards: dict[str, float] = {}
        self.midpoint = 0.0 if self.balanced else 0.5  # between the two pattern values
        self.mask = np.zeros(0)
        self.n_recalled = 1
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(self.input_dim,), dtype=np.float32,
            name={"stimulus": list(range(self.stim_dim)), "store": list(range(self.stim_dim, self.input_dim))},
        )
        self.action_space = spaces.Box(
            -np.inf, np.inf, shape=(self.stim_dim,), dtype=np.float32, name={"recall": list(range(self.stim_dim))}
        )

    def __str__(self) -> str:
        lines = [
            f"Recall dataset: stim_dim={self.stim_dim}, store_signal_dim={self.store_signal_dim}",
            f"T in [{self.T_min}, {self.T_max}] ({self.T_distribution}), p_recall={self.p_recall}, chance={self.chance}",
        ]
        return "\n".join(lines)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"T": int(self.rng.integers(self.T_min, self.T_max + 1))}
        kwargs.pop("n_recall", None)  # derived from T
        trial.update(kwargs)
        T = int(trial["T"])
        if T < 1:
            raise ValueError(f"T must be >= 1, got {T!r}")
        n_recall = int(self.p_recall * T)
        n_store = T - n_recall
        trial["n_recall"] = n_recall

        patterns: np.ndarray = self.rng.random((n_store, self.stim_dim)) > 0.5
        patterns = patterns * 2.0 - 1.0 if self.balanced else patterns * 1.0
        marked = self.rng.choice(n_store, n_recall, replace=False)
        stored = patterns[marked]
        if self.balanced:  # hide elements
            cues = stored * (self.rng.random((n_recall, self.stim_dim)) > self.p_unknown)
        else:  # flip elements
            cues = np.where(self.rng.random((n_recall, self.stim_dim)) < self.p_flip, 1 - stored, stored)
        store_signal = np.zeros((n_store, 1))
        store_signal[marked] = 1.0

        self.add_period("storage", duration=n_store * self.dt)
        self.add_period("recall", duration=n_recall * self.dt, after="storage")
        self.set_ob(patterns, "storage", where="stimulus")
        self.set_ob(store_signal, "storage", where="store")
        self.set_ob(cues, "recall", where="stimulus")
        self.set_groundtruth(stored, "recall")
        self.mask = np.zeros(T)
        self.mask[n_store:] = 1.0
        self.n_recalled = max(1, n_recall * self.stim_dim)
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        if self.in_period("recall"):
            action = np.asarray(action, dtype=float)
            reward = -float(np.mean(np.abs(gt - action)))
            right = np.sign(action - self.midpoint) == np.sign(gt - self.midpoint)
            self.performance += float(np.sum(right)) / self.n_recalled
        return OBNOW, reward, False, False, {"new_trial": False, "gt": gt}
