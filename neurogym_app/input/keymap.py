"""The map from keys (and the pointer) to a task's actions.

A default map is derived from the action space's names and the task's
``metadata["action_labels"]``:

* no key pressed means the fixation action (the action named ``fixation``,
  else action 0); a *turn-based* task (no ``fixation`` action and action 0
  labelled in ``metadata["action_labels"]``, e.g. Bandit-v0, IBL-v0: every
  action is a choice; or ``metadata["turn_based"] = True``) has none:
  ``fixate`` is None, every action gets keys and the runner waits for a
  key press at each decision;
* one response action (e.g. ``go``) -> Space;
* two -> Left arrow / F and Right arrow / J. Labels ``left``/``right`` (or
  ``match``/``non-match``) say which is which; otherwise the first is left;
* three to nine -> number keys 1-9 in action order;
* a ring of three or more actions named ``choice`` -> also the pointer: a
  click picks the nearest direction (choice ``k`` of ``n`` points at angle
  ``2*pi*k/n``, 0 = right, counter-clockwise, as ``ring_angles`` lays them out);
  a ring with more choices than number keys is also answered with the arrows
  (Left/Right arrow aim counter-clockwise/clockwise, Space answers: ``RingAim``);
* a ``Box`` action of one or two numbers -> the pointer position.

``Config.keys`` (action name -> key names) overrides the default keys of the
actions it names. A key bound to two actions, an unknown key name or an
unknown action name is a one-line :class:`KeyMapError`. A task no input can
play raises :class:`NotHumanPlayable`.

Response semantics (``mode``) come from ``metadata["input_mode"]`` or the
caller: ``"press"`` (the action lasts one step), ``"latch"`` (a press lasts
until the trial ends, for tasks that end on a response), ``"hold"`` (the
action lasts while the key is down).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from neurogym_app.errors import UserError
from neurogym_app.input.keynames import RESERVED_KEYS, display_name, normalise_key

if TYPE_CHECKING:
    from gymnasium.spaces import Box

__all__ = [
    "MODES",
    "ActionBinding",
    "KeyMap",
    "RingAim",
    "KeyMapError",
    "NotHumanPlayable",
    "action_names",
    "playability",
    "build_keymap",
    "is_turn_based",
]

Mode = Literal["press", "latch", "hold"]
MODES: tuple[str, ...] = ("press", "latch", "hold")
MAX_NUMBER_KEYS = 9
MAX_BOX_SIZE = 2
MAX_RING_CHOICES = 360  # a click picks the nearest direction: finer than 1 degree cannot be aimed


class KeyMapError(UserError, ValueError):
    """A key map that cannot be used (clash, unknown key or action name)."""


class NotHumanPlayable(UserError):
    """A task that no keyboard or pointer input can play."""


@dataclass(frozen=True)
class ActionBinding:
    """One response action: its name, its value and the keys that give it."""

    name: str
    action: int
    keys: tuple[str, ...] = ()
    angle: float | None = None  # direction on the ring, when picked by a click


class RingAim:
    """Where the arrow keys aim on a ring of choices (shared by the key map and the view).

    Left arrow turns the aim one choice counter-clockwise, Right arrow one
    clockwise (the first press aims at the choice nearest to the right);
    Space answers with the aimed choice. ``index`` is the aimed position on
    the ring (None: not aimed yet this trial).
    """

    TURN = {"left": 1, "right": -1}
    CONFIRM = ("space", "up")

    def __init__(self, n: int) -> None:
        self.n = int(n)
        self.index: int | None = None

    def reset(self) -> None:
        self.index = None

    def turn(self, key: str) -> bool:
        """Move the aim for an arrow key; False if ``key`` does not aim."""
        step = self.TURN.get(key)
        if step is None:
            return False
        self.index = 0 if self.index is None else (self.index + step) % self.n
        return True

    @property
    def angle(self) -> float | None:
        return None if self.index is None else 2 * math.pi * self.index / self.n


@dataclass(frozen=True)
class KeyMap:
    """Keys/pointer -> actions for one task.

    Attributes:
        bindings: the response actions (never the fixation action).
        fixate: action sent while nothing is pressed (an int, or a vector for Box actions).
        pointer: ``"ring"`` (click picks a direction), ``"box"`` (position) or None.
        mode: ``"press"``, ``"latch"`` or ``"hold"``.
        box_low, box_high: bounds of a Box action (pointer mode ``"box"``).
    """

    bindings: tuple[ActionBinding, ...]
    fixate: Any = 0
    pointer: str | None = None
    mode: Mode = "press"
    box_low: tuple[float, ...] = ()
    box_high: tuple[float, ...] = ()
    #: a Box action ``[go, position]`` given by a click on a horizontal line of this half-width
    #: (scene units): the press is ``go`` (+1; -1 otherwise), its x along the line the position
    line_half_width: float | None = None
    line_range: tuple[float, float] = (0.0, 1.0)  # the positions at the line's left and right ends
    #: arrow-key aiming on a ring of choices too many for number keys (see RingAim)
    aim: RingAim | None = field(default=None, compare=False)
    _by_key: dict[str, ActionBinding] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise KeyMapError(f"unknown input mode {self.mode!r}; use one of: {', '.join(MODES)}")
        owner: dict[str, ActionBinding] = {}
        for b in self.bindings:
            for key in b.keys:
                if key in owner and owner[key].name != b.name:
                    raise KeyMapError(f"key {key!r} is bound to both {owner[key].name!r} and {b.name!r}")
                owner[key] = b
        object.__setattr__(self, "_by_key", owner)

    # ---------------------------------------------------------------- lookups
    @property
    def is_box(self) -> bool:
        return self.pointer == "box"

    @property
    def turn_based(self) -> bool:
        """True when no action means "no response" (the runner waits for a press at each decision)."""
        return self.fixate is None and not self.is_box

    def binding_for_key(self, key: str) -> ActionBinding | None:
        return self._by_key.get(key)

    def aimed_binding(self) -> ActionBinding | None:
        """The ring choice the arrow keys aim at (None before the first arrow press)."""
        if self.aim is None or self.aim.angle is None:
            return None
        a = self.aim.angle
        return self.binding_for_pointer(math.cos(a), math.sin(a))

    def binding_for_action(self, action: int) -> ActionBinding | None:
        for b in self.bindings:
            if b.action == action:
                return b
        return None

    def keys_for(self, action: int) -> tuple[str, ...]:
        b = self.binding_for_action(action)
        return b.keys if b else ()

    def label(self, action: Any) -> str:
        """Name of an action value (``"fixate"`` for the fixation action)."""
        if self.is_box:
            return "position"
        if action is None:
            return ""
        if action == self.fixate:
            return "fixate"
        b = self.binding_for_action(int(action))
        return b.name if b else str(action)

    def binding_for_pointer(self, x: float, y: float) -> ActionBinding | None:
        """The ring choice nearest to the direction of ``(x, y)`` (None at the centre)."""
        ring = [b for b in self.bindings if b.angle is not None]
        if self.pointer != "ring" or not ring or (x == 0 and y == 0):
            return None
        angle = math.atan2(y, x)

        def distance(b: ActionBinding) -> float:
            d = (angle - float(b.angle)) % (2 * math.pi)  # type: ignore[arg-type]
            return min(d, 2 * math.pi - d)

        return min(ring, key=distance)

    def box_action(self, x: float, y: float, kind: str = "press") -> np.ndarray:
        """The Box action for a pointer at ``(x, y)`` (a ``kind`` event), clipped to the space's bounds."""
        n = len(self.box_low)
        if self.line_half_width is not None:
            low, high = self.line_range
            f = (float(x) / self.line_half_width + 1.0) / 2.0
            values = [1.0 if kind == "press" else -1.0, low + f * (high - low)]
        else:
            values = [x, y]
        value = np.array(values[:n], dtype=np.float32)
        return np.clip(value, np.array(self.box_low, dtype=np.float32), np.array(self.box_high, dtype=np.float32))

    def pointer_for(self, action: Any) -> tuple[float, float]:
        """Where a pointer press gives the Box ``action`` (the inverse of ``box_action``)."""
        values = np.ravel(np.asarray(action, dtype=float)).tolist() + [0.0]
        if self.line_half_width is not None:
            low, high = self.line_range
            f = (values[1] - low) / (high - low) if high > low else 0.5
            return (2.0 * f - 1.0) * self.line_half_width, 0.0
        return values[0], values[1]

    @property
    def response_actions(self) -> list[int]:
        return [b.action for b in self.bindings]

    # ------------------------------------------------------------- describing
    def describe(self) -> str:
        """A short text of the controls for the screen, e.g. ``"F or Left arrow: left | ..."``."""
        parts = []
        for b in self.bindings:
            how = " or ".join(display_name(k) for k in b.keys)
            if b.angle is not None and self.pointer == "ring":
                how = f"{how} or click" if how else "click"
            if how:
                parts.append(f"{how}: {b.name}")
        if self.pointer == "ring" and not any(b.keys for b in self.bindings):
            parts = ["click the ring in the chosen direction"]
            if self.aim is not None:
                parts.append("or aim with Left / Right arrow and press Space")
        if self.pointer == "box":
            parts.append("click on the line to respond" if self.line_half_width is not None else "move the pointer to respond")
        hold = {"press": "press to respond", "latch": "press once to respond", "hold": "hold the key to respond"}[
            self.mode
        ]
        if self.turn_based:
            parts.append("one key press per choice (the task waits for it)")
        else:
            parts.append(f"no key: fixate ({hold})")
        parts.append("Esc: quit")
        return " | ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the session manifest."""
        fixate = self.fixate.tolist() if isinstance(self.fixate, np.ndarray) else self.fixate
        return {
            "mode": self.mode,
            "fixate": fixate,
            "pointer": self.pointer,
            "actions": [
                {"name": b.name, "action": b.action, "keys": list(b.keys), **({"angle": b.angle} if b.angle is not None else {})}
                for b in self.bindings
            ],
            **({"box_low": list(self.box_low), "box_high": list(self.box_high)} if self.is_box else {}),
            **({"line_half_width": self.line_half_width} if self.line_half_width is not None else {}),
            **({"ring_aim": {"left": "aim counter-clockwise", "right": "aim clockwise", "space": "answer"}} if self.aim else {}),
        }


