"""Draw a Scene in a PsychoPy window: the lab-grade Display (adapter: imports PsychoPy).

* The window uses the pyglet backend (never glfw), ``units="pix"`` with the
  origin at the centre and +y up, so scene coordinates map by one scale.
* ``present`` draws, flips and returns the flip timestamp (PsychoPy's
  ``win.flip()``, taken after the buffer swap, which waits for the vertical
  blank on a real display) converted to the runner clock.
* Keys come from ``psychopy.hardware.keyboard.Keyboard`` with the
  psychtoolbox backend when it is installed (presses stamped by the HID
  queue, converted to the runner clock), else from the pyglet window's key
  events (presses and releases, stamped when dispatched, i.e. at the next
  ``poll``/``present``: up to a frame late). Names follow ``input/events.py``.
* Patches and images are blitted from the same numpy rasters as the QPainter
  backend (``scene.patch_raster``), so both backends show the same pixels.
* ``capture()`` reads the back buffer *before* the flip (screenshots without
  disturbing the timing of the next frame).

PsychoPy needs an X display even to import ``psychopy.event``; headless, run
``Xvfb :99 -screen 0 1280x1024x24`` (24-bit: PsychoPy hangs at 16) and point
``HOME`` at a writable directory (PsychoPy writes ``~/.psychopy3``).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from typing import Any

import numpy as np

from neurogym_app.input.events import InputEvent, KeyEvent, PointerEvent
from neurogym_app.stimuli.backends.frame_accounting import FrameAccounting
from neurogym_app.stimuli.scene import (
    CAPTION_PX,
    Bar,
    Dot,
    DotField,
    FixationPoint,
    Geometry,
    Image,
    Patch,
    Scene,
    Text,
    image_rgb,
    patch_raster,
)
from neurogym_app.stimuli.sound import render_tone

__all__ = ["PsychoPyDisplay", "import_psychopy", "normal_key", "pyglet_key", "PSYCHOPY_MISSING"]

PSYCHOPY_MISSING = "the PsychoPy backend needs PsychoPy: run `make psychopy` (scripts/install_psychopy.sh .venv)"

#: a psychtoolbox press and the window's copy of it are at most this far apart (s)
_MATCH_S = 0.5

_KEY_NAMES = {
    "left": "left", "right": "right", "up": "up", "down": "down", "space": "space",
    "return": "return", "enter": "return", "num_enter": "return", "escape": "escape",
    "tab": "tab", "backspace": "backspace",
}


class _PerfCounterClock:
    """The runner's default clock (``runtime.clock.MonotonicClock`` reads the same counter)."""

    def now(self) -> float:
        return time.perf_counter()


def _own_gl_state(win: Any) -> None:
    """Make ``win``'s GL context current with its own viewport and projection.

    pyglet dispatches resize events of every window of the process, and
    PsychoPy's resize handler sets the viewport and projection of whatever
    context is current: another window (e.g. a pixel task's hidden one) can
    leave its 100x100 viewport in ours.
    """
    win._setCurrent()  # noqa: SLF001 (PsychoPy's own context switch)
    w, h = (int(v) for v in win.frameBufferSize)
    win.viewport = win.scissor = [0, 0, w, h]
    win.scissorTest = True
    win.resetEyeTransform(clearDepth=False)


def _has_ptb() -> bool:
    try:
        import psychtoolbox  # noqa: F401
    except Exception:
        return False
    return True


def _software_gl() -> bool:
    """Whether OpenGL renders in software (Xvfb, llvmpipe): no vsync, no refresh to measure."""
    try:
        from pyglet.gl import gl_info

        renderer = (gl_info.get_renderer() or "").lower()
    except Exception:
        return False
    return any(word in renderer for word in ("llvmpipe", "softpipe", "software", "swrast"))


def pyglet_key(symbol: str) -> str:
    """pyglet's symbol string (``"SPACE"``, ``"_1"``, ``"NUM_1"``, ``"ENTER"``) as a normalised key name."""
    name = symbol.lower()
    if name.startswith("_") and name[1:].isdigit():
        name = name[1:]
    return normal_key(name)


