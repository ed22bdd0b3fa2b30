"""Tasks whose observations are pixels drawn by PsychoPy (optional extra)."""

#: id -> "module:Class" (strings only)
ENTRIES: dict[str, str] = {}
