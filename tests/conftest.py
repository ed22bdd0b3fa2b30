"""Shared test set-up: headless Qt, a private HOME for PsychoPy, seeds."""

from __future__ import annotations

import os
import tempfile

# Qt renders offscreen in tests; PsychoPy writes its prefs under $HOME.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_home = tempfile.mkdtemp(prefix="ngym-test-home-")
os.environ["HOME"] = _home
os.environ.setdefault("MPLBACKEND", "Agg")

# Tests marked `psychopy` (or naming a `psychopy.` task) get a private Xvfb.
pytest_plugins = ["_xvfb", "_sweep_data"]
