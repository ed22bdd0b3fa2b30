"""Ring-coded stimuli as gratings at ring positions, answered by pointing on the ring.

A ring-coded input (units tuned to directions around a circle) means, for a
person, "a stimulus at that place on a circle around fixation". Each
stimulus is drawn as a Gabor patch at its angle, ``ECCENTRICITY`` deg from
fixation, with a contrast that grows with its strength. The two sensory
modalities of the Yang et al. (2019) collection differ in what the patch is:
modality 1 vertical white stripes, modality 2 horizontal orange stripes
(Yang et al. used abstract inputs; these are the stimuli of the
psychophysics versions of such tasks: location-coded gratings, Funahashi et
al. 1989 for the memory-saccade tasks). The answer is a click on the ring
(the response ring brightens when the fixation cross goes off).

Views here: ``Yang19View`` (go/rt/dly/anti, dm/ctx/multi dm, dms/dnms/dmc/dnmc),
``AntiReachView``, ``AngleReproductionView``, ``ReachingView`` (Reaching1D and
Reaching1DWithSelfDistraction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView, channel, decode_angle, hint, response_ring, ring_xy
from neurogym_app.stimuli.scene import Color, Dot, Item, Patch
from neurogym_app.stimuli.views import StepState

__all__ = ["RingView", "Yang19View", "AntiReachView", "AngleReproductionView", "ReachingView", "LineReachView", "MODALITY_STYLE"]

ECCENTRICITY = 4.6  # deg: the response ring, and modality 1's patches
OUTER = 6.9  # deg: modality 2's patches sit farther out, in the same direction (never on top of modality 1)
PATCH = 2.6  # deg
SF = 1.2  # cycles/deg

#: modality -> (stripe colour, orientation in degrees)
MODALITY_STYLE: dict[int, tuple[Color, float]] = {1: ((255, 255, 255), 0.0), 2: ((255, 170, 40), 90.0)}


def strength_contrast(strength: float) -> float:
    """Patch contrast for a stimulus strength (1 = a full-strength stimulus): monotonic, 0 -> 0."""
    return float(np.clip(0.85 * float(strength), 0.0, 0.95))


class RingView(NaturalView):
    """Common drawing: stimuli as patches on a ring around fixation, a response ring to click on."""

    answer_periods: tuple[str, ...] = ("decision",)
    #: the arrow-key aim (``input.keymap.RingAim``: ``angle`` in radians or None), set by the
    #: session's scenes; drawn as a yellow mark on the response ring while answering
    aim: Any = None

    def __init__(self, env: Any, geometry: Any = None, **kwargs: Any) -> None:
        super().__init__(env, geometry, **kwargs)
        self.k = self.layout_scale(9.0, 9.0)

    def patch(self, angle: float, strength: float, modality: int = 1, radius: float | None = None) -> Patch:
        color, ori = MODALITY_STYLE.get(int(modality), MODALITY_STYLE[1])
        if radius is None:
            radius = OUTER if int(modality) == 2 else ECCENTRICITY
        x, y = ring_xy(angle, radius * self.k)
        return Patch(x, y, size=PATCH * self.k, contrast=strength_contrast(strength), sf=SF / self.k, orientation=ori,
                     color=color, mask="raisedcos")

    def frame(self, state: StepState, stimuli: Sequence[Item]) -> list[Item]:
        answering = state.period in self.answer_periods and not (self.fixation_value(state) or 0) > 0.5
        items = response_ring(ECCENTRICITY * self.k, self.k, answering)
        items += stimuli
        items += self.fixation_items(state)
        if answering:
            angle = getattr(self.aim, "angle", None)
            if angle is not None:
                x, y = ring_xy(angle, ECCENTRICITY * self.k)
                items.append(Dot(x, y, size=0.7 * self.k, color=(255, 220, 60)))
            items.append(hint("click on the circle (or aim with the arrows, then Space)", self.k))
        return items


class Yang19View(RingView):
    """The 20 tasks of Yang et al. (2019), from their trial variables.

    * go family (``stim_theta``, ``modality``): one patch while the stimulus
      is on (during the response too for the rt tasks);
    * dm family (``theta1``/``theta2`` with ``coh1_modM``/``coh2_modM``): two
      patches per modality present, their contrasts the two strengths (equal
      strengths give equal contrasts); ``stim1``/``stim2`` periods show one each;
    * dms family (``sample_theta``/``test_theta``, ``modality``): one patch in
      the sample and one in the test.
    """

    def stimuli(self, state: StepState) -> list[tuple[float, float, int]]:
        trial, period = state.trial, state.period
        rt = type(self.task).__name__.startswith("rt")
        if "stim_theta" in trial:
            shown = period == "stimulus" or (rt and period == "decision")
            return [(float(trial["stim_theta"]), 1.0, int(trial.get("modality", 1)))] if shown else []
        if "theta1" in trial:
            which = {"stimulus": (1, 2), "stim1": (1,), "stim2": (2,)}.get(period or "", ())
            out = []
            for s in which:
                for m in (1, 2):
                    coh = trial.get(f"coh{s}_mod{m}")
                    if coh is not None:
                        out.append((float(trial[f"theta{s}"]), float(coh), m))
            return out
        key = {"sample": "sample_theta", "test": "test_theta"}.get(period or "")
        if key and key in trial:
            return [(float(trial[key]), 1.0, int(trial.get("modality", 1)))]
        return []

    def stimulus_items(self, state: StepState) -> list[Item]:
        return self.frame(state, [self.patch(a, s, m) for a, s, m in self.stimuli(state)])


class AntiReachView(RingView):
    """A patch at ``stim_theta`` in the stimulus period; click on the ring (opposite side when ``anti``)."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        stim = []
        if state.period == "stimulus" and "stim_theta" in state.trial:
            stim.append(self.patch(float(state.trial["stim_theta"]), 1.0))
        return self.frame(state, stim)


