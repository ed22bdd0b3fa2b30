"""Hierarchical reasoning (Sarafyazd & Jazayeri 2019): interval category x an unannounced rule."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core import timing as timing_mod
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards

DELAYS = (530, 610, 690, 770, 850, 930, 1010, 1090, 1170)


def _threshold(spec: Any) -> float:
    """The short/long boundary of a delay spec: the median of its values (850 ms by default)."""
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], str):
        if spec[0] == "choice":
            return float(np.median(spec[1]))
    elif isinstance(spec, (list, tuple, np.ndarray)) and len(spec) > 0:
        return float(np.median(spec))
    bounds = timing_mod.spec_bounds(spec)
    if bounds is None or not np.isfinite(bounds[1]):
        return float(np.median(DELAYS))
    return (bounds[0] + bounds[1]) / 2


class HierarchicalReasoning(TrialEnv):
    """Hierarchical reasoning of rules.

    On each trial two flashes appear at the same location (left or right),
    separated by a delay; the delay is "short" or "long" relative to a
    threshold (the median delay, 850 ms). Under rule 0 the agent must go to the
    flash location after a short delay and to the other side after a long one;
    under rule 1 the mapping is reversed. The rule alternates in blocks of
    10-20 trials without announcement. At the start of each trial the agent
    reports the rule it believes in by choosing a rule target (actions 1, 2);
    the final choice (actions 3, 4) is rewarded only if that report was right.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> spec, or a preset name (``"human"``).

    Defects fixed (NeuroGym's ground truth did not follow the rule): NeuroGym
    labels each trial with a delay it draws itself while the delay period
    shown is a second, independent draw, so the label matched the presented
    delay only by chance; and its threshold was ``np.median(delays[1])``
    (610 ms, the second delay) instead of the median of the delays (850 ms,
    the boundary of the paper). Here the presented delay is recorded
    (``interval``) and the label follows it: long = ``interval > threshold``,
    a delay equal to the threshold is labelled at random (as the paper rewards
    the 850 ms interval at random). The rule report is the last rule target
    chosen during the rule period (fixating does not erase it) and is cleared
    on every new trial (NeuroGym carried it over after a trial without a choice).
    ``reset()`` restarts the block sequence, so seeded runs reproduce.
    """

    observation_space: spaces.Box  # named, so stimulus channels can be looked up by name

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/364/6441/eaav8911",
        "paper_name": "Hierarchical reasoning by neural circuits in the frontal cortex",
        "tags": ["perceptual", "two-alternative", "supervised"],
        "rt_from": "decision",
        "condition_vars": ["rule", "interval", "stimulus"],
        "strength_var": "interval",
        "action_labels": {1: "rule 1", 2: "rule 2", 3: "left", 4: "right"},
    }
    default_timing = {
        "fixation": ("truncated_exponential", (600, 400, 800)),
        "rule_target": 1000,
        "fixation2": ("truncated_exponential", (600, 400, 900)),
        "flash1": 100,
        "delay": DELAYS,
        "flash2": 100,
        "decision": 700,
    }
    timing_presets = {
        "human": {
            "fixation": ("truncated_exponential", (600, 400, 800)),
            "rule_target": 2000,
            "fixation2": ("truncated_exponential", (700, 500, 900)),
            "flash1": 100,
            "delay": DELAYS,
            "flash2": 100,
            "decision": 2000,
        }
    }

    def __init__(
        self, dt: float = 100, rewards: dict[str, float] | None = None, timing: dict[str, Any] | str | None = None
    ) -> None:
        super().__init__(dt=dt)
        self.choices = [0, 1]
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.mid_delay = _threshold(self.timing["delay"])
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(5,), dtype=np.float32, name={"fixation": 0, "rule": [1, 2], "stimulus": [3, 4]}
        )
        self.action_space = spaces.Discrete(5, name={"fixation": 0, "rule": [1, 2], "choice": [3, 4]})
        self._restart_blocks()

    def _restart_blocks(self) -> None:
        self.chose_correct_rule = False
        self.rule = 0
        self.trial_in_block = 0
        self.block_size: int | None = None  # None: a new block starts with the next trial

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._restart_blocks()
        return super().reset(seed=seed, options=options)

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        rng = self.rng
        next_block_size = int(rng.integers(10, 21))
        interval = float(self.sample_time("delay"))
        stimulus = int(rng.choice(self.choices))
        u_tie = float(rng.random())
        if self.block_size is None:  # the rule alternates from block to block
            self.rule = 1 - self.rule
            self.block_size = next_block_size
            self.trial_in_block = 0
        trial: dict[str, Any] = {"interval": interval, "rule": self.rule, "stimulus": stimulus}
        for derived in ("long_interval", "pro_choice", "ground_truth"):
            kwargs.pop(derived, None)
        trial.update(kwargs)
        trial["interval"] = float(trial["interval"])
        trial["rule"], trial["stimulus"] = int(trial["rule"]), int(trial["stimulus"])
        rule, stimulus = trial["rule"], trial["stimulus"]
        if rule not in (0, 1) or stimulus not in (0, 1):
            raise ValueError("rule and stimulus must each be 0 or 1")

        self.add_period(["fixation", "rule_target", "fixation2", "flash1"])
        self.add_period("delay", duration=trial["interval"])
        self.add_period(["flash2", "decision"])
        # The label follows the delay actually shown (rounded to dt).
        shown = self.end_t["delay"] - self.start_t["delay"]
        trial["interval"] = float(shown)
        if shown == self.mid_delay:
            long_interval = u_tie < 0.5
        else:
            long_interval = shown > self.mid_delay
        pro_choice = int(long_interval) == rule
        choice = stimulus if pro_choice else 1 - stimulus
        trial["long_interval"] = bool(long_interval)
        trial["pro_choice"] = bool(pro_choice)
        trial["ground_truth"] = int(choice)  # 0/1: the choice target (action 3 + ground_truth)

        self.add_ob(1, where="fixation")
        self.set_ob(0, "decision", where="fixation")
        self.add_ob(1, "rule_target", where="rule")
        stimulus_channel = self.observation_space.name["stimulus"][stimulus]
        self.add_ob(1, ["flash1", "flash2"], where=stimulus_channel)
        self.set_groundtruth(rule, "rule_target", where="rule")
        self.set_groundtruth(choice, "decision", where="choice")

        self.chose_correct_rule = False
        self.trial_in_block += 1
        if self.trial_in_block >= self.block_size:
            self.block_size = None
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:  # fixating is never judged: skip the period look-ups
            if self.in_period("decision"):
                new_trial = True
                if action == gt and self.chose_correct_rule:
                    reward = self.rewards["correct"]
                    self.performance = 1
                else:
                    reward = self.rewards["fail"]
            elif self.in_period("rule_target"):
                self.chose_correct_rule = bool(action == gt)
            else:
                new_trial = self.abort
                reward = self.rewards["abort"]
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
