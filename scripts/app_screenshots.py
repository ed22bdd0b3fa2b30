"""Render every view of the desktop app offscreen to ``docs/screenshots/app_<view>.png``.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/app_screenshots.py [--out DIR]``

Each view is rendered by ``neurogym-app screenshot VIEW [TASK|SESSION...] --out FILE.png``.

The sessions shown are made here, in a temporary folder: simulated
participants (the Play view's simulated players, on a virtual clock) and real
runs of the trained agent shipped in ``assets/agents`` (``run_agent``: its
hidden state and action probabilities recorded), all on PerceptualDecisionMaking-v0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TASK = "PerceptualDecisionMaking-v0"
VIEWS = ("tasks", "inspector", "play", "sessions", "replay", "compare")


def make_sessions(root: Path) -> dict[str, list[Path]]:
    from neurogym_app.agents.player import run_agent
    from neurogym_app.runtime.clock import FakeClock
    from neurogym_app.runtime.null_display import NullDisplay
    from neurogym_app.runtime.play_setup import start_play
    from neurogym_app.runtime.run import PlayOptions

    out: dict[str, list[Path]] = {"simulated": [], "agent": []}
    for i, pid in enumerate(("sim-01", "sim-02", "sim-03")):
        clock = FakeClock()
        opts = PlayOptions(TASK, participant=pid, n_trials=80, seed=10 + i, player="lapse", lapse=0.08, virtual_clock=True)
        session = start_play(opts, NullDisplay(clock), sessions_root=root)
        while session.tick(clock.now()):
            clock.advance(1 / 60)
        out["simulated"].append(session.path)
    agent = Path(__file__).resolve().parents[1] / "assets" / "agents" / "PerceptualDecisionMaking_gru32"
    for seed in (1, 2, 3):  # the shipped trained agent, three runs (three env seeds)
        out["agent"].append(run_agent(agent, trials=120, out=root, task=TASK, seed=seed, timing="human", session=seed).path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="output folder (default docs/screenshots)")
    parser.add_argument("--size", default="1400x900", help="window size WxH (default 1400x900)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="ngym-shots-"))
    root = tmp / "sessions"
    sessions = make_sessions(root)
    # one `neurogym-app screenshot VIEW` per view: what the docs show is what the command renders
    targets = {
        "tasks": [TASK],
        "inspector": [TASK],
        "play": [TASK],
        "sessions": [str(root)],
        "replay": [str(sessions["agent"][0])],
        "compare": [str(p) for p in sessions["simulated"] + sessions["agent"]],
    }
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for view in VIEWS:
        cmd = [sys.executable, "-m", "neurogym_app.cli.main", "screenshot", view, *targets[view],
               "--out", str(out / f"app_{view}.png"), "--size", args.size, "--sessions", str(root)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        print(done.stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
