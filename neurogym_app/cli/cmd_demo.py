"""`neurogym-app demo TASK [--agent AGENT] [--time-scale X]`: watch an agent play, slowed down.

The agent plays TASK in the play runtime (the same runner, stimuli and
feedback people get), pressing the key of each action it chooses; beside the
stimulus its hidden activity and action probabilities are drawn step by step.
``--time-scale 3`` makes every step last three times longer. Without
``--agent`` a shipped agent for TASK (assets/agents) is used.
``--headless --frames DIR`` renders offscreen on a virtual clock and writes a
PNG per step (and per feedback/pause) into DIR; ``--record FILE.gif`` (or
``.mp4``) films the window for slides. The panel shows the trial's variables
(e.g. the coherence), the correct answer and the network's choice.
``--student``: a student plays with the keys while the network faces the same
trials; its choice is revealed only after the student has responded.
"""

from __future__ import annotations

import argparse
import os
import sys

from neurogym_app.config.limits import check_trial_count
from neurogym_app.errors import UserError


class DemoError(UserError):
    """A demo that cannot run as asked."""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "demo",
        help="watch an agent play a task slowed down, with its hidden activity and action probabilities",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("task", metavar="TASK", help="task id, e.g. PerceptualDecisionMaking-v0")
    p.add_argument("--agent", metavar="AGENT", help="agent folder or name (default: a shipped agent for TASK)")
    p.add_argument("--time-scale", type=float, default=3.0, metavar="X", help="slow-down factor of each step (default 3)")
    p.add_argument("--trials", type=int, default=5, metavar="N", help="number of trials (default 5)")
    p.add_argument("--timing", choices=("default", "human"), help="timing preset (default: the agent's; mixed -> human)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="env seed (default 0)")
    p.add_argument("--view", choices=("natural", "agent"), default="natural", help="stimulus view (default natural)")
    p.add_argument("--headless", action="store_true", help="render offscreen on a virtual clock (no window)")
    p.add_argument("--frames", metavar="DIR", help="write PNG frames (one per step and per pause) into DIR")
    p.add_argument("--every-frame", action="store_true", help="with --frames: save every display frame")
    p.add_argument("--size", default="1280x600", metavar="WxH", help="window size (default 1280x600)")
    p.add_argument("--record", metavar="FILE", help="film the demo into FILE.gif or FILE.mp4 (imageio, imageio-ffmpeg)")
    p.add_argument("--fps", type=float, default=10.0, metavar="N", help="with --record: frames per second of demo time (default 10)")
    p.add_argument("--student", action="store_true", help="a student plays; the network's choice is shown after the student's response")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.agents.demo import AgentSource, find_agent_for_task
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.core import registry

    task_id = registry.spec(args.task).id
    if not args.time_scale > 0:
        raise DemoError(f"--time-scale must be > 0, got {args.time_scale}")
    problem = check_trial_count(args.trials, "--trials")
    if problem:
        raise DemoError(problem)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise DemoError(f"--size must look like 1280x600, got {args.size!r}") from None
    if args.agent:
        agent = load_agent(args.agent)
    else:
        folder = find_agent_for_task(task_id)
        if folder is None:
            raise DemoError(f"no agent trained on {task_id} found; train one: neurogym-app train {task_id}, then --agent")
        agent = load_agent(folder)
    if args.record and not args.record.lower().endswith((".gif", ".mp4")):
        raise DemoError(f"--record {args.record}: give a .gif or .mp4 file name")
    if not args.fps > 0:
        raise DemoError(f"--fps must be > 0, got {args.fps}")
    if args.student and args.headless:
        raise DemoError("--student needs a window to play in (leave out --headless)")
    if args.headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
        raise DemoError("no display found; run with --headless --frames DIR to write the frames as PNG files")

    from neurogym_app.input.keymap import build_keymap
    from neurogym_app.qt.agent_demo import AgentDemoDisplay, ClipRecorder, FrameSaver
    from neurogym_app.runtime.clock import FakeClock, MonotonicClock
    from neurogym_app.runtime.loop import run_frames
    from neurogym_app.runtime.run import PlayOptions, build_run
    from neurogym_app.runtime.scenes import StimulusScenes

    timing = args.timing or agent.default_play_timing()
    env = agent.make_env(timing=timing, task_id=task_id)
    keymap = build_keymap(env)
    source = AgentSource(agent.policy(), keymap, act=not args.student)
    clock = FakeClock() if args.headless else MonotonicClock()
    n_actions = getattr(env.action_space, "n", None)
    model = agent.spec.get("model") or {}
    network = f"{str(model.get('kind', 'rnn')).upper()} network ({model.get('hidden_size', '?')} units)"
    who = "you and a " + network if args.student else "a " + network
    title = f"{who[0].upper()}{who[1:]} on {task_id}"
    pace = "real time" if args.time_scale == 1 else f"each step x{args.time_scale:g} {'slower' if args.time_scale > 1 else 'faster'}"
    subtitle = f"agent {agent.name}, {timing} timing, {pace}"
    display = AgentDemoDisplay(clock, source, keymap, title=title, subtitle=subtitle, size=(width, height),
                               offscreen=args.headless, n_actions=n_actions, student=args.student)
    saver = FrameSaver(display, args.frames, every_frame=args.every_frame)
    clip = ClipRecorder(display, args.record, fps=args.fps) if args.record else None
    scenes = StimulusScenes(env, keymap, args.view, title=task_id)
    options = PlayOptions(
        task_id, participant=agent.name, n_trials=args.trials, seed=args.seed, timing=timing, view=args.view,
        time_scale=args.time_scale, feedback=True, feedback_ms=600, iti_ms=400, record=False, source="neurogym-app demo",
    )
    runner = build_run(options, display, env=env, keymap=keymap, scenes=scenes,
                       sources=[source, saver] + ([clip] if clip is not None else [])).runner
    pump = None if args.headless else display.process_events
    try:
        run_frames(runner, clock, pump=pump)
    finally:
        display.close()
    rows = runner.rows
    correct = sum(int(r.get("correct") or 0) for r in rows)
    print(f"{agent.name} played {len(rows)} trial(s) of {task_id}: {correct} correct")
    if args.frames:
        print(f"{len(saver.saved)} frame(s) written to {args.frames}")
    if clip is not None:
        try:
            path = clip.write()
        except (ImportError, ValueError, OSError) as exc:
            raise DemoError(f"--record {args.record}: {exc}") from None
        print(f"{len(clip.frames)} frame(s) recorded to {path}")
    return 0

