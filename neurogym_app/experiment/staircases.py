"""Adaptive procedures: an n-up/m-down staircase and QUEST+ (pure; questplus imported lazily).

Both have one interface::

    proc = make_procedure(cfg)          # a StaircaseConfig or QuestConfig
    x = proc.next_intensity()           # the value to present on the next trial
    proc.update(x, correct)             # after the trial
    proc.state()                        # what trials.csv records (``adaptive_*`` columns)

A procedure is rebuilt exactly by replaying the recorded ``(intensity,
correct)`` pairs (``--resume``): the staircase ignores the recorded
intensity (it recomputes it), QUEST+ uses it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurogym_app.errors import UserError

__all__ = ["AdaptiveError", "Staircase", "Quest", "make_procedure", "STATE_COLUMNS"]

#: the trials.csv columns of an adaptive task (empty on practice trials)
STATE_COLUMNS = (
    "adaptive_method",
    "adaptive_target",
    "adaptive_intensity",
    "adaptive_trial",
    "adaptive_reversals",
    "adaptive_step",
    "adaptive_estimate",
    "adaptive_estimate_sd",
)


class AdaptiveError(UserError):
    """An adaptive procedure that cannot run (e.g. QUEST+ without questplus)."""


class Staircase:
    """n-up/m-down staircase (see :class:`~neurogym_app.config.experiment.StaircaseConfig`)."""

    method = "staircase"

    def __init__(self, cfg: Any) -> None:
        self.cfg = cfg
        self.x = float(cfg.start)
        self.n_trials = 0
        self.correct_run = 0
        self.wrong_run = 0
        self.last_move: int | None = None  # +1: toward easier, -1: toward harder
        self.reversals: list[float] = []

    @property
    def step(self) -> float:
        steps = self.cfg.steps
        return float(steps[min(len(self.reversals), len(steps) - 1)])

    def next_intensity(self) -> float:
        return self.x

    def update(self, intensity: float | None, correct: bool) -> None:
        """Count one trial; ``intensity`` is ignored (the staircase knows where it is)."""
        self.n_trials += 1
        if correct:
            self.correct_run += 1
            self.wrong_run = 0
            if self.correct_run >= self.cfg.down:
                self.correct_run = 0
                self._move(-1)
        else:
            self.wrong_run += 1
            self.correct_run = 0
            if self.wrong_run >= self.cfg.up:
                self.wrong_run = 0
                self._move(+1)

    def _move(self, easier: int) -> None:
        if self.last_move is not None and easier != self.last_move:
            self.reversals.append(self.x)
        self.last_move = easier
        sign = easier if self.cfg.easier == "higher" else -easier
        step = self.step
        if self.cfg.step_type == "linear":
            x = self.x + sign * step
        elif self.cfg.step_type == "log":
            x = self.x * 10.0 ** (sign * step)
        else:  # dB
            x = self.x * 10.0 ** (sign * step / 20.0)
        if self.cfg.min is not None:
            x = max(float(self.cfg.min), x)
        if self.cfg.max is not None:
            x = min(float(self.cfg.max), x)
        self.x = float(x)

    def estimate(self) -> float | None:
        """Mean of the last ``estimate_reversals`` reversal intensities (geometric for log/dB steps)."""
        last = self.reversals[-int(self.cfg.estimate_reversals) :]
        if not last:
            return None
        if self.cfg.step_type == "linear":
            return float(np.mean(last))
        return float(np.exp(np.mean(np.log(last))))

    def state(self) -> dict[str, Any]:
        return {
            "adaptive_method": self.method,
            "adaptive_target": self.cfg.target,
            "adaptive_trial": self.n_trials,
            "adaptive_reversals": len(self.reversals),
            "adaptive_step": self.step,
            "adaptive_estimate": self.estimate(),
            "adaptive_estimate_sd": None,
        }

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "rule": f"{self.cfg.up}-up/{self.cfg.down}-down", **self.cfg.model_dump(mode="json")}


def _questplus() -> Any:
    try:
        import questplus
    except ImportError as exc:
        raise AdaptiveError(f"QUEST+ needs the questplus package: pip install 'neurogym-app[adaptive]' ({exc})") from None
    return questplus


class Quest:
    """QUEST+ on one intensity (questplus), threshold estimated (and slope if a list is given)."""

    method = "quest"

    def __init__(self, cfg: Any) -> None:
        qp = _questplus()
        self.cfg = cfg
        step = float(cfg.intensity_step)
        self.intensities = np.round(np.arange(cfg.intensity_min, cfg.intensity_max + step / 2, step), 10)
        t_step = float(cfg.threshold_step or step)
        lo = cfg.threshold_min if cfg.threshold_min is not None else cfg.intensity_min
        hi = cfg.threshold_max if cfg.threshold_max is not None else cfg.intensity_max
        thresholds = np.round(np.arange(lo, hi + t_step / 2, t_step), 10)
        if cfg.function == "weibull" and cfg.scale == "linear":
            thresholds = thresholds[thresholds > 0]
        slope = np.asarray(cfg.slope, dtype=float) if isinstance(cfg.slope, list) else float(cfg.slope)
        self._loc, self._spread = ("threshold", "slope") if cfg.function == "weibull" else ("mean", "sd")
        params = {self._loc: thresholds, self._spread: slope, "lower_asymptote": cfg.guess, "lapse_rate": cfg.lapse}
        self.q = qp.QuestPlus(
            stim_domain={"intensity": self.intensities},
            param_domain=params,
            outcome_domain={"response": ["Correct", "Incorrect"]},
            func=cfg.function,
            stim_scale=cfg.scale,
            stim_selection_method="min_entropy",
        )
        self.n_trials = 0

    def next_intensity(self) -> float:
        return float(self.q.next_stim["intensity"])

    def update(self, intensity: float | None, correct: bool) -> None:
        x = self.next_intensity() if intensity is None else float(intensity)
        nearest = float(self.intensities[int(np.argmin(np.abs(self.intensities - x)))])
        self.q.update(stim={"intensity": nearest}, outcome={"response": "Correct" if correct else "Incorrect"})
        self.n_trials += 1

    def estimate(self) -> tuple[float, float]:
        """Posterior mean and sd of the threshold."""
        marginal = self.q.marginal_posterior[self._loc]
        values = np.asarray(self.q.param_domain[self._loc], dtype=float)
        p = np.asarray(marginal, dtype=float)
        p = p / p.sum()
        mean = float(np.sum(values * p))
        sd = float(math.sqrt(max(0.0, float(np.sum((values - mean) ** 2 * p)))))
        return mean, sd

    def state(self) -> dict[str, Any]:
        mean, sd = self.estimate()
        return {
            "adaptive_method": self.method,
            "adaptive_target": self.cfg.target,
            "adaptive_trial": self.n_trials,
            "adaptive_reversals": None,
            "adaptive_step": None,
            "adaptive_estimate": mean,
            "adaptive_estimate_sd": sd,
        }

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "library": "questplus", **self.cfg.model_dump(mode="json")}


def make_procedure(cfg: Any) -> Staircase | Quest:
    """The procedure an ``adaptive`` table describes."""
    return Staircase(cfg) if cfg.method == "staircase" else Quest(cfg)
