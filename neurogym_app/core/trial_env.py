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
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, NoReturn, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np

from neurogym_app.core import timing as timing_mod
from neurogym_app.core.batch import NotBatchable, TrialBatch
from neurogym_app.core.rng import SeedStates, TaskRandom, make_rng
from neurogym_app.core.spaces import channel_indices
from neurogym_app.core.trial_stats import TrialStatsMixin

__all__ = ["TrialEnv", "PeriodEnv", "BaseEnv", "TrialWrapper", "OBNOW", "TaskDefinitionError", "UnknownNameError"]

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


@runtime_checkable
class TrialMaker(Protocol):
    """What starts a task's next trial: the task itself or its outermost ``TrialWrapper``."""

    def new_trial(self, **kwargs: Any) -> dict[str, Any]: ...


class TaskDefinitionError(RuntimeError):
    """A task used the period/observation API in a way that cannot work.

    ``where``: ``(file, line)`` of the task's code at fault when the traceback
    does not show it (``core.authoring.one_line`` reports it).
    """

    where: tuple[str, int] | None = None


class UnknownNameError(TaskDefinitionError, KeyError):
    """A period, timing or channel name the trial does not have (a ``KeyError``, as NeuroGym raises)."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


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


_Until = timing_mod.Until
_round_to_dt = timing_mod.round_to_dt


class BaseEnv(gym.Env):
    """A Gymnasium env with NeuroGym's seeding conveniences (``seed``, ``rng``)."""

    metadata: dict[str, Any] = dict(METADATA_DEFAULTS)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Fill the metadata keys a task leaves out, so every task answers the
        # same questions (and Gymnasium finds its `render_modes`).
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("metadata")
        if own is not None:
            parent: dict[str, Any] = next((b.__dict__["metadata"] for b in cls.__mro__[1:] if "metadata" in b.__dict__), {})
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
    #: set by tasks with a fixation rule: whether breaking fixation ends the trial
    abort: bool
    #: whether the class draws durations with its own ``sample_time`` (then no layout is reused)
    draws_own_durations: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.draws_own_durations = cls.sample_time is not TrialEnv.sample_time

    # per-env caches, made on first use (class defaults: a subclass may read them before TrialEnv.__init__ ran)
    _timing_cache: dict[str, Any] | None = None
    _where_cache: dict[Any, Any] | None = None
    _column_cache: dict[Any, tuple[Any, Any, bool, bool, Any]] | None = None
    _gt_where_cache: dict[Any, Any] | None = None
    _seed_queue: SeedStates | None = None
    _trial_rng: TaskRandom | None = None
    _layout_cache: dict[tuple[str, ...], tuple[Any, ...]] | None = None
    _ob_layout: tuple[Any, int, tuple[int, ...], Any] | None = None
    #: set while ``core.batch.build_trials`` records the declarative calls of many trials
    _batch: TrialBatch | None = None
    _gt_layout: tuple[Any, int, tuple[int, ...], Any] | None = None

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
        self._top: TrialMaker = self
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
            known = ", ".join(timing) or "none"
            raise UnknownNameError(
                f"{type(self).__name__}: no timing for period {period!r}; add it to self.timing "
                f"(or give add_period a duration); timed periods: {known}"
            )
        spec = timing[period]
        entry = self._compiled_spec(period, spec)
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
            sampled = timing_mod.sample_duration(period, spec, rng)
            if isinstance(sampled, timing_mod.Until):
                return sampled  # type: ignore[return-value]  # resolved against the start in add_period
            raw = sampled
        return timing_mod.round_to_dt(raw, self.dt)

    def _compiled_spec(self, period: str, spec: Any) -> tuple[Any, float, int, Any]:
        """``spec`` checked once and kept (with dt) until it changes: what a draw of it needs."""
        cache = self._timing_cache
        if cache is None:
            cache = self._timing_cache = {}
        entry = cache.get(period)
        if entry is None or entry[0] is not spec or entry[1] != self.dt:
            entry = cache[period] = _compile_spec(period, spec, self.dt)
        return entry

    # ----------------------------------------------------------------- periods
    def _reset_periods(self) -> None:
        self._periods: list[str] = []
        self.start_t: dict[str, float] = {}
        self.end_t: dict[str, float] = {}
        self.start_ind: dict[str, int] = {}
        self.end_ind: dict[str, int] = {}
        self.tmax = 0.0
        self._ob_array: np.ndarray | None = None
        self._gt_array: np.ndarray | None = None
        self._resolved: dict[Any, Any] | None = None  # see _targets

    @property
    def periods(self) -> list[str]:
        """Names of the current trial's periods, in the order they were added."""
        return list(self._periods)

    def add_period(
        self,
        period: str | Iterable[str],
        duration: float | Iterable[float | None] | None = None,
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
            raise TaskDefinitionError(
                f"{type(self).__name__}: add_period of several periods takes a list of durations, got {duration!r}"
            )
        durations = list(duration) if duration is not None else [None] * len(names)
        if len(durations) != len(names):
            raise TaskDefinitionError(
                f"{type(self).__name__}: add_period got {len(names)} periods but {len(durations)} durations"
            )
        if before is None and after is None and not self._periods and duration is None and self._add_layout(names):
            return
        add_one = self._add_one_period
        for i, (name, dur) in enumerate(zip(names, durations)):
            if i:
                before = after = None  # the first is placed; each other one follows the last added
            if type(name) is str:
                add_one(name, dur, before, after)
            else:
                self.add_period(name, dur, before, after)

    def _add_layout(self, names: list[Any]) -> bool:
        """The trial's first periods ``names``, from a layout made once, when all their durations are constants.

        The layout is kept per sequence of names while ``dt`` and the timing
        specs (by identity) stay the same: a trial of constant periods then
        costs four dict copies. False (nothing done) when a duration is drawn.
        """
        if self.draws_own_durations:
            return False
        key = tuple(names)
        cache = self._layout_cache
        if cache is None:
            cache = self._layout_cache = {}
        dt = self.dt
        specs = tuple(map(self.timing.get, key))
        entry = cache.get(key)
        try:
            stale = entry is None or entry[0] != dt or entry[1] != specs
        except ValueError:  # a spec that does not compare to a bool (an array)
            stale = True
        if stale or entry is None:  # (stale already when entry is None; the test tells mypy)
            entry = cache[key] = self._make_layout(key, specs)
        if entry[2] is None:
            return False
        _, _, starts, ends, starts_ind, ends_ind, tmax, resolved = entry
        self._periods = list(key)
        self.start_t, self.end_t = dict(starts), dict(ends)
        self.start_ind, self.end_ind = dict(starts_ind), dict(ends_ind)
        self.tmax = tmax
        space = self.observation_space
        if resolved[0] is not space:  # what _targets resolved is kept per layout and observation space
            resolved[0], resolved[1] = space, {}
        self._resolved = resolved[1]
        return True

    def _make_layout(self, names: tuple[Any, ...], specs: tuple[Any, ...]) -> tuple[Any, ...]:
        dt = self.dt
        not_constant = (dt, specs, None)
        if len(set(names)) != len(names) or any(type(name) is not str for name in names):
            return not_constant  # the period-by-period path reports what is wrong
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        start = 0.0
        for name, spec in zip(names, specs):
            if spec is None:
                return not_constant
            compiled = self._compiled_spec(name, spec)
            if compiled[2] != _CONST:
                return not_constant
            starts[name], ends[name] = start, start + compiled[3]
            start = ends[name]
        starts_ind = {name: round(t / dt) for name, t in starts.items()}
        ends_ind = {name: round(t / dt) for name, t in ends.items()}
        return (dt, specs, starts, ends, starts_ind, ends_ind, max([0.0, *ends.values()]), [None, {}])

    def _add_one_period(self, period: str, duration: Any, before: str | None, after: str | float | None) -> None:
        if self._ob_array is not None or self._gt_array is not None:
            raise TaskDefinitionError(
                f"{type(self).__name__}: period {period!r} added after observations were set; add all periods first"
            )
        if not isinstance(period, str):
            raise TaskDefinitionError(f"{type(self).__name__}: a period name must be a str, got {period!r}")
        start_t = self.start_t
        if period in start_t:
            raise TaskDefinitionError(f"{type(self).__name__}: period {period!r} added twice in one trial")
        dt = self.dt
        if duration is None:
            duration = self.sample_time(period)
        elif type(duration) is not _Until:
            if duration < 0:
                raise TaskDefinitionError(f"{type(self).__name__}: period {period!r} has a negative duration {duration}")
            duration = _round_to_dt(float(duration), dt)
        end_t = self.end_t
        if after is not None:
            if isinstance(after, str) and after not in end_t:
                self._no_period(after)
            start = end_t[after] if isinstance(after, str) else float(after)
        elif before is not None:
            if type(duration) is _Until:
                raise TaskDefinitionError("an 'until' period cannot be placed before another period")
            if before not in start_t:
                self._no_period(before)
            start = start_t[before] - duration
        else:
            periods = self._periods
            start = end_t[periods[-1]] if periods else 0.0
        if type(duration) is _Until:
            duration = max(0.0, _round_to_dt(duration.t, dt) - start)
        end = start + duration
        self._periods.append(period)
        self._resolved = None
        start_t[period] = start
        end_t[period] = end
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
        start = self.start_t.get(period)
        if start is None:
            return False
        return start <= (self.t if t is None else t) < self.end_t[period]

    @property
    def current_period(self) -> str | None:
        """The period the current time step belongs to (the first added, where periods overlap), or None."""
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
            if self._batch is not None:
                raise NotBatchable("the trial reads its observation array")
            self._build_ob()
        return self._ob_array  # type: ignore[return-value]

    @ob.setter
    def ob(self, value: np.ndarray) -> None:
        if self._batch is not None:
            raise NotBatchable("the trial sets its observation array")
        self._ob_array = value

    @property
    def gt(self) -> np.ndarray:
        if self._gt_array is None:
            if self._batch is not None:
                raise NotBatchable("the trial reads its ground-truth array")
            self._build_gt()
        return self._gt_array  # type: ignore[return-value]

    @gt.setter
    def gt(self, value: np.ndarray) -> None:
        if self._batch is not None:
            raise NotBatchable("the trial sets its ground-truth array")
        self._gt_array = value

    def _build_ob(self) -> None:
        space = self.observation_space
        layout = self._ob_layout
        n_steps = round(self.tmax / self.dt)
        if layout is None or layout[0] is not space or layout[1] != n_steps:
            # (space, steps, array shape, dtype): kept while trials have the same length
            layout = self._ob_layout = (space, n_steps, (n_steps, *(space.shape or ())), space.dtype)
        self._ob_array = np.zeros(layout[2], layout[3])

    def _build_gt(self) -> None:
        space = self.action_space
        layout = self._gt_layout
        n_steps = round(self.tmax / self.dt)
        if layout is None or layout[0] is not space or layout[1] != n_steps:
            dtype = np.int64 if isinstance(space, gym.spaces.Discrete) or space.dtype is None else space.dtype
            layout = self._gt_layout = (space, n_steps, (n_steps, *(space.shape or ())), dtype)
        self._gt_array = np.zeros(layout[2], layout[3])

    def _no_period(self, period: Any) -> NoReturn:
        known = ", ".join(self._periods) or "none yet"
        close = difflib.get_close_matches(str(period), self._periods, n=1)
        hint = f"did you mean {close[0]!r}? " if close else f"add it with add_period({period!r}) first; "
        raise UnknownNameError(
            f"{type(self).__name__}: no period {period!r} in this trial; {hint}its periods: {known}"
        )

    def _rows(self, period: Any, scalar: bool = False) -> list[slice]:
        """The row slices of ``period`` (a name, a list of names, or None: the whole trial).

        Writing a scalar, back-to-back periods are joined into one slice (the same rows, one write).
        """
        if period is None:
            return [slice(None)]
        start_ind, end_ind = self.start_ind, self.end_ind
        if isinstance(period, str):
            start = start_ind.get(period)
            if start is None:
                self._no_period(period)
            return [slice(start, end_ind[period])]
        slices = []
        for name in period:
            start = start_ind.get(name)
            if start is None:
                self._no_period(name)
            slices.append(slice(start, end_ind[name]))
        if scalar and len(slices) > 1:
            return _merge_slices(slices)
        return slices

    def _channels(self, where: Any, space: Any) -> tuple[Any, bool]:
        """``where`` as an index into the last axis, and whether it was turned from a list into a slice.

        Named channels are looked up once per space; a list of evenly spaced
        increasing channels becomes a slice (the same elements, written in place
        without numpy's fancy-indexing copies).
        """
        if where is None:
            return Ellipsis, False
        if isinstance(where, str):
            cache = self._where_cache
            if cache is None:
                cache = self._where_cache = {}
            key = (id(space), where)
            entry = cache.get(key)
            if entry is None or entry[0] is not space:
                entry = cache[key] = (space, *_as_slice(self._channel_list(space, where, "observation")))
            return entry[1], entry[2]
        if type(where) is list:
            return _as_slice(where)
        return where, False

    def _targets(self, period: Any, where: Any, scalar: bool) -> list[tuple[Any, bool]]:
        """``[(index, fancy)]``: where ``period`` x ``where`` lies in ``ob``, one index per row slice.

        Resolved once per trial layout: trials of constant timing share their
        layout, so a task's calls cost a dict look-up each after the first trial.
        ``fancy``: the channels are an index array (write through ``ob[index]``,
        which a view of would copy).
        """
        resolved = self._resolved
        if resolved is None:
            resolved = self._resolved = {}
        key: tuple[Any, Any, bool] | None = (
            tuple(period) if type(period) is list else period,
            tuple(where) if type(where) is list else where,
            scalar,
        )
        try:
            targets = resolved.get(key)
        except TypeError:  # an unhashable period or channel index (an array): resolved each call
            key, targets = None, None
        if targets is not None:
            return targets
        channels, _ = self._channels(where, self.observation_space)
        fancy = not (channels is Ellipsis or type(channels) is slice or isinstance(channels, (int, np.integer)))
        two_d = len(self.observation_space.shape or ()) == 1
        targets = [
            (rows if channels is Ellipsis else (rows, channels) if two_d else (rows, Ellipsis, channels), fancy)
            for rows in self._rows(period, scalar)
        ]
        if key is not None:
            resolved[key] = targets
        return targets

    def _one_target(self, period: str | None, where: Any, scalar: bool = False) -> tuple[Any, bool]:
        """``(index, fancy)`` of one named period (or None: the whole trial) x channels ``where``.

        The rows are looked up at each call (two dict reads: no per-layout
        resolving, which trials of drawn durations would redo every trial);
        what ``where`` means is kept per observation space. Writing a scalar
        (``scalar``) to one channel, the index is that channel's int: the same
        elements as its one-wide slice, and numpy adds to a (steps,) view about
        twice as fast as to a (steps, 1) one.
        """
        if period is None:
            rows = slice(None)
        else:
            start = self.start_ind.get(period)
            if start is None:
                self._no_period(period)
            rows = slice(start, self.end_ind[period])
        if where is None:
            return rows, False
        space = self.observation_space
        cache = self._column_cache
        if cache is None:
            cache = self._column_cache = {}
        key = tuple(where) if type(where) is list else where
        try:
            entry = cache.get(key)
        except TypeError:  # an unhashable channel index (an array): resolved each call
            key, entry = None, None
        if entry is None or entry[0] is not space:
            channels, _ = self._channels(where, space)
            fancy = not (channels is Ellipsis or type(channels) is slice or isinstance(channels, (int, np.integer)))
            single = channels
            if type(channels) is slice and channels.step in (None, 1) and channels.stop == channels.start + 1:
                single = channels.start
            entry = (space, channels, fancy, len(space.shape or ()) == 1, single)
            if key is not None:
                cache[key] = entry
        _, channels, fancy, two_d, single = entry
        if scalar:
            channels = single
        return ((rows, channels) if two_d else (rows, Ellipsis, channels)), fancy

    def _gt_rows(self, period: Any, scalar: bool) -> list[slice]:
        resolved = self._resolved
        if resolved is None:
            resolved = self._resolved = {}
        key = ("gt", tuple(period) if type(period) is list else period, scalar)
        try:
            rows = resolved.get(key)
        except TypeError:  # an unhashable period: resolved each call
            return self._rows(period, scalar)
        if rows is None:
            rows = resolved[key] = self._rows(period, scalar)
        return rows

    def _channel_list(self, space: Any, where: str, kind: str) -> list[int]:
        names = getattr(space, "name", None)
        try:
            return channel_indices(names, where)
        except KeyError:
            known = list(names or ())
            close = difflib.get_close_matches(where, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"name it in the {kind} space (name={{...}}) or give an index"
            raise UnknownNameError(
                f"{type(self).__name__}: no {kind} channel named {where!r}; {hint} "
                f"(channels: {', '.join(known) or 'none named'})"
            ) from None

    def view_ob(self, period: str | None = None) -> np.ndarray:
        """A writable view of the observation during ``period`` (default: whole trial)."""
        (rows,) = self._rows(period)
        return self.ob[rows]

    def view_groundtruth(self, period: str | None = None) -> np.ndarray:
        (rows,) = self._gt_rows(period, False)
        return self.gt[rows]

    def _apply_callable(self, value: Any, period: Any, where: Any, add: bool) -> None:
        if self._batch is not None:
            raise NotBatchable("a callable observation value")
        ob = self.ob
        channels, was_list = self._channels(where, self.observation_space)
        for rows in self._rows(period):
            block = ob[rows]
            part = block if channels is Ellipsis else block[..., channels]
            new = value(part.copy() if was_list else part)  # a list of channels gives a copy, as in NeuroGym
            if channels is Ellipsis:
                if add:
                    block += new
                else:
                    block[...] = new
            elif add:
                block[..., channels] += new
            else:
                block[..., channels] = new

    def _record(self, kind: str, value: Any, period: Any, where: Any) -> None:
        """A declarative call recorded for ``core.batch`` (many trials applied at once)."""
        if kind != "randn" and (type(value) is list or type(value) is tuple):
            value = np.asarray(value, dtype=float)
        resolved = self._resolved
        if resolved is None:
            resolved = self._resolved = {}
        call = (kind, tuple(period) if type(period) is list else period, tuple(where) if type(where) is list else where)
        try:
            found = resolved.get(call)
        except TypeError:  # an unhashable channel index (an array)
            call, found = (kind, repr(period), repr(where)), None
        if found is None:
            found = resolved[call] = (self._channels(where, self.observation_space)[0], self._rows(period))
        channels, rows = found
        self._batch.record(kind, call, channels, rows, value)  # type: ignore[union-attr]

    def add_ob(self, value: Any, period: Any = None, where: Any = None) -> None:
        """Add ``value`` to the observation in ``period`` (a name, a list of names, None: all) at channel(s) ``where``."""
        if callable(value) and type(value) is not np.ndarray:
            self._apply_callable(value, period, where, add=True)
            return
        if self._batch is not None:
            self._record("add", value, period, where)
            return
        ob = self._ob_array
        if ob is None:
            ob = self.ob
        try:
            if period is None or type(period) is str:
                index, fancy = self._one_target(period, where, type(value) in _SCALARS)
                if fancy:
                    ob[index] += value
                else:
                    view = ob[index]  # a view, added to in place
                    view += value
                return
            for index, fancy in self._targets(period, where, type(value) in _SCALARS):
                if fancy:
                    ob[index] += value
                else:
                    view = ob[index]
                    view += value
        except ValueError as exc:
            raise self._shape_error("add_ob", value, period, where, exc) from None

    def set_ob(self, value: Any, period: Any = None, where: Any = None) -> None:
        """Set the observation in ``period`` at channel(s) ``where`` to ``value``."""
        if callable(value) and type(value) is not np.ndarray:
            self._apply_callable(value, period, where, add=False)
            return
        if self._batch is not None:
            self._record("set", value, period, where)
            return
        ob = self._ob_array
        if ob is None:
            ob = self.ob
        try:
            if period is None or type(period) is str:
                ob[self._one_target(period, where, type(value) in _SCALARS)[0]] = value
                return
            for index, _ in self._targets(period, where, type(value) in _SCALARS):
                ob[index] = value
        except ValueError as exc:
            raise self._shape_error("set_ob", value, period, where, exc) from None

    def _shape_error(self, call: str, value: Any, period: Any, where: Any, exc: ValueError) -> TaskDefinitionError:
        ob = self.ob
        shapes = sorted({ob[index].shape for index, _ in self._targets(period, where, False)})
        if "broadcast" not in str(exc) or not shapes:
            return TaskDefinitionError(f"{type(self).__name__}: {call}: {exc}")
        shape = shapes[0]
        return TaskDefinitionError(
            f"{type(self).__name__}: {call} got a value of shape {np.shape(value)} for period {period!r} "
            f"x channels {where!r}, which is {' and '.join(map(str, shapes))} (steps, channels); give one number, "
            f"one value per channel {shape[1:]} or one per step {shape}"
        )

    def add_randn(self, mu: float = 0, sigma: float = 1, period: Any = None, where: Any = None) -> None:
        """Add Gaussian noise (mean ``mu``, sd ``sigma``) to part of the observation."""
        if self._batch is not None:
            self._record("randn", (mu, sigma), period, where)
            return
        ob = self._ob_array
        if ob is None:
            ob = self.ob
        standard_normal = self.rng.standard_normal
        plain = type(mu) in _PY_NUMBERS and type(sigma) in _PY_NUMBERS
        targets = [self._one_target(period, where)] if period is None or type(period) is str else self._targets(period, where, False)
        for index, fancy in targets:
            target = ob[index]
            if plain:  # the numbers of mu + sigma * noise, computed in the noise array
                noise = standard_normal(target.shape)
                if sigma != 1:
                    noise *= sigma
                if mu != 0:
                    noise += mu
            else:
                noise = mu + sigma * standard_normal(target.shape)
            if fancy:
                ob[index] += noise.astype(ob.dtype, copy=False)
            else:
                target += noise.astype(ob.dtype, copy=False)

    def set_groundtruth(self, value: Any, period: Any = None, where: str | None = None) -> None:
        """Set the correct action during ``period``.

        With ``where`` (an action name), ``value`` indexes into that name's
        actions: ``set_groundtruth(1, "decision", where="choice")`` sets the
        second ``choice`` action.
        """
        if where is not None:
            space = self.action_space
            cache = self._gt_where_cache
            if cache is None:
                cache = self._gt_where_cache = {}
            key = (id(space), where)
            entry = cache.get(key)
            if entry is None or entry[0] is not space:
                entry = cache[key] = (space, self._channel_list(space, where, "action"))
            try:
                value = entry[1][value]
            except (IndexError, TypeError):
                raise TaskDefinitionError(
                    f"{type(self).__name__}: set_groundtruth({value!r}, where={where!r}): {where!r} has "
                    f"{len(entry[1])} actions; give an index 0..{len(entry[1]) - 1}"
                ) from None
        if self._batch is not None:
            self._batch.record("gt", ("gt", repr(period)), Ellipsis, self._rows(period), value)
            return
        gt = self._gt_array
        if gt is None:
            gt = self.gt
        if type(period) is str:  # one named period: its rows looked up now
            start = self.start_ind.get(period)
            if start is None:
                self._no_period(period)
            gt[start : self.end_ind[period]] = value
            return
        for rows in self._gt_rows(period, type(value) in _SCALARS):
            gt[rows] = value

    # ob_now/gt_now run at every step: the array is there but in the first step of a trial
    @property
    def ob_now(self) -> np.ndarray:
        try:
            return self._ob_array[self.t_ind]  # type: ignore[index]
        except TypeError:  # not built yet (None)
            return self.ob[self.t_ind]

    @property
    def gt_now(self) -> Any:
        try:
            return self._gt_array[self.t_ind]  # type: ignore[index]
        except TypeError:  # not built yet (None)
            return self.gt[self.t_ind]

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
            # blocks (rng.SeedStates) and one generator put in each state.
            queue = self._seed_queue
            if queue is None or queue.master is not self._master_rng:
                queue = self._seed_queue = SeedStates(self._master_rng)
            trial_rng = self._trial_rng
            if trial_rng is None:
                trial_rng = self._trial_rng = make_rng(0)
            seed = queue.advance(trial_rng)
            self.rng = trial_rng
        else:
            self.rng = make_rng(int(seed))
        self._reset_periods()
        self.t = 0.0
        self.t_ind = 0
        self.performance = 0
        trial = self._new_trial(**kwargs)
        if type(trial) is not dict:
            if not isinstance(trial, Mapping):
                error = TaskDefinitionError(
                    f"{type(self).__name__}._new_trial returned {type(trial).__name__}, not the trial's variables; "
                    f"end it with `return trial` (a dict, e.g. {{'ground_truth': ...}})"
                )
                code = getattr(type(self)._new_trial, "__code__", None)
                if code is not None:
                    error.where = (code.co_filename, code.co_firstlineno)
                raise error
            trial = dict(trial)
        trial[TRIAL_SEED_KEY] = seed if type(seed) is int else int(seed)
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
        ob = self.first_observation()
        return ob, info

    def first_observation(self) -> np.ndarray:
        """Observation at the start of a trial that has no periods (override if needed)."""
        return np.zeros(self.observation_space.shape or (), dtype=self.observation_space.dtype)

    @property
    def trial_maker(self) -> TrialMaker:
        """What draws this task's next trial: the task itself or the outermost ``TrialWrapper``."""
        return self._top

    @trial_maker.setter
    def trial_maker(self, maker: TrialMaker) -> None:
        # a wrapper that switches between tasks (ScheduleEnvs, MultiEnvs) draws every member's next trial
        self._top = maker

    @property
    def has_trial_arrays(self) -> bool:
        """Whether the current trial has ob/gt arrays (periods, or an ``ob`` the task set)."""
        return self.tmax > 0 or self._ob_array is not None

    def clear_trial(self) -> None:
        """Forget the current trial's periods and arrays (``core.batch`` does it before each recorded trial)."""
        self._reset_periods()

    def record_into(self, batch: TrialBatch | None) -> None:
        """Record the declarative calls of the next trials into ``batch`` instead of filling arrays (None: stop)."""
        self._batch = batch

    def step(self, action: Any):
        # The period of the step being judged, read before _step (which may start the next trial):
        # current_period's scan, inlined (step is the hot path of every RL loop).
        t = self.t
        start_t, end_t = self.start_t, self.end_t
        period = None
        for name in self._periods:
            if start_t[name] <= t < end_t[name]:
                period = name
                break
        trial_index = self.num_tr - 1
        result = self._step(action)
        try:
            ob, reward, terminated, truncated, info = result
        except ValueError:  # old gym API: ob, reward, done, info
            ob, reward, terminated, info = result
            truncated = False
        # the trial's array, before a new trial replaces it: a row of it returned is the ob just judged
        judged_ob = None if ob is OBNOW else self._ob_array
        if info is None:
            info = {}
        if "new_trial" in info:
            new_trial = info["new_trial"]
        else:
            info["new_trial"] = new_trial = False
        tmax = self.tmax
        t_ind = self.t_ind
        if tmax > 0 and "gt" not in info:
            gt = self._gt_array
            info["gt"] = (self.gt if gt is None else gt)[t_ind]
        info["period"] = period
        info["trial_index"] = trial_index
        dt = self.dt
        self.t = t = self.t + dt
        self.t_ind = t_ind = t_ind + 1
        if new_trial or (tmax > 0 and t + dt > tmax + 1e-9):
            if not new_trial:
                info["new_trial"] = new_trial = True
                reward += self.r_tmax
            info["performance"] = self.performance
            info["trial"] = dict(self.trial or {})
            # Rewind here too: a wrapper may build the next trial on another task
            # (ScheduleEnvs), and this task's clock must not point past its arrays.
            self.t = 0.0
            self.t_ind = t_ind = 0
            self._top.new_trial()
            tmax = self.tmax
        if ob is OBNOW or (
            judged_ob is not None and (type(ob) is np.ndarray or isinstance(ob, np.ndarray)) and ob.base is judged_ob
        ):
            # NeuroGym tasks return ``self.ob_now`` (the observation just judged);
            # the next observation is the one the agent must act on.
            if tmax > 0:
                ob_array = self._ob_array
                ob = (self.ob if ob_array is None else ob_array)[t_ind]
        # converted only when needed: most tasks return Python numbers and bools already
        if type(reward) is not float:
            reward = float(reward)
        if terminated is not False:
            terminated = bool(terminated)
        if truncated is not False:
            truncated = bool(truncated)
        return ob, reward, terminated, truncated, info


#: NeuroGym's other name for the same class
PeriodEnv = TrialEnv


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
    def unwrapped(self) -> TrialEnv:
        return self.task

    def new_trial(self, **kwargs: Any) -> dict[str, Any]:
        inner: TrialMaker = self.env  # type: ignore[assignment]  # a TrialWrapper or the task (checked in __init__)
        return inner.new_trial(**kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("env", "task"):
            raise AttributeError(name)
        return getattr(self.env, name)
