"""Benchmarks of neurogym_app side by side with upstream NeuroGym.

    .venv/bin/python bench/run.py                 # everything (about 5-10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick         # fewer repeats, shorter timings
    .venv/bin/python bench/run.py --cases dataset,import --repeats 7
    .venv/bin/python bench/run.py --tasks PerceptualDecisionMaking-v0,GoNogo-v0
    .venv/bin/python bench/run.py --no-reference  # neurogym_app only
    .venv/bin/python bench/run.py --cases app     # the app-only cases (frame work ... memory)
    .venv/bin/python bench/run.py --cases train   # one case; the other cases of results.json are kept

Each side-by-side case runs in two long-lived worker processes, one per library
(``bench/_worker.py`` under ``.venv`` and under ``bench/.reference-venv``, made
by ``bench/setup_reference`` if missing), running identical code. Repeats
alternate between the two sides, so a busy machine slows both alike. Every
result is the median over repeats with its spread (IQR, the 25-75 % range);
the ratio is neurogym_app's median over upstream's (for times, upstream's over
ours: both read as "times faster"). The table is printed and written to
``bench/results.json``; with ``--cases`` the cases not run are kept from the
earlier file (each case records when it ran; ``--no-merge`` drops them).

The app-only cases (frame_work, rt_error, plot_update, session_open, train,
sweep, memory) run the standalone scripts in ``bench/`` (``train``: ``train_time.py``,
``sweep``: ``sweep_time.py``) in fresh interpreters
(offscreen Qt) and need no reference venv.

Adding a case: ``register(Case(...))`` with either ``worker_case`` (a function
of the same name in ``bench/_worker.py``, measured for both libraries) or
``run`` (a callable measured here, for neurogym_app only; e.g. frame work, RT
error, plot update, session open, training, memory). See ``CASES``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_PYTHON = Path(sys.executable)
#: the upstream venv (bench/setup_reference); NEUROGYM_REFERENCE_VENV puts it elsewhere (e.g. under /tmp)
REF_VENV = Path(os.environ.get("NEUROGYM_REFERENCE_VENV", HERE / ".reference-venv"))
REF_PYTHON = REF_VENV / "bin" / "python"
WORKER = HERE / "_worker.py"
RESULTS = HERE / "results.json"

#: the tasks of the Dataset case (those not registered on a side are skipped)
DATASET_TASKS = [
    "PerceptualDecisionMaking-v0",
    "ContextDecisionMaking-v0",
    "DelayMatchSample-v0",
    "yang19.dm1-v0",
    "yang19.dms-v0",
]


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    """A benchmark: a name, what it measures, and how.

    ``variants(ctx)`` lists the parameter sets to measure (``ctx["tasks"]``: the
    task ids both libraries register). A side-by-side case names the worker
    function (``worker_case``); an app-only case gives ``run(params, min_time)``
    returning its value. ``summary`` turns the case's rows into headline numbers.
    """

    name: str
    description: str
    unit: str
    higher_is_better: bool = True
    worker_case: str | None = None
    run: Callable[[dict[str, Any], float], float] | None = None
    variants: Callable[[dict[str, Any]], list[dict[str, Any]]] = lambda ctx: [{}]
    label: Callable[[dict[str, Any]], str] = lambda params: params.get("task", "")
    min_time: float = 0.3
    summary: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None
    tags: list[str] = field(default_factory=list)
    #: at most this many repeats (long app-only cases: training, a 1-hour session)
    max_repeats: int | None = None


CASES: dict[str, Case] = {}


def register(case: Case) -> Case:
    if case.name in CASES:
        raise ValueError(f"benchmark case {case.name!r} is registered twice")
    CASES[case.name] = case
    return case


def _median_ratio(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ratios = [r["ratio"] for r in rows if r.get("ratio") is not None]
    if not ratios:
        return {}
    return {"median_ratio": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios), "n": len(ratios)}


def _each_ratio(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {r["label"]: r["ratio"] for r in rows if r.get("ratio") is not None}
    ratios = list(out.values())
    if ratios:
        out["min_ratio"] = min(ratios)
        out["median_ratio"] = statistics.median(ratios)
    return out


register(Case(
    name="step_bare",
    description="env.step on the bare task (make(id).unwrapped for both), random policy, reset at episode end",
    unit="steps/s",
    worker_case="step_bare",
    variants=lambda ctx: [{"task": t} for t in ctx["tasks"]],
    min_time=0.25,
    summary=_median_ratio,
))
register(Case(
    name="step",
    description="env.step with a random policy, reset at episode end; each library's make(id) as the user gets it "
    "(upstream: Gymnasium's checker wrappers around the task; neurogym_app: the bare task)",
    unit="steps/s",
    worker_case="step",
    variants=lambda ctx: [{"task": t} for t in ctx["tasks"]],
    min_time=0.25,
    summary=_median_ratio,
))
register(Case(
    name="new_trial",
    description="task.new_trial() and its ob/gt arrays",
    unit="trials/s",
    worker_case="new_trial",
    variants=lambda ctx: [{"task": t} for t in ctx["tasks"]],
    min_time=0.25,
    summary=_median_ratio,
))
register(Case(
    name="dataset",
    description="ngym.Dataset(task, batch_size=16, seq_len=100)(), steady state (mean over >= 400 batches)",
    unit="batches/s",
    worker_case="dataset",
    variants=lambda ctx: [
        {"task": t, "batch_size": 16, "seq_len": 100} for t in DATASET_TASKS if t in ctx["tasks"] or not ctx["reference"]
    ],
    min_time=1.0,
    summary=_each_ratio,
))


def _import_time(python: Path, module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, check=True, cwd=str(ROOT))
    return float(done.stdout.strip().splitlines()[-1])


register(Case(
    name="import",
    description="`import <library>` in a fresh interpreter (interpreter start-up excluded)",
    unit="s",
    higher_is_better=False,
    worker_case="import",  # measured by run.py itself: a new process per repeat
    label=lambda params: "import",
    summary=lambda rows: {"app_s": rows[0]["app"]["median"], "ratio": rows[0].get("ratio")} if rows else {},
))

# ----------------------------------------------------------------------------- app-only cases
# Each runs one of the standalone bench scripts in a fresh interpreter
# (offscreen Qt, and isolation: a Qt application, torch threads, a 1-hour
# session's memory do not leak into the next case) and reads its JSON.
# ``run`` returns {"value": headline, ...details}; the details of every repeat
# are kept in the row and summarised (median over repeats).

def _script(name: str, *args: str, timeout: float = 1800.0) -> dict[str, Any]:
    """Run ``bench/<name> args`` with ``.venv``'s Python (offscreen Qt) and return its JSON output."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([str(APP_PYTHON), str(HERE / name), *args], capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=timeout)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"bench/{name} exited {done.returncode}: {' | '.join(tail)}") from None


