"""The benchmarks read data as automl does (issue 12): one ``read_table``, one set of formats."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pandas as pd
import pytest

from automl._io import SUFFIXES, read_table
from benchmarks.suites import load_fold, load_suite


def _write(frame: pd.DataFrame, path) -> None:
    name = path.name
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path)
        return
    sep = "\t" if ".tsv" in name else ","
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            frame.to_csv(fh, sep=sep, index=False)
    else:
        frame.to_csv(path, sep=sep, index=False)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_local_suite_reads_every_format_that_automl_fit_reads(tmp_path, load_pmlb, suffix):
    X, y = load_pmlb("analcatdata_aids")
    frame = X.assign(target=y)
    folder = tmp_path / "suite"
    folder.mkdir()
    _write(frame, folder / f"aids{suffix}")
    task = load_suite(str(folder)).tasks[0]
    assert task.name == "aids"
    fold = load_fold(task, 0)
    assert len(fold.X_train) + len(fold.X_test) == len(read_table(folder / f"aids{suffix}"))
    assert fold.task_type == "binary"
    pd.testing.assert_frame_equal(read_table(folder / f"aids{suffix}"), frame, check_dtype=False)


def test_reading_data_loads_no_model_family():
    """A benchmark job reads its fold through automl._io: that must not import the estimator
    (every model family), whose memory a peer system's job would otherwise carry."""
    code = (
        "import sys, benchmarks.job, benchmarks.suites, benchmarks.metrics\n"
        "heavy = [m for m in ('automl._estimator', 'lightgbm', 'catboost', 'smac')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