# --------------------------------------------------------------------------
# deriving a map from a task
# --------------------------------------------------------------------------


def _task(env: Any) -> Any:
    return getattr(env, "unwrapped", env)


#: built-in tasks a person is not offered (task class -> why, one line), beyond the tasks'
#: own ``metadata["human_playable"]``: stepped environments without trials or periods and
#: without a choice at every step (ContextSwitch has one: it is played self-paced, a key per step)
STEPPED_TASKS: dict[str, str] = {
    "LeverPress": "a stepped environment without trials or periods (a rat's lever-press schedule): reward comes "
    "from pressing on a schedule, with no stimulus to perceive or trial to answer",
    "LeverPressWithPoke": "a stepped environment without trials or periods (a rat's press-then-poke schedule): "
    "no stimulus to perceive or trial to answer",
    "LeverPressWithPokeRest": "a stepped environment without trials or periods (a thirst-driven press/poke/rest "
    "schedule): no stimulus to perceive or trial to answer",
    "MemoryRecall": "a stepped environment without response periods: every step needs the whole recalled pattern "
    "(10 numbers), which no key or pointer can give",
    "Pneumostomeopening": "a stepped model of a snail's breathing (oxygen and depth states), not a task a person performs",
}

#: human key maps of built-in tasks whose default one does not fit (task class -> action name -> keys).
#: Actions the table leaves out are not offered to people (e.g. CVLearning's eight inert actions).
TASK_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "HierarchicalReasoning": {"rule 1": ("up",), "rule 2": ("down",), "left": ("left", "f"), "right": ("right", "j")},
    "PostDecisionWager": {"left": ("left", "f"), "right": ("right", "j"), "sure": ("up", "space")},
    "ChangingEnvironment": {"left1": ("f",), "right1": ("j",), "left2": ("d",), "right2": ("k",)},
    "CVLearning": {"left": ("left", "f"), "right": ("right", "j")},
    "ToneDetection": {"tone 1": ("1",), "tone 2": ("2",), "tone 3": ("3",)},
    # choice 1 is the target to the right (direction 0) in the task and its natural view
    "ContextDecisionMaking": {"choice2": ("left", "f"), "choice1": ("right", "j")},
}


