"""Similarity between datasets from their meta-features, as auto-sklearn measures it.

auto-sklearn scales every meta-feature to [0, 1] by its minimum and maximum over the past
datasets and ranks past datasets by the L1 distance to the new one. This module does the same on
``SIMILARITY_FEATURES``, with two changes:

* count-like features are log-transformed before scaling (``TRANSFORMS``): a dataset with
  1,000 rows is then as far from one with 10,000 as that one is from one with 100,000, instead
  of all small datasets sitting together near 0;
* meta-features may be missing (NaN) on either side - the OpenML server does not compute every
  quality for every dataset, and auto-sklearn's meta-data give only some of them - so each
  distance uses the features present on both sides, rescaled to the full number of features:
  ``d = sum(|a - b| over compared) * n_features / n_compared``. Datasets sharing fewer than
  ``min_comparable`` features with the query are ranked last, with distance ``inf``.

``SIMILARITY_FEATURES`` are OpenML qualities that (1) the OpenML server reports for the OpenML100
tasks, (2) ``compute_metafeatures`` computes, and (3) ``autosklearn_to_openml`` derives exactly
from auto-sklearn's meta-features; scale-free ones (percentages, entropy) are used as they are.
They describe size and shape (rows, columns, their types), the classes (number, entropy, balance),
missing values and the cardinality of nominal attributes. Moments, mutual information and
landmarkers are left out: auto-sklearn's meta-data cannot give them in OpenML's convention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

SIMILARITY_FEATURES: tuple[str, ...] = (
    "NumberOfInstances",
    "NumberOfFeatures",
    "Dimensionality",
    "NumberOfNumericFeatures",
    "NumberOfSymbolicFeatures",
    "PercentageOfNumericFeatures",
    "NumberOfClasses",
    "ClassEntropy",
    "MajorityClassPercentage",
    "MinorityClassPercentage",
    "NumberOfMissingValues",
    "NumberOfInstancesWithMissingValues",
    "PercentageOfMissingValues",
    "PercentageOfInstancesWithMissingValues",
    "MaxCardinalityOfNominalAttributes",
    "MeanCardinalityOfNominalAttributes",
)

#: Transforms applied before scaling: ``log1p`` for counts (which may be 0), ``log`` for
#: Dimensionality (a positive ratio of counts spanning orders of magnitude). Values outside a
#: transform's domain become NaN.
TRANSFORMS: dict[str, str] = {
    "NumberOfInstances": "log1p",
    "NumberOfFeatures": "log1p",
    "Dimensionality": "log",
    "NumberOfNumericFeatures": "log1p",
    "NumberOfSymbolicFeatures": "log1p",
    "NumberOfClasses": "log1p",
    "NumberOfMissingValues": "log1p",
    "NumberOfInstancesWithMissingValues": "log1p",
    "MaxCardinalityOfNominalAttributes": "log1p",
    "MeanCardinalityOfNominalAttributes": "log1p",
}


class DatasetSimilarity:
    """Nearest datasets by L1 distance on min-max scaled meta-features (auto-sklearn style).

    Parameters
    ----------
    features : sequence of str, default=SIMILARITY_FEATURES
        Meta-feature names (columns of the frame given to ``fit``) to compare.
    transforms : mapping of str to {"log1p", "log"}, default=TRANSFORMS
        Features transformed before scaling (values outside the domain become NaN).
    min_comparable : int, default=5
        Datasets with fewer features present on both sides are ranked last (``inf`` distance).
        Capped at the number of features.

    Attributes
    ----------
    features_ : tuple of str
        The features compared.
    min_ : pandas.Series
        Per feature, the minimum over the fitted datasets (after the log transform).
    scale_ : pandas.Series
        Per feature, max - min over the fitted datasets (1 where that is 0 or undefined).
    scaled_ : pandas.DataFrame
        The fitted datasets' scaled features; index dataset_id.
    dataset_ids_ : pandas.Index
        The fitted datasets.
    """

    def __init__(
        self,
        features: Sequence[str] = SIMILARITY_FEATURES,
        *,
        transforms: Mapping[str, str] = TRANSFORMS,
        min_comparable: int = 5,
    ) -> None:
        self.features = features
        self.transforms = transforms
        self.min_comparable = min_comparable

    def fit(self, frame: pd.DataFrame) -> DatasetSimilarity:
        """Learn the scaling from ``frame`` (index dataset_id, one column per meta-feature)."""
        if isinstance(self.features, str) or len(self.features) == 0:
            raise ValueError(
                f"features must be a non-empty sequence of names, got {self.features!r}."
            )
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise ValueError("fit needs a non-empty DataFrame of meta-features (index dataset_id).")
        if not frame.index.is_unique:
            duplicated = frame.index[frame.index.duplicated()].unique().tolist()[:5]
            raise ValueError(f"dataset ids must be unique in the frame; repeated: {duplicated}.")
        features = tuple(dict.fromkeys(self.features))
        if not set(features) & set(frame.columns):
            raise ValueError(
                f"none of the features {features[:3]}... is a column of the frame; "
                f"columns are {list(frame.columns)[:5]}..."
            )
        values = self._transform(frame.reindex(columns=list(features)))
        low, high = values.min(), values.max()
        span = high - low
        self.features_ = features
        self.min_ = low
        self.scale_ = span.where(span > 0, 1.0).fillna(1.0)
        self.scaled_ = (values - self.min_) / self.scale_
        self.dataset_ids_ = self.scaled_.index
        return self

    def transform(self, metafeatures: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
        """Scaled ``features_`` of one dataset (Series) or of several (DataFrame, one per row)."""
        self._check_fitted()
        if isinstance(metafeatures, pd.DataFrame):
            return (
                self._transform(metafeatures.reindex(columns=list(self.features_))) - self.min_
            ) / self.scale_
        values = pd.to_numeric(
            pd.Series(metafeatures).reindex(list(self.features_)), errors="coerce"
        )
        return (self._transform(values.to_frame().T).iloc[0] - self.min_) / self.scale_

    def distances(self, metafeatures: pd.Series) -> pd.DataFrame:
        """Distance to every fitted dataset: columns dataset_id, distance, n_compared (unsorted).

        ``distance`` is ``inf`` where fewer than ``min_comparable`` features were compared.
        """
        query = self.transform(metafeatures).to_numpy(dtype=float)
        table = self.scaled_.to_numpy(dtype=float)
        both = ~np.isnan(table) & ~np.isnan(query)[None, :]
        n_compared = both.sum(axis=1)
        diff = np.where(both, np.abs(table - query[None, :]), 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = diff * len(self.features_) / n_compared
        enough = n_compared >= min(self.min_comparable, len(self.features_))
        return pd.DataFrame(
            {
                "dataset_id": self.dataset_ids_,
                "distance": np.where(enough, distance, np.inf),
                "n_compared": n_compared,
            }
        )

    def nearest(self, metafeatures: pd.Series, k: int = 25, exclude: Iterable = ()) -> pd.DataFrame:
        """The ``k`` nearest fitted datasets, nearest first: columns dataset_id, distance.

        ``exclude`` lists dataset ids to leave out (e.g. the dataset itself). Ties are broken by
        the number of features compared (more first), then by dataset id.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got k={k!r}.")
        table = self.distances(metafeatures)
        table = table[~table["dataset_id"].isin(list(exclude))]
        table = table.assign(_order=-table["n_compared"], _id=table["dataset_id"].astype(str))
        table = table.sort_values(["distance", "_order", "_id"], kind="mergesort")
        return table.head(int(k))[["dataset_id", "distance"]].reset_index(drop=True)

    def near_duplicates(self, metafeatures: pd.Series, tol: float = 1e-3) -> list[str]:
        """Ids of fitted datasets whose compared scaled features all lie within ``tol``.

        Used to hide the same data imported from elsewhere (another name, another source) in
        leave-one-dataset-out experiments. Needs at least ``min_comparable`` features compared.
        """
        if not tol >= 0:
            raise ValueError(f"tol must be a non-negative number, got tol={tol!r}.")
        query = self.transform(metafeatures).to_numpy(dtype=float)
        table = self.scaled_.to_numpy(dtype=float)
        both = ~np.isnan(table) & ~np.isnan(query)[None, :]
        within = np.where(both, np.abs(table - query[None, :]) <= tol, True).all(axis=1)
        enough = both.sum(axis=1) >= min(self.min_comparable, len(self.features_))
        return [str(i) for i in self.dataset_ids_[within & enough]]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
        for name, how in self.transforms.items():
            if name not in values.columns:
                continue
            if how == "log1p":
                values[name] = np.log1p(values[name].where(values[name] >= 0))
            elif how == "log":
                values[name] = np.log(values[name].where(values[name] > 0))
            else:
                raise ValueError(f"transform of {name!r} must be 'log1p' or 'log', got {how!r}.")
        return values.replace([np.inf, -np.inf], np.nan)

    def _check_fitted(self) -> None:
        if not hasattr(self, "scaled_"):
            raise RuntimeError("This DatasetSimilarity is not fitted yet: call fit(frame) first.")
