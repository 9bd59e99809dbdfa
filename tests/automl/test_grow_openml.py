"""`automl kb grow --data openml/...`: OpenML tasks and suites through the real client.

Offline: the client reads a copy of the shared OpenML cache (task 1882 on dataset 2
``anneal``, 898 rows); the suite listing (``/study/1``, which lists task 1882) is served from
the recorded response in ``tests/knowledge_base/data/openml/`` by the ``served`` fixture, and
any other request fails (``no_network``).
"""

import pytest

from automl.cli import main
from knowledge_base import KnowledgeBase

# Every family's defaults and one Sobol point (a second one, AdaBoost's, took 2.5 s of 14).
TINY = ["--configs", "1", "--max-rows", "200", "--trial-limit", "10"]


def _grow(kb, data, *extra):
    return main(["kb", "--path", str(kb), "grow", "--data", data, *TINY, *extra])


@pytest.mark.slow
def test_grow_from_an_openml_task_then_resume_and_reach_it_through_a_suite(
    served, tmp_path, capsys
):
    kb = tmp_path / "kb"
    assert _grow(kb, "openml/t/1882") == 0
    out = capsys.readouterr()
    assert "datasets 1" in out.out and "[grow] anneal: 200 rows" in out.err

    datasets = KnowledgeBase(kb).datasets()
    assert len(datasets) == 1
    row = datasets.iloc[0]
    assert (row["openml_dataset_id"], row["openml_task_id"]) == (2, 1882)
    assert (row["name"], row["source"], row["task"]) == ("anneal", "openml", "multiclass")
    assert (row["n_rows"], row["n_features"]) == (898, 38)

    runs = KnowledgeBase(kb).runs(statuses=None)
    assert set(runs["dataset_id"]) == {row["dataset_id"]}
    assert len(runs) >= 9  # every family's defaults, then the Sobol points
    assert (runs["status"] == "success").sum() >= len(runs) // 2
    assert set(runs["source"]) == {"grow"} and set(runs["metric"]) == {"log_loss"}
    assert runs["fidelity"].round(3).eq(round(200 / 898, 3)).all()

    assert _grow(kb, "openml/t/1882") == 0  # resumed: nothing evaluated twice
    assert f"evaluated 0, skipped_existing {len(runs)}" in capsys.readouterr().out
    assert len(KnowledgeBase(kb).runs(statuses=None)) == len(runs)

    # the suite lists task 1882: the same dataset (same fingerprint), so the same runs
    assert _grow(kb, "openml/s/1", "--datasets", "anneal") == 0
    assert f"datasets 1, evaluated 0, skipped_existing {len(runs)}" in capsys.readouterr().out
    assert any(url.endswith("/study/1") for url in served)
    assert len(KnowledgeBase(kb).runs(statuses=None)) == len(runs)


def test_unloadable_tasks_are_reported_and_skipped_and_filters_apply(
    no_network, openml_cache, tmp_path, capsys
):
    kb = tmp_path / "kb"
    # task 3 is in the cache but its dataset is not: the client goes to the (blocked) network
    assert _grow(kb, "openml/t/3,1882", "--task", "regression") == 0
    out = capsys.readouterr()
    assert "[grow] OpenML task 3: skipped, NetworkBlocked" in out.err
    assert "datasets 0, evaluated 0" in out.out  # 1882 is classification: filtered out

    assert _grow(kb, "openml/t/1882", "--datasets", "3,not-anneal") == 0
    assert "datasets 0, evaluated 0" in capsys.readouterr().out  # by task id or name
    assert KnowledgeBase(kb).datasets().empty


def test_an_unreachable_suite_is_an_error(no_network, openml_cache, tmp_path, capsys):
    assert _grow(tmp_path / "kb", "openml/s/99") == 2
    assert "could not load OpenML suite 99: NetworkBlocked" in capsys.readouterr().err


@pytest.mark.parametrize(
    "data, message",
    [
        ("openml/x/3", "an OpenML source is openml/s/<suite id> or openml/t/<task id>"),
        ("openml/t/anneal", "OpenML task ids are integers"),
        ("openml/t/", "an OpenML source is"),
        ("no-such-folder", "is not a folder: give a folder of datasets with an index.csv"),
    ],
)
def test_unknown_data_is_a_clear_error(tmp_path, capsys, monkeypatch, data, message):
    monkeypatch.chdir(tmp_path)
    assert _grow(tmp_path / "kb", data) == 2
    err = capsys.readouterr().err
    assert err.startswith("automl kb: error: --data") and message in err


def test_a_folder_without_index_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    assert _grow(tmp_path / "kb", str(tmp_path / "data")) == 2
    assert "has no index.csv" in capsys.readouterr().err
