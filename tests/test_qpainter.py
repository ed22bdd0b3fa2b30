"""QPainter backend, StimulusCanvas and QtDisplay: known scenes give known pixels (offscreen Qt)."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt

import neurogym_app as ngym
from neurogym_app.input.events import KeyEvent, PointerEvent
from neurogym_app.qt.canvas import QtDisplay, StimulusCanvas, key_name
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.display import Display
from neurogym_app.stimuli.backends.qpainter import render_scene, render_to_image, save_png
from neurogym_app.stimuli.scene import Bar, Dot, DotField, FixationPoint, Geometry, Image, Patch, Scene, Text
from neurogym_app.stimuli.views import StepState, make_view

SIZE = (400, 300)
GEO = Geometry(pix_per_deg=20.0, size=SIZE)
BG = (128, 128, 128)


def _px(img: np.ndarray, x: float, y: float) -> tuple[int, int, int]:
    """Pixel at scene position (x, y) deg (centre origin, +y up)."""
    col = int(round(SIZE[0] / 2 + x * GEO.pix_per_deg))
    row = int(round(SIZE[1] / 2 - y * GEO.pix_per_deg))
    return tuple(int(v) for v in img[row, col])


@pytest.fixture
def render(qapp):
    def _render(scene: Scene, size=SIZE, geometry=GEO) -> np.ndarray:
        return render_to_image(scene, size, geometry)

    return _render


def test_background_everywhere_for_an_empty_scene(render):
    img = render(Scene(background=(10, 20, 30)))
    assert img.shape == (300, 400, 3) and img.dtype == np.uint8
    assert (img.reshape(-1, 3) == (10, 20, 30)).all()


def test_fixation_point_colour_at_the_centre(render):
    img = render(Scene((FixationPoint(size=1.0, color=(255, 0, 0)),), background=BG))
    assert _px(img, 0, 0) == (255, 0, 0)
    assert _px(img, 0.3, 0.3) == BG  # between the arms of the cross
    assert _px(img, 3, 3) == BG


def test_units_deg_and_pix_place_items_where_expected(render):
    img = render(Scene((Dot(2.0, 1.0, size=0.5, color=(0, 255, 0)),), background=BG, units="deg"))
    assert _px(img, 2.0, 1.0) == (0, 255, 0) and _px(img, -2.0, 1.0) == BG
    img = render(Scene((Dot(40.0, 20.0, size=10, color=(0, 255, 0)),), background=BG, units="pix"))
    assert _px(img, 2.0, 1.0) == (0, 255, 0)


def test_known_observation_gives_known_picture(render):
    """PDM agent view: fixation on, ring unit 0 (angle 0) at contrast 1, unit 1 at 0."""
    env = ngym.make("PerceptualDecisionMaking-v0")
    env.reset(seed=0)
    view = make_view(env, "agent", GEO)
    scene = view.scene(StepState(ob=np.array([1.0, 1.0, 0.0], dtype=np.float32)))
    img = render(scene)
    assert _px(img, 0, 0) == (255, 255, 255)  # the fixation colour
    ring = scene.items[0]
    right = _px(img, ring.x + ring.radius, ring.y)
    left = _px(img, ring.x - ring.radius, ring.y)
    assert right == (255, 255, 255)  # contrast 1 at angle 0: bright, to the right
    assert left == BG  # contrast 0: background
    assert _px(img, 0, 6.5) == BG and tuple(img[0, 0]) == BG


def test_patch_contrast_and_grating(render):
    img = render(Scene((Patch(-4, 0, size=2, contrast=0.5), Patch(4, 0, size=4, contrast=1, sf=1.0, mask="square")), background=BG))
    assert _px(img, -4, 0) == (192, 192, 192)  # 128 + 0.5 * (255 - 128)
    row = img[150, 200 + 45: 200 + 115, 0].astype(int)
    assert row.max() > 240 and row.min() < 15  # a full-contrast grating
    col = img[120:180, 200 + 80, 0].astype(int)
    assert np.ptp(col) <= 2  # orientation 0: vertical stripes


def test_bar_fill_follows_the_value(render):
    img = render(Scene((Bar(0, 0, value=1.0, width=1, height=4, vmin=-1, vmax=1, color=(255, 0, 0)),), background=BG))
    assert _px(img, 0, 1.0) == (255, 0, 0)  # filled from 0 up to 1
    assert _px(img, 0, -1.0) == BG


def test_dotfield_text_image_and_caption_draw(render):
    field = DotField(np.array([[1.0, 0.0], [9.0, 9.0]]), aperture=2.0, dot_size=0.5, color=(0, 0, 255))
    data = np.zeros((4, 4, 3), dtype=np.uint8)
    data[:2] = 255
    scene = Scene((field, Text("HELLO", 0, 5, size=1.0), Image(data, -6, 0, width=2)), background=BG, caption="F = left")
    img = render(scene)
    assert _px(img, 1.0, 0.0) == (0, 0, 255)
    text_box = img[40:60, 150:250].reshape(-1, 3)
    assert (text_box > 200).all(axis=1).any()
    assert _px(img, -6, 0.5) == (255, 255, 255) and _px(img, -6, -0.5) == (0, 0, 0)  # first row at the top
    caption_band = img[-30:, :, :].reshape(-1, 3)
    assert (caption_band > 190).all(axis=1).any()


def test_render_scene_into_a_painter_and_to_a_png(qapp, tmp_path):
    from PyQt6.QtGui import QImage, QPainter

    from neurogym_app.stimuli.backends.qpainter import qimage_to_array

    scene = Scene((FixationPoint(color=(0, 255, 0)),), background=BG)
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    render_scene(scene, painter, GEO)
    painter.end()
    arr = qimage_to_array(image)
    assert tuple(arr[50, 100]) == (0, 255, 0) and tuple(arr[0, 0]) == BG
    save_png(scene, tmp_path / "x.png", (64, 48), GEO)
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ canvas
@pytest.mark.parametrize(
    ("key", "text", "name"),
    [
        (Qt.Key.Key_F, "f", "f"),
        (Qt.Key.Key_J, "J", "j"),
        (Qt.Key.Key_1, "1", "1"),
        (Qt.Key.Key_Left, "", "left"),
        (Qt.Key.Key_Space, " ", "space"),
        (Qt.Key.Key_Return, "\r", "return"),
        (Qt.Key.Key_Enter, "\r", "return"),
        (Qt.Key.Key_Escape, "", "escape"),
        (Qt.Key.Key_Tab, "\t", "tab"),
        (Qt.Key.Key_Backspace, "", "backspace"),
        (Qt.Key.Key_Shift, "", None),
    ],
)
def test_key_names_are_normalised(key, text, name):
    assert key_name(key, text) == name


def test_canvas_turns_keys_into_key_events_with_clock_times(qtbot):
    clock = FakeClock(10.0)
    canvas = StimulusCanvas(clock, GEO)
    qtbot.addWidget(canvas)
    canvas.resize(*SIZE)
    canvas.show()
    qtbot.keyPress(canvas, Qt.Key.Key_F)
    clock.advance(0.25)
    qtbot.keyRelease(canvas, Qt.Key.Key_F)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    qtbot.keyClick(canvas, Qt.Key.Key_Tab)
    events = canvas.take_events()
    assert events[:2] == [KeyEvent("f", 10.0, "press"), KeyEvent("f", 10.25, "release")]
    assert [(e.key, e.kind) for e in events[2:]] == [("left", "press"), ("left", "release"), ("tab", "press"), ("tab", "release")]
    assert canvas.take_events() == []


def test_canvas_pointer_events_in_scene_units(qtbot):
    clock = FakeClock(1.0)
    canvas = StimulusCanvas(clock, GEO)
    qtbot.addWidget(canvas)
    canvas.resize(*SIZE)
    canvas.show()
    canvas.set_scene(Scene(units="deg"))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(240, 130))
    press, release = canvas.take_events()
    assert press == PointerEvent(2.0, 1.0, 1.0, "press", 1)
    assert release.kind == "release"


def test_canvas_paints_its_scene(qtbot):
    canvas = StimulusCanvas(FakeClock(), GEO)
    qtbot.addWidget(canvas)
    canvas.resize(*SIZE)
    canvas.set_scene(Scene((FixationPoint(size=1.0, color=(255, 0, 0)),), background=(0, 0, 50)))
    img = canvas.grab_array()
    assert img.shape == (300, 400, 3)
    assert tuple(img[150, 200]) == (255, 0, 0) and tuple(img[5, 5]) == (0, 0, 50)


# ----------------------------------------------------------------- display
def test_qt_display_implements_the_protocol_offscreen(qtbot):
    clock = FakeClock(100.0)
    display = QtDisplay(clock, size=SIZE, geometry=GEO, offscreen=True, refresh_hz=60.0)
    try:
        assert isinstance(display, Display)
        scene = Scene((FixationPoint(size=1.0, color=(255, 0, 0)),), background=BG)
        assert display.present(scene) == 100.0
        clock.advance(1 / 60)
        assert display.present(scene) == pytest.approx(100.0 + 1 / 60)
        assert display.dropped_frames == 0
        clock.advance(3 / 60)  # two refreshes missed
        display.present(scene)
        assert display.dropped_frames == 1 and display.n_frames == 3
        assert display.measured_hz is not None
        shot = display.capture()
        assert tuple(shot[150, 200]) == (255, 0, 0)
        diff = np.abs(shot.astype(int) - render_to_image(scene, SIZE, GEO).astype(int))
        assert diff.max() <= 2
        display.inject(KeyEvent("j", 100.5))
        assert display.poll() == [KeyEvent("j", 100.5)]
        assert display.poll() == []
    finally:
        display.close()


def test_qt_display_window_delivers_key_presses(qtbot):
    clock = FakeClock(5.0)
    display = QtDisplay(clock, size=SIZE, geometry=GEO, refresh_hz=60.0)
    try:
        display.present(Scene())
        qtbot.keyClick(display.canvas, Qt.Key.Key_Space)
        events = display.poll()
        assert [(e.key, e.kind, e.t) for e in events] == [("space", "press", 5.0), ("space", "release", 5.0)]
        assert display.refresh_hz == 60.0 and display.nominal_hz > 0
    finally:
        display.close()
