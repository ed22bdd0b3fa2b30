"""Quantities drawn as things to count or compare: juice drops, slot machines.

``JuiceOffersView`` (Padoa-Schioppa & Assad 2006): each offer is a column of
drops of its juice's colour (juice A orange, juice B purple), as many drops
as the offer has, on the side it is chosen with. ``SlotMachinesView``
(Wang et al. 2018 meta-RL; the classic two-armed bandit): one slot machine
per arm, the same every trial; what each pays is learned from the feedback.
Counting drops is the task itself (a person, like the monkey, sees how much
is offered), so the view shows counts as drops, never as digits.
"""

from __future__ import annotations

from neurogym_app.stimuli.natural.base import NaturalView, channel, hint
from neurogym_app.stimuli.scene import Color, Dot, Item
from neurogym_app.stimuli.views import StepState

__all__ = ["JuiceOffersView", "SlotMachinesView", "JUICE_COLOURS"]

JUICE_COLOURS: dict[str, Color] = {"a": (255, 160, 40), "b": (170, 100, 230)}
MAX_DROPS = 10


def drops(x: float, n: int, color: Color, k: float) -> list[Item]:
    """``n`` drops stacked in a column centred at ``x``, two per row."""
    items: list[Item] = []
    for i in range(min(int(n), MAX_DROPS)):
        row, col = divmod(i, 2)
        items.append(Dot(x + (col - 0.5) * 0.9 * k, (-3.0 + row * 0.9) * k, size=0.7 * k, color=color))
    return items


class JuiceOffersView(NaturalView):
    """Two offers (left = option 1, right = option 2), each drops of juice A (orange) or B (purple)."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        for side, j in ((-1.0, 1), (1.0, 2)):
            a, n = channel(state, self, f"a{j}"), channel(state, self, f"n{j}")
            b = channel(state, self, f"b{j}")
            if not (a.size and b.size and n.size) or max(float(a[0]), float(b[0])) < 0.5:
                continue
            juice = "a" if float(a[0]) > float(b[0]) else "b"
            count = int(round(float(n[0]) * 5))
            items += drops(side * 4.0 * k, count, JUICE_COLOURS[juice], k)
            items.append(Dot(side * 4.0 * k, -4.2 * k, size=1.2 * k, color=(220, 220, 220), shape="square", fill=False, line_width=0.06 * k))
        if state.period == "decision":
            items.append(hint("choose the left or the right offer", k))
        items += self.fixation_items(state)
        return items


class SlotMachinesView(NaturalView):
    """One slot machine per arm, side by side; choose one each trial and learn which pays more often."""

    COLOURS: tuple[Color, ...] = ((230, 80, 70), (70, 140, 240), (80, 190, 110), (240, 200, 50), (200, 100, 220))

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        n = int(getattr(self.task, "n", 2) or 2)
        items: list[Item] = []
        spacing = min(5.0, 16.0 / max(n, 1))
        for j in range(n):
            x = (-(n - 1) / 2 + j) * spacing * k
            color = self.COLOURS[j % len(self.COLOURS)]
            items.append(Dot(x, 0.0, size=3.2 * k, color=color, shape="square"))
            items.append(Dot(x, 0.0, size=2.0 * k, color=(245, 245, 245), shape="square"))
            items.append(Dot(x, 0.0, size=1.0 * k, color=color, shape="diamond"))
            items.append(Dot(x + 2.0 * k, 1.2 * k, size=0.6 * k, color=(200, 200, 200)))  # the lever's knob
        return items
