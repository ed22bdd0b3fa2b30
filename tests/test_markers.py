"""Event markers: the sinks, and Lab Streaming Layer markers received by a local inlet."""

from __future__ import annotations

import time

import pytest

import neurogym_app as ngym
from neurogym_app.input.keymap import build_keymap
from neurogym_app.runtime.clock import MonotonicClock
from neurogym_app.runtime.markers import CodeSink, Marker, MultiSink, RecordingSink, send_marker
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.runner import FlowSettings, Runner
from neurogym_app.runtime.simulated import SimulatedParticipant


def test_code_sink_maps_labels_to_ttl_codes():
    written = []
    sink = CodeSink(written.append, codes={"onset:stimulus": 12, "response": 30}, reset=lambda: written.append(0))
    for m in (Marker("onset", 1.0, data={"what": "stimulus"}), Marker("onset", 1.1, data={"what": "delay"}),
              Marker("response", 1.2, data={"action": "left"})):
        sink.send(m)
    assert written == [12, 0, 30, 0] and sink.sent == 2
    with pytest.raises(ValueError, match="0-255"):
        CodeSink(written.append, codes={"x": 300})


def test_a_failing_sink_does_not_stop_the_session():
    class Broken:
        def send(self, marker):
            raise OSError("device unplugged")

    broken, ok = Broken(), RecordingSink()
    multi = MultiSink(broken, ok)
    send_marker(multi, Marker("block_start", 0.0))
    assert ok.labels() == ["block_start"] and broken.failures == 1 and "unplugged" in broken.last_error


def test_lsl_markers_reach_a_local_inlet():
    import pylsl  # the `lsl` extra, installed by the Makefile

    from neurogym_app.runtime.markers import LSLSink

    clock = MonotonicClock()
    name = f"ngym-test-{time.time_ns()}"
    sink = LSLSink(clock, name=name, source_id=name)
    streams = pylsl.resolve_byprop("name", name, timeout=5.0)
    assert streams, "LSL stream discovery found nothing on this machine (multicast blocked?)"
    inlet = pylsl.StreamInlet(streams[0])
    inlet.open_stream(timeout=5.0)
    time.sleep(0.3)  # let the inlet connect before samples are pushed
    env = ngym.make("Bandit-v0", timing="human")
    km = build_keymap(env)
    runner = Runner(env, km, NullDisplay(clock), n_trials=2, seed=0, markers=sink,
                    flow=FlowSettings(feedback=False, iti_ms=0), sources=[SimulatedParticipant(km, "oracle", seed=0)])
    sent = []
    original = sink.send

    def spy(marker):
        sent.append(marker)
        original(marker)

    sink.send = spy
    deadline = time.perf_counter() + 10
    while runner.tick(clock.now()) and time.perf_counter() < deadline:
        time.sleep(0.005)
    assert runner.status == "completed"
    received = []
    end = time.perf_counter() + 5
    while len(received) < len(sent) and time.perf_counter() < end:
        sample, ts = inlet.pull_sample(timeout=0.5)
        if sample is not None:
            received.append((sample[0], ts))
    assert [s for s, _ in received] == [m.label for m in sent]
    assert "response:left" in [s for s, _ in received] or "response:right" in [s for s, _ in received]
    # timestamps: the marker's runner-clock time moved onto the LSL clock (same machine: the offset is tiny)
    for (_label, ts), m in zip(received, sent):
        assert ts == pytest.approx(m.t + sink.offset, abs=1e-3)
    assert abs(sink.offset - (pylsl.local_clock() - clock.now())) < 0.01
    inlet.close_stream()
