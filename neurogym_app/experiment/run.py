"""Run an experiment file: screens, practice, blocks, staircases, recording, resume (pure: no Qt).

``run_experiment(...)`` plays a validated :class:`ExperimentConfig` on a
display (``neurogym-app play EXPERIMENT.toml`` parses its flags, builds the
display and asks for the participant in ``cli/experiment_hooks.py``, then
calls it).

The flow: welcome -> for each block in the (fixed / randomized /
counterbalanced) order: the task's instructions and an example the first
time the task comes up, its practice block with feedback and a practice
summary, then the block; a break screen with progress and accuracy
between blocks; the end screen with a summary (and, for the experimenter,
the measured refresh rate and dropped frames, also printed on stdout).
Escape anywhere asks for confirmation; quitting keeps every committed trial.

Recording: one experiment folder ``<out>/<experiment>/<participant>_<session>_<timestamp>/``
with ``experiment.json`` (format ``neurogym-app-experiment``: design, order,
seeds, participant, plan, display, status, ``resumed_from``), a copy of the
experiment file, a combined ``trials.csv`` (every task's rows) and one
ordinary session record per task (``<task id>/<participant>_<session>_<timestamp>/``,
readable by every session tool), in which each block is recorded with its
number (practice: block 0, ``practice`` = 1) and the columns ``experiment``, ``exp_block_position`` (its index in the run),
``exp_block_name``, ``exp_trial_in_block``, ``exp_trial`` (the trial's position
in the whole experiment), ``exp_condition`` and, for an adaptive task,
``adaptive_*`` (the procedure's state after the trial). A staircase on a task
*parameter* (not a trial variable) also records that parameter's value in effect
for every trial, practice included, in ``param_<name>`` and lists it in the task
session's manifest (``trial_parameters``), so ``verify`` sets it before each trial.

Seeds: ``root = f(experiment seed, participant id, session)``; every trial's
``trial_seed``, the condition order of every block, the randomized block
order and the simulated participant derive from ``root``, so a person's
sequence is reproducible and ``--resume`` continues it exactly. Every task
session records its env seed and ``trial_source: "plan"``: ``verify`` rebuilds
each trial from its recorded variables (``trial_seed`` included).

One clock per run: every onset, in every task session, is seconds since the
experiment started; a resumed run continues the clock (from the last committed
trial's end) and the trial numbers of the run it resumes.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import gymnasium as gym
import numpy as np

from neurogym_app.config.errors import ConfigError
from neurogym_app.config.experiment import BlockConfig, ExperimentConfig, TaskConfig, design_hash, load_experiment
from neurogym_app.config.limits import MAX_TRIALS
from neurogym_app.errors import UserError
from neurogym_app.experiment.screens import (
    BlockSummary,
    ParticipantInfo,
    Screen,
    ScreenScenes,
    balanced_latin_square,
    validate_participant,
)
from neurogym_app.experiment.staircases import STATE_COLUMNS, make_procedure
from neurogym_app.input.events import KeyEvent
from neurogym_app.input.keymap import KeyMap, build_keymap
from neurogym_app.input.keynames import display_name, normalise_key
from neurogym_app.record import schema
from neurogym_app.record.ids import safe_component
from neurogym_app.record.jsonutil import plain
from neurogym_app.record.recorder import (
    RecordingError,
    SessionRecorder,
    csv_line,
    format_row,
    fsync_dir,
    now_iso,
    write_json_atomic,
    writer_info,
)
from neurogym_app.runtime.against import prepare as prepare_against
from neurogym_app.runtime.markers import Marker, describe_sink, send_marker
from neurogym_app.runtime.protocols import Player
from neurogym_app.runtime.run import (
    PlayOptions,
    build_manifest,
    build_run,
    check_playable_timing,
    closing_display_facts,
    create_recorder,
    csv_layout,
    display_facts,
    make_task,
)
from neurogym_app.runtime.runner import DROP_FACTOR, Runner
from neurogym_app.runtime.simulated import RTDistribution, SimulatedParticipant
from neurogym_app.runtime.trial_log import first_response_target

__all__ = [
    "EXPERIMENT_FORMAT",
    "EXPERIMENT_MANIFEST",
    "EXTRA_COLUMNS",
    "BlockPlan",
    "Design",
    "ExperimentResult",
    "ExperimentRun",
    "LoadedExperiment",
    "ResumeState",
    "build_design",
    "load_resume",
    "run_experiment",
]

EXPERIMENT_FORMAT = schema.EXPERIMENT_FORMAT_NAME
EXPERIMENT_FORMAT_VERSION = schema.EXPERIMENT_FORMAT_VERSION
EXPERIMENT_MANIFEST = schema.EXPERIMENT_MANIFEST
EXPERIMENT_COPY = "experiment.toml"
EXTRA_COLUMNS = (
    "experiment",
    "exp_block_position",
    "exp_block_name",
    "exp_trial_in_block",
    "exp_trial",
    "exp_condition",
)

# seed streams
_TRIAL, _ORDER, _CONDITIONS, _RESET, _PARTICIPANT = 1, 2, 3, 4, 5
SEED_BITS = 63


def _key(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def mix_seed(*keys: int) -> int:
    """An independent 63-bit seed from integer keys (numpy SeedSequence)."""
    state = np.random.SeedSequence([int(k) for k in keys]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) % (2**SEED_BITS)


def root_seed(base: int, participant: str, session: int) -> int:
    """The seed of one participant's session: every random choice of the run derives from it."""
    return mix_seed(base, _key(participant), session)


# --------------------------------------------------------------------------- design
@dataclass
class TaskSetup:
    """A task of the experiment, built: env, key map, its trial variables and columns."""

    key: str
    cfg: TaskConfig
    env: Any
    keymap: KeyMap
    task_vars: list[str]
    periods: list[str]
    procedure_cfg: Any = None

    @property
    def task_id(self) -> str:
        return self.cfg.id

    @property
    def title(self) -> str:
        return self.cfg.title or self.cfg.id

    @property
    def columns(self) -> list[str]:
        extra = list(EXTRA_COLUMNS) + (list(STATE_COLUMNS) + ["adaptive_intensity"] if self.cfg.adaptive else [])
        names = list(self.task_vars) + [c for c in extra if c not in self.task_vars]
        return schema.csv_columns(names, self.periods, pointer=self.keymap.pointer is not None)


@dataclass
class BlockPlan:
    """One block of the run: its place, task, trial count and trial list."""

    position: int  # index in the run's block sequence (practice blocks included)
    number: int  # trials.csv block: 0 for practice, 1..N for the main blocks
    task: str
    name: str
    practice: bool
    n_trials: int
    conditions: list[dict[str, Any]] | None
    order: str
    feedback: bool
    exp_start: int  # exp_trial of its first trial
    unit: int  # index of its [[blocks]] entry (-1: practice)
    sequence: list[int] = field(default_factory=list)  # condition index of each trial

    def trial_seed(self, root: int, j: int) -> int:
        return mix_seed(root, _TRIAL, self.position, j)

    def trial_vars(self, root: int, j: int) -> tuple[dict[str, Any], int | None]:
        """The new_trial variables of trial ``j`` and its condition index."""
        cond: int | None = None
        out: dict[str, Any] = {}
        if self.conditions:
            cond = self.sequence[j]
            out.update(self.conditions[cond])
        out["trial_seed"] = self.trial_seed(root, j)
        return out, cond


