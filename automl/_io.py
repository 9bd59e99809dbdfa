"""Reading tables from files: CSV, TSV (gzip too), Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".parquet", ".pq")


def read_table(path: str | Path) -> pd.DataFrame:
    """The table at ``path``; the format comes from the file name."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such data file: {path}")
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    if name.endswith((".tsv", ".tsv.gz", ".tab")):
        return pd.read_csv(path, sep="\t")
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return (
            pd.read_csv(path, sep=None, engine="python")
            if name.endswith(".txt")
            else pd.read_csv(path)
        )
    raise ValueError(f"Unsupported file type for {path}; use one of {', '.join(SUFFIXES)}.")


def split_target(
    frame: pd.DataFrame, target: str, path: str | Path = ""
) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target column, with an error that lists the columns if it is missing."""
    if target not in frame.columns:
        shown = ", ".join(map(str, frame.columns[:20]))
        raise ValueError(
            f"Target column {target!r} not found in {path or 'the table'}; columns: {shown}"
        )
    return frame.drop(columns=[target]), frame[target]


def clean_target(y: pd.Series, kind: str) -> pd.Series:
    """A target as the models take it: floats for ``"regression"``; for classification, a
    categorical target without its unused categories, in its categories' plain dtype."""
    if kind == "regression":
        return y.astype(float)
    if isinstance(y.dtype, pd.CategoricalDtype):
        y = y.cat.remove_unused_categories().astype(y.cat.categories.dtype)
    return y


#: An integral numeric target with more distinct values than this is a regression target.
MAX_CLASSES_OF_NUMERIC_TARGET = 20


def infer_task(y: pd.Series) -> str:
    """``"classification"`` or ``"regression"`` for a target column: the one rule of the library.

    Labels (text, categories, booleans) are classification. A numeric target is classification
    when every value is a whole number and there are at most ``MAX_CLASSES_OF_NUMERIC_TARGET``
    distinct values; any fractional value, or more distinct values, make it regression.
    ``automl fit``, ``automl kb neighbors`` and ``automl bench`` (local data without a task type)
    all decide with it; pass ``--task`` / ``--task-type`` to overrule it.

    On the 166 PMLB datasets the rule agrees with PMLB's own labels on all but 6 (5 regression
    targets with at most 20 whole values, and kddcup's 23 integer-coded classes); a cut at 50
    distinct whole values, and classes for fractional targets with few values, got 11 wrong.
    """
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.dropna().to_numpy(dtype=float)
    whole = bool(np.all(np.mod(values, 1) == 0))
    if whole and len(np.unique(values)) <= MAX_CLASSES_OF_NUMERIC_TARGET:
        return "classification"
    return "regression"
