"""TrialEnv: a Gymnasium env made of trials, each a sequence of timed periods.

The NeuroGym recipe, reimplemented with its known defects fixed:

* one generator per env (``reset(seed=...)``); each trial draws its own
  ``trial_seed`` from it and runs on a generator made from that seed, so
  ``new_trial(**trial)`` rebuilds a recorded trial bit for bit, noise included;
* ``reset()`` returns the first observation of a new trial and takes no hidden
  step (NeuroGym steps once with a random action and reseeds the action space);
* durations are rounded to the nearest ``dt`` and positive ones never vanish;
* ``("until", t)`` timing ends a period at ``t`` ms after the trial start;
* the ``OBNOW`` placeholder is a sentinel object compared by identity.

Step semantics: ``reset`` returns ``ob[0]``; ``step(a)`` judges ``a`` at the
current time step (its period and ``gt``), then advances and returns the next
observation. The supervised ``Dataset`` pairs ``ob[t]`` with ``gt[t]`` the same way.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from neurogym_app.core import timing as timing_mod
from neurogym_app.core.rng import SeedStates, TaskRandom, make_rng, reseed
from neurogym_app.core.spaces import channel_indices
from neurogym_app.core.trial_stats import TrialStatsMixin

__all__ = ["TrialEnv", "PeriodEnv", "BaseEnv", "TrialWrapper", "OBNOW", "AMBIGUOUS", "TaskDefinitionError"]

#: metadata keys every task may set; see docs in ``TrialEnv.metadata``
METADATA_DEFAULTS: dict[str, Any] = {
    "render_modes": [],
    "description": None,
    "paper_name": None,
    "paper_link": None,
    "tags": [],
    # human play: the period a reaction time is measured from, the trial
    # variables that define a condition, a signed stimulus-strength variable
    # (for psychometric curves) and whether a person can play the task at all.
    "rt_from": None,
    "condition_vars": [],
    "strength_var": None,
    "human_playable": True,
    "human_playable_reason": None,
}

TRIAL_SEED_KEY = "trial_seed"


class TaskDefinitionError(RuntimeError):
    """A task used the period/observation API in a way that cannot work."""


class _ObNow:
    """Returned by ``_step`` to mean "the precomputed observation after this step"."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __reduce__(self):
        return (_ObNow, ())

    def __repr__(self) -> str:
        return "OBNOW"


OBNOW = _ObNow()


class _Ambiguous:
    def __repr__(self) -> str:
        return "AMBIGUOUS"


#: ``TrialEnv.sole_period()`` when the step lies in several periods (or the time is off the step grid)
AMBIGUOUS = _Ambiguous()


_PLAIN_NUMBERS = (int, float)

# Kinds of compiled timing specs (TrialEnv.sample_time)
_CONST, _UNIFORM, _CHOICE, _TRUNC_EXP, _GENERAL = range(5)


def _compile_spec(period: str, spec: Any, dt: float) -> tuple[Any, float, int, Any]:
    """``(spec, dt, kind, args)``: what sampling ``spec`` needs, checked once.

    Plain numbers become their rounded duration; immutable ``(name, args)``
    specs keep their arguments; anything else (callables, lists) goes through
    ``timing.sample_duration`` at every draw, as before.
    """
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return (spec, dt, _CONST, timing_mod.round_to_dt(timing_mod.sample_duration(period, spec, None), dt))  # type: ignore[arg-type]
    if type(spec) is tuple and len(spec) == 2 and isinstance(spec[0], str):
        try:
            hash(spec)
        except TypeError:
            return (spec, dt, _GENERAL, None)
        timing_mod.validate_timing(period, spec)
        name, args = spec
        if name == "constant":
            return (spec, dt, _CONST, timing_mod.round_to_dt(float(args), dt))
        if name == "uniform":
            return (spec, dt, _UNIFORM, (args[0], args[1]))
        if name == "choice":
            return (spec, dt, _CHOICE, tuple(args))
        if name == "truncated_exponential":
            return (spec, dt, _TRUNC_EXP, tuple(float(a) for a in args))
    if type(spec) is tuple and spec and all(type(v) in _PLAIN_NUMBERS for v in spec):
        # a tuple of durations is a uniform choice among them: the draw of ("choice", spec)
        timing_mod.validate_timing(period, spec)
        return (spec, dt, _CHOICE, spec)
    return (spec, dt, _GENERAL, None)


def _as_slice(indices: list[int]) -> tuple[Any, bool]:
    """A slice selecting ``indices`` if they are evenly spaced, increasing and >= 0."""
    n = len(indices)
    if n == 0 or any(type(i) is not int for i in indices):
        return indices, False
    first = indices[0]
    if first < 0:
        return indices, False
    if n == 1:
        return slice(first, first + 1), True
    step = indices[1] - first
    if step <= 0:
        return indices, False
    for k in range(2, n):
        if indices[k] - indices[k - 1] != step:
            return indices, False
    return slice(first, indices[-1] + 1, step), True


#: value types that broadcast alike over one merged slice or its parts
_SCALARS = frozenset({int, float, bool, np.float32, np.float64, np.int64, np.int32, np.bool_})


_PY_NUMBERS = frozenset({int, float})


