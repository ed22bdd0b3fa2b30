"""A task's ``_new_trial`` run once for a whole group of trials (for ``ngym.Dataset``).

In a lifted run ``self.rng`` is a ``LiftedRandom``: each draw returns a
``Lifted`` value, the draws of every trial of the group along a leading axis.
Arithmetic and numpy ufuncs on lifted values work trial by trial (each trial's
value has the shape one trial's draw has), durations drawn by ``sample_time``
are lifted too, so periods start and end at per-trial steps, and the
declarative calls (``add_ob``, ``set_ob``, ``add_randn``, ``set_groundtruth``)
write through per-trial row masks into one ``(trials, steps, ...)`` block.

Python needs a plain value where the trial definition branches or converts
(``if``, ``int()``, ``float()``, ``str()``, an index, ``np.asarray``): a lifted
value whose trials all agree gives it; one whose trials disagree stops the run
(``Split``) and the group is split by that value and each part run again, its
earlier draws replayed. So a task written for one trial runs unchanged, once
per distinct path through its code (a few dozen runs for the reference tasks)
instead of once per trial, and each trial has the task's distribution: its
draws are the task's draws, in the task's order, for its path.

What cannot run lifted raises ``NotBatchable`` (the Dataset then records the
trials one by one, ``core.batch``): reading ``self.ob``, callables, a draw
method without a lifted form, a group that splits into too many paths.
"""

from __future__ import annotations

import math
import operator
import pickle
from typing import Any

import numpy as np

from neurogym_app.core import timing as timing_mod
from neurogym_app.core.batch import NotBatchable, concat_ranges

__all__ = ["Lifted", "LiftedRandom", "Split", "build_lifted", "check_liftable"]


class Split(Exception):
    """A lifted value whose trials disagree was needed as a plain value: split the group by it."""

    def __init__(self, key: np.ndarray) -> None:
        super().__init__("split")
        self.key = key


def _data(x: Any) -> Any:
    return x.data if type(x) is Lifted else x