def import_psychopy() -> Any:
    """``psychopy.visual``, or an ImportError naming the extra to install."""
    try:
        from psychopy import visual
    except ImportError as exc:
        raise ImportError(PSYCHOPY_MISSING) from exc
    return visual


def normal_key(name: str) -> str:
    """A PsychoPy / psychtoolbox key name (``"return"``, ``"num_3"``) as the app's key name."""
    name = str(name).lower()
    if name in _KEY_NAMES:
        return _KEY_NAMES[name]
    if name.startswith("num_") and len(name) == 5 and name[-1].isdigit():
        return name[-1]
    return name


def _rgb255(c: tuple[int, int, int]) -> list[float]:
    return [float(c[0]), float(c[1]), float(c[2])]


class _LRU(OrderedDict):
    def __init__(self, maxsize: int = 128):
        super().__init__()
        self.maxsize = maxsize

    def get_or(self, key: Any, make: Any) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        if len(self) > self.maxsize:
            self.popitem(last=False)
        return value


class PsychoPyDisplay(FrameAccounting):
    """The Display protocol on a ``psychopy.visual.Window`` (pyglet backend).

    Args:
        clock: runner clock, anything with ``now()`` (default: ``time.perf_counter``, as
            ``MonotonicClock``); onsets and key times are converted to it.
        size: window size in pixels ``(width, height)``.
        geometry: pixels per degree (default ``Geometry()``; its size is the window's).
        fullscreen: open full screen.
        screen: screen index.
        visible: show the window (False: hidden window, for rendering/screenshots).
        background: initial clear colour (each Scene sets its own).
        refresh_hz: nominal refresh rate; default: measured by PsychoPy
            (``getActualFrameRate``), or 60 when that fails (e.g. Xvfb, no vsync).
        measure_refresh: measure the refresh rate at start (a second or so).
        keyboard_backend: ``"ptb"`` (psychtoolbox), ``"pyglet"`` (window events) or
            ``"auto"`` (ptb when installed, else pyglet).
        wait_blanking: let the flip wait for the vertical blank.

    Optional beyond the Display protocol: ``capture(scene=None)``,
    ``dropped_frames``, ``frame_intervals``, ``window``, ``measured_hz``.
    """

    backend = "psychopy"
    #: ``present`` waits for the vertical blank (the runner lets it pace the loop)
    blocks_on_flip = True

    def __init__(
        self,
        clock: Any = None,
        size: tuple[int, int] = (1024, 768),
        geometry: Geometry | None = None,
        fullscreen: bool = False,
        screen: int = 0,
        visible: bool = True,
        background: tuple[int, int, int] = (128, 128, 128),
        refresh_hz: float | None = None,
        measure_refresh: bool = False,
        keyboard_backend: str = "auto",
        wait_blanking: bool = True,
    ) -> None:
        visual = import_psychopy()
        from psychopy import clock as pclock
        from psychopy import logging as plogging

        self._visual = visual
        self._pclock = pclock
        self._plogging = plogging
        self.clock = clock or _PerfCounterClock()
        self.window = visual.Window(
            size=list(size),
            fullscr=fullscreen,
            screen=screen,
            winType="pyglet",
            units="pix",
            color=_rgb255(background),
            colorSpace="rgb255",
            allowGUI=not fullscreen,
            checkTiming=False,
            waitBlanking=wait_blanking,
        )
        if not visible:
            handle = getattr(getattr(self.window, "backend", None), "winHandle", None)
            if handle is not None:
                handle.set_visible(False)
        self.window.recordFrameIntervals = False
        w, h = (int(v) for v in self.window.size)
        self.size = (w, h)
        self.geometry = (geometry or Geometry()).with_size(self.size)
        self._sync_clocks()
        nominal = None
        self.software_gl = _software_gl()
        if refresh_hz is None and measure_refresh and not self.software_gl:
            # a software renderer (Xvfb's llvmpipe) has no vsync: its "rate" means nothing
            try:
                nominal = self.window.getActualFrameRate(nIdentical=10, nMaxFrames=120, nWarmUpFrames=10, threshold=1)
            except Exception:  # measurement is best effort
                nominal = None
        self.nominal_hz = float(nominal) if nominal else None
        self.refresh_hz: float = float(refresh_hz or nominal or 60.0)
        self._init_frames()
        self._scene: Scene | None = None
        self._texts = _LRU(256)
        self._images = _LRU(256)
        self._shapes: dict[str, Any] = {}
        self._dots: dict[int, Any] = {}
        self._pending: list[InputEvent] = []
        self._carried: list[InputEvent] = []
        self._waited: set[InputEvent] = set()
        self._ptb_recent: list[KeyEvent] = []
        self._ptb_seen = False
        self._keyboard, self.keyboard_backend = self._make_keyboard(keyboard_backend)
        self._mouse = None
        self._mouse_down = [False, False, False]
        from neurogym_app.stimuli.backends.audio import SceneAudio

        self.audio = SceneAudio(backend="psychopy", window=self.window)  # tones start on the flip
        self._closed = False

    # ------------------------------------------------------------- clocks
    def _sync_clocks(self) -> None:
        # psychopy.clock.getTime() is absolute (psychtoolbox GetSecs when installed);
        # the runner clock is another monotonic base: keep the offset between them.
        best = None
        for _ in range(5):
            a = self.clock.now()
            p = self._pclock.getTime()
            b = self.clock.now()
            if best is None or (b - a) < best[0]:
                best = (b - a, (a + b) / 2 - p)
        self._offset = best[1] if best else 0.0

    def _from_psychopy(self, t_abs: float) -> float:
        return float(t_abs) + self._offset

    def _default_reset(self) -> float:
        return float(self._plogging.defaultClock.getLastResetTime())

    # ------------------------------------------------------------- drawing
    def _scale(self, scene: Scene) -> float:
        return self.geometry.scale(scene.units)

    def _shape(self, key: str, make: Any) -> Any:
        if key not in self._shapes:
            self._shapes[key] = make()
        return self._shapes[key]

    def draw(self, scene: Scene) -> None:
        """Draw ``scene`` into the back buffer (no flip)."""
        win = self.window
        _own_gl_state(win)
        win.color = _rgb255(scene.background)
        win.colorSpace = "rgb255"
        win.clearBuffer()
        s = self._scale(scene)
        for item in scene.flat_items():
            if isinstance(item, Patch):
                self._draw_raster(patch_raster(item, s, scene.background), item.x * s, item.y * s, None, key=("patch", item, s, scene.background))
            elif isinstance(item, DotField):
                self._draw_dotfield(item, s)
            elif isinstance(item, FixationPoint):
                self._draw_fixation(item, s)
            elif isinstance(item, Dot):
                self._draw_dot(item, s)
            elif isinstance(item, Bar):
                self._draw_bar(item, s)
            elif isinstance(item, Text):
                self._draw_text(item, s)
            elif isinstance(item, Image):
                arr = image_rgb(item.data)
                self._draw_raster(arr, item.x * s, item.y * s, (item.width * s, item.height * s), key=None, smooth=item.smooth)
        if scene.caption:
            h = self.size[1]
            cap = Text(scene.caption, 0.0, -h / 2 + CAPTION_PX * 1.4, size=CAPTION_PX, color=scene.caption_color)
            self._draw_text(cap, 1.0)

    def _draw_raster(self, rgba: np.ndarray, x: float, y: float, size: Any, key: Any, smooth: bool = True) -> None:
        v = self._visual
        arr = np.ascontiguousarray(rgba)
        h, w = arr.shape[:2]

        def make() -> Any:
            # A PIL image is read as 0-255 with its alpha, first row at the top, in
            # every PsychoPy version (numpy textures changed their range over time).
            from PIL import Image as PILImage

            img = PILImage.fromarray(arr, "RGBA" if arr.shape[2] == 4 else "RGB")
            return v.ImageStim(self.window, image=img, units="pix", size=(w, h), interpolate=bool(smooth))

        stim = self._images.get_or(key, make) if key is not None else make()
        stim.pos = (x, y)
        stim.size = size if size is not None else (w, h)
        stim.draw()

    def _draw_fixation(self, f: FixationPoint, s: float) -> None:
        v = self._visual
        size = max(f.size * s, 2.0)
        col = _rgb255(f.color)
        if f.shape == "dot":
            stim = self._shape("circle", lambda: v.Circle(self.window, radius=1, edges=64, units="pix", colorSpace="rgb255", lineColor=None))
            stim.radius = size / 2
        elif f.shape == "square":
            stim = self._shape("rect", lambda: v.Rect(self.window, width=1, height=1, units="pix", colorSpace="rgb255", lineColor=None))
            stim.width, stim.height = size, size
        else:
            lw = max(f.line_width * s if f.line_width else size / 5.0, 1.0)
            rect = self._shape("rect", lambda: v.Rect(self.window, width=1, height=1, units="pix", colorSpace="rgb255", lineColor=None))
            rect.fillColor = col
            rect.opacity = f.opacity
            rect.pos = (f.x * s, f.y * s)
            rect.width, rect.height = size, lw
            rect.draw()
            rect.width, rect.height = lw, size
            rect.draw()
            return
        stim.fillColor = col
        stim.opacity = f.opacity
        stim.pos = (f.x * s, f.y * s)
        stim.draw()

    def _draw_dot(self, d: Dot, s: float) -> None:
        v = self._visual
        size = max(d.size * s, 1.0)
        r = size / 2
        if d.shape == "circle":
            stim = self._shape("dot_circle", lambda: v.Circle(self.window, radius=1, edges=96, units="pix", colorSpace="rgb255"))
            stim.radius = r
        elif d.shape == "square":
            stim = self._shape("dot_rect", lambda: v.Rect(self.window, width=1, height=1, units="pix", colorSpace="rgb255"))
            stim.width, stim.height = size, size
        else:
            if d.shape == "triangle":
                hh = size * math.sqrt(3) / 2
                verts = [(0, hh * 2 / 3), (-r, -hh / 3), (r, -hh / 3)]
            else:
                verts = [(0, r), (r, 0), (0, -r), (-r, 0)]
            stim = v.ShapeStim(self.window, vertices=verts, units="pix", colorSpace="rgb255", closeShape=True)
        col = _rgb255(d.color)
        if d.fill:
            stim.fillColor = col
            stim.lineColor = None
        else:
            stim.fillColor = None
            stim.lineColor = col
            stim.lineWidth = max(d.line_width * s, 1.0)
        stim.opacity = d.opacity
        stim.pos = (d.x * s, d.y * s)
        stim.draw()

    def _draw_bar(self, b: Bar, s: float) -> None:
        v = self._visual
        w, h = b.width * s, b.height * s
        cx, cy = b.x * s, b.y * s
        bottom = cy - h / 2
        zero_y = bottom + b.zero_fraction * h
        val_y = bottom + b.value_fraction * h
        fill = self._shape("bar_fill", lambda: v.Rect(self.window, width=1, height=1, units="pix", colorSpace="rgb255", lineColor=None))
        lo, hi = sorted((zero_y, val_y))
        if hi - lo > 0:
            fill.fillColor = _rgb255(b.color)
            fill.width, fill.height = w, hi - lo
            fill.pos = (cx, (lo + hi) / 2)
            fill.draw()
        box = self._shape("bar_box", lambda: v.Rect(self.window, width=1, height=1, units="pix", colorSpace="rgb255", fillColor=None))
        box.lineColor = _rgb255(b.outline)
        box.lineWidth = max(1.0, w / 25)
        box.width, box.height = w, h
        box.pos = (cx, cy)
        box.draw()
        line = self._shape("bar_zero", lambda: v.Line(self.window, start=(0, 0), end=(1, 0), units="pix", colorSpace="rgb255", lineColor=[255, 255, 255], fillColor=None))
        line.lineColor = _rgb255(b.outline)
        line.start, line.end = (cx - w * 0.65, zero_y), (cx + w * 0.65, zero_y)
        line.draw()
        if b.clipped:
            base = cy + h / 2 if b.clipped > 0 else bottom
            tip = base + w * 0.4 * b.clipped
            tri = v.ShapeStim(self.window, vertices=[(cx - w / 2, base), (cx + w / 2, base), (cx, tip)], units="pix",
                              colorSpace="rgb255", fillColor=_rgb255(b.color), lineColor=None)
            tri.draw()

    def _draw_text(self, t: Text, s: float) -> None:
        v = self._visual
        key = (t.text, round(t.size * s, 2), t.color, t.bold, t.align)

        def make() -> Any:
            anchor = {"center": "center", "left": "left", "right": "right"}[t.align]
            return v.TextStim(
                self.window, text=t.text, height=t.size * s, color=_rgb255(t.color), colorSpace="rgb255", units="pix",
                bold=t.bold, anchorHoriz=anchor, alignText=anchor, wrapWidth=self.size[0] * 2, font="DejaVu Sans",
            )

        stim = self._texts.get_or(key, make)
        stim.pos = (t.x * s, t.y * s)
        stim.draw()

    def _draw_dotfield(self, d: DotField, s: float) -> None:
        v = self._visual
        if d.show_aperture:
            ring = self._shape("aperture", lambda: v.Circle(self.window, radius=1, edges=128, units="pix", colorSpace="rgb255", fillColor=None))
            ring.radius = d.aperture * s
            ring.lineColor = _rgb255(d.aperture_color)
            ring.pos = (d.x * s, d.y * s)
            ring.draw()
        size = max(d.dot_size * s, 1.0)
        for color, pos in d.groups():
            n = len(pos)
            if n == 0:
                continue
            stim = self._dots.get(n)
            if stim is None:
                stim = v.ElementArrayStim(
                    self.window, units="pix", nElements=n, elementTex=None, elementMask="circle",
                    sizes=size, xys=np.zeros((n, 2)), colors=[1, 1, 1], colorSpace="rgb",
                )
                self._dots[n] = stim
            stim.xys = pos * s
            stim.sizes = size
            stim.colors = np.tile(np.asarray(color, dtype=float) / 127.5 - 1.0, (n, 1))
            stim.draw()

    # ------------------------------------------------------------ protocol
    def present(self, scene: Scene) -> float:
        """Draw and flip; return the flip time on the runner clock (s)."""
        self.draw(scene)
        self._scene = scene
        due = self.audio.schedule.due(scene) if scene.items else []
        for tone in due:  # PsychoPySoundPlayer uses callOnFlip: each tone starts with this flip
            self.audio.play(render_tone(tone))
        t_rel = self.window.flip()
        onset = self._from_psychopy(float(t_rel) + self._default_reset())
        self.audio.schedule.record(due, onset)
        self._account(onset)
        self._dispatch()  # window key events get their time now, at most a frame late
        return onset

    def capture(self, scene: Scene | None = None) -> np.ndarray:
        """``scene`` (default: the last presented) drawn and read from the back buffer, before any flip.

        Returns ``(H, W, 3)`` uint8; the back buffer is cleared afterwards.
        """
        scene = scene or self._scene or Scene()
        self.draw(scene)
        frame = np.array(self.window._getFrame(buffer="back"))  # noqa: SLF001 (PsychoPy's own reader)
        self.window.clearBuffer()
        return frame[..., :3].copy()

    def poll(self) -> list[InputEvent]:
        """Key presses/releases (and pointer presses/releases) since the last poll, oldest first.

        With psychtoolbox, a press comes from its HID queue (precise time) and
        the window's own copy of it is dropped; the window's events fill in
        releases, and presses whenever psychtoolbox sees nothing (some X
        servers, e.g. Xvfb with synthetic keys, never reach its queue).
        """
        events: list[InputEvent] = []
        ptb_presses: list[KeyEvent] = []
        if self._keyboard is not None:
            reset = self._default_reset()
            for key in self._keyboard.getKeys(waitRelease=False, clear=True):
                name = getattr(key, "name", None) or str(key.value)
                t_down = float(key.tDown) + reset
                ptb_presses.append(KeyEvent(normal_key(name), self._from_psychopy(t_down), "press"))
        self._dispatch()
        window_events = self._carried + self._pending
        self._carried, self._pending = [], []
        if self._keyboard is None:
            events.extend(window_events)
        else:
            if ptb_presses:
                self._ptb_seen = True
            events.extend(ptb_presses)
            now = self.clock.now()
            self._ptb_recent = [e for e in self._ptb_recent if now - e.t < _MATCH_S] + ptb_presses
            for ev in window_events:
                if not isinstance(ev, KeyEvent) or ev.kind != "press":
                    events.append(ev)
                    continue
                twin = next((p for p in self._ptb_recent if p.key == ev.key and abs(p.t - ev.t) < _MATCH_S), None)
                if twin is not None:
                    self._ptb_recent.remove(twin)  # psychtoolbox already reported this press
                elif self._ptb_seen and ev not in self._waited:
                    self._waited.add(ev)  # give psychtoolbox one more poll to report it
                    self._carried.append(ev)
                else:
                    self._waited.discard(ev)
                    events.append(ev)
        events.extend(self._poll_mouse())
        events.sort(key=lambda e: e.t)
        return events

    def _poll_mouse(self) -> list[InputEvent]:
        from psychopy import event as pevent

        mouse = self._mouse
        if mouse is None:
            mouse = self._mouse = pevent.Mouse(win=self.window, visible=True)
        pressed = list(mouse.getPressed())
        out: list[InputEvent] = []
        if pressed != self._mouse_down:
            t = self.clock.now()
            px, py = mouse.getPos()
            units = self._scene.units if self._scene is not None else "pix"
            scale = self.geometry.scale(units)
            for i, (now, before) in enumerate(zip(pressed, self._mouse_down)):
                if now != before:
                    out.append(PointerEvent(float(px) / scale, float(py) / scale, t, "press" if now else "release", i + 1))
            self._mouse_down = pressed
        return out

    def info(self) -> dict[str, Any]:
        """Display facts for the session manifest (the audio device, ``"none"`` without one)."""
        return {"backend": self.backend, "refresh_hz": self.refresh_hz, **self.audio.info()}

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                if self._keyboard is not None and hasattr(self._keyboard, "stop"):
                    self._keyboard.stop()
            except Exception:
                pass
            self.window.close()

    # -------------------------------------------------------------- helpers
    def _dispatch(self) -> None:
        # keep the window responsive (and feed the 'event' keyboard backend)
        handle = getattr(self.window, "winHandle", None)
        if handle is not None and hasattr(handle, "dispatch_events"):
            try:
                handle.dispatch_events()
            except Exception:
                pass

    def _make_keyboard(self, backend: str) -> tuple[Any, str | None]:
        """(psychopy Keyboard or None, backend name). The window's key handlers are always installed."""
        if backend in ("", "auto", None):
            backend = "ptb" if _has_ptb() else "pyglet"
        if backend not in ("ptb", "pyglet"):
            raise ValueError(f"keyboard_backend must be 'auto', 'ptb' or 'pyglet', got {backend!r}")
        keyboard = None
        if backend == "ptb":
            try:
                from psychopy.hardware import keyboard as pkeyboard

                keyboard = pkeyboard.Keyboard(backend="ptb")
                keyboard.clearEvents()
            except Exception:  # no usable HID device: the window's events only
                keyboard = None
        handle = getattr(self.window, "winHandle", None)
        if handle is not None and hasattr(handle, "push_handlers"):
            from pyglet.window import key as pkey

            def on_key_press(symbol: int, modifiers: int) -> None:
                self._pending.append(KeyEvent(pyglet_key(pkey.symbol_string(symbol)), self.clock.now(), "press"))

            def on_key_release(symbol: int, modifiers: int) -> None:
                self._pending.append(KeyEvent(pyglet_key(pkey.symbol_string(symbol)), self.clock.now(), "release"))

            handle.push_handlers(on_key_press=on_key_press, on_key_release=on_key_release)
        return keyboard, ("ptb" if keyboard is not None else "pyglet")

    def __enter__(self) -> PsychoPyDisplay:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
