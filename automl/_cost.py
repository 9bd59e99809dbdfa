"""What a trial will cost before it runs, so a budget is not spent on timeouts.

A prior from the data's shape says what LightGBM's defaults cost here; each family's defaults
cost a fixed multiple of that (CatBoost's at least its own cost on the shape), and its size
hyperparameters (trees, depth, layers) scale it.
Once trials have run, their wall times replace the prior: a family's own trials set its scale,
the others' set it for families not seen yet. A timeout counts at its limit, so after one the
same family's larger settings are predicted not to fit, and the search runs cheaper ones.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from automl.components.catboost import BORDER_COUNT

# One LightGBM fit at its defaults (100 rounds of up to 31 leaves, one thread), per tree built
# each round (the classes of a multiclass task, else 1): a part growing with rows x features
# (the histograms), one with histogram bins x leaves (the split search) and one with the rows
# alone (gradients). Least squares on the relative error over 14 PMLB tables and 12 random ones
# (300 to 40,000 rows, 6 to 1,000 features, 2 to 18 classes) on this kind of machine, then
# doubled: single predictions were 0.5 to 3.1 times off, and a cost model here must rather
# overestimate. Without the rows term, 18-class krkopt was predicted at half its cost.
LIGHTGBM_PER_CELL = 5.4e-7
LIGHTGBM_PER_BIN_LEAF = 8.4e-7
LIGHTGBM_PER_ROW = 1.3e-5
LIGHTGBM_FIXED = 0.05
MAX_BINS = 255  # LightGBM's max_bin
PROCESS_OVERHEAD = 0.5  # a trial's own start-up, preprocessing and prediction

# A family's defaults against LightGBM's on the same data: the median over 119 searches of 45
# PMLB tables (60 s, sessions 10-11) of a family's first trial against LightGBM's first, per
# unit of size_factor, of rows and of classes (CLASS_EXPONENT; benchmarks/cost_calibration.py).
# Cross-validated over datasets, a family's first trial took over twice its prediction in 13% of
# the searches and under a third of it in 4.5% (15% and 5.9% without the classes, mean absolute
# log2 error 0.71 against 0.81). libsvm_svr is not measured: taken as the classifier.
FAMILY_COST = {
    "lightgbm": 1.0,
    "catboost": 12.0,
    "random_forest": 6.4,
    "extra_trees": 4.7,
    "gradient_boosting": 1.6,
    "adaboost": 3.5,
    "linear": 0.53,
    "libsvm_svc": 1.45,
    "libsvm_svr": 1.45,
    "k_nearest_neighbors": 0.4,
    "mlp": 1.9,
}
# How a family's cost grows with the classes of a multiclass task, as (trees per round) ** e:
# LightGBM, CatBoost and scikit-learn's boosting build per class each round, the linear model and
# the SVM (one against one on ever fewer rows) about with its square root, the others not at all.
# Slopes of the log first-trial ratio to LightGBM against log classes over the same 119 searches:
# random forest -0.85, extra trees -0.88, k-NN -0.96, AdaBoost -0.81, MLP -0.77, linear -0.54,
# SVM -0.55, CatBoost -0.09, boosting -0.19. Without it a 10-class table's random forest was
# predicted at 40 times its cost from LightGBM's first trial, and skipped.
CLASS_EXPONENT = {
    "lightgbm": 1.0,
    "catboost": 1.0,
    "gradient_boosting": 1.0,
    "linear": 0.5,
    "libsvm_svc": 0.5,
}
SVM_QUADRATIC_ROWS = 2_000  # kernel SVMs grow with rows squared above about this many
# Beyond the rows a time was measured on, a kernel SVM's fitting time grows with its rows per fit
# to this power: a median 3.75 times per doubling from 500 to 4,000 rows (the regression
# portfolio's four distinct SVR settings on three unseen tables, session 55,
# benchmarks/results/shaped-order-s55/svr_scaling.py). None: as LightGBM's
# defaults grow, times the square of the rows per fit above SVM_QUADRATIC_ROWS (before session
# 55, when a member timed on 667 rows a fit was predicted at 1.5 s on 2,500 and ran 15 s).
SVM_ROW_EXPONENT: float | None = 1.9

# How far a prediction may exceed a trial's limit before the trial is skipped: a little when the
# family's own trials of about this size made it, not at all when it is scaled from other sizes
# or rests on other families. Until session 34 those got 3 times the limit, and at 60 s the
# trials it let run were mostly CatBoost predicted at 16-23 s that ran into the 15 s limit: fits
# lost 5-8 s each to timeouts. With 1 the default's fits lose 2 s, its test loss unchanged (47
# tables, two splits; benchmarks/results/classification-60s-s35).
SKIP_OWN = 1.2
SKIP_OTHER = 1.0
# The family's own trials count as ``own`` only for a configuration within this factor of the
# size of one of them (size_factor); further, the estimate is ``scaled`` and gets SKIP_OTHER.
# A portfolio's members are often small settings of a family: early stopping cuts a large
# configuration's rounds, not a small member's, so scaling up from a member can over-predict
# (CatBoost's defaults predicted at 21.5 s from a member a tenth their size took 14.6 s once;
# three times, predicted at 20-23 s, they ran into the 15 s limit).
OWN_SIZE_RANGE = 2.0
TIMEOUT_FACTOR = 2.0  # a timed-out trial is taken to need this multiple of its limit

# A configuration too slow for all rows runs on a row sample sized to take this share of its
# limit (taking fitting time as linear in rows), if the sample keeps at least MIN_SAMPLE_ROWS
# training rows; else it is skipped.
SAMPLE_SHARE = 0.5
MIN_SAMPLE_ROWS = 2_000
# A family's defaults are a first look at the family, one of about ten within the first 20% of
# the budget (issue 11): those expected to take more than this share of the whole budget run on a
# row sample sized to it (under the same MIN_SAMPLE_ROWS), so that on a large table a slow
# family's defaults neither time out nor take the budget the other families need.
DEFAULT_BUDGET_SHARE = 0.05
# ... but never below DEFAULT_MIN_SECONDS (as long as that is at most DEFAULT_MAX_SHARE of the
# budget): at 60 s, 5% (3 s) sampled CatBoost's defaults to 43-92% of the rows on 6 of 16 PMLB
# tables of 2,000 rows or more; on magic they validated 15% worse than on all rows (9 s).
DEFAULT_MIN_SECONDS = 10.0
DEFAULT_MAX_SHARE = 0.2


def first_look_seconds(budget: float) -> float:
    """Seconds a family's defaults may take on all rows before they run on a sample, in a
    search of ``budget`` seconds."""
    floor = min(DEFAULT_MIN_SECONDS, DEFAULT_MAX_SHARE * budget)
    return max(DEFAULT_BUDGET_SHARE * budget, floor)


# A symmetric tree's cost per level scores every feature's borders (the same at any depth) and
# then works on its 2**depth leaves: cost grows as 2**depth + CATBOOST_LEVEL_LEAVES. Fitted to
# CatBoost 1.2 at 100-200 iterations, depths 3-10, against depth 6, on spambase, magic (binary),
# segmentation and mfeat_fourier (7 and 10 classes): depth 4 took 0.49, 0.65, 0.33, 0.41 times
# depth 6 (this gives 0.50; 2**(depth - 6) gave 0.25, so a shallow member's trial made the
# defaults look twice as costly as they are, and skipped them); depth 9 took 6.2, 3.2, 7.0 times
# (5.7). mfeat_fourier's depth 10 took 21 times, this gives 11.
CATBOOST_LEVEL_LEAVES = 32.0


# How a boosting family's cost grows with the rounds it is given: in proportion. LightGBM's early
# stopping ends most fits before their last round, and its time fits the square root of its
# trees better (0.49 on the matrix, 0.51 on 119 searches' trials; replayed on those searches a
# LightGBM trial predicted from its own family's trials is off by 1.8x instead of 2.3x), but
# with it the searches found no better models: at 10 s 9 / 29 / 9 against linear (47 tables),
# at 60 s 4 / 6 / 7 on the 17 largest (session 38, benchmarks/results/rounds-exponent-*-s38):
# over-predicting large LightGBM settings skips or samples them, which leaves time for others.
ROUNDS_EXPONENT = {"lightgbm": 1.0, "catboost": 1.0}
# Each boosting family's rounds setting and its default: what ``fewer_rounds`` cuts.
ROUNDS = {"lightgbm": ("n_estimators", 100), "catboost": ("iterations", 500)}
# The fewest of its default rounds a cut keeps: fewer would stand for the family too poorly.
LEAST_ROUNDS_SHARE = 0.2


# HistGradientBoosting (``gradient_boosting``) stops early within 512 rounds: a low learning rate
# runs more of them, and more leaves make each dearer, as many as the rows allow at its rows per
# leaf. Its cost against its defaults is (learning_rate / 0.1) ** -0.8 * (leaves / 31) ** 0.36,
# leaves = min(max_leaf_nodes, rows / min_samples_leaf): fitted to 60 random settings on 5,000-row
# samples of 6 PMLB tables, one thread (session 42; their mean absolute log2 error 0.64 in sample,
# where taking every setting at the defaults' cost, as before, was 1.72 and under-predicted 19 of
# 60 by over 2 times; of the regression matrix's settings taking 3 s or more, 30 of 55 are
# under-predicted over 2 times instead of 47). Learning rate 0.011, 327 leaves at 1 row took 37
# times the defaults on houses, and a setting predicted at 1.4 s on a 333-row table ran into a
# 15 s limit.
HGB_EXPONENTS = {"learning_rate": -0.8, "leaves": 0.36}


# CatBoost's defaults (500 rounds of depth 6, one thread, no early stopping) in seconds: a fixed
# part, one per feature, one per candidate split border scored (at most BORDER_COUNT per
# feature, fewer where a column has fewer distinct values), one per cell and one per row. A
# symmetric tree keeps its 64 leaves on any data, where LightGBM's shrink with the rows: on 133
# rows of 25 continuous features the defaults took 1.55 s, over 20 times LightGBM's prior there
# rather than FAMILY_COST's 12, and 15 fits of repeated CV ran into a 15 s limit predicted at
# 6.3 s. Least squares on the relative error over 135 shapes (60 to 40,000 rows, 3 to 300
# continuous or 9-valued features, regression and binary; session 43): every prediction within
# 0.84 to 1.5 times the time taken. These are this machine's seconds, not scaled by the trials
# seen, so on a faster machine they over-predict (the regression matrix's runs, on an earlier
# session's machine, took a median 0.48 of them): a floor that skips a trial early costs less
# than a timeout. It leaves out early stopping's second fit (1,000 rows or more), where the
# LightGBM-relative estimate is mostly the larger anyway.
CATBOOST_FIXED = 0.049
CATBOOST_PER_FEATURE = 3.2e-3
CATBOOST_PER_BORDER = 5.5e-4
CATBOOST_PER_CELL = 2.1e-6
CATBOOST_PER_ROW = 4.9e-5


def catboost_default_seconds(
    n_rows: float, n_features: int, n_borders: float | None = None
) -> float:
    """Expected seconds of one CatBoost fit at its defaults on ``n_rows`` rows per tree built
    each round; ``n_borders`` is the split borders over all features (``count_bins`` at
    ``BORDER_COUNT``), at most BORDER_COUNT per feature."""
    features = max(1, n_features)
    borders = BORDER_COUNT * features if n_borders is None else n_borders
    return (
        CATBOOST_FIXED
        + CATBOOST_PER_FEATURE * features
        + CATBOOST_PER_BORDER * borders
        + CATBOOST_PER_CELL * n_rows * features
        + CATBOOST_PER_ROW * n_rows
    )


def catboost_depth_factor(depth: float) -> float:
    """How many times CatBoost's cost at depth 6 a tree of ``depth`` levels costs."""
    return (2.0**depth + CATBOOST_LEVEL_LEAVES) / (2.0**6 + CATBOOST_LEVEL_LEAVES)


