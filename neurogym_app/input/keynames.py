"""Normalised key names: the vocabulary of key maps and ``KeyEvent.key``.

Key maps, TOML files and backends all spell keys the same way: lower-case
letters and digits (``"f"``, ``"1"``) or one of :data:`NAMED_KEYS`. Common
aliases (``"Enter"``, ``"Esc"``, ``"LEFT"``) are accepted on input.
"""

from __future__ import annotations

import string

from neurogym_app.errors import UserError

__all__ = ["NAMED_KEYS", "VALID_KEYS", "RESERVED_KEYS", "KeyNameError", "normalise_key", "display_name"]

NAMED_KEYS = ("left", "right", "up", "down", "space", "return", "escape", "tab", "backspace")
VALID_KEYS = frozenset(string.ascii_lowercase) | frozenset(string.digits) | frozenset(NAMED_KEYS)
#: keys the runner keeps for itself (escape stops the session)
RESERVED_KEYS = frozenset({"escape"})

_ALIASES = {
    "enter": "return",
    "ret": "return",
    "esc": "escape",
    "spacebar": "space",
    " ": "space",
    "arrowleft": "left",
    "arrowright": "right",
    "arrowup": "up",
    "arrowdown": "down",
    "left_arrow": "left",
    "right_arrow": "right",
    "up_arrow": "up",
    "down_arrow": "down",
    "bksp": "backspace",
}

_SHOWN = {
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


class KeyNameError(UserError, ValueError):
    """A key name no backend produces."""


def normalise_key(name: object) -> str:
    """``"Left"`` -> ``"left"``, ``"F"`` -> ``"f"``, ``"Enter"`` -> ``"return"``.

    Raises :class:`KeyNameError` (one line) for a name that is not a key.
    """
    if not isinstance(name, str):
        raise KeyNameError(f"key names are strings, got {name!r}")
    text = name if name == " " else name.strip()
    low = text.lower().replace(" ", "_") if text != " " else " "
    low = _ALIASES.get(low, low)
    if low in VALID_KEYS:
        return low
    shown = repr(name) if len(name) <= 30 else repr(name[:27] + "...")
    raise KeyNameError(
        f"unknown key name {shown}; use a letter, a digit or one of: {', '.join(NAMED_KEYS)}"
    )


def display_name(key: str) -> str:
    """How a key is written on screen: ``"left"`` -> ``"Left arrow"``, ``"f"`` -> ``"F"``."""
    return _SHOWN.get(key, key.upper())
