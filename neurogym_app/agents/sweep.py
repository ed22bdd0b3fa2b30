"""Sweeps: one agent per point of tasks x models x hidden sizes x seeds, trained as ``train`` does.

:func:`run_sweep` trains and evaluates every point of a :class:`SweepSettings`
grid on an executor (:mod:`neurogym_app.agents.sweep_executors`: a local
process pool, or Ray), writes the sweep folder (layout in
:mod:`neurogym_app.agents.sweep_folder`) and returns the results table.

A point (:func:`run_point`, run in a worker process) is

1. ``agents.train.train`` on its settings, deterministic single-thread torch,
   into ``DIR/agents/<name>/`` - the folder ``neurogym-app train`` makes,
   with the same held-out evaluation on the default and human timings;
2. ``agents.player.run_agent``: the agent records ``record_trials`` trials
   (human timing when the task has it) into ``DIR/sessions/``, seeded
   ``3_000_000 + 1000 * seed``;
3. the psychometric fit of that run (``session.metrics.psychometric``, the
   Compare view's statistics) where the task has a strength variable:
   slope, bias and a threshold (see :func:`threshold_of`);
4. ``sweep_point.json`` written last into the agent folder: only then is the
   point finished. A rerun skips finished points and retrains the others
   (a half-written folder of an interrupted point is replaced).

An error inside a point is caught and recorded with its one-line message; the
other points go on. Ctrl-C stops the sweep: finished points stay, the table
and manifest are written with status ``interrupted``.

Seeds: everything a point draws is seeded from its ``seed`` (torch, Dataset,
evaluations: see ``agents.train``; the recording as above), so the same grid
gives the same table on any executor, training seconds and paths aside.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from neurogym_app.agents.sweep_folder import (
    AGENTS_DIR,
    COLUMNS,
    FIGURE_NAME,
    MANIFEST_NAME,
    POINT_RECORD,
    SESSIONS_DIR,
    SWEEP_FORMAT,
    SWEEP_FORMAT_VERSION,
    SweepError,
    finite_number,
    read_manifest,
    read_point_record,
    write_results,
)
from neurogym_app.agents.train import TIMING_CHOICES, TrainSettings, default_agent_name, eval_timings

__all__ = [
    "SweepPoint",
    "SweepSettings",
    "PointJob",
    "SweepResult",
    "run_point",
    "run_sweep",
    "check_sweep_folder",
    "threshold_of",
    "psychometric_of",
    "TRAINING_KEYS",
    "RECORD_SEED_BASE",
]

RECORD_SEED_BASE = 3_000_000
#: the settings that define how a point is trained; a sweep folder is resumed only with the same
TRAINING_KEYS = (
    "steps", "timing", "lr", "batch_size", "seq_len", "eval_every", "eval_trials", "final_eval_trials",
    "checkpoint_every", "record_trials",
)


@dataclass(frozen=True)
class SweepPoint:
    task: str
    model: str
    hidden: int
    seed: int

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.task, self.model, self.hidden, self.seed)


@dataclass
class SweepSettings:
    """The grid and how each point is trained (defaults: those of ``neurogym-app train``)."""

    tasks: list[str]
    seeds: list[int]
    # the training defaults are read from TrainSettings, so a sweep point is trained as `train` does
    models: list[str] = field(default_factory=lambda: [TrainSettings.model])
    hidden: list[int] = field(default_factory=lambda: [TrainSettings.hidden_size])
    steps: int = TrainSettings.steps
    timing: str = TrainSettings.timing
    lr: float = TrainSettings.lr
    batch_size: int = TrainSettings.batch_size
    seq_len: int = TrainSettings.seq_len
    eval_every: int = TrainSettings.eval_every
    eval_trials: int = TrainSettings.eval_trials
    final_eval_trials: int = TrainSettings.final_eval_trials
    checkpoint_every: int = TrainSettings.checkpoint_every
    record_trials: int = 200

    def check(self) -> None:
        for name in ("tasks", "seeds", "models", "hidden"):
            values = getattr(self, name)
            if not values:
                raise SweepError(f"the sweep needs at least one value in {name}")
            if len(set(values)) != len(values):
                raise SweepError(f"{name} lists a value twice: {values}")
        for seed in self.seeds:
            if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
                raise SweepError(f"seeds must be non-negative integers, got {seed!r}")
        if self.timing not in TIMING_CHOICES:
            raise SweepError(f"unknown timing {self.timing!r}; use one of {', '.join(TIMING_CHOICES)}")
        if not isinstance(self.record_trials, int) or self.record_trials < 1:
            raise SweepError(f"record_trials must be a positive integer, got {self.record_trials!r}")
        for point in self.points():  # the training settings' own checks, once per model and size
            self.train_settings(point).check()

    def points(self) -> list[SweepPoint]:
        """Every point, in grid order: task, then model, hidden size, seed."""
        return [SweepPoint(t, m, h, s) for t in self.tasks for m in self.models for h in self.hidden for s in self.seeds]

    def training(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in TRAINING_KEYS}

    def grid(self) -> dict[str, Any]:
        return {"tasks": list(self.tasks), "models": list(self.models), "hidden": list(self.hidden), "seeds": list(self.seeds)}

    def train_settings(self, point: SweepPoint) -> TrainSettings:
        return TrainSettings(
            task=point.task, timing=self.timing, model=point.model, hidden_size=point.hidden, steps=self.steps,
            lr=self.lr, batch_size=self.batch_size, seq_len=self.seq_len, seed=point.seed, eval_every=self.eval_every,
            eval_trials=self.eval_trials, final_eval_trials=self.final_eval_trials, checkpoint_every=self.checkpoint_every,
            threads=1, deterministic=True, plot=True,
        )

    def agent_name(self, point: SweepPoint) -> str:
        return default_agent_name(self.train_settings(point))


@dataclass(frozen=True)
class PointJob:
    """What a worker needs to run one point (picklable)."""

    point: SweepPoint
    settings: SweepSettings
    folder: str
    envs_dir: str | None = None


@dataclass
class SweepResult:
    folder: Path
    rows: list[dict[str, Any]]
    skipped: int
    failed: int
    status: str

    @property
    def csv(self) -> Path:
        return self.folder / "results.csv"


# --------------------------------------------------------------------------- one point (worker)
_PREPARED: set[str | None] = set()


def _prepare_process(envs_dir: str | None) -> None:
    """Once per worker process: one torch thread, the user's custom tasks registered."""
    if envs_dir in _PREPARED:
        return
    from neurogym_app.agents._deps import require_torch

    torch = require_torch()
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already ran in this process
        pass
    if envs_dir is not None:
        from neurogym_app.tasks.discovery import discover_envs

        discover_envs(envs_dir)  # problems were reported by the process that started the sweep
    _PREPARED.add(envs_dir)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def threshold_of(bias: float, slope: float, signed: bool) -> float | None:
    """The psychometric threshold of the logistic fit ``P = 1 / (1 + exp(-(bias + slope * x)))``.

    Signed strength (P(positive choice)): the strength step from 50 % to 75 %
    positive choices, ``ln 3 / slope``. Unsigned strength (accuracy): the
    strength at 75 % correct, ``(ln 3 - bias) / slope``. None when the slope is
    not positive (no threshold to speak of). :func:`psychometric_of` also
    drops a threshold beyond the strongest stimulus the agent was tested on.
    """
    if not (math.isfinite(bias) and math.isfinite(slope)) or slope <= 0:
        return None
    return math.log(3) / slope if signed else (math.log(3) - bias) / slope


