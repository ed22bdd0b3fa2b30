"""`neurogym-app info TASK`: periods, timing, spaces with names, rewards, paper."""

from __future__ import annotations

import argparse
import json

from neurogym_app.core.authoring import TaskAuthoringError, one_line
from neurogym_app.core.describe import describe_task
from neurogym_app.errors import UserError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("info", help="describe one task")
    p.add_argument("task", help="task id, e.g. PerceptualDecisionMaking-v0")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)
    return p


def _names(space: dict) -> str:
    names = space.get("names")
    if not names:
        return ""
    return "  (" + ", ".join(f"{k}={v}" for k, v in names.items()) + ")"


def run(args: argparse.Namespace) -> int:
    try:
        info = describe_task(args.task)
    except UserError:
        raise
    except Exception as exc:  # a mistake in the task's code: its file, line and fix, in one line
        line = one_line(exc)
        if line is None:
            raise
        raise TaskAuthoringError(f"{args.task}: {line}") from exc
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    print(info["id"])
    if not info.get("available", True):
        print(f"  unavailable: {info.get('note')}")
        return 0
    if info.get("description"):
        print(f"  {info['description']}")
    if info.get("paper_name"):
        print(f"  paper: {' '.join(str(info['paper_name']).split())}  {info.get('paper_link') or ''}")
    print(f"  tags: {', '.join(info.get('tags', [])) or '-'}")
    obs, act = info["observation_space"], info["action_space"]
    print(f"  observation: {obs['type']} {obs.get('shape', obs.get('n'))}{_names(obs)}")
    print(f"  actions: {act['type']} {act.get('n', act.get('shape'))}{_names(act)}")
    if info.get("has_periods"):
        print(f"  dt: {info['dt']} ms")
        print("  timing:")
        for period, spec in info["timing"].items():
            print(f"    {period:<14} {spec}")
        for preset, timing in info.get("timing_presets", {}).items():
            print(f"  timing preset {preset!r}: " + ", ".join(f"{p} {s}" for p, s in timing.items()))
        print(f"  periods of a trial: {' -> '.join(info.get('periods', []))}")
        print("  rewards: " + ", ".join(f"{k}={v}" for k, v in info.get("rewards", {}).items()))
    human = "yes" if info.get("human_playable", True) else f"no ({info.get('human_playable_reason')})"
    print(f"  human-playable: {human}")
    return 0
