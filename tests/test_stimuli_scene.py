"""Scene primitives, Geometry, patch rasters and the random-dot generator (pure numpy)."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest

from neurogym_app.config import DisplayConfig
from neurogym_app.stimuli.natural.rdk import hash_uniform, rdk_frame
from neurogym_app.stimuli.scene import (
    Bar,
    Dot,
    DotField,
    Geometry,
    Image,
    Patch,
    Ring,
    Scene,
    Text,
    expand,
    image_rgb,
    patch_raster,
)


# ----------------------------------------------------------------- primitives
def test_primitives_are_frozen_and_colours_normalised():
    dot = Dot(1, 2, color=[300, -4, 10.4])
    assert dot.color == (255, 0, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dot.x = 3  # type: ignore[misc]
    assert hash(Patch(contrast=0.5)) == hash(Patch(contrast=0.5))
    assert Scene(background=[1, 2, 3]).background == (1, 2, 3)


def test_scene_rejects_foreign_items_and_units():
    with pytest.raises(TypeError, match="primitive"):
        Scene(items=("not an item",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="units"):
        Scene(units="cm")  # type: ignore[arg-type]


def test_scene_with_items_appends_on_top():
    s = Scene((Dot(),), caption="x").with_items(Text("hi"))
    assert isinstance(s.items[-1], Text) and s.caption == "x"


def test_ring_geometry_and_values():
    ring = Ring(values=np.array([1.0, 0.5, 0.0, -0.5]), x=1.0, y=2.0, radius=3.0)
    assert ring.values == (1.0, 0.5, 0.0, -0.5)
    pos = ring.positions()
    np.testing.assert_allclose(pos[0], [4.0, 2.0], atol=1e-12)  # angle 0: to the right
    np.testing.assert_allclose(pos[1], [1.0, 5.0], atol=1e-12)  # 90 deg: up
    np.testing.assert_allclose(pos[2], [-2.0, 2.0], atol=1e-12)  # 180 deg: left
    assert [p.contrast for p in ring.patches()] == [1.0, 0.5, 0.0, -0.5]


def test_expand_turns_rings_and_labels_into_drawables():
    ring = Ring(values=(1.0, 0.0), label="stimulus", unit_labels=("1.00", "0.00"))
    parts = expand(ring)
    kinds = [type(p).__name__ for p in parts]
    assert kinds.count("Patch") == 2 and kinds.count("Text") == 3 and kinds[0] == "Dot"
    assert all(not isinstance(p, Ring) for p in Scene((ring,)).flat_items())
    bar_parts = expand(Bar(label="go", show_value=True, value=0.25))
    assert [type(p).__name__ for p in bar_parts] == ["Bar", "Text", "Text"]
    assert bar_parts[2].text == "+0.25"


def test_bar_fractions_and_clipping():
    bar = Bar(value=0.5, vmin=-1, vmax=1)
    assert bar.zero_fraction == pytest.approx(0.5)
    assert bar.value_fraction == pytest.approx(0.75)
    assert Bar(value=3).clipped == 1 and Bar(value=-3).clipped == -1 and bar.clipped == 0
    assert Bar(value=float("nan")).value_fraction == pytest.approx(0.5)


def test_image_validates_shape_and_is_read_only():
    img = Image(np.zeros((4, 5, 3), dtype=np.uint8), width=2.0)
    assert img.height == pytest.approx(1.6)
    assert not img.data.flags.writeable
    with pytest.raises(ValueError, match="shape"):
        Image(np.zeros((4, 5, 2)))
    rgb = image_rgb(np.array([[0.0, 1.0]]))
    assert rgb.shape == (1, 2, 3) and rgb[0, 1, 0] == 255 and rgb.dtype == np.uint8


def test_dotfield_hides_dots_outside_the_aperture_and_groups_colours():
    pos = np.array([[0.0, 0.0], [0.9, 0.0], [2.0, 0.0]])
    cols = np.array([[255, 0, 0], [0, 0, 255], [255, 0, 0]])
    field = DotField(pos, x=10.0, aperture=1.0, colors=cols)
    assert field.visible().tolist() == [True, True, False]
    groups = dict(field.groups())
    assert set(groups) == {(255, 0, 0), (0, 0, 255)}
    np.testing.assert_allclose(groups[(255, 0, 0)], [[10.0, 0.0]])
    with pytest.raises(ValueError, match="colours"):
        DotField(pos, colors=cols[:2])


# ------------------------------------------------------------------ geometry
def test_geometry_from_display_matches_display_config():
    cfg = DisplayConfig()
    geo = Geometry.from_display(cfg, size=(800, 600))
    assert geo.pix_per_deg == pytest.approx(cfg.pix_per_deg())
    assert geo.pix_per_deg == pytest.approx(36.04, abs=0.01)
    assert geo.size == (800, 600)
    assert Geometry.from_display().size == tuple(cfg.resolution)


def test_geometry_round_trips_between_scene_and_screen():
    geo = Geometry(pix_per_deg=40.0, size=(800, 600))
    assert geo.to_screen(0, 0, "deg") == (400.0, 300.0)
    px, py = geo.to_screen(2.0, 1.0, "deg")
    assert (float(px), float(py)) == (480.0, 260.0)  # +y is up on the scene, down on the screen
    assert geo.from_screen(480.0, 260.0, "deg") == pytest.approx((2.0, 1.0))
    assert geo.from_screen(500.0, 300.0, "pix") == pytest.approx((100.0, 0.0))
    assert geo.deg_to_pix(2.5) == 100.0 and geo.pix_to_deg(20.0) == 0.5
    assert geo.extent("deg") == (10.0, 7.5)
    with pytest.raises(ValueError):
        geo.scale("cm")


# ------------------------------------------------------------------- rasters
def test_uniform_patch_raster_shows_its_colour_inside_and_nothing_outside():
    raster = patch_raster(Patch(size=2.0, contrast=1.0, color=(255, 0, 0)), pix_per_unit=10.0, background=(128, 128, 128))
    assert raster.shape == (20, 20, 4)
    assert tuple(raster[10, 10]) == (255, 0, 0, 255)
    assert raster[0, 0, 3] == 0  # corner outside the disc: transparent


def test_patch_contrast_zero_is_background_and_negative_darkens():
    zero = patch_raster(Patch(size=1.0, contrast=0.0), 20.0, (100, 100, 100))
    assert tuple(zero[10, 10, :3]) == (100, 100, 100)
    neg = patch_raster(Patch(size=1.0, contrast=-0.5), 20.0, (100, 100, 100))
    assert neg[10, 10, 0] < 100


def test_grating_orientation_zero_has_vertical_stripes():
    raster = patch_raster(Patch(size=4.0, contrast=1.0, sf=1.0, mask="square"), 16.0, (128, 128, 128)).astype(float)
    lum = raster[..., 0]
    assert np.ptp(lum[:, 32]) < 1.0  # constant down a column
    assert np.ptp(lum[32, :]) > 200  # varies across a row
    turned = patch_raster(Patch(size=4.0, contrast=1.0, sf=1.0, orientation=90, mask="square"), 16.0, (128, 128, 128)).astype(float)
    assert np.ptp(turned[32, :, 0]) < 1.0 and np.ptp(turned[:, 32, 0]) > 200


def test_gauss_mask_fades_towards_the_edge():
    raster = patch_raster(Patch(size=3.0, mask="gauss"), 20.0)
    alpha = raster[30, :, 3].astype(float)
    assert alpha[30] >= 250 and alpha[2] < 30


# ------------------------------------------------------------------------ RDK
def test_hash_uniform_is_reproducible_and_uniform():
    i = np.arange(20000)
    a = hash_uniform(7, i, np.zeros_like(i), 1)
    assert np.array_equal(a, hash_uniform(7, i, np.zeros_like(i), 1))
    assert not np.array_equal(a, hash_uniform(8, i, np.zeros_like(i), 1))
    assert 0.0 <= a.min() and a.max() < 1.0
    assert abs(a.mean() - 0.5) < 0.01


def test_rdk_frames_depend_only_on_seed_and_time():
    a = rdk_frame(123, 0.5, coherence=0.3)
    b = rdk_frame(123, 0.5, coherence=0.3)
    c = rdk_frame(124, 0.5, coherence=0.3)
    assert np.array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)


def test_rdk_coherent_dots_move_in_the_signal_direction():
    dt = 0.01
    for direction, sign in ((0.0, 1.0), (math.pi, -1.0)):
        f0 = rdk_frame(5, 0.3, coherence=1.0, direction=direction, n_dots=400, aperture=4.0, speed=5.0)
        f1 = rdk_frame(5, 0.3 + dt, coherence=1.0, direction=direction, n_dots=400, aperture=4.0, speed=5.0)
        d = f1.positions - f0.positions
        moved = np.abs(d[:, 0]) < 1.0  # not reborn nor wrapped in between
        assert np.median(d[moved, 0]) == pytest.approx(sign * 5.0 * dt)
        assert np.median(np.abs(d[moved, 1])) == pytest.approx(0.0, abs=1e-9)


def test_rdk_coherence_is_the_share_of_signal_dots():
    frame = rdk_frame(3, 1.0, coherence=0.3, n_dots=20000)
    assert frame.coherent.mean() == pytest.approx(0.3, abs=0.015)
    assert frame.visible.mean() == pytest.approx(math.pi / 4, abs=0.02)


# ---------------------------------------------------------------- layer rule
def test_pure_stimuli_modules_import_no_qt_or_psychopy():
    code = (
        "import sys\n"
        "import neurogym_app.stimuli.scene, neurogym_app.stimuli.views\n"
        "import neurogym_app.stimuli.natural.motion, neurogym_app.stimuli.natural.shapes\n"
        "import neurogym_app.stimuli.natural.gratings, neurogym_app.stimuli.natural.flashes\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'psychopy', 'pyqtgraph', 'matplotlib', 'torch')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
