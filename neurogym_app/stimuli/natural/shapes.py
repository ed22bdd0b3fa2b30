"""GoNogo as shapes: a green circle means go, a red square means no-go."""

from __future__ import annotations

from neurogym_app.stimuli.natural.base import NaturalView
from neurogym_app.stimuli.scene import Dot, Item
from neurogym_app.stimuli.views import StepState

__all__ = ["GoNogoView"]

GO_COLOR = (60, 200, 80)
NOGO_COLOR = (225, 60, 50)


class GoNogoView(NaturalView):
    """The stimulus period shows a green circle (go, ``ground_truth == 1``) or a red square (no-go)."""

    size = 3.0  # deg

    def stimulus_items(self, state: StepState) -> list[Item]:
        items: list[Item] = []
        k = self.layout_scale()
        if state.period == "stimulus" and "ground_truth" in state.trial:
            go = int(state.trial["ground_truth"]) == 1
            if go:
                items.append(Dot(0.0, 0.0, size=self.size * k, color=GO_COLOR, shape="circle"))
            else:
                items.append(Dot(0.0, 0.0, size=self.size * 0.85 * k, color=NOGO_COLOR, shape="square"))
        items += self.fixation_items(state)
        return items
