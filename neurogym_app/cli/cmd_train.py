"""`neurogym-app train TASK`: train an agent (supervised RNN, or RL through Stable-Baselines3).

Supervised (default): a recurrent network (``--model rnn|gru|lstm``) fitted to
the task's ground truth on ``ngym.Dataset`` batches. ``--algo ppo|a2c|recurrentppo``
trains with reinforcement learning instead (the ``rl`` extra). The agent is
saved in ``--out`` (default ``sessions/agents/<name>/``) with its learning
curve, checkpoints and a held-out evaluation on the default and human timings.

Settings come from the command line, else the ``[agent]`` (and ``[env]``)
sections of ``--config FILE``, else the defaults of ``AgentConfig``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from neurogym_app.config.limits import check_trial_count
from neurogym_app.errors import UserError

ALGOS = ("supervised", "ppo", "a2c", "recurrentppo")
RL_DEFAULT_STEPS = 20_000


class TrainArgumentError(UserError):
    """A bad combination of train options."""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "train",
        help="train an agent on a task (RNN supervised, or PPO/A2C/RecurrentPPO)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("task", nargs="?", help="task id, e.g. PerceptualDecisionMaking-v0 (default: the config's env.name)")
    p.add_argument("--out", metavar="DIR", help="agent folder (default: sessions/agents/<name>/)")
    p.add_argument("--name", help="agent name (default: <task>_<model><hidden>_s<seed>[_timing])")
    p.add_argument("--algo", choices=ALGOS, default="supervised", help="training method (default supervised)")
    p.add_argument("--model", choices=("rnn", "gru", "lstm"), help="recurrent cell (default from config: lstm)")
    p.add_argument("--hidden", type=int, metavar="N", help="hidden units (default 64)")
    p.add_argument("--steps", type=int, metavar="N", help=f"optimiser steps (default 2000); RL: env steps (default {RL_DEFAULT_STEPS})")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (default 0)")
    p.add_argument("--lr", type=float, help="learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, metavar="N", help="sequences per batch (default 16)")
    p.add_argument("--seq-len", type=int, metavar="N", help="steps per sequence (default 100)")
    p.add_argument("--timing", choices=("default", "human", "mixed"), help="train on the task's default timing, its human preset, or both (mixed)")
    p.add_argument("--config", metavar="FILE", help="TOML config ([agent] and [env] sections)")
    p.add_argument("--eval-every", type=int, metavar="N", default=100, help="held-out evaluation every N steps (default 100; 0: only at the end)")
    p.add_argument("--eval-trials", type=int, metavar="N", default=200, help="trials per evaluation during training (default 200)")
    p.add_argument("--final-trials", type=int, metavar="N", default=1000, help="held-out trials of the final evaluation (default 1000)")
    p.add_argument("--target", type=float, metavar="ACC", help="record when held-out accuracy first reaches ACC (e.g. 0.8)")
    p.add_argument("--stop-at-target", action="store_true", help="stop training once --target is reached")
    p.add_argument("--checkpoint-every", type=int, metavar="N", default=500, help="checkpoint every N steps (default 500; 0: none)")
    p.add_argument("--threads", type=int, metavar="N", default=1, help="torch threads (default 1: fastest for small nets)")
    p.add_argument("--deterministic", action="store_true", help="deterministic torch algorithms on one thread")
    p.add_argument("--force", action="store_true", help="overwrite an agent already in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    p.set_defaults(func=run)
    return p


def _config(path: str | None) -> tuple[Any, dict[str, Any]]:
    from neurogym_app.config import Config
    from neurogym_app.config.config import load_toml
    from neurogym_app.config.errors import ConfigError

    if path is None:
        return Config(), {}
    try:
        raw = load_toml(path)
        return Config(path), raw
    except ConfigError as exc:
        raise TrainArgumentError(str(exc)) from None


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise TrainArgumentError(f"--{name} must be at least 1, got {value}")


def run(args: argparse.Namespace) -> int:
    from neurogym_app.core import registry

    cfg, raw = _config(args.config)
    agent_cfg = cfg.agent
    task = args.task or (cfg.env.name if "env" in raw else "") or None
    if not task:
        raise TrainArgumentError("give a TASK (or set env.name in --config)")
    registry.spec(task)  # unknown ids fail before any work
    for name in ("hidden", "steps", "batch_size", "seq_len"):
        _positive(name.replace("_", "-"), getattr(args, name))
    for name in ("eval_trials", "final_trials"):
        problem = check_trial_count(getattr(args, name), "--" + name.replace("_", "-"))
        if problem:
            raise TrainArgumentError(problem)
    if args.target is not None and not 0 < args.target <= 1:
        raise TrainArgumentError(f"--target is an accuracy in (0, 1], got {args.target}")
    env_kwargs: dict[str, Any] = {}
    timing: Any = "default"
    if "env" in raw and (not args.task or args.task == cfg.env.name):
        env_kwargs = cfg.env.make_kwargs()
        timing = env_kwargs.pop("timing", "default")
    if args.timing:
        timing = args.timing
    seed = args.seed if args.seed is not None else (agent_cfg.seed if agent_cfg.seed is not None else 0)
    stream = None if args.quiet else sys.stderr

    if args.algo != "supervised":
        from neurogym_app.agents.rl import train_rl

        steps = args.steps or RL_DEFAULT_STEPS
        print(f"training {args.algo} on {task} for {steps} env steps (seed {seed})", file=sys.stderr)
        result = train_rl(
            task, algo=args.algo, steps=steps, seed=seed, timing=timing, env_kwargs=env_kwargs, out=args.out,
            name=args.name, force=args.force, progress=not args.quiet, stream=stream,
            eval_trials=args.eval_trials, threads=args.threads,
        )
        _report(result.folder, result.evaluation, result.train_seconds, None, args)
        return 0

    from neurogym_app.agents.train import TrainSettings, train

    settings = TrainSettings(
        task=task,
        env_kwargs=env_kwargs,
        timing=timing,
        model=args.model or agent_cfg.model,
        hidden_size=args.hidden or agent_cfg.hidden_size,
        steps=args.steps or agent_cfg.steps,
        lr=args.lr if args.lr is not None else agent_cfg.lr,
        batch_size=args.batch_size or agent_cfg.batch_size,
        seq_len=args.seq_len or agent_cfg.seq_len,
        seed=seed,
        eval_every=max(0, args.eval_every),
        eval_trials=args.eval_trials,
        final_eval_trials=args.final_trials,
        checkpoint_every=max(0, args.checkpoint_every),
        target_accuracy=args.target,
        stop_at_target=args.stop_at_target,
        threads=args.threads,
        deterministic=args.deterministic,
    )
    print(
        f"training {settings.model} ({settings.hidden_size} units) on {task}, timing {timing if isinstance(timing, str) else 'custom'}, "
        f"{settings.steps} steps, seed {seed}",
        file=sys.stderr,
    )
    result = train(settings, out=args.out, name=args.name, force=args.force, progress=not args.quiet, stream=stream)
    _report(result.folder, result.evaluation, result.train_seconds, result.seconds_to_target, args)
    return 0


def _report(folder: Any, evaluation: dict[str, Any], seconds: float, to_target: float | None, args: argparse.Namespace) -> None:
    if args.json:
        from neurogym_app.record.jsonutil import dumps

        print(dumps({"folder": str(folder), **evaluation}, indent=1))
        return
    print(f"agent saved in {folder}")
    print(f"  trained for {seconds:.1f} s" + (f"; reached {args.target:.0%} after {to_target:.1f} s" if to_target is not None else ""))
    for timing, res in evaluation["held_out"].items():
        extra = f", mean reward {res['mean_reward']:.3f}" if res.get("mean_reward") is not None else ""
        print(f"  held-out accuracy ({timing} timing): {res['accuracy']:.1%} of {res['n_trials']} trials{extra}")
    if args.target is not None and to_target is None and evaluation.get("target_accuracy") is not None:
        print(f"  target {args.target:.0%} not reached", file=sys.stderr)
