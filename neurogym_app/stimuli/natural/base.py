"""Shared pieces of the natural views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from neurogym_app.stimuli.scene import Color, Dot, FixationPoint, Item, Text
from neurogym_app.stimuli.views import StepState, View

__all__ = ["NaturalView", "target_items"]


class NaturalView(View):
    """A task's lab picture. The fixation point is shown while the fixation input is on (> 0.5)."""

    kind = "natural"
    fixation_size = 0.5

    def fixation_items(self, state: StepState, shape: str = "cross", color: Color = (255, 255, 255)) -> list[Item]:
        value = self.fixation_value(state)
        if value is None or not value > 0.5:
            return []
        k = self.layout_scale()
        return [FixationPoint(0.0, 0.0, size=self.fixation_size * k, shape=shape, color=color)]  # type: ignore[arg-type]

    @staticmethod
    def seed(state: StepState) -> int:
        return int(state.trial.get("trial_seed", 0) or 0)

    def task_attr(self, name: str, default: Any = None) -> Any:
        return getattr(self.task, name, default)

    def action_labels(self) -> dict[int, str]:
        meta = getattr(self.task, "metadata", None) or {}
        labels = meta.get("action_labels") or {}
        return {int(k): str(v) for k, v in labels.items()}


def target_items(
    angles: Sequence[float],
    *,
    eccentricity: float,
    size: float,
    colors: Sequence[Color] | None = None,
    labels: Sequence[str] | None = None,
    active: bool = False,
    text_size: float = 0.4,
) -> list[Item]:
    """Response targets on a circle of ``eccentricity`` at ``angles`` (radians).

    Dim outlines while inactive, filled during the response period.
    """
    items: list[Item] = []
    for j, a in enumerate(angles):
        x, y = eccentricity * float(np.cos(a)), eccentricity * float(np.sin(a))
        color = colors[j] if colors else (210, 210, 210)
        items.append(Dot(x, y, size=size, color=color, fill=active, line_width=size * 0.12, opacity=1.0 if active else 0.6))
        if labels and j < len(labels) and labels[j]:
            items.append(Text(labels[j], x, y - size * 0.6 - text_size * 0.9, size=text_size, color=(200, 200, 200)))
    return items


def trial_value(trial: Mapping[str, Any], key: str, default: Any = None) -> Any:
    value = trial.get(key, default)
    return default if value is None else value
