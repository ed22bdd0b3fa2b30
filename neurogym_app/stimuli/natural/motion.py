"""Random-dot motion views: the motion-discrimination tasks (Newsome, Britten, Shadlen and after)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView, channel_on, period_ms, target_items, tone_key
from neurogym_app.stimuli.natural.rdk import rdk_frame
from neurogym_app.stimuli.scene import Color, Dot, DotField, Item, Text, Tone
from neurogym_app.stimuli.views import StepState

__all__ = [
    "PerceptualDecisionMakingView",
    "ContextDecisionMakingView",
    "LeftRightChoiceMotionView",
    "ChangingEnvironmentView",
    "PostDecisionWagerView",
    "MultiSensoryView",
    "MotionCategoryView",
    "CHOICE_COLORS",
]

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

    def dots(self, state: StepState, coherence: float, direction: float, colors: Callable[[Any], np.ndarray] | None = None) -> DotField:
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
        cols = colors(frame) if colors is not None else None
        return DotField(frame.positions, aperture=self.aperture * k, dot_size=self.dot_size * k, colors=cols)

    def targets(self, state: StepState, colors: Any = None, labels: Any = None) -> list[Item]:
        k = self.k
        active = state.period == "decision"
        return target_items(
            self.theta.tolist(), eccentricity=(self.aperture + 2.0) * k, size=0.8 * k, colors=colors, labels=labels,
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
    ``coh_2/100``, otherwise a colour drawn uniformly from all ``n`` (so in all
    ``coh_2/100 + (1 - coh_2/100) / n``; at 0 % the colours do not depend on
    the choice at all).
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
            pal = np.asarray(palette, dtype=float)

            def colors(frame: Any) -> np.ndarray:
                u = frame.extra
                rest = np.clip((u - coh2) / max(1.0 - coh2, 1e-9), 0.0, 1.0 - 1e-12)
                pick = np.where(u < coh2, dominant, (rest * n).astype(int))
                return pal[pick]

            items.append(self.dots(state, coh1, float(self.theta[(c1 - 1) % n]), colors=colors))
        items += self.fixation_items(state, shape="cross" if ctx == 0 else "square", color=FIXATION_COLOR)
        return items


class _LeftRightMotionView(_MotionView):
    """Dots moving left or right; targets left and right of the aperture.

    Subclasses say which way the evidence points (``direction``) and how
    strong it is (``coherence``), both from trial variables.
    """

    def __init__(self, env: Any, geometry: Any = None, **kwargs: Any) -> None:
        super().__init__(env, geometry, **kwargs)
        self.theta = np.array([np.pi, 0.0])  # targets: left, right

    def direction(self, trial: dict[str, Any]) -> float:
        raise NotImplementedError

    def coherence(self, trial: dict[str, Any]) -> float:
        return float(trial.get("coh", 0.0) or 0.0) / 100.0

    def extra_items(self, state: StepState) -> list[Item]:
        return []

    def stimulus_items(self, state: StepState) -> list[Item]:
        trial = dict(state.trial)
        items: list[Item] = list(self.targets(state))
        items += self.extra_items(state)
        if state.period in self.stimulus_periods and trial:
            items.append(self.dots(state, self.coherence(trial), self.direction(trial)))
        items += self.fixation_items(state, color=FIXATION_COLOR)
        return items


class LeftRightChoiceMotionView(_LeftRightMotionView):
    """Random dots for tasks whose ``ground_truth`` is choice 1 (left) or 2 (right).

    (PerceptualDecisionMakingDelayResponse, CVLearning: their action labels
    are ``1: left, 2: right``.) ``coh`` % of the dots move toward the correct side.
    """

    def direction(self, trial: dict[str, Any]) -> float:
        return 0.0 if int(trial.get("ground_truth", 1)) == 2 else float(np.pi)


class ChangingEnvironmentView(_LeftRightMotionView):
    """Random dots toward ``side`` (1 left, 2 right); which key pair pays is the hidden context."""

    def direction(self, trial: dict[str, Any]) -> float:
        return 0.0 if int(trial.get("side", 1)) == 2 else float(np.pi)


class _RingChoiceMotionView(_LeftRightMotionView):
    """Dots for tasks with ``ground_truth`` an index into ``theta`` (0 = right, 1 = left)."""

    def direction(self, trial: dict[str, Any]) -> float:
        return 0.0 if int(trial.get("ground_truth", 0)) == 0 else float(np.pi)


class PostDecisionWagerView(_RingChoiceMotionView):
    """Kiani & Shadlen (2009): random dots, then on wager trials a sure target (a blue square) above.

    The sure target appears during the delay (when the task's ``sure`` input
    turns on) and stays through the decision; it pays a smaller reward for sure.
    """

    def extra_items(self, state: StepState) -> list[Item]:
        if not channel_on(state, self, "sure"):
            return []
        k = self.k
        return [Dot(0.0, (self.aperture + 2.0) * k, size=0.9 * k, color=(90, 150, 255), shape="square")]


class MultiSensoryView(_RingChoiceMotionView):
    """Raposo et al. (2012) style: visual motion plus an auditory flutter pointing the same way.

    Modality 1 (``coh * coh_prop``) is the dots' coherence; modality 2
    (``coh * (1 - coh_prop)``) is a 20 Hz flutter played while the stimulus is
    on, panned toward the correct side in proportion to its strength (centred
    at zero strength).
    """

    def coherence(self, trial: dict[str, Any]) -> float:
        return float(trial.get("coh", 0.0)) * float(trial.get("coh_prop", 0.5)) / 100.0

    def extra_items(self, state: StepState) -> list[Item]:
        trial = state.trial
        if state.period not in self.stimulus_periods or not trial:
            return []
        strength = float(trial.get("coh", 0.0)) * (1.0 - float(trial.get("coh_prop", 0.5))) / 100.0
        side = 1.0 if self.direction(dict(trial)) == 0.0 else -1.0
        duration = max(period_ms(self.task, "stimulus"), float(self.task.dt)) / 1000.0
        return [Tone(tone_key(state, "stimulus"), frequency=2000.0, duration=duration, modulation_hz=20.0,
                     pan=float(np.clip(side * strength, -1.0, 1.0)) + 0.0)]  # + 0.0: no -0.0


class MotionCategoryView(_MotionView):
    """DelayMatchCategory (Freedman & Assad 2006): 100 % coherent motion in the sample and the test.

    The sample and test directions are ``sample_theta`` and ``test_theta``;
    two directions match when they fall in the same half of the circle (the
    category boundary is the vertical, as in the task: rightward vs leftward).
    """

    coherence = 1.0

    def stimulus_items(self, state: StepState) -> list[Item]:
        key = {"sample": "sample_theta", "test": "test_theta"}.get(state.period or "")
        items: list[Item] = []
        if key is not None and key in state.trial:
            items.append(self.dots(state, self.coherence, float(state.trial[key])))
        items += self.fixation_items(state, color=FIXATION_COLOR)
        return items
