"""Static (matplotlib) figure of a comparison: accuracy per condition, psychometric, chronometric.

The publication-style twin of the Compare view, for PNG/SVG/PDF export:
each session thin and light, each player kind's pooled curve bold with 95 %
intervals. matplotlib is optional (the ``plot`` extra) and imported here only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.analysis.comparison import CompareModel
from neurogym_app.analysis.trial_table import Curve
from neurogym_app.plots.static import require_matplotlib
from neurogym_app.plots.style import KIND_COLORS

__all__ = ["compare_figure", "save_compare_figure"]


def _rgb(kind: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b = KIND_COLORS.get(kind, KIND_COLORS["?"])
    return (r / 255, g / 255, b / 255, alpha)


def _draw(
    ax: Any, curve: Curve, color: Any, bold: bool, label: str | None, fit: bool = True, offset: float = 0.0, line: bool = True
) -> None:
    """Points with 95 % intervals (bold) or small points; the fit if any, else a line through them if ``line``."""
    ok = np.isfinite(curve.y)
    x, y = curve.x[ok] + offset, curve.y[ok]
    if x.size == 0:
        return
    err = np.maximum(np.vstack((np.nan_to_num(y - curve.lo[ok]), np.nan_to_num(curve.hi[ok] - y))), 0.0)
    if bold:
        ax.errorbar(x, y, yerr=err, fmt="o", color=color, ms=5, capsize=2, lw=1.5, label=label, zorder=3)
    else:
        ax.plot(x, y, "o", color=color, ms=3, label=label, zorder=2)
    if fit and curve.fit_x is not None and curve.fit_y is not None:
        ax.plot(curve.fit_x, curve.fit_y, "-", color=color, lw=2.0 if bold else 0.8, zorder=3 if bold else 1)
    elif line:
        order = np.argsort(x)
        ax.plot(x[order], y[order], "-", color=color, lw=1.6 if bold else 0.7, zorder=3 if bold else 1)


def compare_figure(model: CompareModel, title: str | None = None) -> Any:
    """A matplotlib Figure of the active sessions of ``model``."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.2), dpi=100, layout="constrained")
    ax_c, ax_p, ax_r = fig.subplots(1, 3)
    groups = model.groups()
    conditions = model.conditions()
    index = {c: i for i, c in enumerate(conditions)}
    kinds = list(groups)
    width = 0.6 / max(len(kinds), 1)
    for gi, (kind, members) in enumerate(groups.items()):
        offset = (gi - (len(kinds) - 1) / 2) * width
        for e in members:
            labels, curve = e.table.condition_accuracy()
            x = np.array([index.get(lab, np.nan) for lab in labels], dtype=float)
            _draw(ax_c, Curve(x, curve.y, curve.lo, curve.hi, curve.n), _rgb(kind, 0.35), False, None, fit=False, offset=offset, line=False)
            _draw(ax_p, e.table.psychometric(), _rgb(kind, 0.35), False, None)
            _draw(ax_r, e.table.chronometric(), _rgb(kind, 0.35), False, None, fit=False)
        pooled = model.pooled(kind)
        name = f"{kind} (n={len(members)})"
        labels, curve = pooled.condition_accuracy()
        x = np.array([index.get(lab, np.nan) for lab in labels], dtype=float)
        _draw(ax_c, Curve(x, curve.y, curve.lo, curve.hi, curve.n), _rgb(kind), True, name, fit=False, offset=offset, line=False)
        _draw(ax_p, pooled.psychometric(), _rgb(kind), True, name)
        _draw(ax_r, pooled.chronometric(), _rgb(kind), True, name, fit=False)
    ax_c.set_xticks(range(len(conditions)))
    ax_c.set_xticklabels(["/".join(p.split("=", 1)[-1] for p in c.split(", ")) for c in conditions], rotation=45, ha="right", fontsize=7)
    ax_c.set_ylim(-0.02, 1.05)
    ax_c.set_title("Accuracy per condition")
    ax_c.set_ylabel("accuracy")
    any_table = next((e.table for m in groups.values() for e in m), None)
    p_curve = any_table.psychometric(fit=False) if any_table is not None else None
    ax_p.set_title("Psychometric curve")
    ax_p.set_xlabel(p_curve.xlabel if p_curve is not None else "strength")
    ax_p.set_ylabel(p_curve.ylabel if p_curve is not None else "")
    ax_p.set_ylim(-0.02, 1.02)
    ax_r.set_title("Chronometric curve")
    ax_r.set_xlabel(any_table.chronometric().xlabel if any_table is not None else "strength")
    ax_r.set_ylabel("RT (ms)")
    for ax in (ax_c, ax_p, ax_r):
        ax.grid(alpha=0.2)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def save_compare_figure(model: CompareModel, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Save :func:`compare_figure` to ``path`` (.png, .svg or .pdf; other suffixes get .png)."""
    p = Path(path)
    if p.suffix.lower() not in (".png", ".svg", ".pdf"):
        p = p.with_suffix(".png")
    p.parent.mkdir(parents=True, exist_ok=True)
    fig = compare_figure(model, title=title)
    fig.savefig(p, dpi=150 if p.suffix.lower() == ".png" else None)
    return p