def _exact_on_zero(value: Any) -> bool:
    """Whether ``0 + value`` in float32 is ``value`` cast to float32 (a plain, nonzero, moderate number)."""
    kind = type(value)
    if kind is float:
        return 0.0 < abs(value) < 1e30
    if kind is int:
        return 0 < abs(value) < 2**24
    return False


def _merge_slices(slices: list[slice]) -> list[slice]:
    """``slices`` with each run of back-to-back ones (``stop`` == next ``start``) joined.

    Only plain, non-negative, non-empty-step slices are joined, so the joined
    slice selects exactly the rows of its parts, each once: writing a scalar
    there has the effect of writing it part by part.
    """
    out = [slices[0]]
    for sl in slices[1:]:
        last = out[-1]
        if (
            last.step is None and sl.step is None and type(last.start) is int and type(sl.start) is int
            and type(last.stop) is int and type(sl.stop) is int
            and 0 <= last.start <= last.stop == sl.start <= sl.stop
        ):
            out[-1] = slice(last.start, sl.stop)
        else:
            out.append(sl)
    return out


class _PeriodTimes(dict):
    """``start_t``/``end_t``: a dict that tells its env when a task edits it.

    ``TrialEnv.step`` reads the current period from a per-trial list built from
    these times; a task that moves a period (NeuroGym tasks write
    ``self.start_t[...]`` directly) must make that list be rebuilt.
    """

    __slots__ = ("_owner",)

    def _changed(self) -> None:
        owner = getattr(self, "_owner", None)  # unset while pickle refills the dict
        if owner is not None:
            owner._period_index = None

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self._changed()

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self._changed()

    def pop(self, *args: Any) -> Any:
        out = dict.pop(self, *args)
        self._changed()
        return out

    def popitem(self) -> Any:
        out = dict.popitem(self)
        self._changed()
        return out

    def setdefault(self, key: Any, default: Any = None) -> Any:
        out = dict.setdefault(self, key, default)
        self._changed()
        return out

    def clear(self) -> None:
        dict.clear(self)
        self._changed()

    def __ior__(self, other: Any) -> Any:
        dict.update(self, other)
        self._changed()
        return self


def _period_times(owner: Any) -> _PeriodTimes:
    times = _PeriodTimes()
    times._owner = owner
    return times


def _first_step_at(time: float, dt: float, hint: int | None) -> int:
    """The smallest integer ``k`` with ``k * dt >= time`` (``hint``: a likely answer)."""
    k = hint if type(hint) is int else int(math.ceil(time / dt))
    if k * dt >= time:
        while (k - 1) * dt >= time:
            k -= 1
    else:
        k += 1
        while k * dt < time:
            k += 1
    return k


_set_time = dict.__setitem__
_Until = timing_mod.Until
_round_to_dt = timing_mod.round_to_dt


class BaseEnv(gym.Env):
    """A Gymnasium env with NeuroGym's seeding conveniences (``seed``, ``rng``)."""

    metadata: ClassVar[dict[str, Any]] = dict(METADATA_DEFAULTS)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Fill the metadata keys a task leaves out, so every task answers the
        # same questions (and Gymnasium finds its `render_modes`).
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("metadata")
        if own is not None:
            parent = next((b.__dict__["metadata"] for b in cls.__mro__[1:] if "metadata" in b.__dict__), {})
            cls.metadata = {**METADATA_DEFAULTS, **parent, **own}

    def __init__(self, dt: float = 100):
        super().__init__()
        if not isinstance(dt, (int, float)) or isinstance(dt, bool) or dt <= 0:
            raise ValueError(f"dt must be a positive number of ms, got {dt!r}")
        self.dt = dt
        self.rng: TaskRandom = make_rng()
        self._master_rng: TaskRandom = self.rng

    def seed(self, seed: int | None = None) -> list[int | None]:
        """Seed the env's generator and its spaces (NeuroGym's ``env.seed``)."""
        self._master_rng = make_rng(seed)
        self.rng = self._master_rng
        if getattr(self, "action_space", None) is not None:
            self.action_space.seed(seed)
        if getattr(self, "observation_space", None) is not None:
            self.observation_space.seed(seed)
        return [seed]


