"""`automl kb ...` on real data (``tests/data``), into knowledge bases in tmp_path."""

import pandas as pd
import pytest

from automl.cli import main
from knowledge_base import KnowledgeBase
from tests.conftest import AUTOSKLEARN, PMLB


@pytest.fixture
def tiny_pmlb(tmp_path):
    """Two small PMLB datasets in a folder of their own, with an index.csv."""
    folder = tmp_path / "pmlb"
    folder.mkdir()
    index = pd.read_csv(PMLB / "index.csv")
    keep = index[index["name"].isin(["prnn_crabs", "1096_FacultySalaries"])]
    keep.to_csv(folder / "index.csv", index=False)
    for name in keep["name"]:
        (folder / f"{name}.tsv.gz").write_bytes((PMLB / f"{name}.tsv.gz").read_bytes())
    return folder


@pytest.mark.slow
def test_grow_is_resumable_and_stats_count_it(tmp_path, tiny_pmlb, capsys):
    kb = tmp_path / "kb"
    args = [
        "kb",
        "--path",
        str(kb),
        "grow",
        "--data",
        str(tiny_pmlb),
        "--configs",
        "1",
        "--trial-limit",
        "20",
    ]
    assert main(args) == 0
    runs = KnowledgeBase(kb).runs(statuses=None)
    datasets = KnowledgeBase(kb).datasets()
    assert set(datasets["name"]) == {"prnn_crabs", "1096_FacultySalaries"}
    # every family's defaults plus one Sobol point, for each dataset
    assert runs.groupby("dataset_id").size().min() >= 9
    assert set(runs["metric"]) == {"roc_auc", "rmse"}
    assert (runs["fidelity"] == 1.0).all()
    capsys.readouterr()
    assert main(args) == 0  # resumed: nothing evaluated twice
    assert "evaluated 0" in capsys.readouterr().out
    assert len(KnowledgeBase(kb).runs(statuses=None)) == len(runs)
    assert main(["kb", "--path", str(kb), "stats"]) == 0
    assert "grow" in capsys.readouterr().out


@pytest.mark.slow
def test_grow_subsamples_large_data_and_records_fidelity(tmp_path, tiny_pmlb):
    kb = tmp_path / "kb"
    main(
        [
            "kb",
            "--path",
            str(kb),
            "grow",
            "--data",
            str(tiny_pmlb),
            "--configs",
            "0",
            "--max-rows",
            "100",
            "--datasets",
            "prnn_crabs",
        ]
    )
    runs = KnowledgeBase(kb).runs(statuses=None)
    assert runs["fidelity"].round(2).eq(0.5).all()
    assert KnowledgeBase(kb).datasets()["n_rows"].tolist() == [200]


def test_import_autosklearn_and_neighbors(tmp_path, capsys):
    kb = tmp_path / "kb"
    assert (
        main(
            [
                "kb",
                "--path",
                str(kb),
                "import",
                "autosklearn",
                str(AUTOSKLEARN),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "319 datasets" in out and "skipped" in out
    data = PMLB / "prnn_crabs.tsv.gz"
    assert (
        main(["kb", "--path", str(kb), "neighbors", str(data), "--target", "target", "-k", "3"])
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:3] == ["dataset_id", "name", "distance"] and len(lines) == 4


def test_compact_merges_part_files(tmp_path, capsys):
    kb = tmp_path / "kb"
    for _ in range(2):
        main(
            [
                "kb",
                "--path",
                str(kb),
                "import",
                "autosklearn",
                str(AUTOSKLEARN),
            ]
        )
    before = KnowledgeBase(kb).stats()
    assert main(["kb", "--path", str(kb), "compact"]) == 0
    after = KnowledgeBase(kb).stats()
    assert after["files"] < before["files"] and after["runs"] == before["runs"]
