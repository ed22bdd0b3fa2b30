"""Regenerate the screenshots in this folder (one trial per task, agent and natural view).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_stimulus_screenshots.py
    DISPLAY=:99 .venv/bin/python docs/screenshots/make_stimulus_screenshots.py --psychopy   # also the PsychoPy pictures (Xvfb)

Each ``<Task>_<view>.png`` is a contact sheet: the middle frame of every period
of one trial (human timing, fixed trial variables), then the feedback frame,
drawn offscreen with the QPainter backend at 800x600 px, 36 px/deg.
``--psychopy`` adds ``backends_qpainter_vs_psychopy.png`` (the same scenes drawn
by both backends) and ``psychopy_pixel_tasks.png`` (frames of the pixel tasks).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from PIL import ImageDraw, ImageFont  # noqa: E402

import neurogym_app as ngym  # noqa: E402
from neurogym_app.stimuli.backends.qpainter import render_to_image  # noqa: E402
from neurogym_app.stimuli.scene import Geometry  # noqa: E402
from neurogym_app.stimuli.views import StepState, key_caption, make_view  # noqa: E402

HERE = Path(__file__).resolve().parent
SIZE = (800, 600)
GEO = Geometry(36.0, SIZE)
TILE = (400, 300)
TASKS = {
    "PerceptualDecisionMaking-v0": ({"ground_truth": 0, "coh": 51.2}, {"left": "f", "right": "j"}),
    "ContextDecisionMaking-v0": (
        {"ground_truth": 1, "other_choice": 2, "context": 1, "coh_1": 50.0, "coh_2": 50.0},
        {"choice 2 (left / blue)": "f", "choice 1 (right / orange)": "j"},
    ),
    "GoNogo-v0": ({"ground_truth": 1}, {"go": "space"}),
    "DelayMatchSample-v0": ({"ground_truth": 2, "sample_theta": 0.0}, {"match": "f", "non-match": "j"}),
    "ReadySetGo-v0": ({}, {"go": "space"}),
}


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _sheet(tiles: list[PILImage.Image], cols: int = 3) -> PILImage.Image:
    rows = (len(tiles) + cols - 1) // cols
    w, h = tiles[0].size
    sheet = PILImage.new("RGB", (cols * (w + 4) - 4, rows * (h + 4) - 4), (20, 20, 20))
    for j, tile in enumerate(tiles):
        sheet.paste(tile, ((j % cols) * (w + 4), (j // cols) * (h + 4)))
    return sheet


def _label(img: np.ndarray, text: str) -> PILImage.Image:
    tile = PILImage.fromarray(img).resize(TILE, PILImage.LANCZOS)
    ImageDraw.Draw(tile).text((8, 6), text, fill=(255, 255, 0), font=_font(16))
    return tile


def trial_sheets(out: Path) -> list[Path]:
    written = []
    for task_id, (trial, keys) in TASKS.items():
        env = ngym.make(task_id, timing="human")
        env.reset(seed=3, options={"trial": trial})
        task = env.unwrapped
        states = []
        for period in task.periods:
            step = min(int(((task.start_t[period] + task.end_t[period]) / 2) // task.dt), task.n_steps - 1)
            if task.end_t[period] > task.start_t[period] and task.period_at(step) == period:
                states.append(StepState(ob=task.ob[step], trial=dict(task.trial), period=period, t_ms=step * task.dt,
                                        obs_space_names=task.observation_space.name))
        for kind in ("agent", "natural"):
            view = make_view(env, kind, GEO, caption=key_caption(keys))
            tiles = [_label(render_to_image(view.scene(s), SIZE, GEO), f"{s.period}  t={s.t_ms:.0f} ms") for s in states]
            feedback = view.scene(StepState(ob=task.ob[0], trial=task.trial, feedback="correct"))
            tiles.append(_label(render_to_image(feedback, SIZE, GEO), "feedback"))
            path = out / f"{task_id.replace('-v0', '')}_{kind}.png"
            _sheet(tiles).save(path)
            written.append(path)
    return written


def psychopy_sheets(out: Path) -> list[Path]:
    from neurogym_app.stimuli.backends.psychopy_backend import PsychoPyDisplay
    from neurogym_app.stimuli.scene import Bar, Dot, DotField, FixationPoint, Image, Patch, Ring, Scene, Text

    values = (1, 0.5, 0, -0.5, 1.3, 0.2, 0.7, 0.1)
    primitives = Scene(
        (
            Ring(values=values, label="ring: contrast = value", unit_labels=tuple(f"{v:.1f}" for v in values)),
            FixationPoint(),
            Bar(x=-7, y=-3.5, value=0.6, label="bar", show_value=True),
            Patch(x=6.5, y=3, size=3, sf=1.5, orientation=30, contrast=0.8, mask="gauss"),
            Dot(x=-7, y=4, color=(60, 200, 80)),
            Dot(x=-5.5, y=4, shape="square", color=(225, 60, 50)),
            Dot(x=-4, y=4, shape="triangle", fill=False),
            DotField(np.random.default_rng(0).uniform(-2, 2, (200, 2)), x=6, y=-3.5, aperture=2, show_aperture=True),
            Text("Text", x=0, y=6.3, size=0.8),
            Image(np.arange(100).reshape(10, 10) / 100, x=-7, y=0, width=2),
        ),
        caption="caption: F = left    J = right",
    )
    env = ngym.make("ContextDecisionMaking-v0", timing="human")
    env.reset(seed=0, options={"trial": {"ground_truth": 1, "other_choice": 2, "context": 0, "coh_1": 50.0, "coh_2": 15.0}})
    task = env.unwrapped
    step = (task.start_ind["stimulus"] + task.end_ind["stimulus"]) // 2
    natural = make_view(env, "natural", GEO).scene(StepState(ob=task.ob[step], trial=task.trial, period="stimulus", t_ms=step * task.dt))
    display = PsychoPyDisplay(size=SIZE, geometry=GEO, visible=False)
    tiles = []
    try:
        for name, scene in (("primitives", primitives), ("ContextDecisionMaking natural", natural)):
            for backend, img in (("QPainter", render_to_image(scene, SIZE, GEO)), ("PsychoPy (back buffer)", display.capture(scene))):
                tile = PILImage.fromarray(img)
                ImageDraw.Draw(tile).text((8, 6), f"{name}: {backend}", fill=(255, 255, 0), font=_font(16))
                tiles.append(tile)
    finally:
        display.close()
    backends = out / "backends_qpainter_vs_psychopy.png"
    _sheet(tiles, cols=2).save(backends)

    rows = []
    for task_id in ("psychopy.RandomDotMotion-v0", "psychopy.VisualSearch-v0", "psychopy.SpatialSuppressMotion-v0"):
        env = ngym.make(task_id)
        env.reset(seed=1)
        task = env.unwrapped
        row = PILImage.new("RGB", (6 * 204, 230), (20, 20, 20))
        ImageDraw.Draw(row).text((4, 4), task_id, fill=(255, 255, 0), font=_font(16))
        for j, k in enumerate(np.linspace(0, task.n_steps - 1, 6).astype(int)):
            tile = PILImage.fromarray(task.ob[k]).resize((200, 200), PILImage.NEAREST)
            ImageDraw.Draw(tile).text((4, 182), f"{task.period_at(k)} {k * task.dt:.0f} ms", fill=(255, 255, 0), font=_font(12))
            row.paste(tile, (j * 204, 28))
        rows.append(row)
    pixel = out / "psychopy_pixel_tasks.png"
    _sheet(rows, cols=1).save(pixel)
    return [backends, pixel]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(HERE), help="folder (default: this one)")
    parser.add_argument("--psychopy", action="store_true", help="also the PsychoPy pictures (needs PsychoPy and an X display)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = trial_sheets(out)
    if args.psychopy:
        written += psychopy_sheets(out)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
