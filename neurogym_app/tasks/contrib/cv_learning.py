"""Shaping (curriculum) for a delayed two-stimulus comparison task."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.core.timing import spec_bounds
from neurogym_app.core.trial_env import OBNOW, TrialEnv
from neurogym_app.tasks.helpers import input_noise_sd, merge_rewards

STAGES = (0, 1, 2, 3, 4)


class CVLearning(TrialEnv):
    """Shaping for a delayed-response task: stages of increasing difficulty.

    The full task (stage 4): two stimuli (channels 1 and 2) are shown with
    noise; after a delay the agent reports the larger one (action 1 or 2).
    Channels 3..``n_ch`` carry a constant 0.5 (plus noise) and actions
    3..``n_ch`` do nothing. The agent is moved through the stages:

    * 0: no stimulus, no delay; both sides are rewarded, except that after
      ``max_num_reps`` choices of one side in a row only the other one is;
    * 1: unambiguous stimulus (coherence 100, no noise), no delay; a wrong
      choice is not punished and the agent may keep trying until correct;
    * 2: as 1, but the first choice ends the trial and errors cost ``fail``;
    * 3: as 2, with delays that grow (by ``inc_factor`` of the full delays)
      while the moving performance is >= ``th_stage`` and shrink when it
      drops to 0.5;
    * 4: the full task (random coherence, noise, random delay).

    Performance is the first choice of a trial. A "day" is ``trials_day``
    trials; after a day at >= ``th_stage`` (with full delays in stage 3),
    kept for ``keep_days`` more days, the agent moves to the next stage in
    ``stages``. In stage 2, a moving performance (last ``perf_len`` trials)
    below 0.5 sends it back to stage 1 until it is above ``th_stage``.
    ``th_stage=-1`` starts at the last stage. ``reset`` restarts the curriculum.

    Fixed from NeuroGym: stage-3 delays came from an unseeded generator;
    a wrong first choice in stage 1 (reward 0) was counted as correct once
    the agent found the right side; the outcome of a trial was booked when
    the next trial was drawn, so the first trial of a run counted an error
    that never happened, a trial that timed out in stage 0 counted the
    previous choice again, and ``new_trial(**trial)`` moved the curriculum;
    the moving performance was reset every day; the delay timing was a
    lambda bound to the env (no pickling, deepcopies shared it).
    """

    metadata = {
        "paper_link": "https://www.nature.com/articles/s41586-019-0919-7",
        "paper_name": "Discrete attractor dynamics underlies persistent activity in the frontal cortex",
        "tags": ["perceptual", "delayed response", "two-alternative", "supervised", "curriculum"],
        "rt_from": "decision",
        "condition_vars": ["stage", "ground_truth", "coh"],
        "action_labels": {1: "left", 2: "right"},
    }
    default_timing = {"fixation": 200, "stimulus": 1150, "delay": ("uniform", (1000, 3000)), "decision": 1500}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1150, "delay": ("uniform", (1000, 3000)), "decision": 2000}}
    default_cohs = (0, 6.4, 12.8, 25.6, 51.2)

    def __init__(
        self,
        dt: float = 100,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        stim_scale: float = 1.0,
        sigma: float = 1.0,
        max_num_reps: int = 3,
        th_stage: float = 0.7,
        keep_days: int = 1,
        trials_day: int = 300,
        perf_len: int = 20,
        stages: list[int] | None = None,
        n_ch: int = 10,
    ) -> None:
        super().__init__(dt=dt)
        stages = list(STAGES) if stages is None else [int(s) for s in stages]
        if not stages or any(s not in STAGES for s in stages) or stages != sorted(set(stages)):
            raise ValueError(f"stages must be a non-empty increasing list drawn from 0-4, got {stages!r}")
        if n_ch < 2:
            raise ValueError(f"n_ch must be at least 2 (two stimulus channels), got {n_ch!r}")
        if th_stage != -1 and not 0 <= th_stage <= 1:
            raise ValueError(f"th_stage must be a performance in [0, 1] (or -1: start at the last stage), got {th_stage!r}")
        if trials_day < 1 or perf_len < 1 or max_num_reps < 1 or keep_days < 0:
            raise ValueError("trials_day, perf_len and max_num_reps must be >= 1 and keep_days >= 0")
        self.stages = stages
        self.n_ch = int(n_ch)
        self.cohs = np.asarray(self.default_cohs, dtype=float) * stim_scale
        self.sigma = input_noise_sd(sigma, dt)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": -1.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        bounds = spec_bounds(self.timing["delay"])
        self.delay_durs = [1000.0, 3000.0] if bounds is None or not np.isfinite(bounds[1]) else list(bounds)
        self.abort = False
        self.max_num_reps = int(max_num_reps)
        self.th_stage = float(th_stage)
        self.th_perf = float(th_stage)
        self.keep_days = int(keep_days)
        self.trials_day = int(trials_day)
        self.perf_len = int(perf_len)
        self.min_perf = 0.5  # below this in stage 2, back to stage 1
        self.inc_factor = 0.25  # delay step in stage 3, as a fraction of the full delays
        self.inc_delays_th = float(th_stage)
        self.dec_delays_th = 0.5
        self._reset_curriculum()

        names_ob: dict[str, Any] = {"fixation": 0, "stimulus": [1, 2]}
        names_act: dict[str, Any] = {"fixation": 0, "choice": [1, 2]}
        if n_ch > 2:
            names_ob["distractor"] = list(range(3, n_ch + 1))
            names_act["other"] = list(range(3, n_ch + 1))
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(n_ch + 1,), dtype=np.float32, name=names_ob)
        self.noisy_channels = list(range(1, n_ch + 1))  # all but fixation
        self.action_space = spaces.Discrete(n_ch + 1, name=names_act)

    # ------------------------------------------------------------ curriculum
    def _reset_curriculum(self) -> None:
        self.ind = len(self.stages) - 1 if self.th_stage == -1 else 0
        self.stage = self.stages[self.ind]
        self.trials_counter = 0  # trials today
        self.day_perf: list[int] = []
        self.curr_perf = 0.0  # performance of the last full day
        self.mov_perf: deque[int] = deque(maxlen=self.perf_len)
        self.inst_perf = 0.0  # moving performance
        self.days_keep = self.keep_days
        self.keep_stage = False
        self.stage_reminder = False
        self.side_counter = 0  # signed run length of same-side choices (stage 0)
        self.last_choice = 0
        self.inc_delays = 0.0
        self.delay_milestone = 0.0
        self.trials_delay = 0
        self.max_delays = True
        self.dur = [0, 0]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._reset_curriculum()
        return super().reset(seed=seed, options=options)

    def _stage3_delays(self) -> list[int]:
        return [int(d * self.inc_delays) for d in self.delay_durs]

    def _book_trial(self, correct: bool, choice: int | None) -> None:
        """Update the curriculum with the outcome of the trial that just ended."""
        stage = int(self.trial["stage"]) if self.trial else self.stage
        if stage == 0 and choice in (1, 2):
            new = -1 if choice == 1 else 1
            self.side_counter = self.side_counter + new if np.sign(self.side_counter) == new else new
            self.last_choice = choice
        self.day_perf.append(int(correct))
        self.mov_perf.append(int(correct))
        self.trials_counter += 1
        self.trials_delay += 1
        if len(self.mov_perf) == self.perf_len:
            self.inst_perf = float(np.mean(self.mov_perf))
            if self.inst_perf < self.min_perf and self.stage == 2:
                if 1 in self.stages:
                    self.ind = self.stages.index(1)
                    self.stage = 1
                    self.stage_reminder = True
            elif self.inst_perf > self.th_perf and self.stage_reminder:
                self.ind = self.stages.index(2)
                self.stage = 2
                self.stage_reminder = False
        if self.stage == 3:
            if self.trials_delay > self.perf_len:
                if self.inst_perf >= self.inc_delays_th and self.inc_delays < 1:
                    self.inc_delays += self.inc_factor
                    self.trials_delay = 0
                elif self.inst_perf <= self.dec_delays_th and self.inc_delays > self.delay_milestone:
                    self.inc_delays -= self.inc_factor
                    self.trials_delay = 0
            self.dur = self._stage3_delays()
            self.max_delays = self.dur == [int(d) for d in self.delay_durs]
        if self.trials_counter >= self.trials_day:  # end of the day
            self.trials_counter = 0
            self.curr_perf = float(np.mean(self.day_perf))
            self.day_perf = []
            self.delay_milestone = self.inc_delays
            if self.curr_perf >= self.th_perf and self.max_delays:
                self.keep_stage = True
            else:
                self.keep_stage = False
                self.days_keep = self.keep_days
            if self.keep_stage:
                if self.days_keep <= 0 and self.stage < self.stages[-1]:
                    self.ind += 1
                    self.stage = self.stages[self.ind]
                    self.days_keep = self.keep_days + 1
                    self.keep_stage = False
                    if self.stage == 3:
                        self.dur = self._stage3_delays()
                        self.max_delays = self.dur == [int(d) for d in self.delay_durs]
                self.days_keep -= 1

    # ----------------------------------------------------------------- trial
    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Every trial draws the same variables in the same order; its stage picks the ones it uses.
        ground_truth = int(self.rng.choice([1, 2]))
        coh = float(self.rng.choice(self.cohs))
        durations = {p: self.sample_time(p) for p in ("fixation", "stimulus", "delay", "decision")}
        stage3_delay = float(self.rng.choice(self.dur))

        stage = int(kwargs.get("stage", self.stage))
        if stage not in STAGES:
            raise ValueError(f"stage must be one of 0-4, got {stage!r}")
        forced = stage == 0 and abs(self.side_counter) >= self.max_num_reps
        if forced:
            ground_truth = 1 if self.last_choice == 2 else 2
        if stage == 3:
            delay = stage3_delay
        elif stage == 4:
            delay = float(durations["delay"])
        else:
            delay = 0.0
        trial = {
            "stage": stage,
            "ground_truth": ground_truth,
            "coh": coh if stage in (0, 4) else 100.0,
            "sigma": float(self.sigma) if stage == 4 else 0.0,
            "delay": delay,
            "forced": bool(forced),
        }
        trial.update(kwargs)
        gt = int(trial["ground_truth"])
        if gt not in (1, 2):
            raise ValueError(f"ground_truth must be 1 or 2, got {gt!r}")

        # how this stage judges choices
        self.firstcounts = stage != 1
        if stage == 0:
            self.fail_reward = 0.0 if trial["forced"] else self.rewards["correct"]
        elif stage == 1:
            self.fail_reward = 0.0
        else:
            self.fail_reward = self.rewards["fail"]
        self.first_flag = False

        self.add_period("fixation", duration=durations["fixation"])
        self.add_period("stimulus", duration=0.0 if stage == 0 else durations["stimulus"], after="fixation")
        self.add_period("delay", duration=trial["delay"], after="stimulus")
        self.add_period("decision", duration=durations["decision"], after="delay")
        self.add_ob(1, ["fixation", "stimulus", "delay"], where="fixation")
        if stage > 0:  # stage 0 has no stimulus
            coh = float(trial["coh"])
            self.add_ob((1 - coh / 100) / 2, "stimulus", where="stimulus")
            self.set_ob((1 + coh / 100) / 2, "stimulus", where=gt)
            if self.n_ch > 2:
                self.add_ob(0.5, "stimulus", where="distractor")
            self.add_randn(0, float(trial["sigma"]), "stimulus", where=self.noisy_channels)
        self.set_groundtruth(gt, "decision")
        return trial

    def _step(self, action):
        action = int(action)
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        if action != 0 and not self.in_period("decision"):
            new_trial = self.abort
            reward = self.rewards["abort"]
        elif self.in_period("decision") and action in (1, 2):
            first = not self.first_flag
            self.first_flag = True
            if action == gt:
                reward = self.rewards["correct"]
                new_trial = True
                if first:
                    self.performance = 1
            else:
                reward = self.fail_reward
                new_trial = self.firstcounts
                if first:
                    self.performance = int(self.fail_reward == self.rewards["correct"])
        if new_trial or self.t_ind + 1 >= self.n_steps:
            self._book_trial(self.performance == 1, action if new_trial else None)
        info = {
            "new_trial": new_trial,
            "gt": gt,
            "stage": self.stage,
            "inst_perf": self.inst_perf,
            "curr_perf": self.curr_perf,
            "keep_stage": self.keep_stage,
            "inc_delays": self.inc_delays,
            "trials_day": self.trials_counter,
        }
        return OBNOW, reward, False, False, info
