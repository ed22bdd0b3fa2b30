"""DelayMatchSample as oriented gratings."""

from __future__ import annotations

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView
from neurogym_app.stimuli.scene import Item, Patch
from neurogym_app.stimuli.views import StepState

__all__ = ["DelayMatchSampleView", "orientation_of"]


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
