"""LSL markers of an experiment: `[markers] wait_for_consumer` holds the start until an inlet is
connected, so a real pylsl inlet receives every marker, in order, time-stamped with the recorded onsets."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pylsl  # the `lsl` extra, installed by the Makefile
import pytest

EXPERIMENT = """
name = "lsl_demo"
seed = 3
[tasks.gonogo]
id = "GoNogo-v0"
trials = 3
[markers]
lsl = true
stream_name = "{name}"
as_json = true
wait_for_consumer = 30
"""


def start_play(tmp_path: Path, name: str, *extra: str) -> subprocess.Popen:
    exp = tmp_path / "lsl.toml"
    exp.write_text(EXPERIMENT.format(name=name))
    return subprocess.Popen(
        [sys.executable, "-m", "neurogym_app.cli.main", "play", str(exp), "--auto", "oracle", "--realtime", "--headless",
         "--participant", "P1", "--out", str(tmp_path / "out"), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )


def test_an_inlet_receives_every_marker_with_the_recorded_onsets(tmp_path):
    name = f"ngym-lsl-{time.time_ns()}"
    proc = start_play(tmp_path, name)
    try:
        streams = pylsl.resolve_byprop("name", name, timeout=20.0)
        assert streams, "the experiment's LSL stream was not found (is multicast blocked on this machine?)"
        inlet = pylsl.StreamInlet(streams[0])
        inlet.open_stream(timeout=10.0)
        received: list[tuple[dict, float]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sample, ts = inlet.pull_sample(timeout=0.5)
            if sample is not None:
                received.append((json.loads(sample[0]), ts))
            elif proc.poll() is not None:
                break  # the run is over and every sample has arrived
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"waiting up to 30 s for an LSL inlet on stream {name!r}" in out and f"LSL inlet connected to {name!r}" in out
    labels = [m["label"] for m, _ in received]
    assert labels[0] == "experiment_start" and "experiment_end" in labels  # the first markers are not lost
    folder = next((tmp_path / "out" / "lsl_demo").iterdir())
    manifest = json.loads((folder / "experiment.json").read_text())
    assert manifest["markers"]["sent"] == len(received)  # every marker sent was received
    times = [m["t"] for m, _ in received]
    assert times == sorted(times)  # in order
    offset = manifest["markers"]["clock_offset_s"]
    for m, ts in received:
        assert ts == pytest.approx(m["t"] + offset, abs=1e-6)  # the marker's own time, on the LSL clock
    # ... and that time is the recorded onset (trials.csv holds seconds since the run's start)
    with open(folder / "trials.csv", newline="") as f:
        rows = {int(r["trial"]): r for r in csv.DictReader(f)}
    gaps = []
    for m, ts in received:
        what = m.get("what")
        if m["label"].startswith("onset:") and m.get("trial") is not None and what not in (None, "trial", "feedback") and not str(what).startswith("screen"):
            recorded = rows[m["trial"]].get(f"onset_{what}_s")
            if recorded not in (None, ""):
                gaps.append(ts - offset - float(recorded))
    assert len(gaps) >= 3 * 2  # each trial's period onsets
    assert max(gaps) - min(gaps) < 2e-6  # one constant: the run's clock origin (trials.csv rounds to the us)


def test_without_an_inlet_the_run_starts_after_the_wait_and_says_so(tmp_path):
    name = f"ngym-lsl-none-{time.time_ns()}"
    proc = start_play(tmp_path, name, "--wait-for-lsl", "1.5")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    line = [ln for ln in out.splitlines() if ln.startswith("no LSL inlet")]
    assert line == [f"no LSL inlet connected to {name!r} within 1.5 s: starting anyway (markers sent before an inlet connects are lost)"]


def test_wait_for_lsl_needs_lsl_markers(tmp_path):
    exp = tmp_path / "plain.toml"
    exp.write_text('[tasks.g]\nid = "GoNogo-v0"\ntrials = 1\n')
    done = subprocess.run([sys.executable, "-m", "neurogym_app.cli.main", "play", str(exp), "--auto", "oracle", "--headless",
                           "--participant", "P1", "--wait-for-lsl", "3", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "sends no LSL markers; set [markers] lsl = true" in done.stderr
    done = subprocess.run([sys.executable, "-m", "neurogym_app.cli.main", "play", "GoNogo-v0", "--auto", "oracle", "--headless",
                           "--wait-for-lsl", "3"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "--wait-for-lsl is for experiment files" in done.stderr