class Lifted:
    """One value per trial of a group, ``data[i]`` that of trial ``i`` (``data.shape[1:]``: one trial's shape)."""

    __slots__ = ("data", "continuous")
    __array_priority__ = 1000

    def __init__(self, data: np.ndarray, continuous: bool = False) -> None:
        self.data = data
        #: drawn from a continuous law (uniform, normal, ...): its trials (almost) never agree, so needing
        #: it as a plain number would split the group into single trials
        self.continuous = continuous

    # ---------------------------------------------------------------- plain values
    def _one(self) -> Any:
        d = self.data
        first = d[0]
        if len(d) > 1 and not (d == first).all():
            if self.continuous:
                raise NotBatchable("it uses a continuous draw as a plain number (if, int(), float(), an index)")
            raise Split(d.reshape(len(d), -1))
        return first

    def __bool__(self) -> bool:
        return bool(self._one())

    def __int__(self) -> int:
        return int(self._one())

    def __float__(self) -> float:
        return float(self._one())

    def __complex__(self) -> complex:
        return complex(self._one())

    def __index__(self) -> int:
        return operator.index(self._one())

    def __str__(self) -> str:
        return str(self._one())

    def __format__(self, spec: str) -> str:
        return format(self._one(), spec)

    def __hash__(self) -> int:
        return hash(self._one())

    def __repr__(self) -> str:
        return f"Lifted({self.data!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self._one(), dtype=dtype)

    def tolist(self) -> Any:
        return self._one().tolist()

    def item(self, *args: Any) -> Any:
        return self._one().item(*args)

    # ---------------------------------------------------------------- shape of one trial's value
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape[1:]

    @property
    def ndim(self) -> int:
        return self.data.ndim - 1

    @property
    def size(self) -> int:
        return int(np.prod(self.data.shape[1:], dtype=np.int64))

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        if self.data.ndim < 2:
            raise TypeError("len() of a lifted scalar")
        return self.data.shape[1]

    def __iter__(self):
        for i in range(len(self)):
            yield Lifted(self.data[:, i])

    def __getitem__(self, index: Any) -> Lifted:
        parts = index if type(index) is tuple else (index,)
        if any(type(p) is Lifted or p is Ellipsis or p is None for p in parts):
            raise NotBatchable("a lifted value indexed by a drawn value")
        return Lifted(self.data[(slice(None), *parts)], self.continuous)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Lifted:
        data = self.data.astype(dtype, *args, **kwargs)
        return Lifted(data, self.continuous and data.dtype.kind in "fc")

    def copy(self) -> Lifted:
        return Lifted(self.data.copy(), self.continuous)

    # ---------------------------------------------------------------- numpy: trial by trial
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or "out" in kwargs or "where" in kwargs:
            return NotImplemented
        if len(inputs) == 2 and not kwargs:  # the usual case: a lifted value and a number
            a, b = inputs
            if type(a) is Lifted and type(b) in _NUMBERS:
                return Lifted(ufunc(a.data, b), a.continuous and ufunc not in _DISCRETE_UFUNCS)
            if type(b) is Lifted and type(a) in _NUMBERS:
                return Lifted(ufunc(a, b.data), b.continuous and ufunc not in _DISCRETE_UFUNCS)
        ndim = max((x.data.ndim - 1) if type(x) is Lifted else np.ndim(x) for x in inputs)
        args = []
        continuous = False
        for x in inputs:
            if type(x) is Lifted:
                continuous = continuous or x.continuous
                d = x.data
                pad = ndim - (d.ndim - 1)
                args.append(d.reshape(d.shape[:1] + (1,) * pad + d.shape[1:]) if pad else d)
            else:
                args.append(x)
        result = ufunc(*args, **kwargs)
        continuous = continuous and ufunc not in _DISCRETE_UFUNCS
        if type(result) is tuple:
            return tuple(Lifted(r, continuous) for r in result)
        return Lifted(result, continuous)

    def __round__(self, ndigits: int | None = None) -> Lifted:
        if ndigits is None:
            return Lifted(np.rint(self.data).astype(np.int64))
        return Lifted(np.round(self.data, ndigits), self.continuous)

    def __floor__(self) -> Lifted:
        return Lifted(np.floor(self.data))

    def __ceil__(self) -> Lifted:
        return Lifted(np.ceil(self.data))

    def __trunc__(self) -> Lifted:
        return Lifted(np.trunc(self.data))


_NUMBERS = frozenset({int, float, bool, np.float64, np.int64, np.float32, np.int32, np.bool_})

#: ufuncs whose results take few values (comparisons, tests, whole numbers)
_DISCRETE_UFUNCS = frozenset({
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or,
    np.logical_xor, np.logical_not, np.isnan, np.isinf, np.isfinite, np.signbit, np.sign, np.floor, np.ceil,
    np.rint, np.trunc,
})


def _binary(ufunc: Any):
    discrete = ufunc in _DISCRETE_UFUNCS

    def forward(self: Lifted, other: Any) -> Any:
        if type(other) in _NUMBERS:  # the usual case, without numpy's dispatch
            return Lifted(ufunc(self.data, other), self.continuous and not discrete)
        return ufunc(self, other)

    def backward(self: Lifted, other: Any) -> Any:
        if type(other) in _NUMBERS:
            return Lifted(ufunc(other, self.data), self.continuous and not discrete)
        return ufunc(other, self)

    return forward, backward


for _name, _ufunc in [
    ("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("truediv", np.true_divide),
    ("floordiv", np.floor_divide), ("mod", np.remainder), ("pow", np.power), ("divmod", np.divmod),
    ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
]:
    _fwd, _back = _binary(_ufunc)
    setattr(Lifted, f"__{_name}__", _fwd)
    setattr(Lifted, f"__r{_name}__", _back)
for _name, _ufunc in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)]:
    setattr(Lifted, f"__{_name}__", _binary(_ufunc)[0])