def _from_details(*keys: str) -> Callable[[list[dict[str, Any]]], dict[str, Any]]:
    """Summary: the median over repeats of each detail ``key`` (one row per app-only case)."""

    def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in rows:
            for key in keys:
                values = [d[key] for d in row.get("details", []) if d.get(key) is not None]
                if values:
                    out[key] = statistics.median(values)
        return out

    return summary


def _frame_work(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    frames = max(120, int(600 * min_time))  # 600 frames (10 s at 60 Hz) per task and view; --quick 240
    out = _script("frame_work.py", "--frames", str(frames))
    cases = out["cases"]
    return {
        "value": out["worst_p99_ms"],
        "p99_ms": out["worst_p99_ms"],
        "p50_ms": max(c["total_ms"]["p50"] for c in cases),
        "cpu_p99_ms": out["worst_cpu_p99_ms"],
        "cpu_p50_ms": max(c["cpu_ms"]["p50"] for c in cases),
        "frames": frames,
        "n_cases": len(cases),
    }


def _rt_error(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("rt_error.py", "--trials", "200", "--realtime-trials", str(max(4, int(8 * min_time))))
    real = out.get("realtime", {})
    return {
        "value": out["max_abs_error_ms"],
        "max_abs_error_ms": out["max_abs_error_ms"],
        "virtual_max_ms": out["virtual"]["max_abs_error_ms"],
        "realtime_max_ms": real.get("max_abs_error_ms"),
        "realtime_mean_ms": real.get("mean_abs_error_ms"),
        "dt_rounded_max_ms": out["virtual"]["dt_rounded_max_abs_error_ms"],
    }


def _plot_update(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("plot_update.py", "--trials", str(params["trials"]), "--repeats", str(max(20, int(50 * min_time))))
    return {
        "value": out["update_ms"]["p50"],
        "p50_ms": out["update_ms"]["p50"],
        "p95_ms": out["update_ms"]["p95"],
        "cpu_p50_ms": out["update_cpu_ms"]["p50"],
        "render_p50_ms": out["render_ms"]["p50"],
    }


def _play_frames(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    """bench/play_view_frames.py in a private Xvfb (24-bit; the Play view in a real window, 60 Hz by our clock)."""
    import shutil

    if shutil.which("Xvfb") is None:
        raise RuntimeError("the play_frames case needs Xvfb (apt-get install xvfb)")
    display = f":{90 + os.getpid() % 9}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x1024x24"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=display, PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
        env.pop("QT_QPA_PLATFORM", None)
        done = subprocess.run(
            [str(APP_PYTHON), str(HERE / "play_view_frames.py"), "--seconds", str(params["seconds"]), "--variants", params["variant"]],
            capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=params["seconds"] * 3 + 300,
        )
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    try:
        case = json.loads(done.stdout)["cases"][0]
    except (json.JSONDecodeError, KeyError, IndexError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"bench/play_view_frames.py exited {done.returncode}: {' | '.join(tail)}") from None
    return {"value": case["dropped"], **{k: v for k, v in case.items() if isinstance(v, (int, float))}}


def _session_open(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("session_open.py", "--steps", str(params["steps"]))
    return {
        "value": out["replay_open_ms"],
        "replay_open_ms": out["replay_open_ms"],
        "replay_open_cpu_ms": out["cpu_ms"]["replay_open"],
        "n_steps": out["n_steps"],
        "list_ms": out["list_ms"],
        "seek_ms": out["seek_ms"],
        "compare_add_ms": out["compare_add_ms"],
    }


def _simulated_run(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("simulated_run.py", "--trials", str(params["trials"]), "--repeats", str(max(1, int(3 * min_time))))
    return {"value": out["ratio_vs_null"], "ratio_vs_null": out["ratio_vs_null"], "draw_ratio_vs_null": out["draw_ratio_vs_null"],
            "default_s": out["seconds"]["default"], "null_s": out["seconds"]["null"]}


def _train(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("train_time.py", timeout=3600.0)
    seconds = out["seconds_to_target"]
    if seconds is None:
        raise RuntimeError(f"80 % not reached in {out['recipe']} (final accuracy {out['runs'][0]['final_accuracy_default']})")
    run = out["runs"][0]
    return {"value": seconds, "seconds_to_target": seconds, "steps_to_target": run["steps_to_target"],
            "wall_s_incl_evaluation": run["wall_seconds_incl_evaluation"], "final_accuracy": run["final_accuracy_default"]}


def _memory(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("memory.py", "--hours", str(params["hours"]), timeout=3600.0)
    return {
        "value": out["peak_rss_mb"],
        "peak_rss_mb": out["peak_rss_mb"],
        "peak_heap_mb": out["peak_heap_mb"],
        "rss_growth_mb": out["rss_growth_mb"],
        "heap_growth_mb": out["heap_growth_mb"],
        "heap_growth_bytes_per_trial": out["heap_growth_bytes_per_trial"],
        "trials": out["trials"],
        "task_hours": out["task_hours"],
        "wall_s": out["wall_s"],
        "samples": out["samples"],
    }


register(Case(
    name="frame_work",
    description="per-frame CPU work of human play at 60 Hz (scene + QPainter draw, 1024x768; worst of 5 tasks x 2 views)",
    unit="ms", higher_is_better=False, run=_frame_work, min_time=1.0, max_repeats=3,
    label=lambda params: "frame p99 (wall)",
    summary=_from_details("p50_ms", "p99_ms", "cpu_p50_ms", "cpu_p99_ms"), tags=["app"],
))
register(Case(
    name="rt_error",
    description="RT error for synthetic key events (max |rt_ms - true RT|; 200 virtual-clock + 8 real-time trials)",
    unit="ms", higher_is_better=False, run=_rt_error, min_time=1.0, max_repeats=3,
    label=lambda params: "max abs RT error",
    summary=_from_details("max_abs_error_ms", "virtual_max_ms", "realtime_max_ms", "dt_rounded_max_ms"), tags=["app"],
))
register(Case(
    name="plot_update",
    description="Play view plot update after a trial, 10 000 trials in the table (append + accuracy + RT histogram + psychometric)",
    unit="ms", higher_is_better=False, run=_plot_update, min_time=1.0, max_repeats=3,
    variants=lambda ctx: [{"trials": 10_000}], label=lambda params: f"update p50, {params['trials']} trials",
    summary=_from_details("p50_ms", "p95_ms", "cpu_p50_ms", "render_p50_ms"), tags=["app"],
))
register(Case(
    name="session_open",
    description="open a 1 000 000-step recorded session in the Replay view (checks, trial list, first trial, scene, plots)",
    unit="ms", higher_is_better=False, run=_session_open, min_time=1.0, max_repeats=1,
    variants=lambda ctx: [{"steps": 1_000_000}], label=lambda params: f"replay open, {params['steps']} steps",
    summary=_from_details("replay_open_ms", "replay_open_cpu_ms", "n_steps", "compare_add_ms"), tags=["app"],
))
register(Case(
    name="simulated_run",
    description="headless --auto psychometric run of 100 PDM trials: time / the --backend null time (target <= 1.5; --draw shown)",
    unit="x", higher_is_better=False, run=_simulated_run, min_time=1.0, max_repeats=1,
    variants=lambda ctx: [{"trials": 100}], label=lambda params: f"{params['trials']} PDM trials vs null",
    summary=_from_details("ratio_vs_null", "draw_ratio_vs_null", "default_s", "null_s"), tags=["app"],
))
register(Case(
    name="train",
    description="RNN (GRU 32) training time to 80 % correct on PerceptualDecisionMaking (held-out, closed loop; bench/train_time.py)",
    unit="s", higher_is_better=False, run=_train, min_time=1.0, max_repeats=1,
    label=lambda params: "seconds to 80 %",
    summary=_from_details("seconds_to_target", "steps_to_target", "final_accuracy"), tags=["app"],
))
def _sweep(params: dict[str, Any], min_time: float) -> dict[str, Any]:
    out = _script("sweep_time.py", "--steps", str(params["steps"]), timeout=3600.0)
    if not out["tables_identical"]:
        raise RuntimeError("the serial, pool and Ray sweeps gave different tables")
    return {
        "value": out["speedup"],
        "speedup": out["speedup"],
        "serial_s": out["serial_s"],
        "pool_s": out["pool_s"],
        "ray_s": out.get("ray_s"),
        "ray_start_s": out.get("ray_start_s"),
        "ray_overhead_per_point_s": out.get("ray_overhead_per_point_s"),
        "points": out["points"],
        "load_average_1min": out.get("load_average_1min"),
    }


register(Case(
    name="sweep",
    description="8-point sweep (2 tasks x 4 seeds, GRU 16): serial vs local process pool of 2 (speed-up); Ray overhead per point",
    unit="x", higher_is_better=True, run=_sweep, min_time=1.0, max_repeats=1,
    variants=lambda ctx: [{"steps": 150}], label=lambda params: f"pool speed-up, {params['steps']} steps/point",
    summary=_from_details("speedup", "serial_s", "pool_s", "ray_s", "ray_start_s", "ray_overhead_per_point_s"), tags=["app"],
))
register(Case(
    name="memory",
    description="1-hour simulated session (virtual clock, null display, recorder): peak RSS; growth first -> last quarter",
    unit="MB", higher_is_better=False, run=_memory, min_time=1.0, max_repeats=1,
    variants=lambda ctx: [{"hours": 1.0}], label=lambda params: f"peak RSS, {params['hours']:g} h session",
    summary=_from_details("peak_rss_mb", "peak_heap_mb", "rss_growth_mb", "heap_growth_mb", "heap_growth_bytes_per_trial", "trials"),
    tags=["app"],
))

register(Case(
    name="play_frames",
    description="Play view with live plots under Xvfb, simulated participant in real time, 60 Hz by our clock: dropped "
    "frames and frame work (plots; plots + --against the shipped PDM agent)",
    unit="frames", higher_is_better=False, run=_play_frames, min_time=1.0, max_repeats=1,
    variants=lambda ctx: [{"seconds": 300.0, "variant": "plots"}, {"seconds": 300.0, "variant": "against"}],
    label=lambda params: f"dropped frames, {params['seconds']:g} s, {params['variant']}",
    summary=_from_details("dropped", "dropped_in_trial", "frame_work_p99_ms", "frame_work_cpu_p99_ms", "interval_max_ms", "frames"),
    tags=["app"],
))

#: the app-only cases (``--cases app`` selects them all)
APP_CASES = [name for name, case in CASES.items() if "app" in case.tags]

#: targets checked at the end: (case, summary key, comparison, value, what it says)
TARGETS = [
    ("step_bare", "median_ratio", ">=", 2.0, "bare-env steps/s >= 2x upstream (median over the common tasks)"),
    ("step_bare", "min_ratio", ">=", 1.0, "bare-env steps/s: no common task slower than upstream"),
    ("new_trial", "median_ratio", ">=", 2.0, "new_trial/s >= 2x upstream (median over the common tasks)"),
    ("step", "median_ratio", ">=", 2.0, "env steps/s as the user gets it (make(id)) >= 2x upstream (median)"),
    ("dataset", "min_ratio", ">=", 10.0, "Dataset batches/s >= 10x upstream (each task)"),
    ("import", "app_s", "<", 0.3, "import < 0.3 s"),
    ("import", "ratio", ">=", 3.0, "import >= 3x faster than upstream"),
    ("frame_work", "p99_ms", "<", 4.0, "frame work p99 < 4 ms at 60 Hz [ms, wall]"),
    ("frame_work", "cpu_p99_ms", "<", 4.0, "frame work p99 < 4 ms at 60 Hz [ms, thread CPU: not inflated by other processes]"),
    ("rt_error", "max_abs_error_ms", "<", 1.0, "RT error < 1 ms [ms, max over synthetic key events]"),
    ("plot_update", "p50_ms", "<", 5.0, "plot update with 10 000 trials < 5 ms [ms, p50]"),
    ("session_open", "replay_open_ms", "<", 1000.0, "open a 1 000 000-step session < 1 s [ms]"),
    ("train", "seconds_to_target", "<", 60.0, "RNN training to 80 % on PerceptualDecisionMaking < 60 s [s]"),
    ("play_frames", "dropped", "<", 1, "Play view with live plots (and --against): 0 dropped frames in 5 minutes [frames]"),
    ("play_frames", "frame_work_cpu_p99_ms", "<", 4.0, "Play view frame work p99 < 4 ms with plots on [ms, thread CPU]"),
    ("simulated_run", "ratio_vs_null", "<", 1.5, "headless simulated run of 100 PDM trials within 1.5x of --backend null [x]"),
    ("memory", "rss_growth_mb", "<", 5.0, "memory flat over a 1-hour simulated session: RSS growth first -> last quarter < 5 MB [MB]"),
]


# ----------------------------------------------------------------------------- workers
class Worker:
    """A worker process of one library, answering JSON requests line by line."""

    def __init__(self, python: Path, lib: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        """``env``: extra environment (bench/compare_trees.py sets PYTHONPATH to the tree under test)."""
        self.python = python
        self.lib = lib
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [str(python), str(WORKER), lib],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=str(cwd),
            env=env,
        )
        self._read()  # ready

    def _read(self) -> dict[str, Any]:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"the {self.lib} worker ({self.python}) exited")
        return json.loads(line)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return self._read()

    def close(self) -> None:
        try:
            self.ask({"op": "quit"}) if self.proc.poll() is None else None
        except (RuntimeError, BrokenPipeError, json.JSONDecodeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"values": [], "median": None, "iqr": None}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 3
    return {"values": values, "median": statistics.median(ordered), "iqr": q[2] - q[0], "q1": q[0], "q3": q[2]}


def _measure(case: Case, params: dict[str, Any], sides: dict[str, Worker | Path], repeats: int, min_time: float) -> dict[str, Any]:
    values: dict[str, list[float]] = {side: [] for side in sides}
    details: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    order = list(sides)
    if case.max_repeats is not None:
        repeats = min(repeats, case.max_repeats)
    for r in range(repeats):
        for side in order if r % 2 == 0 else order[::-1]:  # alternate who goes first
            if side in errors:
                continue
            target = sides[side]
            try:
                if case.run is not None:
                    got = case.run(params, min_time)
                    if isinstance(got, dict):  # {"value": headline, ...details}
                        details.append(got)
                        got = got["value"]
                    values[side].append(float(got))
                elif case.name == "import":
                    module = "neurogym_app" if side == "app" else "neurogym"
                    values[side].append(_import_time(target, module))  # type: ignore[arg-type]
                else:
                    answer = target.ask({"op": "run", "case": case.worker_case, "params": params, "min_time": min_time})  # type: ignore[union-attr]
                    if "error" in answer:
                        errors[side] = answer["error"]
                    else:
                        values[side].append(float(answer["ok"]))
            except Exception as exc:  # one failing measurement does not stop the run
                errors[side] = f"{type(exc).__name__}: {exc}"
    row: dict[str, Any] = {"label": case.label(params), "params": params}
    for side in sides:
        row[side] = _stats(values[side])
    if details:
        row["details"] = details
    if errors:
        row["errors"] = errors
    app, ref = row.get("app", {}).get("median"), row.get("ref", {}).get("median")
    if app and ref:
        row["ratio"] = app / ref if case.higher_is_better else ref / app
    return row


# ----------------------------------------------------------------------------- report
def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"
    if unit in ("ms", "MB"):
        if 0 < value < 0.001:
            return f"<0.001 {unit}"
        return f"{value:.3g} {unit}" if value < 1000 else f"{value:.0f} {unit}"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _cell(stats: dict[str, Any] | None, unit: str) -> str:
    if not stats or stats.get("median") is None:
        return "-"
    return f"{_fmt(stats['median'], unit)} ± {_fmt(stats['iqr'] / 2, unit)}"


def format_table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, block in results["cases"].items():
        case = CASES[name]
        lines.append("")
        lines.append(f"## {name}: {case.description} [{case.unit}; median ± IQR/2]")
        run = block.get("run")
        if run:
            lines.append(f"(run {run.get('date', '?')}, {run.get('repeats', '?')} repeats, load average {_load(run.get('loadavg_start'))} -> {_load(run.get('loadavg_end'))})")
        lines.append(f"| {'case':44s} | {'neurogym_app':>16s} | {'upstream':>16s} | {'ratio':>7s} |")
        lines.append(f"|{'-' * 46}|{'-' * 18}|{'-' * 18}|{'-' * 9}|")
        for row in block["rows"]:
            ratio = f"{row['ratio']:.1f}x" if row.get("ratio") else ("error" if row.get("errors") else "-")
            lines.append(f"| {row['label']:44s} | {_cell(row.get('app'), case.unit):>16s} | {_cell(row.get('ref'), case.unit):>16s} | {ratio:>7s} |")
        if block.get("summary"):
            parts = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in block["summary"].items())
            lines.append(f"summary: {parts}")
    if results.get("targets"):
        lines.append("")
        lines.append("## targets")
        for t in results["targets"]:
            value = "-" if t["value"] is None else f"{t['value']:.3g}"
            lines.append(f"- [{'x' if t['met'] else ' '}] {t['what']}: {value} (target {t['bound']})")
    return "\n".join(lines)


def _load(avg: Any) -> str:
    return f"{avg[0]:.1f}" if avg else "?"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats, shorter timings")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per measurement (default 5, quick 3)")
    parser.add_argument("--cases", default=None,
                        help=f"comma-separated cases (default all: {', '.join(CASES)}; 'app' = the app-only ones)")
    parser.add_argument("--tasks", default=None, help="comma-separated task ids for the per-task cases")
    parser.add_argument("--no-reference", action="store_true", help="measure neurogym_app only")
    parser.add_argument("--out", default=str(RESULTS), help="where to write the JSON results")
    parser.add_argument("--show", metavar="JSON", help="print the table of an earlier results file and exit")
    parser.add_argument("--no-merge", action="store_true",
                        help="with --cases: write only the cases run (default: keep the other cases of the earlier --out file)")
    args = parser.parse_args(argv)
    if args.show:
        earlier = json.loads(Path(args.show).read_text())
        m = earlier["machine"]
        print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}, load average "
              f"{m['loadavg_start'][0]:.1f} -> {m['loadavg_end'][0]:.1f}")
        print(format_table(earlier))
        return 0

    repeats = args.repeats or (3 if args.quick else 5)
    scale = 0.4 if args.quick else 1.0
    names = [n.strip() for n in args.cases.split(",")] if args.cases else list(CASES)
    names = list(dict.fromkeys(x for n in names for x in (APP_CASES if n == "app" else [n]) if x))
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; cases: {', '.join(CASES)}")

    # the reference venv is needed only by the side-by-side cases
    reference = not args.no_reference and any(CASES[n].run is None for n in names)
    if reference and not REF_PYTHON.exists():
        print("bench: bench/.reference-venv is missing; creating it with upstream neurogym (bench/setup_reference;"
              " needs PyPI, installs torch==2.13.0 then neurogym, a few minutes) ...", flush=True)
        try:
            subprocess.run([str(HERE / "setup_reference")], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"bench: could not create bench/.reference-venv ({exc}).\n"
                  "  Create it by hand:      bench/setup_reference   (PYTHON=python3.11 bench/setup_reference to pick the interpreter)\n"
                  "  or measure ours only:   .venv/bin/python bench/run.py --no-reference", file=sys.stderr)
            return 2
        if not REF_PYTHON.exists():
            print("bench: bench/setup_reference finished but bench/.reference-venv/bin/python is missing;"
                  " run it by hand or use --no-reference", file=sys.stderr)
            return 2

    workers: dict[str, Worker] = {"app": Worker(APP_PYTHON, "neurogym_app")}
    if reference:
        workers["ref"] = Worker(REF_PYTHON, "neurogym")
    try:
        info = {side: w.ask({"op": "info"}).get("ok") for side, w in workers.items()}
        app_tasks = workers["app"].ask({"op": "tasks"})["ok"]
        ref_tasks = workers["ref"].ask({"op": "tasks"})["ok"] if reference else app_tasks
        tasks = sorted(set(app_tasks) & set(ref_tasks))
        if args.tasks:
            wanted = [t.strip() for t in args.tasks.split(",")]
            tasks = [t for t in wanted if t in tasks]
        ctx = {"tasks": tasks, "reference": reference}
        print(f"bench: neurogym_app {info['app']['version']} vs "
              + (f"neurogym {info['ref']['version']}" if reference else "(no reference)")
              + f"; {len(tasks)} common tasks; {repeats} repeats", flush=True)

        results: dict[str, Any] = {"machine": _machine(), "libraries": info, "repeats": repeats, "common_tasks": tasks, "cases": {}}
        for name in names:
            case = CASES[name]
            if not reference and case.run is None and case.name != "import" and case.worker_case is None:
                continue
            rows = []
            block_run = {"date": _now(), "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
                         "repeats": min(repeats, case.max_repeats or repeats), "reference": reference}
            for params in case.variants(ctx):
                if name == "import":
                    sides: dict[str, Any] = {"app": APP_PYTHON, **({"ref": REF_PYTHON} if reference else {})}
                    row = _measure(case, params, sides, max(repeats, 7), case.min_time)
                elif case.run is not None:
                    row = _measure(case, params, {"app": workers["app"]}, repeats, case.min_time * scale)
                else:
                    row = _measure(case, params, workers, repeats, case.min_time * scale)
                rows.append(row)
                ratio = f"{row['ratio']:.1f}x" if row.get("ratio") else ""
                print(f"  {name:10s} {row['label']:42s} {_cell(row.get('app'), case.unit):>16s} "
                      f"{_cell(row.get('ref'), case.unit):>16s} {ratio}" + (f" errors: {row['errors']}" if row.get("errors") else ""),
                      flush=True)
            block_run["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
            block: dict[str, Any] = {"description": case.description, "unit": case.unit, "rows": rows, "run": block_run}
            if case.summary is not None and rows:
                block["summary"] = case.summary(rows)
            results["cases"][name] = block
    finally:
        for w in workers.values():
            w.close()

    results["machine"]["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    out = Path(args.out)
    if args.cases and not args.no_merge and out.exists():
        # keep the cases not run now from the earlier file (each block says when it ran)
        try:
            earlier = json.loads(out.read_text())
        except (OSError, json.JSONDecodeError):
            earlier = {}
        merged: dict[str, Any] = {}
        for name in CASES:
            if name in results["cases"]:
                merged[name] = results["cases"][name]
            elif name in earlier.get("cases", {}):
                block = earlier["cases"][name]
                m = earlier.get("machine", {})
                block.setdefault("run", {"date": m.get("date"), "loadavg_start": m.get("loadavg_start"),
                                         "loadavg_end": m.get("loadavg_end"), "repeats": earlier.get("repeats")})
                merged[name] = block
        results["cases"] = merged
        results["libraries"] = {**earlier.get("libraries", {}), **results["libraries"]}
        results["merged_from"] = str(out)
    checks = []
    for case_name, key, op, bound, what in TARGETS:
        value = results["cases"].get(case_name, {}).get("summary", {}).get(key)
        if case_name not in results["cases"]:
            continue
        met = value is not None and (value >= bound if op == ">=" else value < bound)
        checks.append({"case": case_name, "key": key, "bound": f"{op} {bound}", "value": value, "met": met, "what": what})
    results["targets"] = checks

    print(format_table(results))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str) + "\n")
    tmp.replace(out)
    print(f"\nbench: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
