"""A private X server (Xvfb) for the PsychoPy tests, and a check that PsychoPy is there.

PsychoPy needs an X display even to import ``psychopy.event``; headless
machines (CI) run Xvfb. Use it in one of two ways:

* in a test module: ``from _xvfb import psychopy_display`` and
  ``pytestmark = [pytest.mark.psychopy, pytest.mark.usefixtures("psychopy_display")]``;
* as a plugin (``pytest_plugins = ["_xvfb"]`` in ``tests/conftest.py``): every
  test marked ``psychopy``, or whose id names a ``psychopy.`` task, gets the
  display before it runs.

Never skips: without PsychoPy or Xvfb the test FAILS with the command that
installs them. Xvfb is started with 24-bit depth (PsychoPy hangs at 16 bit) on
a free display number and ends with the test process (not before: Xlib ends a
process whose X server vanished under an open window with exit status 1). It
has no vsync: tests must never assert a frame rate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

INSTALL_HINT = "install it with `make psychopy` (scripts/install_psychopy.sh .venv; it also apt-installs xvfb)"

_server: subprocess.Popen | None = None
_display: str | None = None


def _free_display(start: int = 90) -> int:
    for n in range(start, start + 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number between :90 and :290")


def _stop() -> None:
    """Stop our Xvfb. Only for when no X client of this process is left: a live
    connection to a vanished server makes Xlib end the process with status 1."""
    global _server
    if _server is not None and _server.poll() is None:
        _server.terminate()
        try:
            _server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _server.kill()
    _server = None


def _die_with_parent() -> None:
    # Runs in the child before exec: Xvfb gets SIGTERM when this test process
    # ends (Linux prctl PR_SET_PDEATHSIG), i.e. after its X connections closed.
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


def ensure_xvfb() -> str:
    """Start Xvfb once for this process (if not running) and point DISPLAY at it; returns DISPLAY."""
    global _server, _display
    if _display is not None and _server is not None and _server.poll() is None:
        os.environ["DISPLAY"] = _display
        return _display
    if os.environ.get("NGYM_TEST_USE_DISPLAY") and os.environ.get("DISPLAY"):
        _display = os.environ["DISPLAY"]  # run on the caller's own X server
        return _display
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.fail(f"PsychoPy tests need Xvfb (an X server without a screen), which is not installed: {INSTALL_HINT}", pytrace=False)
    n = _free_display()
    log = tempfile.NamedTemporaryFile(prefix="ngym-xvfb-", suffix=".log", delete=False)
    _server = subprocess.Popen(
        [binary, f":{n}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"],
        stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
    )
    socket = Path(f"/tmp/.X11-unix/X{n}")
    deadline = time.monotonic() + 15
    while not socket.exists():
        if _server.poll() is not None or time.monotonic() > deadline:
            text = Path(log.name).read_text(errors="replace")[-2000:]
            _stop()
            pytest.fail(f"Xvfb :{n} did not start:\n{text}", pytrace=False)
        time.sleep(0.05)
    _display = f":{n}"
    os.environ["DISPLAY"] = _display
    return _display


def require_psychopy() -> None:
    """Fail (never skip) with a clear message when PsychoPy cannot be imported."""
    try:
        import psychopy  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"PsychoPy is not importable ({exc}); {INSTALL_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def psychopy_display() -> str:
    """DISPLAY of a running Xvfb, with PsychoPy importable (fails otherwise)."""
    display = ensure_xvfb()
    require_psychopy()
    return display  # Xvfb ends with the test process (see _die_with_parent)


# ----------------------------------------------------------------- as a plugin
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("psychopy") is not None or "psychopy." in item.nodeid:
        ensure_xvfb()
        require_psychopy()
