"""Where the points of a sweep run: a local process pool, or a Ray cluster.

Both hand each point to an existing scheduler (``concurrent.futures`` or Ray)
and yield ``(job, outcome)`` as points finish, in finishing order; ``outcome``
is what the point function returned, or the exception that lost it (a worker
that died). The sweep orders its table by the grid, so the order does not
matter. Closing the generator (the sweep does, also on Ctrl-C) cancels points
not started yet.

* :class:`LocalPool`: ``ProcessPoolExecutor`` with ``spawn`` workers (a fresh
  interpreter each: no torch thread pool inherited through ``fork``); each
  worker runs torch on one thread.
* :class:`RayCluster`: one Ray remote task per point (``num_cpus=1``, no
  retries: a failing point is reported, not rerun), gathered with
  ``ray.wait`` as they finish. ``address`` joins a running cluster
  (``ray start --head`` ... ; every node needs neurogym-app installed, with the
  ``agents`` and ``cluster`` extras, and a custom-task folder given with
  ``--envs`` at the same path); without it a local cluster is started and
  stopped again at the end. ray is imported here only, when a sweep runs on it.
  The manifest lists each distinct set of versions the workers reported.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from neurogym_app.agents._deps import require_ray

__all__ = ["PointExecutor", "LocalPool", "RayCluster", "make_executor", "EXECUTORS"]

EXECUTORS = ("local", "ray")


class PointExecutor(Protocol):
    """What :func:`~neurogym_app.agents.sweep.run_sweep` needs of an executor."""

    name: str
    #: points that can run at once (known exactly once the executor has started)
    slots: int

    def describe(self) -> dict[str, Any]: ...

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[Any, Any]]: ...


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalPool:
    """Points on ``workers`` local processes (default: one per CPU)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers or _cpus()
        self.slots = self.workers

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "workers": self.workers, "start_method": "spawn", "torch_threads_per_worker": 1}

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        self.slots = min(self.workers, len(jobs)) or 1
        pool = ProcessPoolExecutor(max_workers=self.slots, mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = {pool.submit(fn, job): job for job in jobs}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # BrokenProcessPool: a worker died (killed, out of memory)
                    outcome = exc
                yield futures[future], outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class RayCluster:
    """Points as Ray remote tasks on the cluster at ``address``, or on a local one started here.

    A local cluster gets ``workers`` CPUs (default: all), no dashboard,
    ``object_store_mb`` of object store (the points return small dicts) and
    ``temp_dir`` for its sockets and logs (keep it short: Unix socket paths are
    capped at 107 bytes). An already initialised Ray (``ray.init`` by the
    caller) is used as it is and left running.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        temp_dir: str | None = None,
        object_store_mb: int | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.address = address
        self.workers = workers
        self.temp_dir = temp_dir
        self.object_store_mb = object_store_mb
        self.slots = workers or _cpus()
        self.cluster: dict[str, Any] = {}

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "workers": self.workers, **self.cluster}

    def _init(self, ray: Any) -> bool:
        """Connect or start; True when this executor initialised Ray here (and must shut it down:
        a cluster it started stops, a joined one is left running)."""
        if ray.is_initialized():
            return False
        if self.address:
            ray.init(address=self.address, log_to_driver=False)
        else:
            kwargs: dict[str, Any] = {"num_cpus": self.workers or _cpus(), "include_dashboard": False, "log_to_driver": False}
            if self.object_store_mb:
                kwargs["object_store_memory"] = int(self.object_store_mb) * 1024 * 1024
            if self.temp_dir:
                kwargs["_temp_dir"] = str(self.temp_dir)
            ray.init(**kwargs)
        return True

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        ray = require_ray()
        started = self._init(ray)
        pending: list[Any] = []
        try:
            cpus = int(ray.cluster_resources().get("CPU", 1))
            self.slots = max(1, min(cpus, len(jobs)))
            nodes = len([n for n in ray.nodes() if n.get("Alive")])
            self.cluster = {"cluster_cpus": cpus, "nodes": nodes, "started_here": started and not self.address}
            remote = ray.remote(num_cpus=1, max_retries=0)(fn)
            refs = {remote.remote(job): job for job in jobs}
            pending = list(refs)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    try:
                        outcome = ray.get(ref)
                    except Exception as exc:  # RayTaskError / WorkerCrashedError: the task was lost
                        outcome = exc
                    yield refs[ref], outcome
        finally:
            for ref in pending:
                ray.cancel(ref)
            if started:
                ray.shutdown()


def make_executor(
    name: str, *, workers: int | None = None, address: str | None = None, temp_dir: str | None = None
) -> PointExecutor:
    """An executor by name (``local`` or ``ray``)."""
    if name == "local":
        return LocalPool(workers)
    if name == "ray":
        require_ray()  # fail before any work when the extra is missing
        return RayCluster(address=address, workers=workers, temp_dir=temp_dir)
    raise ValueError(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}")
