"""Random-dot motion views: PerceptualDecisionMaking and ContextDecisionMaking."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView, target_items
from neurogym_app.stimuli.natural.rdk import rdk_frame
from neurogym_app.stimuli.scene import Color, DotField, Item, Text
from neurogym_app.stimuli.views import StepState

__all__ = ["PerceptualDecisionMakingView", "ContextDecisionMakingView", "CHOICE_COLORS"]

#: dot colours of the colour modality, one per choice: orange / sky blue first (told apart by
#: colour-blind players), all about equally bright and brighter than the grey background
CHOICE_COLORS: tuple[Color, ...] = ((255, 165, 40), (100, 195, 255), (120, 220, 110), (245, 140, 220), (230, 220, 80), (90, 225, 215))


#: fixation mark colour over the dots (red: told apart from the white dots)
FIXATION_COLOR: Color = (255, 70, 70)


class _MotionView(NaturalView):
    """Common set-up: an aperture of moving dots around fixation, targets outside it."""

    aperture = 4.0  # deg (radius)
    n_dots = 150  # over the square enclosing the aperture (~118 inside)
    dot_size = 0.12
    speed = 5.0  # deg/s
    lifetime = 0.25  # s
    stimulus_periods: tuple[str, ...] = ("stimulus",)

    def __init__(self, env: Any, geometry: Any = None, **kwargs: Any) -> None:
        super().__init__(env, geometry, **kwargs)
        self.k = self.layout_scale()
        n = int(self.task_attr("dim_ring", 2))
        self.theta = np.asarray(self.task_attr("theta", np.arange(n) * 2 * np.pi / n), dtype=float)

    def dots(self, state: StepState, coherence: float, direction: float, colors: np.ndarray | None = None) -> DotField:
        k = self.k
        frame = rdk_frame(
            self.seed(state),
            state.t_ms / 1000.0,
            n_dots=self.n_dots,
            aperture=self.aperture * k,
            speed=self.speed * k,
            coherence=coherence,
            direction=direction,
            lifetime=self.lifetime,
        )
        cols = colors(frame) if callable(colors) else None
        return DotField(frame.positions, aperture=self.aperture * k, dot_size=self.dot_size * k, colors=cols)

    def targets(self, state: StepState, colors: Any = None, labels: Any = None) -> list[Item]:
        k = self.k
        active = state.period == "decision"
        return target_items(
            self.theta, eccentricity=(self.aperture + 2.0) * k, size=0.8 * k, colors=colors, labels=labels,
            active=active, text_size=0.4 * k,
        )


class PerceptualDecisionMakingView(_MotionView):
    """Random-dot motion: ``coh`` % of the dots move in the correct direction.

    Choice ``k`` is motion toward ``theta[k]`` (choice 0 rightward, choice 1
    leftward); the dots come from the trial's ``trial_seed``. Targets sit
    where the choices point and fill in during the decision period.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        trial = state.trial
        items: list[Item] = []
        labels_by_action = self.action_labels()
        labels = [labels_by_action.get(j + 1, "") for j in range(len(self.theta))]
        items += self.targets(state, labels=labels)
        if state.period in self.stimulus_periods and "ground_truth" in trial:
            gt = int(trial["ground_truth"])
            coh = float(trial.get("coh", 0.0)) / 100.0
            items.append(self.dots(state, coh, float(self.theta[gt % len(self.theta)])))
        items += self.fixation_items(state, color=FIXATION_COLOR)
        return items


class ContextDecisionMakingView(_MotionView):
    """Coloured moving dots: motion (modality 1) and colour (modality 2) evidence at once.

    Motion: ``coh_1`` % of the dots move toward the modality-1 choice.
    Colour: a dot takes the colour of the modality-2 choice with probability
    ``coh_2/100 + (1 - coh_2/100) / n``, otherwise another choice's colour.
    The context (which modality counts) is cued by the fixation mark (cross:
    motion, square: colour) and a word above the dots; the targets show both
    mappings (position = motion direction, colour = colour choice).
    """

    def _choices(self, trial: dict[str, Any]) -> tuple[int, int]:
        gt, other, ctx = int(trial["ground_truth"]), int(trial.get("other_choice", trial["ground_truth"])), int(trial.get("context", 0))
        return (gt, other) if ctx == 0 else (other, gt)

    def stimulus_items(self, state: StepState) -> list[Item]:
        trial = dict(state.trial)
        k = self.k
        n = len(self.theta)
        palette = [CHOICE_COLORS[j % len(CHOICE_COLORS)] for j in range(n)]
        items: list[Item] = list(self.targets(state, colors=palette))
        ctx = int(trial.get("context", 0))
        cue_periods = ("fixation", "stimulus", "delay")
        if state.period in cue_periods:
            items.append(Text("MOTION" if ctx == 0 else "COLOUR", 0.0, (self.aperture + 0.8) * k, size=0.55 * k, color=(235, 235, 235), bold=True))
        if state.period in self.stimulus_periods and "ground_truth" in trial:
            c1, c2 = self._choices(trial)
            coh1 = float(trial.get("coh_1", 0.0)) / 100.0
            coh2 = float(trial.get("coh_2", 0.0)) / 100.0
            dominant = (c2 - 1) % n
            p_dom = coh2 + (1.0 - coh2) / n
            pal = np.asarray(palette, dtype=float)

            def colors(frame: Any) -> np.ndarray:
                u = frame.extra
                others = [j for j in range(n) if j != dominant] or [dominant]
                rest = np.clip((u - p_dom) / max(1.0 - p_dom, 1e-9), 0.0, 1.0 - 1e-12)
                pick = np.where(u < p_dom, dominant, np.asarray(others)[(rest * len(others)).astype(int)])
                return pal[pick]

            items.append(self.dots(state, coh1, float(self.theta[(c1 - 1) % n]), colors=colors))
        items += self.fixation_items(state, shape="cross" if ctx == 0 else "square", color=FIXATION_COLOR)
        return items
