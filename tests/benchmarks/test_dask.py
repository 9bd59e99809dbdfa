"""The Dask path: jobs sent to a LocalCluster still run in their own processes."""

from __future__ import annotations

import pytest

from benchmarks.results import read_results
from benchmarks.runner import RunConfig, run_benchmark
from benchmarks.suites import load_suite


def test_jobs_run_on_a_local_dask_cluster(pmlb_folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    suite = load_suite(str(pmlb_folder), datasets="analcatdata_aids,confidence")
    out = tmp_path / "results"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        config = RunConfig(
            suite=suite,
            systems=["constant"],
            budget=1.0,
            out=out,
            quiet=True,
            dask=cluster.scheduler_address,
            timeout_slack=20.0,
        )
        summary = run_benchmark(config)
        assert summary.statuses == {"success": 2}
        again = run_benchmark(config)
        assert again.skipped == 2 and not again.statuses
    results = read_results(out)
    assert sorted(results["task"]) == ["analcatdata_aids", "confidence"]
    assert (results["status"] == "success").all()
    assert results["wall_time"].notna().all()
