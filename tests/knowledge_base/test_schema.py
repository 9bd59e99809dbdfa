"""The Arrow schema, frame validation on append and conforming of files on read."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import knowledge_base
from knowledge_base import (
    DATASETS_SCHEMA,
    RUNS_SCHEMA,
    SCHEMA_VERSION,
    KnowledgeBaseError,
    column_docs,
    validate_frame,
)
from knowledge_base.schema import conform_table, empty_frame

SPEC_COLUMNS = {
    "datasets": (
        "dataset_id name source openml_dataset_id openml_task_id task n_rows n_features "
        "metafeatures created_at library_version schema_version"
    ),
    "runs": (
        "run_id dataset_id task model config original_config metric score loss fit_time "
        "predict_time cpu_seconds energy_joules energy_source fidelity resampling status seed created_at source library_version space_version "
        "schema_version error"
    ),
}
SPEC_NULLABLE = {
    "datasets": {"openml_dataset_id", "openml_task_id"},
    "runs": {
        "original_config",
        "fit_time",
        "predict_time",
        "cpu_seconds",
        "energy_joules",
        "energy_source",
        "seed",
        "error",
    },
}
SCHEMAS = {"datasets": DATASETS_SCHEMA, "runs": RUNS_SCHEMA}


@pytest.mark.parametrize("table", ["datasets", "runs"])
def test_schema_matches_spec(table):
    schema = SCHEMAS[table]
    assert schema.names == SPEC_COLUMNS[table].split()
    assert {f.name for f in schema if f.nullable} == SPEC_NULLABLE[table]
    assert schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("schema_version").type == pa.int32()
    assert SCHEMA_VERSION == 2


@pytest.mark.parametrize("table", ["datasets", "runs"])
def test_schema_md_documents_every_column(table):
    text = (Path(knowledge_base.__file__).parent / "SCHEMA.md").read_text()
    assert f"SCHEMA_VERSION = {SCHEMA_VERSION}" in text
    for f in SCHEMAS[table]:
        assert re.search(rf"^\| `{f.name}` +\| {re.escape(str(f.type))} ", text, re.M), f.name
    docs = column_docs(table)
    assert list(docs) == SCHEMAS[table].names
    assert all(len(doc) > 20 for doc in docs.values())


def test_defaults_are_filled(make_runs):
    runs = make_runs(3)
    runs.loc[1, "seed"] = None
    data = validate_frame(runs, "runs").to_pandas()
    assert data["run_id"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert data["run_id"].nunique() == 3
    assert data["created_at"].notna().all()
    assert (data["created_at"].dt.tz is not None) and str(data["created_at"].dt.tz) == "UTC"
    assert (data["library_version"] == metadata.version("automl-kb")).all()
    assert (data["schema_version"] == SCHEMA_VERSION).all()
    assert data["original_config"].isna().all() and data["error"].isna().all()


def test_defaults_fill_missing_values_in_present_columns(make_runs):
    stamp = pd.Timestamp("2024-01-01", tz="UTC")
    runs = make_runs(2, run_id=["keep", None], schema_version=[1, None], created_at=[stamp, None])
    data = validate_frame(runs, "runs").to_pandas()
    assert data.loc[0, "run_id"] == "keep" and len(data.loc[1, "run_id"]) == 32
    assert data.loc[0, "created_at"] == stamp and data.loc[1, "created_at"] > stamp
    assert data["schema_version"].tolist() == [1, SCHEMA_VERSION]


def test_json_columns_are_canonical(make_runs, make_datasets):
    runs = make_runs(2)
    runs["config"] = [{"b": 1, "a": np.float64(0.5)}, '{"b": 1,   "a": 0.5}']
    runs["original_config"] = [[1, 2], None]
    data = validate_frame(runs, "runs").to_pandas()
    assert data["config"].tolist() == ['{"a": 0.5, "b": 1}'] * 2
    assert data["original_config"].tolist()[0] == "[1, 2]"
    datasets = make_datasets(2)
    datasets["metafeatures"] = [{"A": np.nan, "B": float("inf"), "C": 2}, pd.Series({"D": 1.5})]
    data = validate_frame(datasets, "datasets").to_pandas()
    assert json.loads(data["metafeatures"][0]) == {"A": None, "B": None, "C": 2}
    assert json.loads(data["metafeatures"][1]) == {"D": 1.5}


def test_coercions(make_runs, make_datasets):
    datasets = make_datasets(2, n_rows=[10.0, 20.0], task=pd.Categorical(["binary", "binary"]))
    datasets["created_at"] = pd.Timestamp("2024-01-02 03:04:05")  # naive: taken as UTC
    datasets["openml_dataset_id"] = [31, None]
    data = validate_frame(datasets, "datasets")
    assert data.column("n_rows").to_pylist() == [10, 20]
    assert data.column("openml_dataset_id").to_pylist() == [31, None]
    assert str(data.column("created_at")[0].as_py()) == "2024-01-02 03:04:05+00:00"
    runs = make_runs(1, created_at=pd.Timestamp("2024-01-02 05:00", tz="Europe/Berlin"))
    runs["score"] = runs["score"].astype(object)
    stamp = validate_frame(runs, "runs").column("created_at")[0].as_py()
    assert stamp.hour == 4


def test_crashed_run_keeps_nan_loss(make_runs):
    runs = make_runs(1, status="crashed", score=np.nan, loss=None, error="boom")
    data = validate_frame(runs, "runs")
    assert np.isnan(data.column("loss")[0].as_py())
    assert data.column("loss").null_count == 0


def _drop(name):
    return lambda f: f.drop(columns=name)


def _set(name, value):
    def change(frame):
        frame = frame.copy()
        frame[name] = value
        return frame

    return change


def _set_row(name, row, value):
    def change(frame):
        frame = frame.assign(**{name: frame.get(name)}).astype({name: object})
        frame.at[row, name] = value
        return frame

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop("model"), r"runs: missing required column\(s\) \['model'\]"),
        (_drop("loss"), r"missing required column\(s\) \['loss'\]"),
        (_set("modle", "x"), r"unknown column\(s\) \['modle'\]"),
        (
            _set("score", "high"),
            r"column 'score' must hold numbers \(double\), got: 'high' at row 0",
        ),
        (_set("fidelity", True), r"column 'fidelity' must hold numbers \(double\), got dtype bool"),
        (_set("seed", 1.5), r"column 'seed' must hold whole numbers \(int64\), got: 1\.5"),
        (_set("model", 3), r"column 'model' must hold strings, got dtype int64"),
        (_set_row("model", 2, 3), r"column 'model' must hold strings, got: 3 at row 2"),
        (_set_row("model", 1, None), r"column 'model' is required but has a missing value"),
        (_set_row("status", 1, "failed"), r"column 'status' must be one of \[.*\], got: 'failed'"),
        (_set("task", "clustering"), r"column 'task' must be one of .*'clustering' at row 0 "),
        (_set_row("config", 2, "{model: x"), r"column 'config' at row 2 is not valid JSON"),
        (_set_row("config", 0, "[1, 2]"), r"column 'config' at row 0 must be a JSON object"),
        (_set_row("original_config", 0, "nope"), r"'original_config' at row 0 is not valid JSON"),
        (_set("run_id", "same"), r"column 'run_id' must be unique .*'same' at row 1 \(2 rows"),
        (_set_row("loss", 1, np.nan), r"column 'loss' must be a number for status 'success'"),
        (
            _set_row("fidelity", 2, 0.0),
            r"column 'fidelity' must be in \(0, 1\], got: 0\.0 at row 2",
        ),
        (_set("created_at", "yesterday-ish"), r"column 'created_at' must hold timestamps"),
        (
            lambda f: pd.concat([f, f[["model"]]], axis=1),
            r"runs: column\(s\) \['model'\] appear more than once",
        ),
    ],
)
def test_bad_runs_are_rejected_with_a_clear_message(make_runs, change, message):
    with pytest.raises(KnowledgeBaseError, match=message):
        validate_frame(change(make_runs(3)), "runs")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("source", "kaggle"), r"column 'source' must be one of \['pmlb', .*'kaggle'"),
        (_set_row("metafeatures", 0, '{"A": "x"}'), r"must map names to numbers, got \{'A': 'x'\}"),
        (_set_row("metafeatures", 1, "3"), r"'metafeatures' at row 1 must be a JSON object"),
        (_set("n_rows", [1, 2.5, 3]), r"column 'n_rows' must hold whole numbers"),
        (_set("dataset_id", ["a", "a", "b"]), r"column 'dataset_id' must be unique"),
    ],
)
def test_bad_datasets_are_rejected(make_datasets, change, message):
    with pytest.raises(KnowledgeBaseError, match=message):
        validate_frame(change(make_datasets(3)), "datasets")


def test_validate_rejects_non_frames_and_unknown_tables(make_runs):
    with pytest.raises(KnowledgeBaseError, match="expected a pandas DataFrame"):
        validate_frame({"a": [1]}, "runs")
    with pytest.raises(ValueError, match="unknown table 'trials'"):
        validate_frame(make_runs(1), "trials")


def test_conform_fills_nullable_columns_of_older_files(make_runs):
    full = validate_frame(make_runs(2), "runs")
    required = [f.name for f in RUNS_SCHEMA if not f.nullable]
    old = full.select(required).replace_schema_metadata(None)
    data = conform_table(old, "runs", "old.parquet")
    assert data.schema.equals(RUNS_SCHEMA)
    assert data.column("seed").null_count == 2 and data.column("fit_time").null_count == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: pa.table({"a": [1]}), r"f\.parquet: not a knowledge-base runs file.*missing"),
        (
            lambda t: t.replace_schema_metadata({"automl_kb.table": "datasets"}),
            r"f\.parquet: holds the 'datasets' table, not 'runs'",
        ),
        (
            lambda t: t.replace_schema_metadata({"automl_kb.schema_version": "3"}),
            r"schema version 3, but this library reads up to 2",
        ),
        (
            lambda t: t.set_column(3, "model", pa.array([1, 2], pa.int64())),
            r"column 'model' has type int64, expected string",
        ),
        (
            lambda t: t.set_column(3, "model", pa.array(["x", None])),
            r"required column 'model' has 1 missing values",
        ),
    ],
)
def test_conform_rejects_foreign_tables(make_runs, make, message):
    good = validate_frame(make_runs(2), "runs")
    with pytest.raises(KnowledgeBaseError, match=message):
        conform_table(make(good), "runs", "f.parquet")


def test_conform_casts_compatible_types(make_runs):
    good = validate_frame(make_runs(2), "runs")
    seed, created = good.schema.get_field_index("seed"), good.schema.get_field_index("created_at")
    narrow = good.set_column(seed, "seed", good.column("seed").cast(pa.int32()))
    narrow = narrow.set_column(
        created, "created_at", good.column("created_at").cast(pa.timestamp("ns"))
    )
    assert conform_table(narrow, "runs", "f").schema.equals(RUNS_SCHEMA)


@pytest.mark.parametrize("table", ["datasets", "runs"])
def test_empty_frame_has_the_columns(table):
    frame = empty_frame(table)
    assert list(frame.columns) == SCHEMAS[table].names and frame.empty
