"""Parallel trials: child processes of the fit, or the workers of a Dask cluster."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from automl import registered_family
from automl._limits import LimitedJob, Status, run_limited
from automl._optimizers import RandomSearch
from automl._parallel import (
    DaskExecutor,
    DaskJob,
    LocalExecutor,
    effective_cores,
    local_workers,
    wait_any,
)
from automl._search import Budget
from automl._space import build_space
from automl.components import DataShape
from tests.automl.conftest import stub_family


def _interval(seconds: float) -> tuple[float, float]:
    start = time.time()
    time.sleep(seconds)
    return start, time.time()


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def test_local_jobs_run_at_the_same_time():
    executor = LocalExecutor(2)
    jobs = [executor.submit(_interval, (1.5,), wall_time=30, memory_mb=None) for _ in range(2)]
    results = [job.wait() for job in jobs]
    assert all(r.status is Status.SUCCESS for r in results)
    assert _overlap(results[0].value, results[1].value) > 0.5


@pytest.mark.timing
def test_wait_any_returns_the_first_to_finish_and_a_job_polls_without_blocking():
    slow = LimitedJob(time.sleep, (3.0,), wall_time=30)
    quick = LimitedJob(max, (3, 7), wall_time=30)
    job, outcome = wait_any([slow, quick])
    assert job is quick and outcome.value == 7
    tick = time.monotonic()
    assert slow.wait(0.0) is None and time.monotonic() - tick < 0.5
    slow.kill()


def test_a_job_past_its_limit_is_a_timeout_when_polled():
    job = LimitedJob(time.sleep, (30,), wall_time=0.5)
    while (outcome := job.wait(0.05)) is None:
        pass
    assert outcome.status is Status.TIMEOUT


def test_effective_cores():
    assert effective_cores(-1) == (os.cpu_count() or 1)
    assert effective_cores(3) == 3


@pytest.mark.parametrize(
    ("cores", "memory_limit", "data_mb", "workers"),
    [
        (2, 4096, 1, 2),  # a small table: one trial per core
        (2, 4096, 400, 1),  # 1,000,000 rows x 50 columns: one trial, with all the memory
        (8, 4096, 100, 6),  # 600 MB each: six of eight cores
        (2, None, 400, 2),  # no limit: one per core
    ],
)
def test_workers_are_fewer_where_the_memory_would_not_hold_them(
    cores, memory_limit, data_mb, workers
):
    assert local_workers(cores, memory_limit, data_mb * 2**20) == workers


def test_parallel_fit_runs_trials_at_once_and_tells_every_result(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    model = tiny_classifier(
        n_jobs=2, n_trials=6, models=("lightgbm", "linear", "k_nearest_neighbors")
    ).fit(X, y)
    trials = model.trials_
    assert model.n_workers_ == 2
    assert trials["trial"].tolist() == list(range(len(trials)))
    ran = trials[trials["status"] != "skipped"]
    assert len(ran) == 6 and (ran["status"] == "success").all(), ran["error"].tolist()
    intervals = list(zip(ran["start_time"], ran["end_time"]))
    assert any(_overlap(a, b) > 0 for a, b in itertools.pairwise(intervals))
    assert trials["config"].iloc[0]["model"] == "lightgbm"  # the defaults still go first
    assert model.predict_proba(X).shape == (len(X), 2)


def test_memory_limit_is_shared_by_the_trials_that_run_at_once():
    assert LocalExecutor(2).trial_memory(4000) == 2000
    assert LocalExecutor(1).trial_memory(4000) == 4000
    assert LocalExecutor(2).trial_memory(None) is None


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    import dask

    # A lost worker's task fails at once instead of being retried on another worker.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def _kill_worker() -> None:
    os._exit(1)


@pytest.mark.slow
def test_fit_on_a_dask_cluster(dask_client, tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    model = tiny_classifier(
        dask_client=dask_client, n_trials=4, models=("lightgbm", "linear", "k_nearest_neighbors")
    ).fit(X, y)
    assert model.n_workers_ == 2
    ran = model.trials_[model.trials_["status"] != "skipped"]
    assert len(ran) == 4 and (ran["status"] == "success").all(), ran["error"].tolist()
    assert (ran["cpu_seconds"] > 0).all()
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.slow
def test_a_lost_dask_worker_is_a_crashed_trial(dask_client):
    # The task itself kills its worker process (not a trial's child): the future fails.
    job = DaskJob(dask_client.submit(_kill_worker, pure=False), wall_time=30)
    outcome = job.wait()
    assert outcome.status is Status.CRASHED and outcome.error
    dask_client.wait_for_workers(2, timeout=60)  # the nanny restarts it
    data = np.arange(3)
    executor = DaskExecutor(dask_client, scatter=(data,))  # sent once, then by reference
    try:
        result = executor.submit(np.sum, (data,), wall_time=30, memory_mb=None).wait()
        assert result.status is Status.SUCCESS and result.value == 3
    finally:
        executor.close()


class _Sleeps(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        time.sleep(60)
        return self


SLEEPY = stub_family("sleepy", _Sleeps)


class _FailsWhenTold(RandomSearch):
    def tell(self, handle, cost, *, crashed=False):
        raise RuntimeError("interrupted")


def test_an_interrupted_search_leaves_no_trial_running(
    load_pmlb, binary_search_inputs, binary_search
):
    data, y_enc, spec = binary_search_inputs(*load_pmlb("prnn_synth"))
    before = set(multiprocessing.active_children())  # e.g. a Dask cluster's workers
    with registered_family(SLEEPY):
        shape = DataShape(*data.shape)
        space = build_space(spec.task, shape, spec.columns, seed=0, include=("sleepy", "linear"))
        samples = space.sample_configuration(50)
        first = [next(c for c in samples if c["model"] == m) for m in ("sleepy", "linear")]
        optimizer = _FailsWhenTold(space, first, 0)
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="interrupted"):
            binary_search(  # the sleepy trial runs while the linear one ends and is told
                data,
                y_enc,
                spec,
                optimizer,
                Budget(start=start, deadline=start + 120, per_trial=90.0, max_trials=2),
                executor=LocalExecutor(2),
            )
    assert time.monotonic() - start < 30
    assert not set(multiprocessing.active_children()) - before


def _joblib_workers(n_jobs: int) -> tuple[int, int]:
    import joblib

    from automl._evaluation import _fit_context

    with _fit_context(n_jobs):
        inside = joblib.effective_n_jobs(n_jobs)
    return joblib.effective_n_jobs(n_jobs), inside


def test_forests_in_a_trial_process_get_the_threads_they_are_given():
    # joblib's default backend (processes) falls back to one worker in a trial's daemon
    # process; a trial's fits and predictions run joblib on threads instead.
    outcome = run_limited(_joblib_workers, (2,), wall_time=60)
    assert outcome.status is Status.SUCCESS
    default, in_a_trial = outcome.value
    assert (default, in_a_trial) == (1, 2)
