"""ReadySetGo as two flashes: "ready" on the left, "set" on the right."""

from __future__ import annotations

from neurogym_app.stimuli.natural.base import NaturalView
from neurogym_app.stimuli.scene import Dot, Item
from neurogym_app.stimuli.views import StepState

__all__ = ["ReadySetGoView"]


class ReadySetGoView(NaturalView):
    """A white disc flashes left of fixation at "ready" and right of it at "set".

    The fixation point goes off when the production period starts: respond
    when the time since "set" matches the ready-set interval (times the gain).
    """

    eccentricity = 5.0
    size = 1.6

    def stimulus_items(self, state: StepState) -> list[Item]:
        items: list[Item] = []
        k = self.layout_scale()
        for name, side, color in (("ready", -1.0, (255, 255, 255)), ("set", 1.0, (255, 255, 255))):
            # the flash is on while its period is current (periods overlap: measure starts with ready)
            on = state.period == name
            items.append(Dot(side * self.eccentricity * k, 0.0, size=self.size * k, color=color, fill=on, line_width=0.06 * k, opacity=1.0 if on else 0.35))
        items += self.fixation_items(state)
        return items
