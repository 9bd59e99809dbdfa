"""OpenML's statistical and information-theoretic data qualities, as the server computes them.

Conventions follow OpenML's evaluation engine (``org.openml.webapplication.fantail.dc``:
``Statistical``, ``NominalAttDistinctValues``, ``Cardinality``, ``AttributeEntropy`` and
``DCUntils``), which uses Apache Commons Math:

* per numeric attribute, over its non-missing values: the mean, the sample standard deviation,
  the bias-corrected skewness G1 and excess kurtosis G2 (Commons Math ``Skewness``/``Kurtosis``:
  0 when the variance is below 1e-19, NaN with fewer than 3 resp. 4 values); each of the four is
  then summarised over the attributes whose value is finite by its mean, min, max and quartiles;
* quartiles are Commons Math's default percentile (``p (n + 1)`` position, = numpy's
  ``weibull`` method); standard deviations of summaries are sample standard deviations;
* entropies are in bits; attribute entropy and mutual information use the nominal input
  attributes only, and a missing nominal value counts as the attribute's *first* value (the
  server casts Weka's missing value, NaN, to the value index 0); mutual information is rounded
  to 14 decimals as the server does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

#: Commons Math returns 0 skewness/kurtosis below this variance ("10E-20").
_TINY_VARIANCE = 1e-19

MOMENT_NAMES = ("Means", "StdDev", "Kurtosis", "Skewness")
SUMMARIES = ("Mean", "Min", "Max", "Quartile1", "Quartile2", "Quartile3")
STATISTICAL = tuple(f"{s}{m}OfNumericAtts" for m in MOMENT_NAMES for s in SUMMARIES)
NOMINAL_DISTINCT = (
    "MaxNominalAttDistinctValues",
    "MinNominalAttDistinctValues",
    "MeanNominalAttDistinctValues",
    "StdvNominalAttDistinctValues",
)
CARDINALITY = (
    "MeanCardinalityOfNumericAttributes",
    "StdevCardinalityOfNumericAttributes",
    "MinCardinalityOfNumericAttributes",
    "MaxCardinalityOfNumericAttributes",
    "MeanCardinalityOfNominalAttributes",
    "StdevCardinalityOfNominalAttributes",
    "MinCardinalityOfNominalAttributes",
    "MaxCardinalityOfNominalAttributes",
    "CardinalityAtTwo",
    "CardinalityAtThree",
    "CardinalityAtFour",
)
INFORMATION = (
    "ClassEntropy",
    "MeanAttributeEntropy",
    "MeanMutualInformation",
    "EquivalentNumberOfAtts",
    "MeanNoiseToSignalRatio",
    *(f"{s}AttributeEntropy" for s in SUMMARIES[1:]),
    *(f"{s}MutualInformation" for s in SUMMARIES[1:]),
)


def percentile(values: np.ndarray, q: float) -> float:
    """Commons Math's default percentile (position ``q (n + 1) / 100``); NaN if empty."""
    if len(values) == 0:
        return np.nan
    return float(np.percentile(values, q, method="weibull"))


def sample_std(values: np.ndarray) -> float:
    """Commons Math's standard deviation: sample (n - 1), 0 for one value, NaN for none."""
    if len(values) == 0:
        return np.nan
    if len(values) == 1:
        return 0.0
    return float(np.std(values, ddof=1))


