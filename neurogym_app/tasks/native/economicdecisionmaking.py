"""Economic decision making (Padoa-Schioppa & Assad): choose between two juice offers."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


class EconomicDecisionMaking(TrialEnv):
    """Economic decision making task.

    Two options are offered, each some drops of one of two juices, A or B;
    one drop of A is worth 2.2 drops of B. The inputs say which juice each
    option offers (``a1``/``b1``, ``a2``/``b2``) and how much (``n1``,
    ``n2``: drops / 5). After the offer the agent chooses option 1 or 2 and
    receives the chosen option's value (``rewards['correct']`` per drop of A).

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort`` and ``correct`` (the value of one drop of A).
        timing: dict of period -> spec, or a preset name (``"human"``).

    For the supervised ``Dataset`` the ground truth in the decision period is
    the option of higher value (``ground_truth``); NeuroGym has no ground truth
    for this task (its ``info["gt"]`` is always 0). ``performance`` is 1 when
    the better option was chosen, as in NeuroGym.
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/nature04676",
        "paper_name": "Neurons in the orbitofrontal cortex encode economic value",
        "tags": ["perceptual", "value-based"],
        "rt_from": "decision",
        "condition_vars": ["juice", "offer"],
        "strength_var": None,
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {"fixation": 1500, "offer_on": ("uniform", (1000, 2000)), "decision": 750}
    timing_presets = {"human": {"fixation": 700, "offer_on": ("uniform", (1000, 2000)), "decision": 2500}}

    def __init__(
        self, dt: float = 100, rewards: dict[str, float] | None = None, timing: dict[str, Any] | str | None = None
    ) -> None:
        super().__init__(dt=dt)
        self.B_to_A = 1 / 2.2
        self.juices = [("a", "b"), ("b", "a")]
        self.offers = [(0, 1), (1, 3), (1, 2), (1, 1), (2, 1), (3, 1), (4, 1), (6, 1), (2, 0)]  # (n_b, n_a)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 0.22}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.R_A = self.rewards["correct"]
        self.R_B = self.B_to_A * self.rewards["correct"]
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf,
            np.inf,
            shape=(7,),
            dtype=np.float32,
            name={"fixation": 0, "a1": 1, "b1": 2, "a2": 3, "b2": 4, "n1": 5, "n2": 6},
        )
        self.act_dict = {"fixation": 0, "choice1": 1, "choice2": 2}
        self.action_space = spaces.Discrete(3, name=self.act_dict)

    def option_values(self, trial: dict[str, Any]) -> tuple[float, float]:
        """Values of option 1 and option 2 (reward units)."""
        juice1, _ = trial["juice"]
        n_b, n_a = trial["offer"]
        r_a, r_b = n_a * self.R_A, n_b * self.R_B
        return (r_a, r_b) if juice1 == "a" else (r_b, r_a)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {
            "juice": self.juices[int(self.rng.integers(len(self.juices)))],
            "offer": self.offers[int(self.rng.integers(len(self.offers)))],
        }
        kwargs.pop("ground_truth", None)  # derived from juice and offer
        trial.update(kwargs)
        trial["juice"] = juice1, juice2 = tuple(str(j) for j in trial["juice"])
        trial["offer"] = n_b, n_a = tuple(int(n) for n in trial["offer"])
        if sorted(trial["juice"]) != ["a", "b"]:
            raise ValueError(f"juice must be ('a', 'b') or ('b', 'a'), got {trial['juice']!r}")
        r1, r2 = self.option_values(trial)
        trial["ground_truth"] = 1 if r1 > r2 else 2
        n1, n2 = (n_a, n_b) if juice1 == "a" else (n_b, n_a)

        self.add_period(["fixation", "offer_on", "decision"])
        self.add_ob(1, ["fixation", "offer_on"], where="fixation")
        self.add_ob(1, "offer_on", where=f"{juice1}1")
        self.add_ob(1, "offer_on", where=f"{juice2}2")
        self.add_ob(n1 / 5.0, "offer_on", where="n1")
        self.add_ob(n2 / 5.0, "offer_on", where="n2")
        self.set_groundtruth(trial["ground_truth"], "decision")
        return trial

    def _step(self, action):
        if isinstance(action, np.ndarray):
            action = action.item()
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        act_dict = self.act_dict
        if action != act_dict["fixation"]:
            if self.in_period("fixation") or self.in_period("offer_on"):
                new_trial = self.abort
                reward = self.rewards["abort"]
            elif self.in_period("decision") and action in (act_dict["choice1"], act_dict["choice2"]):
                new_trial = True
                r1, r2 = self.option_values(self.trial)
                if action == act_dict["choice1"]:
                    reward, self.performance = r1, int(r1 > r2)
                else:
                    reward, self.performance = r2, int(r2 > r1)
        return OBNOW, float(reward), False, False, {"new_trial": new_trial, "gt": gt}
