"""``neurogym.utils.functions``: small path and time helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

__all__ = ["ensure_dir", "iso_timestamp"]


def ensure_dir(path: Path | str) -> Path:
    """Create directory ``path`` (and its parents) if needed; return it expanded and absolute."""
    folder = Path(path).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def iso_timestamp() -> str:
    """The current UTC time as ``YYYY-MM-DD_HH-MM-SS``, safe in file names."""
    return datetime.now(UTC).strftime("%Y-%m-%d_%H-%M-%S")
