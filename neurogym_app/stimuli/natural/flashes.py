"""Flashes, flicker and clicks: the timing, interval and pulse tasks.

A flash is a bright disc (or ring) that is on while its input is; where the
task is about time (intervals, rhythms, flutter) the flash comes with a tone
of the same duration, so the interval can be heard as well as seen (the
tones are scheduled with the frame that first shows them, see
``neurogym_app.stimuli.sound``).

Views: ``ReadySetGoView`` (Jazayeri & Shadlen 2015), ``MotorTimingView``
(Wang et al. 2018), ``OneTwoThreeGoView`` (Egger et al. 2019),
``IntervalDiscriminationView`` (Genovesio et al. 2009),
``DelayComparisonView`` (Romo et al. 1999, flutter as flicker and sound),
``PulseView`` (Brunton et al. 2013), ``HierarchicalReasoningView``
(Sarafyazd & Jazayeri 2019), ``DetectionView``.
"""

from __future__ import annotations

from neurogym_app.stimuli.natural.base import NaturalView, channel_on, period_ms, tone_key
from neurogym_app.stimuli.scene import Color, Dot, Item, Patch, Tone
from neurogym_app.stimuli.views import StepState

__all__ = [
    "ReadySetGoView",
    "MotorTimingView",
    "OneTwoThreeGoView",
    "IntervalDiscriminationView",
    "DelayComparisonView",
    "PulseView",
    "HierarchicalReasoningView",
    "DetectionView",
]

WHITE: Color = (255, 255, 255)
SHORT_CUE: Color = (80, 160, 255)
LONG_CUE: Color = (255, 110, 80)
CLICK_S = 0.03


def flash(x: float, y: float, size: float, on: bool, k: float, color: Color = WHITE) -> Dot:
    """A disc: filled while ``on``, a dim outline otherwise (so the place is known in advance)."""
    return Dot(x * k, y * k, size=size * k, color=color, fill=on, line_width=0.06 * k, opacity=1.0 if on else 0.35)


class ReadySetGoView(NaturalView):
    """A white disc flashes left of fixation at "ready" and right of it at "set".

    The fixation point goes off when the production period starts: respond
    when the time since "set" matches the ready-set interval (times the gain).
    Each flash comes with a click.
    """

    eccentricity = 5.0
    size = 1.6

    def stimulus_items(self, state: StepState) -> list[Item]:
        items: list[Item] = []
        k = self.layout_scale()
        for name, side in (("ready", -1.0), ("set", 1.0)):
            # the flash is on while its period is current (periods overlap: measure starts with ready)
            on = state.period == name
            items.append(flash(side * self.eccentricity, 0.0, self.size, on, k))
            if on:
                items.append(Tone(tone_key(state, name), frequency=1000.0, duration=CLICK_S))
        items += self.fixation_items(state)
        return items


class MotorTimingView(NaturalView):
    """Cue-set-go: the fixation's ring colour says the interval (blue short, red long), a flash says "set".

    After the "set" flash the fixation point goes off: press when the cued
    interval has elapsed.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        short, long_ = channel_on(state, self, "cue_short"), channel_on(state, self, "cue_long")
        if short or long_:
            items.append(Dot(0.0, 0.0, size=2.0 * k, color=SHORT_CUE if short else LONG_CUE, fill=False, line_width=0.25 * k))
        on = state.period == "set"
        items.append(flash(0.0, 4.0, 1.6, on, 1.0 * k))
        if on:
            items.append(Tone(tone_key(state, "set"), frequency=1000.0, duration=CLICK_S))
        items += self.fixation_items(state)
        return items


class OneTwoThreeGoView(NaturalView):
    """Three evenly spaced flashes (with clicks) at fixation; press when the fourth would come.

    The target (a dot to the right) appears first and stays on. Nothing
    changes when the response period starts (it starts when the answer is due).
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        if channel_on(state, self, "target"):
            items.append(Dot(6.0 * k, 0.0, size=1.0 * k, color=(120, 220, 120)))
        beat = state.period in ("s1", "s2", "s3")
        items.append(flash(0.0, 0.0, 3.0, beat, k))
        if beat:
            items.append(Tone(tone_key(state, str(state.period)), frequency=1000.0, duration=CLICK_S))
        # (no hint in the response period: it starts exactly when the answer is due)
        items += self.fixation_items(state, color=(255, 70, 70)) if not beat else []
        return items


class IntervalDiscriminationView(NaturalView):
    """Two stimuli, each a disc lit and a 1 kHz tone for its duration; which one lasted longer?"""

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        for period, key in (("stim1", "duration1"), ("stim2", "duration2")):
            if state.period == period:
                items.append(flash(0.0, 0.0, 3.0, True, k))
                duration = float(state.trial.get(key) or period_ms(self.task, period) or self.task.dt) / 1000.0
                items.append(Tone(tone_key(state, period), frequency=1000.0, duration=duration))
        if not items:
            items.append(flash(0.0, 0.0, 3.0, False, k))
        items += self.fixation_items(state, color=(255, 70, 70))
        return items


