"""The versioned Arrow schema of the knowledge base, and checks that frames and files fit it.

Two tables, ``datasets`` (primary key ``dataset_id``) and ``runs`` (primary key ``run_id``).
:func:`validate_frame` turns a user's pandas frame into an Arrow table of the current schema
(or says exactly what is wrong); :func:`conform_table` brings a table read from a Parquet file,
possibly written with an older compatible schema, to the current schema. SCHEMA.md next to this
module documents the same columns for people and other tools.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from importlib import metadata
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._coerce import column_to_arrow, fail_at
from ._errors import KnowledgeBaseError
from .vocabulary import STATUSES, TASKS

__all__ = [
    "DATASETS_SCHEMA",
    "DATASET_SOURCES",
    "PRIMARY_KEYS",
    "RUNS_SCHEMA",
    "SCHEMA_VERSION",
    "STATUSES",
    "TABLES",
    "TASKS",
    "KnowledgeBaseError",
    "column_docs",
    "conform_table",
    "empty_frame",
    "to_pandas",
    "validate_frame",
]

SCHEMA_VERSION = 2
"""Version of the table layout; bumped on any change that older readers cannot handle.

2 adds the runs' ``cpu_seconds``, ``energy_joules`` and ``energy_source`` (nullable); files of
version 1 read with them null and every other value as written (:func:`conform_table`)."""

ENERGY_SOURCES = ("rapl", "model")

DATASET_SOURCES = ("pmlb", "openml", "autosklearn", "user", "benchmark")

_META_TABLE = b"automl_kb.table"
_META_VERSION = b"automl_kb.schema_version"


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


def _schema(table: str, fields: list[pa.Field]) -> pa.Schema:
    version = str(SCHEMA_VERSION).encode()
    return pa.schema(fields, metadata={_META_TABLE: table.encode(), _META_VERSION: version})


_TS = pa.timestamp("us", tz="UTC")

DATASETS_SCHEMA = _schema(
    "datasets",
    [
        _field(
            "dataset_id",
            pa.string(),
            "Primary key: dataset_fingerprint(X, y), or "
            "'openml-<did>' / 'autosklearn-<name>' for datasets imported without data.",
        ),
        _field("name", pa.string(), "Human-readable name."),
        _field("source", pa.string(), "Where it came from: " + ", ".join(DATASET_SOURCES) + "."),
        _field("openml_dataset_id", pa.int64(), "OpenML dataset id.", nullable=True),
        _field("openml_task_id", pa.int64(), "OpenML task id.", nullable=True),
        _field("task", pa.string(), "Task type: " + ", ".join(TASKS) + "."),
        _field("n_rows", pa.int64(), "Number of rows (instances)."),
        _field("n_features", pa.int64(), "Number of features, target excluded."),
        _field(
            "metafeatures",
            pa.string(),
            "JSON object: OpenML quality name -> float (NaN and infinities stored as null).",
        ),
        _field("created_at", _TS, "When the row was written (UTC)."),
        _field("library_version", pa.string(), "automl-kb version that wrote the row."),
        _field("schema_version", pa.int32(), "SCHEMA_VERSION that the row was written with."),
    ],
)

RUNS_SCHEMA = _schema(
    "runs",
    [
        _field("run_id", pa.string(), "Primary key: uuid4 hex."),
        _field("dataset_id", pa.string(), "The dataset (datasets.dataset_id) the run was on."),
        _field("task", pa.string(), "Task type: " + ", ".join(TASKS) + "."),
        _field("model", pa.string(), "Model family, e.g. lightgbm, random_forest."),
        _field(
            "config",
            pa.string(),
            "JSON object: the configuration in search-space keys "
            "(stored canonically, keys sorted).",
        ),
        _field(
            "original_config",
            pa.string(),
            "JSON of the source's own configuration (provenance).",
            nullable=True,
        ),
        _field("metric", pa.string(), "Metric name, e.g. roc_auc, rmse."),
        _field(
            "score",
            pa.float64(),
            "The metric in its natural orientation; NaN if the run did not succeed.",
        ),
        _field(
            "loss",
            pa.float64(),
            "Lower is better (1-roc_auc, rmse, ...); NaN if the run did not succeed.",
        ),
        _field("fit_time", pa.float64(), "Seconds spent fitting.", nullable=True),
        _field(
            "predict_time",
            pa.float64(),
            "Seconds spent predicting the validation rows (all folds).",
            nullable=True,
        ),
        _field(
            "cpu_seconds",
            pa.float64(),
            "CPU seconds (user + system) of the run's process and its children (schema 2).",
            nullable=True,
        ),
        _field(
            "energy_joules",
            pa.float64(),
            "Energy of the run in joules: measured (RAPL) or estimated (model) (schema 2).",
            nullable=True,
        ),
        _field(
            "energy_source",
            pa.string(),
            "Where energy_joules comes from: rapl (package counters) or model "
            "(CPU seconds x watts per core, an estimate) (schema 2).",
            nullable=True,
        ),
        _field("fidelity", pa.float64(), "Fraction of rows used, in (0, 1]; 1.0 = all."),
        _field(
            "resampling",
            pa.string(),
            "How the score was estimated, e.g. cv5, holdout0.33, openml-10cv.",
        ),
        _field("status", pa.string(), "Outcome: " + ", ".join(STATUSES) + "."),
        _field("seed", pa.int64(), "Random seed of the run.", nullable=True),
        _field("created_at", _TS, "When the row was written (UTC)."),
        _field("source", pa.string(), "Who produced the run, e.g. automl, openml, autosklearn."),
        _field("library_version", pa.string(), "automl-kb version that wrote the row."),
        _field("space_version", pa.string(), "Version of the search space of `config`."),
        _field("schema_version", pa.int32(), "SCHEMA_VERSION that the row was written with."),
        _field("error", pa.string(), "Error message of a failed run.", nullable=True),
    ],
)

TABLES: dict[str, pa.Schema] = {"datasets": DATASETS_SCHEMA, "runs": RUNS_SCHEMA}
PRIMARY_KEYS: dict[str, str] = {"datasets": "dataset_id", "runs": "run_id"}

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("datasets", "task"): TASKS,
    ("datasets", "source"): DATASET_SOURCES,
    ("runs", "task"): TASKS,
    ("runs", "status"): STATUSES,
    ("runs", "energy_source"): ENERGY_SOURCES,
}
# JSON columns: name -> must the value be a JSON object (dict)?
_JSON_COLUMNS: dict[tuple[str, str], bool] = {
    ("datasets", "metafeatures"): True,
    ("runs", "config"): True,
    ("runs", "original_config"): False,
}


def column_docs(table: str) -> dict[str, str]:
    """Describe the columns of a table.

    Parameters
    ----------
    table : {"datasets", "runs"}

    Returns
    -------
    dict
        Column name -> ``"<type>[, nullable]: <description>"``, in schema order.
    """
    out = {}
    for f in _schema_of(table):
        kind = f"{f.type}, nullable" if f.nullable else str(f.type)
        out[f.name] = f"{kind}: {f.metadata[b'doc'].decode()}"
    return out


def _schema_of(table: str) -> pa.Schema:
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}") from None


@cache
def _library_version() -> str:
    try:
        return metadata.version("automl-kb")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "0+unknown"


def _defaults(table: str, n: int) -> dict[str, Callable[[], list[Any]]]:
    now = datetime.now(timezone.utc)
    out: dict[str, Callable[[], list[Any]]] = {
        "created_at": lambda: [now] * n,
        "library_version": lambda: [_library_version()] * n,
        "schema_version": lambda: [SCHEMA_VERSION] * n,
    }
    if table == "runs":
        out["run_id"] = lambda: [uuid.uuid4().hex for _ in range(n)]
    return out


# ---------------------------------------------------------------- frame -> Arrow (appends)


def validate_frame(frame: pd.DataFrame, table: str) -> pa.Table:
    """Check a frame against a table's schema and convert it to Arrow.

    Missing ``run_id`` (runs), ``created_at``, ``library_version`` and ``schema_version``
    columns, or missing values in them, are filled with defaults (a fresh uuid4 hex, now,
    this library's version, :data:`SCHEMA_VERSION`). Missing nullable columns are filled
    with nulls. JSON columns accept dicts as well as JSON strings and are stored canonically
    (sorted keys, NaN as null).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to append.
    table : {"datasets", "runs"}
        The table they belong to.

    Returns
    -------
    pyarrow.Table
        The rows with exactly the table's schema.

    Raises
    ------
    KnowledgeBaseError
        Naming the column and the offending value: unknown or missing required column,
        wrong type, missing value, unknown category (task, status, source), invalid JSON,
        duplicate primary key, success without a loss, fidelity outside (0, 1].
    """
    schema = _schema_of(table)
    if not isinstance(frame, pd.DataFrame):
        raise KnowledgeBaseError(f"{table}: expected a pandas DataFrame, got {type(frame)!r}")
    unknown = [c for c in frame.columns if c not in schema.names]
    if unknown:
        raise KnowledgeBaseError(
            f"{table}: unknown column(s) {unknown}; the {table} table has columns {schema.names}"
        )
    repeated = sorted(set(frame.columns[frame.columns.duplicated()]))
    if repeated:
        raise KnowledgeBaseError(f"{table}: column(s) {repeated} appear more than once")
    frame = frame.reset_index(drop=True)
    defaults = _defaults(table, len(frame))
    missing = [
        f.name for f in schema if not f.nullable and f.name not in frame and f.name not in defaults
    ]
    if missing:
        raise KnowledgeBaseError(f"{table}: missing required column(s) {missing}")
    arrays = []
    for f in schema:
        if f.name in frame:
            column = frame[f.name]
            if f.name in defaults and column.isna().any():
                column = column.where(column.notna(), pd.Series(defaults[f.name](), dtype=object))
        elif f.name in defaults:
            column = pd.Series(defaults[f.name](), dtype=object)
        else:
            column = pd.Series([None] * len(frame), dtype=object)
        arrays.append(
            column_to_arrow(
                column,
                f,
                table,
                choices=_CHOICES.get((table, f.name)),
                json_object=_JSON_COLUMNS.get((table, f.name)),
            )
        )
    result = pa.Table.from_arrays(arrays, schema=schema)
    _check_rows(result, table)
    return result


def _check_rows(result: pa.Table, table: str) -> None:
    key = PRIMARY_KEYS[table]
    ids = result.column(key).to_pandas()
    fail_at(table, key, "must be unique within an append, duplicate", ids, ids.duplicated())
    if table == "runs":
        frame = result.select(["status", "loss", "fidelity"]).to_pandas()
        no_loss = (frame["status"] == "success") & frame["loss"].isna()
        fail_at(table, "loss", "must be a number for status 'success', got", frame["loss"], no_loss)
        fidelity = frame["fidelity"]
        outside = ~((fidelity > 0) & (fidelity <= 1))
        fail_at(table, "fidelity", "must be in (0, 1], got", fidelity, outside)


# ---------------------------------------------------------------- files -> Arrow (reads)


def conform_table(data: pa.Table, table: str, source: str) -> pa.Table:
    """Bring a table read from a Parquet file to the current schema.

    Columns missing from an older-but-compatible file are filled with nulls when nullable;
    extra columns are dropped; types are cast where the cast is lossless.

    Parameters
    ----------
    data : pyarrow.Table
        The file's contents.
    table : {"datasets", "runs"}
        The table the file belongs to.
    source : str
        The file's name, for error messages.

    Returns
    -------
    pyarrow.Table

    Raises
    ------
    KnowledgeBaseError
        If the file belongs to another table or a newer schema version, lacks a required
        column, has a column of an incompatible type, or a missing required value.
    """
    schema = _schema_of(table)
    meta = data.schema.metadata or {}
    if _META_TABLE in meta and meta[_META_TABLE].decode() != table:
        raise KnowledgeBaseError(
            f"{source}: holds the {meta[_META_TABLE].decode()!r} table, not {table!r}"
        )
    version = int(meta.get(_META_VERSION, b"0") or 0)
    if version > SCHEMA_VERSION:
        raise KnowledgeBaseError(
            f"{source}: written with schema version {version}, but this library reads up to "
            f"{SCHEMA_VERSION}; upgrade automl-kb"
        )
    missing = [f.name for f in schema if not f.nullable and f.name not in data.column_names]
    if missing:
        raise KnowledgeBaseError(
            f"{source}: not a knowledge-base {table} file (schema mismatch): missing required "
            f"column(s) {missing}"
        )
    arrays = []
    for f in schema:
        if f.name not in data.column_names:
            arrays.append(pa.nulls(data.num_rows, type=f.type))
            continue
        column = data.column(f.name)
        if not f.nullable and not pa.types.is_floating(f.type) and column.null_count:
            raise KnowledgeBaseError(
                f"{source}: required column {f.name!r} has {column.null_count} missing values"
            )
        try:
            if not _castable(column.type, f.type):
                raise pa.ArrowTypeError("not a lossless cast")
            column = column.cast(f.type, safe=not pa.types.is_timestamp(f.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise KnowledgeBaseError(
                f"{source}: column {f.name!r} has type {column.type}, expected {f.type} ({exc})"
            ) from None
        if not f.nullable and pa.types.is_floating(f.type) and column.null_count:
            column = pc.fill_null(column, float("nan"))
        arrays.append(column)
    return pa.Table.from_arrays(arrays, schema=schema)


def _castable(source: pa.DataType, target: pa.DataType) -> bool:
    """Whether a file's column type may be read as the schema's type."""
    if pa.types.is_dictionary(source):
        source = source.value_type
    if pa.types.is_null(source) or source == target:
        return True
    if pa.types.is_string(target):
        return (
            pa.types.is_string(source)
            or pa.types.is_large_string(source)
            or (pa.types.is_string_view(source))
        )
    if pa.types.is_integer(target):
        return pa.types.is_integer(source)
    if pa.types.is_floating(target):
        return pa.types.is_integer(source) or pa.types.is_floating(source)
    return pa.types.is_timestamp(target) and pa.types.is_timestamp(source)


_NULLABLE_INTS = {
    name: [f.name for f in schema if f.nullable and pa.types.is_integer(f.type)]
    for name, schema in TABLES.items()
}


def to_pandas(data: pa.Table, table: str) -> pd.DataFrame:
    """Convert a conformed table to pandas with stable dtypes.

    Nullable integer columns become pandas ``Int64`` whether or not they hold nulls.

    Parameters
    ----------
    data : pyarrow.Table
    table : {"datasets", "runs"}

    Returns
    -------
    pandas.DataFrame
    """
    frame = data.to_pandas()
    for name in _NULLABLE_INTS[table]:
        frame[name] = frame[name].astype("Int64")
    return frame


def empty_frame(table: str) -> pd.DataFrame:
    """An empty frame with a table's columns and dtypes.

    Parameters
    ----------
    table : {"datasets", "runs"}

    Returns
    -------
    pandas.DataFrame
    """
    return to_pandas(_schema_of(table).empty_table(), table)
