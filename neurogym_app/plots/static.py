"""Static matplotlib figures: a run's observations, actions, gt and rewards; training history.

matplotlib is optional (the ``plot`` extra) and imported inside the functions,
so this module can be imported without it. Figures are built with
``matplotlib.figure.Figure`` rather than pyplot: no global figure state, no
GUI backend, nothing to close. (Jupyter still displays a returned Figure.)

Every row of the step figures shares one x axis in steps: column ``t`` shows
the observation ``ob[t]`` the action ``a[t]`` was chosen on, the ground truth
``gt[t]`` it was judged against and the reward ``r[t]`` it earned. Periods are
shaded; a dashed line marks where a trial ends (between its last step and the
first step of the next trial).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "require_matplotlib",
    "trials_figure",
    "training_history_figure",
    "save_figure",
    "period_runs",
    "trial_boundaries",
]

PLOT_EXTRA_HINT = "pip install 'neurogym-app[plot]'"
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def require_matplotlib() -> None:
    """Raise a one-line ImportError naming the ``plot`` extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(f"plotting needs matplotlib, which is not installed: {PLOT_EXTRA_HINT}") from None


def _new_figure(n_rows: int, fig_kwargs: Mapping[str, Any] | None, height_ratios: Sequence[float]):
    from matplotlib.figure import Figure

    kwargs = dict(fig_kwargs or {})
    figsize = kwargs.pop("figsize", (8, 1.0 + 1.5 * n_rows))
    dpi = kwargs.pop("dpi", 100)
    layout = kwargs.pop("layout", "constrained")
    kwargs.setdefault("sharex", True)
    kwargs.setdefault("gridspec_kw", {"height_ratios": list(height_ratios)})
    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    axes = fig.subplots(n_rows, 1, squeeze=False, **kwargs)[:, 0]
    return fig, list(axes)


def save_figure(fig: Any, fname: str | os.PathLike[str]) -> Path:
    """Save ``fig``; a name without .png/.svg/.pdf gets ``.png`` (as NeuroGym's)."""
    path = Path(fname)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        path = path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=fig.dpi if path.suffix.lower() != ".png" else max(fig.dpi, 120))
    return path


def period_runs(periods: Sequence[str | None], new_trial: Sequence[bool] | None = None) -> list[tuple[str, int, int]]:
    """Contiguous runs ``(period, first_step, last_step)``; a trial end also ends a run."""
    runs: list[tuple[str, int, int]] = []
    start = 0
    for t in range(1, len(periods) + 1):
        boundary = t == len(periods) or periods[t] != periods[t - 1] or bool(new_trial is not None and new_trial[t - 1])
        if boundary:
            if periods[start] is not None:
                runs.append((str(periods[start]), start, t - 1))
            start = t
    return runs


def trial_boundaries(new_trial: Sequence[bool] | None) -> list[float]:
    """x positions (half-way between steps) where a trial ends."""
    if new_trial is None:
        return []
    return [t + 0.5 for t, ends in enumerate(new_trial) if ends]


def _channel_ticks(names: Mapping[str, Any] | None, spread: bool, max_ticks: int = 8) -> tuple[list[float], list[str]]:
    """Axis ticks from a space's names: one per name, or (``spread``) one per value when few."""
    groups = [
        (key, [value] if isinstance(value, (int, np.integer)) else list(value)) for key, value in (names or {}).items()
    ]
    spread = spread and sum(len(values) for _, values in groups) <= max_ticks
    ticks: list[float] = []
    labels: list[str] = []
    for key, values in groups:
        if not values:
            continue
        if spread and len(values) > 1:
            for v in values:
                ticks.append(float(v))
                labels.append(f"{key} {v}")
        else:
            ticks.append(float(np.mean(values)))
            labels.append(key if len(values) == 1 else f"{key} {min(values)}-{max(values)}")
    return ticks, labels


