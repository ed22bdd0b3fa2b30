"""PsychoPy backend and the PsychoPy pixel tasks, under a private Xvfb.

These tests run in CI (which installs Xvfb and PsychoPy with `make psychopy`)
and FAIL, never skip, when either is missing. Xvfb has no vsync: no frame
rate is ever asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from _xvfb import psychopy_display  # noqa: F401  (fixture)

import neurogym_app as ngym
from neurogym_app.core import registry
from neurogym_app.core.checks import check_task
from neurogym_app.runtime.clock import MonotonicClock
from neurogym_app.runtime.display import Display
from neurogym_app.stimuli.scene import Bar, Dot, DotField, FixationPoint, Geometry, Image, Patch, Ring, Scene, Text
from neurogym_app.stimuli.views import StepState, make_view

pytestmark = [pytest.mark.psychopy, pytest.mark.usefixtures("psychopy_display")]

SIZE = (400, 300)
GEO = Geometry(pix_per_deg=20.0, size=SIZE)
BG = (128, 128, 128)
PSYCHOPY_IDS = ["psychopy.RandomDotMotion-v0", "psychopy.VisualSearch-v0", "psychopy.SpatialSuppressMotion-v0"]


@pytest.fixture(scope="module")
def display(psychopy_display):  # noqa: F811
    from neurogym_app.stimuli.backends.psychopy_backend import PsychoPyDisplay

    d = PsychoPyDisplay(MonotonicClock(), size=SIZE, geometry=GEO, visible=False, refresh_hz=60.0)
    yield d
    d.close()


def _downsample(img: np.ndarray, cell: int = 10) -> np.ndarray:
    h, w = img.shape[0] // cell * cell, img.shape[1] // cell * cell
    return img[:h, :w].astype(float).reshape(h // cell, cell, w // cell, cell, 3).mean(axis=(1, 3))


def test_psychopy_display_is_a_display(display):
    assert isinstance(display, Display)
    assert display.size == SIZE and display.backend == "psychopy" and display.blocks_on_flip


def test_capture_reads_the_scene_before_the_flip(display):
    scene = Scene((FixationPoint(size=1.0, color=(255, 0, 0)), Dot(4, 2, size=1, color=(0, 255, 0))), background=(20, 30, 40))
    img = display.capture(scene)
    assert img.shape == (300, 400, 3)
    assert tuple(img[150, 200]) == (255, 0, 0)
    assert tuple(img[150 - 40, 200 + 80]) == (0, 255, 0)  # (4, 2) deg at 20 px/deg, +y up
    assert tuple(img[3, 3]) == (20, 30, 40)


def test_present_returns_the_flip_time_on_the_runner_clock(display):
    clock = display.clock
    before = clock.now()
    onset = display.present(Scene(background=BG))
    after = clock.now()
    assert before - 0.05 <= onset <= after + 0.05
    second = display.present(Scene(background=BG))
    assert second >= onset
    assert display.n_frames >= 2 and display.dropped_frames >= 0  # no frame rate asserted (no vsync in Xvfb)
    assert isinstance(display.poll(), list)


def test_both_backends_draw_the_same_scene(display, qapp):
    from neurogym_app.stimuli.backends.qpainter import render_to_image

    rng = np.random.default_rng(0)
    scene = Scene(
        (
            Ring(values=(1.0, 0.5, 0.0, -0.5, 0.8, 0.2), radius=3.0, patch_size=1.2, label="stimulus"),
            FixationPoint(size=0.6),
            Patch(6, 3, size=3, sf=1.2, orientation=30, contrast=0.8, mask="gauss"),
            Bar(-7, -3, value=0.6, width=0.6, height=3),
            Dot(-7, 4, size=1.0, color=(0, 200, 0)),
            Dot(-5, 4, size=1.0, color=(220, 0, 0), shape="square"),
            DotField(rng.uniform(-2, 2, (150, 2)), x=5, y=-4, aperture=2, dot_size=0.2),
            Image(np.linspace(0, 1, 64).reshape(8, 8), -6, 0, width=2),
            Text("Hello", 0, 6, size=0.8),
        ),
        background=BG,
        caption="F = left     J = right",
    )
    q = render_to_image(scene, SIZE, GEO)
    p = display.capture(scene)
    diff = np.abs(_downsample(q) - _downsample(p))
    assert diff.mean() < 3.0, diff.mean()
    assert np.percentile(diff, 99) < 40, np.percentile(diff, 99)


def test_natural_view_frames_match_between_backends(display, qapp):
    from neurogym_app.stimuli.backends.qpainter import render_to_image

    env = ngym.make("PerceptualDecisionMaking-v0", timing="human")
    env.reset(seed=0, options={"trial": {"ground_truth": 0, "coh": 51.2}})
    task = env.unwrapped
    step = (task.start_ind["stimulus"] + task.end_ind["stimulus"]) // 2
    state = StepState(ob=task.ob[step], trial=task.trial, period="stimulus", t_ms=step * task.dt)
    scene = make_view(env, "natural", GEO).scene(state)
    diff = np.abs(_downsample(render_to_image(scene, SIZE, GEO), 20) - _downsample(display.capture(scene), 20))
    assert diff.mean() < 3.0


def test_key_names_are_normalised():
    from neurogym_app.stimuli.backends.psychopy_backend import _normal_key, _pyglet_key

    assert [_normal_key(k) for k in ("left", "SPACE", "return", "enter", "num_3", "f", "escape")] == [
        "left", "space", "return", "return", "3", "f", "escape",
    ]
    assert [_pyglet_key(k) for k in ("SPACE", "_1", "NUM_2", "ENTER", "BACKSPACE", "J")] == [
        "space", "1", "2", "return", "backspace", "j",
    ]


def _window_key(display, symbol, kind="press"):
    display.window.winHandle.dispatch_event("on_key_press" if kind == "press" else "on_key_release", symbol, 0)


def test_window_key_events_reach_poll(display):
    from pyglet.window import key as pkey

    display.poll()
    before = display.clock.now()
    _window_key(display, pkey.SPACE)
    _window_key(display, pkey.SPACE, "release")
    _window_key(display, pkey.LEFT)
    events = display.poll()
    if display.keyboard_backend == "ptb" and display._ptb_seen:  # presses wait a poll for psychtoolbox's copy
        events += display.poll()
    assert [(e.key, e.kind) for e in events] == [("space", "press"), ("space", "release"), ("left", "press")]
    assert all(before <= e.t <= display.clock.now() for e in events)


def test_psychtoolbox_press_replaces_the_window_copy(display):
    """With psychtoolbox, its press (HID time) is kept and the window's copy of it dropped."""
    from psychopy import clock as pclock
    from psychopy import logging as plogging
    from pyglet.window import key as pkey

    class FakePress:
        def __init__(self, name, t_abs):
            self.name, self.tDown = name, t_abs - plogging.defaultClock.getLastResetTime()

    class FakeKeyboard:
        def __init__(self):
            self.queue = []

        def getKeys(self, waitRelease=False, clear=True):  # noqa: N802 (PsychoPy's name)
            out, self.queue = self.queue, []
            return out

    saved = display._keyboard, display._ptb_seen
    fake = FakeKeyboard()
    display._keyboard = fake
    try:
        display.poll()
        t_abs = pclock.getTime()
        fake.queue.append(FakePress("f", t_abs))
        _window_key(display, pkey.F)
        events = display.poll() + display.poll()
        assert [(e.key, e.kind) for e in events] == [("f", "press")]
        assert events[0].t == pytest.approx(t_abs + display._offset, abs=1e-6)
        # a press psychtoolbox never reports still arrives (one poll later)
        _window_key(display, pkey.J)
        first = display.poll()
        assert first == [] and [e.key for e in display.poll()] == ["j"]
    finally:
        display._keyboard, display._ptb_seen = saved
        display._carried.clear()
        display._ptb_recent.clear()


# --------------------------------------------------------------- pixel tasks
def test_psychopy_tasks_are_registered_as_available():
    entries = registry.entries()
    for task_id in PSYCHOPY_IDS:
        assert entries[task_id].available, entries[task_id].note
        assert entries[task_id].group == "psychopy"


@pytest.mark.parametrize("task_id", PSYCHOPY_IDS)
def test_psychopy_task_passes_the_conformance_check(task_id):
    result = check_task(task_id, steps=600, seed=0)
    assert result.ok, result.summary()


def test_random_dot_motion_frames_show_moving_dots_only_in_the_stimulus():
    env = ngym.make("psychopy.RandomDotMotion-v0")
    env.reset(seed=0, options={"trial": {"ground_truth": 0, "coh": 100.0}})
    task = env.unwrapped
    assert task.observation_space.shape == (100, 100, 3) and task.ob.dtype == np.uint8
    fix = task.ob[task.start_ind["fixation"]]
    assert fix.max() == 0  # black, empty
    a = task.ob[task.start_ind["stimulus"] + 2].astype(float).mean(axis=2)
    b = task.ob[task.start_ind["stimulus"] + 3].astype(float).mean(axis=2)
    assert a.max() > 200 and b.max() > 200
    # all dots coherent, moving right: the frame shifted right matches the next frame best
    shifts = {s: np.abs(np.roll(a, s, axis=1) - b).sum() for s in range(-6, 7)}
    assert min(shifts, key=shifts.get) > 0


