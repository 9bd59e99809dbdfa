"""auto-sklearn's meta-features in OpenML's names and conventions.

``AUTOSKLEARN_TO_OPENML`` pairs only names that measure the *same quantity in the same units*:

* ``NumberOfInstances``, ``NumberOfClasses`` (classes present), ``ClassEntropy`` (bits in both);
* ``NumberOfMissingValues`` and ``NumberOfInstancesWithMissingValues``: auto-sklearn counts the
  inputs, OpenML all attributes with the target, but auto-sklearn refuses a target with missing
  values, so the two agree on every dataset auto-sklearn measured.

Pairs that differ by convention are not in the mapping; :func:`autosklearn_to_openml` converts
those that have an exact conversion (``F``, ``F_num``, ``F_cat``: auto-sklearn's counts of input
features, ``N`` rows, ``C`` classes; ``t_num``/``t_cat``: 1 if the target is numeric/nominal):

==========================================  ===================================================
OpenML quality                              from auto-sklearn
==========================================  ===================================================
NumberOfFeatures                            ``F + 1`` (OpenML counts the target)
NumberOfNumericFeatures                     ``F_num + t_num``
NumberOfSymbolicFeatures                    ``NumberOfCategoricalFeatures + t_cat``
PercentageOfNumeric/SymbolicFeatures        the two above over ``F + 1``, in percent
Dimensionality                              ``(F + 1) / N`` (auto-sklearn's DatasetRatio is F/N)
MajorityClassPercentage / Minority...       ``100 ClassProbabilityMax`` / ``...Min``
MajorityClassSize / MinorityClassSize       ``ClassProbabilityMax N`` / ``...Min N``, rounded
PercentageOfInstancesWithMissingValues      ``100 x`` auto-sklearn's fraction
PercentageOfMissingValues                   ``100 x F / (F + 1)`` (OpenML's cells include the
                                            target column, which has no missing value)
MaxCardinalityOfNominalAttributes           ``max(SymbolsMax, C)`` for classification, else
                                            ``SymbolsMax`` (values present, as OpenML's)
MeanCardinalityOfNominalAttributes          ``(SymbolsSum + C) / (F_cat + 1)``, regression
                                            ``SymbolsSum / F_cat``
==========================================  ===================================================

Not converted: the skewness and kurtosis statistics (auto-sklearn's include one-hot encoded
columns), ``SymbolsMin``/``SymbolsMean``/``SymbolsSTD`` (they leave out columns with no value),
and the ``Log*``/``Inverse*``/``Ratio*`` features (functions of the counts above).
``NumberOfFeaturesWithMissingValues`` and ``ClassProbabilitySTD`` are passed through under their
own names: ``compute_metafeatures`` computes them with auto-sklearn's definitions.

Beware of provenance: auto-sklearn's shipped meta-data were measured on a training split of each
dataset (about 2/3 of the rows), so row counts and class proportions there are those of the split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

AUTOSKLEARN_TO_OPENML: dict[str, str] = {
    "NumberOfInstances": "NumberOfInstances",
    "NumberOfClasses": "NumberOfClasses",
    "ClassEntropy": "ClassEntropy",
    "NumberOfMissingValues": "NumberOfMissingValues",
    "NumberOfInstancesWithMissingValues": "NumberOfInstancesWithMissingValues",
}

#: auto-sklearn quantities that ``compute_metafeatures`` also outputs under the same names.
SAME_NAME = ("NumberOfFeaturesWithMissingValues", "ClassProbabilitySTD")

_CLASS_BASED = ("NumberOfClasses", "ClassEntropy", "ClassProbabilitySTD")


def autosklearn_to_openml(values: Mapping[str, Any] | pd.Series, task: str) -> pd.Series:
    """OpenML qualities of one dataset from its auto-sklearn meta-features.

    Parameters
    ----------
    values : mapping or Series
        auto-sklearn meta-features by auto-sklearn name (``feature_values.arff`` columns);
        missing or non-finite values are skipped.
    task : {"binary", "multiclass", "regression"}
        The dataset's task: it decides whether the target is a numeric or a nominal attribute.

    Returns
    -------
    pandas.Series of float
        OpenML quality name -> value, for the qualities whose inputs are present (module notes).
    """
    task = getattr(task, "value", task)
    if task not in ("binary", "multiclass", "regression"):
        raise ValueError(f"task must be 'binary', 'multiclass' or 'regression', got {task!r}.")
    regression = task == "regression"

    def get(name: str) -> float | None:
        try:
            v = float(values[name])
        except (KeyError, TypeError, ValueError):
            return None
        return v if math.isfinite(v) else None

    out: dict[str, float] = {}
    for source, name in [*AUTOSKLEARN_TO_OPENML.items(), *((s, s) for s in SAME_NAME)]:
        if (v := get(source)) is not None and not (regression and source in _CLASS_BASED):
            out[name] = v
    if regression:
        out["NumberOfClasses"] = 0.0  # OpenML's value for a numeric target
    n_rows, n_classes = get("NumberOfInstances"), get("NumberOfClasses")
    n_inputs, n_cat = get("NumberOfFeatures"), get("NumberOfCategoricalFeatures")
    n_num = get("NumberOfNumericFeatures")
    if n_inputs is not None:
        n_features = n_inputs + 1.0
        out["NumberOfFeatures"] = n_features
        if n_rows:
            out["Dimensionality"] = n_features / n_rows
        if n_num is not None:
            out["NumberOfNumericFeatures"] = n_num + regression
            out["PercentageOfNumericFeatures"] = 100.0 * (n_num + regression) / n_features
        if n_cat is not None:
            out["NumberOfSymbolicFeatures"] = n_cat + (not regression)
            out["PercentageOfSymbolicFeatures"] = 100.0 * (n_cat + (not regression)) / n_features
        if (v := get("PercentageOfMissingValues")) is not None:
            out["PercentageOfMissingValues"] = 100.0 * v * n_inputs / n_features
    if (v := get("PercentageOfInstancesWithMissingValues")) is not None:
        out["PercentageOfInstancesWithMissingValues"] = 100.0 * v
    if not regression:
        for source, size, percent in (
            ("ClassProbabilityMax", "MajorityClassSize", "MajorityClassPercentage"),
            ("ClassProbabilityMin", "MinorityClassSize", "MinorityClassPercentage"),
        ):
            if (v := get(source)) is not None:
                out[percent] = 100.0 * v
                if n_rows:
                    out[size] = float(round(v * n_rows))
    out.update(_nominal_cardinality(get, n_cat, n_classes, regression))
    return pd.Series(out, dtype=float)


def _nominal_cardinality(get, n_cat, n_classes, regression) -> dict[str, float]:
    """Max and mean number of values present over the nominal attributes, target included."""
    out: dict[str, float] = {}
    symbols_max, symbols_sum = get("SymbolsMax"), get("SymbolsSum")
    if regression:
        if n_cat and symbols_max is not None:
            out["MaxCardinalityOfNominalAttributes"] = symbols_max
        if n_cat and symbols_sum is not None:
            out["MeanCardinalityOfNominalAttributes"] = symbols_sum / n_cat
    elif n_classes is not None and n_cat is not None:
        if symbols_max is not None:
            out["MaxCardinalityOfNominalAttributes"] = max(symbols_max, n_classes)
        if symbols_sum is not None:
            out["MeanCardinalityOfNominalAttributes"] = (symbols_sum + n_classes) / (n_cat + 1)
    return out
