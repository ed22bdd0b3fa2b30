"""Turn-based tasks (no "no response" action): the runner waits for a key press at each decision."""

from __future__ import annotations

import pytest

import neurogym_app as ngym
from neurogym_app.input.events import KeyEvent
from neurogym_app.input.keymap import build_keymap
from neurogym_app.runtime.clock import FakeClock
from neurogym_app.runtime.loop import run_frames
from neurogym_app.runtime.markers import RecordingSink
from neurogym_app.runtime.null_display import NullDisplay
from neurogym_app.runtime.runner import FlowSettings, Runner
from neurogym_app.runtime.simulated import SimulatedParticipant

FRAME = 1 / 64
TURN_TASKS = ["Bandit-v0", "IBL-v0", "MatchingPenny-v0", "ContextSwitch-v0"]


class Inbox(NullDisplay):
    def __init__(self, clock):
        super().__init__(clock, refresh_hz=64.0)
        self.inbox = []

    def poll(self):
        out, self.inbox = self.inbox, []
        return out


class Recs:
    def __init__(self):
        self.records = []

    def write_trial(self, record):
        self.records.append(record)
        return {"trial": record.index, **record.vars, **record.summary}


def make(task_id, n_trials=3, sources=(), markers=None):
    env = ngym.make(task_id)
    km = build_keymap(env)
    clock = FakeClock()
    display = Inbox(clock)
    recs = Recs()
    runner = Runner(env, km, display, recorder=recs, n_trials=n_trials, seed=3, flow=FlowSettings(feedback=False, iti_ms=0),
                    sources=sources, markers=markers)
    return runner, clock, display, recs, km


@pytest.mark.parametrize("task_id", TURN_TASKS)
def test_turn_based_keymap_binds_every_action(task_id):
    km = build_keymap(ngym.make(task_id))
    assert km.turn_based and km.fixate is None
    assert sorted(km.response_actions) == [0, 1]  # action 0 is a choice, with keys
    assert km.keys_for(0) == ("left", "f") and km.keys_for(1) == ("right", "j")
    assert "waits" in km.describe() and "fixate" not in km.describe()


def test_tasks_with_a_fixation_action_are_not_turn_based():
    for task_id in ("PerceptualDecisionMaking-v0", "GoNogo-v0", "LeverPress-v0", "AngleReproduction-v0"):
        assert not build_keymap(ngym.make(task_id)).turn_based


@pytest.mark.parametrize("task_id", TURN_TASKS)
def test_runner_waits_for_the_press_and_never_sends_action_0_by_itself(task_id):
    runner, clock, display, recs, km = make(task_id)
    calls = []
    original = runner.env.step

    def step(action):
        calls.append((clock.now(), int(action)))
        return original(action)

    runner.env.step = step
    for _ in range(int(10 / FRAME)):  # 10 s without a key: nothing happens
        runner.tick(clock.now())
        clock.advance(FRAME)
    assert calls == [] and recs.records == [] and runner.phase == "trial"
    t_press = clock.now() + 0.3
    display.inbox.append(KeyEvent("f", t_press))  # "left" = action 0, a real choice
    for _ in range(int(1 / FRAME)):
        clock.advance(FRAME)
        runner.tick(clock.now())
    assert [a for _, a in calls] == [0]
    assert t_press <= calls[0][0] <= t_press + FRAME  # stepped at the first frame at or after the press
    rec = recs.records[0]
    assert rec.summary["choice"] == 0 and rec.summary["choice_label"] == "left" and rec.summary["response_key"] == "f"
    assert rec.summary["trial_end_s"] == pytest.approx(t_press)  # the step is taken at the press's own time
    assert rec.summary["outcome"] in ("correct", "wrong")
    assert rec.summary["gt"] in (0, 1)
    if rec.summary["rt_ms"] is not None:
        assert rec.summary["rt_ms"] == pytest.approx((t_press - rec.summary["trial_onset_s"]) * 1000, abs=1e-6)


def test_ibl_correct_and_wrong_choices_are_scored():
    runner, clock, display, recs, km = make("IBL-v0", n_trials=2)
    runner.tick(clock.now())
    gt = int(runner.current_trial.vars["ground_truth"])
    display.inbox.append(KeyEvent(km.keys_for(gt)[0], clock.now() + 0.01))
    clock.advance(0.02)
    runner.tick(clock.now())
    clock.advance(FRAME)
    runner.tick(clock.now())
    gt2 = int(runner.current_trial.vars["ground_truth"])
    display.inbox.append(KeyEvent(km.keys_for(1 - gt2)[0], clock.now() + 0.01))
    clock.advance(0.02)
    runner.tick(clock.now())
    assert [r.summary["outcome"] for r in recs.records] == ["correct", "wrong"]
    assert runner.done and runner.status == "completed"


@pytest.mark.parametrize("task_id", TURN_TASKS)
def test_simulated_participant_plays_turn_based_tasks(task_id):
    env = ngym.make(task_id)
    km = build_keymap(env)
    clock = FakeClock()
    sink = RecordingSink()
    runner = Runner(env, km, NullDisplay(clock), n_trials=20, seed=1, markers=sink,
                    sources=[SimulatedParticipant(km, "oracle", seed=2)])
    run_frames(runner, clock, max_frames=200_000)
    assert runner.status == "completed" and len(runner.rows) == 20
    assert all(r["choice"] in (0, 1) and r["rt_ms"] is not None for r in runner.rows)
    assert sum(r["choice"] == 0 for r in runner.rows) > 0  # action 0 is chosen by pressing, not by default
    if task_id != "ContextSwitch-v0":  # ContextSwitch's answer depends on a hidden, switching context
        assert all(r["correct"] == 1 for r in runner.rows)
    assert sink.labels().count("onset:trial") == 20 and sum(label.startswith("response:") for label in sink.labels()) == 20


def test_escape_still_stops_a_waiting_turn_based_trial():
    runner, clock, display, recs, km = make("Bandit-v0")
    runner.tick(clock.now())
    display.inbox.append(KeyEvent("escape", clock.now()))
    clock.advance(FRAME)
    assert runner.tick(clock.now()) is False and runner.status == "aborted" and recs.records == []
