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
information. On at most 2,000 of those (fewer for wide data): the landmarkers. Results are
deterministic given ``random_state``.

The order of rows and columns does not matter: a copy of the data with its rows or its columns
reordered gets the same values, to the last bit, but for ``AutoCorrelation`` (which compares
consecutive rows by definition). Columns are taken in the order of their names (integer names,
as arrays have, in numeric order), and rows in a pseudo-random order that depends on their
content and ``random_state`` only; samples and cross-validation folds are drawn in that order.

Two quantities that OpenML does not define are added under auto-sklearn's names, with
auto-sklearn's definitions: ``NumberOfFeaturesWithMissingValues`` (input columns with a missing
value) and ``ClassProbabilitySTD`` (population standard deviation of the class frequencies).

Other readings of the types. Whether an input is numeric or nominal depends on how the data are
given: a table of integer codes (as PMLB gives OpenML's nominal data) measures other counts,
cardinalities and moments than the same table with categories. So ``READING_QUALITIES`` are
also given, as ``<quality>@<reading>``, under two other readings (NaN where a reading changes
nothing): ``nominal_as_numbers`` reads every nominal input as numbers (numeric labels as those
numbers, other labels as their codes), which is what an integer-coded copy measures;
``integers_as_nominal`` reads integer-valued numeric inputs with 2 to ``MAX_CODED_VALUES`` values
as nominal too, which is roughly what the data measure if those are codes of categories.
``DatasetSimilarity`` compares a query under each reading.
"""

from __future__ import annotations

import hashlib
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
    as_numbers,
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
#: Other readings of the inputs' types (see the module notes): the same data given in another
#: encoding measures, under one of these, what the declared types measure.
READINGS = ("nominal_as_numbers", "integers_as_nominal")
#: Integer-valued numeric inputs with 2 to this many distinct values are nominal when read
#: ``integers_as_nominal``.
MAX_CODED_VALUES = 10
#: The qualities that depend on which inputs are nominal, given under each reading.
READING_QUALITIES = (
    "NumberOfNumericFeatures",
    "NumberOfSymbolicFeatures",
    "PercentageOfNumericFeatures",
    "PercentageOfSymbolicFeatures",
    *stats.CARDINALITY[:8],
    *stats.STATISTICAL,
)
READING_NAMES = tuple(f"{name}@{reading}" for reading in READINGS for name in READING_QUALITIES)
METAFEATURE_NAMES = OPENML_QUALITIES + AUTOSKLEARN_EXTRAS + READING_NAMES


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
    data = _Columns.of(frame, target, regression)
    y = _Target.of(target, regression)
    out = _missing_values(data.columns, target)
    out.update(_exact(data, target, y))
    order, numbers = _row_order(data, y, random_state)
    out.update(_sampled(data, numbers, y, order, random_state))
    out.update(_readings(data, numbers, y, order))
    return out


@dataclass
class _Columns:
    """The input columns in the order of their names (so that a copy with its columns
    reordered is measured the same, to the last bit), their kinds and distinct counts."""

    names: list[str]
    columns: list[pd.Series]
    numeric: list[int]
    nominal: list[int]
    distinct: list[int]
    target_distinct: int

    @classmethod
    def of(cls, frame: pd.DataFrame, target: pd.Series, regression: bool) -> _Columns:
        names = [str(c) for c in frame.columns]
        order = sorted(range(len(names)), key=lambda j: _name_key(frame.columns[j]))
        columns = [frame.iloc[:, j] for j in order]
        numeric = [j for j, c in enumerate(columns) if column_kind(c) == NUMERIC]
        is_numeric = set(numeric)
        nominal = [j for j in range(len(columns)) if j not in is_numeric]
        distinct = [count_distinct(c) for c in columns]
        target_distinct = count_distinct(target) if regression else 0
        return cls([names[j] for j in order], columns, numeric, nominal, distinct, target_distinct)


def _name_key(name) -> tuple:
    """Integer names (positions, as for arrays) in numeric order, then the others as text."""
    if isinstance(name, (int, np.integer)) and not isinstance(name, bool):
        return (0, int(name), "")
    return (1, 0, str(name))


def _row_order(data: _Columns, y: _Target, random_state: int | None) -> tuple:
    """The rows in a pseudo-random order that depends on their content and ``random_state``,
    not on their positions, and the columns read as numbers on the first ``STATS_ROWS`` rows of
    that order (numeric ones by ``numeric_values``, nominal ones by ``as_numbers``).

    Samples and folds taken in this order make a copy with its rows or columns reordered measure
    the same. A row's key sums, over the columns, a hash of its value (as a number) salted by the
    column's place in the name order, and mixes in the seed; identical rows tie and are
    interchangeable.
    """
    label = y.values if y.codes is None else y.codes.astype(float)
    n = len(label)
    key = np.zeros(n, dtype=np.uint64)
    is_numeric = set(data.numeric)

    def read(j: int) -> np.ndarray:
        column = data.columns[j]
        return numeric_values(column) if j in is_numeric else as_numbers(column)

    kept = []
    for j in range(len(data.columns)):
        values = read(j)
        key += _mix(_bits(values) ^ _salt(str(j)))
        kept.append(values if n <= STATS_ROWS else None)  # else read again for the sample
    key += _mix(_bits(label) ^ _salt("target"))
    seed = np.random.default_rng(random_state).integers(2**63, dtype=np.uint64)
    order = np.argsort(_mix(key ^ seed), kind="stable")
    rows = order[:STATS_ROWS]
    numbers = [(read(j) if v is None else v)[rows] for j, v in enumerate(kept)]
    return order, numbers


def _bits(values: np.ndarray) -> np.ndarray:
    """Float64 values as 64-bit patterns, one for every NaN and 0.0 for -0.0."""
    return np.where(np.isnan(values), np.inf, values + 0.0).view(np.uint64)


def _salt(name: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest()))


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread 64-bit hash of each value."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _exact(data: _Columns, target: pd.Series, y: _Target) -> dict[str, float]:
    """Qualities computed on all rows: counts of attributes, classes and values."""
    regression = y.codes is None
    columns, numeric, nominal, distinct = data.columns, data.numeric, data.nominal, data.distinct
    declared = [count_declared(columns[j], distinct[j]) for j in nominal]
    declared_with_target = declared + ([] if regression else [count_declared(target, len(y.sizes))])
    out = _counts(len(target), len(columns), len(numeric), declared_with_target, regression)
    out.update(_class_sizes(len(target), y.sizes, regression))
    out["AutoCorrelation"] = _autocorrelation(y.values if regression else y.codes)
    out.update(stats.nominal_distinct(declared))
    out.update(_cardinality(data, numeric, nominal, y))
    return out


def _cardinality(data: _Columns, numeric, nominal, y: _Target) -> dict[str, float]:
    """The ``Cardinality`` qualities of the attributes when ``numeric`` and ``nominal`` are."""
    numeric_distinct = [data.distinct[j] for j in numeric]
    nominal_distinct = [data.distinct[j] for j in nominal]
    if y.codes is None:
        numeric_distinct.append(data.target_distinct)
    else:
        nominal_distinct.append(len(y.sizes))
    return stats.cardinality(numeric_distinct, nominal_distinct)


def _sampled(data: _Columns, numbers, y: _Target, order, random_state) -> dict[str, float]:
    """Qualities computed on a sample of rows: moments, entropies, landmarkers.

    The sample is the first ``STATS_ROWS`` rows of ``order`` (all rows, in that order, if there
    are fewer), the landmarkers' the first labelled rows of the sample.
    """
    rows = order[:STATS_ROWS]
    matrix = _matrix([numbers[j] for j in data.numeric], len(rows))
    if y.codes is None:  # regression: the target is a numeric attribute
        return stats.statistical(np.hstack([matrix, y.values[rows][:, None]]))
    out = stats.statistical(matrix)
    codes = [nominal_codes(data.columns[j]) for j in data.nominal]
    codes = [(c[rows], k) for c, k in codes]
    y_sample = y.codes[rows]
    class_entropy = stats.entropy_bits(y.sizes)
    out.update(
        stats.information([c for c, _ in codes], [k for _, k in codes], y_sample, class_entropy)
    )
    labelled = np.flatnonzero(y_sample >= 0)[: _landmarkers.sample_size(len(data.columns))]
    rng = np.random.default_rng(random_state)
    seed = None if random_state is None else int(rng.integers(2**31 - 1))
    codes_landmark = [c[labelled] for c, _ in codes]
    out.update(_landmarkers.landmarkers(matrix[labelled], codes_landmark, y_sample[labelled], seed))
    return out


def _matrix(columns: list[np.ndarray], n_rows: int) -> np.ndarray:
    return np.column_stack(columns) if columns else np.zeros((n_rows, 0))


def _readings(data: _Columns, numbers, y: _Target, order) -> dict[str, float]:
    """``READING_QUALITIES`` under each of ``READINGS`` (NaN where a reading changes nothing).

    ``nominal_as_numbers``: every nominal input is numeric, its values read by ``as_numbers``
    (what an integer-coded copy of the data measures). ``integers_as_nominal``: numeric inputs
    whose values are integers, 2 to ``MAX_CODED_VALUES`` of them, are nominal as well (what the
    data measure if those are integer codes of categories).
    """
    numeric, nominal = data.numeric, data.nominal
    coded = [j for j in numeric if _looks_coded(data.columns[j], data.distinct[j])]
    partitions = {
        "nominal_as_numbers": (sorted(numeric + nominal), []) if nominal else None,
        "integers_as_nominal": (
            ([j for j in numeric if j not in coded], sorted(nominal + coded)) if coded else None
        ),
    }
    rows = order[:STATS_ROWS]
    regression = y.codes is None
    out: dict[str, float] = {}
    for reading, partition in partitions.items():
        values = dict.fromkeys(READING_QUALITIES, np.nan)
        if partition is not None:
            as_numeric, as_nominal = partition
            counts = _counts(len(order), len(data.columns), len(as_numeric), [], regression)
            values.update({k: counts[k] for k in READING_QUALITIES[:4]})
            values.update(_cardinality(data, as_numeric, as_nominal, y))
            matrix = _matrix([numbers[j] for j in as_numeric], len(rows))
            if regression:
                matrix = np.hstack([matrix, y.values[rows][:, None]])
            values.update(stats.statistical(matrix))
        out.update({f"{name}@{reading}": values[name] for name in READING_QUALITIES})
    return out


def _looks_coded(column: pd.Series, distinct: int) -> bool:
    """Integer values, 2 to ``MAX_CODED_VALUES`` of them: perhaps codes of categories."""
    dtype = column.dtype
    if not 2 <= distinct <= MAX_CODED_VALUES or (
        pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        return False
    values = numeric_values(pd.Series(pd.unique(column.dropna())))
    return bool(np.all(np.isfinite(values) & (values == np.round(values))))


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