for _name, _ufunc in [("neg", np.negative), ("pos", np.positive), ("abs", np.absolute), ("invert", np.invert)]:
    setattr(Lifted, f"__{_name}__", lambda self, _u=_ufunc: _u(self))


# --------------------------------------------------------------------------- draws
def _size(size: Any) -> tuple[int, ...]:
    if size is None:
        return ()
    if isinstance(size, (int, np.integer)):
        return (int(size),)
    return tuple(int(s) for s in size)


class LiftedRandom:
    """The generator a lifted run's task draws from: every draw is made for each trial of the group.

    The draws made so far are kept (``log``) so that a part of a split group
    replays them (``replay``) and takes the same path up to the split.
    """

    def __init__(self, rng: np.random.Generator, n: int, replay: list[np.ndarray]) -> None:
        self._rng = rng
        self.n = n
        self.replay = replay
        self.log: list[np.ndarray] = []

    def _draw(self, make: Any, shape: tuple[int, ...], continuous: bool = True) -> Lifted:
        i = len(self.log)
        if i < len(self.replay):
            data = self.replay[i]
            if data.shape[1:] != shape:
                raise NotBatchable("a trial definition whose draws depend on something other than its earlier draws")
        else:
            data = np.asarray(make((self.n, *shape)))
        self.log.append(data)
        return Lifted(data, continuous)

    # modern names
    def random(self, size: Any = None, dtype: Any = np.float64) -> Lifted:
        return self._draw(lambda s: self._rng.random(s, dtype=dtype), _size(size))

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Lifted:
        return self._draw(lambda s: self._rng.uniform(np.asarray(low), np.asarray(high), s), _size(size))

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Lifted:
        return self._draw(lambda s: self._rng.normal(np.asarray(loc), np.asarray(scale), s), _size(size))

    def standard_normal(self, size: Any = None, dtype: Any = np.float64) -> Lifted:
        return self._draw(lambda s: self._rng.standard_normal(s, dtype=dtype), _size(size))

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Lifted:
        return self._draw(lambda s: self._rng.exponential(np.asarray(scale), s), _size(size))

    def integers(self, low: Any, high: Any = None, size: Any = None, dtype: Any = np.int64, endpoint: bool = False) -> Lifted:
        low, high = np.asarray(low), None if high is None else np.asarray(high)
        return self._draw(lambda s: self._rng.integers(low, high, s, dtype=dtype, endpoint=endpoint), _size(size), False)

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None, axis: int = 0, shuffle: bool = True) -> Lifted:
        population = np.arange(a) if isinstance(a, (int, np.integer)) else np.asarray(a)
        if axis != 0 or population.ndim == 0 or len(population) == 0:
            raise NotBatchable("a choice along another axis")
        n = len(population)
        shape = _size(size)
        if replace:
            if p is None:
                index = self._draw(lambda s: self._rng.integers(0, n, s), shape, False)
            else:
                weights = np.asarray(p, dtype=float)
                index = self._draw(lambda s: self._rng.choice(n, s, p=weights), shape, False)
        else:
            if p is not None:
                raise NotBatchable("a weighted choice without replacement")
            k = int(np.prod(shape, dtype=np.int64))
            if k > n:
                raise ValueError("Cannot take a larger sample than population when replace is False")
            # the first k of a uniformly random order of the population: a uniform draw without replacement
            index = self._draw(lambda s: np.argsort(self._rng.random((s[0], n)), axis=1)[:, :k].reshape(s), shape, False)
        return Lifted(population[index.data])

    # the RandomState names NeuroGym tasks use (as TaskRandom)
    def rand(self, *shape: int) -> Lifted:
        return self.random(shape if shape else None)

    def randn(self, *shape: int) -> Lifted:
        return self.standard_normal(shape if shape else None)

    def randint(self, low: Any, high: Any = None, size: Any = None) -> Lifted:
        return self.integers(low, high, size=size)

    def random_sample(self, size: Any = None) -> Lifted:
        return self.random(size)

    def __getattr__(self, name: str) -> Any:
        raise NotBatchable(f"rng.{name} has no lifted form")


