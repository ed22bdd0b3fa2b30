"""The PsychoPy backend plays a tone task under Xvfb: tones scheduled on the flip, onsets = period onsets.

Xvfb has no sound card and this PsychoPy install has no ``soundfile`` (which
``psychopy.sound`` imports): the run prints one line and continues
visual-only, and the onsets are recorded all the same. FAILS (never skips)
without PsychoPy or Xvfb, as every PsychoPy test.
"""

from __future__ import annotations

import json

import pytest
from _xvfb import psychopy_display  # noqa: F401  (fixture)

from neurogym_app.core import registry
from neurogym_app.input.keymap import build_keymap
from neurogym_app.runtime.clock import MonotonicClock
from neurogym_app.runtime.play import play
from neurogym_app.runtime.run import PlayOptions
from neurogym_app.runtime.scenes import StimulusScenes
from neurogym_app.stimuli.scene import Geometry

pytestmark = [pytest.mark.psychopy, pytest.mark.usefixtures("psychopy_display")]


def test_psychopy_backend_plays_interval_discrimination_with_its_tones(tmp_path, capfd):
    from neurogym_app.stimuli.backends.psychopy_backend import PsychoPyDisplay

    clock = MonotonicClock()
    display = PsychoPyDisplay(clock, size=(320, 240), geometry=Geometry(20.0, (320, 240)), visible=False, refresh_hz=60.0)
    env = registry.make("IntervalDiscrimination-v0", timing="human")
    keymap = build_keymap(env)
    try:
        result = play(
            PlayOptions(task_id="IntervalDiscrimination-v0", out=tmp_path, n_trials=2, seed=7, player="oracle"),
            display, clock, scenes=StimulusScenes(env, keymap, "natural", geometry=display.geometry), env=env, keymap=keymap,
            display_info={"backend": "psychopy", **display.info()},
        )
    finally:
        display.close()
    assert result.status == "completed" and len(result.rows) == 2, result.status
    origin = result.runner.origin  # trials.csv times are seconds since the session start
    onsets = [o.onset - origin for o in display.audio.onsets]
    assert len(onsets) == 4  # stim1 and stim2 of each trial, each started once
    period_onsets = sorted(float(row[f"onset_{p}_s"]) for row in result.rows for p in ("stim1", "stim2"))
    assert sorted(onsets) == pytest.approx(period_onsets, abs=1e-9)  # a tone starts with its period's first flip
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["display"]["audio_device"] == "none"
    err = capfd.readouterr().err
    assert err.count("continues visual-only") == 1 and "psychopy.sound" in err
