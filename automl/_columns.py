"""Column types of a user's table, and turning the table into a clean frame of those types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ColumnTypes:
    """Which columns are numeric and which categorical (by position and name)."""

    names: tuple[str, ...]
    categorical: tuple[bool, ...]

    @property
    def numeric_names(self) -> list[str]:
        return [n for n, c in zip(self.names, self.categorical) if not c]

    @property
    def categorical_names(self) -> list[str]:
        return [n for n, c in zip(self.names, self.categorical) if c]

    @property
    def has_categorical(self) -> bool:
        return any(self.categorical)


def _is_categorical(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return False
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or _is_timedelta(series.dtype):
        return False
    non_null = series.dropna()
    if non_null.empty:
        return False
    if non_null.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return False
    converted = pd.to_numeric(non_null, errors="coerce")
    return bool(converted.isna().any())


def _is_timedelta(dtype) -> bool:
    return pd.api.types.is_timedelta64_dtype(dtype)


def infer_column_types(frame: pd.DataFrame) -> ColumnTypes:
    """Numeric: numbers, booleans, dates, and text that is all numbers; categorical: the rest."""
    return ColumnTypes(
        names=tuple(str(c) for c in frame.columns),
        categorical=tuple(_is_categorical(frame[c]) for c in frame.columns),
    )


def to_frame(X) -> pd.DataFrame:
    """A DataFrame view of X with string column names (``x0, x1, ...`` for arrays)."""
    if isinstance(X, pd.DataFrame):
        frame = X
        names = [str(c) for c in frame.columns]
        if len(set(names)) < len(names):
            seen = {n for n in names if names.count(n) > 1}
            raise ValueError(
                f"X has columns with the same name: {sorted(seen)}. Give every column its own "
                "name (pandas: X.columns = [...])."
            )
        if not all(isinstance(c, str) for c in frame.columns):
            frame = frame.set_axis(names, axis=1)
        return frame
    array = np.asarray(X)
    if array.ndim == 1:
        raise ValueError(
            "Expected a 2-d table X, got a 1-d array. Reshape your data with X.reshape(-1, 1) for a "
            "single feature or X.reshape(1, -1) for a single sample."
        )
    if array.ndim != 2:
        raise ValueError(f"Expected a 2-d table X, got an array with {array.ndim} dimensions.")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _plain_number(dtype) -> bool:
    return (
        pd.api.types.is_float_dtype(dtype)
        or pd.api.types.is_integer_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    ) and not isinstance(dtype, pd.CategoricalDtype)


def normalize_frame(frame: pd.DataFrame, types: ColumnTypes) -> pd.DataFrame:
    """Numeric columns as float64 (inf becomes NaN), categorical columns as object (str or NaN)."""
    out = {}
    for name, is_cat in zip(types.names, types.categorical):
        col = frame[name]
        if is_cat and isinstance(col.dtype, pd.CategoricalDtype):
            # Each category's string once, taken by code (-1, missing, takes the NaN at the end):
            # the same values as the general path below, without a Python call per row.
            labels = np.array([str(v) for v in col.cat.categories] + [np.nan], dtype=object)
            out[name] = labels[col.cat.codes.to_numpy()]
        elif is_cat:
            values = col.astype(object)
            out[name] = (
                values.where(col.notna(), np.nan)
                .map(lambda v: v if isinstance(v, float) and np.isnan(v) else str(v))
                .to_numpy(dtype=object)
            )
        else:
            if _plain_number(col.dtype):  # float, int or bool, nullable or not: no object copy
                numeric = pd.Series(col.to_numpy(dtype=float, na_value=np.nan), copy=False)
            elif pd.api.types.is_datetime64_any_dtype(col.dtype) or _is_timedelta(col.dtype):
                # Seconds since 1970 (UTC) or of duration, as the meta-features see them
                # (imported here: metalearning stays out of `import automl` like elsewhere).
                from metalearning.metafeatures import numeric_values

                numeric = pd.Series(numeric_values(col), copy=False)
            else:
                numeric = pd.to_numeric(
                    col.astype(object).where(col.notna(), np.nan), errors="coerce"
                )
            numeric = numeric.astype(float)
            out[name] = numeric.where(np.isfinite(numeric), np.nan).to_numpy()
    return pd.DataFrame(out, index=range(len(frame)))
