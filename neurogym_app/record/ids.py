"""Participant ids and run-folder names that are safe as path components."""

from __future__ import annotations

import re
import unicodedata

from neurogym_app.errors import UserError

__all__ = ["MAX_ID_LENGTH", "InvalidParticipantId", "sanitise_participant", "safe_component"]

MAX_ID_LENGTH = 64
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


class InvalidParticipantId(UserError, ValueError):
    """A participant id that cannot name a folder."""


def _shown(raw: str) -> str:
    text = raw if len(raw) <= 40 else raw[:37] + "..."
    return repr(text)


def sanitise_participant(raw: object) -> str:
    """A participant id usable in a path, or a one-line :class:`InvalidParticipantId`.

    Surrounding whitespace is dropped and inner whitespace becomes ``_``.
    Allowed: letters and digits (any script), ``.``, ``_``, ``-``; at most
    :data:`MAX_ID_LENGTH` characters; not starting with ``.`` or ``-``; no
    ``..``; no path separators or control characters.
    """
    if not isinstance(raw, str):
        raise InvalidParticipantId(f"participant id must be text, got {type(raw).__name__}")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in raw):
        raise InvalidParticipantId(f"participant id {_shown(raw.encode('unicode_escape').decode())} contains control characters")
    text = re.sub(r"\s+", "_", raw.strip())
    text = unicodedata.normalize("NFC", text)
    why = None
    if not text:
        why = "is empty"
    elif "/" in text or "\\" in text:
        why = "contains a path separator"
    elif ".." in text:
        why = "contains '..'"
    elif len(text) > MAX_ID_LENGTH:
        why = f"is longer than {MAX_ID_LENGTH} characters"
    elif text[0] in ".-":
        why = "starts with '.' or '-'"
    elif any(not (c.isalnum() or c in "._-") for c in text):
        bad = next(c for c in text if not (c.isalnum() or c in "._-"))
        why = f"contains {bad!r} (use letters, digits, '.', '_' or '-')"
    elif text.split(".")[0].lower() in _WINDOWS_RESERVED:
        why = "is a reserved device name"
    if why:
        raise InvalidParticipantId(f"participant id {_shown(raw)} {why}")
    return text


def safe_component(name: str) -> str:
    """``name`` with anything but letters, digits, ``.``, ``_``, ``-`` replaced by ``_`` (for task ids)."""
    text = "".join(c if (c.isalnum() or c in "._-") else "_" for c in name).strip(".")
    return text[:100] or "task"
