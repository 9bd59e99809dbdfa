"""Column by column conversion of pandas data to Arrow, with errors that name the bad value."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._errors import KnowledgeBaseError


def fail_at(table: str, column: str, problem: str, column_values: pd.Series, mask: Any) -> None:
    """Raise naming the column, the first value where ``mask`` is true, and its row."""
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    if len(rows):
        row = int(rows[0])
        value = column_values.iloc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise KnowledgeBaseError(
            f"{table}: column {column!r} {problem}: {value!r} at row {row}"
            + (f" ({len(rows)} rows in all)" if len(rows) > 1 else "")
        )


def column_to_arrow(
    column: pd.Series,
    f: pa.Field,
    table: str,
    *,
    choices: tuple[str, ...] | None = None,
    json_object: bool | None = None,
) -> pa.Array:
    """Convert one column to ``f``'s Arrow type, raising on the first bad value.

    ``choices`` restricts a string column to those values; ``json_object`` marks a JSON
    column (True: each value must be a JSON object, False: any JSON).
    """
    name = f.name
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    missing = column.isna().to_numpy()
    if not f.nullable and not pa.types.is_floating(f.type) and missing.any():
        fail_at(table, name, "is required but has a missing value", column, missing)
    if pa.types.is_string(f.type):
        return _string_array(column, f, table, missing, choices, json_object)
    if pa.types.is_timestamp(f.type):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
                stamps = pd.to_datetime(column, utc=True)
        except (ValueError, TypeError) as exc:
            raise KnowledgeBaseError(
                f"{table}: column {name!r} must hold timestamps: {exc}"
            ) from None
        return pa.array(stamps.dt.as_unit("us"), type=f.type)
    kind = column.dtype.kind
    if kind == "O":
        is_number = column.map(
            lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
        )
        fail_at(table, name, f"must hold numbers ({f.type}), got", column, ~is_number & ~missing)
        column = pd.to_numeric(column)
        kind = column.dtype.kind
    if kind not in "iuf":
        raise KnowledgeBaseError(
            f"{table}: column {name!r} must hold numbers ({f.type}), got dtype {column.dtype}"
        )
    if pa.types.is_floating(f.type):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return pa.array(values, type=f.type, from_pandas=False)  # keep NaN as NaN
    try:
        return pa.array(column, from_pandas=True).cast(f.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        floats = column.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isnan(floats) | (floats == np.round(floats))
        fail_at(table, name, f"must hold whole numbers ({f.type}), got", column, ~whole)
        raise KnowledgeBaseError(
            f"{table}: column {name!r} does not fit {f.type} (values out of range?)"
        ) from None


def _string_array(
    column: pd.Series,
    f: pa.Field,
    table: str,
    missing: np.ndarray,
    choices: tuple[str, ...] | None,
    json_object: bool | None,
) -> pa.Array:
    name = f.name
    if column.dtype.kind not in "OUSTt" and not pd.api.types.is_string_dtype(column.dtype):
        raise KnowledgeBaseError(
            f"{table}: column {name!r} must hold strings, got dtype {column.dtype}"
        )
    values = column.astype(object).to_numpy()
    if json_object is not None:
        values = np.array(
            [
                None if m else _canonical_json(v, table, name, i, json_object)
                for i, (v, m) in enumerate(zip(values, missing))
            ],
            dtype=object,
        )
    else:
        is_str = np.array([isinstance(v, str) for v in values], dtype=bool)
        fail_at(table, name, "must hold strings, got", column, ~is_str & ~missing)
    if choices is not None:
        unknown = ~missing & ~np.isin(values.astype(str), choices)
        fail_at(table, name, f"must be one of {list(choices)}, got", column, unknown)
    return pa.array(np.where(missing, None, values), type=f.type)


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, np.generic):
        return _finite_or_none(value.item())
    return value


def _canonical_json(value: Any, table: str, name: str, row: int, json_object: bool) -> str:
    where = f"{table}: column {name!r} at row {row}"
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise KnowledgeBaseError(f"{where} is not valid JSON ({exc}): {value!r}") from None
    if json_object and not isinstance(value, dict):
        raise KnowledgeBaseError(f"{where} must be a JSON object (dict), got {value!r}")
    try:
        text = json.dumps(_finite_or_none(value), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise KnowledgeBaseError(f"{where} cannot be stored as JSON: {exc}") from None
    if name == "metafeatures":
        bad = {
            k: v
            for k, v in value.items()
            if not (v is None or isinstance(v, (int, float, np.number)))
        }
        if bad:
            raise KnowledgeBaseError(f"{where} must map names to numbers, got {bad}")
    return text
