"""Checks of user input with messages that say what is wrong and how to fix it."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets

from automl._columns import to_frame
from automl._task import Task

WARM = ("portfolio", "portfolio+nearest", "nearest")
TRANSFER = ("prior", "ranking", "box", "optimum")


def check_params(est) -> None:
    """Validate the estimator's hyperparameters (sklearn's ``_parameter_constraints`` role)."""

    def positive(name, value, allow_none=False, integer=False):
        if value is None and allow_none:
            return
        kind = numbers.Integral if integer else numbers.Real
        if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
            what = "a positive integer" if integer else "a positive number"
            unit = " of seconds" if "time" in name else " of joules" if "energy" in name else ""
            raise ValueError(f"`{name}` must be {what}{unit}, got {name}={value!r}.")

    positive("time_budget", est.time_budget)
    positive("energy_budget", est.energy_budget, allow_none=True)
    positive("n_trials", est.n_trials, allow_none=True, integer=True)
    positive("per_trial_time_limit", est.per_trial_time_limit, allow_none=True)
    positive("memory_limit", est.memory_limit, allow_none=True)
    positive("ensemble_size", est.ensemble_size, integer=True)
    if not (est.n_jobs == -1 or (isinstance(est.n_jobs, numbers.Integral) and est.n_jobs >= 1)):
        raise ValueError(f"`n_jobs` must be a positive integer or -1, got n_jobs={est.n_jobs!r}.")
    r = est.resampling
    if not (
        r in ("auto", "holdout", "cv", "repeated-cv")
        or (isinstance(r, numbers.Integral) and r >= 2)
    ):
        raise ValueError(
            f"`resampling` must be 'auto', 'holdout', 'cv', 'repeated-cv' or a number of folds >= 2, "
            f"got resampling={r!r}."
        )
    warm = est.warm_start
    if not (isinstance(warm, (bool, np.bool_)) or (isinstance(warm, str) and warm in WARM)):
        raise ValueError(
            "`warm_start` must be True, False, 'portfolio', 'portfolio+nearest' or 'nearest', "
            f"got warm_start={est.warm_start!r}."
        )
    transfer = est.transfer
    if not (isinstance(transfer, (bool, np.bool_)) or transfer in TRANSFER):
        raise ValueError(
            f"`transfer` must be True, False, 'prior', 'ranking', 'box' or 'optimum', got transfer={est.transfer!r}."
        )
    if est.optimizer not in ("smac", "random", "smac-halving"):
        raise ValueError(
            "`optimizer` must be 'smac', 'random' or 'smac-halving', "
            f"got optimizer={est.optimizer!r}."
        )


def check_X(X) -> pd.DataFrame:
    """X as a DataFrame, refusing what cannot be a table of features."""
    if X is None:
        raise ValueError("X is None; pass a 2-d table of features.")
    if sp.issparse(X):
        raise TypeError(
            "Sparse data was passed for X, but dense data is required. Use '.toarray()' to "
            "convert to a dense numpy array."
        )
    frame = to_frame(X)
    n_rows, n_cols = frame.shape
    if n_cols == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape=({n_rows}, 0)) while a minimum of 1 is "
            "required: X has no columns."
        )
    if n_rows == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape=(0, {n_cols})) while a minimum of 1 is "
            "required: X is empty."
        )
    for name in frame.columns:
        if pd.api.types.is_complex_dtype(frame[name].dtype):
            raise ValueError(f"Complex data not supported: column {name!r} holds complex numbers.")
    for name in frame.columns[frame.dtypes.eq(object)]:
        if frame[name].head(1000).map(lambda v: isinstance(v, complex)).any():
            raise ValueError(f"Complex data not supported: column {name!r} holds complex numbers.")
    return frame


def check_target(y, n_rows: int, classification: bool) -> np.ndarray:
    """A 1-d target of ``n_rows`` values with nothing missing or infinite."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be 1-d (one target column), got a table of shape {y.shape}.")
        y = y.iloc[:, 0]
    values = y.to_numpy() if isinstance(y, pd.Series) else np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it is flattened.",
            DataConversionWarning,
            stacklevel=3,
        )
        values = values.ravel()
    if values.ndim != 1:
        raise ValueError(
            f"y must be 1-d (one target per row), got an array of shape {values.shape}; "
            "multi-output targets are not supported."
        )
    if len(values) != n_rows:
        raise ValueError(
            f"X and y have different lengths: X has {n_rows} rows, y has {len(values)} values."
        )
    missing = pd.isna(values)
    if missing.any():
        raise ValueError(
            f"y contains NaN or missing values ({int(missing.sum())} of {len(values)}); "
            "drop those rows or fill the target first."
        )
    if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
        raise ValueError("y contains infinity; drop those rows or clip the target first.")
    if classification:
        check_classification_targets(values)
    elif values.dtype.kind not in "biuf":
        try:
            values = values.astype(float)
        except (TypeError, ValueError):
            raise ValueError(
                "The regressor needs a numeric target; y holds non-numeric values "
                f"(e.g. {values[0]!r}). Use AutoMLClassifier for class labels."
            ) from None
        if not np.all(np.isfinite(values)):
            raise ValueError("y contains NaN or infinity; drop those rows first.")
    return values


def classification_task(y_encoded: np.ndarray) -> Task:
    n_classes = len(np.unique(y_encoded))
    if n_classes < 2:
        raise ValueError(
            "Classifier can't train when only one class is present: y has a single class. "
            "A classification target needs at least 2 classes."
        )
    return Task.BINARY if n_classes == 2 else Task.MULTICLASS
