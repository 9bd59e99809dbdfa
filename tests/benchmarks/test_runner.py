"""The runner: isolated jobs, Parquet results, resuming, failures, OpenML tasks, the CLI."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from benchmarks.cli import add_subcommands, main
from benchmarks.results import COLUMNS, read_results, read_trials, to_knowledge_base_rows
from benchmarks.runner import RunConfig, run_benchmark
from benchmarks.suites import load_suite

REQUIRED = [
    "suite", "task", "task_type", "fold", "system", "metric", "score", "train_time",
    "predict_time", "n_trials", "status", "error", "versions", "budget", "seed", "timestamp",
    "trace", "higher_is_better",
]  # fmt: skip


def _config(suite, systems, out, **kwargs):
    options = {"budget": 1.0, "quiet": True, "timeout_slack": 20.0, "load_timeout": 60.0}
    return RunConfig(suite=suite, systems=systems, out=out, **(options | kwargs))


def test_two_tasks_two_systems_write_parquet_and_resume(pmlb_folder, tmp_path):
    suite = load_suite(str(pmlb_folder), datasets="analcatdata_aids,1096_FacultySalaries")
    out = tmp_path / "results"
    summary = run_benchmark(_config(suite, ["constant", "lightgbm"], out, jobs=2))
    assert summary.planned == 4 and summary.skipped == 0 and summary.statuses["success"] == 4
    files = sorted((out / "jobs").glob("*.parquet"))
    assert len(files) == 4
    assert pq.read_schema(files[0]).names == COLUMNS
    results = read_results(out)
    assert set(REQUIRED) <= set(results.columns)
    assert (results["status"] == "success").all()
    assert set(results["task_type"]) == {"binary", "regression"}
    aids = results[results["task"] == "analcatdata_aids"]
    assert set(aids["metric"]) == {"roc_auc"} and aids["higher_is_better"].all()
    assert json.loads(results["versions"].iloc[0])["scikit-learn"]
    trace = json.loads(results["trace"].iloc[0])
    assert len(trace) == 1 and trace[0][1] == pytest.approx(results["score"].iloc[0])

    again = run_benchmark(_config(suite, ["constant", "lightgbm"], out))
    assert again.skipped == 4 and sum(again.statuses.values()) == 0
    assert sorted((out / "jobs").glob("*.parquet")) == files


def test_crash_hang_and_memout_cost_one_job_each(pmlb_folder, tmp_path, plugin_systems):
    suite = load_suite(str(pmlb_folder), datasets="analcatdata_aids")
    systems = ["test-crash", "test-hang", "test-memout", "test-fail", "constant"]
    out = tmp_path / "results"
    config = _config(suite, systems, out, jobs=3, timeout_slack=1.5, memory_limit=1536)
    summary = run_benchmark(config)
    results = read_results(out).set_index("system")
    assert summary.statuses == {"error": 2, "timeout": 1, "memout": 1, "success": 1}
    assert results.loc["test-crash", "status"] == "error"
    assert "SIGABRT" in results.loc["test-crash", "error"]
    assert results.loc["test-hang", "status"] == "timeout"
    assert "killed after 3 s of fitting" in results.loc["test-hang", "error"]
    assert results.loc["test-hang", "wall_time"] < 30
    assert results.loc["test-memout", "status"] == "memout"
    assert results.loc["test-fail", "status"] == "error"
    assert "this system always fails" in results.loc["test-fail", "error"]
    assert results.loc["constant", "status"] == "success"


def test_failed_jobs_rerun_only_with_retry_failed(
    pmlb_folder, tmp_path, plugin_systems, monkeypatch
):
    suite = load_suite(str(pmlb_folder), datasets="confidence")
    out = tmp_path / "results"
    monkeypatch.setenv("BENCH_TEST_FAIL", "1")
    first = run_benchmark(_config(suite, ["test-flaky"], out))
    assert first.statuses == {"error": 1}
    monkeypatch.delenv("BENCH_TEST_FAIL")
    second = run_benchmark(_config(suite, ["test-flaky"], out))
    assert second.skipped == 1 and not second.statuses
    third = run_benchmark(_config(suite, ["test-flaky"], out, retry_failed=True))
    assert third.statuses == {"success": 1}
    row = read_results(out).iloc[0]
    assert row["status"] == "success" and pd.isna(row["error"])


def test_openml_task_folds_run_from_the_offline_cache(openml_cache, tmp_path):
    suite = load_suite(tasks="1882")
    out = tmp_path / "results"
    summary = run_benchmark(_config(suite, ["constant"], out, folds=2, jobs=2))
    assert summary.statuses == {"success": 2}
    results = read_results(out).sort_values("fold")
    assert list(results["fold"]) == [0, 1]
    assert set(results["dataset"]) == {"anneal"} and set(results["task_id"]) == {1882}
    assert set(results["metric"]) == {"log_loss"} and set(results["n_test"]) == {90}


def test_cli_run_and_report(pmlb_folder, tmp_path, capsys):
    out = tmp_path / "results"
    code = main(
        ["run", "--suite", str(pmlb_folder), "--datasets", "confidence", "--systems",
         "constant,random-forest", "--budget", "1", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert code == 0
    assert len(read_results(out)) == 2
    assert main(["report", str(out)]) == 0
    assert (out / "report" / "report.md").is_file() and (out / "report" / "report.html").is_file()
    assert main(["run", "--tasks", "1", "--systems", "nope", "--out", str(out)]) == 2
    assert "Unknown system(s) nope" in capsys.readouterr().err
    parser = argparse.ArgumentParser(prog="automl")
    bench = parser.add_subparsers().add_parser("bench").add_subparsers(dest="bench", required=True)
    add_subcommands(bench)
    args = parser.parse_args(["bench", "report", str(out), "--out", str(tmp_path / "r")])
    assert args.func(args) == 0 and (tmp_path / "r" / "report.md").is_file()


def test_automl_job_saves_trials_for_the_knowledge_base(pmlb_folder, tmp_path, automl_ready):
    suite = load_suite(str(pmlb_folder), datasets="analcatdata_aids")
    out = tmp_path / "results"
    kb = tmp_path / "kb"
    summary = run_benchmark(_config(suite, ["automl"], out, budget=2.0, knowledge_base=str(kb)))
    results = read_results(out)
    assert summary.statuses == {"success": 1}, results["error"].tolist()
    trials = read_trials(out)
    assert len(trials) == results["n_trials"].iloc[0] >= 1
    assert {"dataset_id", "metafeatures", "config", "model", "loss"} <= set(trials.columns)
    assert trials["dataset_id"].notna().all(), trials["record_error"].iloc[0]
    assert trials["metafeatures"].notna().all(), trials["record_error"].iloc[0]
    datasets, runs = to_knowledge_base_rows(out)
    assert len(datasets) == 1 and len(runs) == len(trials)
    assert set(runs["source"]) == {"benchmark"}
    # A trial cut at the 2 s budget's end is recorded too, with its status and no loss.
    ok = runs["status"] == "success"
    assert ok.any() and runs.loc[ok, "loss"].notna().all(), runs[["status", "loss"]]
    assert runs.loc[~ok, "loss"].isna().all(), runs[["status", "loss"]]
    assert not list(kb.rglob("*.parquet"))  # no --grow-kb: the base it measures is untouched
