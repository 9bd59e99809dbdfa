"""Result files: atomic part files, reading, statuses, and knowledge-base rows from trials."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from benchmarks.results import (
    COLUMNS,
    import_into_knowledge_base,
    job_statuses,
    read_results,
    to_knowledge_base_rows,
    write_job_result,
)


def _trials(job_id: str, dataset_id: str | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trial": [0, 1, 2],
            "model": ["lightgbm", "random_forest", "mlp"],
            "config": [
                json.dumps({"model": "lightgbm", "lightgbm:num_leaves": 31}),
                json.dumps({"model": "random_forest", "random_forest:max_features": 0.5}),
                json.dumps({"model": "mlp"}),
            ],
            "origin": ["default", "warm-start", "smac"],
            "loss": [0.2, 0.1, float("nan")],
            "score": [0.8, 0.9, float("nan")],
            "status": ["success", "success", "crashed"],
            "fit_time": [0.5, 0.7, 0.1],
            "start_time": [0.1, 0.7, 1.5],
            "end_time": [0.6, 1.4, 1.6],
            "error": [None, None, "ValueError: diverged"],
            "job_id": job_id,
            "system": "automl",
            "dataset": "toy",
            "task_type": "binary",
            "metric": "roc_auc",
            "seed": 0,
            "openml_task_id": None,
            "openml_dataset_id": None,
            "n_rows": 40,
            "n_features": 3,
            "resampling": "holdout0.33",
            "dataset_id": dataset_id,
            "metafeatures": json.dumps({"NumberOfInstances": 40.0, "ClassEntropy": None}),
            "record_error": None,
        }
    )


def test_part_files_are_written_atomically_and_replaced(tmp_path):
    assert list(read_results(tmp_path).columns) == COLUMNS and read_results(tmp_path).empty
    row = {"job_id": "j1", "task": "t", "fold": 0, "system": "constant", "status": "error"}
    write_job_result(tmp_path, {"row": row, "trials": _trials("j1", "d1")})
    assert job_statuses(tmp_path) == {"j1": "error"}
    write_job_result(tmp_path, {"row": row | {"status": "success", "score": 0.5}, "trials": None})
    assert job_statuses(tmp_path) == {"j1": "success"}
    assert not (tmp_path / "trials" / "j1.parquet").exists()  # the retry had no trials
    assert [p.name for p in (tmp_path / "jobs").iterdir()] == ["j1.parquet"]  # no temp files
    (tmp_path / "jobs" / "broken.parquet").write_bytes(b"not parquet")
    assert job_statuses(tmp_path) == {"j1": "success"}
    with pytest.warns(UserWarning, match="Skipping unreadable result file .*broken.parquet"):
        assert list(read_results(tmp_path)["job_id"]) == ["j1"]


def test_trials_become_knowledge_base_rows(tmp_path):
    for job_id, dataset_id in (("j1", "d1"), ("j2", "d1"), ("j3", None)):
        row = {"job_id": job_id, "status": "success"}
        write_job_result(tmp_path, {"row": row, "trials": _trials(job_id, dataset_id)})
    datasets, runs = to_knowledge_base_rows(tmp_path)
    assert list(datasets["dataset_id"]) == ["d1"]
    assert datasets.loc[0, "source"] == "benchmark" and datasets.loc[0, "n_rows"] == 40
    assert len(runs) == 6  # the job without a fingerprint is skipped
    assert set(runs["status"]) == {"success", "crashed"}
    assert runs["loss"].iloc[:2].tolist() == [0.2, 0.1]
    assert set(runs["resampling"]) == {"holdout0.33"} and set(runs["source"]) == {"benchmark"}


def test_import_into_a_knowledge_base(tmp_path):
    kb_module = pytest.importorskip("knowledge_base")
    results = tmp_path / "results"
    write_job_result(
        results, {"row": {"job_id": "j1", "status": "success"}, "trials": _trials("j1", "d1")}
    )
    kb = kb_module.KnowledgeBase(tmp_path / "kb")
    assert import_into_knowledge_base(results, kb) == {"datasets": 1, "runs": 3}
    assert len(kb.datasets()) == 1
    assert len(kb.runs(statuses=("success", "crashed"))) == 3
    assert import_into_knowledge_base(tmp_path / "empty", kb) == {"datasets": 0, "runs": 0}


def test_automl_bench_to_kb_appends_the_trials(tmp_path, capsys):
    """``automl bench to-kb`` comes from the benchmarks (an ``automl.commands`` entry point);
    automl's own ``kb`` command no longer imports them."""
    from automl.cli import main
    from knowledge_base import KnowledgeBase

    results = tmp_path / "results"
    write_job_result(
        results, {"row": {"job_id": "j1", "status": "success"}, "trials": _trials("j1", "d1")}
    )
    kb = tmp_path / "kb"
    assert main(["bench", "to-kb", str(results), "--knowledge-base", str(kb)]) == 0
    assert capsys.readouterr().out.strip() == "{'datasets': 1, 'runs': 3}"
    assert len(KnowledgeBase(kb).runs(statuses=("success", "crashed"))) == 3
    with pytest.raises(SystemExit):
        main(["kb", "import-bench", str(results)])
