"""Reading tables from files: CSV, TSV (gzip too), Parquet."""

from __future__ import annotations

from pathlib import Path

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


def infer_task(y: pd.Series) -> str:
    """ "regression" for a numeric target with many distinct non-integer values, else "classification"."""
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        values = y.dropna()
        if values.nunique() > 20 and not (values == values.round()).all():
            return "regression"
        if values.nunique() > 50:
            return "regression"
    return "classification"