class TrialEnv(TrialStatsMixin, BaseEnv):
    """An env whose time runs through trials made of named, timed periods.

    Subclasses set ``observation_space``/``action_space`` (named
    ``ngym.spaces``), ``self.timing`` and ``self.rewards`` in ``__init__``, and
    implement ``_new_trial(**kwargs)`` (returns the trial's variables as a dict)
    and ``_step(action)`` (returns ob, reward, terminated, truncated, info).

    Class attributes:
      ``metadata``: description, paper_name, paper_link, tags, and for human
        play ``rt_from``, ``condition_vars``, ``strength_var``, ``human_playable``;
      ``timing_presets``: named timings, at least ``"human"`` for people.
    """

    timing_presets: ClassVar[dict[str, dict[str, Any]]] = {}

    # per-env caches, made on first use (class defaults: a subclass may read them before TrialEnv.__init__ ran)
    _timing_cache: dict[str, Any] | None = None
    _where_cache: dict[Any, Any] | None = None
    _gt_where_cache: dict[Any, Any] | None = None
    _seed_queue: SeedStates | None = None
    _trial_rng: TaskRandom | None = None
    _period_index: list[str | None] | None = None
    _periods_disjoint = False
    _layout_cache: dict[tuple[str, ...], tuple[Any, ...]] | None = None
    _ob_layout: tuple[Any, tuple[int, ...], Any] | None = None
    _gt_layout: tuple[Any, tuple[int, ...], Any] | None = None

    def __init__(self, dt: float = 100, num_trials_before_reset: int = 10_000_000, r_tmax: float = 0):
        super().__init__(dt=dt)
        self.num_trials_before_reset = num_trials_before_reset
        self.r_tmax = r_tmax
        self.t = 0.0
        self.t_ind = 0
        self.tmax = 0.0
        self.num_tr = 0
        self.performance = 0
        self.rewards: dict[str, float] = {}
        self.timing: dict[str, Any] = {}
        self.timing_preset: str | None = None
        self.trial: dict[str, Any] | None = None
        self._top: gym.Env = self
        self._reset_periods()

    # ------------------------------------------------------------------ timing
    def resolve_timing(self, default: Mapping[str, Any], timing: Mapping[str, Any] | str | None) -> dict[str, Any]:
        """The task's timing: ``default`` updated by a dict or a named preset.

        A preset name (e.g. ``"human"``) picks ``timing_presets[name]``; an
        unknown period name is an error listing the task's periods.
        """
        resolved = dict(default)
        self.timing_preset = "default"
        if timing is None:
            return timing_mod.normalise_timing(resolved)
        if isinstance(timing, str):
            if timing == "default":
                return timing_mod.normalise_timing(resolved)
            if timing not in self.timing_presets:
                known = ", ".join(["default", *self.timing_presets]) or "default"
                raise ValueError(f"{type(self).__name__} has no timing preset {timing!r}; use one of: {known}")
            preset = self.timing_presets[timing]
            stray = [k for k in preset if k not in resolved]
            if stray and resolved:
                raise TaskDefinitionError(
                    f"{type(self).__name__}: timing preset {timing!r} names unknown period {stray[0]!r}"
                )
            resolved.update(preset)
            self.timing_preset = timing
            return timing_mod.normalise_timing(resolved)
        if not isinstance(timing, Mapping):
            raise TypeError(f"timing must be a dict of period -> spec or a preset name, got {type(timing).__name__}")
        unknown = [k for k in timing if k not in resolved]
        if unknown and resolved:
            close = difflib.get_close_matches(unknown[0], list(resolved), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"{type(self).__name__} has no period {unknown[0]!r}; {hint}its periods are: {', '.join(resolved)}"
            )
        resolved.update(timing)
        self.timing_preset = "custom"
        return timing_mod.normalise_timing(resolved)

    def sample_time(self, period: str) -> float:
        """A duration for ``period`` drawn from ``self.timing``, rounded to ``dt``."""
        timing = self.timing
        if period not in timing:
            raise TaskDefinitionError(f"{type(self).__name__}: no timing for period {period!r}")
        spec = timing[period]
        # Performance: a spec is checked once and kept (with dt) until it changes;
        # the draws and results are those of timing.sample_duration.
        cache = self._timing_cache
        if cache is None:
            cache = self._timing_cache = {}
        entry = cache.get(period)
        if entry is None or entry[0] is not spec or entry[1] != self.dt:
            entry = cache[period] = _compile_spec(period, spec, self.dt)
        kind, args = entry[2], entry[3]
        if kind == _CONST:
            return args
        rng = self.rng
        if kind == _UNIFORM:
            raw = float(rng.uniform(args[0], args[1]))
        elif kind == _CHOICE:
            raw = float(args[int(rng.integers(len(args)))])
        elif kind == _TRUNC_EXP:
            raw = timing_mod.truncated_exponential(rng, *args)
        else:
            raw = timing_mod.sample_duration(period, spec, rng)
            if isinstance(raw, timing_mod.Until):
                return raw  # type: ignore[return-value]  # resolved against the start in add_period
        return timing_mod.round_to_dt(raw, self.dt)

    # ----------------------------------------------------------------- periods
    def _reset_periods(self) -> None:
        self._periods: list[str] = []
        self.start_t: dict[str, float] = _period_times(self)
        self.end_t: dict[str, float] = _period_times(self)
        self.start_ind: dict[str, int] = {}
        self.end_ind: dict[str, int] = {}
        self.tmax = 0.0
        self._ob_array: np.ndarray | None = None
        self._gt_array: np.ndarray | None = None
        self._period_index: list[str | None] | None = None

    def _index_periods(self) -> list[str | None]:
        """The period of each time step ``k`` of the trial (at time ``k * dt``), first match.

        ``step`` reads the current period here instead of scanning every
        period's times; the list holds what that scan gives at ``t = k * dt``.
        """
        dt = self.dt
        n = int(round(self.tmax / dt)) if self.tmax > 0 else 0
        index: list[str | None] = [None] * n
        start_t, end_t, start_ind, end_ind = self.start_t, self.end_t, self.start_ind, self.end_ind
        covered = 0
        # later periods first, so that where periods overlap the first one added wins
        for name in reversed(self._periods):
            lo = _first_step_at(start_t[name], dt, start_ind.get(name))
            hi = _first_step_at(end_t[name], dt, end_ind.get(name))
            if lo < 0:
                lo = 0
            if hi > n:
                hi = n
            if hi > lo:
                index[lo:hi] = [name] * (hi - lo)
                covered += hi - lo
        # each step in at most one period: the period of a step is the only one it lies in
        self._periods_disjoint = covered == n - index.count(None)
        # start_t/end_t are _PeriodTimes of this env: an edit after this point resets the index
        if type(start_t) is _PeriodTimes and type(end_t) is _PeriodTimes:
            self._period_index = index
        return index

    def sole_period(self) -> str | None | object:
        """The period of the current step if no other period contains it, else ``AMBIGUOUS``.

        For judges: ``sole_period() == p`` is then ``in_period(p)``, in one lookup.
        ``None`` means the step lies in no period.
        """
        index = self._period_index
        if index is None:
            index = self._index_periods()
        t_ind = self.t_ind
        if self._periods_disjoint and t_ind < len(index) and self.t == t_ind * self.dt:
            return index[t_ind]
        return AMBIGUOUS

    @property
    def periods(self) -> list[str]:
        """Names of the current trial's periods, in the order they were added."""
        return list(self._periods)

    def add_period(
        self,
        period: str | Iterable[str],
        duration: float | None = None,
        before: str | None = None,
        after: str | float | None = None,
        last_period: bool = False,
    ) -> None:
        """Add a period (or several in sequence) to the current trial.

        Without ``after``/``before`` a period follows the last one added.
        ``last_period`` is accepted for NeuroGym compatibility; arrays are
        built lazily on first use, so it is not needed.
        """
        if isinstance(period, str):
            self._add_one_period(period, duration, before, after)
            return
        names = list(period)
        if duration is not None and not isinstance(duration, (list, tuple)):
            raise TaskDefinitionError("add_period with several periods takes a list of durations")
        durations = list(duration) if duration is not None else [None] * len(names)
        if before is None and after is None and self._add_sequence(names, durations):
            return
        # Performance: one call per period (no keyword re-dispatch through add_period)
        add_one = self._add_one_period
        for i, (name, dur) in enumerate(zip(names, durations)):
            if isinstance(name, str):
                add_one(name, dur, before if i == 0 else None, after if i == 0 else None)
            else:
                self.add_period(name, duration=dur, after=after if i == 0 else None, before=before if i == 0 else None)

    def _add_sequence(self, names: list[Any], durations: list[Any]) -> bool:
        """Periods ``names`` one after another; False (nothing done) unless all are names.

        The effect of ``_add_one_period(name, duration, None, None)`` for each
        name, in one loop (the usual ``add_period([...])`` of every trial); a
        duration of None is drawn from the timing.
        """
        for name in names:
            if type(name) is not str:
                return False
        if self._ob_array is not None or self._gt_array is not None:
            self._add_one_period(names[0], None, None, None)  # raises the error of adding after observations
        start_t, end_t, periods = self.start_t, self.end_t, self._periods
        start_ind, end_ind = self.start_ind, self.end_ind
        if not periods and type(start_t) is _PeriodTimes and type(end_t) is _PeriodTimes:
            layout = self._constant_layout(names, durations)
            if layout is not None:
                # every duration is a constant of the timing: the trial's layout is always the same
                _, _, starts, ends, starts_ind, ends_ind, layout_tmax, index_ = layout
                periods.extend(names)
                dict.update(start_t, starts)
                dict.update(end_t, ends)
                start_ind.update(starts_ind)
                end_ind.update(ends_ind)
                if layout_tmax > self.tmax:
                    self.tmax = layout_tmax
                self._period_index = None if index_ is None else list(index_)
                self._periods_disjoint = index_ is not None
                return True
        dt = self.dt
        sample_time = self.sample_time
        start = end_t[periods[-1]] if periods else 0.0
        tmax = self.tmax
        self._period_index = None
        # The per-step period index (see _index_periods), built as we go when the
        # trial starts with this sequence and every boundary lies on the step grid.
        index: list[str | None] | None = (
            [] if not periods and type(start_t) is _PeriodTimes and type(end_t) is _PeriodTimes else None
        )
        for name, duration in zip(names, durations):
            if name in start_t:
                raise TaskDefinitionError(f"{type(self).__name__}: period {name!r} added twice in one trial")
            if duration is None:
                duration = sample_time(name)
            elif type(duration) is not _Until:
                if duration < 0:
                    raise TaskDefinitionError(f"period {name!r} has a negative duration {duration}")
                duration = _round_to_dt(float(duration), dt)
            if type(duration) is _Until:
                duration = max(0.0, _round_to_dt(duration.t, dt) - start)
            end = start + duration
            periods.append(name)
            _set_time(start_t, name, start)
            _set_time(end_t, name, end)
            start_ind[name] = lo = round(start / dt)
            end_ind[name] = hi = round(end / dt)
            if index is not None:
                if lo * dt == start and hi * dt == end:
                    if hi > lo:
                        index += [name] * (hi - lo)  # steps lo..hi-1, right after the previous period's
                else:
                    index = None
            if end > tmax:
                tmax = end
            start = end
        self.tmax = tmax
        if index is not None:
            self._period_index = index
            self._periods_disjoint = True
        return True

    def _constant_layout(self, names: list[str], durations: list[Any]) -> tuple[Any, ...] | None:
        """The layout ``_add_sequence`` gives ``names`` from time 0 if all their durations are constants.

        ``(dt, specs, start_t, end_t, start_ind, end_ind, tmax, index)``, made
        once per sequence of names and kept while ``dt`` and the timing specs
        (by identity) stay the same; None when a duration is given or drawn.
        """
        if type(self).sample_time is not _SAMPLE_TIME:
            return None
        for duration in durations:
            if duration is not None:
                return None
        key = tuple(names)
        cache = self._layout_cache
        if cache is None:
            cache = self._layout_cache = {}
        timing, dt = self.timing, self.dt
        entry = cache.get(key)
        if entry is not None and entry[0] == dt:
            specs = entry[1]
            for name, spec in zip(key, specs):
                if timing.get(name) is not spec:
                    break
            else:
                return entry if entry[2] is not None else None
        entry = cache[key] = self._make_constant_layout(key)
        return entry if entry[2] is not None else None

    def _make_constant_layout(self, names: tuple[str, ...]) -> tuple[Any, ...]:
        timing, dt = self.timing, self.dt
        specs = tuple(timing.get(name) for name in names)
        not_constant = (dt, specs, None)
        if len(set(names)) != len(names):
            return not_constant  # a name twice: the general path reports it
        compiled = self._timing_cache
        if compiled is None:
            compiled = self._timing_cache = {}
        starts, ends, starts_ind, ends_ind = {}, {}, {}, {}
        index: list[str | None] | None = []
        start, tmax = 0.0, 0.0
        for name, spec in zip(names, specs):
            if spec is None:
                return not_constant
            entry = compiled.get(name)
            if entry is None or entry[0] is not spec or entry[1] != dt:
                entry = compiled[name] = _compile_spec(name, spec, dt)
            if entry[2] != _CONST:
                return not_constant
            end = start + entry[3]
            starts[name], ends[name] = start, end
            starts_ind[name] = lo = round(start / dt)
            ends_ind[name] = hi = round(end / dt)
            if index is not None:
                if lo * dt == start and hi * dt == end:
                    index += [name] * (hi - lo)
                else:
                    index = None
            if end > tmax:
                tmax = end
            start = end
        return (dt, specs, starts, ends, starts_ind, ends_ind, tmax, None if index is None else tuple(index))

    def _add_one_period(self, period: str, duration: Any, before: str | None, after: str | float | None) -> None:
        if self._ob_array is not None or self._gt_array is not None:
            raise TaskDefinitionError(
                f"{type(self).__name__}: period {period!r} added after observations were set; add all periods first"
            )
        start_t = self.start_t
        if period in start_t:
            raise TaskDefinitionError(f"{type(self).__name__}: period {period!r} added twice in one trial")
        dt = self.dt
        if duration is None:
            duration = self.sample_time(period)
        elif type(duration) is not _Until:
            if duration < 0:
                raise TaskDefinitionError(f"period {period!r} has a negative duration {duration}")
            duration = _round_to_dt(float(duration), dt)
        end_t = self.end_t
        if after is not None:
            start = end_t[after] if isinstance(after, str) else float(after)
        elif before is not None:
            if type(duration) is _Until:
                raise TaskDefinitionError("an 'until' period cannot be placed before another period")
            start = start_t[before] - duration
        else:
            periods = self._periods
            start = end_t[periods[-1]] if periods else 0.0
        if type(duration) is _Until:
            duration = max(0.0, _round_to_dt(duration.t, dt) - start)
        end = start + duration
        self._periods.append(period)
        # dict.__setitem__: the new trial has no period index to drop yet
        _set_time(start_t, period, start)
        _set_time(end_t, period, end)
        self._period_index = None
        self.start_ind[period] = round(start / dt)  # round() of a float is an int
        self.end_ind[period] = round(end / dt)
        if end > self.tmax:
            self.tmax = end

    @property
    def n_steps(self) -> int:
        """Number of time steps in the current trial."""
        return int(round(self.tmax / self.dt))

    def in_period(self, period: str, t: float | None = None) -> bool:
        """Whether time ``t`` (default: now) lies in ``period`` of this trial."""
        if t is None:
            t = self.t
        start = self.start_t.get(period)
        return start is not None and start <= t < self.end_t[period]

    @property
    def current_period(self) -> str | None:
        """The period the current time step belongs to (first match), or None."""
        t = self.t
        start_t, end_t = self.start_t, self.end_t
        for name in self._periods:
            if start_t[name] <= t < end_t[name]:
                return name
        return None

    def period_at(self, t_ind: int) -> str | None:
        t = t_ind * self.dt
        for name in self._periods:
            if self.start_t[name] <= t < self.end_t[name]:
                return name
        return None

    # ------------------------------------------------------- observation / gt
    @property
    def ob(self) -> np.ndarray:
        if self._ob_array is None:
            self._build_ob()
        return self._ob_array  # type: ignore[return-value]

    @ob.setter
    def ob(self, value: np.ndarray) -> None:
        self._ob_array = value

    @property
    def gt(self) -> np.ndarray:
        if self._gt_array is None:
            self._build_gt()
        return self._gt_array  # type: ignore[return-value]

    @gt.setter
    def gt(self, value: np.ndarray) -> None:
        self._gt_array = value

    def _build_ob(self) -> None:
        space = self.observation_space
        layout = self._ob_layout
        if layout is None or layout[0] is not space:  # (space, row shape, dtype), read once per space
            layout = self._ob_layout = (space, tuple(space.shape), space.dtype)
        self._ob_array = np.zeros((int(round(self.tmax / self.dt)), *layout[1]), dtype=layout[2])

    def _build_gt(self) -> None:
        space = self.action_space
        layout = self._gt_layout
        if layout is None or layout[0] is not space:
            dtype = space.dtype if space.dtype is not None else np.int64
            if isinstance(space, gym.spaces.Discrete):
                dtype = np.int64
            layout = self._gt_layout = (space, tuple(space.shape), dtype)
        self._gt_array = np.zeros((int(round(self.tmax / self.dt)), *layout[1]), dtype=layout[2])

    def _slice(self, period: str | Iterable[str] | None) -> list[slice]:
        if type(period) is str:
            start = self.start_ind.get(period)
            if start is None:
                self._no_period(period)
            return [slice(start, self.end_ind[period])]
        if period is None:
            return [slice(None)]
        if isinstance(period, str):
            return self._slice(str(period))
        return [s for p in period for s in self._slice(p)]

    def _rows(self, period: Any, scalar: bool) -> list[slice]:
        """``_slice(period)``, with back-to-back parts joined when writing a scalar (the same rows)."""
        if type(period) is str:
            start = self.start_ind.get(period)
            if start is None:
                self._no_period(period)
            return [slice(start, self.end_ind[period])]
        if type(period) is list or type(period) is tuple:
            # Performance: named periods read straight from the index dicts (what _slice gives)
            start_ind, end_ind = self.start_ind, self.end_ind
            slices = []
            for name in period:
                if type(name) is not str:
                    slices = self._slice(period)
                    break
                start = start_ind.get(name)
                if start is None:
                    self._no_period(name)
                slices.append(slice(start, end_ind[name]))
        else:
            slices = self._slice(period)
        if scalar and len(slices) > 1:
            return _merge_slices(slices)
        return slices

    def _no_period(self, period: str) -> None:
        raise TaskDefinitionError(
            f"{type(self).__name__}: no period {period!r} in this trial (periods: {', '.join(self._periods)})"
        )

    def _where(self, where: Any, names: Mapping[str, Any] | None) -> Any:
        if where is None:
            return Ellipsis
        if isinstance(where, str):
            return channel_indices(names, where)
        return where

    def _fast_where(self, where: Any, names: Mapping[str, Any] | None) -> tuple[Any, bool]:
        """``_where`` as an index that selects the same channels, and whether it replaced a list.

        Performance: named channels are looked up once per names mapping, and a
        list of increasing non-negative channels becomes a slice (basic
        indexing: the same elements, without numpy's fancy-indexing copies).
        """
        if where is None:
            return Ellipsis, False
        if isinstance(where, str):
            cache = self._where_cache
            if cache is None:
                cache = self._where_cache = {}
            entry = cache.get(where)
            if entry is None or entry[0] is not names:  # one names mapping per space: keyed by name alone
                indices = channel_indices(names, where)
                entry = cache[where] = (names, *_as_slice(indices))
            return entry[1], entry[2]
        if type(where) is list:
            return _as_slice(where)
        return where, False

    def view_ob(self, period: str | None = None) -> np.ndarray:
        """A writable view of the observation during ``period`` (default: whole trial)."""
        (sl,) = self._slice(period)
        return self.ob[sl]

    def view_groundtruth(self, period: str | None = None) -> np.ndarray:
        (sl,) = self._slice(period)
        return self.gt[sl]

    def _apply_ob(self, value: Any, period: Any, where: Any, add: bool) -> None:
        ob = self._ob_array
        fresh = False  # ob was just built as zeros here and nothing else has seen it
        if ob is None:
            if type(self)._build_ob is _BUILD_OB:
                self._build_ob()
                ob = self._ob_array
                fresh = ob is not None and (ob.dtype == np.float32 or ob.dtype == np.float64)
            if ob is None:
                ob = self.ob
        if where is None:
            idx, was_list = Ellipsis, False
        else:
            idx, was_list = self._fast_where(where, getattr(self.observation_space, "name", None))
        kind = type(value)
        if kind in _SCALARS or kind is np.ndarray:
            if type(period) is str:
                start = self.start_ind.get(period)
                if start is None:
                    self._no_period(period)
                slices = [slice(start, self.end_ind[period])]
            else:
                slices = self._rows(period, kind is not np.ndarray)
        elif callable(value):
            for sl in self._slice(period):
                part = ob[sl]
                if idx is Ellipsis:
                    value_now = value(part)
                else:  # a copy, as the fancy index a list gave
                    value_now = value(part[..., idx].copy() if was_list else part[..., idx])
                if idx is Ellipsis:
                    if add:
                        ob[sl] += value_now
                    else:
                        ob[sl] = value_now
                else:
                    block = ob[sl]
                    if add:
                        block[..., idx] += value_now
                    else:
                        block[..., idx] = value_now
            return
        else:
            slices = self._rows(period, False)
        if idx is Ellipsis or type(idx) is slice:
            # Views written in place (``ob[i] += v`` would also copy the view back onto itself).
            if add and fresh and len(slices) == 1 and _exact_on_zero(value):
                add = False  # 0 + value == value in float32: set it (a cheaper operation, the same numbers)
            two_d = ob.ndim == 2
            for sl in slices:
                if idx is Ellipsis:
                    view = ob[sl]
                else:
                    view = ob[sl, idx] if two_d else ob[sl, ..., idx]
                if add:
                    view += value
                else:
                    view[...] = value
        else:
            for sl in slices:
                block = ob[sl]
                if add:
                    block[..., idx] += value
                else:
                    block[..., idx] = value

    def add_ob(self, value: Any, period: Any = None, where: Any = None) -> None:
        """Add ``value`` to the observation in ``period`` at channel(s) ``where``."""
        self._apply_ob(value, period, where, add=True)

    def set_ob(self, value: Any, period: Any = None, where: Any = None) -> None:
        """Set the observation in ``period`` at channel(s) ``where`` to ``value``."""
        self._apply_ob(value, period, where, add=False)

    def add_randn(self, mu: float = 0, sigma: float = 1, period: Any = None, where: Any = None) -> None:
        """Add Gaussian noise (mean ``mu``, sd ``sigma``) to part of the observation."""
        ob = self._ob_array
        if ob is None:
            ob = self.ob
        if where is None:
            idx = Ellipsis
        else:
            idx, _ = self._fast_where(where, getattr(self.observation_space, "name", None))
        standard_normal = self.rng.standard_normal
        dtype = ob.dtype
        two_d = ob.ndim == 2
        # plain numbers: the same sums and products, computed in place in the noise array
        in_place = type(mu) in _PY_NUMBERS and type(sigma) in _PY_NUMBERS
        for sl in self._rows(period, False):
            if idx is Ellipsis or type(idx) is slice:
                if idx is Ellipsis:
                    target = ob[sl]
                else:
                    target = ob[sl, idx] if two_d else ob[sl, ..., idx]
                if in_place:
                    noise = standard_normal(target.shape)
                    if sigma != 1:  # x * 1.0 is x
                        noise *= sigma
                    if mu != 0:  # x + 0 is x (bar the sign of a zero draw, which the sum into ob drops)
                        noise += mu
                else:
                    noise = mu + sigma * standard_normal(target.shape)
                target += noise.astype(dtype, copy=False)
            else:
                block = ob[sl]
                noise = mu + sigma * standard_normal(block[..., idx].shape)
                block[..., idx] += noise.astype(dtype, copy=False)

    def set_groundtruth(self, value: Any, period: Any = None, where: str | None = None) -> None:
        """Set the correct action during ``period``.

        With ``where`` (an action name), ``value`` indexes into that name's
        actions: ``set_groundtruth(1, "decision", where="choice")`` sets the
        second ``choice`` action.
        """
        if where is not None:
            names = getattr(self.action_space, "name", None)
            cache = self._gt_where_cache
            if cache is None:
                cache = self._gt_where_cache = {}
            key = (id(names), where)
            entry = cache.get(key)
            if entry is None or entry[0] is not names:
                entry = cache[key] = (names, channel_indices(names, where))
            value = entry[1][value]
        gt = self._gt_array
        if gt is None:
            gt = self.gt
        for sl in self._rows(period, type(value) in _SCALARS):
            gt[sl] = value

    @property
    def ob_now(self) -> np.ndarray:
        ob = self._ob_array
        return (self.ob if ob is None else ob)[self.t_ind]

    @property
    def gt_now(self) -> Any:
        gt = self._gt_array
        return (self.gt if gt is None else gt)[self.t_ind]

    # ------------------------------------------------------------------ trials
    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        """Start a new trial; keyword arguments fix trial variables.

        ``new_trial(**recorded_trial)`` rebuilds a recorded trial exactly: its
        ``trial_seed`` restores the generator the trial drew from.
        """
        seed = kwargs.pop(TRIAL_SEED_KEY, None) if kwargs else None
        if seed is None:
            # Performance: the same seed as derive_seed(self._master_rng) and the
            # same generator as make_rng(seed), from seeds drawn and hashed in
            # blocks (rng.SeedStates) and one generator reset to each state.
            queue = self._seed_queue
            if queue is None or queue.master is not self._master_rng:
                queue = self._seed_queue = SeedStates(self._master_rng)
            seed, state = queue.next()
            trial_rng = self._trial_rng
            if trial_rng is None:
                trial_rng = self._trial_rng = make_rng(0)
            self.rng = reseed(trial_rng, state)
        else:
            self.rng = make_rng(int(seed))
        self._reset_periods()
        self.t = 0.0
        self.t_ind = 0
        self.performance = 0
        trial = self._new_trial(**kwargs)
        if trial is None:
            trial = {}
        elif type(trial) is not dict:
            trial = dict(trial)
        trial[TRIAL_SEED_KEY] = int(seed)
        if self.tmax <= 0 and self._periods:
            # every period drew 0 ms: stepping would index empty arrays (an IndexError deep in the task)
            raise timing_mod.TimingError(
                f"{type(self).__name__}: every period of the trial lasts 0 ms ({', '.join(self._periods)}); "
                f"a trial needs at least one step of dt = {self.dt:g} ms -- give a period a positive duration"
            )
        self.trial = trial
        self.num_tr += 1
        return trial

    def _new_trial(self, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement _new_trial(**kwargs)")

    def _step(self, action: Any):
        raise NotImplementedError(f"{type(self).__name__} must implement _step(action)")

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start afresh: seed (if given), begin a new trial, return its first observation.

        ``options={"trial": {...}}`` fixes variables of that first trial.
        """
        super().reset(seed=seed)
        if seed is not None:
            self.seed(seed)
        self.num_tr = 0
        trial_kwargs = dict((options or {}).get("trial", {}))
        self._top.new_trial(**trial_kwargs)
        # A copy: the caller may edit info, and step() hands out its own copy too.
        info = {"new_trial": True, "trial": dict(self.trial or {}), "trial_index": 0, "period": self.current_period}
        if self.tmax > 0:
            # a TrialWrapper that replaced the observations of the trial (its own `ob`) shows them from the start
            top = self._top
            own = vars(top).get("ob") if top is not self else None
            return (self.ob if own is None else own)[0], info
        ob = self._first_observation()
        return ob, info

    def _first_observation(self) -> np.ndarray:
        """Observation at the start of a trial that has no periods (override if needed)."""
        return np.zeros(self.observation_space.shape, dtype=self.observation_space.dtype)

    def step(self, action: Any):
        # Performance: the period comes from the trial's per-step index (the
        # scan of current_period at t = t_ind * dt), attributes nothing in
        # between can change are read once; the order of effects is unchanged.
        t = self.t
        t_ind = self.t_ind
        index = self._period_index
        if index is None:
            index = self._index_periods()
        if t == t_ind * self.dt:
            try:
                period = index[t_ind]
            except IndexError:  # past the trial's last step
                period = self.current_period
        else:
            period = self.current_period
        trial_index = self.num_tr - 1
        result = self._step(action)
        try:
            ob, reward, terminated, truncated, info = result
        except ValueError:  # old gym API: ob, reward, done, info
            ob, reward, terminated, info = result
            truncated = False
        judged_ob = self._ob_array  # the trial's array, before a new trial replaces it
        if info is None:
            info = {}
        if "new_trial" in info:
            new_trial = info["new_trial"]
        else:
            info["new_trial"] = new_trial = False
        tmax = self.tmax
        if tmax > 0 and "gt" not in info:
            gt = self._gt_array
            info["gt"] = (self.gt if gt is None else gt)[self.t_ind]
        info["period"] = period
        info["trial_index"] = trial_index
        dt = self.dt
        self.t = t = self.t + dt
        self.t_ind += 1
        if tmax > 0 and t + dt > tmax + 1e-9 and not new_trial:
            info["new_trial"] = new_trial = True
            reward += self.r_tmax
        if new_trial:
            info["performance"] = self.performance
            info["trial"] = dict(self.trial or {})
            # Rewind here too: a wrapper may build the next trial on another task
            # (ScheduleEnvs), and this task's clock must not point past its arrays.
            self.t = 0.0
            self.t_ind = 0
            self._top.new_trial()
        if ob is OBNOW or (judged_ob is not None and (type(ob) is np.ndarray or isinstance(ob, np.ndarray)) and ob.base is judged_ob):
            # NeuroGym tasks return ``self.ob_now`` (the observation just judged);
            # the next observation is the one the agent must act on.
            if self.tmax > 0:
                ob_array = self._ob_array
                ob = (self.ob if ob_array is None else ob_array)[self.t_ind]
        return ob, float(reward), bool(terminated), bool(truncated), info


#: NeuroGym's other name for the same class
PeriodEnv = TrialEnv
_SAMPLE_TIME = TrialEnv.sample_time
_BUILD_OB = TrialEnv._build_ob


class TrialWrapper(gym.Wrapper):
    """Base class for wrappers that act on trials (NeuroGym's ``TrialWrapper``).

    The wrapped task calls ``new_trial`` through the outermost TrialWrapper, so
    a wrapper can override ``new_trial`` to change how trials are drawn.
    Unknown attributes are looked up on the wrapped env, as NeuroGym code expects.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        task = env.unwrapped
        if not isinstance(task, TrialEnv):
            raise TypeError(f"{type(self).__name__} needs a TrialEnv task, got {type(task).__name__}")
        self.task = task
        self.task._top = self

    @property
    def unwrapped(self) -> TrialEnv:  # type: ignore[override]
        return self.task

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        return self.env.new_trial(**kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("env", "task"):
            raise AttributeError(name)
        return getattr(self.env, name)
