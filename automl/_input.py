"""A user's table, as a fitted estimator received it, turned into the clean frame its pipelines
take: the first step of every pipeline a user gets from ``pipeline_for``, and of ``predict``."""

from __future__ import annotations

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from automl import _validation as checks
from automl._columns import ColumnTypes, normalize_frame


class TableInput(TransformerMixin, BaseEstimator):
    """Raw X (an array or a DataFrame, as ``fit`` takes it) -> the frame of ``columns``' types.

    A DataFrame whose columns were named at fit (``feature_names``) is read by name, so its
    columns may come in another order; anything else by position. Stateless: the column types
    were inferred when the estimator was fitted, so ``fit`` learns nothing.
    """

    def __init__(self, columns: ColumnTypes, feature_names: tuple[str, ...] | None = None):
        self.columns = columns
        self.feature_names = feature_names

    def fit(self, X, y=None) -> TableInput:
        return self

    def transform(self, X) -> pd.DataFrame:
        frame = checks.check_X(X)
        if isinstance(X, pd.DataFrame) and self.feature_names:
            frame = frame[[str(c) for c in self.feature_names]]
        else:
            frame = frame.set_axis(list(self.columns.names), axis=1)
        return normalize_frame(frame, self.columns)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags
