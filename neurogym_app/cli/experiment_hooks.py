"""What ``neurogym-app play EXPERIMENT.toml`` hands to ``experiment.run.play_experiment``.

The session layer is pure, so the display (Qt / PsychoPy / null), the Qt
event pump and the participant dialog come from here (the CLI layer).
"""

from __future__ import annotations

import os
from typing import Any

from neurogym_app.errors import UserError

__all__ = ["ExperimentHooks"]


class ExperimentHooks:
    """Display, event pump and participant dialog for an experiment run."""

    def load_config(self, path: str | None) -> Any:
        from neurogym_app.cli.cmd_play import _load_config

        return _load_config(path)

    def make_display(
        self, cfg: Any, *, auto: bool, headless: bool, backend: str | None, fullscreen: bool, clock: Any, draw: bool = False
    ) -> tuple[Any, dict, Any, Any]:
        from neurogym_app.cli.cmd_play import NO_DISPLAY, _display_info, _event_pump, _has_screen, _make_display

        backend = backend or cfg.session.backend
        if not headless and backend != "null" and not _has_screen():
            raise UserError(NO_DISPLAY)
        fullscreen = bool(fullscreen or cfg.display.fullscreen) and not headless
        display, paced = _make_display(backend, headless=headless, auto=auto, fullscreen=fullscreen, clock=clock, cfg=cfg, draw=draw)
        if paced:
            display.blocks_on_flip = True
        info = _display_info(display, backend, headless)
        return display, info, getattr(display, "geometry", None), _event_pump(display)

    def ask_participant(self, fields: Any, title: str, session: int = 1) -> Any:
        """The Qt participant dialog (None: cancelled)."""
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
            raise UserError("no screen for the participant dialog: give --participant ID (and --session N)")
        from neurogym_app.qt.participant_dialog import ask_participant

        return ask_participant(fields, title=title, session=session)
