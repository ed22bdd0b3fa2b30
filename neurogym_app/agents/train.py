"""Supervised training of a recurrent agent on a task's ``ngym.Dataset``.

:func:`train` fits a :class:`~neurogym_app.agents.models.PolicyNet` to the
task's ground truth (cross-entropy on ``gt`` for Discrete actions, MSE for Box
actions), as NeuroGym's supervised examples do, and writes an agent folder
(default ``sessions/agents/<name>/``)::

    agent.json            task spec (id, kwargs, timing), model spec, seeds, summary
    model.pt              final weights (state_dict)
    checkpoints/          step_XXXXXX.pt: weights + optimiser state every N steps
    learning_curve.csv    step, seconds, loss, held-out accuracy per timing
    learning_curve.json   the same rows plus the run's settings
    learning_curve.png    loss and accuracy against steps (if matplotlib is installed)
    evaluation.json       closed-loop accuracy on held-out trials, per timing

Timing: ``"default"`` or ``"human"`` trains on that preset; ``"mixed"``
fills half of every batch from each preset, so the agent can play the trials
people get; a dict trains on that (possibly variable) timing. The evaluation
always reports accuracy on the task's default timing and, if the task has
one, on its human preset.

Seeds: ``seed`` seeds torch's initialisation and sampling; the Dataset rows
start from ``seed`` (default timing) and ``seed + 1000`` (human, in mixed);
the held-out evaluation envs from ``1_000_000 + 1000 * seed`` (during
training) and ``2_000_000 + 1000 * seed`` (final). All are written to
``agent.json``.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from neurogym_app.agents._deps import MissingExtraError, require_matplotlib, require_torch
from neurogym_app.agents.agent import (
    AGENT_FORMAT,
    AGENT_FORMAT_VERSION,
    Agent,
    AgentError,
    evaluate,
    make_task_env,
    model_spec_for,
    now_iso,
    task_has_preset,
    write_json,
)
from neurogym_app.agents.models import KINDS, build_model

__all__ = ["TrainSettings", "TrainResult", "train", "default_agent_name", "eval_timings", "TIMING_CHOICES"]

TIMING_CHOICES = ("default", "human", "mixed")
HUMAN_SEED_OFFSET = 1000
EVAL_SEED_BASE = 1_000_000
FINAL_EVAL_SEED_BASE = 2_000_000


@dataclass
class TrainSettings:
    """Everything that defines a training run (stored in ``agent.json``)."""

    task: str
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    timing: Any = "default"
    model: str = "lstm"
    hidden_size: int = 64
    steps: int = 2000
    lr: float = 1e-3
    batch_size: int = 16
    seq_len: int = 100
    seed: int = 0
    eval_every: int = 100
    eval_trials: int = 200
    final_eval_trials: int = 1000
    checkpoint_every: int = 500
    keep_checkpoints: int = 5
    target_accuracy: float | None = None  # record when the held-out accuracy first reaches it
    stop_at_target: bool = False  # and stop training there
    target_patience: int = 1  # consecutive evaluations at or above the target that count as reaching it
    threads: int | None = 1
    deterministic: bool = False
    plot: bool = True

    def check(self) -> None:
        if self.model not in KINDS:
            raise AgentError(f"unknown model {self.model!r}; use one of {', '.join(KINDS)}")
        for name in ("hidden_size", "steps", "batch_size", "seq_len", "eval_trials", "final_eval_trials"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise AgentError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0 and math.isfinite(self.lr)):
            raise AgentError(f"lr must be a positive number, got {self.lr!r}")
        if isinstance(self.timing, str) and self.timing not in TIMING_CHOICES:
            raise AgentError(f"unknown timing {self.timing!r}; use one of {', '.join(TIMING_CHOICES)} (or a dict in a config file)")
        if self.timing == "mixed" and self.batch_size < 2:
            raise AgentError("timing 'mixed' needs batch_size >= 2 (half of each batch per timing)")
        if "timing" in self.env_kwargs:
            raise AgentError("give the timing with timing=..., not inside env_kwargs")


@dataclass
class TrainResult:
    agent: Agent
    folder: Path
    curve: list[dict[str, Any]]
    evaluation: dict[str, Any]
    seconds_to_target: float | None
    train_seconds: float
    wall_seconds: float


def default_agent_name(settings: TrainSettings) -> str:
    base = settings.task.rsplit("-v", 1)[0]
    timing = settings.timing if isinstance(settings.timing, str) else "custom"
    suffix = "" if timing == "default" else f"_{timing}"
    return f"{base}_{settings.model}{settings.hidden_size}_s{settings.seed}{suffix}"


def eval_timings(task_id: str) -> list[str]:
    """Timings every evaluation reports: ``default`` and, if the task has it, ``human``."""
    return ["default", "human"] if task_has_preset(task_id, "human") else ["default"]


def _train_timings(settings: TrainSettings) -> list[Any]:
    if settings.timing == "mixed":
        return ["default", "human"]
    return [settings.timing]


def _timing_label(timing: Any) -> str:
    return timing if isinstance(timing, str) else "custom"


# --------------------------------------------------------------------------- progress
class Progress:
    """A plain-text progress bar on stderr (one refreshed line on a tty, else a line per 10 %)."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1
        self._last_draw = 0.0

    def update(self, step: int, text: str) -> None:
        if not self.enabled:
            return
        frac = step / self.total
        width = 24
        filled = int(round(width * frac))
        line = f"[{'#' * filled}{'.' * (width - filled)}] {step}/{self.total} {text}"
        if self.tty:
            now = time.monotonic()
            if now - self._last_draw > 0.1 or step == self.total:
                self.stream.write("\r" + line[:150].ljust(80))
                self.stream.flush()
                self._last_draw = now
        else:
            decile = int(frac * 10)
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(line + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------- training
def _configure_torch(torch: Any, settings: TrainSettings) -> None:
    if settings.deterministic:
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
    elif settings.threads:
        torch.set_num_threads(int(settings.threads))
    torch.manual_seed(settings.seed)


def _datasets(settings: TrainSettings) -> list[tuple[Any, Any, int]]:
    """(Dataset, timing, seed) per timing of the batch."""
    from neurogym_app.core.dataset import Dataset

    timings = _train_timings(settings)
    sizes = [settings.batch_size // len(timings)] * len(timings)
    sizes[0] += settings.batch_size - sum(sizes)
    out = []
    for i, (timing, size) in enumerate(zip(timings, sizes)):
        kwargs = dict(settings.env_kwargs)
        if timing != "default":
            kwargs["timing"] = timing
        seed = settings.seed + i * HUMAN_SEED_OFFSET
        try:
            ds = Dataset(settings.task, env_kwargs=kwargs, batch_size=size, seq_len=settings.seq_len, seed=seed)
        except (ValueError, TypeError) as exc:
            raise AgentError(f"{settings.task}: cannot build its Dataset with {kwargs}: {exc}") from None
        out.append((ds, timing, seed))
    return out


def train(
    task: str | TrainSettings,
    *,
    out: str | os.PathLike[str] | None = None,
    name: str | None = None,
    force: bool = False,
    progress: bool = True,
    stream: TextIO | None = None,
    on_eval: Callable[[dict[str, Any]], None] | None = None,
    **settings: Any,
) -> TrainResult:
    """Train an agent on ``task`` and save it; returns a :class:`TrainResult`.

    ``task`` is a task id (the keyword arguments fill :class:`TrainSettings`)
    or a ready :class:`TrainSettings`. ``out`` is the agent folder (default
    ``sessions/agents/<name>``, with ``-2``, ``-3``... if taken); an existing
    agent folder given as ``out`` is refused unless ``force``.
    """
    torch = require_torch()
    cfg = task if isinstance(task, TrainSettings) else TrainSettings(task=task, **settings)
    if isinstance(task, TrainSettings) and settings:
        raise TypeError("give either TrainSettings or keyword settings, not both")
    cfg.check()
    folder = new_agent_folder(out, name or default_agent_name(cfg), force)
    _configure_torch(torch, cfg)

    probe = make_task_env(cfg.task, cfg.env_kwargs, _train_timings(cfg)[0])
    mspec = model_spec_for(probe, cfg.model, cfg.hidden_size)
    net = build_model(mspec)
    datasets = _datasets(cfg)
    spec = _agent_spec(cfg, folder.name, mspec, datasets)
    agent = Agent(net, spec, folder)
    optimizer = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    discrete = mspec.action == "discrete"
    loss_fn = torch.nn.CrossEntropyLoss() if discrete else torch.nn.MSELoss()
    check_timings = [_timing_label(t) for t in _train_timings(cfg)]
    eval_seed = EVAL_SEED_BASE + 1000 * cfg.seed

    bar = Progress(cfg.steps, stream=stream, enabled=progress)
    curve: list[dict[str, Any]] = []
    log_every = max(1, cfg.steps // 200)
    loss_acc = 0.0
    loss_n = 0
    train_seconds = 0.0
    seconds_to_target: float | None = None
    streak = 0
    last_acc: dict[str, float] = {}
    wall0 = time.perf_counter()
    step = 0
    try:
        for step in range(1, cfg.steps + 1):
            t0 = time.perf_counter()
            parts = [ds() for ds, _, _ in datasets]
            inputs = np.concatenate([p[0] for p in parts], axis=1) if len(parts) > 1 else parts[0][0]
            targets = np.concatenate([p[1] for p in parts], axis=1) if len(parts) > 1 else parts[0][1]
            x = torch.from_numpy(inputs.reshape(inputs.shape[0], inputs.shape[1], -1))
            y = torch.from_numpy(targets)
            net.train()
            outputs, _, _ = net(x)
            if discrete:
                loss = loss_fn(outputs.reshape(-1, mspec.output_size), y.reshape(-1))
            else:
                loss = loss_fn(outputs.reshape(-1), y.reshape(-1).float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            value = float(loss.detach())
            train_seconds += time.perf_counter() - t0
            if not math.isfinite(value):
                raise AgentError(f"training diverged at step {step} (loss {value}); lower the learning rate (lr={cfg.lr})")
            loss_acc += value
            loss_n += 1

            row: dict[str, Any] | None = None
            if step % log_every == 0 or step == cfg.steps:
                row = {"step": step, "seconds": round(train_seconds, 4), "loss": loss_acc / loss_n}
                loss_acc, loss_n = 0.0, 0
            if cfg.eval_every and (step % cfg.eval_every == 0 or step == cfg.steps):
                row = row or {"step": step, "seconds": round(train_seconds, 4), "loss": value}
                for timing in check_timings:
                    res = evaluate(agent, timing=timing, trials=cfg.eval_trials, seed=eval_seed)
                    row[f"accuracy_{timing}"] = res["accuracy"]
                    last_acc[timing] = res["accuracy"]
                net.train()
                reached = cfg.target_accuracy is not None and all(last_acc.get(t, 0) >= cfg.target_accuracy for t in check_timings)
                streak = streak + 1 if reached else 0
                if streak >= max(1, cfg.target_patience) and seconds_to_target is None:
                    seconds_to_target = train_seconds
                if on_eval is not None:
                    on_eval(row)
            if row is not None:
                curve.append(row)
            if cfg.checkpoint_every and step % cfg.checkpoint_every == 0:
                _checkpoint(torch, folder, net, optimizer, step, cfg.keep_checkpoints)
            acc_text = " ".join(f"acc[{t}] {a:.2f}" for t, a in last_acc.items())
            bar.update(step, f"loss {value:.4f} {acc_text} {train_seconds:.1f}s")
            if cfg.stop_at_target and seconds_to_target is not None:
                break
    finally:
        bar.close()

    net.eval()
    final_seed = FINAL_EVAL_SEED_BASE + 1000 * cfg.seed
    evaluation = {
        "task": cfg.task,
        "trained_timing": _timing_label(cfg.timing),
        "steps_trained": step,
        "train_seconds": round(train_seconds, 3),
        "seconds_to_target": None if seconds_to_target is None else round(seconds_to_target, 3),
        "target_accuracy": cfg.target_accuracy,
        "held_out": {t: evaluate(agent, timing=t, trials=cfg.final_eval_trials, seed=final_seed) for t in eval_timings(cfg.task)},
    }
    if not isinstance(cfg.timing, str):
        evaluation["held_out"]["custom"] = evaluate(agent, timing=cfg.timing, trials=cfg.final_eval_trials, seed=final_seed)
    spec["training"]["steps_trained"] = step
    spec["training"]["train_seconds"] = round(train_seconds, 3)
    spec["evaluation"] = {t: {"accuracy": r["accuracy"], "n_trials": r["n_trials"]} for t, r in evaluation["held_out"].items()}
    agent.spec = spec
    agent.save(folder)
    write_json(folder / "evaluation.json", evaluation)
    _write_curve(folder, curve, cfg, plot=cfg.plot, stream=stream if progress else None)
    return TrainResult(
        agent=agent,
        folder=folder,
        curve=curve,
        evaluation=evaluation,
        seconds_to_target=seconds_to_target,
        train_seconds=train_seconds,
        wall_seconds=time.perf_counter() - wall0,
    )


def new_agent_folder(out: Any, name: str, force: bool) -> Path:
    from neurogym_app.agents.agent import SPEC_NAME

    if out is not None:
        folder = Path(out)
        if (folder / SPEC_NAME).exists() and not force:
            raise AgentError(f"{folder} already holds an agent; choose another --out or pass --force to overwrite it")
        if folder.exists() and not folder.is_dir():
            raise AgentError(f"{folder} exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    root = Path("sessions") / "agents"
    folder = root / name
    n = 2
    while folder.exists():
        folder = root / f"{name}-{n}"
        n += 1
    folder.mkdir(parents=True)
    return folder


def _agent_spec(cfg: TrainSettings, name: str, mspec: Any, datasets: list[tuple[Any, Any, int]]) -> dict[str, Any]:
    import neurogym_app

    torch = require_torch()
    probe_kwargs = dict(cfg.env_kwargs)
    env = make_task_env(cfg.task, probe_kwargs)
    dt = getattr(env.unwrapped, "dt", None)
    settings = asdict(cfg)
    settings.pop("task")
    settings.pop("env_kwargs")
    settings.pop("timing")
    return {
        "format": AGENT_FORMAT,
        "format_version": AGENT_FORMAT_VERSION,
        "name": name,
        "kind": "rnn",
        "task": {"id": cfg.task, "kwargs": dict(cfg.env_kwargs), "dt": dt, "timing": cfg.timing},
        "model": mspec.to_dict(),
        "training": {
            "method": "supervised",
            "loss": "cross_entropy" if mspec.action == "discrete" else "mse",
            "optimizer": "adam",
            **settings,
        },
        "seeds": {
            "torch": cfg.seed,
            "dataset": {_timing_label(t): s for _, t, s in datasets},
            "dataset_rows": "row b of a Dataset starts from seed + b",
            "dataset_vectorized": {_timing_label(t): bool(ds.vectorized) for ds, t, _ in datasets},
            "eval_during_training": EVAL_SEED_BASE + 1000 * cfg.seed,
            "eval_final": FINAL_EVAL_SEED_BASE + 1000 * cfg.seed,
        },
        "versions": {"app": neurogym_app.__version__, "torch": torch.__version__, "numpy": np.__version__},
        "created": now_iso(),
        "files": {"weights": "model.pt"},
    }


def _checkpoint(torch: Any, folder: Path, net: Any, optimizer: Any, step: int, keep: int) -> None:
    ck = folder / "checkpoints"
    ck.mkdir(exist_ok=True)
    torch.save({"step": step, "model": net.state_dict(), "optimizer": optimizer.state_dict()}, ck / f"step_{step:06d}.pt")
    if keep and keep > 0:
        old = sorted(ck.glob("step_*.pt"))
        for p in old[:-keep]:
            p.unlink()


def load_checkpoint(agent_folder: str | os.PathLike[str], step: int | None = None) -> Agent:
    """The agent of ``agent_folder`` with the weights of a checkpoint (default: the latest)."""
    torch = require_torch()
    agent = Agent.load(agent_folder)
    ck = Path(agent_folder) / "checkpoints"
    files = sorted(ck.glob("step_*.pt"))
    if step is not None:
        files = [p for p in files if p.name == f"step_{step:06d}.pt"]
    if not files:
        raise AgentError(f"{ck}: no checkpoint{'' if step is None else f' for step {step}'}")
    state = torch.load(files[-1], map_location="cpu", weights_only=True)
    agent.net.load_state_dict(state["model"])
    return agent


CURVE_COLUMNS = ("step", "seconds", "loss")


def _write_curve(folder: Path, curve: list[dict[str, Any]], cfg: TrainSettings, plot: bool, stream: TextIO | None) -> None:
    acc_cols = sorted({k for row in curve for k in row if k.startswith("accuracy_")})
    cols = [*CURVE_COLUMNS, *acc_cols]
    with open(folder / "learning_curve.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for row in curve:
            w.writerow({c: row.get(c, "") for c in cols})
    write_json(
        folder / "learning_curve.json",
        {"task": cfg.task, "timing": _timing_label(cfg.timing), "target_accuracy": cfg.target_accuracy, "columns": cols, "rows": curve},
    )
    if plot:
        try:
            plot_learning_curve(curve, folder / "learning_curve.png", title=f"{folder.name} on {cfg.task}", target=cfg.target_accuracy)
        except MissingExtraError as exc:
            if stream is not None:
                stream.write(f"learning_curve.png not drawn: {exc}\n")


def plot_learning_curve(curve: list[Mapping[str, Any]], path: Path, title: str = "", target: float | None = None) -> Path:
    """Loss and held-out accuracy against training steps, as a PNG (matplotlib, Agg)."""
    figure_mod = require_matplotlib()
    fig = figure_mod.Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    steps = [r["step"] for r in curve]
    ax1.plot(steps, [r["loss"] for r in curve], color="#444")
    ax1.set_yscale("log")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("loss")
    ax1.set_title("training loss")
    colours = {"accuracy_default": "#1f77b4", "accuracy_human": "#d62728"}
    for key in sorted({k for r in curve for k in r if k.startswith("accuracy_")}):
        pts = [(r["step"], r[key]) for r in curve if key in r]
        ax2.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=key.split("_", 1)[1], color=colours.get(key))
    ax2.axhline(0.5, color="#999", lw=0.8, ls=":")
    if target is not None:
        ax2.axhline(target, color="#2a2", lw=0.8, ls="--", label=f"target {target:.0%}")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("training step")
    ax2.set_ylabel("held-out accuracy")
    ax2.set_title("closed-loop accuracy")
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend(loc="lower right", fontsize=8, title="timing", title_fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.savefig(path)
    return path
