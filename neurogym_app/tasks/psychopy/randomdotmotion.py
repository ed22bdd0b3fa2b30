"""Random-dot motion with pixel observations (NeuroGym's ``psychopy.RandomDotMotion-v0``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.core import spaces
from neurogym_app.tasks.helpers import judge_fixate_then_choose, merge_rewards, ring_angles
from neurogym_app.tasks.psychopy.base import PsychopyTask, psychopy_visual

__all__ = ["RandomDotMotion"]


class RandomDotMotion(PsychopyTask):
    """Two-alternative motion discrimination on rendered random dots (pixel observations).

    During the stimulus a field of dots is drawn every step; ``coh`` % of them
    (the same dots all trial) move toward ``theta[ground_truth]`` (choice 0
    rightward), the others each in their own random direction. A dot lives
    ``dot_life`` frames and is reborn at a random place; a dot leaving the
    circular field re-enters at a random place. The agent reports the
    direction in the decision period. Unlike NeuroGym (whose ``DotStim`` used
    numpy's global generator and converted the direction to degrees twice),
    the dots come from the task's generator and move in the stated direction.

    Args:
        dt: ms per frame/step.
        win_size: frame size in pixels.
        rewards: updates ``abort``, ``correct``, ``fail``.
        timing: period -> timing spec, or a preset name (``"human"``).
        stim_scale: scales the coherences (difficulty).
        dim_ring: number of directions (choices).
        n_dots, dot_size (pixels), speed (field radii per frame / 10), dot_life (frames).
    """

    metadata = {
        "paper_link": "https://www.jneurosci.org/content/12/12/4745",
        "paper_name": "The analysis of visual motion: a comparison of neuronal and psychophysical performance",
        "tags": ["perceptual", "two-alternative", "supervised", "pixels"],
        "rt_from": "decision",
        "condition_vars": ["ground_truth", "coh"],
        "strength_var": "coh",
        "action_labels": {1: "right", 2: "left"},
    }
    default_timing = {"fixation": 100, "stimulus": 2000, "decision": 100}
    timing_presets = {"human": {"fixation": 500, "stimulus": 1000, "decision": 2000}}

    def __init__(
        self,
        dt: float = 16,
        win_size: tuple[int, int] | None = None,
        win_kwargs: dict[str, Any] | None = None,
        rewards: dict[str, float] | None = None,
        timing: dict[str, Any] | str | None = None,
        stim_scale: float = 1.0,
        dim_ring: int = 2,
        n_dots: int = 30,
        dot_size: float = 3.0,
        speed: float = 0.1,
        dot_life: int = 10,
    ) -> None:
        super().__init__(dt=dt, win_size=win_size, win_kwargs=win_kwargs)
        if dim_ring < 2:
            raise ValueError(f"dim_ring must be at least 2, got {dim_ring}")
        self.cohs = np.array([0, 6.4, 12.8, 25.6, 51.2]) * float(stim_scale)
        self.rewards = merge_rewards({"abort": -0.1, "correct": 1.0, "fail": 0.0}, rewards)
        self.timing = self.resolve_timing(self.default_timing, timing)
        self.abort = False
        self.dim_ring = dim_ring
        self.theta = ring_angles(dim_ring)
        self.choices = np.arange(dim_ring)
        self.n_dots = int(n_dots)
        self.dot_size = float(dot_size)
        self.speed = float(speed)
        self.dot_life = max(1, int(dot_life))
        self.action_space = spaces.Discrete(1 + dim_ring, name={"fixation": 0, "choice": list(range(1, dim_ring + 1))})

    def _field_radius(self) -> float:
        return 0.25 * min(self.win_size)  # NeuroGym's DotStim field: 1 norm unit across

    def _random_in_field(self, n: int) -> np.ndarray:
        r = self._field_radius() * np.sqrt(self.rng.random(n))
        a = self.rng.random(n) * 2 * np.pi
        return np.stack([r * np.cos(a), r * np.sin(a)], axis=1)

    def _dot_frames(self, n_frames: int, coh: float, direction: float) -> np.ndarray:
        """Dot positions (pixels from the centre) for each frame: ``(n_frames, n_dots, 2)``."""
        n = self.n_dots
        radius = self._field_radius()
        step = self.speed * radius
        signal = np.zeros(n, dtype=bool)
        signal[: int(round(n * coh / 100.0))] = True
        self.rng.shuffle(signal)
        dirs = np.where(signal, direction, self.rng.random(n) * 2 * np.pi)
        pos = self._random_in_field(n)
        age = self.rng.integers(0, self.dot_life, size=n)
        frames = np.empty((n_frames, n, 2))
        for f in range(n_frames):
            frames[f] = pos
            age += 1
            pos = pos + step * np.stack([np.cos(dirs), np.sin(dirs)], axis=1)
            reborn = (age >= self.dot_life) | (np.hypot(pos[:, 0], pos[:, 1]) > radius)
            if reborn.any():
                pos[reborn] = self._random_in_field(int(reborn.sum()))
                age[reborn] = 0
        return frames

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        trial = {"ground_truth": int(self.rng.choice(self.choices)), "coh": float(self.rng.choice(self.cohs))}
        trial.update(kwargs)
        gt = int(trial["ground_truth"])
        self.add_period(["fixation", "stimulus", "decision"])
        self.fill_background()
        n_frames = self.view_ob("stimulus").shape[0]
        frames = self._dot_frames(n_frames, float(trial["coh"]), float(self.theta[gt]))
        visual = psychopy_visual()
        dots = visual.ElementArrayStim(
            self.win, units="pix", nElements=self.n_dots, elementTex=None, elementMask="circle",
            sizes=self.dot_size, xys=frames[0] if n_frames else np.zeros((self.n_dots, 2)), colors=[1, 1, 1], colorSpace="rgb",
        )

        def stims(i: int) -> list[Any]:
            dots.xys = frames[i]
            return [dots]

        self.set_frames("stimulus", stims)
        self.set_groundtruth(gt, "decision", where="choice")
        return trial

    def _step(self, action: Any):
        return judge_fixate_then_choose(self, action)
