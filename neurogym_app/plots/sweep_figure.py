"""The summary figure of a sweep: accuracy by task and model, each seed a point (matplotlib).

One panel per evaluation timing (default, and human where tasks have it):
for every task a group of columns, one per model and size, each seed's
held-out accuracy a dot and the mean over seeds a bar. A last panel shows the
psychometric threshold of each agent on the tasks with a strength variable.
Failed points are counted in the title. matplotlib is optional (the ``plot``
extra) and imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.plots.static import require_matplotlib, save_figure

__all__ = ["sweep_figure", "save_sweep_figure"]

#: one colour per model and size (tab10)
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def _num(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return x


def _short(task: str) -> str:
    return task.rsplit("-v", 1)[0]


def _panel(ax: Any, rows: Sequence[Mapping[str, Any]], tasks: list[str], configs: list[tuple[str, int]], key: str, ylabel: str,
           ylim: tuple[float, float] | None) -> None:
    width = 0.8 / max(len(configs), 1)
    jitter = np.random.default_rng(0)  # fixed: the same table draws the same figure
    labelled: set[tuple[str, int]] = set()
    for ci, (model, hidden) in enumerate(configs):
        color = COLORS[ci % len(COLORS)]
        for ti, task in enumerate(tasks):
            values = np.array([_num(r.get(key)) for r in rows if r["task"] == task and r["model"] == model and int(r["hidden"]) == hidden])
            values = values[np.isfinite(values)]
            x = ti - 0.4 + width * (ci + 0.5)
            if values.size == 0:
                continue
            ax.bar(x, values.mean(), width * 0.85, color=color, alpha=0.25, edgecolor=color, lw=0.8)
            xs = x + jitter.uniform(-0.18, 0.18, values.size) * width
            label = None if (model, hidden) in labelled else f"{model} {hidden}"
            labelled.add((model, hidden))
            ax.scatter(xs, values, s=22, color=color, edgecolor="white", lw=0.5, zorder=3, label=label)
    ax.set_xticks(range(len(tasks)))
    names = [_short(t) for t in tasks]
    tilt = len(tasks) > 1 and max(len(n) for n in names) > 10
    ax.set_xticklabels(names, rotation=20 if tilt else 0, ha="right" if tilt else "center", fontsize=8)
    ax.set_xlim(-0.6, len(tasks) - 0.4)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#ddd", lw=0.6)
    ax.set_axisbelow(True)


def sweep_figure(rows: Sequence[Mapping[str, Any]], title: str | None = None) -> Any:
    """A ``matplotlib.figure.Figure`` of a sweep's results rows (see the module doc)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    ok = [r for r in rows if r.get("status") == "ok"]
    failed = len(rows) - len(ok)
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    configs = list(dict.fromkeys((str(r["model"]), int(r["hidden"])) for r in rows))
    panels: list[tuple[str, str, list[str], tuple[float, float] | None, str]] = [
        ("accuracy_default", "held-out accuracy", tasks, (0, 1.02), "default timing")
    ]
    human_tasks = [t for t in tasks if any(np.isfinite(_num(r.get("accuracy_human"))) for r in ok if r["task"] == t)]
    if human_tasks:
        panels.append(("accuracy_human", "held-out accuracy", human_tasks, (0, 1.02), "human timing"))
    psy_tasks = [t for t in tasks if any(np.isfinite(_num(r.get("psychometric_threshold"))) for r in ok if r["task"] == t)]
    if psy_tasks:
        var = next((r.get("strength_var") for r in ok if r["task"] in psy_tasks and r.get("strength_var")), "strength")
        with_fit = sum(1 for r in ok if r["task"] in psy_tasks and np.isfinite(_num(r.get("psychometric_threshold"))))
        of = sum(1 for r in ok if r["task"] in psy_tasks)
        panels.append(("psychometric_threshold", f"threshold ({var})", psy_tasks, None, f"psychometric threshold\n({with_fit} of {of} agents reach one)"))
    widths = [max(2.6, 1.0 + 1.0 * len(p[2]) * max(1, len(configs)) ** 0.5) for p in panels]
    fig = Figure(figsize=(sum(widths) + 0.4, 3.6), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, (key, ylabel, panel_tasks, ylim, name) in zip(axes, panels):
        _panel(ax, ok, panel_tasks, configs, key, ylabel, ylim)
        ax.set_title(name, fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, fontsize=8, title="model, hidden", title_fontsize=8, loc="outside right upper")
    seeds = sorted({int(r["seed"]) for r in rows})
    head = title or "sweep"
    note = f"{len(ok)} agents, seeds {', '.join(map(str, seeds))}" + (f"; {failed} point(s) failed" if failed else "")
    fig.suptitle(f"{head}: {note}", fontsize=10)
    return fig


def save_sweep_figure(rows: Sequence[Mapping[str, Any]], path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Draw :func:`sweep_figure` and save it (PNG unless ``path`` ends in .svg or .pdf)."""
    target = Path(path)
    return save_figure(sweep_figure(rows, title=title or target.parent.name), target)
