"""Interval timing tasks: measure an interval, then reproduce it."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import merge_rewards


def production_reward(error_ms: float, target_ms: float, margin: float, correct: float) -> float | None:
    """Reward for producing ``target_ms`` with an error of ``error_ms``.

    Inside the tolerance (``margin * target + 25`` ms) the reward falls from
    ``correct`` with the error (power 1.5), never below 10 % of it; outside the
    tolerance there is no reward (None).
    """
    tolerance = margin * target_ms + 25.0
    if error_ms > tolerance:
        return None
    return max((1.0 - error_ms / tolerance) ** 1.5, 0.1) * correct


def judge_production(env: ReadySetGo | MotorTiming | OneTwoThreeGo, cue_end_period: str, target_ms: float) -> float:
    """Score a "go" response against ``target_ms`` after ``cue_end_period`` ended.

    Returns the reward, and sets ``env.performance = 1`` inside the tolerance.
    """
    produced = env.t - env.end_t[cue_end_period]
    earned = production_reward(abs(produced - target_ms), target_ms, env.prod_margin, env.rewards["correct"])
    if earned is None:
        return env.rewards["fail"]
    env.performance = 1
    return earned


def produce_after_set(env: ReadySetGo | MotorTiming, action: Any):
    """``_step`` of the tasks that produce ``trial["production"]`` ms after "set"."""
    gt = env.gt_now
    reward = 0.0
    new_trial = False
    if action != 0 and env.in_period("fixation"):
        new_trial = env.abort
        reward = env.rewards["abort"]
    if action == 1 and env.in_period("production"):
        new_trial = True
        assert env.trial is not None  # a step always belongs to a trial
        reward = judge_production(env, "set", env.trial["production"])
    return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}


class ReadySetGo(TrialEnv):
    """Ready-set-go: reproduce the ready-set interval (times ``gain``) after "set".

    Two brief flashes ("ready", "set") are separated by a random measure
    interval. The agent must respond ("go") so that the time from the end of
    "set" to the response matches ``gain`` x the measured interval.
    """

    metadata = {
        "paper_link": "https://www.sciencedirect.com/science/article/pii/S0896627318304185",
        "paper_name": "Flexible Sensorimotor Computations through Rapid Reconfiguration of Cortical Dynamics",
        "tags": ["timing", "go-no-go", "supervised"],
        "rt_from": "production",
        "condition_vars": ["measure", "gain"],
    }
    default_timing = {"fixation": 100, "ready": 83, "measure": ("uniform", (800, 1500)), "set": 83}
    timing_presets = {"human": {"fixation": 500, "ready": 100, "measure": ("uniform", (600, 1200)), "set": 100}}

    def __init__(
        self,
        dt: float = 80,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        gain: float = 1,
        prod_margin: float = 0.2,
    ) -> None:
        super().__init__(dt=dt)
        if gain <= 0:
            raise ValueError(f"gain must be positive, got {gain}")
        self.gain = gain
        self.prod_margin = prod_margin
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "ready": 1, "set": 2})
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"measure": float(self.sample_time("measure")), "gain": float(self.gain)}
        kwargs.pop("production", None)  # derived from measure and gain
        trial.update(kwargs)
        trial["production"] = trial["measure"] * trial["gain"]

        self.add_period(["fixation", "ready"])
        # "measure" starts with "ready"; "set" and "production" follow it. At least one
        # step of production, so the go target exists even when the measure drew 0 ms.
        production = max(2 * trial["production"], self.dt)
        self.add_period(["measure", "set", "production"], duration=[trial["measure"], None, production], after="fixation")
        self.add_ob(1, where="fixation")
        self.set_ob(0, "production", where="fixation")
        self.add_ob(1, "ready", where="ready")
        self.add_ob(1, "set", where="set")
        go = self.view_groundtruth("production")
        go[min(int(round(trial["production"] / self.dt)), len(go) - 1)] = 1
        return trial

    def _step(self, action):
        return produce_after_set(self, action)


class MotorTiming(TrialEnv):
    """Cue-set-go: produce the interval (800 or 1500 ms) the cue indicates after "set".

    After fixation, a cue tells which of two intervals to produce (channel
    ``cue_short`` for 800 ms, ``cue_long`` for 1500 ms); a brief "set" flash
    marks the start of the interval. The fixation input goes off
    with "set"; the agent must then respond ("go") when the interval has
    elapsed since the end of "set". The reward falls with the timing error
    (see ``production_reward``). Different effectors per interval (the
    paper's hand/eye conditions) are not modelled, as in NeuroGym.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``).
        prod_margin: relative tolerance of the produced interval (plus 25 ms).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/s41593-017-0028-6",
        "paper_name": "Flexible timing by temporal scaling of cortical responses",
        "tags": ["timing", "go-no-go", "supervised"],
        "rt_from": "production",
        "condition_vars": ["production_ind"],
        "action_labels": {1: "go"},
    }
    default_timing = {"fixation": 500, "cue": ("uniform", (1000, 3000)), "set": 50}
    timing_presets = {"human": {"fixation": 500, "cue": ("uniform", (1000, 2000)), "set": 100}}
    intervals = (800.0, 1500.0)

    def __init__(
        self,
        dt: float = 80,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        prod_margin: float = 0.2,
    ) -> None:
        super().__init__(dt=dt)
        if prod_margin < 0:
            raise ValueError(f"prod_margin must be >= 0, got {prod_margin}")
        self.prod_margin = prod_margin
        self.production_ind = [0, 1]
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(4,), dtype=np.float32, name={"fixation": 0, "cue_short": 1, "cue_long": 2, "set": 3}
        )
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"production_ind": int(self.rng.choice(self.production_ind))}
        kwargs.pop("production", None)  # derived from production_ind
        trial.update(kwargs)
        ind = int(trial["production_ind"])
        if ind not in (0, 1):
            raise ValueError(f"production_ind must be 0 (800 ms) or 1 (1500 ms), got {ind!r}")
        trial["production"] = float(self.intervals[ind])

        self.add_period(["fixation", "cue", "set", "production"], duration=[None, None, None, 2 * trial["production"]])
        self.add_ob(1, ["fixation", "cue", "set"], where="fixation")
        self.add_ob(1, ["cue", "set"], where="cue_short" if ind == 0 else "cue_long")
        self.add_ob(1, "set", where="set")
        go = self.view_groundtruth("production")
        go[min(int(round(trial["production"] / self.dt)), len(go) - 1)] = 1
        return trial

    def _step(self, action):
        return produce_after_set(self, action)


