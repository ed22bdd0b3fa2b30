"""Regenerate ``natural_<family>_<task>.png``: the natural view of one task per stimulus family.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_natural_screenshots.py

Each sheet is one trial (human timing, seed 3): the instructions a participant
reads first, then the middle frame of each period (at most eight), drawn by
the QPainter backend at 800x600 px, 36 px/deg, with the task's real key map as
the caption. Tiles are labelled with the period name (yellow, not part of the frame).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_stimulus_screenshots import GEO, SIZE, _label, _sheet  # noqa: E402

import neurogym_app as ngym  # noqa: E402
from neurogym_app.input.keymap import build_keymap  # noqa: E402
from neurogym_app.stimuli.backends.qpainter import render_to_image  # noqa: E402
from neurogym_app.stimuli.instructions import task_instructions  # noqa: E402
from neurogym_app.stimuli.views import StepState, instruction_scene, key_caption, make_view  # noqa: E402

HERE = Path(__file__).resolve().parent
FAMILIES = {
    "ring": ["yang19.dm1-v0", "yang19.ctxdm1-v0", "yang19.dms-v0", "AntiReach-v0", "AngleReproduction-v0", "Reaching1D-v0",
             "ReachingDelayResponse-v0"],
    "motion": ["PostDecisionWager-v0", "MultiSensoryIntegration-v0", "DelayMatchCategory-v0", "ChangingEnvironment-v0"],
    "gratings": ["IBL-v0", "DualDelayMatchSample-v0", "DelayMatchSampleDistractor1D-v0"],
    "flashes": ["MotorTiming-v0", "OneTwoThreeGo-v0", "IntervalDiscrimination-v0", "DelayComparison-v0", "PulseDecisionMaking-v0",
                "HierarchicalReasoning-v0", "Detection-v0"],
    "tones": ["ToneDetection-v0", "AnnubesEnv-v0"],
    "symbols": ["DawTwoStep-v0", "DelayPairedAssociation-v0", "MatchingPenny-v0", "ProbabilisticReasoning-v0"],
    "quantities": ["EconomicDecisionMaking-v0", "Bandit-v0"],
}


def sheet(task_id: str, out: Path, family: str) -> Path:
    env = ngym.make(task_id, timing="human")
    env.reset(seed=3)
    task = env.unwrapped
    try:
        keymap = build_keymap(env)
        caption = key_caption({b.name: list(b.keys) for b in keymap.bindings if b.keys}) or None
        keys = keymap.describe()
    except Exception as exc:  # refused tasks still get their picture
        caption, keys = None, f"(not offered to people: {exc})"
    view = make_view(env, "natural", GEO, caption=caption)
    text = (task_instructions(env) or "") + "\n\n" + keys.replace(" | ", "\n")
    tiles = [_label(render_to_image(instruction_scene(text, title=task_id, text_size=0.42), SIZE, GEO), "instructions")]
    for period in list(task.start_ind)[:8]:
        a, b = task.start_ind[period], task.end_ind[period]
        if b <= a:
            continue
        step = min((a + b - 1) // 2, task.n_steps - 1)
        state = StepState(ob=task.ob[step], trial=dict(task.trial), period=task.period_at(step), t_ms=step * task.dt,
                          obs_space_names=task.observation_space.name)
        scene = view.scene(state)
        sound = "  + tone" if scene.tones() else ""
        tiles.append(_label(render_to_image(scene, SIZE, GEO), f"{period}{sound}"))
    path = out / f"natural_{family}_{task_id.replace('-v0', '').replace('.', '_')}.png"
    _sheet(tiles).save(path)
    return path


if __name__ == "__main__":
    for family, ids in FAMILIES.items():
        for task_id in ids:
            print(sheet(task_id, HERE, family))
