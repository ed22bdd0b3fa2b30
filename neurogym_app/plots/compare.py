"""Static comparison report of sessions (people, agents, simulated players): figure and HTML.

``compare_figure(entries, pooled)`` draws accuracy per condition, the
psychometric curve (with its logistic fit) and the chronometric curve of each
session, each point with its bootstrap 95 % interval
(:mod:`neurogym_app.analysis.metrics`); sessions of one player kind share a
colour family, pooled kinds are drawn bold. ``write_report(path, ...)``
writes that figure as PNG/SVG/PDF, or an HTML page with the figure embedded
and the numbers in tables. matplotlib (the ``plot`` extra) is imported
inside the functions, through ``matplotlib.figure.Figure`` (no pyplot, no GUI).
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from neurogym_app.analysis.metrics import N_BOOT, SessionEntry, condition_accuracy, summarise_table
from neurogym_app.analysis.trial_table import Curve, sort_conditions

__all__ = ["compare_figure", "write_report", "REPORT_SUFFIXES"]

REPORT_SUFFIXES = (".html", ".htm", ".png", ".svg", ".pdf")
#: the app's player-kind colours (plots/style.py), as 0-1 RGB
KIND_RGB = {"human": (31, 119, 180), "agent": (255, 127, 14), "simulated": (44, 160, 44), "?": (120, 120, 120)}
PLOT_EXTRA_HINT = "pip install 'neurogym-app[plot]'"


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        from neurogym_app.errors import UserError

        raise UserError(f"the comparison figure needs matplotlib, which is not installed: install the `plot` extra ({PLOT_EXTRA_HINT})") from None
    return Figure


def _colour(kind: str, shade: int = 0, n: int = 1) -> tuple[float, float, float]:
    r, g, b = (c / 255 for c in KIND_RGB.get(kind, KIND_RGB["?"]))
    if n <= 1:
        return (r, g, b)
    mix = 0.55 * shade / (n - 1)  # lighter shades for later sessions of the same kind
    return (r + (1 - r) * mix, g + (1 - g) * mix, b + (1 - b) * mix)


def _errorbar(ax: Any, curve: Curve, colour: Any, label: str, bold: bool, offset: float = 0.0, line: bool = True) -> None:
    ok = np.isfinite(curve.y)
    if not np.any(ok):
        return
    x, y = curve.x[ok] + offset, curve.y[ok]
    err = np.vstack((np.nan_to_num(y - curve.lo[ok]), np.nan_to_num(curve.hi[ok] - y)))
    ax.errorbar(x, y, yerr=err, fmt="o", ms=6 if bold else 4, capsize=2, lw=2.0 if bold else 1.0, color=colour,
                label=label, zorder=3 if bold else 2, mfc=colour if bold else "white")
    if curve.fit_x is not None and curve.fit_y is not None:
        ax.plot(curve.fit_x + offset, curve.fit_y, "-", color=colour, lw=2.2 if bold else 1.2, zorder=2)
    elif line:
        ax.plot(x, y, "-", color=colour, lw=2.0 if bold else 1.0, alpha=0.8, zorder=1)


def compare_figure(entries: Sequence[SessionEntry], pooled: Sequence[SessionEntry] = (), *, n_boot: int = N_BOOT, seed: int = 0, title: str | None = None) -> Any:
    """A matplotlib Figure comparing ``entries`` (and the ``pooled`` kinds, bold)."""
    from neurogym_app.analysis import metrics

    Figure = _figure_class()
    fig = Figure(figsize=(14, 4.4), dpi=100, layout="constrained")
    ax_c, ax_p, ax_r = fig.subplots(1, 3)
    everything = list(entries) + list(pooled)
    conditions = sort_conditions({c for e in everything for c in e.table.conditions})
    index = {c: i for i, c in enumerate(conditions)}
    width = 0.5 / max(len(everything), 1)
    per_kind: dict[str, int] = {}
    counts = {k: sum(1 for e in entries if e.kind == k) for k in {e.kind for e in entries}}
    for j, e in enumerate(everything):
        bold = e.path is None
        if bold:
            colour = _colour(e.kind)
        else:
            shade = per_kind.get(e.kind, 0)
            per_kind[e.kind] = shade + 1
            colour = _colour(e.kind, shade, counts.get(e.kind, 1))
        label = f"{e.label} [{e.kind}]" if not bold else e.label
        offset = (j - (len(everything) - 1) / 2) * width
        acc = condition_accuracy(e.table, n_boot, seed)
        xs = np.array([index[c] for c in acc], dtype=float)
        ys = np.array([acc[c].value for c in acc])
        lo = np.array([acc[c].lo for c in acc])
        hi = np.array([acc[c].hi for c in acc])
        n = np.array([acc[c].n for c in acc])
        _errorbar(ax_c, Curve(xs, ys, lo, hi, n), colour, label, bold, offset, line=False)
        psy, _ = metrics.psychometric(e.table, n_boot, seed)
        _errorbar(ax_p, psy, colour, label, bold)
        _errorbar(ax_r, metrics.chronometric(e.table, n_boot, seed), colour, label, bold)
    ax_c.set_xticks(range(len(conditions)))
    ax_c.set_xticklabels([c.replace(", ", "\n") for c in conditions], fontsize=7, rotation=0 if len(conditions) <= 6 else 60)
    ax_c.set_ylim(-0.03, 1.05)
    ax_c.axhline(0.5, color="#bbb", lw=0.8, ls=":")
    ax_c.set_ylabel("accuracy")
    ax_c.set_title("Accuracy per condition")
    first = everything[0].table if everything else None
    psy0 = metrics.psychometric(first, 10, seed, fit=False)[0] if first is not None else None
    ax_p.set_xlabel(psy0.xlabel if psy0 is not None else "strength")
    ax_p.set_ylabel(psy0.ylabel if psy0 is not None else "")
    ax_p.set_ylim(-0.03, 1.03)
    ax_p.set_title("Psychometric curve")
    chrono0 = metrics.chronometric(first, 10, seed) if first is not None else None
    ax_r.set_xlabel(chrono0.xlabel if chrono0 is not None else "strength")
    ax_r.set_ylabel("mean RT (ms)")
    ax_r.set_title("Chronometric curve")
    for ax in (ax_c, ax_p, ax_r):
        ax.grid(alpha=0.25)
    handles, labels = ax_p.get_legend_handles_labels()
    if not handles:
        handles, labels = ax_c.get_legend_handles_labels()
    if handles:
        ax_c.legend(handles, labels, fontsize=7, frameon=False, loc="lower right")
    fig.suptitle(title or "Comparison (points: mean; bars: bootstrap 95 % intervals)", fontsize=11)
    return fig


def _png_bytes(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _td(text: Any) -> str:
    return f"<td>{html.escape(str(text))}</td>"


def write_report(
    path: str | os.PathLike[str],
    entries: Sequence[SessionEntry],
    pooled: Sequence[SessionEntry] = (),
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    title: str | None = None,
) -> Path:
    """Write the comparison as ``.html`` (figure + tables) or as a ``.png``/``.svg``/``.pdf`` figure."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        from neurogym_app.errors import UserError

        raise UserError(f"{p}: the report must end in {', '.join(REPORT_SUFFIXES)}")
    p.parent.mkdir(parents=True, exist_ok=True)
    fig = compare_figure(entries, pooled, n_boot=n_boot, seed=seed, title=title)
    if suffix in (".png", ".svg", ".pdf"):
        fig.savefig(p, dpi=150 if suffix == ".png" else None)
        return p
    tasks = sorted({e.task for e in entries})
    summaries = [(e, summarise_table(e.table, n_boot, seed)) for e in list(entries) + list(pooled)]
    rows = []
    for e, s in summaries:
        fit = (s["psychometric"] or {}).get("fit")
        slope = fit["slope"] if fit else None
        rows.append(
            "<tr>"
            + _td(e.label)
            + _td(e.kind)
            + _td(e.task)
            + _td(e.timing or "")
            + _td(s["n_trials"])
            + _td(_est(s["accuracy"], pct=True))
            + _td(_est(s["mean_rt_ms"], fmt="{:.0f}"))
            + _td(_est(slope, fmt="{:.3f}") if slope else "-")
            + _td(", ".join(f"{k} {v}" for k, v in s["outcomes"].items() if v))
            + _td(str(e.path) if e.path else f"{e.members} sessions")
            + "</tr>"
        )
    conditions = sort_conditions({c for e, _ in summaries for c in e.table.conditions})
    cond_rows = []
    for c in conditions:
        cells = "".join(_td(_est(s["by_condition"].get(c), pct=True) if c in s["by_condition"] else "-") for _, s in summaries)
        cond_rows.append(f"<tr>{_td(c)}{cells}</tr>")
    image = base64.b64encode(_png_bytes(fig)).decode("ascii")
    warn = f"<p class='warn'>These sessions ran different tasks: {html.escape(', '.join(tasks))}.</p>" if len(tasks) > 1 else ""
    heading = html.escape(title or f"Comparison: {', '.join(tasks)}")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}
