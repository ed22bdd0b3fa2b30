"""Simulated participants: input sources that press keys like a person would.

They send ordinary :class:`KeyEvent`/:class:`PointerEvent` objects through the
runner's input path (the same key map, the same step windows), so a
simulated session exercises exactly what a human session does.

Strategies:

``oracle``
    Sees the first frame of the trial's target response window (the first
    run of non-fixation ground truth at or after the ``rt_from`` period) and
    gives that response after a reaction time drawn from a lognormal
    distribution (``rt_mean_ms``, ``rt_sd_ms``, at least ``rt_min_ms``),
    kept inside the window so the response is judged there.
``random``
    Responds with a uniformly drawn response action at the same kind of
    time (from the ``rt_from`` period's first frame, or the target window).
``lapse``
    The oracle, except that on a fraction ``lapse`` of trials it responds at
    random.
``psychometric``
    An observer with a threshold: on each trial it is correct with
    probability ``guess + (1 - guess - lapse) / (1 + exp(-slope * (x - threshold)))``
    (``width`` = 1 / ``slope``) where ``x`` is the trial's stimulus strength
    in the task's own units: the magnitude of the trial variable ``variable``
    if given, else of the task's ``signed_strength(trial)``, else of its
    ``metadata["strength_var"]`` (e.g. ``coh``; a task attribute of that name
    when the trial has none). ``guess`` defaults to 1 / number of response
    actions (0 for a single go response). Correct: the oracle's response;
    wrong: another response (or a miss / false alarm). Without a strength it
    is the oracle with ``lapse``.

    Threshold and slope not given come from the task's strength range
    (:func:`strength_levels`, the magnitudes of 200 trials drawn from a copy
    of the task with a fixed seed): the threshold is the geometric mean of
    the weakest non-zero and the strongest level (the middle of the range on
    the log scale psychophysical levels are spaced on) and the slope is
    4 / threshold, so the weakest level is near chance and the strongest near
    ceiling, whether strengths are coherences (6.4-51.2) or luminance
    differences (0.02-0.32).

On a turn-based task (``keymap.turn_based``) every trial gets a response
(the task waits for it): with no target in the ground truth it picks at random.

Everything random comes from one seeded ``numpy`` generator.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurogym_app.input.events import InputEvent, KeyEvent, PointerEvent
from neurogym_app.input.keymap import KeyMap
from neurogym_app.runtime.trial_log import first_response_target, signed_strength_of

__all__ = ["STRATEGIES", "RTDistribution", "SimulatedParticipant", "psychometric_defaults", "strength_levels", "trial_strength"]

STRATEGIES = ("oracle", "random", "lapse", "psychometric")
KEY_DOWN_S = 0.08  # how long a simulated key stays down
WINDOW_FILL = 0.9  # responses land within the first 90 % of the target window


@dataclass(frozen=True)
class RTDistribution:
    """Lognormal reaction times with the given mean and sd (ms), shifted to at least ``min_ms``."""

    mean_ms: float = 450.0
    sd_ms: float = 120.0
    min_ms: float = 150.0

    def draw(self, rng: np.random.Generator) -> float:
        m, s = self.mean_ms, max(self.sd_ms, 1e-9)
        sigma2 = math.log(1.0 + (s / m) ** 2)
        mu = math.log(m) - sigma2 / 2.0
        return max(self.min_ms, float(rng.lognormal(mu, math.sqrt(sigma2))))


def trial_strength(task: Any, trial: dict[str, Any], variable: str | None = None) -> float | None:
    """The magnitude of a trial's stimulus strength in the task's units (see the module doc), or None."""
    if variable is None:
        signed = signed_strength_of(task, trial)
        if signed is not None and math.isfinite(signed):
            return abs(signed)
    name = variable or (getattr(task, "metadata", {}) or {}).get("strength_var")
    value = trial.get(name) if name else None
    if value is None and name and task is not None:
        value = getattr(task, name, None)
    if value is None:
        return None
    try:
        x = abs(float(value))
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def strength_levels(task: Any, variable: str | None = None, n: int = 200, seed: int = 0) -> list[float]:
    """The distinct strength magnitudes of ``n`` trials drawn from a copy of ``task`` (fixed seed; the task is untouched)."""
    import copy

    if not callable(getattr(task, "new_trial", None)):
        return []
    try:
        probe = copy.deepcopy(task)
        probe.reset(seed=seed)
        levels = set()
        for _ in range(n):
            x = trial_strength(probe, dict(probe.new_trial()), variable)
            if x is None:
                return []
            levels.add(round(x, 12))
    except Exception:  # a task that cannot be copied or sampled has no range: the caller says so
        return []
    return sorted(levels)


def psychometric_defaults(task: Any, variable: str | None = None) -> tuple[float, float] | None:
    """``(threshold, slope)`` from the task's strength range (see the module doc), or None without a strength."""
    levels = [x for x in strength_levels(task, variable) if x > 0]
    if not levels:
        return None
    lo, hi = levels[0], levels[-1]
    threshold = math.sqrt(lo * hi) if hi > lo else hi / 2.0
    return threshold, 4.0 / threshold