# --------------------------------------------------------------------------- durations
def _lifted_sample_time(task: Any, period: str):
    """``task.sample_time(period)`` drawn for each trial of the group (a plain number when constant).

    The same laws as ``TrialEnv.sample_time`` (``timing.sample_duration`` then
    ``timing.round_to_dt``), one draw per trial; specs without a lifted form
    (callables) are drawn by ``TrialEnv.sample_time`` itself.
    """
    spec = task.timing.get(period)
    dt = task.dt
    rng: LiftedRandom = task.rng
    if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
        return timing_mod.round_to_dt(float(spec), dt)
    args: Any = None
    name, args = spec if type(spec) is tuple and len(spec) == 2 and isinstance(spec[0], str) else (None, None)
    if name is None and type(spec) in (tuple, list) and spec and all(type(v) in (int, float) for v in spec):
        name, args = "choice", spec
    if name == "constant":
        return timing_mod.round_to_dt(float(args), dt)
    if name == "uniform":
        raw = rng.uniform(args[0], args[1]).data
    elif name == "choice":
        values = np.asarray(args, dtype=float)
        raw = values[rng.integers(len(values)).data]
    elif name == "truncated_exponential":
        u = rng.random().data  # one uniform number per trial, mapped as timing.truncated_exponential maps it
        params = [float(a) for a in args]
        mean, vmin, vmax = params[0], params[1] if len(params) > 1 else 0.0, params[2] if len(params) > 2 else math.inf
        if vmin >= vmax:
            raw = np.full(len(u), vmax)
        elif mean <= 0:
            raw = np.full(len(u), vmin)
        else:
            lo = -math.expm1(-vmin / mean)
            hi = 1.0 if math.isinf(vmax) else -math.expm1(-vmax / mean)
            raw = np.minimum(np.maximum(-mean * np.log1p(-(lo + (hi - lo) * u)), vmin), vmax)
    elif callable(spec):
        if not _takes_an_argument(spec):  # it draws from elsewhere: one call would serve every trial of the group
            raise NotBatchable(f"the timing of {period!r} is a callable without the generator argument")
        value = spec(rng)
        if type(value) is not Lifted:
            return timing_mod.round_to_dt(timing_mod.sample_duration(period, value, None), dt)  # type: ignore[arg-type]
        raw = np.asarray(value.data, dtype=float)
        if (raw < 0).any() or not np.isfinite(raw).all():
            raise NotBatchable(f"the timing of {period!r} gave a negative or infinite duration")
    else:
        return type(task).sample_time(task, period)  # its error, or a draw the group splits on
    steps = np.maximum(1, np.floor(raw / dt + 0.5))  # timing.round_to_dt, draw by draw
    return Lifted(np.where(raw <= 0, 0.0, steps * dt))


