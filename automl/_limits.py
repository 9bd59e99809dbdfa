"""Running one function in a child process under a wall-clock and a memory limit.

Children come from a fork server that has imported the models but never trained one, so
OpenMP (LightGBM) is never forked in a used state, and a trial that crashes, hangs or blows
its memory costs only itself. The model families a user registered in this process are
registered in the child too.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import context, popen_forkserver, spawn
from typing import Any

from automl._energy import cpu_seconds_of, process_cpu_seconds
from automl.components import registered_payload, restore_registered
from knowledge_base.vocabulary import Status  # re-exported: its home is the shared vocabulary

# What the fork server imports once for every trial child: the trial functions and, as when
# ``import automl`` loaded the estimator eagerly, everything the estimator imports.
_PRELOAD = ["automl._evaluation", "automl._estimator"]
# Seconds between readings of a running child's CPU time (kept for when it dies unreported).
_SAMPLE_SECONDS = 1.0


@dataclass
class LimitedResult:
    """What the child returned, or why it did not; ``cpu_seconds`` is the process time of the
    child and the children it waited for (``automl/_energy.py``)."""

    status: Status
    value: Any = None
    error: str = ""
    cpu_seconds: float = math.nan


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def start_fork_server() -> None:
    """Start the trials' fork server now: its imports (2.5 s on a slow machine) then overlap the
    fit's own preparation (meta-features, warm-start planning) instead of delaying the first
    trial. It stays up for later fits of this process."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


class _Popen(popen_forkserver.Popen):
    """A fork-server child that does not re-run the user's ``__main__``.

    Trials only run this package's functions, and a user's script without an
    ``if __name__ == "__main__":`` guard would otherwise start a fit inside every trial.
    """

    def _launch(self, process_obj):
        prepare = spawn.get_preparation_data

        def without_main(name):
            data = prepare(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        spawn.get_preparation_data = without_main
        try:
            super()._launch(process_obj)
        finally:
            spawn.get_preparation_data = prepare


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _address_space() -> int:
    """Bytes of address space this process has mapped (VmSize; 0 where /proc cannot say)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(
    conn, func: Callable, args: tuple, memory_mb: int | None, families: bytes | None = None
) -> None:
    if memory_mb is not None:
        # On top of what the child has mapped when it starts (the interpreter and the fork
        # server's imports, about 900 MB of address space of which under 200 MB is resident,
        # and its copy of the data): counting those left a 2,048 MB trial little of its own.
        limit = _address_space() + int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # A forked child's process times start at zero: os.times() is this child's alone.
    try:
        restore_registered(families)
        value = func(*args)
        conn.send((Status.SUCCESS, value, "", process_cpu_seconds()))
    except MemoryError:
        error = f"MemoryError: more than memory_limit={memory_mb} MB"
        conn.send((Status.MEMOUT, None, error, process_cpu_seconds()))
    except BaseException as exc:  # the child reports everything; the parent decides
        tb = traceback.format_exc(limit=6)
        try:
            error = f"{type(exc).__name__}: {exc}\n{tb}"
            conn.send((Status.CRASHED, None, error, process_cpu_seconds()))
        except Exception:
            error = f"{type(exc).__name__}: {exc}"
            conn.send((Status.CRASHED, None, error, process_cpu_seconds()))
    finally:
        conn.close()


class LimitedJob:
    """``func(*args)`` running in a child process under a wall-clock and a memory limit; poll
    it with :meth:`wait`, which returns the :class:`LimitedResult` once there is one."""

    def __init__(
        self, func: Callable, args: tuple, *, wall_time: float, memory_mb: int | None = None
    ):
        ctx = _context()
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._memory_mb = memory_mb
        self._wall_time = wall_time
        families = registered_payload()
        self._process = _Process(
            target=_child, args=(child_conn, func, args, memory_mb, families), daemon=True
        )
        self._process.start()  # the first waits for the fork server: not the trial's time
        self.start = time.monotonic()
        child_conn.close()
        self.deadline = self.start + max(wall_time, 0.0)
        self._sampled: float | None = None
        self._next_sample = self.start
        self._result: LimitedResult | None = None

    def wait(self, timeout: float | None = None) -> LimitedResult | None:
        """The result, waiting at most ``timeout`` seconds for it (None: until the child
        returns or reaches its limit); None while it still runs."""
        if self._result is not None:
            return self._result
        until = math.inf if timeout is None else time.monotonic() + max(timeout, 0.0)
        try:
            while True:
                now = time.monotonic()
                if now >= self._next_sample:
                    reading = cpu_seconds_of(self._process.pid)
                    self._sampled = self._sampled if reading is None else reading
                    self._next_sample = now + _SAMPLE_SECONDS
                wait = min(self.deadline, self._next_sample, until) - time.monotonic()
                if self._conn.poll(max(wait, 0.0)):
                    return self._finish(*self._received())
                if time.monotonic() >= self.deadline:
                    cpu = self._sampled if self._sampled is not None else self._wall()
                    if not self._process.is_alive():
                        return self._finish(*_died(self._process, self._memory_mb), cpu)
                    error = f"stopped after {self._wall_time:.1f} s wall-clock"
                    return self._finish(Status.TIMEOUT, None, error, cpu)
                if time.monotonic() >= until:
                    return None
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        """Stop the child (if it runs) and release its pipe."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)
        self._conn.close()

    def _received(self):
        try:
            status, value, error, cpu = self._conn.recv()
        except EOFError:
            status, value, error = _died(self._process, self._memory_mb)
            cpu = self._sampled
        return status, value, error, self._wall() if cpu is None else cpu

    def _wall(self) -> float:
        return time.monotonic() - self.start

    def _finish(self, status, value, error, cpu) -> LimitedResult:
        self.kill()
        self._result = LimitedResult(Status(status), value, error, cpu)
        return self._result


def run_limited(
    func: Callable, args: tuple, *, wall_time: float, memory_mb: int | None = None
) -> LimitedResult:
    """``func(*args)`` in a child process; TIMEOUT past ``wall_time`` s, MEMOUT past ``memory_mb``.

    The result's ``cpu_seconds`` is what the child reported, else (stopped at its limit, or
    died) its last reading from ``/proc``, else (no ``/proc``) its wall-clock seconds.
    """
    return LimitedJob(func, args, wall_time=wall_time, memory_mb=memory_mb).wait()


def _died(process, memory_mb: int | None) -> tuple[Status, None, str]:
    process.join(timeout=5)
    code = process.exitcode
    if memory_mb is not None and code in (-9, -6, 134, 137):
        return Status.MEMOUT, None, f"process died (exit code {code}), likely over {memory_mb} MB"
    return Status.CRASHED, None, f"process died with exit code {code} (pid {os.getpid()} parent)"
