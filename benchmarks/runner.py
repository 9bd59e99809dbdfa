"""Run every (task, fold, system) job of a benchmark, each in a fresh process.

Each job runs ``python -m benchmarks.job`` in a new process session with its memory limit
(``RLIMIT_AS``, set by the child) and a hard wall-clock limit of ``budget * 1.5 + slack``
seconds counted from the start of the fit (loading the data has its own ``load_timeout``); on
expiry the whole process group is killed. A crash, hang or memory blow-up thus costs one job,
recorded with status ``error``, ``timeout`` or ``memout``.

Resuming: a job whose part file exists is skipped; failed jobs (any status but ``success``)
are retried only with ``retry_failed=True``. With ``dask="tcp://host:port"`` the jobs go to a
Dask cluster, where each Dask task launches the same per-job process on its worker; the
results come back to this process, which writes them (workers need the same Python
environment, and local suite files and the OpenML cache folder at the same paths).

POSIX only: it relies on process groups and ``RLIMIT_AS``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.job import FIT_MARKER, base_row, is_memory_error
from benchmarks.results import job_statuses, write_job_result
from benchmarks.suites import Suite, slugify

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
POLL_SECONDS = 0.1


@dataclass
class RunConfig:
    """Settings of one ``bench run``.

    Attributes
    ----------
    suite : Suite
        The tasks.
    systems : list of str
        System names.
    budget : float
        Time budget per job in seconds.
    out : Path
        Results folder.
    folds : int
        Folds per task (see :mod:`benchmarks.suites` for what a fold is).
    seed : int
        Seed of the systems and of local splits.
    jobs : int
        Jobs run at the same time (local processes).
    cores_per_job : int
        ``n_jobs`` of each system and its BLAS/OpenMP thread count.
    memory_limit : int or None
        Address-space limit of each job process, in MB.
    retry_failed : bool
        Rerun recorded jobs whose status is not ``success``.
    grow_kb : bool
        Let the automl systems append their trials to the knowledge base.
    knowledge_base : str or None
        Knowledge base path for the automl systems.
    dask : str or None
        Dask scheduler address; jobs run on that cluster.
    quiet : bool
        No progress bar.
    timeout_slack : float
        Seconds added to ``1.5 * budget`` for the hard limit after the fit starts.
    load_timeout : float
        Seconds allowed from process start to the start of the fit (imports, data loading).
    save_trials : bool
        Save the automl systems' trials and meta-features for the knowledge base.
    """

    suite: Suite
    systems: list[str]
    budget: float
    out: Path
    folds: int = 1
    seed: int = 0
    jobs: int = 1
    cores_per_job: int = 1
    memory_limit: int | None = 4096
    retry_failed: bool = False
    grow_kb: bool = False
    knowledge_base: str | None = None
    dask: str | None = None
    quiet: bool = False
    timeout_slack: float = 60.0
    load_timeout: float = 600.0
    save_trials: bool = True

    @property
    def hard_timeout(self) -> float:
        """Seconds a job may run after its fit starts before it is killed."""
        return self.budget * 1.5 + self.timeout_slack


@dataclass
class RunSummary:
    """What a run did: jobs planned, skipped as done, and run (by status)."""

    planned: int
    skipped: int
    statuses: Counter = field(default_factory=Counter)
    out: Path | None = None

    def __str__(self) -> str:
        done = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items())) or "nothing"
        return f"{self.planned} jobs planned, {self.skipped} already done, ran: {done}."


def job_id(suite_slug: str, task: str, fold: int, system: str, budget: float, seed: int) -> str:
    """The id (and part-file name) of a job."""
    return f"{suite_slug}__{slugify(task)}__f{fold}__{slugify(system)}__b{budget:g}__s{seed}"


def _openml_config() -> dict[str, str]:
    import openml

    config = openml.config.get_config_as_dict()
    return {"cachedir": str(config["cachedir"]), "server": str(config["server"])}


def plan_jobs(config: RunConfig) -> list[dict[str, Any]]:
    """All job specs of a run, task by task, fold by fold, system by system."""
    if config.budget <= 0:
        raise ValueError(f"budget must be a positive number of seconds, got {config.budget}.")
    if config.folds < 1:
        raise ValueError(f"folds must be at least 1, got {config.folds}.")
    needs_openml = any(t.source == "openml" for t in config.suite.tasks)
    openml = _openml_config() if needs_openml else None
    specs = []
    for task in config.suite.tasks:
        for fold in range(config.folds):
            for system in config.systems:
                specs.append(
                    {
                        "job_id": job_id(
                            config.suite.slug, task.name, fold, system, config.budget, config.seed
                        ),
                        "suite": config.suite.name,
                        "task": task.to_dict(),
                        "fold": fold,
                        "n_folds": config.folds,
                        "system": system,
                        "budget": config.budget,
                        "seed": config.seed,
                        "n_jobs": config.cores_per_job,
                        "memory_limit": config.memory_limit,
                        "grow_kb": config.grow_kb,
                        "knowledge_base": config.knowledge_base,
                        "openml": openml,
                        "save_trials": config.save_trials,
                    }
                )
    return specs


def pending_jobs(
    specs: list[dict[str, Any]], out: Path, retry_failed: bool
) -> list[dict[str, Any]]:
    """The specs still to run: not recorded, or failed when ``retry_failed``."""
    done = job_statuses(out)
    return [
        s
        for s in specs
        if s["job_id"] not in done or (retry_failed and done[s["job_id"]] != "success")
    ]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _wait(
    proc: subprocess.Popen,
    workdir: Path,
    hard_timeout: float,
    load_timeout: float,
    cancel: threading.Event | None,
) -> str | None:
    """Wait for the job process; kill it on a limit or cancel and say why (None: it ended)."""
    started = time.monotonic()
    fit_started = None
    while True:
        try:
            proc.wait(timeout=POLL_SECONDS)
            return None
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if fit_started is None and (workdir / FIT_MARKER).exists():
            fit_started = now
        if fit_started is not None and now - fit_started > hard_timeout:
            reason = f"killed after {hard_timeout:g} s of fitting (budget * 1.5 + slack)"
        elif fit_started is None and now - started > load_timeout:
            reason = f"killed after {load_timeout:g} s of loading data (load_timeout)"
        elif cancel is not None and cancel.is_set():
            reason = "cancelled"
        else:
            continue
        _kill_group(proc)
        return reason


def _failure(spec: dict[str, Any], code: int, reason: str | None, stderr: str) -> dict[str, Any]:
    row = base_row(spec)
    tail = stderr[-3000:]
    if reason is not None:
        status = "error" if reason == "cancelled" else "timeout"
        row.update(status=status, error=reason)
    elif is_memory_error(stderr):
        row.update(status="memout", error=f"out of memory (exit code {code}):\n{tail}")
    elif code == -signal.SIGKILL:
        row.update(status="memout", error="killed by SIGKILL (likely the out-of-memory killer)")
    else:
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        row.update(status="error", error=f"job process died ({how}):\n{tail}")
    return row


def execute_job(
    spec: dict[str, Any],
    *,
    hard_timeout: float,
    load_timeout: float = 600.0,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Run one job in a fresh process and return its payload ``{"row", "trials"}``.

    This is what a local worker thread or a Dask task calls; it never raises for a failed job.
    """
    import pickle

    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = str(spec.get("n_jobs", 1))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="automl-bench-") as tmp:
        workdir = Path(tmp)
        spec_path, result_path = workdir / "spec.json", workdir / "result.pkl"
        spec_path.write_text(json.dumps(spec))
        with open(workdir / "stderr.log", "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.job", str(spec_path), str(result_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd=tmp,
                env=env,
                start_new_session=True,
            )
            reason = _wait(proc, workdir, hard_timeout, load_timeout, cancel)
        if result_path.exists():  # a job that finished as it was killed still counts
            with open(result_path, "rb") as handle:
                payload = pickle.load(handle)
        else:
            stderr = (workdir / "stderr.log").read_text(errors="replace")
            payload = {"row": _failure(spec, proc.returncode, reason, stderr), "trials": None}
    payload["row"]["wall_time"] = time.monotonic() - started
    return payload


def _progress(total: int, quiet: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="job", desc="bench", disable=quiet or total == 0, smoothing=0.1)


def run_benchmark(config: RunConfig) -> RunSummary:
    """Plan, skip what is done, run the rest (locally or on Dask) and write the results."""
    specs = plan_jobs(config)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    todo = pending_jobs(specs, out, config.retry_failed)
    summary = RunSummary(planned=len(specs), skipped=len(specs) - len(todo), out=out)
    _write_manifest(config, out, len(specs))
    bar = _progress(len(todo), config.quiet)

    def record(payload: dict[str, Any]) -> None:
        write_job_result(out, payload)
        summary.statuses[payload["row"]["status"]] += 1
        bar.set_postfix(dict(summary.statuses), refresh=False)
        bar.update(1)

    try:
        if not todo:
            return summary
        if config.dask:
            _run_dask(config, todo, record)
        else:
            _run_local(config, todo, record)
    finally:
        bar.close()
    return summary


def _time_limits(config: RunConfig) -> dict[str, float]:
    """The time limits of :func:`execute_job` that a run's config sets."""
    return {"hard_timeout": config.hard_timeout, "load_timeout": config.load_timeout}


def _run_local(
    config: RunConfig, todo: list[dict[str, Any]], record: Callable[[dict[str, Any]], None]
) -> None:
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, config.jobs), thread_name_prefix="bench")
    futures = {
        pool.submit(execute_job, spec, **_time_limits(config), cancel=cancel): spec for spec in todo
    }
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                record(future.result())
    except BaseException:
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(
    config: RunConfig, todo: list[dict[str, Any]], record: Callable[[dict[str, Any]], None]
) -> None:
    from distributed import Client, as_completed

    with Client(config.dask, timeout="30s") as client:
        futures = {
            client.submit(
                execute_job,
                spec,
                **_time_limits(config),
                pure=False,
                key=f"bench-{spec['job_id']}-{time.time_ns()}",
            ): spec
            for spec in todo
        }
        try:
            for future in as_completed(futures):
                try:
                    payload = future.result()
                except Exception as exc:  # the Dask task itself failed (e.g. worker lost)
                    row = base_row(futures[future])
                    row.update(status="error", error=f"Dask task failed: {exc!r}")
                    payload = {"row": row, "trials": None}
                record(payload)
        except BaseException:
            client.cancel(list(futures))
            raise


def _write_manifest(config: RunConfig, out: Path, planned: int) -> None:
    manifest = {
        "suite": config.suite.name,
        "tasks": [t.name for t in config.suite.tasks],
        "systems": config.systems,
        "budget": config.budget,
        "folds": config.folds,
        "seed": config.seed,
        "memory_limit": config.memory_limit,
        "grow_kb": config.grow_kb,
        "planned_jobs": planned,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = out / ".last_run.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, out / "last_run.json")