class OneTwoThreeGo(TrialEnv):
    """1-2-3-go: after three evenly spaced flashes, respond when the fourth is due.

    A target appears after fixation; then three brief stimuli ("s1", "s2",
    "s3") are separated by the same random interval. The agent must respond
    ("go") one interval after the end of "s3"; the ground truth is "go"
    throughout the response period, which starts exactly then. Acting before
    "s3" costs ``abort``; the reward falls with the timing error (see
    ``production_reward``).

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``.
        timing: dict of period -> timing spec, or a preset name (``"human"``);
            ``interval1`` gives the interval, used for all three intervals.
        prod_margin: relative tolerance of the produced interval (plus 25 ms).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/s41593-019-0500-6",
        "paper_name": "Internal models of sensorimotor integration regulate cortical dynamics",
        "tags": ["timing", "go-no-go", "supervised"],
        "rt_from": "interval3",
        "condition_vars": ["interval"],
        "action_labels": {1: "go"},
    }
    default_timing = {
        "fixation": ("truncated_exponential", (400, 100, 800)),
        "target": ("truncated_exponential", (1000, 500, 1500)),
        "s1": 100,
        "interval1": (600, 700, 800, 900, 1000),
        "s2": 100,
        "interval2": 0,
        "s3": 100,
        "interval3": 0,
        "response": 1000,
    }
    timing_presets = {
        "human": {
            "fixation": ("truncated_exponential", (600, 500, 800)),
            "target": ("truncated_exponential", (1000, 500, 1500)),
            "s1": 100,
            "interval1": (600, 700, 800, 900, 1000),
            "s2": 100,
            "s3": 100,
            "response": 1500,
        }
    }

    def __init__(
        self,
        dt: float = 80,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        prod_margin: float = 0.2,
    ) -> None:
        super().__init__(dt=dt)
        if prod_margin < 0:
            raise ValueError(f"prod_margin must be >= 0, got {prod_margin}")
        self.prod_margin = prod_margin
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "stimulus": 1, "target": 2}
        )
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"interval": float(self.sample_time("interval1"))}
        trial.update(kwargs)
        interval = float(trial["interval"])
        if interval <= 0:
            raise ValueError(f"interval must be a positive number of ms, got {interval!r}")
        # one after the other: each interval lasts ``interval``
        self.add_period(
            ["fixation", "target", "s1", "interval1", "s2", "interval2", "s3", "interval3", "response"],
            duration=[None, None, None, interval, None, interval, None, interval, None],
        )
        self.add_ob(1, where="fixation")
        self.add_ob(1, ["s1", "s2", "s3"], where="stimulus")
        self.add_ob(1, where="target")
        self.set_ob(0, "fixation", where="target")
        self.set_groundtruth(1, "response")
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:
            if self.in_period("interval3") or self.in_period("response"):
                if action == 1:
                    new_trial = True
                    reward = judge_production(self, "s3", float(self.trial["interval"]))
            else:
                new_trial = self.abort
                reward = self.rewards["abort"]
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