class DelayComparisonView(NaturalView):
    """Romo et al. (1999) flutter: each stimulus flickers (and buzzes) at its frequency ``v`` Hz.

    The disc flickers on and off ``v`` times a second and a 200 Hz tone is
    pulsed at the same rate; after the delay the player reports which
    stimulus had the higher frequency.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        key = {"stimulus1": "v1", "stimulus2": "v2"}.get(state.period or "")
        if key is not None and key in state.trial:
            v = float(state.trial[key])
            start = float(self.task.start_ind.get(state.period, 0)) * float(self.task.dt) if hasattr(self.task, "start_ind") else 0.0
            phase = ((state.t_ms - start) / 1000.0 * v) % 1.0
            items.append(flash(0.0, 0.0, 3.0, phase < 0.5, k))
            duration = max(period_ms(self.task, str(state.period)), float(self.task.dt)) / 1000.0
            items.append(Tone(tone_key(state, str(state.period)), frequency=200.0, duration=duration, modulation_hz=v))
        else:
            items.append(flash(0.0, 0.0, 3.0, False, k))
        items += self.fixation_items(state, color=(255, 70, 70))
        return items


class PulseView(NaturalView):
    """Brunton et al. (2013) style: brief flashes (with clicks in that ear) left and right; which side had more?

    In cue period ``i`` the left disc flashes when ``pulse1[i]`` and the right
    one when ``pulse2[i]``.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        period = state.period or ""
        index = int(period[3:]) if period.startswith("cue") and period[3:].isdigit() else None
        for side, key in ((-1.0, "pulse1"), (1.0, "pulse2")):
            pulses = state.trial.get(key)
            on = index is not None and pulses is not None and index < len(pulses) and float(pulses[index]) > 0
            items.append(flash(side * 5.0, 0.0, 2.0, on, k))
            if on:
                items.append(Tone(tone_key(state, f"{key}:{index}"), frequency=1000.0, duration=CLICK_S, pan=side))
        items += self.fixation_items(state)
        return items


class HierarchicalReasoningView(NaturalView):
    """Two flashes at one side; the rule (reported first, up or down) maps the delay to a side.

    Rule targets (a square above, a diamond below) are lit while the rule is
    to be reported; the flashes appear at the trial's side (``stimulus``: 0
    left, 1 right); in the decision the left and right targets light up.
    """

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        period = state.period
        rule_on = period == "rule_target"
        items.append(Dot(0.0, 4.0 * k, size=1.2 * k, color=(200, 160, 255), shape="square", fill=rule_on, line_width=0.06 * k, opacity=1.0 if rule_on else 0.3))
        items.append(Dot(0.0, -4.0 * k, size=1.3 * k, color=(255, 200, 90), shape="diamond", fill=rule_on, line_width=0.06 * k, opacity=1.0 if rule_on else 0.3))
        deciding = period == "decision"
        for side in (-1.0, 1.0):
            items.append(Dot(side * 6.0 * k, 0.0, size=1.0 * k, color=(230, 230, 230), fill=deciding, line_width=0.06 * k, opacity=1.0 if deciding else 0.3))
        if period in ("flash1", "flash2") and "stimulus" in state.trial:
            side = -1.0 if int(state.trial["stimulus"]) == 0 else 1.0
            items.append(flash(side * 3.5, 0.0, 1.4, True, k))
            items.append(Tone(tone_key(state, str(period)), frequency=1000.0, duration=CLICK_S, pan=side))
        items += self.fixation_items(state)
        return items


class DetectionView(NaturalView):
    """A faint grating flashes at fixation at a random moment (or not at all): press when you see it."""

    contrast = 0.25

    def stimulus_items(self, state: StepState) -> list[Item]:
        k = self.layout_scale()
        items: list[Item] = []
        onset = state.trial.get("stim_onset")
        if state.period == "stimulus" and onset is not None and hasattr(self.task, "start_ind"):
            dt = float(self.task.dt)
            t = state.t_ms - self.task.start_ind["stimulus"] * dt - float(onset)
            if 0 <= t < max(1, int(getattr(self.task, "stim_dur", 1))) * dt:
                items.append(Patch(0.0, 0.0, size=4.0 * k, contrast=self.contrast, sf=1.0 / k, mask="gauss"))
        items.append(Dot(0.0, 0.0, size=4.2 * k, color=(150, 150, 150), fill=False, line_width=0.04 * k))
        items += self.fixation_items(state, color=(255, 70, 70))
        return items