@dataclass
class Design:
    """An experiment made concrete for one participant and session."""

    cfg: ExperimentConfig
    source: str
    participant: ParticipantInfo
    base_seed: int
    root: int
    order: list[int]  # [[blocks]] entries in run order
    counterbalance_row: int | None
    tasks: dict[str, TaskSetup]
    plan: list[BlockPlan]

    @property
    def n_main_blocks(self) -> int:
        return sum(1 for b in self.plan if not b.practice)

    @property
    def n_trials(self) -> int:
        return sum(b.n_trials for b in self.plan)

    @property
    def n_main_trials(self) -> int:
        return sum(b.n_trials for b in self.plan if not b.practice)


def _factorial(factors: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    names = list(factors)
    return [dict(zip(names, combo)) for combo in itertools.product(*(factors[n] for n in names))]


def _trial_list(*lists: Any) -> tuple[list[dict[str, Any]] | None, str | None, str | None]:
    """The first of ``lists`` that gives conditions: (conditions, order, where-name)."""
    for lst in lists:
        if lst is None:
            continue
        if lst.conditions is not None:
            return [dict(c) for c in lst.conditions], lst.order, "conditions"
        if lst.factors is not None:
            return _factorial(lst.factors), lst.order, "factors"
    return None, None, None


def _sequence(n_conditions: int, n_trials: int, order: str, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    seq: list[int] = []
    while len(seq) < n_trials:
        idx = list(range(n_conditions))
        if order == "shuffle":
            rng.shuffle(idx)
        seq.extend(idx)
    return seq[:n_trials]


def _err(source: str, where: str, message: Any) -> ConfigError:
    text = " ".join(str(message).split())
    return ConfigError(f"{source}: {where}: {text}", source=source)


def _task_spec(task_id: str, source: str, where: str) -> Any:
    """The registry entry of ``task_id``; a custom task is also looked for beside the experiment file."""
    from neurogym_app.core import registry
    from neurogym_app.tasks.discovery import discover_envs

    try:
        return registry.spec(task_id)
    except Exception as exc:
        error = exc
    folder = Path(source).parent
    if Path(source).is_file() and folder.is_dir():
        problems = discover_envs(folder)
        try:
            return registry.spec(task_id)
        except Exception as exc:
            if problems:  # the task's module is there but does not import: say so, with its line
                raise _err(source, f"{where}.id", f"{task_id} not found; {problems[0]}") from None
            error = exc  # its suggestions now include the tasks beside the file
    raise _err(source, f"{where}.id", error) from None


def _user_line(exc: BaseException) -> str:
    """`` (at envs/mytask.py:12)``: the last line of the traceback outside this package and the libraries."""
    import traceback

    package = str(Path(__file__).resolve().parents[1])
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.endswith(".py") and not f.filename.startswith(package) and "site-packages" not in f.filename and "/lib/python" not in f.filename
    ]
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _failing_field(task_id: str, tcfg: TaskConfig, kwargs: dict[str, Any], exc: Exception) -> tuple[str, str]:
    """Which field of ``[tasks.<key>]`` made the task fail to build: ``params.<name>``, ``timing[.<period>]``
    or ``dt``, and a one-line message (a task's own TypeError included)."""
    from neurogym_app.core import registry

    text = " ".join(str(exc).split()) or type(exc).__name__
    named = re.search(r"parameter '([^']+)'", text)
    if named and named.group(1) in tcfg.params:
        return f"params.{named.group(1)}", text
    period = re.search(r"period '([^']+)'", text)
    if period and isinstance(tcfg.timing, dict) and period.group(1) in tcfg.timing:
        return f"timing.{period.group(1)}", text
    if "timing preset" in text:
        return "timing", text
    untimed = {k: v for k, v in kwargs.items() if k != "timing"}
    try:  # which part fails on its own: the parameters (and dt) without the timing?
        registry.make(task_id, **untimed)
    except Exception:
        if not isinstance(exc, UserError):  # the task's own error (e.g. a TypeError on a wrong type)
            text = f"{task_id} cannot be built with params {tcfg.params}: {type(exc).__name__}: {text}"
        if tcfg.dt is not None and not tcfg.params:
            return "dt", text
        if len(tcfg.params) == 1:
            return f"params.{next(iter(tcfg.params))}", text
        return "params", text
    return "timing", text


def _build_task(key: str, tcfg: TaskConfig, source: str, seed: int) -> TaskSetup:
    from neurogym_app.core import registry

    where = f"tasks.{key}"
    spec = _task_spec(tcfg.id, source, where)
    kwargs = tcfg.make_kwargs()
    env: Any  # a TrialEnv task (new_trial, a Discrete action space), wrapped or not
    try:
        if isinstance(tcfg.timing, dict):
            env = registry.make(spec.id, **kwargs)
            check_playable_timing(spec.id, env)  # absurd or all-zero periods: one line, not a MemoryError
        else:
            env = make_task(spec.id, tcfg.timing, kwargs)
    except Exception as exc:
        field_name, message = _failing_field(spec.id, tcfg, kwargs, exc)
        raise _err(source, f"{where}.{field_name}", message) from None
    try:
        keymap = build_keymap(env, tcfg.keys or None, tcfg.input_mode)
    except UserError as exc:
        raise _err(source, f"{where}.keys", exc) from None
    try:
        env.reset(seed=seed)
    except Exception as exc:  # the first trial of the task fails: a wrong parameter value, or a mistake in the task
        field_name = f"params.{next(iter(tcfg.params))}" if len(tcfg.params) == 1 else "params" if tcfg.params else "id"
        given = f" with params {tcfg.params}" if tcfg.params else ""
        raise _err(source, f"{where}.{field_name}", f"{tcfg.id} fails to start a trial{given}: {type(exc).__name__}: {exc}{_user_line(exc)}") from None
    task_vars, periods = csv_layout(env)
    task = env.unwrapped
    has_trials = callable(getattr(task, "new_trial", None))
    drawn = set(task_vars)
    for lst_where, lst in ((where, tcfg), (f"{where}.practice", tcfg.practice)):
        conditions, _, kind = _trial_list(lst)
        if not conditions:
            continue
        if not has_trials:
            raise _err(source, f"{lst_where}.{kind}", f"{tcfg.id} has no trials, so it takes no trial list")
        for i, cond in enumerate(conditions):
            try:
                trial = env.new_trial(**dict(cond))
            except Exception as exc:
                raise _err(source, f"{lst_where}.{kind}[{i}]", f"{tcfg.id} rejects {cond}: {exc}") from None
            unknown = [n for n in cond if n not in drawn or n not in trial]
            if unknown:
                raise _err(
                    source,
                    f"{lst_where}.{kind}[{i}]",
                    f"unknown trial variable {unknown[0]!r} ({tcfg.id} draws: {', '.join(sorted(drawn - {'trial_seed'})) or 'none'})",
                )
            bad_gt = _ground_truth_outside_actions(task)
            if bad_gt is not None:
                raise _err(
                    source,
                    f"{lst_where}.{kind}[{i}]",
                    f"{cond} gives the correct answer {bad_gt}, which is not one of {tcfg.id}'s actions "
                    f"(0-{task.action_space.n - 1}); check the values of the trial variables",
                )
    adaptive = tcfg.adaptive
    if adaptive is not None:
        if adaptive.variable is not None:
            if not has_trials:
                raise _err(source, f"{where}.adaptive.variable", f"{tcfg.id} has no trials to set {adaptive.variable!r} in")
            value = adaptive.start if adaptive.method == "staircase" else adaptive.intensity_min
            try:
                trial = env.new_trial(**{adaptive.variable: value})
            except Exception as exc:
                raise _err(source, f"{where}.adaptive.variable", f"{tcfg.id} rejects {adaptive.variable}={value!r}: {exc}") from None
            if adaptive.variable not in drawn or adaptive.variable not in trial:
                raise _err(
                    source,
                    f"{where}.adaptive.variable",
                    f"unknown trial variable {adaptive.variable!r} ({tcfg.id} draws: {', '.join(sorted(drawn - {'trial_seed'}))})",
                )
        elif not hasattr(task, str(adaptive.parameter)):
            raise _err(source, f"{where}.adaptive.parameter", f"{tcfg.id} has no attribute {adaptive.parameter!r}")
        if adaptive.method == "quest":
            try:
                make_procedure(adaptive)
            except UserError as exc:
                raise _err(source, f"{where}.adaptive", exc) from None
    env.reset(seed=seed)
    return TaskSetup(key, tcfg, env, keymap, task_vars, periods, adaptive)


def block_order(cfg: ExperimentConfig, root: int, number: int) -> tuple[list[int], int | None]:
    """The [[blocks]] entries in run order, and the Latin-square row used (counterbalanced)."""
    n = len(cfg.blocks)
    if cfg.block_order == "fixed" or n == 1:
        return list(range(n)), None
    if cfg.block_order == "randomized":
        return [int(i) for i in np.random.default_rng(mix_seed(root, _ORDER)).permutation(n)], None
    square = balanced_latin_square(n)
    row = (int(number) - 1) % len(square)
    return list(square[row]), row


def _entry_trials(cfg: ExperimentConfig, entry: BlockConfig, conds: list[dict[str, Any]] | None) -> int:
    """Trials of one block of ``entry``: its (or its task's) ``trials`` if given, else one pass through its list."""
    explicit = entry.trials is not None or "trials" in cfg.tasks[entry.task].model_fields_set
    return cfg.task_trials(entry) if (explicit or not conds) else len(conds)


def planned_trials(cfg: ExperimentConfig) -> int:
    """Trials of the whole run (every block entry times its repeat, plus each task's practice once).

    The block order does not change it, so it is known before any task is built.
    """
    total = 0
    practised: set[str] = set()
    for entry in cfg.blocks:
        tcfg = cfg.tasks[entry.task]
        if entry.task not in practised:
            practised.add(entry.task)
            total += tcfg.practice.trials
        total += entry.repeat * _entry_trials(cfg, entry, _trial_list(entry, tcfg)[0])
    return total


def make_plan(cfg: ExperimentConfig, root: int, order: Sequence[int]) -> list[BlockPlan]:
    plan: list[BlockPlan] = []
    seen: set[str] = set()
    number = exp = 0
    for unit in order:
        entry = cfg.blocks[unit]
        tcfg = cfg.tasks[entry.task]
        for r in range(entry.repeat):
            if entry.task not in seen:
                seen.add(entry.task)
                if tcfg.practice.trials:
                    conds, order_name, _ = _trial_list(tcfg.practice, tcfg)
                    b = BlockPlan(len(plan), 0, entry.task, f"{entry.task} practice", True, tcfg.practice.trials, conds,
                                  order_name or tcfg.order or "shuffle", tcfg.practice.feedback, exp, -1)
                    plan.append(b)
                    exp += b.n_trials
            number += 1
            conds, order_name, _ = _trial_list(entry, tcfg)
            n_trials = _entry_trials(cfg, entry, conds)
            feedback = tcfg.feedback if entry.feedback is None else entry.feedback
            name = entry.name or entry.task
            if entry.repeat > 1:
                name = f"{name} {r + 1}/{entry.repeat}"
            b = BlockPlan(len(plan), number, entry.task, name, False, n_trials, conds,
                          order_name or tcfg.order or "shuffle", feedback, exp, unit)
            plan.append(b)
            exp += n_trials
    for b in plan:
        if b.conditions:
            b.sequence = _sequence(len(b.conditions), b.n_trials, b.order, mix_seed(root, _CONDITIONS, b.position))
    return plan


def build_design(
    cfg: ExperimentConfig,
    participant: ParticipantInfo,
    *,
    source: str = "experiment",
    base_seed: int | None = None,
) -> Design:
    """Build every task (errors: one-line ConfigError naming the file and field) and the run's plan."""
    total = planned_trials(cfg)
    if total > MAX_TRIALS:  # each field is within bounds, but repeats and blocks add up
        where = "blocks" if "blocks" in cfg.model_fields_set else "tasks"
        raise _err(
            source,
            where,
            f"the run plans {total} trials in all (blocks x repeat, plus practice), too many: "
            f"use 1 to {MAX_TRIALS} (split long runs into sessions)",
        )
    base = int(base_seed if base_seed is not None else cfg.seed if cfg.seed is not None else _key(cfg.name))
    root = root_seed(base, participant.id, participant.session)
    tasks = {}
    for i, (key, tcfg) in enumerate(cfg.tasks.items()):
        tasks[key] = _build_task(key, tcfg, source, mix_seed(root, _RESET, 1000 + i))
    order, row = block_order(cfg, root, participant.number)
    plan = make_plan(cfg, root, order)
    return Design(cfg, source, participant, base, root, order, row, tasks, plan)


# --------------------------------------------------------------------------- resume
@dataclass
class ResumeState:
    """What an interrupted run (and the runs it resumed) committed."""

    folder: Path
    manifest: dict[str, Any]
    done: dict[int, int]  # block position -> trials committed (contiguous from 0)
    rows: list[dict[str, Any]]  # every committed row, in exp_trial order
    sessions: dict[str, str]  # task key -> sub-session folder of the latest run that recorded it
    trials_per_task: dict[str, int] = field(default_factory=dict)  # task key -> trials committed (numbering goes on)
    clock_s: float = 0.0  # the end of the last committed trial: the resumed run's clock goes on from here

    def next_position(self, plan: Sequence[BlockPlan]) -> int:
        for b in plan:
            if self.done.get(b.position, 0) < b.n_trials:
                return b.position
        return len(plan)


def _trial_parameters(setup: TaskSetup) -> list[str]:
    """The task attributes the experiment changes between trials (a staircase on a parameter)."""
    adaptive = setup.cfg.adaptive
    if adaptive is None or adaptive.variable is not None or adaptive.parameter is None:
        return []
    return [str(adaptive.parameter)]


class ResumeError(UserError):
    """A session folder that cannot be resumed."""


def read_experiment_manifest(folder: Path) -> dict[str, Any]:
    from neurogym_app.record.reader import SessionFormatError
    from neurogym_app.record.reader import read_experiment_manifest as read

    try:
        return read(folder)
    except SessionFormatError as exc:
        raise ResumeError(str(exc)) from None


def load_resume(folder: str | os.PathLike[str]) -> ResumeState:
    """Every committed trial of ``folder`` and of the runs it resumed (``resumed_from`` chain)."""
    from neurogym_app.record.reader import SessionFormatError, open_session

    start = Path(folder)
    manifest = read_experiment_manifest(start)
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: set[Path] = set()
    current: Path | None = start
    data = manifest
    while current is not None:
        key = current.resolve()
        if key in seen:
            raise ResumeError(f"{current}: resumed_from loops back to itself")
        seen.add(key)
        chain.append((current, data))
        prev = data.get("resumed_from")
        if not prev:
            break
        prev_path = Path(prev)
        if not prev_path.is_absolute():
            prev_path = (current / prev_path).resolve()
        current = prev_path
        data = read_experiment_manifest(current)
    rows: list[dict[str, Any]] = []
    sessions: dict[str, str] = {}
    per_task: dict[str, int] = {}
    for run_folder, data in reversed(chain):
        for task_key, rel in (data.get("sessions") or {}).items():
            sub = run_folder / rel
            sessions[task_key] = str(sub)
            if not sub.exists():
                continue
            try:
                with open_session(sub) as reader:
                    task_rows = reader.rows()
                    rows.extend(task_rows)
                    per_task[task_key] = per_task.get(task_key, 0) + len(task_rows)
            except SessionFormatError as exc:
                if "no tables" in str(exc) or "no steps.sqlite" in str(exc) or "has no" in str(exc):
                    continue  # killed while creating: nothing committed there
                raise ResumeError(str(exc)) from None
    seen_trials: dict[int, dict[str, Any]] = {}
    for row in rows:
        exp_trial = row.get("exp_trial")
        if exp_trial is None:
            continue
        if int(exp_trial) in seen_trials:
            raise ResumeError(f"{start}: trial {exp_trial} of the experiment was recorded twice")
        seen_trials[int(exp_trial)] = row
    ordered = [seen_trials[k] for k in sorted(seen_trials)]
    done: dict[int, int] = {}
    by_block: dict[int, list[int]] = {}
    for row in ordered:
        pos = int(row["exp_block_position"]) if row.get("exp_block_position") is not None else -1
        by_block.setdefault(pos, []).append(int(row["exp_trial_in_block"]))
    for pos, js in by_block.items():
        if sorted(js) != list(range(len(js))):
            raise ResumeError(f"{start}: block {pos} has trials {sorted(js)}: a gap, so it cannot be continued")
        done[pos] = len(js)
    ends = [float(r["trial_end_s"]) for r in ordered if isinstance(r.get("trial_end_s"), (int, float))]
    return ResumeState(start, manifest, done, ordered, sessions, per_task, max(ends) if ends else 0.0)


# --------------------------------------------------------------------------- recording
class ExperimentFolder:
    """The experiment's run folder: experiment.json, the combined trials.csv, a copy of the file."""

    def __init__(self, path: Path, manifest: dict[str, Any], columns: list[str]) -> None:
        self.path = path
        self.manifest = manifest
        self.columns = columns

    @classmethod
    def create(cls, root: Path, design: Design, manifest: dict[str, Any], columns: list[str]) -> ExperimentFolder:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        base = Path(root) / safe_component(design.cfg.name)
        stem = f"{design.participant.id}_{design.participant.session}_{stamp}"
        try:
            base.mkdir(parents=True, exist_ok=True)
            for n in range(10_000):
                path = base / (stem if n == 0 else f"{stem}-{n}")
                try:
                    path.mkdir()
                    break
                except FileExistsError:
                    continue
            else:  # pragma: no cover
                raise RecordingError(f"cannot create a run folder in {base}")
            write_json_atomic(path / EXPERIMENT_MANIFEST, manifest)
            source = Path(design.source)
            if source.is_file():
                shutil.copyfile(source, path / EXPERIMENT_COPY)
            with open(path / schema.CSV_NAME, "w", encoding="utf-8", newline="") as f:
                f.write(csv_line(columns))
                f.flush()
                os.fsync(f.fileno())
            fsync_dir(path)
        except OSError as exc:
            raise RecordingError(f"cannot create the experiment folder under {base}: {exc.strerror or exc}") from exc
        return cls(path, manifest, columns)

    def append(self, row: Mapping[str, Any]) -> None:
        line = csv_line(format_row(row, self.columns))
        try:
            with open(self.path / schema.CSV_NAME, "a", encoding="utf-8", newline="") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise RecordingError(f"cannot append to {self.path / schema.CSV_NAME}: {exc.strerror or exc}") from exc

    def update(self, **fields: Any) -> None:
        from neurogym_app.record.jsonutil import plain

        self.manifest.update(plain(fields))
        try:
            write_json_atomic(self.path / EXPERIMENT_MANIFEST, self.manifest)
        except OSError as exc:
            raise RecordingError(f"cannot update {self.path / EXPERIMENT_MANIFEST}: {exc.strerror or exc}") from exc


class _TaskRecorder:
    """A task's session recorder seen by the runners: numbers trials, adds the experiment columns."""

    def __init__(self, run: ExperimentRun, setup: TaskSetup, inner: SessionRecorder, first_trial: int = 0) -> None:
        self.run = run
        self.setup = setup
        self.inner = inner
        self.first_trial = first_trial  # a resumed run numbers on from the run it resumes
        self.frames = 0
        self.dropped = 0

    @property
    def path(self) -> Path:
        return self.inner.path

    def write_trial(self, record: schema.TrialRecord) -> dict[str, Any]:
        run = self.run
        block = run.current_block
        assert block is not None
        j = run.block_trial_index
        extra = dict(run.pending_extra)
        correct = bool(record.summary.get("correct"))
        proc = run.procedures.get(block.task)
        if proc is not None and not block.practice:
            proc.update(extra.get("adaptive_intensity"), correct)
            extra.update(proc.state())
        record.index = self.first_trial + self.inner.n_trials
        record.summary.update(
            {
                "experiment": run.design.cfg.name,
                "exp_block_name": block.name,
                "exp_trial_in_block": j,
                "exp_trial": block.exp_start + j,
                "exp_block_position": block.position,
                **extra,
            }
        )
        row = self.inner.write_trial(record)
        run.folder.append(row)
        run.note_trial(row)
        return row


# --------------------------------------------------------------------------- stages
class _Gate:
    """The display a block's runner sees: frames go through the experiment, input comes from it."""

    def __init__(self, run: ExperimentRun) -> None:
        self.run = run
        self.refresh_hz = run.refresh_hz
        self.backend = getattr(run.display, "backend", "?")
        self.queue: list[Any] = []

    def present(self, scene: Any) -> float:
        return self.run.present(scene)

    def poll(self) -> list[Any]:
        out, self.queue = self.queue, []
        return out

    def close(self) -> None:
        pass


class _ScreenStage:
    def __init__(self, run: ExperimentRun, screen: Screen) -> None:
        self.run = run
        self.screen = screen
        self.onset: float | None = None
        self.result: str | None = None
        self.events: list[Any] = []

    def feed(self, events: list[Any]) -> None:
        self.events.extend(events)

    def pause(self, now: float) -> None:
        self.onset = None
        self.events = []

    def tick(self, now: float) -> bool:
        if self.onset is not None:
            for ev in self.events:
                if isinstance(ev, KeyEvent) and ev.kind == "press" and ev.key in self.screen.keys:
                    if ev.t >= self.onset + self.screen.min_s - 1e-9:
                        self.result = self.screen.keys[ev.key]
                        return False
            self.events = []
            auto = self.run.auto_screen_s
            if auto is not None and self.screen.auto and now - self.onset >= max(auto, self.screen.min_s):
                self.result = next(iter(self.screen.keys.values()))
                return False
        onset = self.run.present(self.screen.scene)
        if self.onset is None:
            self.onset = onset
            self.run.mark("onset", onset, {"what": f"screen:{self.screen.name}"})
        return True


class _BlockStage:
    """Runs one block as runner segments (a new segment after a paused one: same planned trials)."""

    def __init__(self, run: ExperimentRun, block: BlockPlan, start_j: int) -> None:
        self.run = run
        self.block = block
        self.next_j = start_j  # trial_in_block of the next trial to play
        self.runner: Runner | None = None
        self.base = start_j
        self.result: str | None = None
        self.gate = _Gate(run)
        self.ready_until: float | None = None

    def feed(self, events: list[Any]) -> None:
        self.gate.queue.extend(events)

    def pause(self, now: float) -> None:
        if self.runner is not None and not self.runner.done:
            self.runner.stop("aborted")
            self.runner.tick(now)  # ends at once: the unfinished trial is dropped
            self._account(self.runner)
        self.runner = None
        self.gate.queue = []
        self.ready_until = None

    def _account(self, runner: Runner) -> None:
        rec = self.run.recorders.get(self.block.task)
        if rec is not None:
            rec.frames += runner.stats.frames
            rec.dropped += runner.stats.dropped

    def tick(self, now: float) -> bool:
        run = self.run
        if self.runner is None:
            if self.next_j >= self.block.n_trials:
                self.result = "done"
                return False
            if self.ready_until is None:
                self.ready_until = now + run.design.cfg.flow.ready_ms / 1000.0
            if now < self.ready_until - 1e-9:
                run.present(run.screens.blank())
                return True
            self.runner = run.make_runner(self, self.block, self.next_j)
            self.base = self.next_j
        alive = self.runner.tick(now)
        if alive:
            return True
        runner = self.runner
        self.runner = None
        self._account(runner)
        if runner.status == "error":  # pragma: no cover - tick raised already
            self.result = "error"
            return False
        if self.next_j >= self.block.n_trials:
            self.result = "done"
            return False
        return self.tick(now)


# --------------------------------------------------------------------------- the run
class _TrialSeededParticipant:
    """A simulated participant reseeded at each trial from (seed, exp_trial): resumable, reproducible."""

    def __init__(self, inner: SimulatedParticipant, seed: int, run: ExperimentRun) -> None:
        self.inner = inner
        self.seed = seed
        self.run = run
        self._trial: tuple[int, int] | None = None

    def poll(self, now: float) -> list[Any]:
        return self.inner.poll(now)

    def on_frame(self, runner: Any, frame: Any) -> None:
        if frame.phase == "trial" and frame.trial is not None:
            key = (id(runner), frame.trial)
            if key != self._trial:
                self._trial = key
                self.inner.reseed(np.random.default_rng([self.seed, self.run.current_exp_trial]))
        self.inner.on_frame(runner, frame)


@dataclass
class ExperimentResult:
    path: Path
    status: str
    rows: list[dict[str, Any]]
    design: Design
    sessions: dict[str, Path]
    measured_refresh_hz: float | None
    frames: int
    dropped_frames: int


class ExperimentRun:
    """The whole experiment as one ``tick(now)`` object (drive it with ``run_frames``)."""

    def __init__(
        self,
        design: Design,
        display: Any,
        *,
        out: str | os.PathLike[str] = "sessions",
        auto: str | None = None,
        resume: ResumeState | None = None,
        markers: Any = None,
        geometry: Any = None,
        background: Any = None,
        display_info: Mapping[str, Any] | None = None,
        realtime: bool = True,
        on_message: Callable[[str], None] | None = None,
        draw: bool = True,
        opponents: Callable[[list[str], Path, int], Any] | None = None,
    ) -> None:
        self.design = design
        self.cfg = design.cfg
        self.display = display
        self.refresh_hz = float(getattr(display, "refresh_hz", 0) or 60.0)
        self.blocks_on_flip = bool(getattr(display, "blocks_on_flip", False))
        self.auto = auto
        self.auto_screen_s = self.cfg.simulated.screen_s if auto else None
        self.resume = resume
        self.markers = markers
        self.on_message = on_message or (lambda text: None)
        self.draw = draw
        flow = self.cfg.flow
        self.screens = ScreenScenes(background if background is not None else (128, 128, 128),
                                    continue_key=normalise_key(flow.continue_key))
        self.geometry = geometry
        self.background = background
        self.status = "running"
        self.phase = "idle"
        self.stage: Any = None
        self.confirm: _ScreenStage | None = None
        self.current_block: BlockPlan | None = None
        self.block_trial_index = 0
        self.pending_extra: dict[str, Any] = {}
        self.rows: list[dict[str, Any]] = []
        self.block_rows: dict[int, list[dict[str, Any]]] = {}
        self.recorders: dict[str, _TaskRecorder] = {}
        self.procedures = {key: make_procedure(t.procedure_cfg) for key, t in design.tasks.items() if t.procedure_cfg is not None}
        self.scenes: dict[tuple[str, bool], Any] = {}  # (task key, practice) -> scene source
        self.frames = 0
        self.dropped = 0
        self.intervals: list[float] = []
        self._last_onset: float | None = None
        self._script = self._flow()
        self._aborting = False
        self.participant_seed = mix_seed(design.root, _PARTICIPANT)
        self.participant: _TrialSeededParticipant | None = None
        self.end_info = ""
        self.exp_trial_done: set[int] = set()
        self.clock_offset = resume.clock_s if resume is not None else 0.0
        self.origin: float | None = None  # the run's clock origin, shared by every block's runner
        if resume is not None:
            self._replay(resume)
        self.against: dict[str, Any] = {}  # task key -> runtime.against.AgainstRun, once its session exists
        self._opponents = self._check_opponents(opponents, Path(out))  # before anything is recorded
        columns = self._combined_columns()
        manifest = self._manifest(display_info, realtime)
        self.folder = ExperimentFolder.create(Path(out), design, manifest, columns)

    # ------------------------------------------------------------ set-up
    def _check_opponents(self, factory: Callable[[list[str], Path, int], Any] | None, out: Path) -> dict[str, Any]:
        """The agents named by ``against`` in the tasks, each checked against its task (one-line errors)."""
        found: dict[str, Any] = {}
        for key, setup in self.design.tasks.items():
            spec = setup.cfg.against
            if not spec:
                continue
            where = f"tasks.{key}.against"
            if factory is None:
                raise UserError(f"{where}: agents can face the trials only when the experiment is played from the command line or the app")
            items = [spec] if isinstance(spec, str) else list(spec)
            try:
                opponent = factory(items, out, self.design.participant.session)
                if opponent.plan(0) is not None:
                    raise UserError("a recorded session cannot be the plan of an experiment task; name agent folders")
                opponent.check(setup.env, setup.task_id)
            except UserError as exc:
                raise UserError(f"{where}: {exc}") from None
            found[key] = opponent
        return found

    def _combined_columns(self) -> list[str]:
        out: list[str] = []
        for setup in self.design.tasks.values():
            for c in setup.columns:
                if c not in out:
                    out.append(c)
        return out

    def _manifest(self, display_info: Mapping[str, Any] | None, realtime: bool) -> dict[str, Any]:
        from neurogym_app import __version__

        d = self.design
        source = Path(d.source)
        digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else None
        return {
            "format": EXPERIMENT_FORMAT,
            "format_version": EXPERIMENT_FORMAT_VERSION,
            "app": {"name": "neurogym-app", "version": __version__},
            "experiment": {
                "name": d.cfg.name,
                "title": d.cfg.title,
                "version": d.cfg.version,
                "file": str(source.resolve()) if source.is_file() else d.source,
                "sha256": digest,
                "design_hash": design_hash(d.cfg),
                "config": d.cfg.model_dump(mode="json"),
            },
            "participant": d.participant.to_dict(),
            "player": {"kind": "simulated" if self.auto else "human", "id": d.participant.id, "strategy": self.auto},
            "session": d.participant.session,
            "seeds": {"base": d.base_seed, "root": d.root, "participant": mix_seed(d.root, _PARTICIPANT) if self.auto else None},
            "block_order": {
                "mode": d.cfg.block_order,
                "entries": d.order,
                "latin_square_row": d.counterbalance_row,
                "participant_number": d.participant.number,
            },
            "plan": [
                {"position": b.position, "block": b.number, "task": b.task, "task_id": d.tasks[b.task].task_id, "name": b.name,
                 "practice": b.practice, "n_trials": b.n_trials, "exp_start": b.exp_start,
                 "conditions": b.sequence if b.conditions else None}
                for b in d.plan
            ],
            "n_trials_planned": d.n_trials,
            "display": dict(display_info) if display_info is not None else display_facts(self.display),
            "clock": {
                "kind": "monotonic" if realtime else "virtual",
                "note": "times in every task session are seconds since the experiment started on this clock"
                + ("; resumed: the clock goes on from the end of the last trial committed before" if self.resume else ""),
            },
            "markers": describe_sink(self.markers),
            "resumed_from": str(self.resume.folder.resolve()) if self.resume else None,
            "resume_point": None,
            "sessions": {},
            "start_time": now_iso(),
            "end_time": None,
            "status": "running",
            "writer": writer_info(),
            "n_trials": 0,
        }

    def _replay(self, resume: ResumeState) -> None:
        """Restore the adaptive procedures and block accounting from the committed trials."""
        for row in resume.rows:
            self.exp_trial_done.add(int(row["exp_trial"]))
            pos = int(row.get("exp_block_position", -1))
            self.block_rows.setdefault(pos, []).append(row)
            block = self.design.plan[pos] if 0 <= pos < len(self.design.plan) else None
            if block is None or block.practice:
                continue
            proc = self.procedures.get(block.task)
            if proc is not None:
                intensity = row.get("adaptive_intensity")
                proc.update(None if intensity in (None, "") else float(intensity), bool(row.get("correct")))

    def _scenes_for(self, setup: TaskSetup, practice: bool) -> Any:
        if not self.draw:
            return None
        key = (setup.key, practice)
        if key not in self.scenes:
            from neurogym_app.runtime.scenes import StimulusScenes

            inner = StimulusScenes(setup.env, setup.keymap, setup.cfg.view, geometry=self.geometry,
                                   background=self.background, title=setup.title)
            self.scenes[key] = _PracticeScenes(inner, setup.keymap, self) if practice else inner
        return self.scenes[key]

    def _task_options(self, setup: TaskSetup, block: BlockPlan | None = None) -> PlayOptions:
        """The run description of a task's session (flow: the block's, when one is given)."""
        d = self.design
        flow = self.cfg.flow
        practice = block is not None and block.practice
        return PlayOptions(
            setup.task_id,
            participant=d.participant.id,
            session=d.participant.session,
            n_trials=(block.n_trials if block is not None else sum(b.n_trials for b in d.plan if b.task == setup.key)),
            timing=setup.cfg.timing_preset,
            kwargs=dict(setup.cfg.params),
            time_scale=setup.cfg.time_scale,
            view=setup.cfg.view,
            feedback=block.feedback if block is not None else True,
            feedback_ms=flow.practice_feedback_ms if practice else flow.feedback_ms,
            iti_ms=flow.iti_ms,
            out=self.folder.path,
            virtual_clock=self.folder.manifest["clock"]["kind"] == "virtual",
            source=f"neurogym-app experiment {d.cfg.name}",
        )

    def _recorder_for(self, setup: TaskSetup, env_seed: int) -> _TaskRecorder:
        rec = self.recorders.get(setup.key)
        if rec is not None:
            return rec
        d = self.design
        prev = self.resume.sessions.get(setup.key) if self.resume else None
        first_trial = self.resume.trials_per_task.get(setup.key, 0) if self.resume else 0
        options = self._task_options(setup)
        manifest = build_manifest(
            options, setup.env, setup.keymap, self.folder.manifest["display"], env_seed,
            player=self.folder.manifest["player"], participant_seed=self.folder.manifest["seeds"]["participant"],
            # the env seed of the task's first runner; every trial is planned (its trial_seed is recorded)
            seeds={"env": env_seed, "trials": "trial_seed column", "experiment_root": d.root,
                   "participant": self.folder.manifest["seeds"]["participant"]},
            trial_source="plan",
            first_trial=first_trial,
            clock=dict(self.folder.manifest["clock"]),
            experiment={"name": d.cfg.name, "folder": "../..", "task_key": setup.key,
                        "adaptive": self.procedures[setup.key].describe() if setup.key in self.procedures else None},
            participant_info=d.participant.to_dict(),
            resumed_from=prev,
            trial_parameters=_trial_parameters(setup),
        )
        opponent = self._opponents.get(setup.key)
        against = prepare_against(opponent, setup.env, setup.task_id, manifest["n_trials_planned"], manifest) if opponent is not None else None
        extra = [*EXTRA_COLUMNS, *([*STATE_COLUMNS, "adaptive_intensity"] if setup.cfg.adaptive else [])]
        extra += [schema.parameter_column(name) for name in _trial_parameters(setup)]
        inner = create_recorder(options, setup.env, manifest, env_seed, layout=(setup.task_vars, setup.periods), extra_columns=extra)
        if against is not None:
            against.start(inner, manifest)
            self.against[setup.key] = against
        # the tee forwards everything else (path, n_trials, close...) to the session recorder
        writer = cast(SessionRecorder, against.tee(inner)) if against is not None else inner
        rec = _TaskRecorder(self, setup, writer, first_trial)
        self.recorders[setup.key] = rec
        sessions = dict(self.folder.manifest.get("sessions") or {})
        sessions[setup.key] = str(inner.path.relative_to(self.folder.path))
        self.folder.update(sessions=sessions)
        return rec

    def make_runner(self, stage: _BlockStage, block: BlockPlan, start_j: int) -> Runner:
        setup = self.design.tasks[block.task]
        seed = mix_seed(self.design.root, _RESET, block.position, start_j)
        rec = self._recorder_for(setup, seed)
        sources: list[Player] = []
        if self.auto:
            if self.participant is None or self.participant.inner.keymap is not setup.keymap:
                sim = self.cfg.simulated.for_task(setup.cfg.simulated)
                inner = SimulatedParticipant(
                    setup.keymap, self.auto, seed=self.participant_seed,
                    rt=RTDistribution(mean_ms=sim.rt_mean_ms, sd_ms=sim.rt_sd_ms, min_ms=150.0),
                    lapse=sim.lapse, threshold=sim.threshold, width=sim.width, slope=sim.slope, variable=sim.variable,
                    guess=sim.guess, task=setup.env,
                )
                self.participant = _TrialSeededParticipant(inner, self.participant_seed, self)
            sources.append(self.participant)

        def plan(n: int) -> dict[str, Any]:
            j = start_j + n
            stage.next_j = j
            self.block_trial_index = j
            self.current_exp_trial = block.exp_start + j
            vars_, cond = block.trial_vars(self.design.root, j)
            extra: dict[str, Any] = {"exp_condition": cond}
            proc = self.procedures.get(block.task)
            if proc is not None and not block.practice:
                x = proc.next_intensity()
                extra["adaptive_intensity"] = x
                target = setup.cfg.adaptive
                assert target is not None  # a procedure exists only for an adaptive task
                if target.variable is not None:
                    vars_[target.variable] = x
                else:
                    setattr(setup.env.unwrapped, str(target.parameter), x)
            for name in _trial_parameters(setup):  # the value this trial is drawn with, whoever set it
                extra[schema.parameter_column(name)] = plain(getattr(setup.env.unwrapped, name))
            self.pending_extra = extra
            return vars_

        def on_trial(row: dict[str, Any]) -> None:
            stage.next_j = self.block_trial_index + 1

        options = self._task_options(setup, block)
        options.n_trials = block.n_trials - start_j
        run = build_run(
            options, stage.gate, env=setup.env, keymap=setup.keymap, scenes=self._scenes_for(setup, block.practice),
            display_info=self.folder.manifest["display"], seed=seed, recorder=rec, sources=sources,
            on_trial=on_trial, trial_plan=plan, origin=self.origin, block=block.number, practice=block.practice,
            markers=self.markers,
        )
        return run.runner

    # ------------------------------------------------------------ frames
    current_exp_trial = 0

    def present(self, scene: Any) -> float:
        if not self.draw and not isinstance(scene, dict):
            scene = {"kind": "screen"}
        onset = float(self.display.present(scene))
        if self._last_onset is not None:
            interval = onset - self._last_onset
            self.intervals.append(interval)
            if len(self.intervals) > 20_000:
                del self.intervals[:10_000]
            if interval > DROP_FACTOR / self.refresh_hz:
                self.dropped += 1
        self._last_onset = onset
        self.frames += 1
        return onset

    def measured_refresh_hz(self) -> float | None:
        if not self.intervals:
            return None
        med = float(np.median(self.intervals))
        return 1.0 / med if med > 0 else None

    def mark(self, kind: str, t: float, data: Mapping[str, Any] | None = None) -> None:
        if self.markers is not None:
            block = self.current_block.number if self.current_block is not None else None
            send_marker(self.markers, Marker(kind, t, block=block, data=dict(data or {})))

    def note_trial(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.exp_trial_done.add(int(row["exp_trial"]))
        block = self.current_block
        if block is not None:
            self.block_rows.setdefault(block.position, []).append(row)
        self.folder.manifest["n_trials"] = len(self.rows)
        rt = row.get("rt_ms")
        rt_text = f", rt {rt:.0f} ms" if isinstance(rt, (int, float)) else ""
        label = "practice" if block is not None and block.practice else f"block {block.number if block else '?'}"
        total = block.n_trials if block else "?"
        self.on_message(f"{label} trial {int(row['exp_trial_in_block']) + 1}/{total}: {row.get('outcome')}{rt_text}")

    # ------------------------------------------------------------ the flow
    def _flow(self) -> Any:
        d = self.design
        cfg = self.cfg
        s = self.screens
        start = self.resume.next_position(d.plan) if self.resume else 0
        if self.resume is not None:
            if start >= len(d.plan):
                self.end_info = "nothing left to run"
            else:
                b = d.plan[start]
                main_index = sum(1 for x in d.plan[: start + 1] if not x.practice)
                yield _ScreenStage(self, s.resume(max(main_index, 1), d.n_main_blocks, self.resume.done.get(b.position, 0), b.n_trials))
        else:
            yield _ScreenStage(self, s.welcome(cfg.title or cfg.name, cfg.welcome))
        introduced: set[str] = set()
        task_order = list(dict.fromkeys(b.task for b in d.plan))
        for b in d.plan[start:]:
            setup = d.tasks[b.task]
            done_j = self.resume.done.get(b.position, 0) if self.resume else 0
            if b.practice and self.resume is not None:
                started_main = any(self.resume.done.get(x.position, 0) for x in d.plan if x.task == b.task and not x.practice)
                if started_main or done_j >= b.n_trials:
                    continue
            if b.task not in introduced:
                introduced.add(b.task)
                practice_n = b.n_trials if b.practice else 0
                yield _ScreenStage(self, s.instructions(setup.title, setup.cfg.instructions, setup.keymap.describe(),
                                                        index=task_order.index(b.task) + 1, total=len(task_order), practice=practice_n))
                example = self._example(setup)
                if example is not None:
                    yield _ScreenStage(self, example)
            self.current_block = b
            self.mark("block_start", self._last_onset or 0.0, {"name": b.name, "task": b.task, "practice": b.practice})
            self.on_message(f"{'practice' if b.practice else f'block {b.number}/{d.n_main_blocks}'}: {setup.task_id} ({b.n_trials - done_j} trials)")
            yield _BlockStage(self, b, done_j)
            self.mark("block_end", self._last_onset or 0.0, {"name": b.name})
            summary = self._summary(b.name, self.block_rows.get(b.position, []))
            if b.practice:
                outcomes = [r.get("outcome") or "" for r in self.block_rows.get(b.position, [])]
                nxt = next((x for x in d.plan[b.position + 1 :] if x.task == b.task), None)
                yield _ScreenStage(self, s.practice_done(summary, outcomes, bool(nxt and nxt.feedback)))
            elif b.number < d.n_main_blocks:
                done_trials = sum(len(v) for k, v in self.block_rows.items() if k >= 0 and not d.plan[k].practice)
                yield _ScreenStage(self, s.break_screen(b.number, d.n_main_blocks, done_trials, d.n_main_trials, summary,
                                                        cfg.flow.break_text, cfg.flow.show_accuracy, cfg.flow.break_min_s))
            self.current_block = None
        self.status = "completed"

    def _example(self, setup: TaskSetup) -> Screen | None:
        if not self.draw or not callable(getattr(setup.env.unwrapped, "new_trial", None)):
            return None
        from neurogym_app.stimuli.views import representative_step

        task = setup.env.unwrapped
        km = setup.keymap
        env = setup.env
        chosen = None
        for seed in range(12):
            env.reset(seed=seed)
            if not getattr(task, "n_steps", 0):
                return None
            rt_from = (task.metadata or {}).get("rt_from")
            start = int(task.start_ind[rt_from]) if rt_from in getattr(task, "start_ind", {}) else 0
            target = first_response_target(np.asarray(task.gt), km.fixate, start)
            chosen = target
            if target is not None:
                break
        step = representative_step(task)
        scenes = self._scenes_for(setup, False)
        stim = scenes.step(ob=np.asarray(task.ob[step]), trial=dict(task.trial or {}), period=task.period_at(step),
                           t_ms=step * float(task.dt), frame_s=0.0)
        answer = keys = None
        if chosen is not None:
            answer = km.label(chosen[0])
            keys = " or ".join(display_name(k) for k in km.keys_for(int(chosen[0]))) if not km.is_box else None
        return self.screens.example(stim, answer, keys)

    def _summary(self, label: str, rows: Sequence[Mapping[str, Any]]) -> BlockSummary:
        n = len(rows)
        correct = sum(int(r.get("correct") or 0) for r in rows)
        rts = [float(r["rt_ms"]) for r in rows if isinstance(r.get("rt_ms"), (int, float)) and math.isfinite(float(r["rt_ms"]))]
        return BlockSummary(label, n, correct, float(np.median(rts)) if rts else None)

    def task_summaries(self) -> list[BlockSummary]:
        out = []
        for key, setup in self.design.tasks.items():
            rows = [r for pos, rs in self.block_rows.items() if 0 <= pos < len(self.design.plan)
                    and self.design.plan[pos].task == key and not self.design.plan[pos].practice for r in rs]
            s = self._summary(setup.title, rows)
            proc = self.procedures.get(key)
            if proc is not None:
                est = proc.state().get("adaptive_estimate")
                if est is not None:
                    s = BlockSummary(s.label, s.n_trials, s.n_correct, s.rt_median_ms, f"{proc.cfg.target} threshold ~ {est:.3g}")
            out.append(s)
        return out

    def experimenter_line(self) -> str:
        hz = self.measured_refresh_hz()
        hz_text = f"{hz:.1f} Hz measured" if hz else "refresh not measured"
        return (f"For the experimenter - display: {hz_text} (nominal {self.refresh_hz:.0f} Hz), "
                f"{self.dropped} dropped frame(s) of {self.frames}\nsaved in {self.folder.path}")

    # ------------------------------------------------------------ ticking
    @property
    def done(self) -> bool:
        return self.phase == "done"

    def _next_stage(self) -> None:
        if self._aborting:
            self.stage = None
        else:
            try:
                self.stage = next(self._script)
            except StopIteration:
                self.stage = None
        if self.stage is None and self.phase != "end":
            self.phase = "end"
            self.mark("experiment_end", self._last_onset or 0.0, {"status": self.status})
            if self.status == "running":
                self.status = "completed"
            self.stage = _ScreenStage(self, self.screens.end(self.cfg.flow.end_text, self.task_summaries(),
                                                              self.experimenter_line(), aborted=self.status == "aborted"))
        elif self.stage is None:
            self.phase = "done"

    def tick(self, now: float) -> bool:
        if self.phase == "done":
            return False
        for against in self.against.values():
            against.poll()  # never blocks; the participant's screen shows nothing of it
        if self.phase == "idle":
            self.phase = "running"
            self.origin = now - self.clock_offset
            self.mark("experiment_start", now, {"name": self.cfg.name})
            self._next_stage()
        events = list(self.display.poll() or [])
        escape = any(isinstance(e, KeyEvent) and e.key == "escape" and e.kind == "press" for e in events)
        events = [e for e in events if not (isinstance(e, KeyEvent) and e.key == "escape")]
        if escape and self.confirm is None and self.phase == "running":
            self.stage.pause(now)
            self.confirm = _ScreenStage(self, self.screens.confirm_abort())
            self.mark("onset", now, {"what": "confirm_abort"})
            events = []
        target = self.confirm or self.stage
        target.feed(events)
        for _ in range(1000):
            if self.confirm is not None:
                if self.confirm.tick(now):
                    return True
                result, self.confirm = self.confirm.result, None
                if result == "quit":
                    self.mark("abort", now, {})
                    self.status = "aborted"
                    self._aborting = True
                    self.stage = None
                    self._next_stage()
                continue
            if self.stage is None:
                self._next_stage()
                if self.stage is None:
                    return False
            if self.stage.tick(now):
                return True
            if self.phase == "end" and self.stage.result is not None:
                self.phase = "done"
                return False
            self._next_stage()
            if self.phase == "done":
                return False
        raise RuntimeError("experiment flow made no frame in 1000 steps")  # pragma: no cover

    # ------------------------------------------------------------ closing
    def close(self, status: str | None = None) -> None:
        status = status or (self.status if self.status != "running" else "interrupted")
        display = dict(self.folder.manifest.get("display") or {})
        display = closing_display_facts(display, self.measured_refresh_hz(), self.frames, self.dropped)
        errors = []
        for against in self.against.values():  # the agents finish the trials sent; both manifests linked
            against.close(status)
        for opponent in self._opponents.values():  # agents of tasks never reached: end their workers
            opponent.close(status)
        for rec in self.recorders.values():
            try:
                d = closing_display_facts(display, self.measured_refresh_hz(), rec.frames, rec.dropped)
                rec.inner.close(status, display=d)
            except RecordingError as exc:
                errors.append(str(exc))
        self.folder.update(end_time=now_iso(), status=status, n_trials=len(self.rows), display=display,
                           markers=describe_sink(self.markers), **({"errors": errors} if errors else {}))
        close = getattr(self.markers, "close", None)
        if callable(close):
            close()

    def result(self) -> ExperimentResult:
        return ExperimentResult(self.folder.path, self.folder.manifest.get("status", self.status), list(self.rows), self.design,
                                {k: r.path for k, r in self.recorders.items()}, self.measured_refresh_hz(), self.frames, self.dropped)


class _PracticeScenes:
    """Practice feedback: the outcome and, after a mistake, what the answer was."""

    def __init__(self, inner: Any, keymap: KeyMap, run: ExperimentRun) -> None:
        self.inner = inner
        self.keymap = keymap
        self.run = run
        self.background = inner.background

    def step(self, **state: Any) -> Any:
        return self.inner.step(**state)

    def feedback(self, outcome: str, reward: float | None = None) -> Any:
        from neurogym_app.stimuli.scene import Text

        scene = self.inner.feedback(outcome, reward)
        row = self.run.rows[-1] if self.run.rows else {}
        if outcome != "correct" and row:
            gt = row.get("gt")
            if gt is None or gt == self.keymap.fixate:
                hint = "The right answer was: no key"
            else:
                keys = " or ".join(display_name(k) for k in self.keymap.keys_for(int(gt))) if not self.keymap.is_box else ""
                hint = f"The right answer was: {row.get('gt_label')}" + (f" ({keys})" if keys else "")
            k = 1.0 if scene.units == "deg" else 36.0
            scene = scene.with_items(Text(hint, 0.0, -2.2 * k, size=0.55 * k, color=(235, 235, 235)))
        return scene

    def blank(self) -> Any:
        return self.inner.blank()

    def message(self, text: str) -> Any:
        return self.inner.message(text)


# --------------------------------------------------------------------------- entry points
def run_experiment(
    experiment: str | os.PathLike[str] | ExperimentConfig | LoadedExperiment,
    display: Any,
    clock: Any,
    *,
    participant: ParticipantInfo | None = None,
    out: str | os.PathLike[str] = "sessions",
    auto: str | None = None,
    resume: str | os.PathLike[str] | None = None,
    markers: Any = None,
    base_seed: int | None = None,
    geometry: Any = None,
    background: Any = None,
    display_info: Mapping[str, Any] | None = None,
    realtime: bool | None = None,
    pump: Callable[[], Any] | None = None,
    max_frames: int | None = None,
    on_message: Callable[[str], None] | None = None,
    on_start: Callable[[ExperimentRun], None] | None = None,
    draw: bool | None = None,
    opponents: Callable[[list[str], Path, int], Any] | None = None,
) -> ExperimentResult:
    """Run an experiment file on ``display`` (see the module doc); returns where it was saved."""
    from neurogym_app.runtime.loop import run_frames

    cfg, source = _load(experiment)
    state = None
    if resume is not None:
        state = load_resume(resume)
        m = state.manifest
        if m.get("experiment", {}).get("design_hash") != design_hash(cfg):
            raise ResumeError(
                f"{source} is not the experiment that {resume} ran (its design changed); resume with "
                f"{Path(resume) / EXPERIMENT_COPY}"
            )
        p = m.get("participant") or {}
        participant = ParticipantInfo(str(p.get("id")), int(p.get("session") or 1), int(p.get("number") or 1), dict(p.get("fields") or {}))
        base_seed = int(m.get("seeds", {}).get("base"))
    if participant is None:
        participant = validate_participant("anon", 1)
    design = build_design(cfg, participant, source=source, base_seed=base_seed)
    if state is not None:
        expected = state.manifest.get("block_order", {}).get("entries")
        if expected is not None and list(expected) != design.order:
            raise ResumeError(f"{resume}: block order {expected} differs from the recomputed {design.order}")
    if draw is None:
        draw = getattr(display, "backend", "") != "null"
    run = ExperimentRun(design, display, out=out, auto=auto, resume=state, markers=markers, geometry=geometry,
                        background=background, display_info=display_info,
                        realtime=bool(realtime if realtime is not None else not auto), on_message=on_message, draw=draw,
                        opponents=opponents)
    if state is not None:
        run.folder.update(resume_point={"position": state.next_position(design.plan),
                                        "trials_before": len(state.rows)})
    if on_start is not None:
        on_start(run)
    status = "error"
    try:
        run_frames(run, clock, max_frames=max_frames, pump=pump)
        status = run.status if run.status != "running" else "stopped"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        run.close(status)
    return run.result()


@dataclass
class LoadedExperiment:
    """An experiment file already loaded: its config and the file it came from (messages, the copy)."""

    cfg: ExperimentConfig
    source: str


def _load(experiment: Any) -> tuple[ExperimentConfig, str]:
    if isinstance(experiment, LoadedExperiment):
        return experiment.cfg, experiment.source
    if isinstance(experiment, ExperimentConfig):
        return experiment, experiment.name or "experiment"
    source = os.fspath(experiment)
    return load_experiment(source), source


def _ground_truth_outside_actions(task: Any) -> int | None:
    """An integer ground truth of the current trial that no action can give, else None.

    Tasks whose gt is not an action (a float target, e.g. Reaching1D) are not judged.
    """
    space = getattr(task, "action_space", None)
    gt = np.asarray(task.gt) if getattr(task, "tmax", 0) > 0 else None  # the trial's ground truth (public API)
    if gt is None or not isinstance(space, gym.spaces.Discrete) or not np.issubdtype(gt.dtype, np.integer):
        return None
    low, high = int(space.start), int(space.start + space.n)
    outside = gt[(gt < low) | (gt >= high)]
    return int(outside[0]) if outside.size else None
