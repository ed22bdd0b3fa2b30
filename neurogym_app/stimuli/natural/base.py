"""Shared pieces of the natural views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from neurogym_app.stimuli.scene import Color, Dot, FixationPoint, Item, Text
from neurogym_app.stimuli.views import StepState, View

__all__ = ["NaturalView", "target_items", "trial_value", "ring_xy", "decode_angle", "channel", "channel_on", "period_ms", "tone_key", "response_ring", "hint"]


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


# ------------------------------------------------------------ shared by families
def ring_xy(angle: float, radius: float) -> tuple[float, float]:
    """The point at ``angle`` (radians, 0 = right, counter-clockwise) ``radius`` from the centre."""
    return radius * float(np.cos(angle)), radius * float(np.sin(angle))


def decode_angle(values: Any) -> float | None:
    """The direction a ring of cosine-tuned units points to (population vector), or None when flat.

    Unit ``k`` of ``n`` prefers ``2 pi k / n``.
    """
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.size < 2 or not np.all(np.isfinite(v)):
        return None
    angles = np.arange(v.size) * 2 * np.pi / v.size
    w = v - v.min()
    x, y = float(np.sum(w * np.cos(angles))), float(np.sum(w * np.sin(angles)))
    if x * x + y * y < 1e-12:
        return None
    return float(np.arctan2(y, x) % (2 * np.pi))


def channel(state: StepState, view: View, name: str) -> np.ndarray:
    """The observation values of channel ``name`` (empty when the task has no such channel)."""
    idx = view.obs_names(state).get(name)
    if idx is None:
        return np.zeros(0)
    ob = np.asarray(state.ob, dtype=float).reshape(-1)
    return ob[np.atleast_1d(np.asarray(idx, dtype=int))]


def channel_on(state: StepState, view: View, name: str, threshold: float = 0.5) -> bool:
    """True while channel ``name`` (its largest unit) is above ``threshold``."""
    v = channel(state, view, name)
    return bool(v.size and np.nanmax(v) > threshold)


def period_ms(task: Any, name: str) -> float:
    """Duration of period ``name`` of the task's current trial, in ms (0 when it has none)."""
    start, end = getattr(task, "start_ind", {}).get(name), getattr(task, "end_ind", {}).get(name)
    if start is None or end is None:
        return 0.0
    return max(0.0, (end - start) * float(getattr(task, "dt", 0.0)))


def tone_key(state: StepState, what: str) -> str:
    """A key naming one sound event of the trial (see ``Tone.key``)."""
    return f"{int(state.trial.get('trial_seed', 0) or 0)}:{what}"


def response_ring(radius: float, k: float, active: bool) -> list[Item]:
    """The circle a ring task is answered on (click where it points); brighter while answering."""
    color = (230, 230, 230) if active else (110, 110, 110)
    return [Dot(0.0, 0.0, size=2 * radius, color=color, fill=False, line_width=(0.08 if active else 0.04) * k)]


def hint(text: str, k: float, y: float = -6.6) -> Text:
    """A short line of words under the stimulus (never a number: see ``test_natural_views``)."""
    return Text(text, 0.0, y * k, size=0.45 * k, color=(225, 225, 225))
