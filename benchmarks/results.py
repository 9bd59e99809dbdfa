"""Benchmark results on disk: one Parquet part file per job, written atomically.

Layout of a results folder ``DIR``::

    DIR/jobs/<job_id>.parquet     one row per job (RESULTS_SCHEMA)
    DIR/trials/<job_id>.parquet   per-trial records of the automl systems, with the dataset's
                                  meta-features and fingerprint (for the knowledge base)

A rerun of a job replaces its part files (same name), so the folder always holds the latest
attempt of each job. Files whose name starts with a dot are temporary and ignored.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from knowledge_base.importers import DATASET_COLUMNS

STATUSES = ("success", "error", "timeout", "memout", "not-installed")

RESULTS_SCHEMA = pa.schema(
    [
        ("job_id", pa.string()),
        ("suite", pa.string()),
        ("task", pa.string()),
        ("task_id", pa.int64()),
        ("dataset", pa.string()),
        ("task_type", pa.string()),
        ("fold", pa.int64()),
        ("system", pa.string()),
        ("metric", pa.string()),
        ("higher_is_better", pa.bool_()),
        ("score", pa.float64()),
        ("train_time", pa.float64()),
        ("predict_time", pa.float64()),
        ("n_trials", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("versions", pa.string()),
        ("budget", pa.float64()),
        ("seed", pa.int64()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("trace", pa.string()),
        ("n_train", pa.int64()),
        ("n_test", pa.int64()),
        ("n_features", pa.int64()),
        ("memory_limit", pa.int64()),
        ("peak_memory_mb", pa.float64()),
        ("wall_time", pa.float64()),
        ("host", pa.string()),
    ]
)
COLUMNS = RESULTS_SCHEMA.names
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def row_table(row: dict[str, Any]) -> pa.Table:
    """One result row as a table with :data:`RESULTS_SCHEMA` (missing fields are null)."""
    values = {}
    for name in COLUMNS:
        value = row.get(name)
        if isinstance(value, float) and np.isnan(value):
            value = None
        values[name] = [value]
    if values["timestamp"][0] is None:
        values["timestamp"] = [pd.Timestamp.now(tz="UTC")]
    return pa.table(values, schema=RESULTS_SCHEMA)


def write_job_result(out_dir: str | Path, payload: dict[str, Any]) -> Path:
    """Write a job's row (and its trials, if any) as part files; return the row's path."""
    out_dir = Path(out_dir)
    row = payload["row"]
    path = out_dir / "jobs" / f"{row['job_id']}.parquet"
    trials = payload.get("trials")
    trials_path = out_dir / "trials" / f"{row['job_id']}.parquet"
    if isinstance(trials, pd.DataFrame) and not trials.empty:
        _atomic_write(pa.Table.from_pandas(trials, preserve_index=False), trials_path)
    elif trials_path.exists():
        trials_path.unlink()
    _atomic_write(row_table(row), path)
    return path


def _part_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))


def read_results(results_dir: str | Path) -> pd.DataFrame:
    """All job rows of a results folder (empty frame with the columns when there are none)."""
    files = _part_files(Path(results_dir) / "jobs")
    if not files:
        return RESULTS_SCHEMA.empty_table().to_pandas(types_mapper=_NULLABLE.get)
    tables = []
    for path in files:
        try:
            tables.append(pq.read_table(path).cast(RESULTS_SCHEMA))
        except (OSError, pa.ArrowInvalid) as exc:
            warnings.warn(f"Skipping unreadable result file {path}: {exc}", stacklevel=2)
    if not tables:
        return RESULTS_SCHEMA.empty_table().to_pandas(types_mapper=_NULLABLE.get)
    return pa.concat_tables(tables).to_pandas(types_mapper=_NULLABLE.get)


def job_statuses(results_dir: str | Path) -> dict[str, str]:
    """Map each recorded job id to its status (reads only the two columns)."""
    out = {}
    for path in _part_files(Path(results_dir) / "jobs"):
        try:
            table = pq.read_table(path, columns=["job_id", "status"])
        except (OSError, pa.ArrowInvalid):
            continue  # an unreadable part file counts as not done
        for job_id, status in zip(table["job_id"].to_pylist(), table["status"].to_pylist()):
            out[job_id] = status
    return out


def read_trials(results_dir: str | Path) -> pd.DataFrame:
    """All per-trial records saved by the automl systems' jobs."""
    files = _part_files(Path(results_dir) / "trials")
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


