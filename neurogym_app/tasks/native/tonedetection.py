"""Auditory tone detection: was there a tone in the noise, and when?"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards


class ToneDetection(TrialEnv):
    """Report whether a brief tone was embedded in background noise, and at which position.

    A 2 s noisy input may contain a 50 ms tone starting at 500, 1000 or 1500
    ms (condition 1-3) or none (condition 0). The ground truth is the
    condition at every step: action 0 means "no tone", action ``k`` "tone at
    position k". There is no fixation or response period (the task models
    human data); only the output at the last step of the trial is judged:
    ``correct`` if it names the condition, ``fail`` otherwise (NeuroGym gives
    no reward at all and says to read the final output).

    Args:
        dt: time step (ms); a tone shorter than ``dt`` lasts one step.
        sigma: input noise, per sqrt(ms) (task difficulty).
        timing: dict updating ``stimulus`` (trial length), ``toneTiming``
            (tone onsets, ms) and ``toneDur`` (tone duration, ms).
        rewards: dict updating ``abort``, ``correct``, ``noresp``, ``fail``.
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/jneuro/5/12/3261.full.pdf",
        "paper_name": "Representation of Tones in Noise in the Responses of Auditory Nerve Fibers in Cats",
        "tags": ["auditory", "perceptual", "supervised", "decision"],
        "rt_from": "stimulus",
        "condition_vars": ["ground_truth"],
        "strength_var": None,
        "action_labels": {0: "no tone", 1: "tone 1", 2: "tone 2", 3: "tone 3"},
        "human_playable": False,
        "human_playable_reason": "supervised only: the answer is read from the output at the last 50 ms step of "
        "the noise and action 0 means 'no tone', so there is no way to wait and no response window",
    }
    default_timing = {"stimulus": 2000, "toneTiming": [500, 1000, 1500], "toneDur": 50}
    _answer_step = -1  # the judged step of the current trial (n_steps - 1), set by _new_trial
    timing_presets = {"human": {"stimulus": 2000, "toneTiming": [500, 1000, 1500], "toneDur": 50}}

    def __init__(
        self,
        dt: float = 50,
        sigma: float = 0.2,
        timing: dict[str, Any] | str | None = None,
        rewards: dict[str, float] | None = None,
    ) -> None:
        super().__init__(dt=dt)
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "noresp": -0.1, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        tone_timing = self.timing["toneTiming"]
        tone_timing = [tone_timing] if isinstance(tone_timing, (int, float)) else list(tone_timing)
        if not tone_timing or not all(isinstance(t, (int, float)) for t in tone_timing):
            raise ValueError(f"timing['toneTiming'] must be a list of tone onsets in ms, got {tone_timing!r}")
        self.toneTiming = [float(t) for t in tone_timing]
        self.toneDur = float(self.timing["toneDur"])
        stim_dur = float(self.timing["stimulus"])
        if any(t < 0 or t + self.toneDur > stim_dur for t in self.toneTiming):
            raise ValueError(
                f"timing['toneTiming'] onsets must lie in 0..stimulus-toneDur ({stim_dur - self.toneDur:g} ms)"
            )
        # a tone shorter than dt still lasts one step (positive durations never vanish, core/timing.py)
        self.toneDurIdx = max(1, int(round(self.toneDur / dt)))
        self.toneTimingIdx = [int(round(t / dt)) for t in self.toneTiming]
        self.abort = False
        self.conditions = list(range(len(self.toneTiming) + 1))  # 0: no tone, k: tone at position k
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(1,), dtype=np.float32, name={"stimulus": 0})
        self.action_space = spaces.Discrete(
            len(self.conditions), name={"no_tone": 0, "tone": list(range(1, len(self.conditions)))}
        )

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"ground_truth": int(self.rng.choice(self.conditions))}
        if "condition" in kwargs:  # NeuroGym's name for it
            kwargs["ground_truth"] = kwargs.pop("condition")
        trial.update(kwargs)
        condition = int(trial["ground_truth"])
        if condition not in self.conditions:
            raise ValueError(f"ground_truth must be one of {self.conditions}, got {condition!r}")
        trial["ground_truth"] = condition
        self.add_period("stimulus")
        if condition:  # the tone: toneDur ms from its onset
            onset = self.toneTimingIdx[condition - 1]
            self.view_ob("stimulus")[onset : onset + self.toneDurIdx, 0] = 1
        self.add_randn(0, self.sigma, "stimulus")
        self.set_groundtruth(condition)
        self._answer_step = self.n_steps - 1  # the step judged in _step
        return trial

    def _step(self, action):
        gt = self.gt_now
        reward = 0.0
        if self.t_ind == self._answer_step:  # the final output is the answer
            if action == gt:
                reward = self.rewards["correct"]
                self.performance = 1
            else:
                reward = self.rewards["fail"]
        return OBNOW, reward, False, False, {"new_trial": False, "gt": gt}