#: colours of the first and second angle (the dial takes the colour of the angle to reproduce)
FIRST: Color = (90, 180, 255)
SECOND: Color = (255, 200, 60)


def _dial(angle: float, radius: float, color: Color, k: float) -> list[Item]:
    """A dial hand: dots from the centre out to ``radius`` at ``angle``."""
    out: list[Item] = []
    for f in np.linspace(0.25, 1.0, 7):
        x, y = ring_xy(angle, radius * float(f))
        out.append(Dot(x, y, size=0.32 * k, color=color))
    return out


class AngleReproductionView(RingView):
    """Two dots on the ring (blue first, yellow second); then turn the dial to each in turn.

    The dial (a hand of dots from fixation) shows the task's ``response``
    channels, i.e. where the player has turned it; it is blue while the first
    angle is to be reproduced (``go1``) and yellow for the second (``go2``).
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k, r = self.k, ECCENTRICITY * self.k
        items: list[Item] = list(response_ring(r, k, state.period in ("go1", "go2")))
        for period, key, color in (("stim1", "ground_truth1", FIRST), ("stim2", "ground_truth2", SECOND)):
            if state.period == period and key in state.trial:
                x, y = ring_xy(float(state.trial[key]), r)
                items.append(Dot(x, y, size=0.9 * k, color=color))
        if state.period in ("go1", "go2"):
            angle = decode_angle(channel(state, self, "response"))
            if angle is not None:
                items += _dial(angle, r, FIRST if state.period == "go1" else SECOND, k)
            items.append(hint("turn the dial to the dot of this colour", k))
        items.append(Dot(0.0, 0.0, size=0.35 * k, color=(255, 255, 255)))
        return items


class ReachingView(RingView):
    """The target (a dot on the ring, while it is shown) and your hand (a dial) that the keys turn.

    Reaching1D shows the target at full brightness; Reaching1DWithSelfDistraction
    shows it faint (0.3 of the hand's input, as in the task) and the hand bright.
    The hand's angle is the task's reaching state (``self`` channels, or the
    task's ``state``).
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k, r = self.k, ECCENTRICITY * self.k
        items: list[Item] = list(response_ring(r, k, state.period == "reach"))
        distracted = "target" not in self.obs_names(state)
        if state.period == "reach" and "ground_truth" in state.trial:
            x, y = ring_xy(float(state.trial["ground_truth"]), r)
            items.append(Dot(x, y, size=0.9 * k, color=(120, 220, 120), opacity=0.45 if distracted else 1.0))
        hand = None if distracted else decode_angle(channel(state, self, "self"))
        if hand is None:
            hand = float(getattr(self.task, "state", np.pi))
        items += _dial(hand, r, (255, 255, 255), k)
        return items


class LineReachView(RingView):
    """ReachingDelayResponse: a target dot on a horizontal line; after the delay, click where it was.

    The line spans the task's target range; the target shows in the stimulus
    period only. A click (the ``go`` part of the action) at a place along the
    line answers with that position.
    """

    half_width = 7.0  # deg, not scaled: input/keymap.py POINTER_LINES maps clicks on it

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.k
        low = float(getattr(self.task, "lowbound", 0.0))
        high = float(getattr(self.task, "highbound", 1.0))
        items: list[Item] = []
        for f in np.linspace(0.0, 1.0, 25):
            items.append(Dot(-self.half_width + 2 * self.half_width * float(f), 0.0, size=0.12 * k, color=(170, 170, 170)))
        if state.period == "stimulus" and "ground_truth" in state.trial:
            f = (float(state.trial["ground_truth"]) - low) / max(high - low, 1e-9)
            items.append(Dot(-self.half_width + 2 * self.half_width * f, 0.0, size=0.9 * k, color=(120, 220, 120)))
        if state.period == "decision":
            items.append(hint("click on the line where the dot was", k, y=-3.0))
        else:
            items.append(Dot(0.0, 2.5 * k, size=0.4 * k, color=(255, 255, 255)))
        return items
