"""Contributed tasks (upstream ships but never registers them)."""

#: id -> "module:Class" (strings only)
ENTRIES: dict[str, str] = {}
