"""Reading tables from files: CSV, TSV (gzip too), Parquet."""

from __future__ import annotations

import csv
import difflib
import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd

SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".parquet", ".pq")

# Dates as files write them (ISO 8601: 2021-03-04, 2021/3/4 12:30, 2021-03-04T12:30:00Z).
_DATE = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
)
# Missing-value markers besides pandas' own (NA, NaN, null, empty...): UCI and ARFF write "?".
MISSING = ["?"]
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def read_table(path: str | Path) -> pd.DataFrame:
    """The table at ``path``; the format comes from the file name. A CSV's separator (comma,
    semicolon, tab or bar) and decimal comma are detected, ``?`` counts as missing, and text
    columns that are all ISO dates become dates."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such data file: {path}")
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame = pd.read_parquet(path)
    elif name.endswith((".tsv", ".tsv.gz", ".tab", ".csv", ".csv.gz", ".txt")):
        tabs = name.endswith((".tsv", ".tsv.gz", ".tab"))
        sep, decimal = ("\t", ".") if tabs else _dialect(path)
        try:
            frame = pd.read_csv(path, sep=sep, decimal=decimal, na_values=MISSING)
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path} is empty: it has neither a header nor rows.") from None
        frame = _with_dates(frame)
    else:
        raise ValueError(f"Unsupported file type for {path}; use one of {', '.join(SUFFIXES)}.")
    if len(frame) == 0:
        raise ValueError(f"{path} has no rows (columns: {', '.join(map(str, frame.columns))}).")
    if len(frame.columns) == 0:
        raise ValueError(f"{path} has no columns.")
    return frame


def _dialect(path: Path) -> tuple[str, str]:
    """Separator and decimal mark, from the file's first lines; a comma when unsure. A
    semicolon file whose fields look like ``3,14`` writes decimals with a comma (as
    spreadsheets do in much of Europe)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
        sample = "".join(fh.readline() for _ in range(50))
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ",", "."
    fields = [f.strip().strip('"') for line in sample.splitlines()[1:] for f in line.split(sep)]
    decimal = "," if sep == ";" and any(_DECIMAL_COMMA.fullmatch(f) for f in fields) else "."
    return sep, decimal


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value is an ISO date, as dates (UTC where offsets are given)."""
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        present = values.dropna()
        # Most text columns fail on their first values: those are tested before all of them.
        if present.empty or not _all_dates(present.head(100).astype(str).str.strip()):
            continue
        present = present.astype(str).str.strip()
        if not _all_dates(present):
            continue
        zoned = present.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).any()
        try:
            frame[column] = pd.to_datetime(values, format="mixed", utc=bool(zoned))
        except (ValueError, OverflowError):
            continue
    return frame


def _all_dates(text: pd.Series) -> bool:
    return bool(text.str.fullmatch(_DATE.pattern).all())


def split_target(
    frame: pd.DataFrame, target: str, path: str | Path = ""
) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target column, with an error that lists the columns if it is missing."""
    if target not in frame.columns:
        names = list(map(str, frame.columns))
        close = [n for n in names if n.lower() == target.lower()]
        close = close or difflib.get_close_matches(target, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(names[:20])
        raise ValueError(
            f"Target column {target!r} not found in {path or 'the table'}; columns: {shown}.{hint}"
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