#: Box tasks answered by a click on a line (task class -> the line's half-width in degrees,
#: as their natural view draws it): the action is ``[go, position]``
POINTER_LINES: dict[str, float] = {"ReachingDelayResponse": 7.0}


#: tasks whose own metadata refuses people but that a person can do with this input
#: (task class -> how): ToneDetection is judged on its last step only, so a key press
#: latched until the trial ends ("latch") answers it; no key is "no tone"
HUMAN_PLAY: dict[str, dict[str, Any]] = {
    "ToneDetection": {"mode": "latch", "turn_based": False},
}


def _human_play(task: Any) -> dict[str, Any] | None:
    return HUMAN_PLAY.get(type(task).__name__)


def _task_keys(task: Any) -> dict[str, tuple[str, ...]] | None:
    for cls in type(task).__mro__:
        if cls.__name__ in TASK_KEYS:
            return TASK_KEYS[cls.__name__]
    return None


def action_names(env: Any) -> dict[int, str]:
    """Index -> name of every action of a Discrete action space.

    Names come from ``metadata["action_labels"]`` first, then from the
    space's ``name`` mapping (a list entry ``choice: [1, 2]`` gives
    ``choice1``, ``choice2``), else ``action<i>``.
    """
    task = _task(env)
    space = task.action_space
    n = int(space.n)
    start = int(getattr(space, "start", 0))
    names: dict[int, str] = {}
    for key, value in (getattr(space, "name", None) or {}).items():
        if isinstance(value, int):
            names[value] = key
        else:
            for k, idx in enumerate(value):
                names[int(idx)] = f"{key}{k + 1}"
    labels = (getattr(task, "metadata", {}) or {}).get("action_labels") or {}
    for idx, label in labels.items():
        names[int(idx)] = str(label)
    return {i: names.get(i, f"action{i}") for i in range(start, start + n)}


