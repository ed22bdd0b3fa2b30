"""Reaction-time error of the tick runner for synthetic key events (prints JSON).

A scripted player presses the correct key at a known time after the first
frame of the response period; the runner's ``rt_ms`` is compared with that
known reaction time. Run on a virtual clock (exact arithmetic) and in real
time (MonotonicClock, frames paced by sleeping, events delivered at the next
frame as a GUI would). The error must stay below 1 ms; for reference the
error of an RT rounded to task steps (``dt``) is shown too.

    .venv/bin/python bench/rt_error.py [--trials N] [--realtime-trials N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import neurogym_app as ngym  # noqa: E402
from neurogym_app.input.events import KeyEvent  # noqa: E402
from neurogym_app.input.keymap import build_keymap  # noqa: E402
from neurogym_app.runtime.clock import FakeClock, MonotonicClock  # noqa: E402
from neurogym_app.runtime.loop import run_frames  # noqa: E402
from neurogym_app.runtime.null_display import NullDisplay  # noqa: E402
from neurogym_app.runtime.runner import FlowSettings, Runner  # noqa: E402


class ScriptedPlayer:
    """Presses the correct key ``rt`` seconds after the first frame of the response period."""

    def __init__(self, keymap, rng):
        self.keymap = keymap
        self.rng = rng
        self.queue: list[KeyEvent] = []
        self.truth: dict[int, float] = {}
        self.delivered: list[float] = []  # delivery delay (poll time - event time)

    def poll(self, now):
        out = [e for e in self.queue if e.t <= now]
        self.queue = [e for e in self.queue if e.t > now]
        self.delivered.extend(now - e.t for e in out)
        return out

    def on_frame(self, runner, frame):
        log = runner.current_trial
        if log is None or frame.trial in self.truth:
            return
        start, end = log.periods[runner.rt_from]
        if frame.step < start:
            return
        rt = float(self.rng.uniform(0.15, 0.8 * (end - start) * log.step_s))
        self.truth[frame.trial] = rt
        gt = int(log.gt_plan[start])
        self.queue.append(KeyEvent(self.keymap.keys_for(gt)[0], frame.onset + rt))


def measure(trials: int, realtime: bool, seed: int) -> dict:
    env = ngym.make("PerceptualDecisionMaking-v0", timing="human")
    keymap = build_keymap(env)
    clock = MonotonicClock() if realtime else FakeClock()
    display = NullDisplay(clock, 60.0)
    player = ScriptedPlayer(keymap, np.random.default_rng(seed))
    runner = Runner(
        env,
        keymap,
        display,
        n_trials=trials,
        seed=seed,
        time_scale=0.25 if realtime else 1.0,
        flow=FlowSettings(feedback=False, iti_ms=0),
        sources=[player],
    )
    run_frames(runner, clock)
    errors, rounded = [], []
    dt_s = env.dt / 1000.0 * runner.time_scale
    for row in runner.rows:
        true_rt = player.truth[row["trial"]] * 1000.0
        errors.append(abs(row["rt_ms"] - true_rt))
        rounded.append(abs(np.ceil(true_rt / 1000.0 / dt_s) * dt_s * 1000.0 - true_rt))
    out = {
        "trials": len(runner.rows),
        "correct": int(sum(r["correct"] for r in runner.rows)),
        "max_abs_error_ms": max(errors),
        "mean_abs_error_ms": statistics.fmean(errors),
        "dt_rounded_max_abs_error_ms": max(rounded),
        "step_ms": dt_s * 1000.0,
        "dropped_frames": runner.stats.dropped,
    }
    if realtime:
        out["event_delivery_delay_ms"] = {
            "median": statistics.median(player.delivered) * 1000.0,
            "max": max(player.delivered) * 1000.0,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="virtual-clock trials (default 200)")
    parser.add_argument("--realtime-trials", type=int, default=8, help="real-time trials (default 8; 0 skips)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = {"virtual": measure(args.trials, False, args.seed)}
    if args.realtime_trials > 0:
        result["realtime"] = measure(args.realtime_trials, True, args.seed + 1)
    worst = max(r["max_abs_error_ms"] for r in result.values())
    result["max_abs_error_ms"] = worst
    result["pass"] = worst < 1.0
    print(json.dumps(result, indent=1))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
