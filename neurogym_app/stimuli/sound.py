"""Tones as sample buffers, and when to start them (pure: numpy only).

Every auditory stimulus is a :class:`~neurogym_app.stimuli.scene.Tone` item of
a Scene. This module turns one into samples and keeps the schedule of onsets;
the audio outputs (``stimuli/backends/audio.py`` for Qt, ``psychopy.sound``
in the PsychoPy backend) only play the buffers.

Signal facts (the same on every backend):

* sample rate :data:`SAMPLE_RATE` = 48 kHz, stereo float32 in [-1, 1];
* onset and offset ramps: raised cosine (``0.5 - 0.5 cos``) of
  :data:`RAMP_S` = 5 ms each; a flutter's pulses are ramped the same way;
* level: ``level_db`` dB re digital full scale (0 dB = a sine of amplitude 1
  on each channel). The default tone level :data:`DEFAULT_LEVEL_DB` (-20 dB
  FS, amplitude 0.1) leaves room for the system volume; the sound pressure it
  gives depends on the lab's amplifier and headphones and must be measured
  there with a sound-level meter (docs/screenshots/stimuli.md, "Sound").

A tone starts with the first frame that carries its ``key``: its onset is
that frame's onset (the flip time on PsychoPy), the same clock as every
visual onset. :class:`ToneSchedule` records those onsets.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neurogym_app.stimuli.scene import Scene, Tone

__all__ = ["SAMPLE_RATE", "RAMP_S", "DEFAULT_LEVEL_DB", "render_tone", "raised_cosine_ramp", "ToneOnset", "ToneSchedule"]

SAMPLE_RATE = 48_000
RAMP_S = 0.005
DEFAULT_LEVEL_DB = -20.0
#: how many recent keys a schedule remembers (a key is never reused within a session)
_MEMORY = 64


def raised_cosine_ramp(n: int) -> np.ndarray:
    """``n`` samples rising from 0 to 1 as ``0.5 - 0.5 cos(pi t / n)``."""
    if n <= 0:
        return np.ones(0)
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)


def _gate(n: int, ramp: int) -> np.ndarray:
    """An envelope of ``n`` samples: raised-cosine on and off ramps, flat between."""
    env = np.ones(n)
    r = min(ramp, n // 2)
    if r > 0:
        up = raised_cosine_ramp(r)
        env[:r] = up
        env[n - r :] = up[::-1]
    return env


@lru_cache(maxsize=64)
def _render(frequency: float, duration: float, level_db: float, modulation_hz: float, pan: float, rate: int,
            noise_seed: int | None = None) -> np.ndarray:
    n = max(1, int(round(duration * rate)))
    t = np.arange(n) / rate
    amplitude = 10.0 ** (level_db / 20.0)
    ramp = int(round(RAMP_S * rate))
    if noise_seed is None:
        carrier = np.sin(2 * np.pi * frequency * t)
    else:  # white noise of RMS 1 (so level_db is its RMS), clipped at 4 sd
        carrier = np.clip(np.random.default_rng(noise_seed).standard_normal(n), -4.0, 4.0)
    signal = carrier * _gate(n, ramp)
    if modulation_hz > 0:
        # flutter: one ramped pulse per cycle, on for half of it
        period = rate / modulation_hz
        on = max(2, int(period / 2))
        pulse = _gate(on, min(ramp, on // 4))
        envelope = np.zeros(n)
        k = 0
        while True:
            start = int(round(k * period))
            if start >= n:
                break
            stop = min(n, start + on)
            envelope[start:stop] = pulse[: stop - start]
            k += 1
        signal = signal * envelope
    # constant-power pan
    angle = (float(np.clip(pan, -1.0, 1.0)) + 1.0) * math.pi / 4
    gains = np.array([math.cos(angle), math.sin(angle)]) * math.sqrt(2.0)
    out = (amplitude * signal)[:, None] * gains[None, :]
    out = np.clip(out, -1.0, 1.0).astype(np.float32)
    out.setflags(write=False)
    return out


def render_tone(tone: Tone, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The tone (or noise) as ``(n, 2)`` float32 samples at ``rate`` Hz (read-only, cached)."""
    seed = zlib.crc32(tone.key.encode("utf-8")) if tone.noise else None
    return _render(float(tone.frequency), float(tone.duration), float(tone.level_db), float(tone.modulation_hz), float(tone.pan),
                   int(rate), seed)


@dataclass(frozen=True)
class ToneOnset:
    """A tone started at ``onset`` (runner clock, s)."""

    key: str
    onset: float
    tone: Tone


class ToneSchedule:
    """Which tones of a presented Scene are new, and when each started.

    ``start(scene, onset)`` returns the tones to start with this frame (those
    whose key was not on the previous frames) and appends them to ``onsets``.
    """

    def __init__(self) -> None:
        self.onsets: list[ToneOnset] = []
        self._recent: list[str] = []

    def due(self, scene: Scene) -> list[Tone]:
        """The tones of ``scene`` that start with it (their key is new); marks them as started."""
        new = []
        for tone in scene.tones():
            if tone.key in self._recent:
                continue
            self._recent.append(tone.key)
            if len(self._recent) > _MEMORY:
                del self._recent[0]
            new.append(tone)
        return new

    def record(self, tones: list[Tone], onset: float) -> list[ToneOnset]:
        """Note that ``tones`` started at ``onset`` (the frame's onset)."""
        entries = [ToneOnset(t.key, float(onset), t) for t in tones]
        self.onsets.extend(entries)
        return entries

    def start(self, scene: Scene, onset: float) -> list[ToneOnset]:
        """``due`` and ``record`` at once (when the onset is known before playing)."""
        return self.record(self.due(scene), onset)
