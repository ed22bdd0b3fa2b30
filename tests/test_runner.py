"""The tick runner on a fake clock: exact reaction times, step boundaries, frames, flow."""

from __future__ import annotations

import numpy as np
import pytest

import neurogym_app as ngym
from neurogym_app.input.events import KeyEvent
from neurogym_app.input.keymap import build_keymap
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.loop import run_frames
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.runner import FlowSettings, Runner
from neurogym_app.runtime.simulated import SimulatedParticipant

FRAME = 1 / 128  # exact binary fractions keep clock arithmetic exact
DT = 125  # ms: one step = 16 frames
TIMING = {"fixation": 250, "stimulus": 375, "delay": 0, "decision": 1000}  # decision starts at step 5 = 0.625 s


class FakeDisplay:
    """Presents nothing; the onset is the clock time plus a fixed hand-over latency."""

    def __init__(self, clock, refresh_hz=128.0, latency=0.0):
        self.clock = clock
        self.refresh_hz = refresh_hz
        self.latency = latency
        self.inbox = []
        self.onsets = []
        self.scenes = []

    def present(self, scene):
        onset = self.clock.now() + self.latency
        self.onsets.append(onset)
        self.scenes.append(scene)
        return onset

    def poll(self):
        out, self.inbox = self.inbox, []
        return out

    def close(self):
        pass


class ListRecorder:
    def __init__(self):
        self.records = []

    def write_trial(self, record):
        self.records.append(record)
        return {"trial": record.index, **record.summary}


def make_env(**kw):
    return ngym.make("PerceptualDecisionMaking-v0", dt=DT, timing=dict(TIMING), **kw)


def make_runner(env=None, *, latency=0.0, flow=None, n_trials=3, time_scale=1.0, mode=None, sources=(), seed=7):
    env = env or make_env()
    clock = FakeClock()
    display = FakeDisplay(clock, latency=latency)
    rec = ListRecorder()
    runner = Runner(
        env,
        build_keymap(env, mode=mode),
        display,
        recorder=rec,
        n_trials=n_trials,
        seed=seed,
        time_scale=time_scale,
        flow=flow or FlowSettings(feedback=False, iti_ms=0),
        sources=sources,
    )
    return runner, clock, display, rec


def drive(runner, clock, until, events=(), frame=FRAME):
    """Tick every ``frame`` s up to ``until``; ``events`` are (deliver_at, event) pairs put in the display inbox."""
    pending = sorted(events, key=lambda p: p[0])
    while clock.now() <= until + 1e-12 and not runner.done:
        while pending and pending[0][0] <= clock.now():
            runner.display.inbox.append(pending.pop(0)[1])
        runner.tick(clock.now())
        clock.advance(frame)


def start(runner, clock):
    runner.tick(clock.now())
    clock.advance(FRAME)


def correct_key(runner):
    gt = int(runner.current_trial.vars["ground_truth"])
    return "right" if gt == 0 else "left"  # choice 1 (gt 0) is labelled right


def spy_steps(runner, clock):
    calls = []
    original = runner.env.step

    def step(action):
        calls.append((clock.now(), int(action)))
        return original(action)

    runner.env.step = step
    return calls


# ----------------------------------------------------------------- reaction time
def test_rt_is_exact_and_not_rounded_to_dt():
    runner, clock, display, rec = make_runner(latency=1 / 256)
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 1.0, events=[(0.90625, KeyEvent(key, 0.9))])  # delivered a bit after the press
    row = rec.records[0].summary
    decision_onset = 0.625 + 1 / 256  # first frame of the decision period
    assert row["onset_decision_s"] == pytest.approx(decision_onset, abs=1e-12)
    assert row["rt_ms"] == pytest.approx((0.9 - decision_onset) * 1000.0, abs=1e-9)
    assert row["rt_ms"] == pytest.approx(271.09375, abs=1e-9)
    assert row["outcome"] == "correct" and row["correct"] == 1 and row["response_key"] == key
    assert row["onset_fixation_s"] == pytest.approx(1 / 256) and row["onset_stimulus_s"] == pytest.approx(0.25 + 1 / 256)


@pytest.mark.parametrize("t_key", [0.6251, 0.7, 0.74999, 1.3])
def test_rt_for_many_key_times(t_key):
    runner, clock, display, rec = make_runner()
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 2.0, events=[(t_key, KeyEvent(key, t_key))])
    assert rec.records[0].summary["rt_ms"] == pytest.approx((t_key - 0.625) * 1000.0, abs=1e-9)


