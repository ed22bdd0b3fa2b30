"""A Scene: what one frame shows, as pure data (numpy only, no Qt, no PsychoPy).

Coordinates are relative to the centre of the screen, +x to the right, +y up,
in the Scene's ``units`` (``"pix"`` or ``"deg"`` of visual angle). Angles are in
degrees, counter-clockwise from +x (the usual maths convention, so a ring unit
at angle 0 is to the right of the centre and one at 180 to the left).
Colours are ``(r, g, b)`` with 0-255 channels.

Every primitive is a frozen dataclass; drawing backends (QPainter, PsychoPy)
turn them into pixels. Where both backends must agree on the pixels (patches,
gratings), the raster is computed here in numpy (``patch_raster``) and the
backends only blit it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, Literal

import numpy as np

__all__ = [
    "Color",
    "Units",
    "FixationPoint",
    "Dot",
    "Bar",
    "Patch",
    "Ring",
    "Text",
    "Image",
    "DotField",
    "Tone",
    "Item",
    "Scene",
    "Geometry",
    "expand",
    "patch_raster",
    "image_rgb",
    "to_color",
    "WHITE",
    "CAPTION_PX",
    "BLACK",
    "GREY",
]

Color = tuple[int, int, int]
Units = Literal["pix", "deg"]

#: letter height (pixels) of a Scene's caption: it ignores the scene's units
CAPTION_PX = 18

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
GREY: Color = (128, 128, 128)


def to_color(value: Any) -> Color:
    """``(r, g, b)`` ints clipped to 0-255 from any 3-sequence (or a grey level)."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = int(round(float(value)))
        return (max(0, min(255, v)),) * 3
    seq = [float(v) for v in value]
    if len(seq) != 3:
        raise ValueError(f"a colour needs 3 channels (r, g, b), got {value!r}")
    return tuple(max(0, min(255, int(round(v)))) for v in seq)  # type: ignore[return-value]


