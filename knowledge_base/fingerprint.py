"""A stable content hash of a dataset, used as its ``dataset_id``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object
from scipy.sparse import issparse

__all__ = ["dataset_fingerprint"]

_DIGEST_BYTES = 10  # 20 hex characters
_VERSION = "fp1"  # part of the hash: bump if the normalisation below changes


def dataset_fingerprint(X: Any, y: Any = None) -> str:
    """A stable content hash of a table and its target.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The features. Mixed dtypes, categoricals and missing values are fine.
    y : pandas.Series, array-like of shape (n_samples,) or (n_samples, n_outputs), or None
        The target, paired row by row with ``X``. Its name is ignored.

    Returns
    -------
    str
        20 lowercase hex characters.

    Notes
    -----
    The hash depends on the values, on the column names of ``X`` (positions for arrays)
    and on the column order. It does not depend on memory layout (C or Fortran order,
    views, pandas blocks), on the row index, on the dtype that holds equal numbers
    (``1``, ``1.0``, ``True`` and a numeric categorical hash alike; so do ``str``, object
    and categorical strings, and ``None`` / ``NaN`` / ``pd.NA``), nor on the order of the
    rows: a shuffled copy of a dataset is the same dataset. Each row is hashed with
    :func:`pandas.util.hash_pandas_object` and the row hashes are summed, so 1M rows take
    well under a second.
    """
    frame = _as_frame(X, "X")
    names = [str(c) for c in frame.columns]
    columns = [_normalise(frame.iloc[:, i]) for i in range(frame.shape[1])]
    n_targets = 0
    if y is not None:
        target = _as_frame(y, "y")
        if len(target) != len(frame):
            raise ValueError(
                f"X and y must have the same number of rows, got {len(frame)} and {len(target)}"
            )
        n_targets = target.shape[1]
        columns += [_normalise(target.iloc[:, i]) for i in range(n_targets)]
    header = json.dumps([_VERSION, names, n_targets, len(frame)]).encode()
    digest = hashlib.blake2b(header, digest_size=_DIGEST_BYTES)
    if columns and len(frame):
        table = pd.DataFrame(dict(enumerate(columns)), copy=False)
        rows = hash_pandas_object(table, index=False).to_numpy(dtype=np.uint64)
        digest.update(np.array([rows.sum(), _mix(rows).sum()], dtype="<u8").tobytes())
    return digest.hexdigest()


def _as_frame(data: Any, what: str) -> pd.DataFrame:
    if issparse(data):
        raise TypeError(f"dataset_fingerprint does not take sparse {what}; pass a dense array")
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    array = np.asarray(data)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"{what} must be 1- or 2-dimensional, got shape {array.shape}")
    return pd.DataFrame(array)


def _normalise(column: pd.Series) -> np.ndarray | pd.Series:
    """Equal values, equal representation: numbers as float64, the rest as they are."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_numeric_dtype(dtype.categories.dtype):
            return column.astype("float64").to_numpy()
        column = column.astype(object)
        dtype = column.dtype
    if dtype.kind == "O":
        column = column.infer_objects()
        dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        return column.to_numpy(dtype="float64", na_value=np.nan)
    return column.reset_index(drop=True)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a second, independent-looking sum over the same row hashes."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
