"""The teaching demo: trial variables, correct answer and the network's choice on screen (after a
student's response when a student plays), the hidden-state panel filled, and --record GIF/MP4."""

from __future__ import annotations

import imageio.v3 as iio
import pytest

from neurogym_app.cli.main import main

pytestmark = pytest.mark.torch


def test_demo_records_a_gif_and_an_mp4(tmp_path, capsys):
    gif, mp4 = tmp_path / "demo.gif", tmp_path / "demo.mp4"
    assert main(["demo", "PerceptualDecisionMaking-v0", "--headless", "--trials", "2", "--time-scale", "1",
                 "--record", str(gif), "--fps", "5", "--size", "1000x500"]) == 0
    out = capsys.readouterr().out
    assert f"recorded to {gif}" in out
    frames = iio.imread(gif, index=None)
    assert frames.ndim == 4 and frames.shape[0] >= 10 and frames.shape[2] == 960  # scaled to 960 px wide
    assert len({f.tobytes() for f in frames}) > 5  # it moves
    assert main(["demo", "GoNogo-v0", "--headless", "--trials", "1", "--time-scale", "1", "--record", str(mp4),
                 "--fps", "5", "--size", "800x400"]) == 0
    video = iio.imread(mp4, index=None, plugin="pyav") if _has_pyav() else _ffmpeg_frames(mp4)
    assert len(video) >= 5 and video[0].shape[1] == 800


def _has_pyav() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def _ffmpeg_frames(path):
    import imageio.v2 as imageio

    with imageio.get_reader(path) as reader:
        return [frame for frame in reader]


def test_demo_errors_are_one_line(tmp_path, capsys):
    assert main(["demo", "GoNogo-v0", "--headless", "--record", str(tmp_path / "x.avi")]) == 2
    assert "give a .gif or .mp4 file name" in capsys.readouterr().err
    assert main(["demo", "GoNogo-v0", "--headless", "--student"]) == 2
    assert "--student needs a window" in capsys.readouterr().err


def _demo_run(act: bool, student_keys: bool):
    from neurogym_app.agents.demo import AgentSource, find_agent_for_task
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.input.events import KeyEvent
    from neurogym_app.input.keymap import build_keymap
    from neurogym_app.qt.agent_demo import AgentDemoDisplay, FrameSaver
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.runner import FlowSettings, Runner
    from neurogym_app.runtime.scenes import StimulusScenes

    agent = load_agent(find_agent_for_task("PerceptualDecisionMaking-v0"))
    env = agent.make_env(timing="human")
    keymap = build_keymap(env)
    source = AgentSource(agent.policy(), keymap, act=act)
    clock = FakeClock()
    display = AgentDemoDisplay(clock, source, keymap, title="t", size=(900, 450), offscreen=True, n_actions=3, student=not act)
    saver = FrameSaver(display, None)

    class Student:
        """Presses 'f' 300 ms into the decision period of every trial."""

        def __init__(self):
            self.queue, self.done = [], set()

        def poll(self, now):
            out = [e for e in self.queue if e.t <= now]
            self.queue = [e for e in self.queue if e.t > now]
            return out

        def on_frame(self, runner, frame):
            log = runner.current_trial
            if frame.phase == "trial" and log is not None and frame.trial not in self.done and log.period_of(frame.step) == "decision":
                self.done.add(frame.trial)
                self.queue += [KeyEvent("f", frame.onset + 0.3, "press"), KeyEvent("f", frame.onset + 0.4, "release")]

    seen = []

    class Watch:
        def poll(self, now):
            return []

        def on_frame(self, runner, frame):
            trial = source.current
            if trial is not None and frame.phase == "trial":
                seen.append((trial.index, trial.choice_label is not None, source.reveal(frame.phase), source.student_responded))

    sources = [source, saver] + ([Student()] if student_keys else []) + [Watch()]
    runner = Runner(env, keymap, display, scenes=StimulusScenes(env, keymap, "natural"), recorder=None, n_trials=3, seed=1,
                    flow=FlowSettings(feedback=True, feedback_ms=300, iti_ms=200), sources=sources)
    while runner.tick(clock.now()):
        clock.advance(1 / 60)
    img = display.grab()
    display.close()
    return source, runner, seen, img


def test_agent_demo_shows_the_trial_and_fills_the_hidden_panel():
    source, runner, seen, img = _demo_run(act=True, student_keys=False)
    assert len(runner.rows) == 3
    trial = source.current
    assert trial.index == 2 and set(trial.shown_vars) == {"ground_truth", "coh"}
    assert trial.correct_label in ("left", "right")
    assert trial.choice_label in ("left", "right") and 0 < trial.choice_p <= 1
    assert all(reveal for *_, reveal, _ in seen)  # the agent plays: its choice is shown as soon as it is made
    cols, start = source.trial_columns()
    filled = sum(1 for c in cols if c[2] is not None and c[2].hidden is not None)
    assert start > 0 and filled / len(cols) > 0.9  # previous trial + this one: the heat map is filled


def test_student_demo_reveals_the_network_choice_only_after_the_response():
    source, runner, seen, img = _demo_run(act=False, student_keys=True)
    assert len(runner.rows) == 3
    assert [r["response_key"] for r in runner.rows] == ["f"] * 3  # the student's key, not the network's
    hidden_choices = 0
    for index in range(3):
        frames = [s for s in seen if s[0] == index]
        hidden_choices += any(s[1] and not s[2] for s in frames)  # the network had chosen, and it stayed hidden
        assert not any(s[2] and not s[3] for s in frames)  # never revealed in a trial before the student responded
    assert hidden_choices >= 1
    assert source.reveal("feedback")  # once the trial is over (the student has answered), it is shown
    assert img.width() == 900
