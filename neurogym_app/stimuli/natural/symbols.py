"""Symbols: abstract shapes that stand for stimuli, states and options (no numbers).

``SYMBOLS`` is one fixed list of distinct (shape, colour) pairs; a task's
stimulus ``i`` is always drawn as ``SYMBOLS[i]``, so a person can learn what
each symbol means, as the animals learned arbitrary pictures.

Views: ``PairedAssociationView`` (Pan et al. 2008 / Kim et al.: four
pictures, two associated pairs), ``TwoStepView`` (Daw et al. 2011: a symbol
pair at each stage), ``MatchingPennyView`` (Barraclough et al. 2004: two
targets, the opponent's last choice marked), ``ProbabilisticShapesView``
(Yang & Shadlen 2007: shapes at four places, each a weight of evidence).
"""

from __future__ import annotations

import numpy as np

from neurogym_app.stimuli.natural.base import NaturalView, channel, hint
from neurogym_app.stimuli.scene import Color, Dot, Item
from neurogym_app.stimuli.views import StepState

__all__ = [
    "SYMBOLS",
    "symbol",
    "PairedAssociationView",
    "TwoStepView",
    "MatchingPennyView",
    "ProbabilisticShapesView",
    "ContextSwitchView",
]

_SHAPES = ("circle", "square", "triangle", "diamond")
_COLOURS: tuple[Color, ...] = ((240, 90, 70), (80, 190, 110), (90, 140, 250), (245, 205, 60), (210, 110, 230), (70, 210, 210))
#: (shape, colour) pairs, each distinct in both where possible
SYMBOLS: tuple[tuple[str, Color], ...] = tuple(
    (_SHAPES[i % len(_SHAPES)], _COLOURS[(i + i // len(_SHAPES)) % len(_COLOURS)]) for i in range(24)
)


def symbol(index: int, x: float, y: float, size: float, *, fill: bool = True, opacity: float = 1.0) -> Dot:
    shape, color = SYMBOLS[int(index) % len(SYMBOLS)]
    return Dot(x, y, size=size, color=color, shape=shape, fill=fill, line_width=size * 0.1, opacity=opacity)  # type: ignore[arg-type]


class PairedAssociationView(NaturalView):
    """Two pictures in turn at fixation (each one of four symbols); go when they are an associated pair."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        pair = state.trial.get("pair")
        which = {"stim1": 0, "stim2": 1}.get(state.period or "")
        if pair is not None and which is not None:
            items.append(symbol(int(pair[which]) - 1, 0.0, 0.0, 3.0 * k))
        items += self.fixation_items(state)
        return items


class TwoStepView(NaturalView):
    """Stage 1: two symbols (left and right) to choose between; stage 2: the state reached, a planet.

    The first-stage symbols are always the same two; the second-stage state
    (``state1`` or ``state2`` input) is a large disc of its colour (pink or
    teal) with its own symbol. The reward that state gave is shown after.
    """

    STATE_COLOURS: tuple[Color, ...] = ((235, 120, 170), (60, 190, 180))

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        if state.period == "stage1":
            items += [symbol(12, -4.0 * k, 0.0, 2.4 * k), symbol(13, 4.0 * k, 0.0, 2.4 * k)]
            items.append(hint("choose left or right", k))
        for j, name in enumerate(("state1", "state2")):
            v = channel(state, self, name)
            if state.period == "stage2" and v.size and float(v.max()) > 0.5:
                items.append(Dot(0.0, 0.0, size=6.0 * k, color=self.STATE_COLOURS[j]))
                items.append(symbol(16 + j, 0.0, 0.0, 2.0 * k))
        items += self.fixation_items(state)
        return items


class MatchingPennyView(NaturalView):
    """Two coins (left and right); a ring marks the one the opponent chose last time."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        prev = channel(state, self, "opponent_previous")
        last = int(np.argmax(prev)) if prev.size and float(prev.max()) > 0.5 else None
        items: list[Item] = []
        for j, side in enumerate((-1.0, 1.0)):
            items.append(Dot(side * 4.0 * k, 0.0, size=2.4 * k, color=(235, 195, 70)))
            if last == j:
                items.append(Dot(side * 4.0 * k, 0.0, size=3.2 * k, color=(240, 90, 70), fill=False, line_width=0.15 * k))
        items.append(hint("the red ring: the opponent's last choice", k, y=-4.0))
        return items


class ProbabilisticShapesView(NaturalView):
    """Yang & Shadlen (2007): one shape appears per stimulus period at its place, and they stay on.

    Shape ``s`` of ten is ``SYMBOLS[s]``; each carries a hidden weight of
    evidence for the left or the right target (white discs), learned from feedback.
    """

    places = ((-3.0, 3.0), (3.0, 3.0), (-3.0, -3.0), (3.0, -3.0))

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        trial, period = state.trial, state.period or ""
        items: list[Item] = []
        shown = -1
        if period.startswith("stimulus") and period[8:].isdigit():
            shown = int(period[8:])
        locs, shapes = trial.get("locs") or (), trial.get("shapes") or ()
        for i in range(min(shown + 1, len(locs), len(shapes))):
            x, y = self.places[int(locs[i]) % len(self.places)]
            items.append(symbol(int(shapes[i]), x * k, y * k, 1.8 * k))
        deciding = period == "decision"
        for side in (-1.0, 1.0):  # white: no target shares a colour with a shape
            items.append(Dot(side * 7.0 * k, 0.0, size=1.2 * k, color=(240, 240, 240), fill=deciding, line_width=0.08 * k, opacity=1.0 if deciding else 0.5))
        items += self.fixation_items(state)
        return items


class ContextSwitchView(NaturalView):
    """One of two symbols each turn (its ``stimulus`` input); the key that pays for it follows a hidden rule.

    A self-paced version of the stepped task: each step waits for one key press.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        v = channel(state, self, "stimulus")
        if not v.size:
            return []
        return [symbol(20 + int(np.argmax(v)), 0.0, 0.0, 3.0 * k)]