# ------------------------------------------------------------- step boundaries
def test_action_applied_at_the_next_step_boundary():
    runner, clock, display, rec = make_runner()
    calls = spy_steps(runner, clock)
    start(runner, clock)
    key = correct_key(runner)
    # pressed inside step 6 (0.75 .. 0.875): the task steps with it at 0.875, judging step 6
    drive(runner, clock, 1.0, events=[(0.8, KeyEvent(key, 0.8))])
    times = [t for t, _ in calls]
    assert times[:7] == pytest.approx([0.125 * k for k in range(1, 8)])
    actions = [a for _, a in calls]
    assert actions[:6] == [0] * 6 and actions[6] != 0
    assert len(rec.records) >= 1 and rec.records[0].summary["n_steps"] == 7
    assert rec.records[0].arrays["action"].tolist() == actions[:7]
    assert rec.records[0].summary["trial_end_s"] == pytest.approx(0.875)


def test_late_event_is_applied_at_the_following_boundary_with_its_own_time():
    runner, clock, display, rec = make_runner()
    calls = spy_steps(runner, clock)
    start(runner, clock)
    key = correct_key(runner)
    # pressed at 0.8 (step 6) but delivered only at 0.9 (after the 0.875 boundary): applied at 1.0
    drive(runner, clock, 1.1, events=[(0.9, KeyEvent(key, 0.8))])
    assert [a for _, a in calls][:8] == [0] * 7 + [calls[7][1]] and calls[7][1] != 0
    assert calls[7][0] == pytest.approx(1.0)
    assert rec.records[0].summary["rt_ms"] == pytest.approx(175.0, abs=1e-9)


def test_press_before_the_response_period_is_too_early():
    env = make_env(abort=True)
    runner, clock, display, rec = make_runner(env)
    start(runner, clock)
    drive(runner, clock, 0.5, events=[(0.1, KeyEvent("f", 0.1))])
    row = rec.records[0].summary
    assert row["outcome"] == "too early" and row["n_early_responses"] == 1 and row["rt_ms"] is None
    assert row["n_steps"] == 1  # aborted at the step the press fell in


def test_no_response_is_too_late_and_wrong_key_is_wrong():
    runner, clock, display, rec = make_runner(n_trials=2)
    start(runner, clock)
    drive(runner, clock, 1.7)  # no key: the trial runs out at 13 steps = 1.625 s
    row = rec.records[0].summary
    assert row["outcome"] == "too late" and row["choice"] is None and row["n_steps"] == 13
    wrong = "left" if correct_key(runner) == "right" else "right"
    drive(runner, clock, 2.5, events=[(2.4, KeyEvent(wrong, 2.4))])
    assert rec.records[1].summary["outcome"] == "wrong" and rec.records[1].summary["correct"] == 0


# -------------------------------------------------------------------- frames
def test_dropped_frames_counted_against_the_refresh_period():
    runner, clock, display, rec = make_runner()  # refresh 128 Hz: a drop is an interval > 11.7 ms
    gaps = [FRAME] * 10 + [3 * FRAME] + [FRAME] * 10 + [1.4 * FRAME] + [FRAME] * 5 + [2 * FRAME]
    runner.tick(clock.now())
    for g in gaps:
        clock.advance(g)
        runner.tick(clock.now())
    assert runner.stats.dropped == 2  # 3 and 2 frame periods; 1.4 is within tolerance
    assert runner.trial.dropped == 2
    assert runner.trial.max_interval == pytest.approx(3 * FRAME)
    runner.stop()
    runner.tick(clock.now() + FRAME)
    assert runner.done and runner.status == "aborted" and rec.records == []


def test_frames_recorded_per_trial():
    runner, clock, display, rec = make_runner()
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 1.0, events=[(0.8, KeyEvent(key, 0.8))])
    arrays = rec.records[0].arrays
    assert len(arrays["frame_onset"]) == rec.records[0].summary["n_frames"] == 112  # 0.875 s at 128 Hz
    assert arrays["frame_step"][0] == 0 and arrays["frame_step"][-1] == 6
    assert np.allclose(np.diff(arrays["frame_onset"]), FRAME)
    assert arrays["observation"].shape == (7, 3) and arrays["step_start"].tolist() == pytest.approx(
        [0.125 * k for k in range(7)]
    )


# ---------------------------------------------------------------- time scale
def test_time_scale_slows_steps_down():
    runner, clock, display, rec = make_runner(time_scale=2.0)
    calls = spy_steps(runner, clock)
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 2.0, events=[(1.5, KeyEvent(key, 1.5))])
    assert [t for t, _ in calls][:5] == pytest.approx([0.25 * k for k in range(1, 6)])
    row = rec.records[0].summary
    assert row["onset_decision_s"] == pytest.approx(1.25)
    assert row["rt_ms"] == pytest.approx(250.0, abs=1e-9)


def test_step_state_time_is_task_time():
    runner, clock, display, rec = make_runner(time_scale=2.0)
    seen = []
    runner.scenes.step = lambda **s: seen.append(s) or {}
    start(runner, clock)
    drive(runner, clock, 0.6)
    by_frame = {round(s["frame_s"], 6): s for s in seen}
    assert by_frame[0.5]["t_ms"] == pytest.approx(250.0) and by_frame[0.5]["period"] == "stimulus"
    assert by_frame[0.375]["t_ms"] == pytest.approx(187.5)