def psychometric_of(session: str | os.PathLike[str]) -> dict[str, Any]:
    """Strength variable, slope, bias and threshold of a recorded run (None where there is no fit)."""
    from neurogym_app.analysis.catalog import load_table
    from neurogym_app.analysis.metrics import psychometric
    from neurogym_app.record.reader import open_session

    with open_session(session) as reader:
        table = load_table(reader)
    out: dict[str, Any] = {
        "strength_var": table.strength_var,
        "psychometric_threshold": None,
        "psychometric_slope": None,
        "psychometric_bias": None,
        "recorded_accuracy": finite_number(table.accuracy()),
    }
    if not table.strength_var:
        return out
    curve, fit = psychometric(table)
    if fit is None:
        return out
    bias, slope = fit.bias.value, fit.slope.value
    threshold = threshold_of(bias, slope, signed=table.has_signed_strength)
    if threshold is not None and not threshold <= float(np.max(np.abs(curve.x))):
        threshold = None  # beyond the strongest stimulus tested: an extrapolation, not a threshold
    out.update(psychometric_threshold=threshold, psychometric_slope=finite_number(slope), psychometric_bias=finite_number(bias))
    return out


def _base_row(job: PointJob) -> dict[str, Any]:
    p, s = job.point, job.settings
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(task=p.task, model=p.model, hidden=p.hidden, seed=p.seed, steps=s.steps, timing=s.timing, error="")
    return row


