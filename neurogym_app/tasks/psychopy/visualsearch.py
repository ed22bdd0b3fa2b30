"""Visual search with pixel observations (NeuroGym's ``psychopy.VisualSearch-v0``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.tasks.helpers import merge_rewards
from neurogym_app.tasks.psychopy.base import PsychopyTask, psychopy_visual

__all__ = ["VisualSearch"]


class VisualSearch(PsychopyTask):
    """Find the sample among distractors and report its location (pixel observations).

    A sample line (random orientation and colour) is shown at the centre;
    after a delay, ``len(target_centers)`` lines appear at those places: one
    is the sample, each other differs from it in orientation
    (``delta_angle``) or in colour (``delta_color``). The action is a point
    in ``[-1, 1]^2``: (0, 0) while fixating, the sample's centre in the
    decision period.

    Args:
        target_centers: places of the lines (PsychoPy ``norm`` units).
        length: half length of a line (norm units).
        delta_angle: orientation difference of a distractor (radians).
        delta_color: colour difference of a distractor (PsychoPy rgb).
        line_width: line width (pixels).
    """

    metadata = {
        "paper_link": "https://science.sciencemag.org/content/315/5820/1860",
        "paper_name": "Top-down versus bottom-up control of attention in the prefrontal and posterior parietal cortices",
        "tags": ["perceptual", "supervised", "pixels"],
        "rt_from": "decision",
        "human_playable": False,
        "human_playable_reason": "the response is a continuous point (the sample's location), not a key",
    }
    default_timing = {"fixation": 500, "sample": 1000, "delay": 500, "decision": 500}
    timing_presets = {"human": {"fixation": 500, "sample": 1000, "delay": 500, "decision": 2000}}

    def __init__(
        self,
        dt: float = 16,
        win_size: tuple[int, int] | None = None,
        win_kwargs: dict[str, Any] | None = None,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        target_centers: list[tuple[float, float]] | None = None,
        length: float = 0.3,
        delta_angle: float | None = None,
        delta_color: list[float] | None = None,
        line_width: float = 3,
    ) -> None:
        super().__init__(dt=dt, win_size=win_size, win_kwargs=win_kwargs)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        centers = target_centers if target_centers is not None else [(0.5, 0.5), (0.5, -0.5), (-0.5, 0.5), (-0.5, -0.5)]
        self.target_centers = [(float(x), float(y)) for x, y in centers]
        if len(self.target_centers) < 1:
            raise ValueError("target_centers needs at least one place")
        self.length = float(length)
        self.delta_angle = float(delta_angle if delta_angle is not None else 0.2 * np.pi)
        self.delta_color = [float(c) for c in (delta_color if delta_color is not None else [0.2, -0.1, -0.1])]
        self.n_target = len(self.target_centers)
        self.lw = float(line_width)
        self.abort = False
        self.action_space = spaces.Box(-1, 1, shape=(2,), dtype=np.float32)

    @staticmethod
    def _line_ends(center: tuple[float, float], angle: float, length: float) -> tuple[tuple[float, float], tuple[float, float]]:
        dx, dy = length * np.cos(angle), length * np.sin(angle)
        return (center[0] - dx, center[1] - dy), (center[0] + dx, center[1] + dy)

    def _line(self, center: tuple[float, float], angle: float, color: list[float]) -> Any:
        visual = psychopy_visual()
        start, end = self._line_ends(center, angle, self.length)
        return visual.Line(
            self.win, start=start, end=end, units="norm", lineWidth=self.lw, lineColor=list(color), colorSpace="rgb",
            fillColor=None,
        )

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.pop("ground_truth", None)  # derived: the sample's centre
        sample_angle = float(self.rng.uniform(0, 2 * np.pi))
        sample_color = self.rng.uniform(0, 1, size=3)
        angles = [sample_angle]
        colors = [[float(c) for c in sample_color]]
        for _ in range(1, self.n_target):
            if self.rng.random() > 0.5:
                angle = float(np.mod(sample_angle + self.rng.choice([1, -1]) * self.delta_angle, 2 * np.pi))
                angles.append(angle)
                colors.append([float(c) for c in sample_color])
            else:
                color = np.clip(sample_color + self.rng.permutation(self.delta_color), 0, 1)
                angles.append(sample_angle)
                colors.append([float(c) for c in color])
        order = self.rng.permutation(self.n_target)
        centers = [list(self.target_centers[i]) for i in order]
        trial: dict[str, Any] = {"angles": angles, "colors": colors, "centers": centers}
        trial.update(kwargs)
        trial["ground_truth"] = [float(v) for v in trial["centers"][0]]

        self.add_period(["fixation", "sample", "delay", "decision"])
        self.fill_background()
        targets = [self._line(tuple(c), float(a), list(col)) for c, a, col in zip(trial["centers"], trial["angles"], trial["colors"])]
        self.set_static("decision", targets)
        self.set_static("sample", [self._line((0.0, 0.0), float(trial["angles"][0]), list(trial["colors"][0]))])
        self.set_groundtruth(np.asarray(trial["ground_truth"], dtype=np.float32), "decision")
        return trial

    def _step(self, action: Any):
        gt = self.gt_now
        reward = 0.0
        new_trial = False
        moved = float(np.sum(np.asarray(action, dtype=float) ** 2)) > 0.01
        if self.in_period("fixation"):
            if moved:
                new_trial = self.abort
                reward += self.rewards["abort"]
        elif self.in_period("decision") and moved:
            new_trial = True
            if float(np.sum((np.asarray(action, dtype=float) - gt) ** 2)) < 0.01:
                reward += self.rewards["correct"]
                self.performance = 1
            else:
                reward += self.rewards["fail"]
        return self.ob_now, reward, False, False, {"new_trial": new_trial, "gt": gt}