def size_factor(config: Mapping[str, Any], n_rows: float | None = None) -> float:
    """How much more than its family's defaults ``config`` costs, from its size settings (on
    ``n_rows`` training rows, where the rows bound what a setting grows)."""
    family = config.get("model")

    def get(name: str, default: float) -> float:
        value = config.get(f"{family}:{name}", default)
        try:
            return float(value)
        except (TypeError, ValueError):
            return default

    def rounds() -> float:  # a boosting family's rounds against its defaults'
        name, default = ROUNDS[family]
        return (get(name, default) / default) ** ROUNDS_EXPONENT[family]

    if family == "lightgbm":
        return rounds() * max(1.0, get("num_leaves", 31) / 31) ** 0.5
    if family == "catboost":
        return rounds() * catboost_depth_factor(get("depth", 6))
    if family == "adaboost":
        return get("n_estimators", 50) / 50 * max(1.0, get("max_depth", 1))
    if family == "mlp":
        return get("hidden_layer_depth", 1) * get("num_nodes_per_layer", 32) / 32
    if family == "gradient_boosting":
        leaves = get("max_leaf_nodes", 31)
        if n_rows is not None:
            leaves = min(leaves, max(2.0, n_rows / max(get("min_samples_leaf", 20), 1.0)))
        rate = (get("learning_rate", 0.1) / 0.1) ** HGB_EXPONENTS["learning_rate"]
        return rate * (leaves / 31) ** HGB_EXPONENTS["leaves"]
    return 1.0


