"""Landmarkers: how well three cheap learners do, by cross-validation on a small sample.

OpenML runs Weka learners in 10-fold cross-validation and reports, from the pooled out-of-fold
predictions, the class-frequency weighted one-vs-rest AUC (``<name>AUC``), the error rate
(``<name>ErrRate``) and Cohen's kappa (``<name>Kappa``). This module does the same on at most
``LANDMARK_ROWS`` sampled rows (fewer for wide data, see ``sample_size``) with stratified
10-fold CV, re-implementing the Weka learners (values still differ from the server's: other
folds, other rows when sampled, small differences in the learners):

* ``DecisionStump`` (Weka ``DecisionStump``): one split chosen by the lowest class entropy
  conditioned on three branches - a nominal value against the others, or a numeric threshold,
  and a third branch for missing values; each branch predicts its class frequencies.
* ``NaiveBayes`` (Weka ``NaiveBayes``): Laplace-smoothed class priors and nominal value
  frequencies; for numeric attributes the probability of a bin of width *precision* (the mean
  gap between distinct values) under a normal distribution per class whose standard deviation
  is at least precision / 6; missing values are skipped; nominal and numeric factors are
  floored at 1e-75 (numeric ones when the bin is wide against the standard deviation).
* ``kNN1N`` (Weka ``IBk -K 1``): the nearest training row under Weka's Euclidean distance -
  numeric attributes min-max scaled, a nominal mismatch or a missing nominal value counts 1, a
  missing numeric value counts ``max(v, 1 - v)`` against a present ``v`` and 1 against another
  missing value; rows tied at the nearest distance all vote, with Weka's ``1 / n`` correction.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr
from scipy.stats import rankdata
from sklearn.model_selection import StratifiedKFold

LANDMARK_ROWS = 2000
#: Wide data get fewer rows: at most this many cells (rows x attributes), but 500 rows at least.
LANDMARK_CELLS = 400_000
MIN_LANDMARK_ROWS = 500
N_FOLDS = 10
#: Nominal attributes with more values than this are compared directly, not one-hot encoded.
MAX_ONE_HOT = 128
#: Naive Bayes: bins narrower than this many standard deviations use the density.
NARROW_BIN = 0.1
LEARNERS = ("DecisionStump", "NaiveBayes", "kNN1N")
MEASURES = ("AUC", "ErrRate", "Kappa")
NAMES = tuple(f"{learner}{measure}" for learner in LEARNERS for measure in MEASURES)


def sample_size(n_attributes: int) -> int:
    """Rows to sample for the landmarkers of data with ``n_attributes`` input attributes."""
    rows = LANDMARK_CELLS // max(1, n_attributes)
    return int(min(LANDMARK_ROWS, max(MIN_LANDMARK_ROWS, rows)))


def landmarkers(
    numeric: np.ndarray, codes: Sequence[np.ndarray], y: np.ndarray, random_state: int | None
) -> dict[str, float]:
    """AUC, error rate and kappa of the three learners (NaN where they cannot be computed).

    ``numeric``: rows x numeric attributes (NaN = missing); ``codes``: per nominal attribute,
    integer codes (-1 = missing); ``y``: class codes, all non-negative.
    """
    out = dict.fromkeys(NAMES, np.nan)
    _, y = np.unique(y, return_inverse=True)
    counts = np.bincount(y)
    if len(counts) < 2 or len(y) < 4:
        return out
    codes = [np.unique(c, return_inverse=True)[1] - int(c.min() < 0) for c in codes]
    n_splits = int(min(N_FOLDS, len(y) // 2, counts.max()))
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # tiny classes: fewer members than folds
        folds = list(cv.split(np.zeros(len(y)), y))
        learners = {
            "DecisionStump": _stump(numeric, codes, y, folds),
            "NaiveBayes": _naive_bayes(numeric, codes, y, folds),
            "kNN1N": _nearest_neighbour(numeric, codes, y, folds),
        }
    for name, proba in learners.items():
        out.update({f"{name}{m}": v for m, v in _scores(y, proba).items()})
    return out


def _scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Weka's weighted one-vs-rest AUC, error rate and Cohen's kappa of pooled predictions."""
    n_classes = proba.shape[1]
    pred = proba.argmax(axis=1)
    auc_total = 0.0
    for c in range(n_classes):
        positive = y == c
        n_pos = positive.sum()
        if 0 < n_pos < len(y):
            ranks = rankdata(proba[:, c])
            auc = (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (len(y) - n_pos))
            auc_total += auc * n_pos
    confusion = np.zeros((n_classes, n_classes))
    np.add.at(confusion, (y, pred), 1)
    total = confusion.sum()
    observed = np.trace(confusion) / total
    expected = (confusion.sum(0) * confusion.sum(1)).sum() / total**2
    return {
        "AUC": float(auc_total / len(y)),
        "ErrRate": float(1 - observed),
        "Kappa": float((observed - expected) / (1 - expected)) if expected < 1 else np.nan,
    }