@dataclass
class _Plan:
    trial: int
    action: Any  # None: withhold
    first_step: int
    end_step: int
    scheduled: bool = False


class SimulatedParticipant:
    """A seeded simulated player (``oracle``, ``random`` or ``lapse``).

    Use as a runner source: ``Runner(..., sources=[participant])``.
    """

    kind = "simulated"

    def __init__(
        self,
        keymap: KeyMap,
        strategy: str = "oracle",
        *,
        seed: int | None = None,
        rt: RTDistribution | None = None,
        lapse: float = 0.1,
        threshold: float | None = None,
        width: float | None = None,
        variable: str | None = None,
        guess: float | None = None,
        slope: float | None = None,
        task: Any = None,
    ) -> None:
        if width is not None and slope is not None:
            raise ValueError("give the psychometric slope or its width (1 / slope), not both")
        if width is not None:
            if not width > 0:
                raise ValueError(f"psychometric width must be > 0, got {width}")
            slope = 1.0 / width
        if slope is not None and not (slope > 0 and math.isfinite(slope)):
            raise ValueError(f"psychometric slope must be a positive number, got {slope}")
        if threshold is not None and not math.isfinite(threshold):
            raise ValueError(f"psychometric threshold must be a finite number, got {threshold}")
        if guess is not None and not 0.0 <= guess <= 1.0:
            raise ValueError(f"guess rate must be within 0-1, got {guess}")
        self.threshold = None if threshold is None else float(threshold)
        self.slope = None if slope is None else float(slope)
        self.variable, self.guess = variable, guess
        self.defaults_from: str | None = None  # "task strength range" when threshold/slope were derived
        self._resolved_for: Any = None
        if strategy == "psychometric" and task is not None:
            self.resolve(task)
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown simulated strategy {strategy!r}; use one of: {', '.join(STRATEGIES)}")
        if not 0.0 <= lapse <= 1.0:
            raise ValueError(f"lapse rate must be within 0-1, got {lapse}")
        self.keymap = keymap
        self.strategy = strategy
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.rt = rt or RTDistribution()
        self.lapse = lapse
        self._queue: list[tuple[float, int, InputEvent]] = []
        self._n = 0
        self._plan: _Plan | None = None

    @property
    def width(self) -> float | None:
        return None if self.slope is None else 1.0 / self.slope

    def resolve(self, task: Any) -> None:
        """Fill a threshold or slope not given from ``task``'s strength range (once per task)."""
        task = getattr(task, "unwrapped", task)
        if self._resolved_for is task or (self.threshold is not None and self.slope is not None):
            return
        self._resolved_for = task
        defaults = psychometric_defaults(task, self.variable)
        if defaults is None:
            return
        threshold, slope = defaults
        if self.threshold is None:
            self.threshold = threshold
            self.defaults_from = "task strength range"
        if self.slope is None:
            self.slope = 4.0 / self.threshold if self.threshold > 0 else slope
            self.defaults_from = "task strength range"

    def reseed(self, rng: np.random.Generator) -> None:
        """Draw from ``rng`` from now on and plan the current trial afresh (an experiment reseeds per trial)."""
        self.rng = rng
        self._plan = None

    def describe(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "seed": self.seed,
            "rt_ms": {"mean": self.rt.mean_ms, "sd": self.rt.sd_ms, "min": self.rt.min_ms, "distribution": "lognormal"},
            **({"lapse": self.lapse} if self.strategy in ("lapse", "psychometric") else {}),
            **(
                {
                    "threshold": self.threshold,
                    "slope": self.slope,
                    "width": self.width,
                    "units": "the task's stimulus strength (signed_strength or strength_var)",
                    "defaults_from": self.defaults_from,
                    "variable": self.variable,
                    "guess": self.guess,
                }
                if self.strategy == "psychometric"
                else {}
            ),
        }

    # ------------------------------------------------------------ source API
    def poll(self, now: float) -> list[InputEvent]:
        out = []
        while self._queue and self._queue[0][0] <= now:
            out.append(heapq.heappop(self._queue)[2])
        return out

    def on_frame(self, runner: Any, frame: Any) -> None:
        if frame.phase != "trial" or frame.trial is None:
            return
        log = runner.current_trial
        if log is None:
            return
        if self._plan is None or self._plan.trial != frame.trial:
            self._plan = self._make_plan(runner, log)
        plan = self._plan
        if plan.scheduled or plan.action is None or frame.step < plan.first_step:
            return
        plan.scheduled = True
        window_end = log.step_start(plan.end_step)
        room = max(0.0, (window_end - frame.onset) * WINDOW_FILL)
        delay = self.rt.draw(self.rng) / 1000.0
        if not getattr(self.keymap, "turn_based", False):  # a turn-based task waits for the press
            delay = min(delay, room)
        self._send(plan.action, frame.onset + delay)

    # --------------------------------------------------------------- planning
    def _make_plan(self, runner: Any, log: Any) -> _Plan:
        fixate = self.keymap.fixate
        rt_from = runner.rt_from
        start = log.periods[rt_from][0] if rt_from in log.periods else 0
        target = first_response_target(log.gt_plan, fixate, start) or first_response_target(log.gt_plan, fixate)
        respond_randomly = self.strategy == "random" or (self.strategy == "lapse" and self.rng.random() < self.lapse)
        if target is not None:
            action, first, end = target
        else:
            action = None
            first, end = log.periods.get(rt_from, (start, max(start + 1, len(log.gt_plan))))
        if self.strategy == "psychometric" and not self.keymap.is_box:
            p = self.p_correct(runner, log)
            if self.rng.random() >= p:
                action = self._wrong_action(action)
                if target is None:
                    first, end = log.periods.get(rt_from, (first, end))
        if action is None and getattr(self.keymap, "turn_based", False):
            respond_randomly = True
        if respond_randomly:
            action = self._random_action()
            if target is None:
                first, end = log.periods.get(rt_from, (first, end))
        return _Plan(trial=log.index, action=action, first_step=first, end_step=max(end, first + 1))

    def p_correct(self, runner: Any, log: Any) -> float:
        """P(correct) of the psychometric observer on this trial (1 - lapse without a strength variable)."""
        task = getattr(runner, "task", None)
        if task is not None and (self.threshold is None or self.slope is None):
            self.resolve(task)
        x = trial_strength(task, log.vars, self.variable)
        if x is None or self.threshold is None or self.slope is None:
            return 1.0 - self.lapse
        guess = self.guess
        if guess is None:
            n = len(self.keymap.response_actions)
            guess = 1.0 / n if n > 1 else 0.0
        z = (x - self.threshold) * self.slope
        logistic = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return guess + (1.0 - guess - self.lapse) * logistic

    def _wrong_action(self, correct: Any) -> Any:
        """A response other than ``correct`` (None: withhold, when the only response is the correct one)."""
        others = [a for a in self.keymap.response_actions if correct is None or a != correct]
        if not others:
            return None
        return others[int(self.rng.integers(len(others)))]

    def _random_action(self) -> Any:
        km = self.keymap
        if km.is_box:
            low, high = np.asarray(km.box_low), np.asarray(km.box_high)
            return self.rng.uniform(low, high).astype(np.float32)
        actions = km.response_actions
        return actions[int(self.rng.integers(len(actions)))]

    def _send(self, action: Any, t: float) -> None:
        km = self.keymap
        if km.is_box:
            xy = km.pointer_for(action)
            self._push(PointerEvent(xy[0], xy[1], t, "press"))
            self._push(PointerEvent(xy[0], xy[1], t + KEY_DOWN_S, "release"))
            return
        keys = km.keys_for(int(action))
        if keys:
            self._push(KeyEvent(keys[0], t, "press"))
            self._push(KeyEvent(keys[0], t + KEY_DOWN_S, "release"))
            return
        binding = km.binding_for_action(int(action))
        if binding is not None and binding.angle is not None:
            x, y = math.cos(binding.angle), math.sin(binding.angle)
            self._push(PointerEvent(x, y, t, "press"))
            self._push(PointerEvent(x, y, t + KEY_DOWN_S, "release"))

    def _push(self, event: InputEvent) -> None:
        self._n += 1
        heapq.heappush(self._queue, (event.t, self._n, event))
