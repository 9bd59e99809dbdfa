"""Where trials run: child processes of this one (up to ``workers`` at a time), or the workers
of a Dask cluster. Either way a trial runs in a child process under its wall-clock and memory
limits (``automl/_limits.py``), and only this process updates the search, the leaderboard and
the knowledge base."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from automl._limits import LimitedJob, LimitedResult, Status, run_limited
from automl.components import registered_payload, restore_registered

POLL_SECONDS = 0.01  # between looks at running trials when more than one runs
# Seconds a Dask trial may take beyond its limit before it counts as timed out: a worker's
# first trial also starts its fork server, and the task may wait for a free thread.
DASK_GRACE_SECONDS = 30.0


class Job(Protocol):
    def wait(self, timeout: float | None = None) -> LimitedResult | None: ...

    def kill(self) -> None: ...


# Address space a trial maps beyond its start (which holds its copy of the data), per megabyte of
# data: LightGBM's defaults on 1,000,000 rows x 50 columns (400 MB) took 2,232 MB more
# (benchmarks/results/million-rows).
TRIAL_MEMORY_PER_DATA_MB = 6.0


def effective_cores(n_jobs: int) -> int:
    """Cores that ``n_jobs`` asks for (-1: all of this machine's)."""
    return (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))


def local_workers(cores: int, memory_limit: int | None, data_bytes: float) -> int:
    """How many trials may run at once here: one per core, but no more than ``memory_limit``
    MB holds at ``TRIAL_MEMORY_PER_DATA_MB`` per MB of data each (a large table runs fewer
    trials at once, each with more memory, rather than all of them running out)."""
    if memory_limit is None:
        return cores
    need = max(1.0, TRIAL_MEMORY_PER_DATA_MB * data_bytes / 2**20)
    return max(1, min(cores, int(memory_limit // need)))


class LocalExecutor:
    """Up to ``workers`` trials at once, each in a child process of this one."""

    def __init__(self, workers: int = 1):
        self.workers = max(1, int(workers))

    def submit(
        self, func: Callable, args: tuple, *, wall_time: float, memory_mb: int | None
    ) -> LimitedJob:
        return LimitedJob(func, args, wall_time=wall_time, memory_mb=memory_mb)

    def trial_memory(self, memory_limit: int | None) -> int | None:
        """Megabytes for each trial: ``memory_limit`` shared by the trials that run at once."""
        return None if memory_limit is None else max(1, int(memory_limit) // self.workers)

    def close(self) -> None:
        pass


def _on_worker(
    func: Callable,
    *args: Any,
    wall_time: float,
    memory_mb: int | None,
    families: bytes | None,
) -> LimitedResult:
    # A Dask worker is a daemonic process, and those may not start children; the trial's
    # child is killed when it ends, and the fork server exits with the worker.
    multiprocessing.current_process()._config["daemon"] = False
    restore_registered(families)
    return run_limited(func, args, wall_time=wall_time, memory_mb=memory_mb)


class DaskJob:
    """A trial sent to a Dask worker; a lost worker or a failed task is a crashed trial."""

    def __init__(self, future, wall_time: float):
        self._future = future
        self.start = time.monotonic()
        self.deadline = self.start + max(wall_time, 0.0) + DASK_GRACE_SECONDS
        self._wall_time = wall_time
        self._result: LimitedResult | None = None

    def wait(self, timeout: float | None = None) -> LimitedResult | None:
        if self._result is not None:
            return self._result
        from distributed import wait

        left = self.deadline - time.monotonic()
        wanted = min(left, math.inf if timeout is None else timeout)
        if not self._future.done() and wanted > 0:
            with contextlib.suppress(TimeoutError):
                wait(self._future, timeout=wanted)
        if self._future.done():
            try:
                value = self._future.result()
            except BaseException as exc:  # the worker died, or the task could not run
                value = LimitedResult(Status.CRASHED, None, f"{type(exc).__name__}: {exc}")
            self._result = value
        elif time.monotonic() >= self.deadline:
            self.kill()
            error = f"no result from the Dask worker after {self._wall_time:.1f} s + grace"
            self._result = LimitedResult(Status.TIMEOUT, None, error)
        return self._result

    def kill(self) -> None:
        if not self._future.done():
            self._future.cancel()


class DaskExecutor:
    """Trials on the workers of a Dask cluster (a ``distributed.Client`` or its scheduler's
    address); ``scatter`` holds the large arguments (the data), sent to the workers once."""

    def __init__(self, client, scatter: Sequence[Any] = ()):
        try:
            from distributed import Client
        except ImportError as exc:
            raise ImportError(
                "dask_client needs Dask's distributed scheduler: pip install 'dask[distributed]'"
            ) from exc

        self._own = not isinstance(client, Client)
        self.client = Client(client) if self._own else client
        threads = self.client.nthreads()
        if not threads:
            raise ValueError("The Dask cluster has no workers.")
        self.workers = sum(threads.values())
        self._scattered = {
            id(obj): self.client.scatter(obj, broadcast=True, hash=False) for obj in scatter
        }

    def submit(
        self, func: Callable, args: tuple, *, wall_time: float, memory_mb: int | None
    ) -> DaskJob:
        args = tuple(self._scattered.get(id(a), a) for a in args)
        future = self.client.submit(
            _on_worker,
            func,
            *args,
            wall_time=wall_time,
            memory_mb=memory_mb,
            families=registered_payload(),
            pure=False,
        )
        return DaskJob(future, wall_time)

    def trial_memory(self, memory_limit: int | None) -> int | None:
        """Megabytes for each trial: all of ``memory_limit`` (each runs on its own worker)."""
        return memory_limit

    def close(self) -> None:
        for future in self._scattered.values():
            future.release()
        self._scattered = {}
        if self._own:
            self.client.close()


def wait_any(jobs: Sequence[Job]) -> tuple[Job, LimitedResult]:
    """The first of ``jobs`` to finish, with its result."""
    if len(jobs) == 1:
        return jobs[0], jobs[0].wait()
    while True:
        for job in jobs:
            if (outcome := job.wait(0.0)) is not None:
                return job, outcome
        time.sleep(POLL_SECONDS)


class Executor(Protocol):
    workers: int

    def submit(
        self, func: Callable, args: tuple, *, wall_time: float, memory_mb: int | None
    ) -> Job: ...

    def trial_memory(self, memory_limit: int | None) -> int | None: ...

    def close(self) -> None: ...
