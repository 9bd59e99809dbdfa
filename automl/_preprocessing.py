"""Preprocessing of a typed table for one pipeline: imputation, encoding, scaling, selection."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import f_classif, f_regression
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

MAX_NATIVE_LEVELS = 254  # histogram boosting bins at most 255 values, one kept for "other"
MAX_ONE_HOT_LEVELS = 32  # rarer levels are grouped into one "infrequent" column


def _scaler(name: str, n_rows: int):
    if name == "standard":
        return StandardScaler()
    if name == "minmax":
        return MinMaxScaler()
    if name == "robust":
        return RobustScaler()
    if name == "quantile":
        return QuantileTransformer(
            n_quantiles=max(2, min(1000, n_rows)), output_distribution="normal"
        )
    return None


class TablePreprocessor(TransformerMixin, BaseEstimator):
    """Turns a normalised frame into model input.

    ``encoding='native'`` keeps categoricals as pandas categories (LightGBM and histogram
    boosting split on them directly); ``'ordinal'`` gives integer codes; ``'one_hot'`` gives
    indicator columns for up to 32 levels per column. ``percentile`` keeps that share of the
    columns with the highest univariate F-score.
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = (),
        categorical: tuple[str, ...] = (),
        imputation: str = "median",
        encoding: str = "ordinal",
        scaling: str = "none",
        percentile: float | None = None,
        classification: bool = True,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.imputation = imputation
        self.encoding = encoding
        self.scaling = scaling
        self.percentile = percentile
        self.classification = classification

    def fit(self, X: pd.DataFrame, y=None):
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: pd.DataFrame, y=None):
        numeric = list(self.numeric)
        self.imputer_ = None
        if numeric:
            self.imputer_ = SimpleImputer(strategy=self.imputation, keep_empty_features=True)
            self.imputer_.fit(X[numeric].to_numpy(dtype=float))
        self.levels_ = {}
        self.one_hot_ = None
        cats = list(self.categorical)
        if cats and self.encoding == "one_hot":
            self.one_hot_ = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_ONE_HOT_LEVELS,
                sparse_output=False,
                dtype=np.float64,
            )
            self.one_hot_.fit(self._categorical_strings(X))
        else:
            for name in cats:
                counts = X[name].value_counts(dropna=True)
                self.levels_[name] = list(counts.index[:MAX_NATIVE_LEVELS])
        self.scaler_ = _scaler(self.scaling, len(X))
        out = self._assemble(X)
        if self.scaler_ is not None:
            out = self.scaler_.fit_transform(out)
        self.selected_ = None
        if self.percentile is not None and y is not None and out.shape[1] > 1:
            self.selected_ = self._select(out, y)
        return self._finish(out)

    def transform(self, X: pd.DataFrame):
        out = self._assemble(X)
        if self.scaler_ is not None:
            out = self.scaler_.transform(out)
        return self._finish(out)

    def _categorical_strings(self, X: pd.DataFrame) -> np.ndarray:
        return X[list(self.categorical)].fillna("__missing__").astype(str).to_numpy()

    def _codes(self, X: pd.DataFrame) -> np.ndarray:
        columns = []
        for name, levels in self.levels_.items():
            mapping = {level: i for i, level in enumerate(levels)}
            columns.append(X[name].map(mapping).to_numpy(dtype=float))
        return np.column_stack(columns) if columns else np.empty((len(X), 0))

    def _assemble(self, X: pd.DataFrame) -> np.ndarray:
        parts = []
        if self.imputer_ is not None:
            parts.append(self.imputer_.transform(X[list(self.numeric)].to_numpy(dtype=float)))
        if self.one_hot_ is not None:
            parts.append(self.one_hot_.transform(self._categorical_strings(X)))
        elif self.levels_:
            codes = self._codes(X)
            if self.encoding != "native":
                codes = np.where(np.isnan(codes), -1.0, codes)
            parts.append(codes)
        if not parts:
            return np.zeros((len(X), 1))
        return np.hstack(parts)

    def _select(self, out: np.ndarray, y) -> np.ndarray:
        score_func = f_classif if self.classification else f_regression
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            scores, _ = score_func(np.nan_to_num(out), y)
        scores = np.nan_to_num(scores, nan=0.0, posinf=np.finfo(float).max)
        keep = max(1, int(np.ceil(out.shape[1] * self.percentile / 100.0)))
        return np.sort(np.argsort(-scores, kind="stable")[:keep])

    def _finish(self, out: np.ndarray):
        n_numeric = 0 if self.imputer_ is None else len(self.numeric)
        columns = list(range(out.shape[1]))
        if self.selected_ is not None:
            out = out[:, self.selected_]
            columns = list(self.selected_)
        if self.encoding != "native" or not self.levels_:
            return out
        frame = pd.DataFrame(out, columns=[f"f{c}" for c in columns])
        cat_names = list(self.levels_)
        for j, c in enumerate(columns):
            if c >= n_numeric:
                n_levels = len(self.levels_[cat_names[c - n_numeric]])
                codes = frame.iloc[:, j]
                frame.isetitem(
                    j,
                    pd.Categorical.from_codes(codes.fillna(-1).astype(int), range(n_levels))
                    if n_levels
                    else pd.Categorical.from_codes(np.full(len(frame), -1), [0]),
                )
        return frame
