"""Two trees of neurogym_app timed side by side in one run: is any case slower than before?

    .venv/bin/python bench/compare_trees.py                       # f8f8ee7 vs the working tree, every case
    .venv/bin/python bench/compare_trees.py --old main~3 --new HEAD
    .venv/bin/python bench/compare_trees.py --quick --tasks PerceptualDecisionMaking-v0,GoNogo-v0
    .venv/bin/python bench/compare_trees.py --cases step,new_trial,import --repeats 7

The old revision (default f8f8ee7, the commit before the session pipeline of issue 14)
is exported with ``git archive`` into a temporary folder; the new one is the working tree
(or ``--new REV``, exported the same way). Each tree is imported through ``PYTHONPATH``
by its own processes, from a neutral working directory, with this interpreter (the
shared venv: same numpy, gymnasium, Qt), and every case reaches it through the public
API only, so the same code runs on both trees:

* ``step``, ``step_bare``, ``new_trial`` (every task id both trees register) and
  ``dataset``: ``bench/_worker.py`` -- the worker bench/run.py uses against upstream --
  one worker process per tree, up for the whole run; rates (operations/s, wall clock).
* ``import``: ``import neurogym_app`` in a fresh interpreter, CPU time of the import.
* ``play``: ``neurogym-app play PerceptualDecisionMaking-v0 --auto psychometric --headless
  --trials N --seed 1`` in a fresh process; CPU time of the process (start-up included).
* ``play_null``: the same with ``--backend null`` on both trees: f8f8ee7's ``--headless``
  paints every frame offscreen, later trees time the frames without painting them, so
  ``play`` shows what the user's command costs and ``play_null`` the pipeline alone.
* ``compare``: ``neurogym-app compare SESSION --json`` on the session that tree's ``play``
  recorded (same command and seed on both trees); CPU time of the process.
* ``frame_work``, ``plot_update``, ``session_open`` (``--cases app``): the app-only bench
  scripts, each tree running its own copy (they exist on both trees); their CPU-time figure.

Repeats alternate which tree goes first, so a machine that gets busier affects both
alike. Reported per case: the median over repeats for each tree and the speed ratio
new/old (rates: new/old; times: old/new), so a ratio below 1 means the new tree is
slower; a ratio below ``--flag`` (0.95) is flagged. JSON goes to ``--json``
(default bench/compare_trees.json). Exit status 1 when a case is flagged or fails on
one tree only (a case both trees refuse, e.g. ``new_trial`` on a task without trials,
is listed as not measured).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import DATASET_TASKS, Worker, _machine, _now, _stats  # noqa: E402  (bench/ is not a package)

PYTHON = Path(sys.executable)
DEFAULT_OLD = "f8f8ee7"
OUT = HERE / "compare_trees.json"
PLAY_TASK = "PerceptualDecisionMaking-v0"
WORKER_CASES = ("step", "step_bare", "new_trial", "dataset")
PROCESS_CASES = ("import", "play", "play_null", "compare")
APP_CASES = ("frame_work", "plot_update", "session_open")
ALL_CASES = WORKER_CASES + PROCESS_CASES + APP_CASES


class TreeError(RuntimeError):
    """A revision that cannot be exported or a tree whose package does not import."""


@dataclass
class Tree:
    """One tree under test: where its package is, and the processes that import it."""

    name: str  # "old" / "new"
    rev: str  # the revision asked for ("working tree" for the checkout itself)
    path: Path
    commit: str
    work: Path  # neutral working directory of its processes (so '' on sys.path is not a tree)
    worker: Worker | None = None
    session: Path | None = None  # the session its `play` recorded (for `compare`)
    info: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.path), "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore",
                "PYTHONDONTWRITEBYTECODE": "1"}


# ----------------------------------------------------------------------------- trees
def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise TreeError(f"git {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout.strip()


def export_tree(rev: str, dest: Path) -> str:
    """Write revision ``rev`` of this repository into ``dest`` (git archive); returns its commit."""
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", "--format=tar", commit], stdout=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout)
    archive.wait()
    if archive.returncode != 0 or untar.returncode != 0:
        raise TreeError(f"could not export {rev} ({commit[:10]}) into {dest}")
    return commit


def _python(tree: Tree, *args: str, timeout: float = 1800.0) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run this interpreter on ``tree``; returns the process and its CPU time (user + system, children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(PYTHON), *args], capture_output=True, text=True, cwd=str(tree.work),
                          env=dict(os.environ, **tree.env()), timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"{tree.name} tree: {' '.join(args[:3])}... exited {done.returncode}: {tail}")
    return done, cpu


def check_tree(tree: Tree) -> None:
    """The tree's own package is the one imported (not the venv's editable install)."""
    done, _ = _python(tree, "-c", "import neurogym_app; print(neurogym_app.__file__)")
    where = Path(done.stdout.strip().splitlines()[-1]).resolve()
    if tree.path.resolve() not in where.parents:
        raise TreeError(f"{tree.name} tree: neurogym_app was imported from {where}, not from {tree.path}")


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    name: str
    unit: str  # "/s" (rate, higher is better) or "s" / "ms" (time, lower is better)
    measure: Callable[[Tree, dict[str, Any], float], float]
    params: list[dict[str, Any]]
    max_repeats: int | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.unit.startswith("/")

    def label(self, params: dict[str, Any]) -> str:
        return f"{self.name} {params['task']}" if "task" in params else self.name


def _worker_case(name: str) -> Callable[[Tree, dict[str, Any], float], float]:
    def measure(tree: Tree, params: dict[str, Any], min_time: float) -> float:
        assert tree.worker is not None
        answer = tree.worker.ask({"op": "run", "case": name, "params": params, "min_time": min_time})
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return float(answer["ok"])

    return measure


def _import(tree: Tree, params: dict[str, Any], min_time: float) -> float:
    code = "import time; t = time.process_time(); import neurogym_app; print(time.process_time() - t)"
    done, _ = _python(tree, "-c", code)
    return float(done.stdout.strip().splitlines()[-1])


def _play_args(tree: Tree, trials: int, out: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return ["-m", "neurogym_app.cli.main", "play", PLAY_TASK, "--auto", "psychometric", "--headless",
            "--trials", str(trials), "--seed", "1", "--out", str(out), *extra]


def _play(tree: Tree, params: dict[str, Any], min_time: float) -> float:
    with tempfile.TemporaryDirectory(dir=tree.work) as out:
        _, cpu = _python(tree, *_play_args(tree, params["trials"], Path(out), tuple(params.get("extra", ()))))
    return cpu


def _record_session(tree: Tree, trials: int) -> Path:
    """The session `compare` reads: recorded once by the tree itself (its own record format)."""
    out = tree.work / "sessions"
    _python(tree, *_play_args(tree, trials, out))
    manifests = sorted(out.rglob("manifest.json"))
    if len(manifests) != 1:
        raise RuntimeError(f"{tree.name} tree: expected one recorded session under {out}, found {len(manifests)}")
    return manifests[0].parent


def _compare(tree: Tree, params: dict[str, Any], min_time: float) -> float:
    if tree.session is None:
        tree.session = _record_session(tree, params["trials"])
    _, cpu = _python(tree, "-m", "neurogym_app.cli.main", "compare", str(tree.session), "--json")
    return cpu


def _app_script(script: str, args: Callable[[dict[str, Any], float], list[str]], pick: Callable[[dict[str, Any]], float]):
    """An app-only bench script of the tree itself (bench/<script>), its JSON read and one figure picked."""

    def measure(tree: Tree, params: dict[str, Any], min_time: float) -> float:
        path = tree.path / "bench" / script
        if not path.is_file():
            raise RuntimeError(f"{tree.name} tree has no bench/{script}")
        done, _ = _python(tree, str(path), *args(params, min_time))
        return float(pick(json.loads(done.stdout)))

    return measure


def _worst_cpu_p50(out: dict[str, Any]) -> float:
    return max(c["cpu_ms"]["p50"] for c in out["cases"])


def _session_open_ms(out: dict[str, Any]) -> float:
    return out["cpu_ms"]["replay_open"]  # thread CPU time of ReplayView.open_session (both trees' scripts)


def build_cases(tasks: list[str], trials: int, min_time: float) -> dict[str, Case]:
    frames = max(120, int(600 * min_time / 0.25))
    return {
        "step": Case("step", "/s", _worker_case("step"), [{"task": t} for t in tasks]),
        "step_bare": Case("step_bare", "/s", _worker_case("step_bare"), [{"task": t} for t in tasks]),
        "new_trial": Case("new_trial", "/s", _worker_case("new_trial"), [{"task": t} for t in tasks]),
        "dataset": Case("dataset", "/s", _worker_case("dataset"),
                        [{"task": t, "batch_size": 16, "seq_len": 100} for t in DATASET_TASKS if t in tasks]),
        "import": Case("import", "s", _import, [{}]),
        # the user's command as it is (f8f8ee7 paints every frame offscreen; later trees time frames without painting)
        "play": Case("play", "s", _play, [{"trials": trials}]),
        # the same run with nothing to draw on either tree: the pipeline's own cost (runner, players, recorder)
        "play_null": Case("play_null", "s", _play, [{"trials": trials, "extra": ["--backend", "null"]}]),
        "compare": Case("compare", "s", _compare, [{"trials": trials}]),
        "frame_work": Case("frame_work", "ms", _app_script("frame_work.py", lambda p, m: ["--frames", str(frames)], _worst_cpu_p50),
                           [{}], max_repeats=3),
        "plot_update": Case("plot_update", "ms", _app_script(
            "plot_update.py", lambda p, m: ["--trials", "10000", "--repeats", "30"], lambda o: o["update_cpu_ms"]["p50"]),
            [{}], max_repeats=3),
        "session_open": Case("session_open", "ms", _app_script(
            "session_open.py", lambda p, m: ["--steps", "200000"], _session_open_ms), [{}], max_repeats=3),
    }


# ----------------------------------------------------------------------------- running
def measure(case: Case, params: dict[str, Any], trees: list[Tree], repeats: int, min_time: float) -> dict[str, Any]:
    """One row: ``repeats`` interleaved measurements per tree (who goes first alternates)."""
    values: dict[str, list[float]] = {t.name: [] for t in trees}
    errors: dict[str, str] = {}
    if case.max_repeats is not None:
        repeats = min(repeats, case.max_repeats)
    for r in range(repeats):
        for tree in trees if r % 2 == 0 else trees[::-1]:
            if tree.name in errors:
                continue
            try:
                values[tree.name].append(case.measure(tree, params, min_time))
            except Exception as exc:  # one failing measurement is reported, the run goes on
                errors[tree.name] = f"{type(exc).__name__}: {exc}"
    row: dict[str, Any] = {"case": case.name, "label": case.label(params), "params": params, "unit": case.unit}
    for tree in trees:
        row[tree.name] = _stats(values[tree.name])
    if errors:
        row["errors"] = errors
    old, new = row["old"]["median"], row["new"]["median"]
    if old and new:
        row["ratio"] = new / old if case.higher_is_better else old / new
    return row


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "/s":
        return f"{value:,.0f}/s" if value >= 100 else f"{value:.1f}/s"
    return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def format_table(rows: list[dict[str, Any]], flag: float) -> str:
    lines = [f"| {'case':44s} | {'old':>14s} | {'new':>14s} | {'new/old':>7s} |", f"|{'-' * 46}|{'-' * 16}|{'-' * 16}|{'-' * 9}|"]
    for row in rows:
        ratio = row.get("ratio")
        mark = "" if ratio is None or ratio >= flag else "  <-- slower"
        cell = f"{ratio:.2f}x" if ratio is not None else "-"
        lines.append(f"| {row['label']:44s} | {_fmt(row['old']['median'], row['unit']):>14s} | "
                     f"{_fmt(row['new']['median'], row['unit']):>14s} | {cell:>7s} |{mark}")
        for side, error in row.get("errors", {}).items():
            lines.append(f"|   {side}: {error[:150]}")
    return "\n".join(lines)


def summarise(rows: list[dict[str, Any]], flag: float) -> dict[str, Any]:
    by_case: dict[str, list[float]] = {}
    for row in rows:
        if row.get("ratio") is not None:
            by_case.setdefault(row["case"], []).append(row["ratio"])
    return {
        "flag_below": flag,
        "per_case": {c: {"median_ratio": statistics.median(r), "min_ratio": min(r), "n": len(r)} for c, r in by_case.items()},
        "flagged": [row["label"] for row in rows if row.get("ratio") is not None and row["ratio"] < flag],
        # one tree failing is a finding; both failing (e.g. new_trial on a stepped task that has none) is not measurable
        "failed": [row["label"] for row in rows if len(row.get("errors", {})) == 1],
        "not_measured": [row["label"] for row in rows if len(row.get("errors", {})) == 2],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:7]))
    parser.add_argument("--old", default=DEFAULT_OLD, help=f"the old revision (default {DEFAULT_OLD})")
    parser.add_argument("--new", default=None, help="the new revision (default: the working tree as it is)")
    parser.add_argument("--cases", default=",".join(ALL_CASES),
                        help=f"comma-separated cases (default all: {', '.join(ALL_CASES)}; 'app' = {', '.join(APP_CASES)})")
    parser.add_argument("--tasks", help="comma-separated task ids for step/step_bare/new_trial/dataset (default: every common id)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per case and tree (default 5)")
    parser.add_argument("--min-time", type=float, default=0.25, help="seconds per worker measurement (default 0.25; dataset x4)")
    parser.add_argument("--trials", type=int, default=200, help="trials of the play run and of the session compare reads (default 200)")
    parser.add_argument("--quick", action="store_true", help="3 repeats, shorter timings, 50 trials (to try the script, not to conclude)")
    parser.add_argument("--flag", type=float, default=0.95, help="flag a case whose new/old speed ratio is below this (default 0.95)")
    parser.add_argument("--json", type=Path, default=OUT, help=f"where to write the results (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--keep", action="store_true", help="keep the exported tree(s) and the recorded sessions (paths printed)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.min_time, args.trials = min(args.repeats, 3), args.min_time * 0.4, min(args.trials, 50)
    names = [c.strip() for c in args.cases.split(",") if c.strip()]
    names = [n for c in names for n in (APP_CASES if c == "app" else (c,))]
    unknown = [n for n in names if n not in ALL_CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)} (known: {', '.join(ALL_CASES)}, app)")

    scratch = Path(tempfile.mkdtemp(prefix="compare-trees-"))
    trees: list[Tree] = []
    try:
        for name, rev in (("old", args.old), ("new", args.new)):
            work = scratch / f"{name}-work"
            work.mkdir()
            if rev is None:
                dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
                commit = _git("rev-parse", "HEAD") + ("+changes" if dirty else "")
                trees.append(Tree(name, "working tree", ROOT, commit, work))
            else:
                path = scratch / name
                trees.append(Tree(name, rev, path, export_tree(rev, path), work))
        for tree in trees:
            check_tree(tree)
            # byte-compile first, so no tree pays for compiling its sources in the timed imports
            _python(tree, "-m", "compileall", "-q", str(tree.path / "neurogym_app"))
            print(f"{tree.name}: {tree.rev} ({tree.commit[:12]}) at {tree.path}", flush=True)

        if any(n in WORKER_CASES for n in names):
            for tree in trees:
                tree.worker = Worker(PYTHON, "neurogym_app", env=tree.env(), cwd=tree.work)
                tree.info = tree.worker.ask({"op": "info"}).get("ok", {})
            registered = {t.name: set(t.worker.ask({"op": "tasks"})["ok"]) for t in trees if t.worker}
            common = set.intersection(*registered.values())
            print("task ids registered: " + ", ".join(f"{n} {len(ids)}" for n, ids in registered.items())
                  + f", common {len(common)}", flush=True)
            tasks = sorted(common)
            if args.tasks:
                asked = [t.strip() for t in args.tasks.split(",") if t.strip()]
                missing = [t for t in asked if t not in common]
                if missing:
                    parser.error(f"--tasks: {', '.join(missing)} not registered by both trees")
                tasks = asked
        else:
            tasks = []
        cases = build_cases(tasks, args.trials, args.min_time)
        results: dict[str, Any] = {
            "started": _now(), "machine": _machine(), "repeats": args.repeats, "min_time": args.min_time,
            "trees": {t.name: {"rev": t.rev, "commit": t.commit, "path": str(t.path)} for t in trees},
            "common_tasks": tasks, "rows": [],
        }
        print(f"{len(tasks)} common tasks; {args.repeats} repeats; load {os.getloadavg()[0]:.1f}", flush=True)
        for name in names:
            case = cases[name]
            for params in case.params:
                min_time = args.min_time * (4 if name == "dataset" else 1)
                row = measure(case, params, trees, args.repeats, min_time)
                results["rows"].append(row)
                ratio = row.get("ratio")
                print(f"  {row['label']:44s} {'-' if ratio is None else f'{ratio:.2f}x'}"
                      f"{'  ' + '; '.join(row['errors'].values())[:160] if row.get('errors') else ''}", flush=True)
        results["finished"] = _now()
        results["loadavg_end"] = os.getloadavg()
        results["summary"] = summary = summarise(results["rows"], args.flag)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print()
        print(f"old = {trees[0].rev} ({trees[0].commit[:12]}), new = {trees[1].rev} ({trees[1].commit[:12]}); "
              f"speed ratio new/old, below {args.flag} flagged; load {results['machine'].get('loadavg_start', ['?'])[0]}"
              f" -> {results['loadavg_end'][0]:.1f}")
        print(format_table(results["rows"], args.flag))
        for c, s in summary["per_case"].items():
            print(f"{c}: median {s['median_ratio']:.2f}x, min {s['min_ratio']:.2f}x over {s['n']}")
        print(f"flagged (new/old < {args.flag}): {', '.join(summary['flagged']) or 'none'}")
        if summary["failed"]:
            print(f"failed on one tree: {', '.join(summary['failed'])}")
        if summary["not_measured"]:
            print(f"not measured (failed on both trees): {', '.join(summary['not_measured'])}")
        print(f"results written to {args.json}")
        return 1 if summary["flagged"] or summary["failed"] else 0
    finally:
        for tree in trees:
            if tree.worker is not None:
                tree.worker.close()
        if args.keep:
            print(f"kept {scratch}")
        else:
            subprocess.run(["rm", "-rf", str(scratch)], check=False)


if __name__ == "__main__":
    raise SystemExit(main())