def _takes_an_argument(spec: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(spec).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


# --------------------------------------------------------------------------- one group's block
def _value(x: Any) -> tuple[Any, bool]:
    """``(value, per_trial)``: a lifted value's data (one per trial along axis 0) or a plain value."""
    if type(x) is Lifted:
        return x.data, True
    if type(x) is list or type(x) is tuple:
        return np.asarray(x, dtype=float), False
    return x, False


class _Sink:
    """The declarative calls of one lifted run, applied to the group's block once the run ends."""

    def __init__(self) -> None:
        self.ops: list[tuple[str, Any, list[slice], Any]] = []

    def record(self, kind: str, call: Any, channels: Any, rows: list[slice], value: Any) -> None:
        if type(channels) is Lifted:
            raise NotBatchable("channels chosen by a drawn value")
        value = (_value(value[0]), _value(value[1])) if kind == "randn" else _value(value)
        self.ops.append((kind, channels, rows, value))


def _shaped(value: tuple[Any, bool], n: int, ndim: int) -> Any:
    """A value shaped to broadcast against a ``(trials, steps, ...)`` target of ``ndim`` axes."""
    v, per_trial = value
    if not per_trial:
        return v
    item = v.shape[1:]
    pad = ndim - 1 - len(item)
    if pad < 0:
        raise NotBatchable("a per-trial value with more axes than what it is written to")
    return v.reshape((n,) + (1,) * pad + item)


def _bound(x: Any, default: Any) -> tuple[Any, bool]:
    """A slice bound as an int, or as ``(n,)`` per-trial steps (``default`` for None)."""
    x = default if x is None else _data(x)
    if type(x) is np.ndarray:
        return x.reshape(-1), True
    return int(x), False


def _row_index(sl: slice, n: int, lengths: np.ndarray, t_max: int, steps: np.ndarray) -> tuple[slice, Any]:
    """The rows ``sl`` selects in every trial of a group: ``(rows, None)`` or a bounding slice and ``(n, rows)`` mask."""
    if sl.step not in (None, 1):
        raise NotBatchable("a strided period")
    start, start_varies = _bound(sl.start, 0)
    stop, stop_varies = _bound(sl.stop, t_max if lengths[0] == t_max and (lengths == t_max).all() else lengths)
    if not (start_varies or stop_varies):
        if start < 0 or stop < 0:
            raise NotBatchable("a period with negative rows")
        return slice(start, stop), None
    starts = np.broadcast_to(start, (n,))
    stops = np.minimum(np.broadcast_to(stop, (n,)), lengths)
    low, high = int(starts.min()), int(stops.max())
    if low < 0 or int(stops.min()) < 0:
        raise NotBatchable("a period with negative rows")
    rows = slice(low, max(low, high))
    window = steps[rows]
    return rows, (window >= starts[:, None]) & (window < stops[:, None])


def _apply_group(ops: list, n: int, lengths: np.ndarray, t_max: int, shapes: tuple, rng: np.random.Generator):
    """The ``(n, t_max, ...)`` ob and gt blocks of one group: its calls applied in order, row masks per trial."""
    ob_shape, gt_shape, gt_dtype = shapes
    ob = np.zeros((n, t_max, *ob_shape), dtype=np.float32)
    gt = np.zeros((n, t_max, *gt_shape), dtype=gt_dtype)
    steps = np.arange(t_max)
    resolved: dict[tuple[int, int], tuple[slice, Any]] = {}  # the slices of one period are the same objects
    for kind, channels, rows, value in ops:
        target = gt if kind == "gt" else ob
        for sl in rows:
            key = (id(sl.start), id(sl.stop))
            found = resolved.get(key)
            if found is None:
                found = resolved[key] = _row_index(sl, n, lengths, t_max, steps)
            row_index, mask = found
            if kind == "gt" or channels is Ellipsis:
                index: Any = (slice(None), row_index)
            else:
                ch = channels if type(channels) is slice or isinstance(channels, (int, np.integer)) else np.asarray(channels)
                index = (slice(None), row_index, ch) if target.ndim == 3 else (slice(None), row_index, Ellipsis, ch)
            fancy = type(index[-1]) is np.ndarray
            part = target[index]  # a view, written in place (a copy with fancy channels, written back)
            if part.size == 0:
                continue
            where = True if mask is None else mask.reshape(mask.shape + (1,) * (part.ndim - 2))
            if kind == "randn":
                mu, sigma = _shaped(value[0], n, part.ndim), _shaped(value[1], n, part.ndim)
                noise = rng.standard_normal(part.shape, dtype=np.float32)
                if not (type(sigma) is not np.ndarray and sigma == 1):
                    noise *= sigma
                if not (type(mu) is not np.ndarray and mu == 0):
                    noise += mu
                np.add(part, noise, out=part, where=where)
            elif kind == "add":
                np.add(part, _shaped(value, n, part.ndim), out=part, where=where, casting="unsafe")
            else:  # "set", "gt"
                np.copyto(part, _shaped(value, n, part.ndim), where=where, casting="unsafe")
            if fancy:
                target[index] = part
    return ob, gt


# --------------------------------------------------------------------------- many trials
#: a group may split into at most this many paths per trial (beyond it, recording trial by trial is cheaper)
_MAX_RUNS_PER_TRIAL = 0.5
_MIN_RUNS = 64


def _run(task: Any, sink: _Sink, rng: LiftedRandom) -> Any:
    """One lifted run of ``task._new_trial``; returns the trials' ``tmax`` (a number or a Lifted)."""
    task.clear_trial()
    task.t, task.t_ind, task.performance = 0.0, 0, 0
    task.rng = rng
    task.record_into(sink)
    task._new_trial()
    return task.tmax


def build_lifted(
    task: Any, rng: np.random.Generator, n_trials: int, shapes: tuple, n_rows: int = 1, limit: bool = True, deep_check: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``n_trials`` trials of ``task`` built by lifted runs, dealt to ``n_rows`` rows: ``(ob, gt, bounds, paths)``.

    Trial ``i`` goes to row ``i % n_rows``; ``ob[bounds[r]:bounds[r + 1]]`` are
    row ``r``'s trials end to end (trials without steps left out); ``paths``:
    the runs that built trials. ``limit``: give up (``NotBatchable``) beyond
    ``_MAX_RUNS_PER_TRIAL`` runs per trial, where recording trial by trial is cheaper.

    Every run must leave the task's own attributes as they were (a trial that
    depends on the ones before needs them built one after the other): checked
    by identity after each run, by value too with ``deep_check`` (the probe).

    Raises ``NotBatchable`` when the trial definition cannot run lifted.
    """
    lengths = np.zeros(n_trials, dtype=np.int64)
    done: list[tuple[np.ndarray, np.ndarray, list]] = []  # (trials, their lengths, the calls of their path)
    groups: list[tuple[np.ndarray, list[np.ndarray]]] = [(np.arange(n_trials), [])]
    max_runs = max(_MIN_RUNS, int(_MAX_RUNS_PER_TRIAL * n_trials)) if limit else None
    runs = 0
    saved = task.rng, task.__dict__.get("sample_time")
    own_sample_time = getattr(type(task), "draws_own_durations", True)
    if not own_sample_time:
        task.sample_time = lambda period: _lifted_sample_time(task, period)
    dt = task.dt
    before = _own_attributes(task), (_state(task) if deep_check else None)
    try:
        while groups:
            members, replay = groups.pop()
            runs += 1
            if max_runs is not None and runs > max_runs:
                raise NotBatchable(f"its trials take more than {max_runs} paths through _new_trial in {n_trials} trials")
            n = len(members)
            draws = LiftedRandom(rng, n, replay)
            sink = _Sink()
            try:
                try:
                    tmax = _run(task, sink, draws)
                finally:
                    _check_state(task, before, deep_check)
                steps = np.broadcast_to(np.rint(np.asarray(_data(tmax), dtype=float) / dt).astype(np.int64).reshape(-1), (n,))
            except Split as split:
                key = split.key
                _, parts = np.unique(key[:, 0] if key.shape[1] == 1 else key, axis=None if key.shape[1] == 1 else 0, return_inverse=True)
                parts = parts.reshape(-1)
                order = np.argsort(parts, kind="stable")
                bounds = np.flatnonzero(np.diff(parts[order])) + 1
                for part in reversed(np.split(order, bounds)):
                    groups.append((members[part], [d[part] for d in draws.log]))
                continue
            if steps.max() <= 0:
                continue  # trials without steps are left out (lengths 0), as build_trials does
            lengths[members] = steps
            done.append((members, steps, sink.ops))
    except NotBatchable as exc:
        where = _where(exc)
        raise NotBatchable(f"{exc} ({where})" if where else str(exc)) from None
    except Exception as exc:  # noqa: BLE001 -- whatever fails lifted is built trial by trial (where a real mistake shows)
        raise NotBatchable(f"its _new_trial does not run lifted ({type(exc).__name__}: {exc}; {_where(exc) or 'here'})") from None
    finally:
        task.record_into(None)
        task.rng = saved[0]
        if not own_sample_time:
            if saved[1] is None:
                del task.sample_time
            else:
                task.sample_time = saved[1]
        task.clear_trial()
    # trial i goes to row i % n_rows; the stream holds row 0's trials, then row 1's, ... each in trial order
    trial = np.arange(n_trials)
    order = np.lexsort((trial, trial % n_rows))
    ends = np.cumsum(lengths[order])
    offsets = np.empty(n_trials, dtype=np.int64)
    offsets[order] = ends - lengths[order]
    row_ends = np.bincount(trial % n_rows, weights=lengths, minlength=n_rows).astype(np.int64).cumsum()
    total = int(ends[-1]) if n_trials else 0
    ob_all = np.empty((total, *shapes[0]), dtype=np.float32)
    gt_all = np.empty((total, *shapes[1]), dtype=shapes[2])
    # the noise is drawn once every path has run: trials do not depend on whether (or how much) noise is added
    for members, steps, ops in _merged(done):
        ob, gt = _apply_group(ops, len(members), steps, int(steps.max()), shapes, rng)
        dest = concat_ranges(offsets[members], steps)
        if (steps == ob.shape[1]).all():
            ob_all[dest] = ob.reshape(-1, *ob.shape[2:])
            gt_all[dest] = gt.reshape(-1, *gt.shape[2:])
        else:
            valid = np.arange(ob.shape[1]) < steps[:, None]  # row-major: trial by trial, each trial's steps in order
            ob_all[dest] = ob[valid]
            gt_all[dest] = gt[valid]
    return ob_all, gt_all, np.concatenate([[0], row_ends]), len(done)


#: trials of paths with the same calls applied together (one numpy operation per call for all of them)
_MERGED_TRIALS = 4096


def _item_shape(value: tuple[Any, bool]) -> tuple[int, ...]:
    v, per_trial = value
    return v.shape[1:] if per_trial else np.shape(v)


def _signature(ops: list) -> tuple:
    """What paths must share to be applied together: the calls, their channels, the shapes of their values."""
    out = []
    for kind, channels, rows, value in ops:
        if isinstance(channels, np.ndarray):
            ch: Any = ("array", channels.tobytes())
        elif type(channels) is slice:
            ch = ("slice", channels.start, channels.stop, channels.step)
        elif isinstance(channels, list):
            ch = tuple(channels)
        else:
            ch = channels
        shapes = (_item_shape(value[0]), _item_shape(value[1])) if kind == "randn" else _item_shape(value)
        bounds = tuple((sl.start is None, sl.stop is None, sl.step) for sl in rows)
        out.append((kind, ch, bounds, shapes))
    return tuple(out)


def _per_trial_values(values: list[tuple[Any, bool]], counts: list[int]) -> tuple[np.ndarray, bool]:
    """The values of several paths, one per trial (the paths' trials in order)."""
    if all(not per_trial and type(v) in _NUMBERS for v, per_trial in values):
        return np.repeat(np.asarray([v for v, _ in values], dtype=float), counts), True
    parts = [v if per_trial else np.broadcast_to(np.asarray(v, dtype=float), (n, *np.shape(v))) for (v, per_trial), n in zip(values, counts)]
    return np.concatenate(parts), True


def _per_trial_bound(bounds: list[Any], counts: list[int], defaults: list[np.ndarray]) -> Lifted:
    parts = []
    for x, n, default in zip(bounds, counts, defaults):
        x = default if x is None else _data(x)
        parts.append(x.reshape(-1) if type(x) is np.ndarray else np.full(n, int(x), dtype=np.int64))
    return Lifted(np.concatenate(parts))


def _merged(done: list[tuple[np.ndarray, np.ndarray, list]]):
    """``done`` with the paths that make the same calls joined, up to ``_MERGED_TRIALS`` trials at a time."""
    by_signature: dict[tuple, list[tuple[np.ndarray, np.ndarray, list]]] = {}
    for entry in done:
        by_signature.setdefault(_signature(entry[2]), []).append(entry)
    for entries in by_signature.values():
        start = 0
        while start < len(entries):
            chunk: list[tuple[np.ndarray, np.ndarray, list]] = []
            total = 0
            while start < len(entries) and (not chunk or total + len(entries[start][0]) <= _MERGED_TRIALS):
                chunk.append(entries[start])
                total += len(entries[start][0])
                start += 1
            if len(chunk) == 1:
                yield chunk[0]
                continue
            counts = [len(members) for members, _, _ in chunk]
            lengths = [steps for _, steps, _ in chunk]
            ops = []
            for j, (kind, channels, rows, _) in enumerate(chunk[0][2]):
                values = [entry[2][j][3] for entry in chunk]
                if kind == "randn":
                    value: Any = (_per_trial_values([v[0] for v in values], counts), _per_trial_values([v[1] for v in values], counts))
                else:
                    value = _per_trial_values(values, counts)
                slices = []
                for k in range(len(rows)):
                    row_slices = [entry[2][j][2][k] for entry in chunk]
                    starts = _per_trial_bound([sl.start for sl in row_slices], counts, [np.zeros(n, np.int64) for n in counts])
                    stops = _per_trial_bound([sl.stop for sl in row_slices], counts, lengths)
                    slices.append(slice(starts, stops))
                ops.append((kind, channels, slices, value))
            yield np.concatenate([m for m, _, _ in chunk]), np.concatenate(lengths), ops


def _where(exc: BaseException) -> str | None:
    """``file:line`` of the task code that needed a plain value (the last frame outside this module)."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    if not frames:
        return None
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"


# --------------------------------------------------------------------------- may a task run lifted?
#: attributes the core itself keeps per trial (they may change from trial to trial)
_CORE_STATE = frozenset({
    "t", "t_ind", "tmax", "num_tr", "performance", "r_tmax", "trial", "rng", "start_t", "end_t", "start_ind",
    "end_ind", "sample_time", "_periods", "_ob_array", "_gt_array", "_resolved", "_timing_cache", "_where_cache",
    "_gt_where_cache", "_seed_queue", "_trial_rng", "_layout_cache", "_ob_layout", "_gt_layout", "_batch",
    "_master_rng", "_top", "_np_random", "_np_random_seed",
})


def _state(task: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in vars(task).items():
        if name in _CORE_STATE:
            continue
        try:
            out[name] = pickle.dumps(value)
        except Exception:  # noqa: BLE001 -- an unpicklable attribute is compared by identity
            out[name] = id(value)
    return out


def _own_attributes(task: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(task).items() if name not in _CORE_STATE}


def _check_state(task: Any, before: tuple[dict[str, Any], dict[str, Any] | None], deep: bool) -> None:
    attributes, pickled = before
    now = _own_attributes(task)
    changed = [name for name in now.keys() | attributes.keys() if now.get(name, _MISSING) is not attributes.get(name, _MISSING)]
    if not changed and deep and pickled is not None:
        state = _state(task)
        changed = [name for name in state.keys() | pickled.keys() if state.get(name) != pickled.get(name)]
    if changed:
        raise NotBatchable(f"its _new_trial changes the task's state ({', '.join(sorted(changed))})")


_MISSING = object()


def check_liftable(task: Any, shapes: tuple, n_trials: int = 256) -> str | None:
    """Why ``task`` (a probe copy: it is changed) cannot build its trials lifted, or None when it can.

    Besides running lifted, its ``_new_trial`` must leave the task's own
    state as it found it: a task whose trials depend on the ones before
    (blocks, histories) needs them built one after the other.
    """
    try:
        build_lifted(task, np.random.default_rng(0), n_trials, shapes, limit=False, deep_check=True)
    except NotBatchable as exc:
        return str(exc)
    return None
