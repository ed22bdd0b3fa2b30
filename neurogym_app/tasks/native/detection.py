"""Detection: respond ("go") as soon as a brief stimulus appears, withhold if none does."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards


class Detection(TrialEnv):
    """The agent has to GO if a stimulus is presented.

    After fixation, a noisy stimulus period begins. On go trials a brief
    stimulus (``+0.5`` on the stimulus input for ``stim_dur`` ms) appears at a
    random time within it; the agent must respond from its onset to the end of
    the period. Responding before the onset, or on a trial without stimulus,
    fails the trial; a go trial without a response is a ``miss``. Withholding
    on a no-stimulus trial is correct but not rewarded.

    Args:
        dt: time step (ms).
        rewards: dict updating ``abort``, ``correct``, ``fail``, ``miss``.
        timing: dict of period -> spec, or a preset name (``"human"``).
        sigma: input noise, per sqrt(ms).
        delay: fixed stimulus onset (ms after the start of the stimulus period);
            ``None`` draws it uniformly.
        stim_dur: stimulus duration (ms; at least one step).
        response_window: least time (ms) left between a drawn onset and the end
            of the stimulus period. ``None``: NeuroGym's (the stimulus, plus a
            step when it lasts one step), or 1000 ms with the ``"human"`` timing.

    The onset is recorded in the trial as ``stim_onset`` (ms after the start of
    the stimulus period; ``None`` on no-go trials); reaction times count from
    the start of the stimulus period (subtract ``stim_onset``).

    Defects fixed (NeuroGym excludes this task from its registry because it
    fails its data and env tests): no-go trials built no ground truth at all
    (``'Detection' object has no attribute 'gt'``); here every trial has a gt
    array (0 on no-go trials, 1 from the onset on go trials). The stimulus
    period could be too short for NeuroGym's onset draw (a crash on a negative
    bound); onsets are now clipped to fit. ``delay`` was documented in ms but
    used as a step index; it is converted here. No-go trials got their noise
    twice (a sqrt(2) larger sd that gave them away); the noise is now the same
    on every trial. A ``stim_dur`` below ``dt`` left a go trial with no visible
    stimulus; the stimulus now lasts at least one step.
    """

    metadata = {
        "paper_link": None,
        "paper_name": None,
        "tags": ["perceptual", "reaction time", "go-no-go", "supervised"],
        "rt_from": "stimulus",
        "condition_vars": ["ground_truth"],
        "strength_var": None,
        "action_labels": {1: "go"},
    }
    default_timing = {"fixation": 500, "stimulus": ("truncated_exponential", (1000, 500, 1500))}
    timing_presets = {"human": {"fixation": 700, "stimulus": ("truncated_exponential", (2500, 2000, 4000))}}
    human_response_window = 1000.0

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        sigma: float = 1.0,
        delay: float | None = None,
        stim_dur: float = 100,
        response_window: float | None = None,
    ) -> None:
        super().__init__(dt=dt)
        if stim_dur <= 0:
            raise ValueError(f"stim_dur must be a positive number of ms, got {stim_dur}")
        if delay is not None and delay < 0:
            raise ValueError(f"delay must be None or a number of ms >= 0, got {delay}")
        if response_window is not None and response_window < 0:
            raise ValueError(f"response_window must be None or a number of ms >= 0, got {response_window}")
        self.choices = [0, 1]
        self.sigma = input_noise_sd(sigma, dt)
        self.delay = delay
        self.stim_dur = max(1, int(round(stim_dur / dt)))  # steps
        # With a one-step stimulus, leave a step after it to respond in.
        self.extra_step = 1 if self.stim_dur == 1 else 0
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -1.0, "miss": -1.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        if response_window is None and self.timing_preset == "human":
            response_window = self.human_response_window
        self.response_window = response_window
        self.abort = False
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(2,), dtype=np.float32, name={"fixation": 0, "stimulus": 1}
        )
        self.action_space = spaces.Discrete(2, name={"fixation": 0, "go": 1})

    def _min_steps_after_onset(self) -> int:
        steps = self.stim_dur + self.extra_step
        if self.response_window is not None:
            steps = max(steps, int(math.ceil(self.response_window / self.dt - 1e-9)))
        return steps

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial: dict[str, Any] = {"ground_truth": int(self.rng.choice(self.choices)), "stim_onset": None}
        u_onset = float(self.rng.random())
        trial.update(kwargs)
        go = int(trial["ground_truth"])
        if go not in (0, 1):
            raise ValueError(f"ground_truth must be 0 (no stimulus) or 1 (stimulus), got {go!r}")
        trial["ground_truth"] = go

        self.add_period(["fixation", "stimulus"])
        self.set_ob(1, "fixation", where="fixation")
        self.add_randn(0, self.sigma, "stimulus", where="stimulus")
        n = self.end_ind["stimulus"] - self.start_ind["stimulus"]
        if go and n > 0:
            if trial["stim_onset"] is not None:
                onset = int(round(float(trial["stim_onset"]) / self.dt))
            elif self.delay is not None:
                onset = int(round(self.delay / self.dt))
            else:
                # Onsets 0 .. n - (stimulus + response room) - 1, as NeuroGym, but never a negative range.
                onset = int(u_onset * max(1, n - self._min_steps_after_onset()))
            onset = min(max(onset, 0), n - 1)
            trial["stim_onset"] = float(onset * self.dt)
            self.view_ob("stimulus")[onset : onset + self.stim_dur, 1] += 0.5
            self.view_groundtruth("stimulus")[onset:] = 1
        else:
            trial["stim_onset"] = None
        self.r_tmax = self.rewards["miss"] if go else 0.0
        # Withholding on a trial without stimulus is correct (but not rewarded).
        self.performance = 0 if go else 1
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0:  # fixating is never judged: skip the period look-ups
            if self.in_period("fixation"):
                new_trial = self.abort
                reward = self.rewards["abort"]
            elif self.in_period("stimulus"):
                new_trial = True
                if gt == 1:  # a go trial, at or after the stimulus onset
                    reward = self.rewards["correct"]
                    self.performance = 1
                else:
                    reward = self.rewards["fail"]
                    self.performance = 0
        return OBNOW, reward, False, False, {"new_trial": new_trial, "gt": gt}
