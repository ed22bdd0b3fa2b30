"""The generic natural view: any task's channels as visual features, never as numbers.

For a task without a view of its own (a user's task in ``envs/``) the
channels are drawn the way the agent view lays them out (``channel_plan``),
but as a person would see a stimulus: the fixation input as a cross shown
while it is on, ring-coded channels as patches around a ring whose
contrast is each unit's value, scalar channels as discs in a row whose
brightness is the value (darker than the background below 0), discrete
observations as symbols, pixel observations as the image. No labels and no
numbers are written; which key does what is in the caption.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurogym_app.stimuli.natural.symbols import symbol
from neurogym_app.stimuli.scene import Dot, FixationPoint, Item, Patch, Ring
from neurogym_app.stimuli.views import AgentView

__all__ = ["GenericView"]


class GenericView(AgentView):
    """Channels as luminance, position and ring patches; ``kind = "generic"``."""

    kind = "generic"

    def __init__(self, env: Any = None, geometry: Any = None, **kwargs: Any) -> None:
        kwargs.pop("show_values", None)
        super().__init__(env, geometry, show_values=False, fixation_mode="threshold", **kwargs)

    def _vector_items(self, ob: np.ndarray) -> list[Item]:
        lo, hi = self.vrange
        items: list[Item] = []
        for g, cx, cy, radius, patch, _text, _numbers in self._layout["rings"]:
            values = tuple(float(np.clip(ob[i], 0.0, hi)) if np.isfinite(ob[i]) else 0.0 for i in g.indices)
            items.append(Ring(values, x=cx, y=cy, radius=radius, patch_size=patch, mask="gauss"))
        for g, cx, cy, w, _h, _text in self._layout["bars"]:
            v = float(ob[g.indices[0]])
            contrast = float(np.clip(v / max(abs(hi), abs(lo), 1e-9), -1.0, 1.0)) if np.isfinite(v) else 0.0
            size = max(w * 2.2, 0.6 * self._k)
            items.append(Dot(cx, cy, size=size, color=(90, 90, 90), fill=False, line_width=0.03 * self._k))
            items.append(Patch(cx, cy, size=size, contrast=contrast, mask="circle"))
        for g in self._plan:
            if g.kind == "fixation" and float(ob[g.indices[0]]) > 0.5:
                items.append(FixationPoint(0.0, 0.0, size=0.6 * self._k))
        return items

    def _symbol_items(self, values: np.ndarray) -> list[Item]:
        k = self._k
        n = len(values)
        spacing = min(3.0, 16.0 / max(n, 1)) * k
        return [symbol(int(v), (-(n - 1) / 2 + j) * spacing, 0.0, min(2.0, spacing * 0.7)) for j, v in enumerate(values)]
