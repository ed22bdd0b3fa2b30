"""Render one view of the desktop app to a PNG, offscreen (``neurogym-app screenshot VIEW``).

Each view is staged as a user would see it after a few clicks:

* ``tasks``: the task browser with the task selected (a search for its family typed);
* ``inspector``: the period inspector on the task, six trials drawn;
* ``play``: the Play view with a simulated participant (lapse player, virtual clock,
  not recorded) stopped mid-session, live plots filled;
* ``sessions``: the Sessions view listing a sessions root (the folder given, or ``--sessions``);
* ``replay``: a recorded session in the Replay view, at the middle step of its third trial;
* ``compare``: the Compare view with the sessions given (run or experiment folders).

The scripts that build the docs (``scripts/app_screenshots.py``) call the command once per view.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from neurogym_app.errors import UserError

__all__ = ["VIEWS", "ScreenshotError", "render_view"]

VIEWS = ("tasks", "inspector", "play", "sessions", "replay", "compare")


class ScreenshotError(UserError):
    """A view that cannot be rendered as asked (a missing session, a PNG that cannot be written)."""


def _is_session_folder(path: Path) -> bool:
    return (path / "manifest.json").is_file() or (path / "experiment.json").is_file()


def render_view(
    view: str,
    targets: Sequence[str],
    out: str | os.PathLike[str],
    *,
    task_id: str = "PerceptualDecisionMaking-v0",
    sessions_root: str | os.PathLike[str] = "sessions",
    size: tuple[int, int] = (1400, 900),
) -> Path:
    """Render ``view`` (one of :data:`VIEWS`) for ``targets`` (task id or session folders) to ``out``."""
    if view not in VIEWS:
        raise ScreenshotError(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    target = Path(out)
    if target.suffix.lower() != ".png":
        raise ScreenshotError(f"--out {target}: give a .png file name")
    from neurogym_app.core import registry

    paths = [Path(t) for t in targets]
    if view in ("tasks", "inspector", "play"):
        if len(targets) > 1:
            raise ScreenshotError(f"the {view} view shows one task: give one task id, not {len(targets)}")
        if targets:
            task_id = registry.spec(targets[0]).id  # unknown id: one line with suggestions
    elif view in ("replay", "compare"):
        if not targets:
            raise ScreenshotError(f"the {view} view needs a recorded session: neurogym-app screenshot {view} SESSION --out FILE.png")
        for p in paths:
            if not p.is_dir() or not _is_session_folder(p):
                raise ScreenshotError(f"{p} is not a session folder (no manifest.json or experiment.json)")
        if view == "replay" and len(paths) > 1:
            raise ScreenshotError("the replay view shows one session: give one run folder")
    elif view == "sessions" and len(targets) > 1:
        raise ScreenshotError("the sessions view lists one folder: give one sessions root")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    from neurogym_app.qt.app import MainWindow
    from neurogym_app.qt.settings import app_settings

    app = QApplication.instance() or QApplication(["neurogym-app"])
    root = paths[0] if view == "sessions" and paths else Path(sessions_root)
    if view == "sessions" and not root.is_dir():
        raise ScreenshotError(f"{root}: no such sessions folder")
    with tempfile.TemporaryDirectory(prefix="ngym-shot-") as tmp:
        window = MainWindow(task_id, sessions_root=root, settings=app_settings(Path(tmp) / "settings.ini"), envs_dir=Path(tmp) / "envs")
        window.resize(*size)
        window.show()
        try:
            _stage(window, view, task_id, paths, app)
            _settle(app)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(target)):
                raise ScreenshotError(f"cannot write the screenshot {target}")
        finally:
            if view == "play":
                window.play.stop()
            window.close()
            window.deleteLater()
            app.processEvents()
    return target


def _settle(app, seconds: float = 0.4) -> None:  # noqa: ANN001 (Qt object)
    """Let pending timers (debounced redraws, tab switches) fire before the grab, on a busy machine too."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _stage(window, view: str, task_id: str, paths: list[Path], app) -> None:  # noqa: ANN001 (Qt objects)
    if view == "tasks":
        window.tabs.setCurrentWidget(window.browser)
        family = task_id.split("-")[0].split(".")[0]
        window.browser.search.setText("decision" if "Decision" in family else family[:6])
        window.browser.select_task(task_id)
    elif view == "inspector":
        window.show_inspector(task_id)
        window.inspector.n_trials.setValue(6)
        window.inspector.regenerate()
    elif view == "play":
        from neurogym_app.runtime.run import PlayOptions

        window.tabs.setCurrentWidget(window.play)
        window.play.virtual.setChecked(True)
        opts = PlayOptions(task_id, participant="pilot", n_trials=200, seed=5, player="lapse", lapse=0.05, record=False)
        window.play.start(opts, autorun=False)
        controller = window.play.controller
        while controller.running and len(controller.session.table) < 120:
            controller.run_frames(60)
        controller.run_frames(75)  # into the next trial, so the timeline shows one running
        window.play.refresh_plots(force=True)
        controller.emit_stats()
    elif view == "sessions":
        window.tabs.setCurrentWidget(window.sessions)
        window.sessions.refresh()
    elif view == "replay":
        if not window.open_session(paths[0]):
            raise ScreenshotError(f"{paths[0]}: the Replay view cannot open it")
        try:
            window.replay.seek(2, 14)  # the middle of the third trial
        except (IndexError, KeyError, ValueError):
            window.replay.seek(0, 0)  # a shorter session: its first trial
    elif view == "compare":
        window.add_to_compare([str(p) for p in paths])
    app.processEvents()