def _log_size(config: Mapping[str, Any], n_rows: float | None = None) -> float:
    return math.log(max(size_factor(config, n_rows), 1e-9))


def trees_per_round(n_classes: int) -> int:
    """Trees a boosting round builds: one per class of a multiclass task, else one."""
    return n_classes if n_classes > 2 else 1


def class_factor(family: str, n_classes: int) -> float:
    """How many times ``family``'s cost on two classes it costs on ``n_classes``
    (:data:`CLASS_EXPONENT`)."""
    return trees_per_round(n_classes) ** CLASS_EXPONENT.get(family, 0.0)


def lightgbm_default_seconds(
    n_rows: float, n_features: int, n_classes: int = 0, n_bins: float | None = None
) -> float:
    """Expected seconds of one LightGBM fit at its defaults on ``n_rows`` rows; ``n_bins`` is
    the histogram bins over all features (``count_bins``), at most 255 per feature."""
    features = max(1, n_features)
    bins = MAX_BINS * features if n_bins is None else n_bins
    leaves = min(31.0, max(2.0, n_rows / 20))  # min_child_samples=20 limits small data
    work = (
        LIGHTGBM_PER_CELL * n_rows * features
        + LIGHTGBM_PER_BIN_LEAF * bins * leaves
        + LIGHTGBM_PER_ROW * n_rows
    )
    return LIGHTGBM_FIXED + trees_per_round(n_classes) * work