def _reward_ticks(reward_values: Mapping[str, float], shown: np.ndarray) -> tuple[list[float], list[str]]:
    """Ticks at the task's reward values, named; values too close to a kept one are dropped."""
    by_value: dict[float, str] = {}
    for key, value in reward_values.items():
        by_value.setdefault(float(value), key)
    values = sorted(by_value)
    finite = shown[np.isfinite(shown)]
    span = max([*values, *finite.tolist()]) - min([*values, *finite.tolist()]) or 1.0
    kept: list[float] = []
    # keep the best outcome and 0 (where most steps sit) first, then the largest others
    for v in sorted(values, key=lambda v: (v != max(values), v != 0, -abs(v))):
        if all(abs(v - k) > 0.12 * span for k in kept):
            kept.append(v)
    kept.sort()
    return kept, [f"{by_value[v]} {v:g}" for v in kept]


def _period_colors(periods: Sequence[str | None]) -> dict[str, Any]:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    names: list[str] = []
    for p in periods:
        if p is not None and p not in names:
            names.append(p)
    return {name: palette(i % 10) for i, name in enumerate(names)}


def _as_columns(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values.reshape(len(values), -1)


def trials_figure(
    ob: Any,
    actions: Any,
    gt: Any = None,
    rewards: Any = None,
    performance: Any = None,
    new_trial: Any = None,
    periods: Sequence[str | None] | None = None,
    *,
    ob_names: Mapping[str, Any] | None = None,
    action_names: Mapping[str, Any] | None = None,
    reward_values: Mapping[str, float] | None = None,
    dt: float | None = None,
    name: str = "",
    legend: bool = True,
    ob_traces: Sequence[str] | None = None,
    fig_kwargs: Mapping[str, Any] | None = None,
    fname: str | os.PathLike[str] | None = None,
):
    """A figure of one run, one step per column (see the module docstring).

    ``ob`` is ``(steps, channels)``; ``actions``/``gt`` ``(steps,)`` or
    ``(steps, k)``; ``performance`` is NaN except on the steps that end a trial.
    ``ob_traces`` draws the observation as labelled lines instead of an image.
    Returns the ``matplotlib.figure.Figure`` (saved to ``fname`` if given).
    """
    require_matplotlib()
    from matplotlib.ticker import MaxNLocator

    ob = np.asarray(ob, dtype=float)
    if ob.ndim != 2:
        raise ValueError(f"trials_figure: observations must be (steps, channels), got shape {ob.shape}")
    n_steps = ob.shape[0]
    x = np.arange(n_steps)
    show_perf = performance is not None and np.any(np.isfinite(np.asarray(performance, dtype=float)))
    rows = ["ob", "act"] + (["rew"] if rewards is not None else []) + (["perf"] if show_perf else [])
    ratios = [1.6 if r == "ob" else 1.0 for r in rows]
    fig, axes = _new_figure(len(rows), fig_kwargs, ratios)
    ax_of = dict(zip(rows, axes))
    boundaries = trial_boundaries(new_trial)
    colors = _period_colors(periods or [])

    # -- observation
    ax = ax_of["ob"]
    if ob_traces:
        if len(ob_traces) != ob.shape[1]:
            raise ValueError(f"ob_traces needs one label per observation channel ({ob.shape[1]}), got {len(ob_traces)}")
        for i, label in enumerate(ob_traces):
            ax.plot(x, ob[:, i], label=label, gid=f"observation {i}")
        if legend:
            ax.legend(loc="upper right", fontsize="small")
    else:
        image = ax.imshow(
            ob.T,
            aspect="auto",
            origin="lower",
            interpolation="nearest",
            extent=(-0.5, n_steps - 0.5, -0.5, ob.shape[1] - 0.5),
            cmap="viridis",
        )
        image.set_gid("observation")
        ticks, labels = _channel_ticks(ob_names, spread=False)
        ax.set_yticks(ticks, labels) if ticks else ax.set_yticks([])
    ax.set_ylabel("Obs.")
    if name:
        ax.set_title(name)

    # -- actions and ground truth
    ax = ax_of["act"]
    acts = _as_columns(actions) if len(actions) else np.zeros((0, 1))
    for k in range(acts.shape[1]):
        label = "action" if acts.shape[1] == 1 else f"action {k}"
        ax.plot(x, acts[:, k], marker="+", linestyle="-", color="C0" if k == 0 else None, label=label, gid=label)
    if gt is not None:
        gts = _as_columns(gt)
        for k in range(gts.shape[1]):
            label = "ground truth" if gts.shape[1] == 1 else f"ground truth {k}"
            ax.plot(x, gts[:, k], linestyle="--", drawstyle="steps-mid", color="k", alpha=0.7, label=label, gid=label)
    ticks, labels = _channel_ticks(action_names, spread=True)
    if ticks:
        ax.set_yticks(ticks, labels)
    ax.set_ylabel("Act.")

    # -- rewards
    if "rew" in ax_of:
        ax = ax_of["rew"]
        ax.plot(x, np.asarray(rewards, dtype=float), color="C3", marker=".", label="reward", gid="reward")
        if reward_values:
            ticks, labels = _reward_ticks(reward_values, np.asarray(rewards, dtype=float))
            ax.set_yticks(ticks, labels)
        ax.set_ylabel("Rew.")

    # -- performance at trial ends
    if "perf" in ax_of:
        ax = ax_of["perf"]
        perf = np.asarray(performance, dtype=float)
        ax.plot(x, perf, linestyle="none", marker="o", color="k", label="performance", gid="performance")
        ax.set_ylim(-0.1, 1.1)
        ax.set_ylabel("Perf.")
        ax.set_title(f"mean performance: {np.nanmean(perf):.2f}", fontsize="small")

    # -- periods and trial boundaries on every row
    seen: set[str] = set()
    for row, ax in ax_of.items():
        if row != "ob" or ob_traces:
            for period, first, last in period_runs(periods or [], new_trial):
                label = period if (row == "act" and period not in seen) else None
                if label:
                    seen.add(period)
                ax.axvspan(first - 0.5, last + 0.5, color=colors[period], alpha=0.15, linewidth=0, label=label)
        for i, xb in enumerate(boundaries):
            ax.axvline(
                xb,
                linestyle="--",
                color="0.4",
                linewidth=1,
                gid="trial boundary",
                label="trial end" if (row == "act" and i == 0) else None,
            )
        ax.set_xlim(-0.5, n_steps - 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if legend:
        handles, labels = ax_of["act"].get_legend_handles_labels()
        if type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine":
            # one legend beside the figure: a tall legend inside a row would stretch that row
            fig.legend(handles, labels, loc="outside right upper", fontsize="small", frameon=False)
        else:
            ax_of["act"].legend(
                handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False
            )
    axes[-1].set_xlabel("step" + (f" (dt = {dt:g} ms)" if dt else ""))
    if fname is not None:
        save_figure(fig, fname)
    return fig


def training_history_figure(
    rewards: Sequence[float],
    performance: Sequence[float] | None = None,
    *,
    window: int = 100,
    name: str = "",
    fig_kwargs: Mapping[str, Any] | None = None,
    fname: str | os.PathLike[str] | None = None,
):
    """Reward (and performance) per trial with a running mean over ``window`` trials."""
    require_matplotlib()
    series = [("reward", np.asarray(rewards, dtype=float))]
    if performance is not None and len(performance):
        series.append(("performance", np.asarray(performance, dtype=float)))
    fig, axes = _new_figure(len(series), fig_kwargs, [1.0] * len(series))
    for ax, (label, values) in zip(axes, series):
        trials = np.arange(1, len(values) + 1)
        ax.plot(trials, values, linestyle="none", marker=".", alpha=0.3, label=f"{label} per trial", gid=label)
        if len(values):
            w = max(1, min(int(window), len(values)))
            running = np.convolve(np.nan_to_num(values), np.ones(w) / w, mode="valid")
            ax.plot(trials[w - 1 :], running, color="C3", label=f"mean of {w} trials", gid=f"{label} mean")
        ax.set_ylabel(label)
        ax.legend(loc="lower right", fontsize="small")
    if name:
        axes[0].set_title(name)
    axes[-1].set_xlabel("trial")
    if fname is not None:
        save_figure(fig, fname)
    return fig
