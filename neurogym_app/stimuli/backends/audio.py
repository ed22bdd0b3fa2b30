"""Audio outputs: play the Tone items of presented Scenes (an adapter, beside the drawing backends).

``SceneAudio(player)`` is what a display calls after each frame with the
frame's onset; it starts the tones new in that frame (``ToneSchedule``) and
keeps their onsets. Players:

* :class:`SoundDevicePlayer` (Qt backend): ``sounddevice`` (PortAudio),
  non-blocking ``play`` of the 48 kHz buffer;
* :class:`PsychoPySoundPlayer` (PsychoPy backend): ``psychopy.sound.Sound``,
  started on the next flip (``win.callOnFlip``) so the onset is the flip time.

Where no audio device (or library) is available, :func:`open_audio` returns a
:class:`SilentPlayer`, and the first tone prints ONE line saying the run
continues visual-only; the onsets are scheduled and recorded all the same,
and the manifest's ``display.audio_device`` says ``"none"``.

Latency on real hardware (the time from the scheduled onset to sound at the
ear) depends on the device and driver; measure it in the lab with a
microphone and a photodiode (docs/screenshots/stimuli.md, "Sound").
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

import numpy as np

from neurogym_app.stimuli.scene import Scene
from neurogym_app.stimuli.sound import DEFAULT_LEVEL_DB, RAMP_S, SAMPLE_RATE, ToneOnset, ToneSchedule, render_tone

__all__ = ["AudioPlayer", "SilentPlayer", "SoundDevicePlayer", "PsychoPySoundPlayer", "SceneAudio", "open_audio"]

VISUAL_ONLY = "the run continues visual-only (tones are scheduled and recorded but not heard)"


class AudioPlayer(Protocol):
    device: str

    def play(self, samples: np.ndarray) -> None: ...


class SilentPlayer:
    """No device: plays nothing; says so once (one line on stderr) when the first tone is due."""

    device = "none"

    def __init__(self, reason: str, stream: Any = None) -> None:
        self.reason = reason
        self.stream = stream
        self.warned = False
        self.played = 0

    def play(self, samples: np.ndarray) -> None:
        self.played += 1
        if not self.warned:
            self.warned = True
            print(f"neurogym-app: no audio output ({self.reason}); {VISUAL_ONLY}", file=self.stream or sys.stderr)


class SoundDevicePlayer:
    """``sounddevice`` on the default output device."""

    def __init__(self) -> None:
        import sounddevice as sd  # the Qt backend's audio library

        info = sd.query_devices(kind="output")  # raises when there is no output device
        sd.check_output_settings(samplerate=SAMPLE_RATE, channels=2, dtype="float32")
        self._sd = sd
        self.device = str(info.get("name", "default")) if isinstance(info, dict) else "default"

    def play(self, samples: np.ndarray) -> None:
        self._sd.play(np.ascontiguousarray(samples), samplerate=SAMPLE_RATE, blocking=False)


class PsychoPySoundPlayer:
    """``psychopy.sound.Sound`` buffers, each started on the next flip of ``window``."""

    def __init__(self, window: Any) -> None:
        from psychopy import sound  # the PsychoPy backend's audio library

        self._sound = sound
        # psychopy.sound opens its device lazily: a short silent buffer makes "no output device" fail here,
        # at the start of the run (then the run goes on visual-only), not at the first tone
        sound.Sound(value=np.zeros((int(SAMPLE_RATE * 0.005), 2), dtype=np.float32), sampleRate=SAMPLE_RATE, stereo=True)
        self.window = window
        self.device = str(getattr(sound, "audioLib", None) or "psychopy.sound")

    def play(self, samples: np.ndarray) -> None:
        snd = self._sound.Sound(value=np.asarray(samples), sampleRate=SAMPLE_RATE, stereo=True)
        if self.window is not None:
            self.window.callOnFlip(snd.play)
        else:
            snd.play()


def open_audio(backend: str = "qt", window: Any = None, stream: Any = None) -> AudioPlayer:
    """The audio player of a display backend, or a :class:`SilentPlayer` naming why there is none."""
    try:
        if backend == "psychopy":
            return PsychoPySoundPlayer(window)
        return SoundDevicePlayer()
    except Exception as exc:  # no device, no library, no driver: all mean "no sound here"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        lib = "psychopy.sound" if backend == "psychopy" else "sounddevice"
        return SilentPlayer(f"{lib}: {reason}", stream=stream)


class SceneAudio:
    """Starts the tones of each presented Scene on ``player``; ``onsets`` lists every start.

    A player that fails while playing (a driver error in the middle of a run)
    is replaced by a :class:`SilentPlayer` naming the error: the run goes on
    visual-only, with one line on stderr.
    """

    def __init__(self, player: AudioPlayer | None = None, backend: str = "qt", window: Any = None) -> None:
        self.player: AudioPlayer = player if player is not None else open_audio(backend, window)
        self.schedule = ToneSchedule()

    def play(self, samples: np.ndarray) -> None:
        try:
            self.player.play(samples)
        except Exception as exc:  # never stop a session for its sound
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.player = SilentPlayer(f"{self.player.device}: {reason}")
            self.player.play(samples)

    @property
    def onsets(self) -> list[ToneOnset]:
        return self.schedule.onsets

    def present(self, scene: Scene, onset: float) -> list[ToneOnset]:
        if not scene.items:
            return []
        started = self.schedule.start(scene, onset)
        for entry in started:
            self.play(render_tone(entry.tone))
        return started

    def info(self) -> dict[str, Any]:
        """For the manifest: the device (``"none"`` without one) and the signal facts."""
        return {"audio_device": self.player.device, "audio_rate_hz": SAMPLE_RATE, "audio_ramp_ms": RAMP_S * 1000, "audio_level_db_fs": DEFAULT_LEVEL_DB}