# ------------------------------------------------------------ feedback and ITI
def test_feedback_and_iti_between_trials():
    flow = FlowSettings(feedback=True, feedback_ms=500, iti_ms=250)
    runner, clock, display, rec = make_runner(flow=flow, n_trials=2)
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 0.9, events=[(0.8, KeyEvent(key, 0.8))])
    assert runner.phase == "feedback"
    drive(runner, clock, 1.3)
    assert display.scenes[-1] == {"kind": "feedback", "outcome": "correct"}
    drive(runner, clock, 1.5)
    assert runner.phase == "iti" and display.scenes[-1] == {"kind": "blank"}
    drive(runner, clock, 1.7)
    assert runner.phase == "trial"
    assert runner.current_trial.t0 == pytest.approx(0.875 + 0.5 + 0.25)
    drive(runner, clock, 5.0)
    assert runner.done and runner.status == "completed" and len(rec.records) == 2
    assert rec.records[1].summary["trial_onset_s"] == pytest.approx(1.625)


def test_keys_between_trials_are_recorded_not_applied():
    flow = FlowSettings(feedback=True, feedback_ms=500, iti_ms=0)
    runner, clock, display, rec = make_runner(flow=flow, n_trials=2)
    start(runner, clock)
    key = correct_key(runner)
    drive(runner, clock, 5.0, events=[(0.8, KeyEvent(key, 0.8)), (1.0, KeyEvent("f", 1.0))])
    second = rec.records[1]
    assert any(e.data.get("phase") == "feedback" and e.data.get("key") == "f" for e in second.events)
    assert second.summary["n_early_responses"] == 0


def test_wait_for_start_and_escape():
    flow = FlowSettings(feedback=False, iti_ms=0, wait_for_start=True)
    runner, clock, display, rec = make_runner(flow=flow)
    drive(runner, clock, 0.5)
    assert runner.phase == "ready" and display.scenes[-1]["kind"] == "message"
    drive(runner, clock, 0.8, events=[(0.6, KeyEvent("space", 0.6))])
    assert runner.phase == "trial" and runner.current_trial.t0 == pytest.approx(77 / 128)  # the next frame
    drive(runner, clock, 1.0, events=[(0.9, KeyEvent("escape", 0.9))])
    assert runner.done and runner.status == "aborted"


def test_hold_mode_through_the_runner():
    env = ngym.make("GoNogo-v0", dt=DT, timing={"fixation": 250, "stimulus": 250, "delay": 250, "decision": 500})
    runner, clock, display, rec = make_runner(env, mode="hold", n_trials=1)
    start(runner, clock)
    go = runner.current_trial.vars["ground_truth"] == 1
    drive(runner, clock, 2.0, events=[(0.8, KeyEvent("space", 0.8)), (0.95, KeyEvent("space", 0.95, "release"))])
    row = rec.records[0].summary
    assert row["outcome"] == ("correct" if go else "wrong")
    assert row["rt_ms"] == pytest.approx(50.0, abs=1e-9)  # decision starts at 0.75


# ------------------------------------------------------- simulated, same path
def test_oracle_through_the_input_path_is_deterministic():
    def run_once():
        env = make_env()
        km = build_keymap(env)
        sim = SimulatedParticipant(km, "oracle", seed=11)
        clock = FakeClock()
        runner = Runner(env, km, NullDisplay(clock, 128.0), n_trials=15, seed=3, sources=[sim],
                        flow=FlowSettings(feedback=True, feedback_ms=250, iti_ms=0))
        run_frames(runner, clock)
        return runner.rows

    rows = run_once()
    assert len(rows) == 15 and all(r["outcome"] == "correct" for r in rows)
    assert all(150 <= r["rt_ms"] <= 1000 for r in rows)
    assert [r["rt_ms"] for r in rows] == [r["rt_ms"] for r in run_once()]


def test_random_and_lapse_players():
    env = make_env()
    km = build_keymap(env)
    results = {}
    for strategy in ("random", "lapse"):
        env = make_env()
        clock = FakeClock()
        sim = SimulatedParticipant(km, strategy, seed=5, lapse=0.5)
        runner = Runner(env, km, NullDisplay(clock, 128.0), n_trials=200, seed=9, sources=[sim],
                        flow=FlowSettings(feedback=False, iti_ms=0))
        run_frames(runner, clock)
        results[strategy] = np.mean([r["correct"] for r in runner.rows])
    assert 0.38 < results["random"] < 0.62
    assert 0.65 < results["lapse"] < 0.85  # 50 % lapses answered at random: ~75 % correct


def test_runner_rejects_bad_arguments():
    env = make_env()
    with pytest.raises(ValueError):
        Runner(env, build_keymap(env), NullDisplay(FakeClock()), time_scale=0)
    with pytest.raises(ValueError):
        Runner(env, build_keymap(env), NullDisplay(FakeClock()), n_trials=0)
