"""auto-sklearn's meta-features in OpenML's names: the mapping and the conversions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metalearning import (
    AUTOSKLEARN_TO_OPENML,
    OPENML_QUALITIES,
    autosklearn_to_openml,
    compute_metafeatures,
)


def _autosklearn_style(X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    """auto-sklearn's definitions of its meta-features, computed by hand on (X, y)."""
    categorical = [c for c in X if not pd.api.types.is_numeric_dtype(X[c]) or X[c].dtype == bool]
    missing = X.isna()
    symbols = [X[c].dropna().nunique() for c in categorical]
    n, f = X.shape
    out = {
        "NumberOfInstances": n,
        "NumberOfFeatures": f,
        "NumberOfCategoricalFeatures": len(categorical),
        "NumberOfNumericFeatures": f - len(categorical),
        "NumberOfMissingValues": missing.sum().sum(),
        "NumberOfInstancesWithMissingValues": missing.any(axis=1).sum(),
        "NumberOfFeaturesWithMissingValues": (missing.sum() > 0).sum(),
        "PercentageOfMissingValues": missing.sum().sum() / (n * f),
        "PercentageOfInstancesWithMissingValues": missing.any(axis=1).sum() / n,
        "SymbolsMax": max(symbols, default=0),
        "SymbolsSum": sum(symbols),
    }
    if not pd.api.types.is_float_dtype(y):
        p = y.value_counts().to_numpy() / n
        out.update(
            NumberOfClasses=len(p),
            ClassEntropy=float(-(p * np.log2(p)).sum()),
            ClassProbabilityMax=p.max(),
            ClassProbabilityMin=p.min(),
            ClassProbabilitySTD=p.std(),
        )
    return out


@pytest.mark.parametrize("regression", [False, True])
def test_autosklearn_conversion_reproduces_our_values(make_mixed, regression):
    """Every converted value equals what compute_metafeatures measures on the same data."""
    X, y = make_mixed(300)
    task = "multiclass"
    if regression:
        y, task = pd.Series(np.random.default_rng(0).normal(size=len(X))), "regression"
    converted = autosklearn_to_openml(_autosklearn_style(X, y), task=task)
    ours = compute_metafeatures(X, y, task=task)
    assert len(converted) == (15 if regression else 21)
    for name, value in converted.items():
        assert value == pytest.approx(ours[name], rel=1e-12), name


def test_autosklearn_metadata_of_anneal(anneal, autosklearn_features):
    """auto-sklearn's shipped anneal row: column counts exact, class proportions close.

    auto-sklearn measured a training split (602 of 898 rows), so proportions differ a little.
    """
    X, y, _ = anneal
    ours = compute_metafeatures(X, y)
    converted = autosklearn_to_openml(autosklearn_features.loc["anneal"], task="multiclass")
    for name in (
        "NumberOfFeatures",
        "NumberOfNumericFeatures",
        "NumberOfSymbolicFeatures",
        "PercentageOfNumericFeatures",
        "PercentageOfSymbolicFeatures",
        "NumberOfClasses",
        "MaxCardinalityOfNominalAttributes",
        "PercentageOfInstancesWithMissingValues",
    ):
        assert converted[name] == pytest.approx(ours[name], rel=1e-12), name
    for name in ("ClassEntropy", "MajorityClassPercentage", "PercentageOfMissingValues"):
        assert converted[name] == pytest.approx(ours[name], rel=0.06), name
    assert converted["NumberOfInstances"] == 602  # the split's rows, not anneal's 898


def test_autosklearn_mapping_names(autosklearn_features):
    assert set(AUTOSKLEARN_TO_OPENML) <= set(autosklearn_features.columns)
    assert set(AUTOSKLEARN_TO_OPENML.values()) <= set(OPENML_QUALITIES)
    assert "NumberOfFeatures" not in AUTOSKLEARN_TO_OPENML  # not the same quantity (target)
    with pytest.raises(ValueError, match="task must be"):
        autosklearn_to_openml({}, task="ranking")
