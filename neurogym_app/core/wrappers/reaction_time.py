"""ReactionTime: the agent may respond as soon as the stimulus appears."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from neurogym_app.core.trial_env import TrialWrapper
from neurogym_app.core.wrappers.base import require_periods

__all__ = ["ReactionTime"]

STIMULUS, DECISION = "stimulus", "decision"


class ReactionTime(TrialWrapper):
    """Allow a reaction-time response: the decision period starts with the stimulus.

    Each trial's ``decision`` period is moved to begin at the ``stimulus``
    onset and its ground truth is copied back over the stimulus (and any
    delay), so the first response after stimulus onset is judged and ends
    the trial. ``env.ob``/``env.gt`` (and so a Dataset) show the reaction-time
    version of the trial.

    Args:
        env: a task with ``stimulus`` and ``decision`` periods.
        urgency: added to the reward of every step (a cost of time when < 0).
        end_on_stimulus: the trial ends when the stimulus ends (NeuroGym's
            default): the response window is the stimulus itself. ``False``
            keeps the trial's length, the window running from stimulus onset
            to the end of the original decision period.

    ``info["tr_dur"]`` (steps from trial start to the response) is set on the
    step that ends a trial. Unlike NeuroGym's, the observation returned by that
    step is not zeroed: it is the first observation of the next trial.
    """

    metadata = {
        "description": "Modifies a given environment by allowing the network to act at any time after the fixation period."
    }

    def __init__(self, env: gym.Env, urgency: float = 0.0, end_on_stimulus: bool = True) -> None:
        super().__init__(env)
        require_periods("ReactionTime", env, STIMULUS, DECISION)
        self.urgency = float(urgency)
        self.end_on_stimulus = bool(end_on_stimulus)
        self.tr_dur = 0

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = super().new_trial(**kwargs)
        task = self.task
        if STIMULUS in task.start_t and DECISION in task.start_t:
            onset_t, onset_ind = task.start_t[STIMULUS], task.start_ind[STIMULUS]
            end_ind = task.end_ind[DECISION]
            if onset_ind < end_ind and task.start_ind[DECISION] < end_ind:
                answer = task.gt[task.start_ind[DECISION]].copy()
                task.gt[onset_ind:end_ind] = answer
            task.start_t[DECISION] = onset_t
            task.start_ind[DECISION] = onset_ind
            if self.end_on_stimulus:
                self._end_at_stimulus_end(task)
        return trial

    @staticmethod
    def _end_at_stimulus_end(task: Any) -> None:
        """Cut the trial at the end of the stimulus; the decision window is then the stimulus."""
        end_t, end_ind = task.end_t[STIMULUS], task.end_ind[STIMULUS]
        if end_ind <= task.start_ind[DECISION]:
            return  # an empty stimulus: keep the trial as it is
        task.end_t[DECISION] = end_t
        task.end_ind[DECISION] = end_ind
        # copies: the trial's arrays must own their data (step() recognises its own rows)
        task.ob = task.ob[:end_ind].copy()
        task.gt = task.gt[:end_ind].copy()
        task.tmax = end_t

    def step(self, action: Any):
        task = self.task
        ob, reward, terminated, truncated, info = self.env.step(action)
        if info.get("new_trial"):
            info["tr_dur"] = self.tr_dur
        else:
            self.tr_dur = task.t_ind
        return ob, float(reward) + self.urgency, terminated, truncated, info