def is_turn_based(env: Any) -> bool:
    """True for a Discrete task with no "no response" action (see the module doc)."""
    task = _task(env)
    meta = getattr(task, "metadata", {}) or {}
    override = _human_play(task)
    if override is not None and "turn_based" in override:
        return bool(override["turn_based"])
    if meta.get("turn_based") is not None:
        return bool(meta["turn_based"])
    space = task.action_space
    if not isinstance(space, _discrete_type()) or "fixation" in (getattr(space, "name", None) or {}):
        return False
    labels = meta.get("action_labels") or {}
    return int(getattr(space, "start", 0)) in {int(k) for k in labels}


def _fixation_action(env: Any) -> int | None:
    """The action sent while no key is down; None for a turn-based task."""
    return None if is_turn_based(env) else _fixation_index(_task(env).action_space)


def _fixation_index(space: Any) -> int:
    names = getattr(space, "name", None) or {}
    value = names.get("fixation")
    if isinstance(value, int):
        return value
    return int(getattr(space, "start", 0))


def _ring_group(space: Any) -> list[int]:
    names = getattr(space, "name", None) or {}
    value = names.get("choice")
    if isinstance(value, (list, tuple)) and len(value) >= 3:
        return [int(v) for v in value]
    return []


def playability(env: Any) -> str | None:
    """None if a person can play ``env``, else the reason why not (one line)."""
    task = _task(env)
    meta = getattr(task, "metadata", {}) or {}
    if meta.get("human_playable", True) is False and _human_play(task) is None:
        return str(meta.get("human_playable_reason") or "the task says it is not playable by people")
    if type(task).__name__ in STEPPED_TASKS:
        return STEPPED_TASKS[type(task).__name__]
    space = task.action_space
    if _task_keys(task) is not None:
        return None
    if isinstance(space, _discrete_type()):
        fixate = _fixation_action(env)
        responses = [i for i in action_names(env) if i != fixate]
        if not responses:
            return "it has no response action"
        ring = _ring_group(space)
        if len(ring) > MAX_RING_CHOICES:
            return f"its ring of {len(ring)} choices is finer than a click can aim (at most {MAX_RING_CHOICES})"
        if len(responses) > MAX_NUMBER_KEYS and not ring:
            return f"its {len(responses)} response actions are more than the number keys 1-9 and are not a ring"
        return None
    if isinstance(space, _box_type()):
        size = int(np.prod(space.shape)) if space.shape else 1
        if size == 0 or size > MAX_BOX_SIZE:
            return f"its Box action of shape {tuple(space.shape)} cannot be given with a pointer (1 or 2 numbers can)"
        if not (np.all(np.isfinite(space.low)) and np.all(np.isfinite(space.high))):
            return "its Box action is unbounded, so a pointer position cannot be mapped to it"
        return None
    return f"its action space ({type(space).__name__}) cannot be mapped to keys or a pointer"


def _discrete_type() -> type:
    import gymnasium as gym

    return gym.spaces.Discrete


def _box_type() -> type[Box]:
    import gymnasium as gym

    return gym.spaces.Box


_LEFT_KEYS = ("left", "f")
_RIGHT_KEYS = ("right", "j")
_LEFT_LABELS = ("left", "match")
_RIGHT_LABELS = ("right", "non-match", "nonmatch", "non_match")


