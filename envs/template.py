"""A documented custom task: copy this file, rename the class, change the trial.

Every module in `envs/` (or the folder given by `--envs DIR`) is imported when
the CLI or the app starts; each TrialEnv subclass it defines is registered as
`ClassName-v0` and appears in `neurogym-app list`, `check`, `play` and the app.

This one is a minimal "which side is brighter?" task written with the
NeuroGym PeriodEnv recipe (timing, `_new_trial`, `_step`) and the helpers the
built-in tasks use (`neurogym_app.tasks.helpers`); docs/CONTRIBUTING-TASKS.md
lists the conventions. The declarative calls (`add_period`, `add_ob`, `set_ob`,
`add_randn`, `set_groundtruth`) are all a trial needs: the core makes them fast
and builds Dataset batches from them, so keep the arrays out of `_new_trial`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import neurogym_app as ngym
from neurogym_app.tasks.helpers import input_noise_sd, judge_fixate_then_choose, merge_rewards


class BrighterSide(ngym.TrialEnv):
    """Report which of two noisy patches is brighter (a custom-task template)."""

    # Shown by `neurogym-app info` and the task browser; the human-play fields
    # tell the app which period a reaction time is measured from, which trial
    # variables define a condition, and what each action means.
    metadata = {
        "paper_name": None,
        "paper_link": None,
        "tags": ["perceptual", "two-alternative", "template"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "difference"],
        "strength_var": "difference",
        "action_labels": {1: "left", 2: "right"},
    }

    # Period durations in ms: a number, a list to choose from, or
    # ("uniform", (lo, hi)), ("choice", [...]), ("truncated_exponential", (mean, lo, hi)),
    # ("constant", v), ("until", t). They are rounded to the nearest dt.
    default_timing = {"fixation": 200, "stimulus": 500, "decision": 200}
    # The timing people play by default (`neurogym-app play --timing human`).
    timing_presets = {"human": {"fixation": 500, "stimulus": 800, "decision": 2000}}

    def __init__(self, dt: float = 100, rewards=None, timing=None, differences=(0.05, 0.1, 0.2), sigma: float = 0.5):
        super().__init__(dt=dt)
        # unknown reward names and non-numbers are one-line errors
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.differences = np.asarray(differences, dtype=float)
        self.sigma = input_noise_sd(sigma, dt)  # sigma per sqrt(ms), as NeuroGym
        self.abort = False
        # Named spaces: the names drive the stimulus view and the key map.
        self.observation_space = ngym.spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32, name={"fixation": 0, "left": 1, "right": 2}
        )
        self.action_space = ngym.spaces.Discrete(3, name={"fixation": 0, "choice": [1, 2]})

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        # Draw every random variable first, then let the caller override them:
        # `env.new_trial(**recorded_trial)` must rebuild a recorded trial.
        trial = {
            "ground_truth": int(self.rng.integers(2)),  # 0: left brighter, 1: right brighter
            "difference": float(self.rng.choice(self.differences)),
        }
        trial.update(kwargs)
        self.add_period(["fixation", "stimulus", "decision"])
        self.add_ob(1, ["fixation", "stimulus"], where="fixation")
        brighter, dimmer = 0.5 + trial["difference"], 0.5
        left, right = (brighter, dimmer) if trial["ground_truth"] == 0 else (dimmer, brighter)
        self.add_ob(left, "stimulus", where="left")
        self.add_ob(right, "stimulus", where="right")
        self.add_randn(0, self.sigma, "stimulus", where=[1, 2])
        self.set_groundtruth(trial["ground_truth"], "decision", where="choice")
        return trial

    def _step(self, action):
        # Hold fixation ("abort" if broken), then the first choice in "decision" ends the trial.
        # A task with its own rules returns (OBNOW, reward, False, False, {"new_trial": ..., "gt": self.gt_now});
        # OBNOW is "the next precomputed observation" (what the agent sees next).
        return judge_fixate_then_choose(self, action)


# ---------------------------------------------------------------------------
# Human play: what a person sees (docs/CONTRIBUTING-TASKS.md, "A natural view for your task")
# ---------------------------------------------------------------------------
# Without a view of its own a task is drawn by the generic view (its channels as
# luminance and position, never as numbers). A natural view draws what the lab
# would show, from the trial's variables, at the trial's strength and never as a
# cue to the answer: with difference 0 its frames must not depend on ground_truth.
from neurogym_app.stimuli.natural.base import NaturalView  # noqa: E402
from neurogym_app.stimuli.scene import Patch  # noqa: E402
from neurogym_app.stimuli.views import register_view  # noqa: E402


class BrighterSideView(NaturalView):
    """Two discs left and right of fixation during the stimulus; one brighter by ``difference``."""

    def stimulus_items(self, state):
        k = self.layout_scale()  # shrinks the layout on a small screen
        items = []
        if state.period == "stimulus" and "ground_truth" in state.trial:
            brighter = 0.3 + float(state.trial["difference"])
            left, right = (brighter, 0.3) if int(state.trial["ground_truth"]) == 0 else (0.3, brighter)
            items.append(Patch(-4.0 * k, 0.0, size=3.0 * k, contrast=left))  # contrast over the grey background
            items.append(Patch(4.0 * k, 0.0, size=3.0 * k, contrast=right))
        items += self.fixation_items(state)  # a cross while the fixation input is on
        return items


# by class name; "module:Class" strings are imported on first use
register_view("BrighterSide", BrighterSideView)
# What a participant reads before the first trial: name the keys and the stimulus.
BrighterSide.metadata["instructions"] = (
    "Two grey discs appear left and right of the cross; one is a little brighter.\n"
    "When the cross goes off, press Left arrow or F if the left one was brighter, Right arrow or J for the right one."
)
