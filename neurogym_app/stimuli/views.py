"""Views: turn the state of a task at one frame into a Scene (pure: numpy only).

Two kinds of view exist for every task:

* the **agent view** (``AgentView``), built from the task's named observation
  channels, shows exactly the numbers the agent receives, noise included:
  the fixation input as a fixation point whose brightness is its value,
  ring-coded inputs as patches on a ring whose contrast is each value, other
  inputs as labelled bars, discrete observations as symbols and pixel
  observations as an image;
* a **natural view**, registered per task class (``register_view``), draws what
  a person in the lab would see (random dots, gratings, shapes, flashes)
  from the same trial variables that made the observation. Tasks without one
  get the generic natural view (``GenericView``: channels as luminance,
  position and ring patches, no numbers); ``view.kind`` says which you got
  (``"natural"``, ``"generic"`` or ``"agent"``) and the manifest records it.

The runner fills a ``StepState`` every frame and calls ``view.scene(state)``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurogym_app.stimuli.catalogue import NATURAL_VIEWS
from neurogym_app.stimuli.scene import (
    CAPTION_PX,
    GREY,
    Bar,
    Color,
    Dot,
    FixationPoint,
    Geometry,
    Image,
    Item,
    Ring,
    Scene,
    Text,
    to_color,
)

__all__ = [
    "StepState",
    "View",
    "AgentView",
    "make_view",
    "drawn_view_kind",
    "VIEW_KINDS",
    "register_view",
    "registered_views",
    "unregister_view",
    "feedback_scene",
    "instruction_scene",
    "key_caption",
    "FEEDBACK_STYLES",
    "channel_plan",
    "representative_step",
    "stimulus_picture",
]

FEEDBACK_STYLES: dict[str, tuple[str, Color]] = {
    "correct": ("Correct", (70, 200, 90)),
    "wrong": ("Wrong", (230, 70, 60)),
    "too early": ("Too early", (240, 160, 40)),
    "too late": ("Too late", (240, 160, 40)),
    "abort": ("Trial aborted", (240, 160, 40)),
    "miss": ("Missed", (240, 160, 40)),
}


@dataclass(frozen=True)
class StepState:
    """What a view needs to draw one frame; the runner fills it each frame.

    Attributes:
        ob: the observation of the current step (what the agent receives).
        trial: the trial's variables (``env.trial``; includes ``trial_seed``).
        period: the current period name (``env.current_period``) or None.
        t_ms: time since the start of the trial, in ms (``env.t`` plus the
            time elapsed within the step, for smooth motion).
        frame_s: the frame's time on the runner clock (s).
        feedback: None, or an outcome to show instead of the stimulus:
            ``"correct"``, ``"wrong"``, ``"too early"``, ``"too late"``, ``"abort"``.
        action_space_names: the action space's ``name`` mapping, if any.
        obs_space_names: the observation space's ``name`` mapping, if any
            (defaults to the env's when the view was made from an env).
    """

    ob: np.ndarray
    trial: Mapping[str, Any] = field(default_factory=dict)
    period: str | None = None
    t_ms: float = 0.0
    frame_s: float = 0.0
    feedback: str | None = None
    action_space_names: Mapping[str, Any] | None = None
    obs_space_names: Mapping[str, Any] | None = None


# ---------------------------------------------------------------- helper scenes
def feedback_scene(
    outcome: str,
    *,
    reward: float | None = None,
    background: Any = GREY,
    units: str = "deg",
    caption: str | None = None,
    text_size: float = 1.0,
    pix_per_deg: float = 36.0,
) -> Scene:
    """A frame telling the player how the trial went (``"correct"``, ``"wrong"``, ...).

    Sizes are in degrees; with ``units="pix"`` they are converted with ``pix_per_deg``.
    """
    label, color = FEEDBACK_STYLES.get(outcome, (str(outcome).capitalize(), (230, 230, 230)))
    scale = 1.0 if units == "deg" else float(pix_per_deg)
    items: list[Item] = [Text(label, 0.0, 0.0, size=text_size * scale, color=color, bold=True)]
    if reward is not None:
        items.append(Text(f"reward {reward:+g}", 0.0, -1.6 * text_size * scale, size=0.5 * text_size * scale, color=(220, 220, 220)))
    return Scene(tuple(items), background=to_color(background), units=units, caption=caption)  # type: ignore[arg-type]


def instruction_scene(
    text: str,
    *,
    title: str | None = None,
    caption: str | None = "Press space to start",
    background: Any = GREY,
    units: str = "deg",
    text_size: float = 0.55,
    pix_per_deg: float = 36.0,
) -> Scene:
    """A frame of instructions (several lines), with an optional title and caption."""
    scale = 1.0 if units == "deg" else float(pix_per_deg)
    items: list[Item] = []
    lines = text.strip("\n").split("\n")
    height = len(lines) * text_size * 1.3 * scale
    y = height / 2
    if title:
        items.append(Text(title, 0.0, y + 1.2 * text_size * scale, size=1.5 * text_size * scale, bold=True))
    items.append(Text("\n".join(lines), 0.0, 0.0, size=text_size * scale))
    return Scene(tuple(items), background=to_color(background), units=units, caption=caption)  # type: ignore[arg-type]


_KEY_DISPLAY = {
    "left": "Left arrow",
    "right": "Right arrow",
    "up": "Up arrow",
    "down": "Down arrow",
    "space": "Space",
    "return": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "backspace": "Backspace",
}


def key_caption(keys: Mapping[str, Any], labels: Mapping[Any, str] | None = None, separator: str = "     ") -> str:
    """A caption line from a key map: ``{"left": ["f"], "right": "j"}`` -> ``"F = left     J = right"``.

    ``labels`` renames actions (e.g. a task's ``metadata["action_labels"]``).
    """
    parts = []
    for action, names in keys.items():
        if isinstance(names, str):
            names = [names]
        shown = " / ".join(_KEY_DISPLAY.get(str(k), str(k).upper() if len(str(k)) == 1 else str(k)) for k in names)
        label = (labels or {}).get(action, action)
        parts.append(f"{shown} = {label}")
    return separator.join(parts)


# ------------------------------------------------------------------------- views
class View:
    """Base class: ``scene(state) -> Scene``.

    Subclasses implement ``stimulus_scene(state)``; ``scene`` shows
    ``feedback_scene`` instead while ``state.feedback`` is set and adds the
    caption (e.g. the key map) to every frame.
    """

    kind = "agent"
    #: where the arrow keys aim on a ring (``input.keymap.RingAim``), set by the runtime; views that
    #: draw no ring ignore it
    aim: Any = None

    def __init__(
        self,
        env: Any = None,
        geometry: Geometry | None = None,
        *,
        caption: str | None = None,
        background: Any = None,
        units: str = "deg",
    ) -> None:
        self.env = env
        self.task = env.unwrapped if env is not None and hasattr(env, "unwrapped") else env
        self.geometry = geometry or Geometry()
        self.caption = caption
        self.background: Color = to_color(background) if background is not None else GREY
        self.units = units

    def scene(self, state: StepState) -> Scene:
        if state.feedback:
            return feedback_scene(
                state.feedback, background=self.background, units=self.units, caption=self.caption,
                pix_per_deg=self.geometry.pix_per_deg,
            )
        items = tuple(self.stimulus_items(state))
        return Scene(items, background=self.background, units=self.units, caption=self.caption)  # type: ignore[arg-type]

    def stimulus_items(self, state: StepState) -> Sequence[Item]:
        raise NotImplementedError

    # helpers for subclasses
    def obs_names(self, state: StepState | None = None) -> dict[str, Any]:
        if state is not None and state.obs_space_names:
            return dict(state.obs_space_names)
        space = getattr(self.task, "observation_space", None)
        return dict(getattr(space, "name", None) or {})

    def fixation_value(self, state: StepState) -> float | None:
        """The fixation input's value, or None if the task has none."""
        names = self.obs_names(state)
        idx = names.get("fixation")
        if idx is None:
            return None
        if isinstance(idx, list):
            idx = idx[0]
        ob = np.asarray(state.ob).reshape(-1)
        return float(ob[idx]) if idx < ob.size else None

    def layout_scale(self, half_width: float = 9.5, half_height: float = 8.0) -> float:
        """Factor (<= 1) shrinking a layout designed for ``+-half_width x +-half_height`` deg to fit."""
        hw, hh = self.geometry.extent(self.units)
        return float(min(1.0, hw / half_width, (hh - 0.7) / half_height))


_GROUP_RE = re.compile(r"^(?P<pre>[A-Za-z_]*?)(?P<k>\d+)(?P<post>_[A-Za-z0-9_]*)?$")

_SYMBOL_SHAPES = ("circle", "square", "triangle", "diamond")
_SYMBOL_COLORS: tuple[Color, ...] = (
    (240, 240, 240),
    (230, 80, 60),
    (70, 190, 90),
    (70, 130, 240),
    (240, 200, 40),
    (200, 90, 220),
    (60, 210, 210),
    (240, 140, 40),
)


@dataclass(frozen=True)
class _Group:
    kind: str  # "fixation" | "ring" | "bar"
    label: str
    indices: tuple[int, ...]


def channel_plan(names: Mapping[str, Any] | None, size: int) -> list[_Group]:
    """How the agent view shows a flat observation of ``size`` channels.

    ``fixation`` -> fixation point; a name with >= 2 indices, or scalar names
    numbered alike (``stim1_mod1, stim2_mod1`` -> ``stim_mod1``) -> a ring;
    other named channels -> bars; channels no name covers -> bars ``#i``.
    """
    names = dict(names or {})
    claimed: set[int] = set()
    plan: list[_Group] = []

    def claim(kind: str, label: str, idx: Sequence[int]) -> None:
        free = tuple(i for i in idx if 0 <= i < size and i not in claimed)
        if free:
            claimed.update(free)
            plan.append(_Group(kind, label, free))

    fix = names.pop("fixation", None)
    if fix is not None:
        idx = [fix] if isinstance(fix, int) else list(fix)
        claim("fixation", "fixation", idx[:1])
        if len(idx) > 1:
            claim("bar", "fixation", idx[1:])
    # multi-index names: rings
    for name, idx in names.items():
        if not isinstance(idx, int) and len(idx) >= 2:
            claim("ring", name, idx)
    # numbered scalar names: rings
    buckets: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for name, idx in names.items():
        if isinstance(idx, int):
            m = _GROUP_RE.match(name)
            if m:
                key = (m.group("pre").rstrip("_"), m.group("post") or "")
                buckets.setdefault(key, []).append((int(m.group("k")), idx, name))
    grouped: set[str] = set()
    for (pre, post), members in buckets.items():
        if len(members) >= 2:
            members.sort()
            claim("ring", f"{pre}{post}" or "ring", [i for _, i, _ in members])
            grouped.update(n for _, _, n in members)
    for name, idx in names.items():
        if isinstance(idx, int) and name not in grouped:
            claim("bar", name, [idx])
    for i in range(size):
        if i not in claimed:
            claim("bar", f"#{i}", [i])
    return plan


class AgentView(View):
    """Every task's default view: exactly the numbers the agent receives.

    Options: ``fixation_mode`` ``"brightness"`` (fixation point opacity = the
    input's value, the default) or ``"threshold"`` (shown when > 0.5);
    ``show_values`` writes each number under its patch/bar; ``vrange`` is the
    range of the bars and the clip of the patches' contrast.
    """

    kind = "agent"

    def __init__(
        self,
        env: Any = None,
        geometry: Geometry | None = None,
        *,
        observation_space: Any = None,
        fixation_mode: str = "brightness",
        show_values: bool = True,
        vrange: tuple[float, float] = (-1.0, 1.0),
        **kwargs: Any,
    ) -> None:
        super().__init__(env, geometry, **kwargs)
        space = observation_space if observation_space is not None else getattr(self.task, "observation_space", None)
        if space is None:
            raise ValueError("AgentView needs an env or an observation_space")
        self.space = space
        self.fixation_mode = fixation_mode
        self.show_values = show_values
        self.vrange = vrange
        self.mode, self._plan = self._make_plan(space)
        self._k = self.layout_scale()
        self._layout = self._make_layout()

    # ------------------------------------------------------------------ plan
    @staticmethod
    def _space_kind(space: Any) -> str:
        cls = type(space).__name__
        shape = tuple(getattr(space, "shape", ()) or ())
        if cls == "Discrete":
            return "discrete"
        if cls == "MultiDiscrete" or cls == "MultiBinary":
            return "multidiscrete"
        if len(shape) == 3 and shape[2] in (1, 3, 4) and min(shape[:2]) >= 8:
            return "image"
        if len(shape) == 2 and min(shape) >= 8 and not getattr(space, "name", None):
            return "image"
        return "vector"

    def _make_plan(self, space: Any) -> tuple[str, list[_Group]]:
        mode = self._space_kind(space)
        if mode != "vector":
            return mode, []
        size = int(np.prod(space.shape)) if getattr(space, "shape", None) else 1
        return mode, channel_plan(getattr(space, "name", None), size)

    def _make_layout(self) -> dict[str, Any]:
        """Positions and sizes of the rings and bars, scaled to fit the screen.

        Designed in degrees around the fixation point at (0, 0), then shrunk
        (never grown) so that everything, labels included, fits above the caption.
        """
        rings = [g for g in self._plan if g.kind == "ring"]
        bars = [g for g in self._plan if g.kind == "bar"]
        text = 0.38
        ring_rows: list[tuple[Any, ...]] = []
        bar_rows: list[tuple[Any, ...]] = []
        top = 0.5
        bottom = 0.5
        half_w = 0.5
        if rings:
            n_r = len(rings)
            spacing = 18.0 / n_r
            radius = min(3.2, spacing * 0.3)
            n_max = max(len(g.indices) for g in rings)
            patch = min(1.3, radius * 0.55, 2 * np.pi * radius / n_max * 0.6)
            # the numbers go inside the ring, one per unit, where they fit between the units
            inner = radius - patch / 2 - text * 1.4
            numbers = self.show_values and inner >= 2.2 * text and 2 * np.pi * inner / n_max >= 3.2 * text
            for j, g in enumerate(rings):
                cx = -9.0 + spacing * (j + 0.5)
                ring_rows.append((g, cx, 0.0, radius, patch, text, numbers))
            top = radius + patch / 2 + text * 2.3
            bottom = radius + patch / 2 + 0.2
            half_w = 9.0 - spacing / 2 + radius + patch / 2
        if bars:
            bar_h, max_step = (2.4, 1.3) if rings else (4.0, 2.0)
            n_b = len(bars)
            width_each = min(max_step, 18.0 / n_b)
            bar_w = width_each * 0.45
            longest = max(max(len(g.label) for g in bars), 5 if self.show_values else 1)
            bar_text = min(0.5, width_each * 0.9 / (0.62 * longest))
            bar_top = bottom + 0.6 if rings else 1.4
            cy = -(bar_top + bar_h / 2)
            for j, g in enumerate(bars):
                cx = (-(n_b - 1) / 2 + j) * width_each
                bar_rows.append((g, cx, cy, bar_w, bar_h, bar_text))
            bottom = bar_top + bar_h + bar_text * (2.6 if self.show_values else 1.5)
            half_w = max(half_w, n_b * width_each / 2)
        # fit: the caption takes the bottom ~2 text lines of pixels
        hw, hh = self.geometry.extent(self.units)
        caption = CAPTION_PX * 2.4 / self.geometry.scale(self.units)
        k = min(1.0, (hw - 0.2) / max(half_w, 1e-9), (hh - 0.2) / max(top, 1e-9), (hh - caption) / max(bottom, 1e-9))
        k = max(k, 0.05)
        self._k = k
        layout: dict[str, Any] = {
            "rings": [(g, cx * k, cy * k, r * k, p * k, t * k, num) for g, cx, cy, r, p, t, num in ring_rows],
            "bars": [(g, cx * k, cy * k, w * k, h * k, t * k) for g, cx, cy, w, h, t in bar_rows],
        }
        return layout

    # --------------------------------------------------------------- drawing
    def stimulus_items(self, state: StepState) -> list[Item]:
        ob = np.asarray(state.ob)
        if self.mode == "image":
            return self._image_items(ob)
        if self.mode == "discrete":
            return self._symbol_items(np.atleast_1d(ob).reshape(-1)[:1])
        if self.mode == "multidiscrete":
            return self._symbol_items(np.asarray(ob).reshape(-1))
        return self._vector_items(ob.reshape(-1).astype(float, copy=False))

    def _vector_items(self, ob: np.ndarray) -> list[Item]:
        k = self._k
        lo, hi = self.vrange
        items: list[Item] = []
        for g, cx, cy, radius, patch, text, numbers in self._layout["rings"]:
            values = tuple(float(np.clip(ob[i], lo, hi)) if np.isfinite(ob[i]) else 0.0 for i in g.indices)
            labels = tuple(f"{ob[i]:.2f}" for i in g.indices) if numbers else None
            items.append(Ring(values, x=cx, y=cy, radius=radius, patch_size=patch, label=g.label, unit_labels=labels, text_size=text))
        for g, cx, cy, w, h, text in self._layout["bars"]:
            v = float(ob[g.indices[0]])
            items.append(Bar(cx, cy, value=v, width=w, height=h, vmin=lo, vmax=hi, label=g.label, show_value=self.show_values, text_size=text))
        for g in self._plan:
            if g.kind == "fixation":
                v = float(ob[g.indices[0]])
                if self.fixation_mode == "threshold":
                    opacity = 1.0 if v > 0.5 else 0.0
                else:
                    opacity = float(np.clip(v, 0.0, 1.0)) if np.isfinite(v) else 0.0
                if opacity > 0:
                    items.append(FixationPoint(0.0, 0.0, size=0.6 * k, opacity=opacity))
        return items

    def _image_items(self, ob: np.ndarray) -> list[Item]:
        hw, hh = self.geometry.extent(self.units)
        h, w = ob.shape[:2]
        width = min(2 * hw * 0.85, (2 * hh - 1.6) * 0.85 * w / max(h, 1), 16.0)
        data = ob
        if ob.dtype != np.uint8:
            high = np.asarray(getattr(self.space, "high", 1.0), dtype=float)
            top = float(np.nanmax(high)) if high.size and np.all(np.isfinite(high)) else float(np.nanmax(ob) or 1.0)
            data = np.clip(ob.astype(float) / (top if top > 0 else 1.0), 0.0, 1.0)
        return [Image(data, 0.0, 0.0, width=float(width), smooth=False)]

    def _symbol_items(self, values: np.ndarray) -> list[Item]:
        k = self._k
        items: list[Item] = []
        n = len(values)
        spacing = min(3.0, 16.0 / max(n, 1)) * k
        for j, v in enumerate(values):
            v = int(v)
            x = (-(n - 1) / 2 + j) * spacing
            shape = _SYMBOL_SHAPES[v % len(_SYMBOL_SHAPES)]
            color = _SYMBOL_COLORS[(v // len(_SYMBOL_SHAPES) + v) % len(_SYMBOL_COLORS)]
            items.append(Dot(x, 0.4 * k, size=min(2.0, spacing * 0.7), color=color, shape=shape))  # type: ignore[arg-type]
            items.append(Text(str(v), x, -1.2 * k, size=0.6 * k))
        return items


# --------------------------------------------------------------------- registry
ViewFactory = Callable[..., View]

_VIEWS: dict[str, dict[str, ViewFactory | str]] = {"natural": dict(NATURAL_VIEWS), "agent": {}}

#: the view kinds a frame can be drawn with (``view.kind``; the manifest's ``view``)
VIEW_KINDS = ("natural", "generic", "agent")


def register_view(task_class_name: str, factory: ViewFactory | str, kind: str = "natural") -> None:
    """Register a view for a task class (by its class name; subclasses inherit it).

    ``factory(env, geometry=..., **options) -> View``, or a ``"module:attr"``
    string imported on first use. ``kind="agent"`` replaces the agent view of
    that task. A natural view's class sets ``kind = "natural"`` (subclass
    ``neurogym_app.stimuli.natural.base.NaturalView``); see
    docs/CONTRIBUTING-TASKS.md, "A natural view for your task".
    """
    if kind not in _VIEWS:
        raise ValueError(f"unknown view kind {kind!r}; use 'agent' or 'natural'")
    _VIEWS[kind][task_class_name] = factory


def unregister_view(task_class_name: str, kind: str = "natural") -> ViewFactory | str | None:
    """Remove the view registered for a task class; returns it (None if there was none), so it can
    be registered again. A task class without a natural view gets the generic number-free view."""
    if kind not in _VIEWS:
        raise ValueError(f"unknown view kind {kind!r}; use 'agent' or 'natural'")
    return _VIEWS[kind].pop(task_class_name, None)


def registered_views(kind: str = "natural") -> dict[str, ViewFactory | str]:
    """Task class name -> view factory, for one kind."""
    return dict(_VIEWS[kind])


def _load(factory: ViewFactory | str) -> ViewFactory:
    if callable(factory):
        return factory
    module, _, attr = factory.partition(":")
    return getattr(importlib.import_module(module), attr)


def _lookup(kind: str, task: Any) -> ViewFactory | str | None:
    """The view registered for the task's class or the nearest base class that has one."""
    table = _VIEWS[kind]
    for cls in type(task).__mro__:
        for key in (f"{cls.__module__}.{cls.__name__}", cls.__name__):
            if key in table:
                return table[key]
    return None


def make_view(env: Any, kind: str = "agent", geometry: Geometry | None = None, **options: Any) -> View:
    """The view of ``env`` of ``kind`` (``"agent"``, ``"natural"`` or ``"generic"``).

    ``"natural"`` gives the view registered for the task's class (or a base
    class); a task without one gets the generic number-free view
    (``GenericView``, ``view.kind == "generic"``), never the agent view: the
    agent view prints the observation values. ``options`` go to the view
    (e.g. ``caption``, ``background``).
    """
    if kind not in VIEW_KINDS:
        raise ValueError(f"unknown view kind {kind!r}; use one of: {', '.join(VIEW_KINDS)}")
    task = env.unwrapped if hasattr(env, "unwrapped") else env
    factory = _lookup("natural", task) if kind == "natural" else None
    if kind == "agent":
        factory = _lookup("agent", task)
    if factory is None and kind in ("natural", "generic"):
        from neurogym_app.stimuli.natural.generic import GenericView  # same layer, imported when needed

        return GenericView(env, geometry, **options)
    if factory is None:
        return AgentView(env, geometry, **options)
    return _load(factory)(env, geometry, **options)


def drawn_view_kind(env: Any, requested: str) -> str:
    """The kind of view ``make_view(env, requested)`` draws (what the manifest records)."""
    if requested not in VIEW_KINDS:
        raise ValueError(f"unknown view kind {requested!r}; use one of: {', '.join(VIEW_KINDS)}")
    if requested != "natural":
        return requested
    task = env.unwrapped if hasattr(env, "unwrapped") else env
    return "natural" if _lookup("natural", task) is not None else "generic"


# ------------------------------------------------------------------- pictures
_STIMULUS_PERIODS = ("stimulus", "sample", "test", "ready", "set", "cue", "go")


def representative_step(task: Any) -> int:
    """A step of the current trial that shows the stimulus (for pictures and docs).

    The middle of the first period named like a stimulus period, else the
    step whose observation (fixation input aside) is the strongest.
    """
    n = int(getattr(task, "n_steps", 0) or 0)
    if n <= 0:
        return 0
    for name in _STIMULUS_PERIODS:
        if name in getattr(task, "start_ind", {}):
            start, end = task.start_ind[name], task.end_ind[name]
            if end > start:
                return int(min((start + end - 1) // 2, n - 1))
    ob = np.asarray(task.ob, dtype=float).reshape(n, -1)
    names = dict(getattr(task.observation_space, "name", None) or {})
    fix = names.get("fixation")
    if isinstance(fix, int):
        ob = np.delete(ob, fix, axis=1)
    strength = np.abs(ob - np.median(ob, axis=0)).sum(axis=1) if ob.size else np.zeros(n)
    return int(np.argmax(strength))


def stimulus_picture(task_id: str, path: Any, kind: str = "natural", size: tuple[int, int] = (800, 600), seed: int = 0) -> bool:
    """Draw a representative frame of task ``task_id`` (its ``kind`` view) to the PNG ``path``.

    Used by the task gallery. Drawing needs the QPainter adapter, imported
    here only when a picture is asked for. Returns False for tasks without
    trials (nothing to show).
    """
    from neurogym_app.core import registry
    from neurogym_app.core.trial_env import TrialEnv
    from neurogym_app.stimuli.backends.qpainter import save_png  # the one lazy reach into an adapter

    try:
        env = registry.make(task_id, timing="human")
    except Exception:
        env = registry.make(task_id)
    env.reset(seed=seed)
    task = env.unwrapped
    if not isinstance(task, TrialEnv) or not int(getattr(task, "n_steps", 0) or 0):
        return False
    step = representative_step(task)
    geometry = Geometry(size=size)
    view = make_view(env, kind, geometry)
    state = StepState(
        ob=np.asarray(task.ob[step]),
        trial=dict(task.trial or {}),
        period=task.period_at(step),
        t_ms=step * float(task.dt),
        action_space_names=getattr(task.action_space, "name", None),
        obs_space_names=getattr(task.observation_space, "name", None),
    )
    save_png(view.scene(state), path, size, geometry)
    return True