def _default_bindings(env: Any, fixate: int | None) -> tuple[list[ActionBinding], str | None]:
    task = _task(env)
    space = task.action_space
    names = action_names(env)
    responses = [i for i in names if i != fixate]
    ring = _ring_group(space)
    table = _task_keys(task)
    if table is not None:
        return [ActionBinding(names[a], a, tuple(table[names[a]])) for a in responses if names[a] in table], None
    if len(responses) == 1:
        (a,) = responses
        return [ActionBinding(names[a], a, ("space",))], None
    if len(responses) == 2:
        first, second = responses
        low = {i: names[i].lower() for i in responses}
        if low[first] in _RIGHT_LABELS or low[second] in _LEFT_LABELS:
            first, second = second, first
        return [ActionBinding(names[first], first, _LEFT_KEYS), ActionBinding(names[second], second, _RIGHT_KEYS)], None
    bindings = []
    ring_pos = {a: i for i, a in enumerate(ring)}  # (list.index made large rings quadratic)
    for k, a in enumerate(responses):
        keys = (str(k + 1),) if len(responses) <= MAX_NUMBER_KEYS else ()
        angle = None
        if a in ring_pos:
            angle = 2 * math.pi * ring_pos[a] / len(ring)
        bindings.append(ActionBinding(names[a], a, keys, angle))
    return bindings, ("ring" if ring else None)


def _apply_overrides(bindings: list[ActionBinding], overrides: Mapping[str, Sequence[str]]) -> list[ActionBinding]:
    by_name = {b.name: b for b in bindings}
    out = list(bindings)
    for name, keys in overrides.items():
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise KeyMapError(f"key map names an unknown action {name!r}; this task's actions are: {known}")
        if isinstance(keys, str):
            keys = [keys]
        normal = []
        for k in keys:
            key = normalise_key(k)
            if key in RESERVED_KEYS:
                raise KeyMapError(f"key {key!r} is reserved (it stops the session); bind {name!r} to another key")
            if key not in normal:
                normal.append(key)
        b = by_name[name]
        new = ActionBinding(b.name, b.action, tuple(normal), b.angle)
        out[out.index(b)] = new
        by_name[name] = new
    return out


def build_keymap(
    env: Any,
    overrides: Mapping[str, Sequence[str] | str] | None = None,
    mode: str | None = None,
) -> KeyMap:
    """The key map of ``env``: the default one, with ``overrides`` (Config ``keys``) applied.

    ``mode`` (``"press"``/``"latch"``/``"hold"``) defaults to the task's
    ``metadata["input_mode"]``, else ``"press"``.
    """
    reason = playability(env)
    task = _task(env)
    if reason is not None:
        task_name = getattr(getattr(task, "spec", None), "id", None) or type(task).__name__
        raise NotHumanPlayable(f"{task_name} is not human-playable: {reason}")
    meta = getattr(task, "metadata", {}) or {}
    mode = mode or (_human_play(task) or {}).get("mode") or meta.get("input_mode") or "press"
    if mode not in MODES:
        raise KeyMapError(f"unknown input mode {mode!r}; use one of: {', '.join(MODES)}")
    space = task.action_space
    if isinstance(space, _box_type()):
        if overrides:
            raise KeyMapError("this task's action is a pointer position; it has no keys to bind")
        low = tuple(float(v) for v in np.ravel(space.low))
        high = tuple(float(v) for v in np.ravel(space.high))
        centre = np.clip(np.zeros(len(low), dtype=np.float32), low, high).astype(np.float32)
        line = POINTER_LINES.get(type(task).__name__)
        ends = (float(getattr(task, "lowbound", low[-1])), float(getattr(task, "highbound", high[-1])))
        return KeyMap((), fixate=centre, pointer="box", mode=mode, box_low=low, box_high=high,  # type: ignore[arg-type]
                      line_half_width=line, line_range=ends)
    fixate = _fixation_action(env)
    bindings, pointer = _default_bindings(env, fixate)
    if overrides:
        bindings = _apply_overrides(bindings, overrides)
    unreachable = [b.name for b in bindings if not b.keys and not (pointer == "ring" and b.angle is not None)]
    if unreachable:
        raise KeyMapError(f"no key is bound to action {unreachable[0]!r}; add it to the key map")
    bound = {k for b in bindings for k in b.keys}
    aim = None
    if pointer == "ring" and not bound:  # no number keys: the arrows aim on the ring, Space answers
        aim = RingAim(len(_ring_group(space)))
    return KeyMap(tuple(bindings), fixate=fixate, pointer=pointer, mode=mode, aim=aim)  # type: ignore[arg-type]
