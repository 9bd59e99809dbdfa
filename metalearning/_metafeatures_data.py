"""Input handling for the meta-features: tables, column kinds, targets and the task.

A column is *numeric* (OpenML's ``NUMERIC`` attribute) or *nominal* (OpenML's nominal, here called
symbolic): numbers, including nullable integer/float columns and datetimes, are numeric; booleans,
categoricals, strings and object columns holding anything but numbers are nominal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from knowledge_base.vocabulary import TASKS

NUMERIC = "numeric"
NOMINAL = "nominal"

#: A floating-point target with more distinct values than this is a regression target.
MAX_CLASSES_OF_FLOAT_TARGET = 20


def as_frame(X: Any) -> pd.DataFrame:
    """``X`` as a DataFrame with one column per input feature (no copy of a DataFrame)."""
    if isinstance(X, pd.DataFrame):
        frame = X
    elif isinstance(X, pd.Series):
        frame = X.to_frame()
    else:
        if hasattr(X, "toarray"):  # scipy sparse
            X = X.toarray()
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(
                f"X must be a 2-D table (rows x features), got an array of shape {array.shape}."
            )
        frame = pd.DataFrame(array)
    if frame.shape[0] == 0:
        raise ValueError("X has no rows: meta-features need at least one row.")
    return frame


def as_target(y: Any, n_rows: int) -> pd.Series:
    """``y`` as a Series of length ``n_rows`` with a fresh RangeIndex."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be a single column, got a DataFrame with {y.shape[1]}.")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        target = y.reset_index(drop=True)
    else:
        array = np.asarray(y)
        if array.ndim == 2 and 1 in array.shape:
            array = array.ravel()
        if array.ndim != 1:
            raise ValueError(f"y must be 1-D, got an array of shape {array.shape}.")
        target = pd.Series(array)
    if len(target) != n_rows:
        raise ValueError(f"X has {n_rows} rows but y has {len(target)} values; they must match.")
    return target


def column_kind(column: pd.Series) -> str:
    """``"numeric"`` or ``"nominal"`` (see the module notes)."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return NOMINAL
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return NUMERIC
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return NUMERIC
    if pd.api.types.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(column, skipna=True)
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
            return NUMERIC
    return NOMINAL


def numeric_values(column: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing (and for infinite) values."""
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        missing = column.isna().to_numpy()
        if isinstance(dtype, pd.DatetimeTZDtype):
            column = column.dt.tz_convert("UTC").dt.tz_localize(None)
        # In nanoseconds whatever the column's unit (pandas 2 and later keep s, ms, us too).
        unit = "timedelta64[ns]" if pd.api.types.is_timedelta64_dtype(dtype) else "datetime64[ns]"
        values = column.to_numpy(dtype=unit).view("int64").astype(float) / 1e9  # seconds
        values[missing] = np.nan
        return values
    if pd.api.types.is_object_dtype(dtype):
        column = pd.to_numeric(column, errors="coerce")
    values = np.array(column.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)
    values[~np.isfinite(values)] = np.nan
    return values


def nominal_codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes (-1 for missing) and the number of levels of a nominal column.

    Code 0 is the column's *first value*: the first declared category of a categorical, the
    smallest value otherwise (OpenML folds missing values into it; see ``_metafeatures_stats``).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories)
    codes, uniques = _factorized(column)
    return codes, len(uniques)


def _factorized(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes (-1 for missing) and the distinct values, sorted."""
    try:
        codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=True)
    except TypeError:  # values of several types that do not sort together
        as_text = column.astype(str).where(column.notna())
        codes, uniques = pd.factorize(as_text, sort=True, use_na_sentinel=True)
    return np.asarray(codes).astype(np.int64), pd.Series(uniques)


def as_numbers(column: pd.Series) -> np.ndarray:
    """A nominal column read as numbers, as an integer-coded copy of the data would hold it.

    Values that are numbers stay those numbers (numeric categories, text such as ``"3"``),
    booleans are 0 and 1, anything else becomes its integer code (``nominal_codes``: the
    categories' order, else sorted). Float64, NaN for missing values.
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), pd.Series(column.cat.categories)
    else:
        codes, values = _factorized(column)
    levels = _parsed(values)  # the distinct values only: fast on long columns
    if levels is None:
        levels = np.arange(len(values), dtype=float)
    if len(levels) == 0:
        return np.full(len(codes), np.nan)
    return np.where(codes >= 0, levels[np.maximum(codes, 0)], np.nan)


def _parsed(values: pd.Series) -> np.ndarray | None:
    """``values`` as float64 numbers if every present one is a finite number, else None."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    try:
        numbers = pd.to_numeric(values, errors="coerce")
    except (TypeError, ValueError):  # unhashable or nested values
        return None
    numbers = np.asarray(numbers, dtype=float)
    present = values.notna().to_numpy()
    if not np.isfinite(numbers[present]).all():
        return None
    return np.where(present, numbers, np.nan)


def count_distinct(column: pd.Series) -> int:
    """Distinct non-missing values of a column (Weka's ``distinctCount``), exact."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=1)))
    try:
        return int(column.nunique(dropna=True))
    except TypeError:  # unhashable values (lists, dicts)
        return int(column.dropna().astype(str).nunique())


def count_declared(column: pd.Series, present: int) -> int:
    """Declared values of a nominal column: a categorical's categories, 2 for booleans, else the
    ``present`` distinct values (the values an ARFF header would declare)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return len(column.cat.categories)
    if pd.api.types.is_bool_dtype(column.dtype):
        return 2
    return present


def resolve_task(target: pd.Series, task: Any) -> str:
    """The task as one of ``TASKS``: checked if given, inferred from ``target`` if None.

    Inference: a floating-point target with non-integral values or with more than
    ``MAX_CLASSES_OF_FLOAT_TARGET`` distinct values is a regression target; any other target
    (labels, integers, booleans) is a classification target, binary if it has at most two
    distinct values.
    """
    task = getattr(task, "value", task)  # accept an Enum of task names
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None, got task={task!r}.")
    numeric = column_kind(target) == NUMERIC and not pd.api.types.is_bool_dtype(target.dtype)
    if task == "regression":
        if not numeric:
            raise ValueError(
                f"task='regression' needs a numeric target, got y of dtype {target.dtype}."
            )
        return task
    if task is not None:
        return task
    observed = target.dropna()
    if numeric and pd.api.types.is_float_dtype(observed.dtype):
        values = numeric_values(observed)
        values = values[np.isfinite(values)]
        if np.any(values != np.round(values)) or len(np.unique(values)) > (
            MAX_CLASSES_OF_FLOAT_TARGET
        ):
            return "regression"
    return "binary" if observed.nunique() <= 2 else "multiclass"
