"""Suites: shipped task lists, local folders with filters, local splits, OpenML tasks offline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.suites import (
    SHIPPED_SUITES,
    SUITES_DIR,
    SuiteError,
    load_fold,
    load_suite,
    local_split,
    read_task_list,
)

EXPECTED_SIZES = {
    "openml/s/271": 71,
    "openml/s/269": 33,
    "openml/s/99": 72,
    "amlb/small": 16,
    "amlb/medium": 19,
    "amlb/large": 4,
}


@pytest.mark.parametrize("name", sorted(SHIPPED_SUITES))
def test_shipped_suite_files_parse(name):
    ids = read_task_list(SUITES_DIR / SHIPPED_SUITES[name][0])
    assert len(ids) == EXPECTED_SIZES[name]
    assert len(set(ids)) == len(ids)
    suite = load_suite(name)
    assert [t.openml_task_id for t in suite.tasks] == ids
    assert all(t.source == "openml" and t.name == f"openml-{t.openml_task_id}" for t in suite.tasks)
    assert suite.slug == name.replace("/", "-")


def test_bad_task_list_line_names_file_and_line(tmp_path):
    path = tmp_path / "tasks.txt"
    path.write_text("# comment\n31\nthirty-one\n")
    with pytest.raises(SuiteError, match=r"tasks.txt:3: expected an OpenML task id"):
        read_task_list(path)
    path.write_text("31  # credit-g\n\n3\n")
    assert load_suite(str(path)).name == "file/tasks"


def test_task_ids_and_errors():
    suite = load_suite(tasks="31, 3,1882")
    assert [t.openml_task_id for t in suite.tasks] == [31, 3, 1882]
    with pytest.raises(SuiteError, match="comma-separated OpenML task ids"):
        load_suite(tasks="31,abc")
    with pytest.raises(SuiteError, match="Unknown suite 'nope'"):
        load_suite("nope")
    with pytest.raises(SuiteError, match="exactly one of --suite or --tasks"):
        load_suite()


def test_local_folder_uses_index_and_filters(pmlb_folder):
    suite = load_suite(str(pmlb_folder))
    assert suite.name == "local/pmlb"
    types = {t.name: t.task_type for t in suite.tasks}
    assert types == {
        "1096_FacultySalaries": "regression",
        "analcatdata_aids": "classification",
        "confidence": "classification",
    }
    classification = load_suite(str(pmlb_folder), task_type="classification")
    assert {t.name for t in classification.tasks} == {"analcatdata_aids", "confidence"}
    assert [t.name for t in load_suite(str(pmlb_folder), max_rows=60).tasks] == [
        "1096_FacultySalaries",
        "analcatdata_aids",
    ]
    picked = load_suite(str(pmlb_folder), datasets="confidence")
    assert [t.name for t in picked.tasks] == ["confidence"]
    names = pmlb_folder.parent / "names.txt"
    names.write_text("# a sample\nconfidence\nanalcatdata_aids  # binary\n")
    assert [t.name for t in load_suite(str(pmlb_folder), datasets=str(names)).tasks] == [
        "analcatdata_aids",
        "confidence",
    ]
    with pytest.raises(SuiteError, match="not in the suite: nope"):
        load_suite(str(pmlb_folder), datasets="confidence,nope")
    # A list longer than a file name may be (255 bytes) is still a list.
    many = ",".join(["confidence"] * 30)
    assert [t.name for t in load_suite(str(pmlb_folder), datasets=many).tasks] == ["confidence"]
    first = [t.name for t in load_suite(str(pmlb_folder), sample=2, seed=1).tasks]
    assert len(first) == 2
    assert first == [t.name for t in load_suite(str(pmlb_folder), sample=2, seed=1).tasks]


def test_local_folder_without_index_reads_the_data(pmlb_folder):
    (pmlb_folder / "index.csv").unlink()
    frame = pd.read_csv(pmlb_folder / "confidence.tsv.gz", sep="\t")
    frame.to_parquet(pmlb_folder / "confidence.parquet")
    (pmlb_folder / "confidence.tsv.gz").unlink()
    suite = load_suite(str(pmlb_folder), task_type="regression")
    assert [t.name for t in suite.tasks] == ["1096_FacultySalaries"]
    assert suite.tasks[0].n_rows == 50
    with pytest.raises(SuiteError, match="no target column 'label'"):
        load_fold(load_suite(str(pmlb_folder), target="label").tasks[0], 0)


def test_local_holdout_and_kfold_splits(pmlb_folder):
    task = load_suite(str(pmlb_folder), datasets="analcatdata_aids").tasks[0]
    data = load_fold(task, 0, n_folds=1, seed=3)
    assert (len(data.X_train), len(data.X_test)) == (33, 17)
    assert data.task_type == "binary" and "target" not in data.X_train.columns
    assert set(data.y_test) == set(data.y_train)  # stratified
    again = load_fold(task, 0, n_folds=1, seed=3)
    assert data.X_test.equals(again.X_test)
    y = data.y_train
    tests = [local_split(y, fold, 3, seed=0, stratify=True)[1] for fold in range(3)]
    assert sorted(np.concatenate(tests)) == list(range(len(y)))
    with pytest.raises(SuiteError, match="only fold 0"):
        local_split(y, 1, 1, seed=0, stratify=True)


def test_openml_task_from_offline_cache(openml_cache):
    task = load_suite(tasks=[1882]).tasks[0]
    data = load_fold(task, 0)
    assert (len(data.X_train), len(data.X_test)) == (808, 90)
    assert data.dataset == "anneal" and data.openml_dataset_id == 2
    assert data.task_type == "multiclass"
    assert "4" not in set(data.y_train.astype(str))  # the empty category is dropped
    other = load_fold(task, 1)
    assert not other.X_test.equals(data.X_test)
    with pytest.raises(SuiteError, match="has 10 folds, got fold=10"):
        load_fold(task, 10)
