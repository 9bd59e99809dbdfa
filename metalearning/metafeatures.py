"""Meta-features of a dataset, under OpenML's data-quality names and conventions.

>>> mf = compute_metafeatures(X, y)                # doctest: +SKIP
>>> mf["NumberOfInstances"], mf["ClassEntropy"]    # doctest: +SKIP

Conventions (those of OpenML's evaluation engine, so that a dataset measured here and a dataset
described by the OpenML server land in the same columns with the same meaning):

* the target is an attribute: ``NumberOfFeatures`` counts it, a class target is one of the
  ``NumberOfSymbolicFeatures`` (and of ``NumberOfBinaryFeatures`` if it has two classes), a
  regression target is one of the ``NumberOfNumericFeatures`` and enters the statistics of the
  numeric attributes; missing values are counted over all attributes, the target included;
* percentages are in percent (0-100), as OpenML's engine writes them;
* the number of classes and the ``Cardinality`` qualities count the values present (a declared
  but unused category does not count), the target included; ``NumberOfBinaryFeatures`` counts
  nominal attributes with two *declared* values, the target included, and the
  ``*NominalAttDistinctValues`` qualities summarise the declared values of the nominal *inputs*
  (target excluded), as most server values do (anneal, credit-g, mushroom, tic-tac-toe...).
  Declared values are a pandas Categorical's categories, two for a boolean, and the values
  present for anything else;
* a regression target has ``NumberOfClasses`` 0 (OpenML's value) and NaN for every other
  class-based quality (class sizes, entropies, mutual information, landmarkers);
* see ``_metafeatures_stats`` for the statistical and information-theoretic estimators and
  ``_landmarkers`` for the landmarkers.

Exact on all rows: counts of rows, attributes, missing values, classes and distinct values
(so the class and cardinality qualities too) and ``AutoCorrelation``. On a seeded sample of
at most ``STATS_ROWS`` rows: the moments of numeric attributes, attribute entropies and mutual
information. On at most 2,000 of those (fewer for wide data): the landmarkers. Results are deterministic
given ``random_state``.

Two quantities that OpenML does not define are added under auto-sklearn's names, with
auto-sklearn's definitions: ``NumberOfFeaturesWithMissingValues`` (input columns with a missing
value) and ``ClassProbabilitySTD`` (population standard deviation of the class frequencies).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from metalearning import _landmarkers
from metalearning import _metafeatures_stats as stats
from metalearning._metafeatures_data import (
    NUMERIC,
    as_frame,
    as_target,
    column_kind,
    count_declared,
    count_distinct,
    nominal_codes,
    numeric_values,
    resolve_task,
)

STATS_ROWS = 100_000

SIMPLE = (
    "NumberOfInstances",
    "NumberOfFeatures",
    "NumberOfClasses",
    "Dimensionality",
    "NumberOfInstancesWithMissingValues",
    "NumberOfMissingValues",
    "PercentageOfInstancesWithMissingValues",
    "PercentageOfMissingValues",
    "NumberOfNumericFeatures",
    "NumberOfSymbolicFeatures",
    "NumberOfBinaryFeatures",
    "PercentageOfNumericFeatures",
    "PercentageOfSymbolicFeatures",
    "PercentageOfBinaryFeatures",
    "MajorityClassSize",
    "MinorityClassSize",
    "MajorityClassPercentage",
    "MinorityClassPercentage",
    "AutoCorrelation",
)
LANDMARKERS = _landmarkers.NAMES
#: Every OpenML quality computed, in output order.
OPENML_QUALITIES = (
    SIMPLE
    + stats.STATISTICAL
    + stats.NOMINAL_DISTINCT
    + stats.CARDINALITY
    + stats.INFORMATION
    + LANDMARKERS
)
#: Quantities OpenML does not define, under auto-sklearn's names and definitions.
AUTOSKLEARN_EXTRAS = ("NumberOfFeaturesWithMissingValues", "ClassProbabilitySTD")
METAFEATURE_NAMES = OPENML_QUALITIES + AUTOSKLEARN_EXTRAS


def compute_metafeatures(
    X: Any, y: Any, task: str | None = None, *, random_state: int | None = 0
) -> pd.Series:
    """Meta-features of ``(X, y)`` under OpenML's quality names (see the module notes).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_rows, n_features)
        Inputs; numeric, categorical, string/object and boolean columns, missing values allowed.
    y : array-like of shape (n_rows,)
        Target: class labels (strings, integers, booleans) or numbers for regression.
    task : {"binary", "multiclass", "regression"} or None, default=None
        None infers it: a float target with non-integral values or more than 20 distinct values
        is a regression target, anything else a classification target.
    random_state : int or None, default=0
        Seed of the row samples and of the landmarkers' cross-validation folds.

    Returns
    -------
    pandas.Series of float
        One value per name in ``METAFEATURE_NAMES`` (in that order); NaN where a quality is not
        defined (class qualities of a regression target, moments without numeric attributes...).
    """
    frame = as_frame(X)
    target = as_target(y, len(frame))
    task = resolve_task(target, task)
    # Small matrices gain nothing from BLAS threads, and busy-waiting threads on a shared
    # machine make them slower.
    with warnings.catch_warnings(), np.errstate(all="ignore"), threadpool_limits(1, "blas"):
        warnings.simplefilter("ignore", RuntimeWarning)
        values = _compute(frame, target, task == "regression", random_state)
    return pd.Series(
        [float(values.get(name, np.nan)) for name in METAFEATURE_NAMES],
        index=list(METAFEATURE_NAMES),
        dtype=float,
        name="metafeatures",
    )


@dataclass
class _Target:
    """The target once: numbers (regression) or class codes (-1 = missing), and class sizes."""

    values: np.ndarray | None
    codes: np.ndarray | None
    sizes: np.ndarray

    @classmethod
    def of(cls, target: pd.Series, regression: bool) -> _Target:
        if regression:
            return cls(numeric_values(target), None, np.zeros(0, dtype=int))
        codes, _ = nominal_codes(target)
        sizes = np.bincount(codes[codes >= 0], minlength=1)
        return cls(None, codes, sizes[sizes > 0])


def _compute(
    frame: pd.DataFrame, target: pd.Series, regression: bool, random_state: int | None
) -> dict[str, float]:
    columns = [frame.iloc[:, j] for j in range(frame.shape[1])]
    numeric = [j for j, c in enumerate(columns) if column_kind(c) == NUMERIC]
    is_numeric = set(numeric)
    nominal = [j for j in range(len(columns)) if j not in is_numeric]
    y = _Target.of(target, regression)
    out = _missing_values(columns, target)
    out.update(_exact(columns, numeric, nominal, target, y))
    out.update(_sampled(columns, numeric, nominal, y, random_state))
    return out


def _exact(columns, numeric, nominal, target: pd.Series, y: _Target) -> dict[str, float]:
    """Qualities computed on all rows: counts of attributes, classes and values."""
    regression = y.codes is None
    distinct = [count_distinct(c) for c in columns]
    declared = [count_declared(columns[j], distinct[j]) for j in nominal]
    declared_with_target = declared + ([] if regression else [count_declared(target, len(y.sizes))])
    out = _counts(len(target), len(columns), len(numeric), declared_with_target, regression)
    out.update(_class_sizes(len(target), y.sizes, regression))
    out["AutoCorrelation"] = _autocorrelation(y.values if regression else y.codes)
    out.update(stats.nominal_distinct(declared))
    nominal_distinct = [distinct[j] for j in nominal] + ([] if regression else [len(y.sizes)])
    numeric_distinct = [distinct[j] for j in numeric]
    if regression:
        numeric_distinct.append(count_distinct(target))
    out.update(stats.cardinality(numeric_distinct, nominal_distinct))
    return out


def _sampled(columns, numeric, nominal, y: _Target, random_state) -> dict[str, float]:
    """Qualities computed on a sample of rows: moments, entropies, landmarkers."""
    n = len(y.values) if y.codes is None else len(y.codes)
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, STATS_ROWS, replace=False)) if n > STATS_ROWS else np.arange(n)
    sample = [c.iloc[rows] if len(rows) < n else c for c in columns]
    matrix = np.column_stack(
        [numeric_values(sample[j]) for j in numeric] or [np.zeros((len(rows), 0))]
    )
    if y.codes is None:  # regression: the target is a numeric attribute
        return stats.statistical(np.hstack([matrix, y.values[rows][:, None]]))
    out = stats.statistical(matrix)
    codes = [nominal_codes(sample[j]) for j in nominal]
    y_sample = y.codes[rows]
    class_entropy = stats.entropy_bits(y.sizes)
    out.update(
        stats.information([c for c, _ in codes], [k for _, k in codes], y_sample, class_entropy)
    )
    labelled = np.flatnonzero(y_sample >= 0)
    n_landmark = _landmarkers.sample_size(len(columns))
    if len(labelled) > n_landmark:
        labelled = np.sort(rng.choice(labelled, n_landmark, replace=False))
    seed = None if random_state is None else int(rng.integers(2**31 - 1))
    codes_landmark = [c[labelled] for c, _ in codes]
    out.update(_landmarkers.landmarkers(matrix[labelled], codes_landmark, y_sample[labelled], seed))
    return out


def _missing_values(columns: list[pd.Series], target: pd.Series) -> dict[str, float]:
    rows = target.isna().to_numpy().copy()
    total, features = int(rows.sum()), 0
    for column in columns:
        missing = column.isna().to_numpy()
        count = int(missing.sum())
        if count:
            total, features = total + count, features + 1
            rows |= missing
    n, n_attributes = len(rows), len(columns) + 1
    return {
        "NumberOfMissingValues": total,
        "NumberOfInstancesWithMissingValues": int(rows.sum()),
        "PercentageOfMissingValues": 100.0 * total / (n * n_attributes),
        "PercentageOfInstancesWithMissingValues": 100.0 * rows.sum() / n,
        "NumberOfFeaturesWithMissingValues": features,
    }


def _counts(
    n: int, n_inputs: int, n_numeric_inputs: int, declared_values: list[int], regression: bool
) -> dict[str, float]:
    n_features = n_inputs + 1  # OpenML counts the target
    n_numeric = n_numeric_inputs + int(regression)
    n_symbolic = n_features - n_numeric
    n_binary = sum(1 for d in declared_values if d == 2)
    return {
        "NumberOfInstances": n,
        "NumberOfFeatures": n_features,
        "Dimensionality": n_features / n,
        "NumberOfNumericFeatures": n_numeric,
        "NumberOfSymbolicFeatures": n_symbolic,
        "NumberOfBinaryFeatures": n_binary,
        "PercentageOfNumericFeatures": 100.0 * n_numeric / n_features,
        "PercentageOfSymbolicFeatures": 100.0 * n_symbolic / n_features,
        "PercentageOfBinaryFeatures": 100.0 * n_binary / n_features,
    }


def _class_sizes(n: int, counts: np.ndarray, regression: bool) -> dict[str, float]:
    if regression or len(counts) == 0:
        return {"NumberOfClasses": 0 if regression else len(counts)}
    return {
        "NumberOfClasses": len(counts),
        "MajorityClassSize": counts.max(),
        "MinorityClassSize": counts.min(),
        "MajorityClassPercentage": 100.0 * counts.max() / n,
        "MinorityClassPercentage": 100.0 * counts.min() / n,
        "ClassProbabilitySTD": float(np.std(counts / n)),
    }


def _autocorrelation(y: np.ndarray) -> float:
    """OpenML's ``AutoCorrelation``: 1 - (changes between consecutive rows) / (rows - 1).

    A change is a different class, or for a numeric target the difference ``previous - current``
    (whose sum telescopes to ``first - last``: OpenML's definition, kept as it is).
    """
    if len(y) < 2:
        return np.nan
    if y.dtype.kind == "f":
        changes = np.nansum(y[:-1] - y[1:])
    else:
        changes = np.count_nonzero(y[1:] != y[:-1])
    return float((len(y) - 1 - changes) / (len(y) - 1))
