"""``neurogym.utils.psychometric``: the probit psychometric function, fitted and drawn.

``plot_psychometric`` needs matplotlib and scipy (the ``plot`` extra); both are
imported when it is called.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["plot_psychometric", "probit"]

_ERF = np.vectorize(math.erf, otypes=[np.float64])


def probit(x: Any, beta: float, alpha: float) -> np.ndarray:
    """Cumulative Gaussian ``Phi(beta * x + alpha)``: P(choosing "right") at signed evidence ``x``."""
    z = (beta * np.asarray(x, dtype=np.float64) + alpha) / math.sqrt(2.0)
    return np.asarray(0.5 * (1.0 + _ERF(z)), dtype=np.float64)


def plot_psychometric(sig_ev: Any, ch: Any, ax: Any, title: str | None = None, legend: str | None = None) -> Any:
    """Fit ``probit`` to choices ``ch`` (1 = right) against signed evidence ``sig_ev`` and draw it on ``ax``.

    Draws the fitted curve, the mean choice at each evidence level with its
    standard error, and reference lines at 0 evidence and P = 0.5. Returns the
    fitted ``(beta, alpha)``. Too few trials to fit is a ``ValueError``.
    """
    from neurogym_app.plots import static

    static.require_matplotlib()
    try:
        from scipy.optimize import curve_fit
    except ImportError:
        raise ImportError("plot_psychometric needs scipy: pip install 'neurogym-app[plot]'") from None
    x = np.asarray(sig_ev, dtype=np.float64)
    y = np.asarray(ch, dtype=np.float64)
    if x.shape != y.shape or x.size < 3:
        raise ValueError(f"plot_psychometric: need >= 3 trials with one evidence value per choice, got {x.size} and {y.size}")
    (beta, alpha), _ = curve_fit(probit, x, y, p0=(1.0 / (np.std(x) or 1.0), 0.0), maxfev=10000)
    grid = np.linspace(x.min(), x.max(), 300)
    (line,) = ax.plot(grid, probit(grid, beta, alpha), label=legend)
    levels = np.unique(x)
    means = np.array([y[x == v].mean() for v in levels])
    sems = np.array([y[x == v].std() / math.sqrt(np.sum(x == v)) for v in levels])
    ax.errorbar(levels, means, yerr=sems, fmt="o", color=line.get_color(), ecolor=line.get_color(), capsize=3)
    ax.axvline(0, linestyle="--", linewidth=0.5, color="gray")
    ax.axhline(0.5, linestyle="--", linewidth=0.5, color="gray")
    ax.set_ylim((-0.05, 1.05))
    ax.set_xlabel("Stimulus evidence")
    ax.set_ylabel("P(Right)")
    ax.set_title(title or "")
    if legend:
        ax.legend()
    return beta, alpha
