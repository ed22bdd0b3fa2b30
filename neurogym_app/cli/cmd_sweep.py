"""`neurogym-app sweep`: train and evaluate agents over tasks x models x hidden sizes x seeds.

Every point of the grid is one agent, trained and evaluated (default and
human timing) exactly as `neurogym-app train` does it, with deterministic
single-thread torch, in DIR/agents/<name>/ (a normal agent folder: give it to
run-agent or play --against). Each agent then records --record-trials trials
(human timing where the task has it) in DIR/sessions/, so the Sessions and
Compare views list it next to people's sessions; its psychometric threshold
and slope are fitted from that run where the task has a strength variable.

Beside them: results.csv and results.json (one row per point: task, model,
hidden, seed, steps, accuracy per timing, psychometric fit, training seconds,
status, error, agent and session paths), summary.png (accuracy by task and
model, seeds as points) and sweep.json (the grid, seeds, settings, versions).

Executors: --executor local (default) runs the points on a process pool of
--workers processes (default: one per CPU); --executor ray runs them as Ray
tasks (the `cluster` extra), on the cluster at --address HOST:PORT, or on a
local Ray started for the sweep (--workers CPUs). The same seeds give the
same table on either.

Rerunning the same command resumes: finished points are skipped, failed and
unfinished ones run again. A failing point is recorded with its one-line
error and the others go on. Ctrl-C stops; finished points stay.

Settings come from the command line, else the [sweep] section of --config,
else the defaults of `train`. Example:

  neurogym-app sweep --tasks PerceptualDecisionMaking-v0 GoNogo-v0 --seeds 0 1 2 \\
      --models gru lstm --hidden 32 --steps 500 --timing mixed --out sessions/sweeps/pdm_gonogo
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from neurogym_app.config.limits import check_trial_count
from neurogym_app.errors import UserError

DEFAULT_RECORD_TRIALS = 200


class SweepArgumentError(UserError):
    """A bad combination of sweep options."""


def add_parser(sub) -> argparse.ArgumentParser:
    from neurogym_app.cli.cmd_train import add_evaluation_options

    p = sub.add_parser(
        "sweep",
        help="train agents over tasks x models x sizes x seeds (local process pool or Ray cluster)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--tasks", nargs="+", metavar="TASK", help="task ids")
    p.add_argument("--seeds", nargs="+", type=int, metavar="S", help="seeds, e.g. 0 1 2")
    p.add_argument("--models", nargs="+", choices=("rnn", "gru", "lstm"), help="recurrent cells (default lstm)")
    p.add_argument("--hidden", nargs="+", type=int, metavar="N", help="hidden sizes (default 64)")
    p.add_argument("--steps", type=int, metavar="N", help="optimiser steps per agent (default 2000)")
    p.add_argument("--timing", choices=("default", "human", "mixed"), help="timing the agents train on (default: default)")
    p.add_argument("--lr", type=float, help="learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, metavar="N", help="sequences per batch (default 16)")
    p.add_argument("--seq-len", type=int, metavar="N", help="steps per sequence (default 100)")
    add_evaluation_options(p)
    p.add_argument("--record-trials", type=int, metavar="N", help=f"trials each agent records for the psychometric fit and Compare (default {DEFAULT_RECORD_TRIALS})")
    p.add_argument("--executor", choices=("local", "ray"), help="where points run (default local)")
    p.add_argument("--address", metavar="HOST:PORT", help="Ray cluster to join (with --executor ray; default: start a local one)")
    p.add_argument("--workers", type=int, metavar="N", help="points at once: local processes, or a started Ray's CPUs (default: CPUs)")
    p.add_argument("--ray-temp-dir", metavar="DIR", help="temp folder of a Ray started here (short: socket paths <= 107 bytes)")
    p.add_argument("--out", metavar="DIR", help="the sweep folder (rerun with the same DIR to resume)")
    p.add_argument("--config", metavar="FILE", help="TOML config with a [sweep] section")
    p.add_argument("--no-figure", action="store_true", help="do not draw summary.png")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the results table as JSON")
    p.set_defaults(func=run)
    return p


def _section(path: str | None) -> Any:
    from neurogym_app.config import Config
    from neurogym_app.config.errors import ConfigError

    try:
        return (Config(path) if path else Config()).sweep
    except ConfigError as exc:
        raise SweepArgumentError(str(exc)) from None


def _pick(cli: Any, conf: Any, default: Any) -> Any:
    if cli is not None and cli != []:
        return cli
    if conf is not None and conf != []:
        return conf
    return default


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise SweepArgumentError(f"--{name} must be at least 1, got {value}")


def settings_from_args(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The :class:`SweepSettings` and the run options (executor, address, workers, out)."""
    from neurogym_app.agents.sweep import SweepSettings
    from neurogym_app.agents.sweep_folder import SweepError
    from neurogym_app.core import registry

    conf = _section(args.config)
    tasks = _pick(args.tasks, conf.tasks, None)
    seeds = _pick(args.seeds, conf.seeds, None)
    out = _pick(args.out, conf.out, None)
    if not tasks:
        raise SweepArgumentError("give the tasks: --tasks TASK... (or tasks = [...] in the [sweep] section of --config)")
    if not seeds:
        raise SweepArgumentError("give the seeds: --seeds S... (or seeds = [...] in the [sweep] section of --config)")
    if out is None:
        raise SweepArgumentError("give the sweep folder: --out DIR (or out = \"DIR\" in the [sweep] section of --config)")
    for task in tasks:
        registry.spec(task)  # an unknown id fails before any work, naming close matches
    for name in ("steps", "batch_size", "seq_len", "record_trials", "workers"):
        _positive(name.replace("_", "-"), getattr(args, name))
    for name in ("hidden", "seeds"):
        for v in getattr(args, name) or []:
            if v < (1 if name == "hidden" else 0):
                raise SweepArgumentError(f"--{name} values must be at least {1 if name == 'hidden' else 0}, got {v}")
    for name in ("eval_trials", "final_trials"):
        problem = check_trial_count(getattr(args, name), "--" + name.replace("_", "-"))
        if problem:
            raise SweepArgumentError(problem)
    executor = _pick(args.executor, conf.executor, "local")
    address = _pick(args.address, conf.address, None)
    if address and executor != "ray":
        raise SweepArgumentError("--address joins a Ray cluster: add --executor ray")
    settings = SweepSettings(
        tasks=list(tasks),
        seeds=list(seeds),
        models=list(_pick(args.models, conf.models, ["lstm"])),
        hidden=list(_pick(args.hidden, conf.hidden, [64])),
        steps=_pick(args.steps, conf.steps, 2000),
        timing=_pick(args.timing, conf.timing, "default"),
        lr=_pick(args.lr, conf.lr, 1e-3),
        batch_size=_pick(args.batch_size, conf.batch_size, 16),
        seq_len=_pick(args.seq_len, conf.seq_len, 100),
        eval_every=max(0, args.eval_every),
        eval_trials=args.eval_trials,
        final_eval_trials=args.final_trials,
        checkpoint_every=max(0, args.checkpoint_every),
        record_trials=_pick(args.record_trials, conf.record_trials, DEFAULT_RECORD_TRIALS),
    )
    try:
        settings.check()
    except SweepError as exc:
        raise SweepArgumentError(str(exc)) from None
    options = {
        "executor": executor,
        "address": address,
        "workers": _pick(args.workers, conf.workers, None),
        "out": Path(out),
    }
    return settings, options


