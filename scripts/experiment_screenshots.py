"""Render the experiment flow's screens and the participant dialog offscreen, to docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/experiment_screenshots.py [OUT_DIR]

Writes experiment_<screen>.png for: participant_dialog, welcome, instructions,
example, practice_feedback (a practice trial's feedback after a mistake),
practice_done, break, confirm_abort, end. The screens come from a real
headless run of envs/pilot_example.toml (what the participant would see).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1024, 768)


def main(out: Path) -> list[Path]:
    from neurogym_app.config.experiment import load_experiment
    from neurogym_app.experiment.run import run_experiment
    from neurogym_app.experiment.screens import validate_participant
    from neurogym_app.qt.participant_dialog import ParticipantDialog
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.stimuli.backends.qpainter import ensure_app, save_png
    from neurogym_app.stimuli.scene import Geometry

    out.mkdir(parents=True, exist_ok=True)
    app = ensure_app()
    path = ROOT / "envs" / "pilot_example.toml"
    cfg = load_experiment(path)
    written: list[Path] = []

    # the dialog, filled in, with a validation message showing
    dialog = ParticipantDialog(cfg.participant_fields, title=cfg.title)
    dialog.id_edit.setText("P07")
    dialog.editors["age"].setText("17")
    dialog.editors["handedness"].setCurrentText("right")
    dialog.validate()
    dialog.adjustSize()
    dialog.show()
    app.processEvents()
    target = out / "experiment_participant_dialog.png"
    dialog.grab().save(str(target))
    dialog.close()
    written.append(target)

    # the screens: a headless run that keeps the first scene of each kind
    geometry = Geometry(size=SIZE)
    wanted = {"welcome", "instructions", "example", "practice_done", "break", "confirm_abort", "end"}
    scenes: dict[str, object] = {}

    class Capture:
        backend = "capture"
        refresh_hz = 60.0

        def __init__(self, clock):
            self.clock = clock
            self.inbox = []

        def present(self, scene):
            stage = run.confirm or run.stage
            name = getattr(getattr(stage, "screen", None), "name", None)
            if name in wanted and name not in scenes:
                scenes[name] = scene
            if run.phase == "running" and "practice_feedback" not in scenes:
                block = run.current_block
                runner = getattr(stage, "runner", None)
                if block is not None and block.practice and runner is not None and runner.phase == "feedback":
                    if run.rows and run.rows[-1].get("outcome") != "correct":
                        scenes["practice_feedback"] = scene
            return self.clock.now()

        def poll(self):
            out, self.inbox = self.inbox, []
            if run.stage is not None and getattr(getattr(run.stage, "screen", None), "name", "") == "break" and "confirm_abort" not in scenes:
                from neurogym_app.input.events import KeyEvent

                out.append(KeyEvent("escape", self.clock.now()))
            return out

        def close(self):
            pass

    clock = FakeClock()
    display = Capture(clock)
    run = None

    def started(r):
        nonlocal run
        run = r

    # a weak simulated observer, so the practice has mistakes to show feedback for
    cfg.simulated.threshold, cfg.simulated.width = 60.0, 10.0
    from neurogym_app.experiment.run import LoadedExperiment

    with tempfile.TemporaryDirectory() as tmp:
        original_tick = None

        def confirm_then_continue():
            # the confirm screen gets no automatic answer: press N a moment after it appears
            nonlocal original_tick
            from neurogym_app.input.events import KeyEvent

            def tick(now):
                if run is not None and run.confirm is not None and run.confirm.onset is not None and now - run.confirm.onset > 0.5:
                    display.inbox.append(KeyEvent("n", now))
                return original_tick(now)

            return tick

        def started_hook(r):
            nonlocal original_tick
            started(r)
            original_tick = r.tick
            r.tick = confirm_then_continue()

        run_experiment(LoadedExperiment(cfg, str(path)), display, clock, participant=validate_participant("P07", 1),
                       out=tmp, auto="psychometric", geometry=geometry, draw=True, on_start=started_hook)
    for name, scene in scenes.items():
        file = out / f"experiment_{name}.png"
        save_png(scene, file, SIZE, geometry)
        written.append(file)
    missing = wanted - set(scenes)
    if missing:
        raise SystemExit(f"screens not captured: {', '.join(sorted(missing))}")
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    for p in main(target):
        print(p)