th {{ background: #f3f3f3; }}
img {{ max-width: 100%; }}
.warn {{ color: #a00; }} .note {{ color: #666; font-size: 0.85em; }}
</style></head><body>
<h1>{heading}</h1>
{warn}
<img alt="accuracy per condition, psychometric and chronometric curves" src="data:image/png;base64,{image}">
<h2>Sessions</h2>
<table><tr><th>player</th><th>kind</th><th>task</th><th>timing</th><th>trials</th><th>accuracy [95 % CI]</th>
<th>mean RT ms [95 % CI]</th><th>psychometric slope [95 % CI]</th><th>outcomes</th><th>session</th></tr>
{''.join(rows)}
</table>
<h2>Accuracy per condition</h2>
<table><tr><th>condition</th>{''.join(f'<th>{html.escape(e.label)}</th>' for e, _ in summaries)}</tr>
{''.join(cond_rows)}
</table>
<p class="note">Intervals: percentile bootstrap over trials ({n_boot} resamples, seed {seed}); the slope's from
{200} refits. Agents' reaction times are step-quantised (an agent responds at the end of a {html.escape('dt')} step).
Generated by <code>neurogym-app compare</code>.</p>
</body></html>
"""
    p.write_text(page, encoding="utf-8")
    return p


def _est(d: dict[str, Any] | None, fmt: str = "{:.3f}", pct: bool = False) -> str:
    if not d or d.get("value") is None:
        return "-"
    if pct:
        return f"{100 * d['value']:.1f} % [{100 * d['lo']:.1f}, {100 * d['hi']:.1f}] (n={d['n']})"
    lo = d.get("lo")
    hi = d.get("hi")
    if lo is None or hi is None:
        return fmt.format(d["value"])
    return f"{fmt.format(d['value'])} [{fmt.format(lo)}, {fmt.format(hi)}]"
