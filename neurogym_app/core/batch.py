"""Many trials of a task built at once from its one trial definition (for ``ngym.Dataset``).

A task's ``_new_trial`` is run as usual, trial after trial, but its declarative
calls (``add_ob``, ``set_ob``, ``add_randn``, ``set_groundtruth``) are recorded
instead of written into per-trial arrays. The recorded calls are then applied
to one buffer holding all the trials end to end, one numpy operation per call
site of ``_new_trial`` (the n-th ``add_ob(..., where="stimulus")`` of every
trial is one write), noise drawn in one block. Trials have the task's
distribution (their variables, durations and noise are drawn by the same
code), from one generator per stream instead of one per trial.

A trial definition that reads or writes its arrays directly (``self.ob``,
``view_ob``, a callable value) cannot be recorded: it raises ``NotBatchable``
and the Dataset builds that task's trials with ``new_trial`` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["NotBatchable", "TrialBatch", "build_trials"]


class NotBatchable(Exception):
    """The trial definition touched its arrays directly: build its trials one by one."""


class TrialBatch:
    """The recorded calls of consecutive trials, laid end to end in one buffer."""

    def __init__(self) -> None:
        self.ops: list[tuple[Any, int, Any]] = []  # (call site, trial, value)
        self.sites: dict[Any, tuple[str, Any, list[slice]]] = {}  # call site -> (kind, channels, rows in its trial)
        self.offsets: list[int] = []  # first row of each trial in the buffer
        self.lengths: list[int] = []
        self.offset = 0  # rows recorded so far
        self._rank: dict[Any, int] = {}  # call site -> rank of first appearance
        self._seen: dict[Any, int] = {}  # call -> times made in this trial
        self._last_rank = -1
        self.ordered = True  # every trial made its calls in the order of the sites' first appearance

    def begin_trial(self) -> None:
        self._seen.clear()
        self._last_rank = -1

    def end_trial(self, n_steps: int) -> None:
        self.offsets.append(self.offset)
        self.lengths.append(n_steps)
        self.offset += n_steps

    def record(self, kind: str, call: Any, channels: Any, rows: list[slice], value: Any) -> None:
        """One call: ``kind`` ("add", "set", "randn", "gt") of ``value`` at ``rows`` x ``channels``.

        ``call`` names the call in the trial (kind, period, channels); a call
        site is its n-th making in a trial, with the rows it wrote.
        """
        occurrence = self._seen.get(call, 0)
        self._seen[call] = occurrence + 1
        site = (call, occurrence, tuple((sl.start, sl.stop, sl.step) for sl in rows))
        rank = self._rank.get(site)
        if rank is None:
            rank = self._rank[site] = len(self._rank)
            self.sites[site] = (kind, channels, rows)
        if rank < self._last_rank:
            self.ordered = False
        self._last_rank = rank
        self.ops.append((site, len(self.offsets), value))

    def build(self, rng: np.random.Generator, ob_shape: tuple[int, ...], gt_shape: tuple[int, ...], gt_dtype: Any):
        """The buffers ``(ob, gt)`` of every recorded trial, end to end."""
        ob = np.zeros((self.offset, *ob_shape), dtype=np.float32)
        gt = np.zeros((self.offset, *gt_shape), dtype=gt_dtype)
        offsets, lengths = self.offsets, self.lengths
        if not self.ordered:  # trials disagree on the order of their calls: apply them one by one
            for site, trial, value in self.ops:
                kind, channels, rows = self.sites[site]
                for sl in rows:
                    start, stop, _ = sl.indices(lengths[trial])
                    index = np.arange(offsets[trial] + start, offsets[trial] + stop)
                    _apply(kind, channels, index, np.asarray([stop - start]), [value], ob, gt, rng)
            return ob, gt
        groups: dict[Any, tuple[list[int], list[Any]]] = {}
        for site, trial, value in self.ops:
            group = groups.get(site)
            if group is None:
                group = groups[site] = ([], [])
            group[0].append(trial)
            group[1].append(value)
        offsets_a, lengths_a = np.asarray(offsets, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
        # in the order of first appearance: every trial's calls in its own order (rows of trials are disjoint)
        for site in sorted(groups, key=self._rank.__getitem__):
            kind, channels, rows = self.sites[site]
            trials = np.asarray(groups[site][0], dtype=np.int64)
            values = groups[site][1]
            for sl in rows:
                if sl.step not in (None, 1):
                    raise NotBatchable("a strided period")
                starts, stops = _bounds(sl, lengths_a[trials])
                n = stops - starts
                _apply(kind, channels, concat_ranges(offsets_a[trials] + starts, n), n, values, ob, gt, rng)
        return ob, gt


def _bounds(sl: slice, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sl.indices(length)[:2]`` for each trial length (a period's rows: the same in every trial of the site)."""
    start = np.zeros_like(lengths) if sl.start is None else np.full_like(lengths, sl.start)
    stop = lengths if sl.stop is None else np.minimum(np.full_like(lengths, sl.stop), lengths)
    if sl.start is not None and sl.start < 0 or sl.stop is not None and sl.stop < 0:
        raise NotBatchable("a period with negative rows")
    return np.minimum(start, lengths), np.maximum(stop, np.minimum(start, lengths))