def failed_row(job: PointJob, error: str) -> dict[str, Any]:
    row = _base_row(job)
    row.update(status="failed", error=error)
    return row


def _remove_stale_sessions(sessions_root: Path, agent_name: str) -> None:
    """Drop earlier recordings of an unfinished point (they belong to no finished agent)."""
    import json

    for manifest in sessions_root.glob(f"*/{agent_name}_*/manifest.json"):
        try:
            player = json.loads(manifest.read_text(encoding="utf-8")).get("player") or {}
        except (OSError, ValueError):
            continue
        if player.get("kind") == "agent" and player.get("id") == agent_name:
            shutil.rmtree(manifest.parent, ignore_errors=True)


def versions(*, with_ray: bool = False) -> dict[str, Any]:
    """Versions of the app, Python and the libraries a point depends on (no heavy import)."""
    from importlib import metadata

    import neurogym_app

    out: dict[str, Any] = {"app": neurogym_app.__version__, "python": platform.python_version()}
    for dist in ("torch", "numpy", "gymnasium", *(["ray"] if with_ray else [])):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def run_point(job: PointJob) -> dict[str, Any]:
    """Train, evaluate and record one point; returns its record (never raises for the point's own errors).

    A ``KeyboardInterrupt`` is let through: the point stays unfinished.
    """
    try:
        return _run_point(job)
    except Exception as exc:  # any error of the point (a user's task, a diverging run): record it, go on
        return {"format": SWEEP_FORMAT, "row": failed_row(job, one_line(exc)), "host": socket.gethostname(), "pid": os.getpid()}