def test_visual_search_ground_truth_is_the_sample_location():
    env = ngym.make("psychopy.VisualSearch-v0")
    env.reset(seed=3)
    task = env.unwrapped
    decision = task.start_ind["decision"]
    np.testing.assert_allclose(task.gt[decision], task.trial["ground_truth"])
    assert task.trial["ground_truth"] == task.trial["centers"][0]
    assert task.ob[decision].max() > 0 and task.ob[task.start_ind["fixation"]].max() == 0


def test_spatial_suppress_motion_gt_is_a_probability_per_frame():
    env = ngym.make("psychopy.SpatialSuppressMotion-v0")
    env.reset(seed=0, options={"trial": {"direction": 2, "contrast": 0.99}})
    task = env.unwrapped
    np.testing.assert_allclose(task.gt.sum(axis=1), 1.0, atol=1e-5)
    assert task.gt[-1].argmax() == 1  # rightward, the true direction, once seen long enough
    assert task.trial["ground_truth"] == 2
    frames = task.ob.astype(float)
    assert frames[len(frames) // 2].std() > frames[0].std()  # contrast ramps up


def test_agent_view_of_a_pixel_task_shows_the_frame():
    env = ngym.make("psychopy.RandomDotMotion-v0")
    env.reset(seed=0)
    task = env.unwrapped
    step = task.start_ind["stimulus"]
    scene = make_view(env, "natural", GEO).scene(StepState(ob=task.ob[step]))
    (image,) = [i for i in scene.items if isinstance(i, Image)]
    assert np.array_equal(image.data, task.ob[step])


def test_windows_of_pixel_tasks_and_the_display_do_not_disturb_each_other(display, qapp):
    """pyglet hands every window's resize to PsychoPy, which sets the current GL context's viewport."""
    from neurogym_app.stimuli.backends.qpainter import render_to_image

    env = ngym.make("psychopy.RandomDotMotion-v0")
    env.reset(seed=5)
    task = env.unwrapped
    trial = dict(task.trial)
    first = task.ob.copy()
    scene = Scene((Ring(values=(1.0, 0.5, 0.0, 0.8)), Dot(-7, 4, size=1, color=(0, 200, 0)), Bar(-5, -3, value=0.5)), background=BG)
    for _ in range(3):
        display.present(scene)
        display.poll()
    diff = np.abs(_downsample(render_to_image(scene, SIZE, GEO)) - _downsample(display.capture(scene)))
    assert diff.mean() < 3.0
    task.new_trial(**trial)
    assert np.array_equal(task.ob, first)