def row_growth(
    family: str,
    rows: float,
    rows_seen: float,
    n_features: int,
    n_classes: int = 0,
    *,
    fits: int = 1,
    fits_seen: int = 1,
    exponent: float | None = None,
) -> float:
    """How many times its fitting time on ``rows_seen`` training rows (over ``fits_seen``
    fits) a ``family`` model takes on ``rows`` (over ``fits``): with its rows per fit to the
    family's measured ``exponent``, times the fits; without, as LightGBM's defaults grow on
    this shape, a kernel SVM with its rows per fit to :data:`SVM_ROW_EXPONENT`. 1 up to
    ``rows_seen``: a time measured on at most that many rows is extrapolated beyond them, not
    within."""
    if rows <= rows_seen:
        return 1.0
    per_fit = (rows / max(fits, 1)) / (rows_seen / max(fits_seen, 1))  # rows a fit, here / seen
    if exponent is not None:
        return max(1.0, max(fits, 1) / max(fits_seen, 1) * per_fit**exponent)
    growth = lightgbm_default_seconds(rows, n_features, n_classes) / lightgbm_default_seconds(
        rows_seen, n_features, n_classes
    )
    if family.startswith("libsvm") and SVM_ROW_EXPONENT is not None:
        return max(growth, per_fit**SVM_ROW_EXPONENT)
    if family.startswith("libsvm"):
        here = max(1.0, rows / max(fits, 1) / SVM_QUADRATIC_ROWS)
        seen = max(1.0, rows_seen / max(fits_seen, 1) / SVM_QUADRATIC_ROWS)
        growth *= here / seen
    return growth


