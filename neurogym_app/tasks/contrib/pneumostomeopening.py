"""Operant conditioning of aerial respiration in the pond snail Lymnaea stagnalis."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import BaseEnv
from neurogym_app.tasks.helpers import merge_rewards

#: rewards of each training phase (NeuroGym's values)
PHASES: dict[str, dict[str, float]] = {
    # breathing through the pneumostome is the animal's default in hypoxic water
    "set_default_behavior": {"swim": 0.1, "skin": 0.5, "pneumostome": 1.0},
    # operant conditioning: a poke punishes each pneumostome opening
    "training_session": {"swim": 0.1, "skin": 1.0, "pneumostome": -1.0},
    # extinction test: no reward at all
    "testing_session": {"swim": 0.0, "skin": 0.0, "pneumostome": 0.0},
}


class Pneumostomeopening(BaseEnv):
    """A snail in a beaker of hypoxic water, breathing through its skin or its pneumostome.

    The snail is at one of ``n_depths`` depths (0 is the surface). Actions:
    0 open the pneumostome (breathe air: ``+pneumostome_gain`` oxygen, only
    at the surface; below it the pneumostome stays shut and nothing
    happens), 1 breathe through the skin (``+skin_gain``), 2 swim up,
    3 swim down. Every step uses ``consumption`` oxygen; oxygen is capped at
    ``max_oxygen`` and the episode ends (terminated) when it runs out.
    Rewards depend on the training ``phase``: ``set_default_behavior``
    rewards aerial breathing, ``training_session`` punishes it (the poke of
    the operant-conditioning protocol), ``testing_session`` rewards nothing.
    Observation: the depth (one-hot) and the oxygen level (0-1). The start
    depth is random.

    Not playable by a person: it models a snail's respiratory behaviour.

    Fixed from NeuroGym: ``reset`` drew the depth from the global
    ``np.random`` among 7 values for 4 depths and returned a bare int;
    observations lay outside the (Discrete) space; oxygen decayed as
    ``exp(-t)`` of the total step count, so every run ended within a few
    steps; the phase was hard-wired and rewards could not be set; debugging
    prints on every step. The NeuroGym TODO "breathe through the pneumostome
    only at the surface" is implemented (without it depth had no effect).
    """

    metadata = {
        "paper_link": "https://jeb.biologists.org/content/199/3/683.long",
        "paper_name": "Operant conditioning of aerial respiratory behaviour in Lymnaea stagnalis",
        "tags": [
            "operant conditioning", "learning", "Lymnaea Stagnalis", "associative learning",
            "aerial respiratory behaviour", "hypoxia", "molluscan model", "system", "snail",
        ],
        "action_labels": {0: "pneumostome", 1: "skin", 2: "up", 3: "down"},
        "human_playable": False,
        "human_playable_reason": "a model of a snail's respiratory behaviour (breathing route and swimming), "
        "not a task a person performs",
    }

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        phase: str = "set_default_behavior",
        n_depths: int = 4,
        max_oxygen: float = 10.0,
        consumption: float = 1.0,
        skin_gain: float = 1.0,
        pneumostome_gain: float = 5.0,
    ) -> None:
        super().__init__(dt=dt)
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
        if n_depths < 2:
            raise ValueError(f"n_depths must be >= 2, got {n_depths!r}")
        if max_oxygen <= 0 or consumption < 0 or skin_gain < 0 or pneumostome_gain < 0:
            raise ValueError("max_oxygen must be > 0; consumption, skin_gain and pneumostome_gain >= 0")
        self.phase_name = phase
        self.rewards = merge_rewards(PHASES[phase], rewards)
        self.n_depths = int(n_depths)
        self.max_oxygen = float(max_oxygen)
        self.consumption = float(consumption)
        self.skin_gain = float(skin_gain)
        self.pneumostome_gain = float(pneumostome_gain)
        self.observation_space = spaces.Box(
            0.0, 1.0, shape=(self.n_depths + 1,), dtype=np.float32,
            name={"depth": list(range(self.n_depths)), "oxygen": self.n_depths},
        )
        self.action_space = spaces.Discrete(4, name={"pneumostome": 0, "skin": 1, "up": 2, "down": 3})
        self.agent_pos = 0
        self.oxygen_level = self.max_oxygen
        self.t = 0
        self.terminated = False

    @staticmethod
    def phase(phase: str) -> dict[str, float]:
        """The rewards of a training phase (NeuroGym's ``phase``)."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
        return dict(PHASES[phase])

    def _ob(self) -> np.ndarray:
        ob = np.zeros(self.n_depths + 1, dtype=np.float32)
        ob[self.agent_pos] = 1.0
        ob[self.n_depths] = self.oxygen_level / self.max_oxygen
        return ob

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.seed(seed)
        self.agent_pos = int(self.rng.integers(self.n_depths))
        self.oxygen_level = self.max_oxygen
        self.t = 0
        self.terminated = False
        return self._ob(), {"oxygen": self.oxygen_level, "depth": self.agent_pos}

    def step(self, action: Any):
        if not self.action_space.contains(action):
            raise ValueError(f"Pneumostomeopening: action {action!r} is not in {self.action_space}")
        action = int(action)
        reward = 0.0
        oxygen = self.oxygen_level - self.consumption
        if action == 0:
            if self.agent_pos == 0:
                oxygen += self.pneumostome_gain
                reward = self.rewards["pneumostome"]
        elif action == 1:
            oxygen += self.skin_gain
            reward = self.rewards["skin"]
        else:
            reward = self.rewards["swim"]
            step = -1 if action == 2 else 1
            self.agent_pos = int(np.clip(self.agent_pos + step, 0, self.n_depths - 1))
        self.oxygen_level = float(min(max(oxygen, 0.0), self.max_oxygen))
        self.terminated = self.oxygen_level <= 0
        self.t += 1
        info = {"oxygen": self.oxygen_level, "depth": self.agent_pos}
        return self._ob(), float(reward), bool(self.terminated), False, info
