"""Whether a window can be shown here, and the one-line message when not."""

from __future__ import annotations

import os
import sys

EXIT_NO_DISPLAY = 3

HEADLESS_HINT = (
    "no display found (DISPLAY/WAYLAND_DISPLAY unset), so the app cannot open a window; "
    "run headless with `neurogym-app play PerceptualDecisionMaking-v0 --auto oracle --headless`, "
    "or start a virtual screen (`Xvfb :99 -screen 0 1280x1024x24 & export DISPLAY=:99`)"
)


def has_display() -> bool:
    """True where Qt can open a window (a display, or an explicit offscreen platform)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def require_display(prog: str = "neurogym-app") -> int | None:
    """None when a window can be shown, else print the hint and return the exit code."""
    if has_display():
        return None
    sys.stderr.write(f"{prog}: {HEADLESS_HINT}\n")
    return EXIT_NO_DISPLAY
