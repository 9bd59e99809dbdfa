"""Similarity between datasets from their meta-features, as auto-sklearn measures it.

auto-sklearn scales every meta-feature to [0, 1] by its minimum and maximum over the past
datasets and ranks past datasets by the L1 distance to the new one. This module does the same on
``SIMILARITY_FEATURES``, with these changes:

* count-like features are log-transformed before scaling (``TRANSFORMS``): a dataset with
  1,000 rows is then as far from one with 10,000 as that one is from one with 100,000, instead
  of all small datasets sitting together near 0; the moments of the numeric attributes, which
  span orders of magnitude on both sides of 0, pass through ``asinh``;
* features weigh differently (``WEIGHTS``, 1 if not listed). The counts of numeric and nominal
  attributes and the cardinality of the nominal ones, which depend on how the data are encoded,
  weigh half, so that the same data given with integer codes instead of categories (or the
  reverse) stay near; the 24 moments of the numeric attributes weigh 3 together: they tell
  apart datasets of the same shape (the Friedman tables of PMLB, say) and recognise a sample
  of a dataset, whose shape changes;
* a feature without spread over the past datasets weighs 0: it cannot tell them apart, and a
  query off its single value would be set apart from every one of them by a difference the
  scaling cannot measure (among past tables without missing values, anneal, 63% of whose
  cells are missing, was 63 away on that feature alone, where past datasets differ by at most
  1 on any);
* the query is also compared under the other readings of its types that
  ``compute_metafeatures`` gives (``<quality>@<reading>``: nominal inputs read as numbers,
  integer inputs with few values read as nominal), and its distance to a past dataset is the
  smallest over the readings: a table of integer codes is near the same table recorded with
  its categories, and the reverse;
* meta-features may be missing (NaN) on either side - the OpenML server does not compute every
  quality for every dataset, and auto-sklearn's meta-data give only some of them. A feature
  the query lacks is left out for every past dataset. A feature the query has but a past dataset
  lacks counts ``missing_penalty`` times the mean difference between the query and the past
  datasets that have it - the difference to expect from a dataset one knows nothing about -,
  so that a dataset described by a few features is not nearer than one that agrees on many.
  The weighted sum is rescaled to the full weight of the features:
  ``d = sum(w * diff) * sum(w over all features) / sum(w over the query's features)``.
  Datasets sharing fewer than ``min_comparable`` features with the query are ranked last, with
  distance ``inf``.

``SIMILARITY_FEATURES`` are OpenML qualities that (1) the OpenML server reports for the OpenML100
tasks and (2) ``compute_metafeatures`` computes; those that (3) ``autosklearn_to_openml`` derives
exactly from auto-sklearn's meta-features (all but the moments and the row-count based ones) let
auto-sklearn's datasets be compared too. Scale-free ones (percentages, entropy) are used as they
are. They describe size and shape (rows, columns, their types), the classes (number, entropy,
balance), missing values, the cardinality of nominal attributes and the distribution of the
numeric ones. Mutual information and landmarkers are left out: auto-sklearn's meta-data cannot
give them in OpenML's convention, and landmarkers are estimates that vary with the folds.

Every feature is the same for a copy of the data with its rows or columns reordered
(``compute_metafeatures`` makes sure of it), so such a copy is at distance 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from metalearning._metafeatures_stats import STATISTICAL
from metalearning.metafeatures import READING_QUALITIES, READINGS

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
    *STATISTICAL,
)

#: Features whose value depends on which inputs are nominal (``compute_metafeatures`` gives them
#: under other readings too).
ENCODING_DEPENDENT: tuple[str, ...] = tuple(
    f for f in SIMILARITY_FEATURES if f in READING_QUALITIES
)

#: Weights of the features not weighing 1: the column types half each, the 24 moments 3
#: together (chosen with ``benchmarks/recognition.py``: see its results).
WEIGHTS: dict[str, float] = {
    **dict.fromkeys((f for f in ENCODING_DEPENDENT if f not in STATISTICAL), 0.5),
    **dict.fromkeys(STATISTICAL, 3.0 / len(STATISTICAL)),
}

#: Differences of scaled features below this count 0 (rounding).
ROUNDING = 1e-9

#: A feature a past dataset lacks counts this many times the mean difference to those having
#: it: half, as such datasets are most often the same data described by another source with
#: fewer features (auto-sklearn's meta-data).
MISSING_PENALTY = 0.5

#: Transforms applied before scaling: ``log1p`` for counts (which may be 0), ``log`` for
#: Dimensionality (a positive ratio of counts spanning orders of magnitude), ``asinh`` for the
#: moments (signed, heavy-tailed). Values outside a transform's domain become NaN.
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
    **dict.fromkeys(STATISTICAL, "asinh"),
}


class DatasetSimilarity:
    """Nearest datasets by weighted L1 distance on min-max scaled meta-features.

    Parameters
    ----------
    features : sequence of str, default=SIMILARITY_FEATURES
        Meta-feature names (columns of the frame given to ``fit``) to compare.
    transforms : mapping of str to {"log1p", "log", "asinh"}, default=TRANSFORMS
        Features transformed before scaling (values outside the domain become NaN).
    weights : mapping of str to float, default=WEIGHTS
        Weight of each feature; 1 for those not listed.
    missing_penalty : float, default=MISSING_PENALTY
        A feature the query has and a past dataset lacks counts this many times the mean
        difference between the query and the past datasets that have it (0: it counts nothing).
    min_comparable : int, default=5
        Datasets with fewer features present on both sides are ranked last (``inf`` distance).
        Capped at the number of features.

    Attributes
    ----------
    features_ : tuple of str
        The features compared.
    weights_ : numpy.ndarray
        Their weights: 0 for a feature without spread over the fitted datasets (all equal or
        missing), unless no feature has any.
    min_ : pandas.Series
        Per feature, the minimum over the fitted datasets (after the transform).
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
        weights: Mapping[str, float] = WEIGHTS,
        missing_penalty: float = MISSING_PENALTY,
        min_comparable: int = 5,
    ) -> None:
        self.features = features
        self.transforms = transforms
        self.weights = weights
        self.missing_penalty = missing_penalty
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
        weights = np.array([float(self.weights.get(f, 1.0)) for f in features])
        if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
            raise ValueError(f"weights must be non-negative numbers, not all 0; got {weights}.")
        if not self.missing_penalty >= 0:
            raise ValueError(
                f"missing_penalty must be a non-negative number, got {self.missing_penalty!r}."
            )
        values = self._transform(frame.reindex(columns=list(features)))
        low, high = values.min(), values.max()
        span = high - low
        varies = (span > 0).to_numpy()
        if varies.any() and weights[varies].sum() > 0:
            # A feature the fitted datasets share cannot tell them apart; kept, it would only set
            # a query off that value apart from all of them, on a scale they never showed.
            weights = np.where(varies, weights, 0.0)
        self.features_ = features
        self.weights_ = weights
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

    def readings(self, metafeatures: pd.Series) -> pd.DataFrame:
        """The query's scaled ``features_`` as declared and under each other reading it has.

        One row per reading (index ``"declared"`` and the names in ``READINGS``): a reading's
        row takes ``<feature>@<reading>`` where ``metafeatures`` holds it, the declared value
        elsewhere. A reading is present if ``NumberOfNumericFeatures@<reading>`` is a number.
        """
        self._check_fitted()
        series = pd.to_numeric(pd.Series(metafeatures), errors="coerce")
        rows = {"declared": series.reindex(list(self.features_))}
        for reading in READINGS:
            if not np.isfinite(series.get(f"NumberOfNumericFeatures@{reading}", np.nan)):
                continue
            row = rows["declared"].copy()
            for feature in self.features_:
                if f"{feature}@{reading}" in series.index:
                    row[feature] = series[f"{feature}@{reading}"]
            rows[reading] = row
        return self.transform(pd.DataFrame(rows).T.astype(float))

    def distances(self, metafeatures: pd.Series) -> pd.DataFrame:
        """Distance to every fitted dataset (unsorted): columns dataset_id, distance,
        declared_distance (under the declared types only) and n_compared.

        The distance is the smallest over the query's readings (see ``readings``); it is
        ``inf`` where fewer than ``min_comparable`` features were compared. Differences below
        ``ROUNDING`` (of a feature's range) count 0: they are rounding, as between a value
        computed now and the same value stored by an earlier version.
        """
        queries = self.readings(metafeatures).to_numpy(dtype=float)
        table = self.scaled_.to_numpy(dtype=float)
        present = ~np.isnan(table)
        declared, n_compared = self._distances(table, present, queries[0])
        best = declared
        for query in queries[1:]:
            best = np.minimum(best, self._distances(table, present, query)[0])
        return pd.DataFrame(
            {
                "dataset_id": self.dataset_ids_,
                "distance": best,
                "declared_distance": declared,
                "n_compared": n_compared,
            }
        )

    def _distances(self, table, present, query) -> tuple[np.ndarray, np.ndarray]:
        asked = ~np.isnan(query)
        both = present & asked[None, :]
        diff = np.abs(table - query[None, :])
        diff[diff < ROUNDING] = 0.0
        counts = both.sum(axis=0)
        expected = np.where(both, diff, 0.0).sum(axis=0) / np.maximum(counts, 1)
        penalty = self.missing_penalty * expected
        cost = np.where(both, diff, np.where(asked[None, :], penalty[None, :], 0.0))
        weights = self.weights_
        asked_weight = weights[asked].sum()
        n_compared = both.sum(axis=1)
        if asked_weight > 0:
            distance = cost @ weights * (weights.sum() / asked_weight)
        else:
            distance = np.full(len(table), np.inf)
        enough = n_compared >= min(self.min_comparable, len(self.features_))
        return np.where(enough, distance, np.inf), n_compared

    def neighbour_distances(self) -> pd.Series:
        """Each fitted dataset's distance to its nearest other fitted dataset, as ``distances``
        measures it (its recorded meta-features as the query); ``inf`` where none compares.
        Index dataset_id. A typical scale of distances, e.g. to tell a dataset unlike any."""
        self._check_fitted()
        table = self.scaled_.to_numpy(dtype=float)
        present = ~np.isnan(table)
        out = np.full(len(table), np.inf)
        for i, query in enumerate(table):
            distance, _ = self._distances(table, present, query)
            distance[i] = np.inf
            out[i] = distance.min() if len(distance) else np.inf
        return pd.Series(out, index=self.dataset_ids_, name="distance")

    def nearest(self, metafeatures: pd.Series, k: int = 25, exclude: Iterable = ()) -> pd.DataFrame:
        """The ``k`` nearest fitted datasets, nearest first: columns dataset_id, distance.

        ``exclude`` lists dataset ids to leave out (e.g. the dataset itself). Ties are broken by
        the distance under the declared types (a dataset matching as the data are given before
        one matching under another reading), the number of features compared (more first),
        then by dataset id.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got k={k!r}.")
        table = self.distances(metafeatures)
        table = table[~table["dataset_id"].isin(list(exclude))]
        table = table.assign(_order=-table["n_compared"], _id=table["dataset_id"].astype(str))
        table = table.sort_values(
            ["distance", "declared_distance", "_order", "_id"], kind="mergesort"
        )
        return table.head(int(k))[["dataset_id", "distance"]].reset_index(drop=True)

    def near_duplicates(self, metafeatures: pd.Series, tol: float = 1e-3) -> list[str]:
        """Ids of fitted datasets whose compared scaled features all lie within ``tol``, under
        one of the query's readings (see ``readings``).

        Used to hide the same data imported from elsewhere (another name, another source, other
        column types) in leave-one-dataset-out experiments. The moments of the numeric
        attributes are not checked (they move with the encoding of the nominal ones and are
        estimates on large data); at least ``min_comparable`` features must be present on both
        sides.
        """
        if not tol >= 0:
            raise ValueError(f"tol must be a non-negative number, got tol={tol!r}.")
        queries = self.readings(metafeatures).to_numpy(dtype=float)
        table = self.scaled_.to_numpy(dtype=float)
        checked = np.array([f not in STATISTICAL for f in self.features_])
        found = np.zeros(len(table), dtype=bool)
        for query in queries:
            both = ~np.isnan(table) & ~np.isnan(query)[None, :]
            close = np.abs(table - query[None, :]) <= tol
            within = np.where(both & checked[None, :], close, True).all(axis=1)
            enough = both.sum(axis=1) >= min(self.min_comparable, len(self.features_))
            found |= within & enough
        return [str(i) for i in self.dataset_ids_[found]]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        try:
            values = frame.to_numpy(dtype=float, na_value=np.nan, copy=True)
        except (TypeError, ValueError):  # text among the values
            values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, name in enumerate(frame.columns):
                how = self.transforms.get(name)
                v = values[:, j]
                if how is None:
                    continue
                if how == "log1p":
                    values[:, j] = np.log1p(np.where(v >= 0, v, np.nan))
                elif how == "log":
                    values[:, j] = np.log(np.where(v > 0, v, np.nan))
                elif how == "asinh":
                    values[:, j] = np.arcsinh(v)
                else:
                    raise ValueError(
                        f"transform of {name!r} must be 'log1p', 'log' or 'asinh', got {how!r}."
                    )
        values[~np.isfinite(values)] = np.nan
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)

    def _check_fitted(self) -> None:
        if not hasattr(self, "scaled_"):
            raise RuntimeError("This DatasetSimilarity is not fitted yet: call fit(frame) first.")
