"""auto-sklearn meta-feature names -> OpenML quality names, where they measure the same thing.

auto-sklearn computed its meta-features on the *training split* of each OpenML dataset (about
67 % of the rows: ``anneal`` has 602 rows there, 898 on OpenML), on the input columns only
(the target excluded), and the skewness/kurtosis ones after one-hot encoding and imputation.
OpenML computes qualities on the whole dataset and counts the target as a feature. Hence:

Mapped (``AUTOSKLEARN_TO_OPENML``, converted by :func:`autosklearn_to_openml`):

* column counts, exact: ``NumberOfFeatures`` + 1 (OpenML counts the target);
  ``NumberOfNumericFeatures`` + 1 for regression (numeric target), + 0 for classification;
  ``NumberOfCategoricalFeatures`` -> ``NumberOfSymbolicFeatures`` + 1 for classification
  (nominal target), + 0 for regression;
* ``NumberOfClasses``: classes present in the training split (OpenML: declared classes; they
  differ only when a declared class has no rows, e.g. ``anneal`` 5 vs 6);
* proportions, the same quantity estimated on the training split: ``ClassEntropy`` (base 2 in
  both), ``ClassProbabilityMax`` / ``Min`` -> ``MajorityClassPercentage`` /
  ``MinorityClassPercentage`` (x 100), ``PercentageOfInstancesWithMissingValues`` (x 100),
  ``PercentageOfMissingValues`` (x 100 x F / (F + 1): OpenML's denominator counts the target
  column, which has no missing values);
* derived exactly from the column counts: ``PercentageOfNumericFeatures`` and
  ``PercentageOfSymbolicFeatures`` (percent of OpenML's ``NumberOfFeatures``).

Percentages are in percent (0-100), the convention of most OpenML server values (the
importers recompute the server's own percentages from counts in that convention).

Not mapped (``NOT_MAPPED`` gives each reason): row counts and ratios involving them (measured
on the training split), symbol counts (observed values, OpenML counts declared values and the
target), skewness and kurtosis (auto-sklearn's include one-hot columns), and quantities with no
OpenML counterpart.

This module is the single source of the mapping: ``metalearning`` may import it from here
(``knowledge_base`` must not import ``metalearning``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

AUTOSKLEARN_TO_OPENML: dict[str, str] = {
    "NumberOfFeatures": "NumberOfFeatures",
    "NumberOfNumericFeatures": "NumberOfNumericFeatures",
    "NumberOfCategoricalFeatures": "NumberOfSymbolicFeatures",
    "NumberOfClasses": "NumberOfClasses",
    "ClassEntropy": "ClassEntropy",
    "ClassProbabilityMax": "MajorityClassPercentage",
    "ClassProbabilityMin": "MinorityClassPercentage",
    "PercentageOfInstancesWithMissingValues": "PercentageOfInstancesWithMissingValues",
    "PercentageOfMissingValues": "PercentageOfMissingValues",
}

_SPLIT = "measured on auto-sklearn's training split (~67% of rows), not the whole dataset"
_SYMBOLS = "observed values of categorical inputs; OpenML counts declared values and the target"
_MOMENTS = "computed after one-hot encoding and imputation, so it includes indicator columns"
_NONE = "no OpenML quality measures it"

NOT_MAPPED: dict[str, str] = {
    "NumberOfInstances": _SPLIT,
    "LogNumberOfInstances": _SPLIT,
    "NumberOfMissingValues": _SPLIT,
    "NumberOfInstancesWithMissingValues": _SPLIT,
    "DatasetRatio": _SPLIT,
    "LogDatasetRatio": _SPLIT,
    "InverseDatasetRatio": _SPLIT,
    "LogInverseDatasetRatio": _SPLIT,
    "SymbolsMin": _SYMBOLS,
    "SymbolsMax": _SYMBOLS,
    "SymbolsMean": _SYMBOLS,
    "SymbolsSTD": _SYMBOLS,
    "SymbolsSum": _SYMBOLS,
    "KurtosisMin": _MOMENTS,
    "KurtosisMax": _MOMENTS,
    "KurtosisMean": _MOMENTS,
    "KurtosisSTD": _MOMENTS,
    "SkewnessMin": _MOMENTS,
    "SkewnessMax": _MOMENTS,
    "SkewnessMean": _MOMENTS,
    "SkewnessSTD": _MOMENTS,
    "LogNumberOfFeatures": _NONE,
    "NumberOfFeaturesWithMissingValues": _NONE,
    "PercentageOfFeaturesWithMissingValues": _NONE,
    "RatioNumericalToNominal": _NONE + " (see the derived PercentageOf*Features)",
    "RatioNominalToNumerical": _NONE + " (see the derived PercentageOf*Features)",
    "ClassProbabilityMean": _NONE + " (it is 1 / NumberOfClasses)",
    "ClassProbabilitySTD": _NONE,
}


def autosklearn_to_openml(values: Mapping[str, float], *, regression: bool) -> dict[str, float]:
    """auto-sklearn meta-features of one dataset as OpenML qualities (see the module notes).

    Parameters
    ----------
    values : mapping of str to float
        auto-sklearn meta-features by auto-sklearn name (``feature_values.arff`` columns).
    regression : bool
        Whether the dataset's target is numeric (it decides which count gains the target).

    Returns
    -------
    dict of str to float
        OpenML quality name -> value, only for the mapped and derived qualities whose inputs
        are present and finite.
    """

    def get(name: str) -> float | None:
        v = values.get(name)
        try:
            v = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return v if math.isfinite(v) else None

    out: dict[str, float] = {}
    n_features = get("NumberOfFeatures")
    n_numeric = get("NumberOfNumericFeatures")
    n_categorical = get("NumberOfCategoricalFeatures")
    numeric_target = 1.0 if regression else 0.0
    nominal_target = 0.0 if regression else 1.0
    if n_features is not None:
        out["NumberOfFeatures"] = n_features + 1.0
    if n_numeric is not None:
        out["NumberOfNumericFeatures"] = n_numeric + numeric_target
    if n_categorical is not None:
        out["NumberOfSymbolicFeatures"] = n_categorical + nominal_target
    if not regression:
        for source in ("NumberOfClasses", "ClassEntropy"):
            if (v := get(source)) is not None:
                out[AUTOSKLEARN_TO_OPENML[source]] = v
        for source in ("ClassProbabilityMax", "ClassProbabilityMin"):
            if (v := get(source)) is not None:
                out[AUTOSKLEARN_TO_OPENML[source]] = 100.0 * v
    if (v := get("PercentageOfInstancesWithMissingValues")) is not None:
        out["PercentageOfInstancesWithMissingValues"] = 100.0 * v
    if (v := get("PercentageOfMissingValues")) is not None and n_features is not None:
        out["PercentageOfMissingValues"] = 100.0 * v * n_features / (n_features + 1.0)
    if n_features is not None:
        total = n_features + 1.0
        if "NumberOfNumericFeatures" in out:
            out["PercentageOfNumericFeatures"] = 100.0 * out["NumberOfNumericFeatures"] / total
        if "NumberOfSymbolicFeatures" in out:
            out["PercentageOfSymbolicFeatures"] = 100.0 * out["NumberOfSymbolicFeatures"] / total
    return out
