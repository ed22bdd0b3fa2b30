"""Benchmarks of neurogym_app side by side with upstream NeuroGym.

    .venv/bin/python bench/run.py                 # everything (about 5-10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick         # fewer repeats, shorter timings
    .venv/bin/python bench/run.py --cases dataset,import --repeats 7
    .venv/bin/python bench/run.py --tasks PerceptualDecisionMaking-v0,GoNogo-v0
    .venv/bin/python bench/run.py --no-reference  # neurogym_app only

Each side-by-side case runs in two long-lived worker processes, one per library
(``bench/_worker.py`` under ``.venv`` and under ``bench/.reference-venv``, made
by ``bench/setup_reference`` if missing), running identical code. Repeats
alternate between the two sides, so a busy machine slows both alike. Every
result is the median over repeats with its spread (IQR, the 25-75 % range);
the ratio is neurogym_app's median over upstream's (for times, upstream's over
ours: both read as "times faster"). The table is printed and written to
``bench/results.json``.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_PYTHON = Path(sys.executable)
REF_PYTHON = HERE / ".reference-venv" / "bin" / "python"
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
    name="step",
    description="env.step with a random policy, reset at episode end; each library's make(id) as a user gets it",
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
    description="ngym.Dataset(task, batch_size=16, seq_len=100)(), steady state",
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

#: targets checked at the end: (case, summary key, comparison, value, what it says)
TARGETS = [
    ("step", "median_ratio", ">=", 2.0, "env steps/s >= 2x upstream (median over the common tasks)"),
    ("dataset", "min_ratio", ">=", 10.0, "Dataset batches/s >= 10x upstream (each task)"),
    ("import", "app_s", "<", 0.3, "import < 0.3 s"),
    ("import", "ratio", ">=", 3.0, "import >= 3x faster than upstream"),
]


# ----------------------------------------------------------------------------- workers
class Worker:
    """A worker process of one library, answering JSON requests line by line."""

    def __init__(self, python: Path, lib: str) -> None:
        self.python = python
        self.lib = lib
        env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [str(python), str(WORKER), lib],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=str(ROOT),
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
    errors: dict[str, str] = {}
    order = list(sides)
    for r in range(repeats):
        for side in order if r % 2 == 0 else order[::-1]:  # alternate who goes first
            if side in errors:
                continue
            target = sides[side]
            try:
                if case.run is not None:
                    values[side].append(float(case.run(params, min_time)))
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
        return f"{value * 1000:.0f} ms"
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
            lines.append(f"- [{'x' if t['met'] else ' '}] {t['what']}: {value}")
    return "\n".join(lines)


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
    parser.add_argument("--cases", default=None, help=f"comma-separated cases (default all: {', '.join(CASES)})")
    parser.add_argument("--tasks", default=None, help="comma-separated task ids for the per-task cases")
    parser.add_argument("--no-reference", action="store_true", help="measure neurogym_app only")
    parser.add_argument("--out", default=str(RESULTS), help="where to write the JSON results")
    parser.add_argument("--show", metavar="JSON", help="print the table of an earlier results file and exit")
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
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; cases: {', '.join(CASES)}")

    reference = not args.no_reference
    if reference and not REF_PYTHON.exists():
        print("bench: creating bench/.reference-venv with upstream neurogym (bench/setup_reference) ...", flush=True)
        subprocess.run([str(HERE / "setup_reference")], check=True)

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
            block: dict[str, Any] = {"description": case.description, "unit": case.unit, "rows": rows}
            if case.summary is not None and rows:
                block["summary"] = case.summary(rows)
            results["cases"][name] = block
    finally:
        for w in workers.values():
            w.close()

    results["machine"]["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    checks = []
    for case_name, key, op, bound, what in TARGETS:
        value = results["cases"].get(case_name, {}).get("summary", {}).get(key)
        if case_name not in results["cases"]:
            continue
        met = value is not None and (value >= bound if op == ">=" else value < bound)
        checks.append({"case": case_name, "key": key, "bound": f"{op} {bound}", "value": value, "met": met, "what": what})
    results["targets"] = checks

    print(format_table(results))
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str) + "\n")
    tmp.replace(out)
    print(f"\nbench: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
