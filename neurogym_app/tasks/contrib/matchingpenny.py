"""Matching pennies against a computer opponent, one step per trial."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards

OPPONENTS = ("mean_action", "random")


class MatchingPenny(TrialEnv):
    """Matching pennies: choose the same target as the opponent to be rewarded.

    Each trial is a single step. The observation shows the opponent's
    previous choice (one-hot); the agent picks target 0 or 1 and earns
    ``correct`` if it matches the opponent's current choice. Opponents:
    ``"mean_action"`` tracks the agent's mean choice (learning rate
    ``learning_rate``) and picks the target the agent chooses less often,
    but picks at random while the agent shows no preference (mean choice
    within ``bias_threshold`` of 0.5), as the computer opponent of the
    paper did when it detected no bias (``bias_threshold=0`` gives
    NeuroGym's fully deterministic opponent); ``"random"`` picks either
    target with probability 0.5. Every action is a choice
    (no "wait" action), so a person plays it one key press per trial and
    there is no period to time (the ``human`` preset is empty). ``reset``
    forgets the agent's history.

    Fixed from NeuroGym: the first "previous" opponent choice came from an
    unseeded generator at construction; trials had no periods (the
    observation array was replaced by hand, so the trial had no length);
    an unknown ``opponent_type`` was only reported at the first trial.
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nn1209",
        "paper_name": "Prefrontal cortex and decision making in a mixed-strategy game",
        "tags": ["two-alternative", "games", "reinforcement learning"],
        "rt_from": "decision",
        "condition_vars": ["prev_opponent_action"],
        "action_labels": {0: "left", 1: "right"},
    }
    default_timing: dict[str, Any] = {}
    timing_presets = {"human": {}}

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        opponent_type: str = "mean_action",
        learning_rate: float = 0.2,
        bias_threshold: float = 0.05,
    ) -> None:
        super().__init__(dt=dt)
        if opponent_type not in OPPONENTS:
            raise ValueError(f"opponent_type must be one of {', '.join(OPPONENTS)}, got {opponent_type!r}")
        if not 0 < learning_rate <= 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")
        if not 0 <= bias_threshold <= 0.5:
            raise ValueError(f"bias_threshold must be in [0, 0.5], got {bias_threshold!r}")
        self.opponent_type = opponent_type
        self.bias_threshold = float(bias_threshold)
        self.lr = float(learning_rate)
        self.rewards = merge_rewards({"correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(2,), dtype=np.float32, name={"opponent_previous": [0, 1]}
        )
        self.action_space = spaces.Discrete(2, name={"left": 0, "right": 1})
        self.mean_action = 0.0
        self.prev_opp_action: int | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.mean_action = 0.0
        self.prev_opp_action = None
        return super().reset(seed=seed, options=options)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        coin = int(self.rng.random() > 0.5)
        first_prev = int(self.rng.integers(2))
        if self.opponent_type == "random" or abs(self.mean_action - 0.5) < self.bias_threshold:
            opponent = coin
        else:
            opponent = int(not np.round(self.mean_action))
        trial = {
            "prev_opponent_action": first_prev if self.prev_opp_action is None else self.prev_opp_action,
            "opponent_action": opponent,
        }
        trial.update(kwargs)
        for key in ("prev_opponent_action", "opponent_action"):
            if int(trial[key]) not in (0, 1):
                raise ValueError(f"{key} must be 0 or 1, got {trial[key]!r}")
        self.add_period("decision", duration=self.dt)
        self.set_ob(1, "decision", where=[int(trial["prev_opponent_action"])])
        self.set_groundtruth(int(trial["opponent_action"]), "decision")
        return trial

    def _step(self, action):
        action = int(action)
        gt = self.gt_now
        if self.opponent_type == "mean_action":
            self.mean_action += self.lr * (action - self.mean_action)
        if action == int(self.trial["opponent_action"]):
            reward = self.rewards["correct"]
            self.performance = 1
        else:
            reward = self.rewards["fail"]
        self.prev_opp_action = int(self.trial["opponent_action"])
        # TrialEnv puts ``self.trial`` in both the reset info and the info of the
        # step that ends the trial; a one-step trial would hand out one dict twice.
        self.trial = dict(self.trial)
        return OBNOW, reward, False, False, {"new_trial": True, "gt": gt}