def _hashable(channels: Any) -> Any:
    if isinstance(channels, np.ndarray):
        return ("array", channels.tobytes(), channels.shape)
    if isinstance(channels, list):
        return tuple(channels)
    if isinstance(channels, slice):
        return ("slice", channels.start, channels.stop, channels.step)
    return channels


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(total, dtype=np.int64)
    steps[0] = starts[0]
    # at the first row of each range: jump from the last row of the previous one
    steps[np.cumsum(lengths)[:-1]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(steps)


def _values(values: list[Any], lengths: np.ndarray, width: tuple[int, ...]) -> Any:
    """The values of every op, one per row (broadcastable to ``(rows, *width)``)."""
    values = [np.asarray(v) if isinstance(v, (list, tuple)) else v for v in values]
    first = values[0]
    if all(type(v) is not np.ndarray or v.ndim == 0 for v in values):
        if all(v == first for v in values):
            return first
        per_row = np.repeat(np.asarray(values, dtype=float), lengths)
        return per_row.reshape(-1, *([1] * len(width)))
    arrays = [np.asarray(v, dtype=float) for v in values]
    if all(a.shape == width or a.shape == () for a in arrays):
        stacked = np.stack([np.broadcast_to(a, width) for a in arrays])
        return np.repeat(stacked, lengths, axis=0)
    if all(a.ndim >= 1 and a.shape[0] == n for a, n in zip(arrays, lengths)):
        return np.concatenate([np.broadcast_to(a, (n, *width)) for a, n in zip(arrays, lengths)])
    raise NotBatchable("a value that is neither per channel nor per row")


def _apply(kind: str, channels: Any, rows: np.ndarray, lengths: np.ndarray, values: list[Any], ob: np.ndarray, gt: np.ndarray, rng: np.random.Generator) -> None:
    if kind == "gt":
        target = gt
        index: Any = rows
    else:
        target = ob
        if channels is Ellipsis:
            index = rows
        elif isinstance(channels, (int, np.integer, slice)):
            index = (rows, channels) if ob.ndim == 2 else (rows, Ellipsis, channels)
        else:
            index = np.ix_(rows, np.asarray(channels)) if ob.ndim == 2 else (rows[:, None], Ellipsis, np.asarray(channels))
    if not len(rows):
        return
    width = target[index].shape[1:]
    if kind == "randn":
        mus = _values([v[0] for v in values], lengths, width)
        sigmas = _values([v[1] for v in values], lengths, width)
        noise = rng.standard_normal((len(rows), *width))
        target[index] += (mus + sigmas * noise).astype(target.dtype, copy=False)
        return
    value = _values(values, lengths, width)
    if kind == "add":
        target[index] += value
    else:  # "set", "gt"
        target[index] = value


def build_trials(task: Any, rng: np.random.Generator, need: int, ob_shape, gt_shape, gt_dtype):
    """At least ``need`` steps of the task's trials, built from recorded calls: ``(ob, gt)``.

    Raises ``NotBatchable`` when the trial definition cannot be recorded.
    """
    batch = TrialBatch()
    task.record_into(batch)
    saved_rng = task.rng
    task.rng = rng
    empty = 0
    try:
        while batch.offset < need:
            task.clear_trial()
            task.t, task.t_ind, task.performance = 0.0, 0, 0
            batch.begin_trial()
            task._new_trial()
            n = task.n_steps
            if n == 0:
                if batch.ops and batch.ops[-1][1] == len(batch.offsets):
                    raise NotBatchable("a trial without steps wrote its arrays")
                empty += 1
                if empty > 1000:
                    raise RuntimeError(f"{type(task).__name__}: 1000 trials in a row had no time steps")
                continue
            empty = 0
            batch.end_trial(n)
    finally:
        task.record_into(None)
        task.rng = saved_rng
        task.clear_trial()
    return batch.build(rng, ob_shape, gt_shape, gt_dtype)
