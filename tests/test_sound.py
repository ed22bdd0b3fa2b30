"""Tones: rendered buffers (frequency, duration, ramps, level, flutter), scheduled onsets, no-device path.

This machine has no audio device: the buffers are checked by FFT and by
their envelope, the onsets by the schedule the displays keep, and the
one-line warning that the run continues visual-only is checked as printed.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from neurogym_app.core import registry
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.stimuli.backends.audio import VISUAL_ONLY, SceneAudio, SilentPlayer, open_audio
from neurogym_app.stimuli.scene import Dot, Scene, Tone
from neurogym_app.stimuli.sound import (
    DEFAULT_LEVEL_DB,
    RAMP_S,
    SAMPLE_RATE,
    ToneSchedule,
    raised_cosine_ramp,
    render_tone,
)
from neurogym_app.stimuli.views import StepState, make_view


def _peak_hz(x: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=8 * len(x)))
    return float(np.fft.rfftfreq(8 * len(x), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("freq, dur", [(1000.0, 0.1), (440.0, 0.25), (2000.0, 0.05)])
def test_tone_buffer_has_its_frequency_duration_and_level(freq, dur):
    buf = render_tone(Tone("k", frequency=freq, duration=dur))
    assert buf.shape == (round(dur * SAMPLE_RATE), 2) and buf.dtype == np.float32
    assert abs(_peak_hz(buf[:, 0]) - freq) < 2.0
    flat = buf[int(RAMP_S * SAMPLE_RATE) : -int(RAMP_S * SAMPLE_RATE), 0]
    amplitude = 10 ** (DEFAULT_LEVEL_DB / 20)
    assert np.max(np.abs(flat)) == pytest.approx(amplitude, rel=0.01)
    assert np.sqrt(np.mean(flat.astype(float) ** 2)) == pytest.approx(amplitude / np.sqrt(2), rel=0.02)


def test_onset_and_offset_ramps_are_5_ms_raised_cosines():
    freq, n_ramp = 1000.0, int(RAMP_S * SAMPLE_RATE)
    buf = render_tone(Tone("k", frequency=freq, duration=0.1, level_db=0.0))[:, 0].astype(float)
    t = np.arange(len(buf)) / SAMPLE_RATE
    envelope = buf / np.where(np.abs(np.sin(2 * np.pi * freq * t)) > 0.2, np.sin(2 * np.pi * freq * t), np.nan)
    ramp = raised_cosine_ramp(n_ramp)
    on = ~np.isnan(envelope[:n_ramp])
    assert np.allclose(envelope[:n_ramp][on], ramp[on], atol=2e-3)
    off = ~np.isnan(envelope[-n_ramp:])
    assert np.allclose(envelope[-n_ramp:][off], ramp[::-1][off], atol=2e-3)
    assert abs(buf[0]) < 1e-3 and abs(buf[-1]) < 1e-3
    # the flat part starts where the ramp ends
    assert np.nanmax(np.abs(envelope[n_ramp : 2 * n_ramp])) == pytest.approx(1.0, abs=2e-3)


def test_a_flutter_is_gated_at_its_rate():
    buf = render_tone(Tone("k", frequency=200.0, duration=1.0, modulation_hz=22.0))[:, 0].astype(float)
    envelope = np.abs(buf).reshape(-1, 48).max(axis=1)  # 1 kHz envelope
    assert abs(_peak_hz(envelope - envelope.mean(), rate=1000) - 22.0) < 0.5


def test_pan_moves_the_tone_between_the_ears():
    left = render_tone(Tone("k", duration=0.05, pan=-1.0))
    right = render_tone(Tone("k", duration=0.05, pan=1.0))
    centre = render_tone(Tone("k", duration=0.05, pan=0.0))
    assert np.abs(left[:, 1]).max() < 1e-6 < np.abs(left[:, 0]).max()
    assert np.abs(right[:, 0]).max() < 1e-6 < np.abs(right[:, 1]).max()
    assert np.allclose(centre[:, 0], centre[:, 1])


def test_bad_tones_are_refused():
    with pytest.raises(ValueError, match="positive frequency"):
        Tone("k", frequency=0)


def test_a_tone_starts_once_with_the_first_frame_that_carries_it():
    schedule = ToneSchedule()
    a, b = Tone("1:stim1", duration=0.3), Tone("1:stim2", duration=0.3)
    frames = [Scene((Dot(),)), Scene((a,)), Scene((a,)), Scene(()), Scene((b, Dot())), Scene((b,))]
    started = [schedule.start(scene, 0.1 * i) for i, scene in enumerate(frames)]
    assert [len(s) for s in started] == [0, 1, 0, 0, 1, 0]
    assert [(o.key, o.onset) for o in schedule.onsets] == [("1:stim1", 0.1), ("1:stim2", pytest.approx(0.4))]
    assert Scene((a, Dot())).flat_items() == (Dot(),)  # backends draw nothing for a tone


def test_without_a_device_the_run_warns_once_and_continues_visual_only():
    stream = io.StringIO()
    audio = SceneAudio(SilentPlayer("sounddevice: no output device", stream=stream))
    for i in range(3):
        audio.present(Scene((Tone(f"t{i}"),)), float(i))
    lines = stream.getvalue().splitlines()
    assert lines == [f"neurogym-app: no audio output (sounddevice: no output device); {VISUAL_ONLY}"]
    assert [o.onset for o in audio.onsets] == [0.0, 1.0, 2.0] and audio.player.played == 3
    assert audio.info()["audio_device"] == "none" and audio.info()["audio_rate_hz"] == 48000


def test_this_machine_has_no_audio_device_so_open_audio_is_silent():
    # the test machine has no sound card: the Qt backend's sounddevice player cannot open
    player = open_audio("qt", stream=io.StringIO())
    assert isinstance(player, SilentPlayer) and player.device == "none" and player.reason.startswith("sounddevice: ")


def test_qt_display_schedules_tones_at_the_frame_onset_and_reports_no_device(qapp, capfd):
    from neurogym_app.qt.canvas import QtDisplay

    clock = FakeClock(1.0)
    display = QtDisplay(clock, size=(200, 150), offscreen=True)
    try:
        onset = display.present(Scene((Tone("x:1", duration=0.05),)))
        clock.advance(0.5)
        display.present(Scene((Tone("x:1", duration=0.05),)))
        assert [(o.key, o.onset) for o in display.audio.onsets] == [("x:1", onset)]
        assert display.info()["audio_device"] == "none"
    finally:
        display.close()
    err = capfd.readouterr().err
    assert err.count("continues visual-only") == 1


@pytest.mark.parametrize("task_id, periods", [
    ("IntervalDiscrimination-v0", ("stim1", "stim2")),
    ("DelayComparison-v0", ("stimulus1", "stimulus2")),
    ("ToneDetection-v0", ("stimulus",)),
])
def test_auditory_tasks_put_tones_in_their_stimulus_periods(task_id, periods):
    env = registry.make(task_id, timing="human")
    env.reset(seed=4)
    task = env.unwrapped
    view = make_view(env, "natural")
    tones = {}
    for k in range(task.n_steps):
        scene = view.scene(StepState(ob=task.ob[k], trial=dict(task.trial), period=task.period_at(k), t_ms=k * task.dt,
                                     obs_space_names=task.observation_space.name))
        for tone in scene.tones():
            if not tone.noise:  # (ToneDetection's background noise: tested below)
                tones.setdefault(tone.key, (task.period_at(k), tone))
    if task_id == "ToneDetection-v0" and task.trial["ground_truth"] == 0:
        assert not tones
        return
    assert {p for p, _ in tones.values()} == set(periods)
    if task_id == "IntervalDiscrimination-v0":  # each tone lasts its stimulus
        durations = sorted(round(t.duration * 1000) for _, t in tones.values())
        assert durations == sorted(round(task.trial[k]) for k in ("duration1", "duration2"))


def test_a_recorded_tone_session_names_the_audio_device(tmp_path, qapp):
    from neurogym_app.qt.canvas import QtDisplay
    from neurogym_app.runtime.play import play
    from neurogym_app.runtime.run import PlayOptions
    from neurogym_app.runtime.scenes import StimulusScenes

    clock = FakeClock()
    display = QtDisplay(clock, size=(320, 240), offscreen=True)
    env = registry.make("IntervalDiscrimination-v0", timing="human")
    from neurogym_app.input.keymap import build_keymap

    keymap = build_keymap(env)
    try:
        result = play(
            PlayOptions(task_id="IntervalDiscrimination-v0", out=tmp_path, n_trials=2, seed=3, player="oracle"),
            display, clock, scenes=StimulusScenes(env, keymap, "natural"), env=env, keymap=keymap,
            display_info={"backend": "qt", **display.info()},
        )
    finally:
        display.close()
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["display"]["audio_device"] == "none" and manifest["view"] == "natural"
    assert len(display.audio.onsets) == 4  # two tones per trial, each started once


def test_the_apps_play_view_display_starts_tones_of_deferred_scenes(qapp, capfd):
    from neurogym_app.qt.stimulus import CanvasDisplay, FitCanvas
    from neurogym_app.runtime.play_setup import DeferredScene

    clock = FakeClock(2.0)
    canvas = FitCanvas(clock)
    display = CanvasDisplay(canvas, clock)
    onset = display.present(DeferredScene(lambda: Scene((Tone("7:stim1", duration=0.1),))))
    assert [(o.key, o.onset) for o in display.audio.onsets] == [("7:stim1", onset)]
    assert display.info()["audio_device"] == "none"
    silent = CanvasDisplay(canvas, clock, audio=False)  # a simulated player on a virtual clock
    silent.present(DeferredScene(lambda: Scene((Tone("7:stim2"),))))
    assert silent.audio is None and silent.info()["audio_device"].startswith("off")
    assert capfd.readouterr().err.count("continues visual-only") == 1
    canvas.deleteLater()


def test_a_player_that_fails_mid_run_is_replaced_by_silence_with_one_line(capfd):
    class Broken:
        device = "fake card"

        def play(self, samples):
            raise OSError("device unplugged\nmore detail")

    audio = SceneAudio(Broken())
    audio.present(Scene((Tone("a"),)), 0.0)
    audio.present(Scene((Tone("b"),)), 1.0)
    assert isinstance(audio.player, SilentPlayer) and audio.info()["audio_device"] == "none"
    assert [o.key for o in audio.onsets] == ["a", "b"]
    err = capfd.readouterr().err.splitlines()
    assert err == [f"neurogym-app: no audio output (fake card: device unplugged); {VISUAL_ONLY}"]


def test_noise_is_white_at_its_rms_level_and_the_same_for_the_same_key():
    a = render_tone(Tone("5:noise", duration=1.0, level_db=-30.0, noise=True))[:, 0].astype(float)
    b = render_tone(Tone("5:noise", duration=1.0, level_db=-30.0, noise=True))[:, 0]
    c = render_tone(Tone("6:noise", duration=1.0, level_db=-30.0, noise=True))[:, 0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    flat = a[480:-480]
    assert 20 * np.log10(np.sqrt(np.mean(flat**2))) == pytest.approx(-30.0, abs=0.2)
    power = np.abs(np.fft.rfft(flat)) ** 2
    bands = [power[(f0 < f) & (f < f0 * 2)].mean() for f0, f in [(f0, np.fft.rfftfreq(len(flat), 1 / SAMPLE_RATE)) for f0 in (250, 1000, 4000)]]
    assert max(bands) / min(bands) < 1.3  # flat spectrum: white


def test_tone_detection_plays_its_tone_inside_a_noise_window():
    env = registry.make("ToneDetection-v0", timing="human")
    env.reset(seed=0)
    task = env.unwrapped
    task.new_trial(ground_truth=2)
    view = make_view(env, "natural")
    tones = {}
    for k in range(task.n_steps):
        for tone in view.scene(StepState(ob=task.ob[k], trial=dict(task.trial), period=task.period_at(k), t_ms=k * task.dt)).tones():
            tones.setdefault(tone.key, (k * task.dt, tone))
    (t_noise, noise), (t_tone, tone) = sorted(tones.values(), key=lambda v: v[1].noise, reverse=True)
    assert noise.noise and t_noise == 0 and noise.duration == pytest.approx(2.0)
    assert not tone.noise and t_tone == task.toneTiming[1] and tone.level_db < noise.level_db
