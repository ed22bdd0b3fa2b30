"""Benchmark worker: the same code measures neurogym_app and upstream neurogym.

``bench/run.py`` starts one worker per library, each with that library's
interpreter (``.venv`` for neurogym_app, ``bench/.reference-venv`` for upstream
neurogym), and sends it one JSON request per line on stdin::

    {"op": "info"}
    {"op": "tasks"}
    {"op": "run", "case": "step", "params": {"task": "GoNogo-v0"}, "min_time": 0.3}

Each answer is one JSON line on stdout (``{"ok": ...}`` or ``{"error": ...}``).
A measurement repeats its operation until ``min_time`` seconds have passed
and returns the rate (operations per second). Only the standard library,
numpy and the library under test are imported, and both libraries are used
through their public NeuroGym API (``make``, ``Dataset``, ``all_envs``), so both
sides are measured by identical code.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
import warnings

warnings.simplefilter("ignore")  # upstream warns on every wrapped attribute access; printing is not the work
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The protocol owns stdout; anything a library prints goes to stderr.
PROTOCOL = sys.stdout
sys.stdout = sys.stderr

LIB = sys.argv[1]  # "neurogym_app" or "neurogym"
ngym = importlib.import_module(LIB)
import numpy as np  # noqa: E402  (after the library, as a user's script would)

_ENVS: dict = {}


def _make(task):
    return ngym.make(task)


def _actions(env, n, seed=0):
    """``n`` random-policy actions, drawn up front so the loop times only the env."""
    space = env.action_space
    if hasattr(space, "n") and not hasattr(space, "nvec"):
        start = int(getattr(space, "start", 0))
        return [int(a) + start for a in np.random.default_rng(seed).integers(int(space.n), size=n)]
    space.seed(seed)
    return [space.sample() for _ in range(n)]


def _timed(fn, min_time):
    """Calls ``fn(k)`` (k operations) with growing k until min_time; returns operations per second."""
    k = 1
    while True:
        t0 = time.perf_counter()
        fn(k)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return k / elapsed
        # grow at most 8x a round: a cost that varies from call to call (a cache
        # refilled every few calls) must not be extrapolated from one cheap call
        k = min(8 * k, max(2 * k, int(k * min_time / max(elapsed, 1e-9) * 1.2)))


# ----------------------------------------------------------------------------- cases
def case_step(params, min_time):
    """env.step with a random policy (reset when an episode ends): steps/s."""
    env = _make(params["task"])
    env.reset(seed=0)
    actions = _actions(env, 4096)

    def run(k):
        step, reset = env.step, env.reset
        n = len(actions)
        for i in range(k):
            _, _, terminated, truncated, _ = step(actions[i % n])
            if terminated or truncated:
                reset()

    run(200)  # warm-up
    return _timed(run, min_time)


def case_step_bare(params, min_time):
    """env.step on the bare task (``make(id).unwrapped`` for both libraries), random policy: steps/s.

    What an RL loop pays per step once wrappers are stripped; resets at episode end.
    """
    env = _make(params["task"]).unwrapped
    env.reset(seed=0)
    actions = _actions(env, 4096)

    def run(k):
        step, reset = env.step, env.reset
        n = len(actions)
        for i in range(k):
            _, _, terminated, truncated, _ = step(actions[i % n])
            if terminated or truncated:
                reset()

    run(200)  # warm-up
    return _timed(run, min_time)


def case_new_trial(params, min_time):
    """task.new_trial() with the trial's ob and gt arrays in hand: trials/s."""
    env = _make(params["task"])
    env.reset(seed=0)
    task = env.unwrapped

    def run(k):
        new_trial = task.new_trial
        for _ in range(k):
            new_trial()
            getattr(task, "ob", None)  # neurogym_app builds the arrays on first use (upstream's Bandit has none)
            getattr(task, "gt", None)

    run(20)
    return _timed(run, min_time)


def case_dataset(params, min_time):
    """Dataset(task, batch_size, seq_len)(): batches/s in the steady state.

    A Dataset builds its trials in blocks (a cache refilled every so many
    batches), so the steady state is the mean over many refills: at least
    ``min_batches`` consecutive batches and ``min_time`` s (at most ``max_time``
    s), not the first window long enough to time, which would end at a refill.
    """
    ds = ngym.Dataset(params["task"], batch_size=params.get("batch_size", 16), seq_len=params.get("seq_len", 100))
    for _ in range(params.get("warmup", 20)):
        ds()
    min_batches, max_time = params.get("min_batches", 400), params.get("max_time", 30.0)
    n = 0
    t0 = time.perf_counter()
    while True:
        ds()
        n += 1
        elapsed = time.perf_counter() - t0
        if (n >= min_batches and elapsed >= min_time) or elapsed >= max_time:
            return n / elapsed


CASES = {"step": case_step, "step_bare": case_step_bare, "new_trial": case_new_trial, "dataset": case_dataset}


def _tasks():
    all_envs = getattr(ngym, "all_envs", None)
    if all_envs is None:  # upstream 2.x keeps it in neurogym.envs.registration
        all_envs = importlib.import_module(f"{LIB}.envs.registration").all_envs
    ids = set(all_envs(contrib=True, collections=True))
    return sorted(i for i in ids if not i.startswith("psychopy."))


def _info():
    from importlib import metadata

    name = "neurogym-app" if LIB == "neurogym_app" else "neurogym"
    return {
        "library": LIB,
        "version": metadata.version(name),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "gymnasium": metadata.version("gymnasium"),
    }


def main() -> None:
    out = PROTOCOL
    out.write(json.dumps({"ok": "ready"}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            op = request["op"]
            if op == "info":
                answer = {"ok": _info()}
            elif op == "tasks":
                answer = {"ok": _tasks()}
            elif op == "run":
                answer = {"ok": CASES[request["case"]](request.get("params", {}), float(request.get("min_time", 0.3)))}
            elif op == "quit":
                break
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # a task that fails is reported, not fatal
            answer = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=3)}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