_TRIAL_STATUS = {"success": "success", "timeout": "timeout", "memout": "memout"}


def _metric_loss(metric: str, score: float) -> float:
    from benchmarks.metrics import higher_is_better

    return 1.0 - score if higher_is_better(metric) else score


def to_knowledge_base_rows(results_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn the automl systems' saved trials into knowledge-base ``datasets`` and ``runs`` rows.

    The frames follow the knowledge base's schema (spec v1); ``run_id``, ``created_at``,
    ``library_version`` and ``schema_version`` are left for ``KnowledgeBase.append`` to fill.
    Trials of jobs whose dataset fingerprint could not be computed are skipped.

    Parameters
    ----------
    results_dir : str or Path
        A benchmark results folder.

    Returns
    -------
    datasets, runs : DataFrame
        Append them with ``KnowledgeBase(path).append(datasets=datasets, runs=runs)``.
    """
    trials = read_trials(results_dir)
    if trials.empty or "dataset_id" not in trials.columns:
        return pd.DataFrame(), pd.DataFrame()
    trials = trials[trials["dataset_id"].notna()]
    if trials.empty:
        return pd.DataFrame(), pd.DataFrame()
    datasets = (
        trials.drop_duplicates("dataset_id")
        .assign(
            name=lambda f: f["dataset"].astype(str),
            source="benchmark",
            openml_dataset_id=lambda f: f["openml_dataset_id"].astype("Int64"),
            openml_task_id=lambda f: f["openml_task_id"].astype("Int64"),
            task=lambda f: f["task_type"].astype(str),
            n_rows=lambda f: f["n_rows"].astype("int64"),
            n_features=lambda f: f["n_features"].astype("int64"),
            metafeatures=lambda f: f["metafeatures"].fillna("{}").astype(str),
        )[list(DATASET_COLUMNS)]
        .reset_index(drop=True)
    )

    def column(name: str, default: Any) -> pd.Series:
        if name in trials.columns:
            return trials[name]
        return pd.Series([default] * len(trials), index=trials.index, dtype=object)

    runs = pd.DataFrame(
        {
            "dataset_id": trials["dataset_id"].astype(str),
            "task": trials["task_type"].astype(str),
            "model": column("model", "unknown").astype(str),
            "config": column("config", "{}").astype(str),
            "original_config": None,
            "metric": trials["metric"].astype(str),
            "score": pd.to_numeric(column("score", np.nan), errors="coerce"),
            "fit_time": pd.to_numeric(column("fit_time", np.nan), errors="coerce"),
            "fidelity": pd.to_numeric(column("fidelity", 1.0), errors="coerce").fillna(1.0),
            "resampling": column("resampling", None).fillna("unknown").astype(str),
            "status": column("status", "success")
            .astype(str)
            .str.lower()
            .map(lambda s: _TRIAL_STATUS.get(s, "crashed")),
            "seed": trials["seed"].astype("Int64"),
            "source": "benchmark",
            "space_version": _space_version(),
            "error": column("error", None).replace("", None),
        }
    )
    if "loss" in trials.columns:
        runs["loss"] = pd.to_numeric(trials["loss"], errors="coerce")
    else:
        runs["loss"] = [_metric_loss(m, s) for m, s in zip(runs["metric"], runs["score"])]
    return datasets, runs.reset_index(drop=True)


def _space_version() -> str:
    try:
        from automl import SPACE_VERSION  # type: ignore[attr-defined]

        return str(SPACE_VERSION)
    except ImportError:
        return "1"


def import_into_knowledge_base(results_dir: str | Path, knowledge_base: Any) -> dict[str, int]:
    """Append a results folder's trials to a ``knowledge_base.KnowledgeBase``; return counts."""
    datasets, runs = to_knowledge_base_rows(results_dir)
    if runs.empty:
        return {"datasets": 0, "runs": 0}
    knowledge_base.append(datasets=datasets, runs=runs)
    return {"datasets": len(datasets), "runs": len(runs)}


def trace_points(trace: str | None) -> list[tuple[float, float]]:
    """Parse a row's ``trace`` JSON into ``(seconds, score)`` pairs (bad input gives [])."""
    try:
        return [(float(t), float(s)) for t, s in json.loads(trace or "[]")]
    except (TypeError, ValueError):
        return []