def summarise(values: Sequence[float] | np.ndarray) -> dict[str, float]:
    """Mean, Min, Max and the three quartiles of the finite ``values`` (NaN if there are none).

    The values are sorted first, so the result does not depend on the order of the attributes,
    not even in the last bit of the mean.
    """
    v = np.sort(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return dict.fromkeys(SUMMARIES, np.nan)
    return {
        "Mean": float(np.mean(v)),
        "Min": float(np.min(v)),
        "Max": float(np.max(v)),
        "Quartile1": percentile(v, 25),
        "Quartile2": percentile(v, 50),
        "Quartile3": percentile(v, 75),
    }


def column_moments(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Per column of ``matrix`` (NaN = missing): mean, sample std, G1 skewness, G2 kurtosis."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        present = ~np.isnan(matrix)
        n = present.sum(axis=0).astype(float)
        mean = np.nansum(matrix, axis=0) / n
        d = np.where(present, matrix - mean, 0.0)
        d2 = d * d
        m2, m3, m4 = d2.sum(axis=0), (d2 * d).sum(axis=0), (d2 * d2).sum(axis=0)
        var = m2 / (n - 1)
        std = np.where(n == 1, 0.0, np.sqrt(var))
        sd3 = var**1.5
        skew = n / ((n - 1) * (n - 2)) * m3 / sd3
        kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 / (var * var) - 3 * (n - 1) ** 2 / (
            (n - 2) * (n - 3)
        )
        flat = var < _TINY_VARIANCE
        skew = np.where(n < 3, np.nan, np.where(flat, 0.0, skew))
        kurt = np.where(n < 4, np.nan, np.where(flat, 0.0, kurt))
    return {"Means": mean, "StdDev": std, "Skewness": skew, "Kurtosis": kurt}


def statistical(matrix: np.ndarray) -> dict[str, float]:
    """The 24 ``<Summary><Moment>OfNumericAtts`` qualities of the numeric attributes' columns."""
    if matrix.shape[1] == 0:
        return dict.fromkeys(STATISTICAL, np.nan)
    out: dict[str, float] = {}
    for moment, values in column_moments(matrix).items():
        for summary, value in summarise(values).items():
            out[f"{summary}{moment}OfNumericAtts"] = value
    return out


def nominal_distinct(distinct: Sequence[int]) -> dict[str, float]:
    """Max/Min/Mean/Stdv of the number of (declared) values of the nominal input attributes."""
    if len(distinct) == 0:
        return dict.fromkeys(NOMINAL_DISTINCT, np.nan)
    v = np.sort(np.asarray(distinct, dtype=float))  # sorted: independent of the attributes' order
    return {
        "MaxNominalAttDistinctValues": float(v.max()),
        "MinNominalAttDistinctValues": float(v.min()),
        "MeanNominalAttDistinctValues": float(v.mean()),
        "StdvNominalAttDistinctValues": sample_std(v),
    }


def cardinality(numeric: Sequence[int], nominal: Sequence[int]) -> dict[str, float]:
    """OpenML's ``Cardinality`` qualities from the distinct counts of all attributes."""
    out: dict[str, float] = {}
    for kind, counts in (("Numeric", numeric), ("Nominal", nominal)):
        v = np.sort(np.asarray(counts, dtype=float))  # independent of the attributes' order
        empty = len(v) == 0
        out[f"MeanCardinalityOf{kind}Attributes"] = np.nan if empty else float(v.mean())
        out[f"StdevCardinalityOf{kind}Attributes"] = sample_std(v)
        out[f"MinCardinalityOf{kind}Attributes"] = np.nan if empty else float(v.min())
        out[f"MaxCardinalityOf{kind}Attributes"] = np.nan if empty else float(v.max())
    everything = sorted([*numeric, *nominal], reverse=True)
    for k, name in ((2, "CardinalityAtTwo"), (3, "CardinalityAtThree"), (4, "CardinalityAtFour")):
        if len(everything) >= k:
            out[name] = float(everything[0] * np.prod([max(c, 1) for c in everything[1:k]]))
        else:
            out[name] = np.nan
    return out


def entropy_bits(counts: np.ndarray) -> float:
    """Shannon entropy in bits of a vector of counts (zero counts ignored)."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total <= 0:
        return np.nan
    p = counts[counts > 0] / total
    return float(-(p * np.log2(p)).sum()) + 0.0  # no -0.0


def information(
    codes: Sequence[np.ndarray], levels: Sequence[int], y_codes: np.ndarray, class_entropy: float
) -> dict[str, float]:
    """Attribute entropies, mutual information with the class and the derived ratios.

    ``codes``: per nominal input attribute, integer codes (-1 = missing) on the rows sampled;
    ``levels``: their number of values; ``y_codes``: class codes on the same rows (-1 = missing,
    those rows are left out); ``class_entropy``: ``ClassEntropy`` of the whole target.
    """
    labelled = y_codes >= 0
    y = y_codes[labelled]
    n_classes = int(y.max()) + 1 if len(y) else 0
    entropies, mutual = [], []
    for column, n_levels in zip(codes, levels):
        c = np.where(column < 0, 0, column)  # OpenML: a missing value is the first value
        entropies.append(entropy_bits(np.bincount(c, minlength=max(n_levels, 1))))
        if n_classes:
            c = c[labelled]
            joint = np.bincount(c * n_classes + y, minlength=(c.max() + 1) * n_classes)
            joint = joint.reshape(-1, n_classes)
            mi = entropy_bits(joint.sum(1)) + entropy_bits(joint.sum(0)) - entropy_bits(joint)
            mutual.append(round(mi, 14))
    out = {"ClassEntropy": class_entropy}
    ent, mi = summarise(entropies), summarise(mutual)
    out["MeanAttributeEntropy"] = ent["Mean"]
    out["MeanMutualInformation"] = mi["Mean"]
    mean_mi = mi["Mean"]
    if np.isfinite(mean_mi) and mean_mi > 0:
        out["EquivalentNumberOfAtts"] = class_entropy / mean_mi
        out["MeanNoiseToSignalRatio"] = (ent["Mean"] - mean_mi) / mean_mi
    else:
        out["EquivalentNumberOfAtts"] = out["MeanNoiseToSignalRatio"] = np.nan
    for summary in SUMMARIES[1:]:
        out[f"{summary}AttributeEntropy"] = ent[summary]
        out[f"{summary}MutualInformation"] = mi[summary]
    return out
