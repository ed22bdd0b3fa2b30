"""Auditory tasks: tones (with a visual frame that never tells the answer).

``ToneDetectionView``: tone-in-noise detection (Gao et al.); a 2 s
listening window of white noise, drawn as a bar with a cursor and three marks
where a tone may come; a brief quiet 1 kHz tone at the trial's position (or none).
``AnnubesView``: the auditory modality is a 1 kHz tone, the visual one a
white disc; each at the trial's intensity (tone level, disc contrast).
"""

from __future__ import annotations

import math

from neurogym_app.stimuli.natural.base import NaturalView, period_ms, tone_key
from neurogym_app.stimuli.scene import Dot, FixationPoint, Item, Patch, Tone
from neurogym_app.stimuli.sound import DEFAULT_LEVEL_DB
from neurogym_app.stimuli.views import StepState

__all__ = ["ToneDetectionView", "AnnubesView", "intensity_db"]

#: a quiet tone (the task's tone is embedded in noise): 15 dB under the default level
DETECTION_LEVEL_DB = DEFAULT_LEVEL_DB - 15.0
#: the background noise of the listening window (RMS, dB FS)
NOISE_LEVEL_DB = DEFAULT_LEVEL_DB - 14.0


def intensity_db(intensity: float) -> float:
    """Tone level for an intensity 0-1 (amplitude proportional to intensity, 1 = the default level)."""
    return DEFAULT_LEVEL_DB + 20.0 * math.log10(max(float(intensity), 1e-3))


class ToneDetectionView(NaturalView):
    """A 2 s listening window: a bar with a moving cursor and three marks where a tone may play."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        task = self.task
        total = max(period_ms(task, "stimulus"), 1.0)
        width = 12.0 * k
        left = -width / 2
        items: list[Item] = [Dot(0.0, 0.0, size=0.5 * k, color=(255, 255, 255))]
        for x in (left, left + width):
            items.append(Dot(x, -3.0 * k, size=0.3 * k, color=(170, 170, 170)))
        timings = [float(t) for t in getattr(task, "toneTiming", ())]
        for t in timings:
            items.append(Dot(left + width * t / total, -3.0 * k, size=0.5 * k, color=(200, 200, 200), shape="diamond", fill=False, line_width=0.06 * k))
        frac = min(max(state.t_ms / total, 0.0), 1.0)
        items.append(Dot(left + width * frac, -3.0 * k, size=0.45 * k, color=(255, 220, 90)))
        if state.period == "stimulus":  # the whole window is background noise, the tone comes on top
            items.append(Tone(tone_key(state, "noise"), duration=total / 1000.0, level_db=NOISE_LEVEL_DB, noise=True))
        gt = int(state.trial.get("ground_truth", 0) or 0)
        if 1 <= gt <= len(timings):
            onset, duration = timings[gt - 1], float(getattr(task, "toneDur", 50.0))
            if onset <= state.t_ms < onset + max(duration, float(task.dt)):
                items.append(Tone(tone_key(state, "tone"), frequency=1000.0, duration=duration / 1000.0, level_db=DETECTION_LEVEL_DB))
        return items


class AnnubesView(NaturalView):
    """Visual (a white disc, contrast = intensity) and/or auditory (a 1 kHz tone) stimuli; nothing on catch trials."""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        values = state.trial.get("stim_values") or {}
        if state.period == "stimulus" and not state.trial.get("catch", False):
            if "v" in values:
                items.append(Patch(0.0, 0.0, size=3.0 * k, contrast=float(values["v"]) * 0.8, mask="raisedcos"))
            if "a" in values:
                duration = max(period_ms(self.task, "stimulus"), float(self.task.dt)) / 1000.0
                items.append(Tone(tone_key(state, "a"), frequency=1000.0, duration=duration, level_db=intensity_db(float(values["a"]))))
        items.append(FixationPoint(0.0, 0.0, size=0.5 * k, color=(255, 255, 255) if state.period != "stimulus" else (120, 220, 120)))
        return items