# --- DecisionStump ------------------------------------------------------------------------------


def _xlogx(x: np.ndarray) -> np.ndarray:
    return np.where(x > 1e-6, x * np.log(np.maximum(x, 1e-300)), 0.0)


def _conditional_entropy(*branches: np.ndarray) -> np.ndarray:
    """Weka's ``entropyConditionedOnRows`` of branches (each ... x classes), up to a constant."""
    return -sum(_xlogx(b).sum(-1) - _xlogx(b.sum(-1)) for b in branches)


def _count_entropy(xlogx: np.ndarray, *branches: np.ndarray) -> np.ndarray:
    """``_conditional_entropy`` of integer class counts, bit for bit, with ``xlogx`` of every
    count looked up in ``xlogx`` (a lookup costs a fraction of a logarithm)."""
    return -sum(xlogx[b].sum(-1) - xlogx[b.sum(-1)] for b in branches)


def _stump(numeric, codes, y, folds) -> np.ndarray:
    n_classes = int(y.max()) + 1
    proba = np.zeros((len(y), n_classes))
    onehot_y = np.eye(n_classes)[y]
    for train, test in folds:
        best = _numeric_split(numeric[train], onehot_y[train])
        for j, c in enumerate(codes):
            best = min(best, _nominal_split(c[train], onehot_y[train], j), key=_first)
        if best[1] is None:  # no attribute splits: predict the class frequencies
            proba[test] = onehot_y[train].mean(0)
            continue
        kind, j, point, dist = best[1]
        if kind == "numeric":
            x = numeric[test, j]
            branch = np.where(np.isnan(x), 2, np.where(x <= point, 0, 1))
        else:
            x = codes[j][test]
            branch = np.where(x < 0, 2, np.where(x == point, 0, 1))
        proba[test] = dist[branch]
    return proba


def _first(item):
    return item[0]


def _leaf_distributions(dist: np.ndarray) -> np.ndarray:
    """Normalised branch distributions; an empty branch predicts the missing-value branch's."""
    sums = dist.sum(1, keepdims=True)
    dist = np.where(sums > 0, dist, dist[2])
    return dist / dist.sum(1, keepdims=True)