def _run_point(job: PointJob) -> dict[str, Any]:
    from neurogym_app.agents.agent import write_json
    from neurogym_app.agents.player import run_agent
    from neurogym_app.agents.train import train

    _prepare_process(job.envs_dir)
    sweep = Path(job.folder)
    point, settings = job.point, job.settings
    name = settings.agent_name(point)
    agent_dir = sweep / AGENTS_DIR / name
    if agent_dir.exists():  # an unfinished point (finished ones are never handed to a worker)
        shutil.rmtree(agent_dir)
    _remove_stale_sessions(sweep / SESSIONS_DIR, name)
    result = train(settings.train_settings(point), out=agent_dir, progress=False)
    held = result.evaluation["held_out"]
    record_timing = "human" if "human" in eval_timings(point.task) else "default"
    rec = run_agent(
        result.agent, trials=settings.record_trials, out=sweep / SESSIONS_DIR, seed=RECORD_SEED_BASE + 1000 * point.seed,
        timing=record_timing,
    )
    row = _base_row(job)
    row.update(
        accuracy_default=finite_number(held["default"]["accuracy"]),
        accuracy_human=finite_number(held["human"]["accuracy"]) if "human" in held else None,
        recorded_timing=record_timing,
        recorded_trials=len(rec.rows),
        train_seconds=round(result.train_seconds, 3),
        status="ok",
        agent=agent_dir.relative_to(sweep).as_posix(),
        session=rec.path.resolve().relative_to(sweep.resolve()).as_posix(),
        **psychometric_of(rec.path),
    )
    record = {
        "format": SWEEP_FORMAT,
        "point": asdict(point),
        "training": settings.training(),
        "row": row,
        "versions": versions(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    write_json(agent_dir / POINT_RECORD, record)
    return record


# --------------------------------------------------------------------------- the sweep (driver)
class SweepProgress:
    """Points done / running / failed on stderr: one refreshed line on a tty, else a line per change."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.monotonic()
        self._last = ""

    def line(self, done: int, running: int, failed: int, skipped: int) -> str:
        finished = done + failed
        width = 24
        filled = int(round(width * finished / max(self.total, 1)))
        waiting = self.total - finished - running
        extra = f" ({skipped} skipped: already done)" if skipped else ""
        return (
            f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{self.total} points: {done} done{extra}, "
            f"{running} running, {failed} failed, {waiting} waiting  {time.monotonic() - self.t0:.0f}s"
        )

    def update(self, done: int, running: int, failed: int, skipped: int) -> None:
        if not self.enabled:
            return
        text = self.line(done, running, failed, skipped)
        if self.tty:
            self.stream.write("\r" + text.ljust(100))
        elif text.rsplit("  ", 1)[0] != self._last:
            self.stream.write(text + "\n")
        self._last = text.rsplit("  ", 1)[0]
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def check_sweep_folder(out: str | os.PathLike[str], settings: SweepSettings) -> dict[str, Any] | None:
    """Refuse a folder the sweep must not write into (SweepError); returns its manifest when resuming.

    ``out`` may be new, empty, or a sweep folder trained with the same settings
    (:data:`TRAINING_KEYS`); anything else is left untouched.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a folder; choose another --out")
    if (out / MANIFEST_NAME).exists():
        previous = read_manifest(out)
        old = previous.get("training") or {}
        changed = [k for k in TRAINING_KEYS if k in old and old[k] != getattr(settings, k)]
        if changed:
            k = changed[0]
            raise SweepError(
                f"{out} holds a sweep trained with {k}={old[k]!r} (now {getattr(settings, k)!r}); "
                "rerun with the same training settings to resume it, or choose another --out"
            )
        return previous
    if out.is_dir() and any(out.iterdir()):
        raise SweepError(f"{out} is not empty and holds no sweep ({MANIFEST_NAME}); choose an empty or new --out")
    return None


def _prepare_folder(out: Path, settings: SweepSettings, executor: Any) -> dict[str, Any]:
    """The manifest to write: a new sweep, or the folder's own when resuming with the same training."""
    from neurogym_app.agents.agent import now_iso

    previous = check_sweep_folder(out, settings)
    out.mkdir(parents=True, exist_ok=True)
    (out / AGENTS_DIR).mkdir(exist_ok=True)
    (out / SESSIONS_DIR).mkdir(exist_ok=True)
    grid = settings.grid()
    if previous is not None:  # a resumed sweep may add values to its grid
        for k, values in (previous.get("grid") or {}).items():
            grid[k] = list(dict.fromkeys([*values, *grid.get(k, [])]))
    return {
        "format": SWEEP_FORMAT,
        "format_version": SWEEP_FORMAT_VERSION,
        "grid": grid,
        "n_points": len(replace(settings, **grid).points()),
        "training": settings.training(),
        "seeds": {
            "point": "each point's seed seeds torch, its Dataset rows and its evaluations (agents.train)",
            "recording": f"{RECORD_SEED_BASE} + 1000 * seed",
        },
        "layout": {"agents": f"{AGENTS_DIR}/<name>/", "sessions": f"{SESSIONS_DIR}/<task>/<run>/", "point_done": POINT_RECORD},
        "executor": executor.describe(),
        "versions": versions(with_ray=executor.name == "ray"),
        "created": (previous or {}).get("created") or now_iso(),
        "runs": [*((previous or {}).get("runs") or []), {"started": now_iso(), "executor": executor.name}],
        "status": "running",
    }


def run_sweep(
    settings: SweepSettings,
    out: str | os.PathLike[str],
    executor: Any,
    *,
    envs_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
    figure: Callable[[Sequence[dict[str, Any]], Path], Any] | None = None,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Run every unfinished point of ``settings`` on ``executor`` into the sweep folder ``out``.

    ``executor``: a :class:`~neurogym_app.agents.sweep_executors.PointExecutor`
    (``LocalPool``, ``RayCluster``). ``envs_dir``: a folder of custom tasks the
    workers register (as the CLI's ``--envs``). ``figure(rows, path)`` draws the
    summary figure (the CLI passes ``plots.sweep_figure.save_sweep_figure``).
    ``on_point(row)`` is called as each point finishes.
    """
    from neurogym_app.agents.agent import now_iso, write_json

    settings.check()
    folder = Path(out)
    manifest = _prepare_folder(folder, settings, executor)
    write_json(folder / MANIFEST_NAME, manifest)
    # the table covers the folder's whole grid (a resumed sweep may have asked for fewer or more
    # points than earlier runs); only the points asked for now are run
    wanted = {p.key for p in settings.points()}
    points = replace(settings, **manifest["grid"]).points()
    rows: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    for p in points:
        record = read_point_record(folder / AGENTS_DIR / settings.agent_name(p))
        if record is not None and record["row"].get("status") == "ok":
            rows[p.key] = record["row"]
    skipped = len([k for k in rows if k in wanted])
    envs = None if envs_dir is None else str(Path(envs_dir).resolve())
    jobs = [PointJob(p, settings, str(folder.resolve()), envs) for p in points if p.key in wanted and p.key not in rows]
    failures: dict[tuple[str, str, int, int], str] = {}
    hosts: dict[str, int] = {}
    worker_versions: list[dict[str, Any]] = []
    bar = SweepProgress(len(rows) + len(jobs), stream=stream, enabled=progress)
    status = "interrupted"

    def table() -> list[dict[str, Any]]:
        out_rows = []
        for p in points:
            if p.key in rows:
                out_rows.append(rows[p.key])
            elif p.key in failures:
                out_rows.append(failed_row(PointJob(p, settings, ""), failures[p.key]))
        return out_rows

    def counts() -> tuple[int, int]:
        left = len(jobs) - sum(1 for j in jobs if j.point.key in rows or j.point.key in failures)
        return len(rows), min(left, executor.slots)

    results = executor.run(run_point, jobs) if jobs else iter(())
    try:
        if jobs:
            done, running = counts()
            bar.update(done, running, 0, skipped)
        for job, outcome in results:
            if isinstance(outcome, BaseException):  # the executor lost the point (a worker died...)
                outcome = {"row": failed_row(job, f"the worker running it failed: {one_line(outcome)}")}
            row = outcome["row"]
            if outcome.get("host"):
                hosts[outcome["host"]] = hosts.get(outcome["host"], 0) + 1
            if outcome.get("versions") and outcome["versions"] not in worker_versions:
                worker_versions.append(outcome["versions"])  # more than one: nodes run different installs
            if row.get("status") == "ok":
                rows[job.point.key] = row
            else:
                failures[job.point.key] = str(row.get("error") or "failed")
            write_results(folder, table(), manifest["grid"])
            done, running = counts()
            bar.update(done, running, len(failures), skipped)
            if on_point is not None:
                on_point(row)
        status = "completed" if not failures else "completed with failures"
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the executor: cancels points not started, waits for or cancels running ones
        bar.close()
        final = table()
        write_results(folder, final, manifest["grid"])
        manifest.update(
            executor=executor.describe(),
            status=status,
            finished=now_iso(),
            points={"ok": len(rows), "failed": len(failures), "skipped": skipped, "not_run": len(points) - len(rows) - len(failures)},
            failures=[{"task": k[0], "model": k[1], "hidden": k[2], "seed": k[3], "error": e} for k, e in failures.items()],
            hosts=hosts,
            worker_versions=worker_versions,
        )
        if figure is not None and any(r.get("status") == "ok" for r in final):
            try:
                figure(final, folder / FIGURE_NAME)
                manifest["figure"] = FIGURE_NAME
            except ImportError as exc:  # matplotlib missing: the table is what matters
                manifest["figure"] = None
                if progress:
                    (stream or sys.stderr).write(f"{FIGURE_NAME} not drawn: {exc}\n")
        write_json(folder / MANIFEST_NAME, manifest)
    return SweepResult(folder, final, skipped, len(failures), status)
