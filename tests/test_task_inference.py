"""One rule decides a target's task (issue 12): ``automl fit`` and ``automl bench`` agree.

They used to disagree on an integer target with 21 to 50 distinct values (fit said
classification, bench regression) and on a fractional target with few values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl._io import infer_task
from automl.cli import main
from benchmarks.results import read_results
from benchmarks.suites import coarse_task_type, load_fold, load_suite

CASES = {
    "30 whole numbers": (pd.Series(np.arange(120) % 30), "regression"),
    "21 whole numbers": (pd.Series(np.arange(84) % 21), "regression"),
    "20 whole numbers": (pd.Series(np.arange(80) % 20), "classification"),
    "20 whole floats, gaps": (pd.Series(np.r_[np.arange(80.0) % 20, np.nan]), "classification"),
    "3 fractional values": (pd.Series([0.5, 1.5, 2.5] * 10), "regression"),
    "nullable integers": (pd.Series([1, 2, None, 3] * 5, dtype="Int64"), "classification"),
    "booleans": (pd.Series([True, False] * 10), "classification"),
    "60 labels": (pd.Series([f"c{i}" for i in range(60)] * 2), "classification"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fit_and_bench_decide_alike(case):
    y, expected = CASES[case]
    assert infer_task(y) == expected
    assert coarse_task_type(y) == expected


@pytest.fixture
def thirty_levels(tmp_path):
    """A folder holding one table whose integer target has 30 distinct values."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 30, size=150)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=150), "target": x.astype(int)})
    folder = tmp_path / "suite"
    folder.mkdir()
    frame.to_csv(folder / "levels.csv", index=False)
    return folder


def test_automl_fit_and_automl_bench_agree_on_30_integer_levels(thirty_levels, tmp_path, capsys):
    data = thirty_levels / "levels.csv"
    fit = ["fit", str(data), "--target", "target", "--out", str(tmp_path / "model.joblib")]
    tiny = ["--time-budget", "30", "--n-trials", "1", "--cold", "--no-kb-update", "--quiet"]
    assert main(fit + tiny) == 0
    assert capsys.readouterr().out.startswith("regression:")

    spec = load_suite(str(thirty_levels)).tasks[0]
    assert spec.task_type is None  # no index.csv: the bench infers it
    assert load_fold(spec, 0).task_type == "regression"
    out = tmp_path / "bench"
    run = ["bench", "run", "--suite", str(thirty_levels), "--systems", "constant"]
    assert main([*run, "--budget", "1", "--out", str(out), "--quiet"]) == 0
    results = read_results(out)
    assert list(results["task_type"]) == ["regression"]
    assert list(results["metric"]) == ["rmse"]
