"""Render every view of the desktop app offscreen to ``docs/screenshots/app_<view>.png``.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/app_screenshots.py [--out DIR]``

The sessions shown are made here, in a temporary folder: simulated
participants (the Play view's simulated players, on a virtual clock) and
synthetic agent runs (``tests/_synthetic.py``: a scripted observer with a
random recurrent network's hidden state), all on PerceptualDecisionMaking-v0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TASK = "PerceptualDecisionMaking-v0"
VIEWS = ("tasks", "inspector", "play", "sessions", "replay", "compare")


def make_sessions(root: Path) -> dict[str, list[Path]]:
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play_setup import start_play
    from neurogym_app.runtime.run import PlayOptions
    # the synthetic writer is a test fixture (tests/_synthetic.py), not part of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _synthetic import write_synthetic_session

    out: dict[str, list[Path]] = {"simulated": [], "agent": []}
    for i, pid in enumerate(("sim-01", "sim-02", "sim-03")):
        clock = FakeClock()
        opts = PlayOptions(TASK, participant=pid, n_trials=80, seed=10 + i, player="lapse", lapse=0.08, virtual_clock=True)
        session = start_play(opts, NullDisplay(clock), sessions_root=root)
        while session.tick(clock.now()):
            clock.advance(1 / 60)
        out["simulated"].append(session.path)
    for seed in (1, 2, 3):
        out["agent"].append(
            write_synthetic_session(root, TASK, n_trials=120, seed=seed, participant=f"rnn-{seed}", kwargs={"timing": "human"}, threshold=9.0 + 3 * seed)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="output folder (default docs/screenshots)")
    parser.add_argument("--size", default="1400x900", help="window size WxH (default 1400x900)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from PyQt6.QtWidgets import QApplication

    from neurogym_app.qt.app import MainWindow
    from neurogym_app.qt.settings import app_settings
    from neurogym_app.runtime.run import PlayOptions

    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="ngym-shots-"))
    sessions = make_sessions(tmp / "sessions")
    window = MainWindow(TASK, sessions_root=tmp / "sessions", settings=app_settings(tmp / "settings.ini"), envs_dir=tmp / "envs")
    window.resize(width, height)
    window.show()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(name: str) -> None:
        settle()
        path = out / f"app_{name}.png"
        window.grab().save(str(path))
        print(path)

    # Tasks: a search typed in the box, the task selected
    window.tabs.setCurrentWidget(window.browser)
    window.browser.search.setText("decision")
    window.browser.select_task(TASK)
    shot("tasks")

    # Inspector: a uniform stimulus duration, 6 trials
    window.show_inspector(TASK)
    window.inspector.n_trials.setValue(6)
    window.inspector.editor.set_form("stimulus", "uniform", "300, 1500")
    window.inspector.editor.set_form("fixation", "truncated_exponential", "400, 200, 800")
    window.inspector.regenerate()
    shot("inspector")

    # Play: a simulated participant on a virtual clock, stopped mid-session
    window.tabs.setCurrentWidget(window.play)
    window.play.virtual.setChecked(True)
    opts = PlayOptions(TASK, participant="pilot", n_trials=200, seed=5, player="lapse", lapse=0.05, record=False)
    window.play.start(opts, autorun=False)
    controller = window.play.controller
    while controller.running and len(controller.session.table) < 120:
        controller.run_frames(60)
    controller.run_frames(75)  # into the next trial, so the timeline shows one running
    window.play.refresh_plots(force=True)
    controller.emit_stats()
    shot("play")
    window.play.stop()

    # Sessions
    window.tabs.setCurrentWidget(window.sessions)
    window.sessions.refresh()
    shot("sessions")

    # Replay: an agent run, mid-trial
    window.open_session(sessions["agent"][0])
    window.replay.seek(2, 14)
    shot("replay")

    # Compare: simulated participants vs agent runs
    window.add_to_compare([str(p) for p in sessions["simulated"] + sessions["agent"]])
    shot("compare")
    window.compare.export(out / "app_compare_export.png")

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
