"""The parallel-trials benchmark's summary and plot say what its results hold."""

import pandas as pd
import pytest

from benchmarks.parallel_trials import plot, summarize, summarize_same_trials


def _results(settings=("1", "-1")) -> pd.DataFrame:
    """Three datasets: 2 workers run 1.8x, 2x and 1.5x the trials; loss better, tied, worse.
    On a Dask cluster (``"dask"``): 0.9x, 1x and 1x the trials of 2 local workers, loss tied."""
    rate = {"a": (10.0, 18.0, 16.2), "b": (20.0, 40.0, 40.0), "c": (4.0, 6.0, 6.0)}
    loss = {"a": (0.2, 0.1, 0.1), "b": (0.3, 0.3, 0.3), "c": (0.1, 0.15, 0.15)}
    rows = []
    for name in rate:
        for i, n_jobs in enumerate(settings):
            rows.append(
                {
                    "dataset": name,
                    "rows": 500,
                    "n_jobs": n_jobs,
                    "budget": 60.0,
                    "workers": 1 if n_jobs == "1" else 2,
                    "trials_per_minute": rate[name][i],
                    "test_loss": loss[name][i],
                }
            )
    return pd.DataFrame(rows)


def test_summary_gives_the_speed_up_and_the_wins():
    text = summarize(_results())
    assert "3 datasets; 60 s fits" in text and "(2 trials at once)" in text
    assert "| a | 500 | 10 | 18 | 1.8 | 0.2 | 0.1 |" in text
    # geometric mean of 1.8, 2 and 1.5: (5.4) ** (1/3) = 1.75
    assert "geometric mean 1.75x, median 1.80x (from 1.50x to 2.00x)" in text
    assert "better on 1, tied on 1, worse on 1" in text
    assert "mean rank 1.50 against 1.50" in text


def test_a_dataset_with_one_setting_only_is_left_out():
    results = _results()
    results = results[~((results["dataset"] == "c") & (results["n_jobs"] == "-1"))]
    assert summarize(results).startswith("2 datasets;")


def test_a_dask_cluster_is_compared_with_local_parallel_trials():
    text = summarize(_results(("1", "-1", "dask")))
    assert "| a | 500 | 10 | 18 | 16.2 | 1.8 | 0.2 | 0.1 | 0.1 |" in text
    # 0.9, 1 and 1: geometric mean 0.965
    assert "Dask LocalCluster against n_jobs=-1: geometric mean 0.97x, median 1.00x" in text
    assert "Test loss, Dask LocalCluster against n_jobs=-1: better on 0, tied on 3" in text


@pytest.mark.parametrize("settings", [("1", "-1"), ("1", "-1", "dask")])
def test_plot_writes_a_png(tmp_path, settings):
    path = plot(_results(settings), tmp_path / "parallel.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_same_trials_summary_gives_the_speed_up_and_the_configurations_shared():
    rows = []
    for name, seconds, configs in (
        ("a", (20.0, 10.5), ("x|y", "x|y")),
        ("b", (9, 5), ("x|y", "x|z")),
    ):
        for n_jobs, search, held in zip(("1", "-1"), seconds, configs):
            rows.append(
                {
                    "dataset": name,
                    "n_jobs": n_jobs,
                    "n_trials": 2,
                    "search_seconds": search,
                    "trials_per_minute": 120.0 / search,
                    "configs": held,
                }
            )
    text = summarize_same_trials(pd.DataFrame(rows))
    assert "| a | 2 | 20 | 10.5 | 1.9 | 2/2 |" in text
    assert "| b | 2 | 9 | 5 | 1.8 | 1/3 |" in text
    # geometric mean of 20/10.5 and 9/5
    assert "geometric mean 1.85x, median 1.85x (from 1.80x to 1.90x)" in text
