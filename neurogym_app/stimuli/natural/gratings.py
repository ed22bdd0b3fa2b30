"""Oriented gratings: match-to-sample tasks, the IBL side grating, centre-surround motion."""

from __future__ import annotations

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView
from neurogym_app.stimuli.scene import Dot, FixationPoint, Item, Patch
from neurogym_app.stimuli.views import StepState

__all__ = ["DelayMatchSampleView", "DistractorMatchView", "DualMatchView", "SideGratingView", "SuppressMotionView", "orientation_of"]


def orientation_of(theta: float) -> float:
    """Grating orientation (deg) for a ring direction ``theta`` (rad): half the angle.

    A grating repeats every 180 deg, so the direction is halved: the opposite
    direction (a non-match) becomes the orthogonal orientation.
    """
    return float(np.degrees(theta) / 2.0) % 180.0


class DelayMatchSampleView(NaturalView):
    """Sample and test are Gabor-like gratings; orientation = ``theta / 2`` (see ``orientation_of``)."""

    size = 5.0  # deg
    sf = 1.0  # cycles/deg
    contrast = 0.9

    def stimulus_items(self, state: StepState) -> list[Item]:
        items: list[Item] = []
        k = self.layout_scale()
        key = {"sample": "sample_theta", "test": "test_theta"}.get(state.period or "")
        if key is not None and key in state.trial:
            ori = orientation_of(float(state.trial[key]))
            items.append(Patch(0.0, 0.0, size=self.size * k, contrast=self.contrast, sf=self.sf / k, orientation=ori, mask="gauss"))
        items += self.fixation_items(state, shape="dot", color=(255, 60, 60))
        return items


class DistractorMatchView(NaturalView):
    """DelayMatchSampleDistractor1D: the sample and each test are gratings at fixation.

    Orientation ``theta / 2`` as in ``DelayMatchSampleView``; press when a test
    has the sample's orientation (the non-matching tests are distractors).
    """

    size = 5.0
    sf = 1.0
    contrast = 0.9
    stimulus_keys = {"sample": "sample", "test1": "test1", "test2": "test2", "test3": "test3"}

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        key = self.stimulus_keys.get(state.period or "")
        if key is not None and key in state.trial:
            ori = orientation_of(float(state.trial[key]))
            items.append(Patch(0.0, 0.0, size=self.size * k, contrast=self.contrast, sf=self.sf / k, orientation=ori, mask="gauss"))
        items.append(Dot(0.0, 0.0, size=0.3 * k, color=(255, 60, 60)))
        return items


class DualMatchView(NaturalView):
    """DualDelayMatchSample: two gratings (left = item 1, right = item 2), a cue, then a test.

    Each sample is one of two directions, drawn as a vertical or horizontal
    grating (``theta / 2``). The cue is a yellow ring around the place of the
    item tested next; the test grating appears there.
    """

    size = 3.6
    offset = 4.0
    sf = 1.0

    def _grating(self, value: float, side: float, k: float) -> Patch:
        ori = orientation_of(2 * np.pi * float(value))
        return Patch(side * self.offset * k, 0.0, size=self.size * k, contrast=0.9, sf=self.sf / k, orientation=ori, mask="gauss")

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        trial, period = state.trial, state.period or ""
        items: list[Item] = [Dot(s * self.offset * k, 0.0, size=self.size * k, color=(150, 150, 150), fill=False, line_width=0.04 * k) for s in (-1, 1)]
        order = int(trial.get("test_order", 0))
        first_item = 1 if order == 0 else 2
        tested = {"cue1": first_item, "test1": first_item, "cue2": 3 - first_item, "test2": 3 - first_item}.get(period)
        if period == "sample":
            items += [self._grating(trial.get("sample1", 0.0), -1, k), self._grating(trial.get("sample2", 0.0), 1, k)]
        elif period.startswith("test") and tested is not None and period in trial:
            items.append(self._grating(trial[period], -1 if tested == 1 else 1, k))
        if period.startswith("cue") and tested is not None:
            side = -1 if tested == 1 else 1
            items.append(Dot(side * self.offset * k, 0.0, size=(self.size + 0.4) * k, color=(255, 220, 80), fill=False, line_width=0.2 * k))
        items.append(Dot(0.0, 0.0, size=0.3 * k, color=(255, 60, 60)))
        return items


class SideGratingView(NaturalView):
    """IBL: a grating appears left or right of fixation; its contrast is the trial's ``coh`` %.

    The two inputs are ``0.5 +- coh/200``: the grating is drawn on the side
    whose input is larger, at contrast ``coh / 100`` (so a 0 % trial shows no
    grating at all, as in the IBL task's zero-contrast trials).
    """

    offset = 6.0
    size = 4.0
    sf = 0.8

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        coh = float(state.trial.get("coh", 0.0) or 0.0)
        if coh > 0 and "ground_truth" in state.trial:
            side = -1.0 if int(state.trial["ground_truth"]) == 0 else 1.0
            items.append(Patch(side * self.offset * k, 0.0, size=self.size * k, contrast=min(1.0, coh / 100.0), sf=self.sf / k, mask="gauss"))
        items.append(FixationPoint(0.0, 0.0, size=0.5 * k))
        return items


class SuppressMotionView(NaturalView):
    """SpatialSuppressMotion (Tadin et al. 2003): a drifting grating of the trial's contrast and size.

    Direction 0-7 (45 deg steps); diameter index picks the aperture size.
    """

    sf = 1.0
    speed = 4.0  # deg/s
    diameters = (1.0, 2.0, 4.0, 8.0)

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        trial = state.trial
        items: list[Item] = []
        if "direction" in trial:
            direction = float(trial["direction"]) * 45.0
            d = self.diameters[int(trial.get("diameter", 0)) % len(self.diameters)]
            phase = (state.t_ms / 1000.0) * self.speed * self.sf
            items.append(Patch(0.0, 0.0, size=d * k, contrast=float(trial.get("contrast", 0.5)), sf=self.sf / k,
                               orientation=direction, phase=-phase, mask="raisedcos"))
        return items
