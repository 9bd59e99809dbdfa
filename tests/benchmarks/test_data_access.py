"""The benchmarks read data as automl does (issue 12): one ``read_table``, one set of formats,
one way to open an OpenML task."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pandas as pd
import pytest

from automl._io import SUFFIXES, read_table
from automl._openml_data import openml_datasets
from benchmarks.suites import SuiteError, load_fold, load_suite


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


def test_kb_grow_and_the_benchmarks_read_an_openml_task_alike(openml_cache, no_network):
    (grown,) = list(openml_datasets("openml/t/1882"))
    fold = load_fold(load_suite(tasks=[1882]).tasks[0], 0)
    assert (grown.name, grown.task) == (fold.dataset, "classification")
    assert fold.task_type == "multiclass"
    rows = len(fold.X_train) + len(fold.X_test)
    assert rows == len(grown.X) == 898
    assert list(fold.X_train.columns) == list(grown.X.columns)
    # the same target, cleaned alike: plain labels, anneal's empty class "4" dropped by both
    assert fold.y_train.dtype == grown.y.dtype and not isinstance(
        grown.y.dtype, pd.CategoricalDtype
    )
    assert "4" not in set(grown.y)
    counts = pd.concat([fold.y_train, fold.y_test]).value_counts().sort_index()
    pd.testing.assert_series_equal(counts, grown.y.value_counts().sort_index())


def test_the_benchmarks_refuse_an_unsupervised_openml_task_as_grow_does(monkeypatch):
    """Both read the task's kind through ``automl._openml_data.open_task``."""
    import openml

    from automl._openml_data import open_task

    class Clustering:
        task_type_id = "TaskType.CLUSTERING"
        task_type = "Clustering"

    monkeypatch.setattr(openml.tasks, "get_task", lambda *a, **k: Clustering())
    with pytest.raises(ValueError, match="not classification or regression"):
        open_task(openml, 7)
    with pytest.raises(SuiteError, match="OpenML task 7: a Clustering task"):
        load_fold(load_suite(tasks=[7]).tasks[0], 0)