def _envs_dir(args: argparse.Namespace) -> str | None:
    from neurogym_app.tasks.discovery import DEFAULT_ENVS_DIR

    folder = args.envs if args.envs is not None else (DEFAULT_ENVS_DIR if os.path.isdir(DEFAULT_ENVS_DIR) else None)
    return None if folder is None else str(Path(folder).resolve())


def run(args: argparse.Namespace) -> int:
    from neurogym_app.agents.sweep import check_sweep_folder, run_sweep
    from neurogym_app.agents.sweep_executors import make_executor

    settings, options = settings_from_args(args)
    check_sweep_folder(options["out"], settings)  # before any output: a refused folder is one line
    executor = make_executor(options["executor"], workers=options["workers"], address=options["address"], temp_dir=args.ray_temp_dir)
    n = len(settings.points())
    where = f"Ray at {options['address']}" if options["address"] else ("a local Ray cluster" if options["executor"] == "ray" else f"{executor.slots} local worker(s)")
    print(f"sweep of {n} point(s) ({len(settings.tasks)} task(s) x {len(settings.models)} model(s) x {len(settings.hidden)} size(s) "
          f"x {len(settings.seeds)} seed(s)), {settings.steps} steps each, on {where}, in {options['out']}", file=sys.stderr)
    figure = None
    if not args.no_figure:
        from neurogym_app.plots.sweep_figure import save_sweep_figure

        figure = save_sweep_figure
    result = run_sweep(
        settings, options["out"], executor, envs_dir=_envs_dir(args), progress=not args.quiet, stream=sys.stderr, figure=figure,
    )
    if args.json:
        from neurogym_app.record.jsonutil import dumps

        print(dumps({"folder": str(result.folder), "status": result.status, "rows": result.rows}, indent=1))
    else:
        _report(result)
    if result.failed:
        print(f"{result.failed} point(s) failed (see the error column of {result.csv}); rerun the same command to retry them", file=sys.stderr)
        return 1
    return 0


def _fmt(value: Any, spec: str = ".1%") -> str:
    return "-" if value is None else format(value, spec)


def _report(result: Any) -> None:
    print(f"sweep {result.status} in {result.folder}" + (f" ({result.skipped} point(s) already done, skipped)" if result.skipped else ""))
    for r in result.rows:
        head = f"  {r['task']:<32} {r['model']}{r['hidden']:<4} seed {r['seed']:<3}"
        if r["status"] != "ok":
            print(f"{head} FAILED: {r['error']}")
            continue
        psy = ""
        if r.get("psychometric_threshold") is not None:
            psy = f", threshold {r['psychometric_threshold']:.3g} ({r['strength_var']}), slope {r['psychometric_slope']:.3g}"
        print(f"{head} accuracy {_fmt(r['accuracy_default'])} default, {_fmt(r['accuracy_human'])} human{psy}")
    print(f"  table: {result.folder / 'results.csv'} (and results.json); manifest: {result.folder / 'sweep.json'}")
    if (result.folder / "summary.png").exists():
        print(f"  figure: {result.folder / 'summary.png'}")
