"""Settings kept between runs of the app (QSettings), with recent sessions.

``app_settings(path)`` gives an INI file at ``path`` (tests point it to a
temporary folder), else the file named by ``$NGYM_APP_SETTINGS``, else the
platform's usual place for ``neurogym-app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QByteArray, QSettings

__all__ = ["AppSettings", "app_settings", "MAX_RECENT", "ENV_VAR"]

MAX_RECENT = 10
ENV_VAR = "NGYM_APP_SETTINGS"


def app_settings(path: str | os.PathLike[str] | None = None) -> QSettings:
    """The QSettings the app uses (see module doc)."""
    target = path if path is not None else os.environ.get(ENV_VAR)
    if target:
        return QSettings(str(target), QSettings.Format.IniFormat)
    return QSettings("neurogym-app", "neurogym-app")


class AppSettings:
    """Typed access to the app's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qs = settings if settings is not None else app_settings()

    # ----------------------------------------------------------- values
    def get(self, key: str, default: Any = None, kind: type | None = None) -> Any:
        value = self.qs.value(key, default)
        if value is None:
            return default
        if kind is bool:
            return value in (True, "true", "True", "1", 1)
        if kind is not None:
            try:
                return kind(value)
            except (TypeError, ValueError):
                return default
        return value

    def set(self, key: str, value: Any) -> None:
        self.qs.setValue(key, value)

    def sync(self) -> None:
        self.qs.sync()

    # ----------------------------------------------------------- recents
    def recent_sessions(self) -> list[str]:
        value = self.qs.value("recent/sessions", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | os.PathLike[str]) -> list[str]:
        p = str(Path(path).resolve())
        items = [p] + [r for r in self.recent_sessions() if r != p]
        items = items[:MAX_RECENT]
        self.qs.setValue("recent/sessions", items)
        return items

    def clear_recent(self) -> None:
        self.qs.setValue("recent/sessions", [])

    # ----------------------------------------------------------- geometry
    def save_window(self, window: Any) -> None:
        self.qs.setValue("window/geometry", window.saveGeometry())
        self.qs.setValue("window/state", window.saveState())

    def restore_window(self, window: Any) -> bool:
        geometry = self.qs.value("window/geometry")
        state = self.qs.value("window/state")
        ok = False
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            ok = window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            window.restoreState(state)
        return ok
