"""Files of schema version 1 read under version 2 with every value kept and the energy
columns null, before and after a compaction rewrites them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from knowledge_base import RUNS_SCHEMA, SCHEMA_VERSION, KnowledgeBase, shipped_path
from knowledge_base._parts import part_files, read_part

# Written by the version-1 library (commit 5a33d1b) from 38 real rows of the shipped base:
# every status and source it held, with nulls in each nullable column.
V1 = Path(__file__).parent / "data" / "schema-v1"
ENERGY = ["cpu_seconds", "energy_joules", "energy_source"]


def _v1_runs_file() -> Path:
    (path,) = part_files(V1, "runs")
    return path


def _same_values(read: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Every column of ``raw`` (the file as pyarrow reads it) is in ``read`` unchanged."""
    read = read.set_index("run_id").loc[raw["run_id"]]
    for column in raw.columns.drop("run_id"):
        left, right = read[column].reset_index(drop=True), raw[column].reset_index(drop=True)
        pd.testing.assert_series_equal(left, right, check_dtype=False, check_names=False)


def test_the_fixture_is_a_version_1_file():
    meta = pq.read_schema(_v1_runs_file()).metadata
    assert meta[b"automl_kb.schema_version"] == b"1"
    assert not set(ENERGY) & set(pq.read_schema(_v1_runs_file()).names)
    assert SCHEMA_VERSION == 2


def test_a_version_1_part_reads_with_nothing_lost():
    path = _v1_runs_file()
    raw = pq.read_table(path).to_pandas()
    table = read_part(path, "runs")
    assert table.schema.equals(RUNS_SCHEMA)
    assert table.num_rows == len(raw) == 38
    read = table.to_pandas()
    _same_values(read, raw)
    assert read[ENERGY].isna().all().all()
    assert (read["schema_version"] == 1).all()  # the rows say what they were written with


def test_old_and_new_parts_together_and_compacted(tmp_path, make_runs):
    root = tmp_path / "kb"
    shutil.copytree(V1, root)
    kb = KnowledgeBase(root)
    new = make_runs(2, run_id=["new0", "new1"], cpu_seconds=[1.5, 2.0], energy_joules=[18.0, 24.0])
    new["energy_source"] = ["model", "rapl"]
    kb.append(runs=new)
    raw = pq.read_table(_v1_runs_file()).to_pandas()
    for _ in range(2):  # as appended, then compacted into one version-2 part
        runs = kb.runs(statuses=None)
        assert len(runs) == 40
        _same_values(runs, raw)
        fresh = runs.set_index("run_id").loc[new["run_id"]]
        assert fresh["cpu_seconds"].tolist() == [1.5, 2.0]
        assert fresh["energy_source"].tolist() == ["model", "rapl"]
        assert (fresh["schema_version"] == SCHEMA_VERSION).all()
        assert len(kb.datasets()) == len(pq.read_table(part_files(V1, "datasets")[0]))
        kb.compact()
        kb = KnowledgeBase(root)
    (part,) = part_files(root, "runs")
    assert pq.read_schema(part).metadata[b"automl_kb.schema_version"] == b"2"


def test_an_unknown_energy_source_is_refused(make_runs):
    from knowledge_base import KnowledgeBaseError, validate_frame

    runs = make_runs(1)
    runs["energy_source"] = ["guess"]
    with pytest.raises(KnowledgeBaseError, match=r"energy_source.*'rapl', 'model'.*'guess'"):
        validate_frame(runs, "runs")


def test_the_shipped_parts_read_with_nothing_lost():
    """The committed base (and the parts a build appends to it) under the current reader."""
    files = part_files(shipped_path(), "runs")
    if not files:
        pytest.skip("no shipped knowledge base here")
    for path in files:
        try:
            raw = pq.read_table(path).to_pandas()
            read = read_part(path, "runs").to_pandas()
        except FileNotFoundError:  # compacted away by a build meanwhile
            continue
        assert len(read) == len(raw)
        _same_values(read, raw)