def _frozen_array(value: Any, dtype: Any = None) -> np.ndarray:
    arr = np.array(value, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def _normalise_colors(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            object.__setattr__(obj, name, to_color(value))


# --------------------------------------------------------------------- primitives
@dataclass(frozen=True)
class FixationPoint:
    """A fixation mark: a cross (``"cross"``), a filled dot (``"dot"``) or a square.

    ``size`` is the full width of the mark; ``opacity`` 0-1 blends it with the
    background (the agent view uses it to show the fixation input's value).
    """

    x: float = 0.0
    y: float = 0.0
    size: float = 0.5
    color: Color = WHITE
    shape: Literal["cross", "dot", "square"] = "cross"
    opacity: float = 1.0
    line_width: float | None = None  # cross arm thickness; default size / 5

    def __post_init__(self) -> None:
        _normalise_colors(self, "color")


@dataclass(frozen=True)
class Dot:
    """A single shape: circle, square, triangle (pointing up) or diamond.

    ``size`` is the diameter (the side for a square). With ``fill=False`` only
    the outline is drawn, ``line_width`` thick.
    """

    x: float = 0.0
    y: float = 0.0
    size: float = 0.5
    color: Color = WHITE
    shape: Literal["circle", "square", "triangle", "diamond"] = "circle"
    fill: bool = True
    line_width: float = 0.05
    opacity: float = 1.0

    def __post_init__(self) -> None:
        _normalise_colors(self, "color")


@dataclass(frozen=True)
class Bar:
    """A value bar: an outlined box spanning ``[vmin, vmax]`` filled from 0 to ``value``.

    ``(x, y)`` is the centre of the box, ``width`` x ``height`` its size. The
    fill is clipped to the box; a value beyond the range draws a small arrow
    head at the clipped end. ``label`` is written under the box, and the value
    itself too when ``show_value``.
    """

    x: float = 0.0
    y: float = 0.0
    value: float = 0.0
    width: float = 0.5
    height: float = 3.0
    vmin: float = -1.0
    vmax: float = 1.0
    color: Color = WHITE
    outline: Color = (200, 200, 200)
    label: str | None = None
    show_value: bool = False
    text_size: float = 0.4

    def __post_init__(self) -> None:
        _normalise_colors(self, "color", "outline")

    @property
    def zero_fraction(self) -> float:
        """Where 0 lies in the box, as a fraction of its height from the bottom."""
        span = self.vmax - self.vmin
        return float(np.clip((0.0 - self.vmin) / span, 0.0, 1.0)) if span > 0 else 0.0

    @property
    def value_fraction(self) -> float:
        span = self.vmax - self.vmin
        if span <= 0 or not np.isfinite(self.value):
            return self.zero_fraction
        return float(np.clip((self.value - self.vmin) / span, 0.0, 1.0))

    @property
    def clipped(self) -> int:
        """+1 when the value is above ``vmax``, -1 below ``vmin``, else 0."""
        if self.value > self.vmax:
            return 1
        if self.value < self.vmin:
            return -1
        return 0


@dataclass(frozen=True)
class Patch:
    """A luminance patch or a sinusoidal grating, modulating the background.

    Each pixel is ``background + contrast * g * mask * (color - background)``
    (clipped to 0-255), where ``g = cos(2 pi (sf * u + phase))`` along the
    grating's modulation axis ``u`` (``g = 1`` when ``sf == 0``: a uniform
    luminance patch). So contrast 1 with ``sf=0`` shows ``color``, contrast 0
    shows nothing, and a negative contrast darkens.

    ``size`` is the diameter (side for ``mask="square"``), ``sf`` cycles per
    unit, ``phase`` in cycles, ``orientation`` in degrees: 0 gives vertical
    stripes, positive turns them counter-clockwise.
    ``mask``: ``"circle"`` (hard edge), ``"gauss"`` (sd = size / 6),
    ``"raisedcos"`` (flat centre, cosine edge) or ``"square"``.
    """

    x: float = 0.0
    y: float = 0.0
    size: float = 2.0
    contrast: float = 1.0
    sf: float = 0.0
    orientation: float = 0.0
    phase: float = 0.0
    color: Color = WHITE
    mask: Literal["circle", "gauss", "raisedcos", "square"] = "circle"
    label: str | None = None
    text_size: float = 0.4

    def __post_init__(self) -> None:
        _normalise_colors(self, "color")


@dataclass(frozen=True)
class Ring:
    """``n`` patches evenly spaced on a circle; each patch's contrast is one value.

    Unit ``k`` sits at angle ``start_angle + k * 360 / n`` degrees (counter-
    clockwise from +x), ``radius`` from ``(x, y)``. ``values`` become the
    patches' contrasts (so a ring-coded observation shows its numbers);
    ``unit_labels`` are written inside the ring next to each unit, ``label``
    above the ring.
    """

    values: tuple[float, ...] = ()
    x: float = 0.0
    y: float = 0.0
    radius: float = 3.0
    patch_size: float = 1.2
    start_angle: float = 0.0
    color: Color = WHITE
    mask: Literal["circle", "gauss", "raisedcos", "square"] = "circle"
    label: str | None = None
    unit_labels: tuple[str, ...] | None = None
    outline: Color | None = (90, 90, 90)
    text_size: float = 0.4

    def __post_init__(self) -> None:
        _normalise_colors(self, "color", "outline")
        object.__setattr__(self, "values", tuple(float(v) for v in np.asarray(self.values, dtype=float).reshape(-1)))
        if self.unit_labels is not None:
            object.__setattr__(self, "unit_labels", tuple(str(v) for v in self.unit_labels))

    def angles(self) -> np.ndarray:
        """Angles of the units in degrees."""
        n = len(self.values)
        return self.start_angle + np.arange(n) * (360.0 / max(n, 1))

    def positions(self) -> np.ndarray:
        """``(n, 2)`` centres of the units."""
        a = np.radians(self.angles())
        return np.stack([self.x + self.radius * np.cos(a), self.y + self.radius * np.sin(a)], axis=1)

    def patches(self) -> tuple[Patch, ...]:
        """The ring as plain patches (what the backends draw)."""
        out = []
        for (px, py), v in zip(self.positions(), self.values):
            contrast = float(v) if np.isfinite(v) else 0.0
            out.append(Patch(x=float(px), y=float(py), size=self.patch_size, contrast=contrast, color=self.color, mask=self.mask))
        return tuple(out)


@dataclass(frozen=True)
class Text:
    """A line (or lines, split at newlines) of text; ``size`` is the letter height."""

    text: str
    x: float = 0.0
    y: float = 0.0
    size: float = 0.6
    color: Color = WHITE
    align: Literal["center", "left", "right"] = "center"
    bold: bool = False

    def __post_init__(self) -> None:
        _normalise_colors(self, "color")


@dataclass(frozen=True, eq=False)
class Image:
    """An image centred at ``(x, y)``, ``width`` units wide (height keeps the aspect).

    ``data``: ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA; uint8
    (0-255) or float (0-1, clipped). ``smooth=False`` scales with nearest-
    neighbour sampling, which keeps an agent's pixel observation crisp.
    Compared by identity (it holds an array).
    """

    data: np.ndarray
    x: float = 0.0
    y: float = 0.0
    width: float = 8.0
    smooth: bool = False

    def __post_init__(self) -> None:
        arr = np.asarray(self.data)
        if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
            raise ValueError(f"Image data must be (H, W), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
        object.__setattr__(self, "data", _frozen_array(arr))

    @property
    def height(self) -> float:
        h, w = self.data.shape[:2]
        return self.width * h / max(w, 1)


@dataclass(frozen=True, eq=False)
class DotField:
    """A random-dot kinematogram frame: dots at ``positions`` inside a circular aperture.

    ``positions`` is ``(N, 2)`` relative to ``(x, y)``; dots farther than
    ``aperture`` from the centre are not drawn. ``colors`` (``(N, 3)`` 0-255),
    when given, colours each dot; otherwise all dots are ``color``.
    ``dot_size`` is the dot diameter. ``show_aperture`` outlines the aperture.
    Compared by identity (it holds arrays).
    """

    positions: np.ndarray
    x: float = 0.0
    y: float = 0.0
    aperture: float = 5.0
    dot_size: float = 0.12
    color: Color = WHITE
    colors: np.ndarray | None = None
    show_aperture: bool = False
    aperture_color: Color = (90, 90, 90)

    def __post_init__(self) -> None:
        _normalise_colors(self, "color", "aperture_color")
        pos = np.asarray(self.positions, dtype=float).reshape(-1, 2)
        object.__setattr__(self, "positions", _frozen_array(pos))
        if self.colors is not None:
            cols = np.clip(np.asarray(self.colors, dtype=float).reshape(-1, 3), 0, 255).astype(np.uint8)
            if len(cols) != len(pos):
                raise ValueError(f"DotField has {len(pos)} positions but {len(cols)} colours")
            object.__setattr__(self, "colors", _frozen_array(cols))

    def visible(self) -> np.ndarray:
        """Boolean mask of the dots inside the aperture."""
        return np.einsum("ij,ij->i", self.positions, self.positions) <= self.aperture**2 + 1e-12

    def groups(self) -> list[tuple[Color, np.ndarray]]:
        """Visible dots grouped by colour: ``[(color, (k, 2) absolute positions), ...]``."""
        vis = self.visible()
        pos = self.positions[vis] + np.array([self.x, self.y])
        if self.colors is None:
            return [(self.color, pos)] if len(pos) else []
        cols = self.colors[vis]
        if not len(cols):
            return []
        uniq, inverse = np.unique(cols, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        return [(to_color(c), pos[inverse == k]) for k, c in enumerate(uniq)]


@dataclass(frozen=True)
class Tone:
    """A sound that starts with the first frame showing it (backends draw nothing for it).

    ``key`` names one sound event: consecutive frames carrying the same key are
    one tone, started once (a new trial or period gives a new key).
    ``frequency`` Hz, ``duration`` s, ``level_db`` dB re digital full scale
    (0 dB = a sine of amplitude 1; see ``neurogym_app.stimuli.sound``).
    ``modulation_hz`` > 0 makes a flutter: the tone is gated on and off at
    that rate (vibrotactile-like pulses). ``pan`` -1 (left) to +1 (right).
    ``noise=True`` makes it white noise instead of a sine (``level_db`` is then
    its RMS; ``frequency`` is ignored), the same samples for the same key.
    """

    key: str
    frequency: float = 1000.0
    duration: float = 0.1
    level_db: float = -20.0
    modulation_hz: float = 0.0
    pan: float = 0.0
    noise: bool = False

    def __post_init__(self) -> None:
        if not (self.frequency > 0 and self.duration > 0):
            raise ValueError(f"a Tone needs a positive frequency and duration, got {self.frequency!r} Hz, {self.duration!r} s")


Item = FixationPoint | Dot | Bar | Patch | Ring | Text | Image | DotField | Tone

_ITEM_TYPES = (FixationPoint, Dot, Bar, Patch, Ring, Text, Image, DotField, Tone)


@dataclass(frozen=True)
class Scene:
    """One frame: items drawn in order over ``background``.

    ``caption`` is a line of text drawn at the bottom of the screen in a fixed
    pixel size whatever ``units`` is (e.g. the key map: "F = left   J = right").
    """

    items: tuple[Item, ...] = ()
    background: Color = GREY
    units: Units = "deg"
    caption: str | None = None
    caption_color: Color = (220, 220, 220)

    def __post_init__(self) -> None:
        items = tuple(self.items)
        for item in items:
            if not isinstance(item, _ITEM_TYPES):
                raise TypeError(f"a Scene item must be a stimulus primitive, got {type(item).__name__}")
        if self.units not in ("pix", "deg"):
            raise ValueError(f"Scene units must be 'pix' or 'deg', got {self.units!r}")
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "background", to_color(self.background))

    def with_items(self, *items: Item) -> Scene:
        """A copy with ``items`` appended (drawn on top)."""
        return replace(self, items=self.items + tuple(items))

    def with_caption(self, caption: str | None) -> Scene:
        return replace(self, caption=caption)

    def flat_items(self) -> tuple[Item, ...]:
        """The items as the backends draw them: labels become Text, rings become patches (no tones)."""
        out: list[Item] = []
        for item in self.items:
            if not isinstance(item, Tone):
                out.extend(expand(item))
        return tuple(out)

    def tones(self) -> tuple[Tone, ...]:
        """The sounds of this frame."""
        return tuple(item for item in self.items if isinstance(item, Tone))


def expand(item: Item) -> tuple[Item, ...]:
    """An item as drawable primitives (no labels, no rings).

    A Ring becomes its outline circle, its patches and their labels; a labelled
    Patch or Bar gets a Text under it. Both backends draw the result, so text
    placement is decided once, here.
    """
    if isinstance(item, Ring):
        out: list[Item] = []
        if item.outline is not None and item.radius > 0:
            out.append(Dot(item.x, item.y, size=2 * item.radius, color=item.outline, fill=False, line_width=0.03 * item.text_size / 0.4))
        out.extend(item.patches())
        labels = item.unit_labels or ()
        outer = item.radius + item.patch_size / 2
        if labels:
            # unit labels sit inside the ring, along each unit's radius (no clash with a neighbour ring)
            dist = max(item.radius - item.patch_size / 2 - item.text_size * 1.4, 0.0)
            for angle, text in zip(np.radians(item.angles()), labels):
                out.append(Text(text, item.x + dist * float(np.cos(angle)), item.y + dist * float(np.sin(angle)),
                                size=item.text_size, color=(210, 210, 210)))
        if item.label:
            top = item.y + outer + item.text_size * 1.1
            out.append(Text(item.label, item.x, top, size=item.text_size * 1.1, color=(230, 230, 230)))
        return tuple(out)
    if isinstance(item, Patch) and item.label:
        below = item.y - item.size / 2 - item.text_size * 0.9
        return (replace(item, label=None), Text(item.label, item.x, below, size=item.text_size, color=(220, 220, 220)))
    if isinstance(item, Bar) and (item.label or item.show_value):
        out = [replace(item, label=None, show_value=False)]
        y = item.y - item.height / 2 - item.text_size * 0.9
        if item.label:
            out.append(Text(item.label, item.x, y, size=item.text_size, color=(220, 220, 220)))
            y -= item.text_size * 1.25
        if item.show_value:
            out.append(Text(f"{item.value:+.2f}", item.x, y, size=item.text_size * 0.85, color=(190, 190, 190)))
        return tuple(out)
    return (item,)


# ----------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class Geometry:
    """Converts Scene units to screen pixels.

    ``pix_per_deg`` comes from a ``DisplayConfig`` (``Geometry.from_display``);
    ``size`` is the drawing surface in pixels ``(width, height)``. Positions
    map linearly (``pix_per_deg`` at the centre of the screen), as PsychoPy's
    ``deg`` units do.
    """

    pix_per_deg: float = 36.0
    size: tuple[int, int] = (1024, 768)

    @classmethod
    def from_display(cls, display: Any = None, size: tuple[int, int] | None = None) -> Geometry:
        """From a ``DisplayConfig`` (default: its defaults); ``size`` overrides its resolution."""
        if display is None:
            from neurogym_app.config.sections import DisplayConfig

            display = DisplayConfig()
        res = tuple(int(v) for v in (size or display.resolution))
        return cls(pix_per_deg=float(display.pix_per_deg()), size=res)  # type: ignore[arg-type]

    def with_size(self, size: tuple[int, int]) -> Geometry:
        return replace(self, size=(int(size[0]), int(size[1])))

    def scale(self, units: str) -> float:
        """Pixels per scene unit."""
        if units == "pix":
            return 1.0
        if units == "deg":
            return float(self.pix_per_deg)
        raise ValueError(f"unknown units {units!r}; use 'pix' or 'deg'")

    def deg_to_pix(self, deg: Any) -> Any:
        pix = np.asarray(deg, dtype=float) * self.pix_per_deg
        return float(pix) if np.isscalar(deg) else pix

    def pix_to_deg(self, pix: Any) -> Any:
        deg = np.asarray(pix, dtype=float) / self.pix_per_deg
        return float(deg) if np.isscalar(pix) else deg

    def to_pix(self, value: float, units: str) -> float:
        """A length in ``units`` as pixels."""
        return float(value) * self.scale(units)

    def from_pix(self, value: float, units: str) -> float:
        return float(value) / self.scale(units)

    def to_screen(self, x: Any, y: Any, units: str, size: tuple[int, int] | None = None) -> tuple[Any, Any]:
        """Scene coordinates -> screen pixels (origin top-left, +y down)."""
        w, h = size or self.size
        s = self.scale(units)
        return w / 2.0 + np.asarray(x) * s, h / 2.0 - np.asarray(y) * s

    def from_screen(self, px: float, py: float, units: str, size: tuple[int, int] | None = None) -> tuple[float, float]:
        """Screen pixels (origin top-left, +y down) -> scene coordinates."""
        w, h = size or self.size
        s = self.scale(units)
        return (float(px) - w / 2.0) / s, (h / 2.0 - float(py)) / s

    def extent(self, units: str, size: tuple[int, int] | None = None) -> tuple[float, float]:
        """Half-width and half-height of the surface in ``units``."""
        w, h = size or self.size
        s = self.scale(units)
        return w / 2.0 / s, h / 2.0 / s


# ------------------------------------------------------------------ rasterising
def _mask(kind: str, r: np.ndarray, u: np.ndarray, v: np.ndarray, radius: float) -> np.ndarray:
    if kind == "square":
        return ((np.abs(u) <= radius) & (np.abs(v) <= radius)).astype(float)
    if kind == "gauss":
        sd = radius / 3.0
        return np.exp(-0.5 * (r / sd) ** 2) * (r <= radius)
    if kind == "raisedcos":
        inner = radius * 0.6
        edge = np.clip((r - inner) / max(radius - inner, 1e-9), 0.0, 1.0)
        return 0.5 * (1.0 + np.cos(np.pi * edge)) * (r <= radius)
    # circle: hard edge, one pixel of anti-aliasing
    return np.clip(radius + 0.5 - r, 0.0, 1.0)


@lru_cache(maxsize=256)
def _patch_raster_cached(patch: Patch, pix_per_unit: float, background: Color) -> np.ndarray:
    diameter = max(1, int(math.ceil(patch.size * pix_per_unit)))
    radius = diameter / 2.0
    coords = np.arange(diameter) + 0.5 - radius
    xx, yy = np.meshgrid(coords, -coords)  # +y up
    theta = math.radians(patch.orientation)
    # modulation axis: +x for orientation 0 (vertical stripes), rotated CCW
    u = xx * math.cos(theta) + yy * math.sin(theta)
    v = -xx * math.sin(theta) + yy * math.cos(theta)
    r = np.hypot(xx, yy)
    mask = _mask(patch.mask, r, u, v, radius)
    if patch.sf > 0:
        cycles_per_pix = patch.sf / pix_per_unit
        g = np.cos(2 * np.pi * (cycles_per_pix * u + patch.phase))
    else:
        g = np.ones_like(u)
    bg = np.asarray(background, dtype=float)
    col = np.asarray(patch.color, dtype=float)
    a = float(np.clip(patch.contrast, -1.0, 1.0)) * g
    rgb = bg[None, None, :] + a[..., None] * (col - bg)[None, None, :]
    out = np.empty((diameter, diameter, 4), dtype=np.uint8)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    out[..., 3] = np.clip(np.rint(mask * 255), 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def patch_raster(patch: Patch, pix_per_unit: float, background: Color = GREY) -> np.ndarray:
    """The patch as an ``(N, N, 4)`` uint8 RGBA image, ``N = ceil(size * pix_per_unit)``.

    RGB is the modulated colour; alpha is the mask, so compositing over
    ``background`` gives ``background + contrast * g * mask * (color - background)``.
    Cached (patches are immutable); the result is read-only.
    """
    return _patch_raster_cached(patch, float(pix_per_unit), to_color(background))


def image_rgb(data: np.ndarray) -> np.ndarray:
    """An Image's data as contiguous ``(H, W, 3|4)`` uint8 (grey expanded, floats x255)."""
    arr = np.asarray(data)
    if arr.dtype != np.uint8:
        arr = np.nan_to_num(arr.astype(float), nan=0.0)
        if arr.size and float(np.nanmax(arr)) <= 1.0 + 1e-9:
            arr = arr * 255.0
        arr = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    elif arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    return np.ascontiguousarray(arr)


def item_fields(item: Item) -> dict[str, Any]:
    """The fields of a primitive as a dict (for debugging and serialising)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}

