"""Dataset: a task as an endless stream of supervised batches (NeuroGym's ``ngym.Dataset``).

``Dataset(env_or_id, ...)()`` returns ``(inputs, targets)``: ``inputs`` of shape
``(seq_len, batch_size, *ob_shape)`` (``batch_first``: ``(batch_size, seq_len, ...)``)
as float32, ``targets`` of shape ``(seq_len, batch_size, *action_shape)`` as int64
for discrete actions and float32 for continuous ones, ready for
``torch.from_numpy``. ``inputs[t]`` pairs with ``targets[t]`` the way the env
judges an action: ``ob[t]`` with ``gt[t]``.

Differences from NeuroGym's Dataset (same arguments, same shapes):

* every call returns new arrays (NeuroGym returns views of a cache that later
  calls overwrite);
* nothing generated is dropped: each batch row is its own stream of trials
  laid end to end, and consecutive calls return consecutive ``seq_len``
  windows of it (NeuroGym throws away the part of a trial that does not fit
  its cache, and the cache's last window);
* ``seed`` makes the batches reproducible; with ``vectorized=False`` row ``b``
  is the trial stream of the task reset with ``seed + b`` (NeuroGym's
  ``Dataset.seed`` convention);
* trials are built fast from the task's one trial definition: its
  ``_new_trial`` runs once for a whole block of trials, once per path through
  its code (``core.lifted``; ``why_not_lifted`` says why not), one generator
  (``seed``) drawing for every row; failing that, it runs trial after trial
  with its declarative calls recorded, then applied to all the trials at once
  (``core.batch``), each row on its own generator (``seed + b``); a trial
  definition that touches its arrays directly goes through ``new_trial``, each
  trial copied straight into the row's buffer.

Wrappers: trial-level wrappers (``TrialWrapper`` subclasses, and the
task-switching ``ScheduleEnvs``/``MultiEnvs``) act, since trials are drawn
through the outermost one and read from whichever task built them. Wrappers
that change observations only in ``step()`` (``changes_observation = True``:
``Noise``, ``PassReward``, ``PassAction``) would be bypassed by trials built
from ``ob``/``gt`` arrays, so Dataset refuses them with a one-line error.

How each kind of task is turned into steps:

* a ``TrialEnv`` whose trials have periods (or set ``ob`` themselves): its
  ``ob``/``gt`` arrays, trial after trial; a ``gt`` shorter than ``ob`` is
  padded with action 0 (a task that never sets a ground truth teaches
  "fixate");
* anything else (a ``BaseEnv`` or plain Gymnasium env, or a ``TrialEnv`` whose
  trials have no arrays): the env is stepped. At each step the input is the
  observation the agent sees, the action taken is the task's ``gt_now`` when
  it has one and otherwise the action space's zero action, and the target is
  the ``info["gt"]`` the step reports (else the action taken). An episode
  that terminates or truncates is followed by ``reset()``.

Batched rows draw from one generator (lifted blocks) or one per row
(``seed + b``, recorded calls) instead of one per trial: the same distribution
as ``new_trial``, not the same numbers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, cast

import gymnasium as gym
import numpy as np

from neurogym_app.core.batch import NotBatchable, build_trials
from neurogym_app.core.lifted import build_lifted, check_liftable
from neurogym_app.core.rng import make_rng
from neurogym_app.core.trial_env import TrialEnv

__all__ = ["Dataset", "target_dtype"]

_MIN_CACHE = 512  # steps a row builds at least per refill (the default cache_len's floor)
_BLOCK_STEPS = 4096  # steps (at least) that one batched refill builds for a row
_LIFTED_ROW_STEPS = 4096  # steps per row (of 16; fewer per row in larger batches) that a lifted refill builds at least
_LIFTED_NUMBERS = 2**23  # a lifted refill builds at most about this many input numbers (32 MiB), beyond the rows' need
_CACHE_NUMBERS = 2**20  # default cache_len: about this many numbers (4 MiB of float32) over the batch


def target_dtype(space: gym.Space) -> np.dtype:
    """int64 for discrete action spaces, float32 for continuous ones."""
    if isinstance(space, (gym.spaces.Discrete, gym.spaces.MultiDiscrete, gym.spaces.MultiBinary)):
        return np.dtype(np.int64)
    dtype = getattr(space, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.integer):
        return np.dtype(np.int64)
    return np.dtype(np.float32)


def _zero_action(space: gym.Space) -> Any:
    if isinstance(space, gym.spaces.Discrete):
        return int(space.start)
    if isinstance(space, gym.spaces.MultiDiscrete):
        return np.asarray(space.start, dtype=space.dtype).copy()
    shape = getattr(space, "shape", None) or ()
    return np.zeros(shape, dtype=getattr(space, "dtype", None) or np.float32)


# --------------------------------------------------------------------------- row streams
class _Row:
    """One batch row's stream of steps; ``produce`` makes at least ``need`` more."""

    def __init__(self, ob_shape: tuple[int, ...], gt_shape: tuple[int, ...], gt_dtype: np.dtype) -> None:
        self.ob_shape = ob_shape
        self.gt_shape = gt_shape
        self.gt_dtype = gt_dtype

    def produce(self, need: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


class _Buffer:
    """Every row's unread steps, in ``(batch, capacity, ...)`` arrays read at one shared position.

    All rows are read ``n`` steps at a time, so one cursor serves them all and
    a batch is a single slice; a row that runs short is topped up in place
    (rows are shifted back to the start only when one reaches the end).
    """

    def __init__(self, rows: list[_Row], ob_shape: tuple[int, ...], gt_shape: tuple[int, ...], gt_dtype: np.dtype, capacity: int) -> None:
        self.rows = rows
        b = len(rows)
        self.ob = np.zeros((b, capacity, *ob_shape), dtype=np.float32)
        self.gt = np.zeros((b, capacity, *gt_shape), dtype=gt_dtype)
        self.fill = np.zeros(b, dtype=np.int64)
        self.pos = 0

    def _room(self, row: int, extra: int) -> None:
        """Make space for ``extra`` more steps in ``row``: shift everything back, then grow."""
        cap = self.ob.shape[1]
        if self.fill[row] + extra <= cap:
            return
        if self.pos:
            keep = int(self.fill.max()) - self.pos
            self.ob[:, :keep] = self.ob[:, self.pos : self.pos + keep]
            self.gt[:, :keep] = self.gt[:, self.pos : self.pos + keep]
            self.fill -= self.pos
            self.pos = 0
        if self.fill[row] + extra > cap:
            new_cap = max(2 * cap, int(self.fill[row]) + extra)
            grow = new_cap - cap
            self.ob = np.concatenate([self.ob, np.zeros((self.ob.shape[0], grow, *self.ob.shape[2:]), self.ob.dtype)], axis=1)
            self.gt = np.concatenate([self.gt, np.zeros((self.gt.shape[0], grow, *self.gt.shape[2:]), self.gt.dtype)], axis=1)

    def read(self, n: int, batch_first: bool, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        end = self.pos + n
        short = np.flatnonzero(self.fill < end)
        # every short row's new steps first, then room for them all at once (one shift of the buffer, not one per row)
        chunks: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        for row in short:
            made = int(self.fill[row])
            while made < end:
                ob, gt = self.rows[row].produce(end - made, **kwargs)
                chunks.setdefault(int(row), []).append((ob, gt))
                made += len(ob)
        if chunks:
            extra = {row: sum(len(ob) for ob, _ in parts) for row, parts in chunks.items()}
            widest = max(extra, key=lambda row: int(self.fill[row]) + extra[row])
            self._room(widest, extra[widest])
        for row, parts in chunks.items():
            for ob, gt in parts:
                k = len(ob)
                f = int(self.fill[row])
                self.ob[row, f : f + k] = ob
                self.gt[row, f : f + k] = gt
                self.fill[row] = f + k
        start = self.pos
        self.pos = end = start + n
        # always copies (ascontiguousarray would hand out a view when batch_size is 1)
        if batch_first:
            return self.ob[:, start:end].copy(), self.gt[:, start:end].copy()
        return self.ob[:, start:end].swapaxes(0, 1).copy(), self.gt[:, start:end].swapaxes(0, 1).copy()


class _BatchRow(_Row):
    """Trials of the task's trial definition, recorded and built ``_BLOCK_STEPS`` at a time on the row's generator."""

    def __init__(self, env: gym.Env, rng: np.random.Generator, *shapes) -> None:
        super().__init__(*shapes)
        self.env = env
        self.rng = rng
        self.shapes = shapes
        self.one_by_one: _TrialRow | None = None  # after a trial that could not be recorded

    def produce(self, need: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        if kwargs:
            raise ValueError("trial variables can only be fixed with Dataset(..., vectorized=False)")
        if self.one_by_one is None:
            try:
                task = self.env.unwrapped
                return build_trials(task, self.rng, max(need, _BLOCK_STEPS), self.ob_shape, self.gt_shape, self.gt_dtype)
            except NotBatchable:  # a trial (not the probe's) touched its arrays: go on with new_trial
                env = copy.deepcopy(self.env)
                first_ob, _ = env.reset(seed=int(self.rng.integers(2**63)))
                self.one_by_one = _TrialRow(env, first_ob, _BLOCK_STEPS, *self.shapes)
        return self.one_by_one.produce(need)


class _LiftedSource:
    """Trials for every row from lifted runs of the task's ``_new_trial`` (``core.lifted``), a block at a time.

    One generator (``seed``) draws a block of trials for all rows at once and
    deals them out (trial ``i`` of a block to row ``i % batch_size``): the
    more trials a lifted run covers, the fewer runs per trial. Should a block
    not run lifted (a rare path of the trial definition, too many paths), the
    rows go on with recorded trials (``_BatchRow``), each on its own generator.
    """

    def __init__(self, env: gym.Env, seed: int, batch_size: int, shapes: tuple) -> None:
        self.env = env
        self.rng = make_rng(seed)
        self.seed = seed
        self.batch_size = batch_size
        self.shapes = shapes
        self.pending: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(batch_size)]
        self.mean_steps = 0.0  # steps per trial, from the last block
        self.paths = 0  # runs of _new_trial that built the last block
        self.recorded: list[_BatchRow] | None = None

    def take(self, row: int, need: int) -> tuple[np.ndarray, np.ndarray]:
        if self.recorded is not None:
            return self.recorded[row].produce(need)
        if not self.pending[row]:
            try:
                self._refill(need)
            except NotBatchable:
                self.recorded = [_BatchRow(self.env, make_rng(self.seed + b), *self.shapes) for b in range(self.batch_size)]
                return self.recorded[row].produce(need)
        return self.pending[row].pop(0)

    def _refill(self, need: int) -> None:
        # Enough trials for every row, and many per path through _new_trial (a run covers all of a path's
        # trials), within about _LIFTED_NUMBERS numbers; sized from the blocks before (the same for the same seed).
        steps = max(self.batch_size * need, 16 * _LIFTED_ROW_STEPS)
        per_trial = self.mean_steps or 16.0
        enough = int(1.1 * steps / per_trial) + self.batch_size  # a margin: rows get their trials by lot
        numbers = max(1, int(np.prod(self.shapes[0], dtype=np.int64)))
        n_trials = max(min(24 * self.paths, int(_LIFTED_NUMBERS / (numbers * per_trial))), enough)
        ob, gt, bounds, self.paths = build_lifted(self.env.unwrapped, self.rng, n_trials, self.shapes, self.batch_size)
        self.mean_steps = max(len(ob) / n_trials, 1.0)
        for b in range(self.batch_size):
            self.pending[b].append((ob[bounds[b] : bounds[b + 1]], gt[bounds[b] : bounds[b + 1]]))


class _LiftedRow(_Row):
    """One row of a ``_LiftedSource``."""

    def __init__(self, source: _LiftedSource, row: int, *shapes) -> None:
        super().__init__(*shapes)
        self.source = source
        self.row = row

    def produce(self, need: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        if kwargs:
            raise ValueError("trial variables can only be fixed with Dataset(..., vectorized=False)")
        return self.source.take(self.row, need)


class _TrialRow(_Row):
    """Trials from ``new_trial`` (through the outermost TrialWrapper), copied into one buffer."""

    def __init__(self, env: gym.Env, first_ob: Any, cache_len: int, *shapes) -> None:
        super().__init__(*shapes)
        self.env = env
        self.cache_len = cache_len
        self._fresh = True  # the trial reset() started is the stream's first

    def produce(self, need: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        # The task is read again after every trial: a wrapper that switches
        # tasks (ScheduleEnvs, MultiEnvs) builds each trial on its current one.
        env = self.env
        task = cast(TrialEnv, env.unwrapped)  # a _TrialRow is made only for TrialEnvs (_has_trial_arrays)
        top = task.trial_maker
        cap = max(need, self.cache_len)
        ob_buf = np.empty((cap, *self.ob_shape), dtype=np.float32)
        gt_buf = np.empty((cap, *self.gt_shape), dtype=self.gt_dtype)
        total = 0
        empty = 0
        while total < need:
            if self._fresh and not kwargs:
                self._fresh = False
            else:
                self._fresh = False
                top.new_trial(**kwargs)
                task = cast("TrialEnv", env.unwrapped)
            ob = task.ob
            n = len(ob)
            if n == 0:
                empty += 1
                if empty > 1000:
                    raise RuntimeError(f"{type(task).__name__}: 1000 trials in a row had no time steps")
                continue
            empty = 0
            gt = task.gt
            if total + n > len(ob_buf):
                grow = max(2 * len(ob_buf), total + n)
                ob_buf = np.concatenate([ob_buf[:total], np.empty((grow - total, *ob_buf.shape[1:]), np.float32)])
                gt_buf = np.concatenate([gt_buf[:total], np.empty((grow - total, *gt_buf.shape[1:]), gt_buf.dtype)])
            ob_buf[total : total + n] = ob
            m = min(len(gt), n)
            gt_buf[total : total + m] = gt[:m]
            if m < n:
                gt_buf[total + m : total + n] = 0
            total += n
        return ob_buf[:total], gt_buf[:total]


class _StepRow(_Row):
    """An env without trial arrays, stepped with its ground truth (or the zero action)."""

    def __init__(self, env: gym.Env, first_ob: Any, cache_len: int, *shapes) -> None:
        super().__init__(*shapes)
        self.env = env
        self.cache_len = cache_len
        self.zero = _zero_action(env.action_space)
        self.ob_now = first_ob

    def _action(self) -> Any:
        task = self.env.unwrapped
        if getattr(task, "tmax", 0) > 0 and hasattr(task, "gt_now"):
            try:
                return task.gt_now
            except (IndexError, AttributeError):
                pass
        return self.zero

    def produce(self, need: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        if kwargs:
            raise ValueError(f"{type(self.env.unwrapped).__name__} is stepped, so its trial variables cannot be fixed")
        n = max(need, min(self.cache_len, 4096))
        ob_buf = np.empty((n, *self.ob_shape), dtype=np.float32)
        gt_buf = np.empty((n, *self.gt_shape), dtype=self.gt_dtype)
        env = self.env
        for i in range(n):
            ob_buf[i] = self.ob_now
            action = self._action()
            ob, _, terminated, truncated, info = env.step(action)
            gt_buf[i] = info.get("gt", action) if isinstance(info, Mapping) else action
            if terminated or truncated:
                ob, _ = env.reset()
            self.ob_now = ob
        return ob_buf, gt_buf


def _observation_changers(env: gym.Env) -> list[str]:
    """Names of the wrappers around ``env`` that change observations in ``step()`` (``changes_observation``)."""
    names = []
    layer = env
    while isinstance(layer, gym.Wrapper):
        if getattr(type(layer), "changes_observation", False) or layer.__dict__.get("changes_observation", False):
            names.append(type(layer).__name__)
        layer = layer.env
    return names


def _bypass_error(names: list[str]) -> ValueError:
    name = names[0]
    return ValueError(
        f"Dataset cannot use an env wrapped by {name}: {name} changes observations only in step(), and Dataset "
        f"builds its inputs from the task's trials, bypassing it; pass the env without {name} "
        f"(and apply its effect to the inputs yourself)"
    )


def _has_trial_arrays(task: Any) -> bool:
    """Whether the task's current trial has ob/gt arrays (periods or an ``ob`` it set)."""
    return isinstance(task, TrialEnv) and task.has_trial_arrays


# --------------------------------------------------------------------------- the dataset
class Dataset:
    """A task as an iterable of supervised ``(inputs, targets)`` batches.

    Args:
        env: a registered id (built with ``ngym.make(env, **env_kwargs)``) or a
            Gymnasium env (each row gets a deep copy).
        env_kwargs: task parameters, with an id.
        batch_size: rows per batch.
        seq_len: steps per batch (default 1000, as NeuroGym).
        max_batch: batches an iteration yields (``for inputs, targets in dataset``
            stops after it, and calling ``dataset()`` past it raises StopIteration).
        batch_first: arrays shaped ``(batch, seq_len, ...)`` instead of ``(seq_len, batch, ...)``.
        cache_len: steps a ``new_trial`` row builds at least each time it runs
            dry (default: about 2**20 numbers over the batch, at least 512
            steps; the batched path builds at least 4096 steps of trials at a
            time). Neither changes the data, only how often it is built.
        seed: row ``b`` is the trial stream of the task reset with ``seed + b``
            (``None``: a fresh random seed, see ``dataset.seed_value``).
        vectorized: build many trials at once from the task's ``_new_trial``
            (lifted runs, else recorded declarative calls; ``None``: when its
            trial definition allows it and no wrapper changes how trials are
            drawn). The batched stream has the same distribution as
            ``new_trial``'s, not the same numbers.

    Calling ``dataset()`` (NeuroGym's way) returns the next batch; keyword
    arguments fix trial variables of the trials built for that batch (the
    ``new_trial`` path only).
    """

    def __init__(
        self,
        env: str | gym.Env,
        env_kwargs: Mapping[str, Any] | None = None,
        batch_size: int = 1,
        seq_len: int | None = None,
        max_batch: float = np.inf,
        batch_first: bool = False,
        cache_len: int | None = None,
        seed: int | None = None,
        vectorized: bool | None = None,
    ) -> None:
        if not isinstance(env, (str, gym.Env)):
            raise TypeError(f"env must be a task id or a gymnasium.Env, got {type(env).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if seq_len is None:
            seq_len = 1000
        if isinstance(seq_len, bool) or not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
            raise ValueError(f"seq_len must be a positive int, got {seq_len!r}")
        if max_batch is None:
            max_batch = np.inf
        self._env_source = env
        self._env_kwargs = dict(env_kwargs or {})
        if isinstance(env, gym.Env) and self._env_kwargs:
            raise ValueError("env_kwargs only apply to a task id; build the env with its parameters instead")
        self.batch_size = int(batch_size)
        self.seq_len = int(seq_len)
        self.max_batch = max_batch
        self.batch_first = bool(batch_first)
        self._i_batch = 0

        self.env = self._new_env()
        task = self.env.unwrapped
        ob_space, act_space = self.env.observation_space, self.env.action_space
        if ob_space.shape is None or act_space.shape is None:
            raise ValueError("the observation and action spaces must have a shape")
        self.ob_shape = tuple(ob_space.shape)
        self.action_shape = tuple(act_space.shape)
        self.inputs_dtype = np.dtype(np.float32)
        self.targets_dtype = target_dtype(act_space)
        if cache_len is None:
            size = int(np.prod(self.ob_shape, dtype=np.int64)) + int(np.prod(self.action_shape, dtype=np.int64))
            cache_len = max(_MIN_CACHE, int(_CACHE_NUMBERS / max(size, 1) / self.batch_size))
        self.cache_len = int(cache_len)
        lead = [self.batch_size, self.seq_len] if self.batch_first else [self.seq_len, self.batch_size]
        self.inputs_shape = tuple(lead) + self.ob_shape
        self.target_shape = tuple(lead) + self.action_shape

        self._observation_changers = _observation_changers(self.env)
        if self._observation_changers and vectorized:
            raise _bypass_error(self._observation_changers)
        plain = (not isinstance(task, TrialEnv) or task.trial_maker is task) and not self._observation_changers
        why_not = self._why_not_batched(task) if plain else "a wrapper draws or changes its trials"
        if vectorized and why_not:
            raise ValueError(f"{type(task).__name__} cannot be batched ({why_not}); use Dataset(..., vectorized=False)")
        self.vectorized = vectorized is not False and not why_not
        #: why the batched trials are recorded trial by trial rather than built by lifted runs (None: lifted)
        self.why_not_lifted = self._why_not_lifted(task) if self.vectorized else "not vectorized"
        self.seed(seed)

    # ------------------------------------------------------------------ set-up
    def _new_env(self) -> gym.Env:
        if isinstance(self._env_source, str):
            from neurogym_app.core import registry

            return registry.make(self._env_source, **self._env_kwargs)
        return copy.deepcopy(self._env_source)

    def _why_not_batched(self, task: Any) -> str | None:
        """Why the task's trials cannot be built from recorded calls (None: they can), from a probe copy."""
        if not isinstance(task, TrialEnv):
            return "it is not a TrialEnv"
        probe = copy.deepcopy(task)
        try:
            build_trials(probe, make_rng(0), 1, self.ob_shape, self.action_shape, self.targets_dtype)
        except NotBatchable as exc:
            return str(exc)
        return None

    def _why_not_lifted(self, task: Any) -> str | None:
        """Why the task's trials cannot be built by lifted runs (None: they can), from a probe copy."""
        return check_liftable(copy.deepcopy(task), (self.ob_shape, self.action_shape, self.targets_dtype))

    def seed(self, seed: int | None = None) -> None:
        """Restart every row's stream: row ``b`` from ``seed + b`` (None: a fresh seed)."""
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
        self.seed_value = int(seed)
        shapes = (self.ob_shape, self.action_shape, self.targets_dtype)
        rows: list[_Row] = []
        if self.vectorized and self.why_not_lifted is None:
            source = _LiftedSource(self.env, self.seed_value, self.batch_size, shapes)
            rows.extend(_LiftedRow(source, b, *shapes) for b in range(self.batch_size))
            self.envs = [self.env]
        elif self.vectorized:
            for b in range(self.batch_size):
                rows.append(_BatchRow(self.env, make_rng(self.seed_value + b), *shapes))
            self.envs = [self.env]
        else:
            envs = [self.env] + [self._new_env() for _ in range(self.batch_size - 1)]
            for b, env in enumerate(envs):
                first_ob, _ = env.reset(seed=self.seed_value + b)
                kind = _TrialRow if _has_trial_arrays(env.unwrapped) else _StepRow
                if kind is _TrialRow and self._observation_changers:
                    raise _bypass_error(self._observation_changers)
                rows.append(kind(env, first_ob, self.cache_len, *shapes))
            self.envs = envs
        self._rows = rows
        self._buffer = _Buffer(rows, self.ob_shape, self.action_shape, self.targets_dtype, 2 * (self.cache_len + self.seq_len))

    # ------------------------------------------------------------------ batches
    def __iter__(self) -> Dataset:
        return self

    def __len__(self) -> int:
        if not np.isfinite(self.max_batch):
            raise TypeError("an endless Dataset (max_batch=inf) has no len()")
        return int(self.max_batch)

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.__next__(**kwargs)

    def __next__(self, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        self._i_batch += 1
        if self._i_batch > self.max_batch:
            self._i_batch = 0
            raise StopIteration
        return self.batch(**kwargs)

    def batch(self, seq_len: int | None = None, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        """The next ``seq_len`` steps of every row (not counted against ``max_batch``)."""
        n = self.seq_len if seq_len is None else int(seq_len)
        if n < 1:
            raise ValueError(f"seq_len must be a positive int, got {seq_len!r}")
        return self._buffer.read(n, self.batch_first, **kwargs)

    def __repr__(self) -> str:
        name = self._env_source if isinstance(self._env_source, str) else type(self.env.unwrapped).__name__
        how = "vectorized" if self.vectorized else "new_trial"
        return f"Dataset({name!r}, batch_size={self.batch_size}, seq_len={self.seq_len}, {how})"