def _numeric_split(x: np.ndarray, onehot_y: np.ndarray, max_cells: int = 2_000_000):
    """Best threshold over all numeric attributes (columns of ``x``), in column chunks."""
    best = (np.inf, None)
    n, n_classes = onehot_y.shape
    onehot_y = onehot_y.astype(np.int32)  # counts stay exact integers
    xlogx = _xlogx(np.arange(n + 1, dtype=float))
    step = max(1, max_cells // max(1, n * n_classes))
    for first in range(0, x.shape[1], step):
        chunk = x[:, first : first + step]
        order = np.argsort(np.where(np.isnan(chunk), np.inf, chunk), axis=0, kind="stable")
        values = np.take_along_axis(chunk, order, axis=0)  # missing values last
        labels = onehot_y[order] * ~np.isnan(values)[..., None]  # rows x columns x classes
        left = np.cumsum(labels, axis=0, dtype=np.int32)
        total = left[-1]
        missing = onehot_y.sum(0)[None, :] - total
        valid = values[:-1] < values[1:]  # thresholds between distinct values; NaN is False
        if not valid.any():
            continue
        if valid.mean() < 0.5:  # discrete columns: the entropy, the costly part, where valid
            columns = np.nonzero(valid)[1]
            below = left[:-1][valid]
            scores = np.full(valid.shape, np.inf)
            branches = (below, total[columns] - below, missing[columns])
            scores[valid] = _count_entropy(xlogx, *branches)
        else:
            scores = _count_entropy(xlogx, left[:-1], total - left[:-1], missing[None])
            scores = np.where(valid, scores, np.inf)
        i, j = np.unravel_index(np.argmin(scores.T), scores.T.shape)[::-1]
        if scores[i, j] < best[0]:
            point = (values[i, j] + values[i + 1, j]) / 2
            miss = missing[j] if missing[j].sum() else total[j]
            dist = np.stack([left[i, j], total[j] - left[i, j], miss])
            best = (float(scores[i, j]), ("numeric", first + j, point, _leaf_distributions(dist)))
    return best


def _nominal_split(c: np.ndarray, onehot_y: np.ndarray, j: int):
    present = c >= 0
    if not present.any():
        return (np.inf, None)
    counts = np.zeros((int(c.max()) + 1, onehot_y.shape[1]))
    np.add.at(counts, c[present], onehot_y[present])
    missing = onehot_y[~present].sum(0)
    total = counts.sum(0)
    scores = _conditional_entropy(counts, total - counts, missing[None, :])
    i = int(np.argmin(scores))
    dist = np.stack([counts[i], total - counts[i], missing if missing.sum() else total])
    return (float(scores[i]), ("nominal", j, i, _leaf_distributions(dist)))


# --- NaiveBayes ---------------------------------------------------------------------------------


def _naive_bayes(numeric, codes, y, folds) -> np.ndarray:
    n_classes = int(y.max()) + 1
    proba = np.zeros((len(y), n_classes))
    precision = _precision(numeric)
    x = np.rint(numeric / precision) * precision  # Weka rounds values to the precision
    floor = np.log(1e-75)
    for train, test in folds:
        onehot_y = np.eye(n_classes)[y[train]]
        log_p = np.log((onehot_y.sum(0) + 1) / (len(train) + n_classes))[None, :]
        log_p = log_p + _normal_bins(x[train], onehot_y, x[test], precision, floor)
        for c in codes:
            levels = int(c.max()) + 1 if c.max() >= 0 else 1
            counts = np.zeros((levels, n_classes))
            seen = c[train] >= 0
            np.add.at(counts, c[train][seen], onehot_y[seen])
            table = np.maximum(np.log((counts + 1) / (counts.sum(0) + levels)), floor)
            value = c[test]
            log_p = log_p + np.where(value[:, None] >= 0, table[np.maximum(value, 0)], 0.0)
        log_p -= log_p.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        proba[test] = p / p.sum(axis=1, keepdims=True)
    return proba


def _normal_bins(train, onehot_y, test, precision, floor):
    """Sum over numeric attributes of log P(bin of x | class), missing values skipped.

    Where the bin is narrow against the class's standard deviation (width below
    ``NARROW_BIN`` sd) P is the density times the width (relative error below 0.4 % within
    3 sd), a matrix product; elsewhere it is the exact difference of normal distributions.
    """
    if train.shape[1] == 0:
        return 0.0
    present = (~np.isnan(train)).astype(float)
    centre = np.nan_to_num(np.nanmean(train, axis=0))  # shift-invariant; keeps var accurate
    v = np.where(present > 0, train - centre, 0.0)
    weight = onehot_y.T @ present  # classes x attributes
    mean = (onehot_y.T @ v) / np.maximum(weight, 1)
    var = np.abs((onehot_y.T @ (v * v)) / np.maximum(weight, 1) - mean**2)
    sd = np.sqrt(var)
    sd = np.where(sd > 1e-10, np.maximum(sd, precision / 6), precision / 6)
    narrow = precision / sd <= NARROW_BIN
    t = test - centre
    t_present = (~np.isnan(t)).astype(float)
    t0 = np.nan_to_num(t)
    a, b = narrow / sd**2, narrow * mean / sd**2
    c = narrow * (mean**2 / sd**2 + 2 * np.log(sd) - 2 * np.log(precision) + np.log(2 * np.pi))
    out = -0.5 * ((t0 * t0) @ a.T - 2.0 * t0 @ b.T + t_present @ c.T)
    for k in range(len(mean)):
        wide = ~narrow[k]
        if not wide.any():
            continue
        tk, mk, sk, pk = t[:, wide], mean[k, wide], sd[k, wide], precision[wide]
        mass = ndtr((tk - mk + pk / 2) / sk) - ndtr((tk - mk - pk / 2) / sk)
        logp = np.maximum(np.log(np.maximum(mass, 0.0)), floor)
        out[:, k] += np.where(np.isnan(tk), 0.0, logp).sum(1)
    return out


def _precision(numeric: np.ndarray) -> np.ndarray:
    """Weka NaiveBayes' precision: the mean gap between sorted distinct values (else 0.01)."""
    out = np.full(numeric.shape[1], 0.01)
    for j in range(numeric.shape[1]):
        v = np.unique(numeric[:, j][~np.isnan(numeric[:, j])])
        if len(v) > 1:
            out[j] = (v[-1] - v[0]) / (len(v) - 1)
    return out


# --- kNN1N --------------------------------------------------------------------------------------


def _nearest_neighbour(numeric, codes, y, folds) -> np.ndarray:
    distance = _squared_distances(numeric, codes)
    n_classes = int(y.max()) + 1
    proba = np.zeros((len(y), n_classes))
    for train, test in folds:
        d = np.take(np.take(distance, test, axis=0), train, axis=1)
        rows, columns = np.nonzero(d <= d.min(axis=1, keepdims=True) + 1e-9)
        # The tied rows' votes counted directly, not in a product with every training row.
        votes = np.bincount(rows * n_classes + y[train][columns], minlength=len(test) * n_classes)
        votes = votes.reshape(len(test), n_classes) + 1.0 / len(train)
        proba[test] = votes / votes.sum(axis=1, keepdims=True)
    return proba


def _squared_distances(numeric: np.ndarray, codes: Sequence[np.ndarray]) -> np.ndarray:
    """Weka's squared Euclidean distances between all rows (see the module notes)."""
    n = len(numeric)
    low, high = np.nanmin(numeric, axis=0), np.nanmax(numeric, axis=0)
    span = np.where(high > low, high - low, np.inf)
    scaled = np.where(np.isfinite(low), (numeric - low) / span, np.nan)
    has_missing = np.isnan(scaled).any(axis=0)
    blocks = [scaled[:, ~has_missing]]
    few = [c for c in codes if c.max(initial=-1) < MAX_ONE_HOT]
    missing_count = np.zeros(n)
    for c in few:
        levels = np.arange(int(c.max(initial=-1)) + 1)
        blocks.append((c[:, None] == levels[None, :]) / np.sqrt(2.0))
        missing_count += c < 0
    X = np.hstack(blocks)
    norms = (X * X).sum(1)
    # In place, and the terms that are zero left out (the same values, bit for bit): on 2,000
    # rows each pass over the matrix costs about 15 ms, and on data without gaps most were zero.
    distance = np.add.outer(norms, norms)
    distance -= 2.0 * X @ X.T
    np.maximum(distance, 0.0, out=distance)
    if missing_count.any():
        distance += (missing_count[:, None] + missing_count[None, :]) / 2.0
    for c in codes:
        if c.max(initial=-1) >= MAX_ONE_HOT:
            distance += (c[:, None] != c[None, :]) | (c[:, None] < 0) | (c[None, :] < 0)
    if not has_missing.any():
        return distance
    # Columns with gaps, summed in matrix products: a pair of values counts its squared
    # difference, a value against a gap max(v, 1 - v) squared, two gaps 1.
    gappy = scaled[:, has_missing]
    absent = np.isnan(gappy).astype(float)
    values = np.nan_to_num(gappy)
    squares = values * values
    far = np.where(absent > 0, 0.0, np.maximum(values, 1 - values) ** 2)
    present = 1.0 - absent
    distance += squares @ present.T + present @ squares.T - 2.0 * values @ values.T
    distance += far @ absent.T + absent @ far.T + absent @ absent.T
    return np.maximum(distance, 0.0)