def distinct_values(frame: pd.DataFrame, sample: int = 2_000, seed: int = 0) -> np.ndarray:
    """Distinct values per column, on a row sample: what ``count_bins`` counts from."""
    if len(frame) > sample:
        frame = frame.sample(sample, random_state=seed)
    return np.array([frame[c].nunique() for c in frame.columns], dtype=float)


def count_bins(distinct: np.ndarray, max_bins: int = MAX_BINS) -> float:
    """Histogram bins LightGBM would build from each column's ``distinct_values``, at most
    ``max_bins`` each (CatBoost's split borders with ``BORDER_COUNT``)."""
    return float(np.minimum(max_bins, np.maximum(distinct, 1)).sum())


class CostEstimator:
    """Expected wall seconds of a trial that fits ``n_fits`` models on ``n_train`` rows each;
    ``family_cost`` replaces :data:`FAMILY_COST` (to calibrate it), ``n_borders`` are
    CatBoost's split borders over all features (``count_bins`` at ``BORDER_COUNT``)."""

    def __init__(
        self,
        n_train: float,
        n_fits: int,
        n_features: int,
        n_classes: int = 0,
        n_bins: float | None = None,
        family_cost: Mapping[str, float] | None = None,
        n_borders: float | None = None,
    ):
        self.n_train = n_train
        self.family_cost = FAMILY_COST if family_cost is None else family_cost
        self.n_fits = n_fits
        self.n_classes = n_classes
        one = lightgbm_default_seconds(n_train, n_features, n_classes, n_bins)
        self.prior_unit = one * n_fits / trees_per_round(n_classes)  # per tree built each round
        self.catboost_unit = n_fits * catboost_default_seconds(n_train, n_features, n_borders)
        # Per family, each trial seen: (log seconds per unit of weight, log size_factor).
        self._seen: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def default_seconds(self) -> float:
        """Expected seconds of a trial of LightGBM's defaults on all rows, from the prior."""
        return PROCESS_OVERHEAD + self.prior_unit * trees_per_round(self.n_classes)

    def fitting_share(self, per_trial: float) -> float:
        """The share of a trial's limit LightGBM's defaults are expected to take here."""
        return self.default_seconds() / per_trial

    def _weight(self, config: Mapping[str, Any]) -> float:
        family = config.get("model", "")
        weight = self.family_cost.get(family, 1.0) * size_factor(config, self.n_train)
        weight *= class_factor(family, self.n_classes)
        if family.startswith("libsvm"):
            weight *= max(1.0, self.n_train / SVM_QUADRATIC_ROWS)
        return weight

    def predict(self, config: Mapping[str, Any]) -> tuple[float, str]:
        """Seconds, and what the estimate rests on: ``own`` trials of the family of about
        this size, the family's trials ``scaled`` from other sizes, ``other`` families' trials,
        or the ``prior``."""
        family = config.get("model", "")
        own = self._seen.get(family)
        if own:
            size = _log_size(config, self.n_train)
            near = any(abs(size - s) <= math.log(OWN_SIZE_RANGE) for _, s in own)
            unit, basis = math.exp(sum(u for u, _ in own) / len(own)), "own" if near else "scaled"
        elif self._seen:
            logs = [u for seen in self._seen.values() for u, _ in seen]
            unit, basis = math.exp(sum(logs) / len(logs)), "other"
        else:
            unit, basis = self.prior_unit, "prior"
        weight = self._weight(config)
        seconds = PROCESS_OVERHEAD + unit * weight
        if family == "catboost" and basis in ("other", "prior"):
            # At least CatBoost's own cost on this shape, which on small data LightGBM's misses.
            own_shape = self.catboost_unit * weight / self.family_cost.get(family, 1.0)
            seconds = max(seconds, PROCESS_OVERHEAD + own_shape)
        return seconds, basis

    def sample_fidelity(
        self,
        config: Mapping[str, Any],
        wall: float,
        share: float = SAMPLE_SHARE,
        *,
        at_least: bool = False,
    ) -> float | None:
        """The share of the training rows on which ``config`` is expected to fit in ``share``
        of ``wall`` seconds, or None if all rows fit or a sample leaves too few rows; with
        ``at_least``, such a sample keeps ``MIN_SAMPLE_ROWS`` rows instead (if that is not all)."""
        seconds, _ = self.predict(config)
        fitting = max(seconds - PROCESS_OVERHEAD, 1e-9)
        fidelity = (share * wall - PROCESS_OVERHEAD) / fitting
        if fidelity >= 1:
            return None
        if fidelity * self.n_train < MIN_SAMPLE_ROWS:
            floor = MIN_SAMPLE_ROWS / self.n_train
            return float(floor) if at_least and floor < 1 else None
        return float(fidelity)

    def fewer_rounds(
        self, config: Mapping[str, Any], wall: float, share: float = SAMPLE_SHARE
    ) -> dict[str, Any] | None:
        """``config`` with its boosting rounds cut so that it is expected to fit in ``share``
        of ``wall`` seconds, or None if it has no rounds to cut or would keep fewer than
        ``LEAST_ROUNDS_SHARE`` of them: a family's defaults too slow for this table still get a
        look, where a row sample would leave too few rows."""
        family = config.get("model", "")
        if family not in ROUNDS:
            return None
        name, default = ROUNDS[family]
        key = f"{family}:{name}"
        rounds = float(config.get(key, default))
        seconds, _ = self.predict(config)
        fitting = max(seconds - PROCESS_OVERHEAD, 1e-9)
        ratio = (share * wall - PROCESS_OVERHEAD) / fitting
        if ratio <= 0:
            return None
        cut = int(rounds * min(1.0, ratio) ** (1.0 / ROUNDS_EXPONENT[family]))
        if cut >= rounds or cut < LEAST_ROUNDS_SHARE * rounds:
            return None
        return {**config, key: cut}

    def observe(
        self,
        config: Mapping[str, Any],
        seconds: float,
        *,
        timed_out: bool = False,
        fidelity: float = 1.0,
    ):
        """A trial's fitting seconds (all folds), on the ``fidelity`` share of the rows; a
        timeout's is only a lower bound, taken at twice its limit so that the family's settings
        as large are skipped next and smaller ones run."""
        if timed_out:
            seconds *= TIMEOUT_FACTOR
        work = max(seconds, 1e-3) / fidelity
        family = config.get("model", "")
        self._seen[family].append(
            (math.log(work / self._weight(config)), _log_size(config, self.n_train))
        )

    def affordable(
        self, config: Mapping[str, Any], wall: float, fidelity: float = 1.0
    ) -> tuple[bool, float, str]:
        """Whether ``config`` is expected to finish within ``wall`` seconds on the ``fidelity``
        share of the rows (with the slack its estimate's basis deserves), the estimate and its
        basis."""
        seconds, basis = self.predict(config)
        seconds = PROCESS_OVERHEAD + fidelity * (seconds - PROCESS_OVERHEAD)
        if basis == "prior":  # too coarse to refuse a trial on: the first ones run
            return True, seconds, basis
        slack = SKIP_OWN if basis == "own" else SKIP_OTHER
        return seconds - PROCESS_OVERHEAD <= slack * wall, seconds, basis
