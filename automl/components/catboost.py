"""CatBoost: boosted symmetric (oblivious) trees; categoricals go in natively (target statistics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, CatBoostRegressor
from ConfigSpace import Float, Integer
from numpy.typing import ArrayLike
from sklearn.utils import _safe_indexing

from automl._task import Task
from automl.components._base import ALL_TASKS, Component, DataShape, as_bool
from automl.components._early_stopping import stopped_rounds


def _catboost_space(task: Task, shape: DataShape):
    # Close to CatBoost's own defaults (depth 6, l2_leaf_reg 3, random_strength 1), with two
    # changes that bound the cost of the defaults trial: 500 rather than 1000 iterations, and a
    # fixed learning rate instead of CatBoost's automatic one. Its automatic rate at 500
    # iterations grows with the data: about 0.02 at 1,000 rows, 0.04 at 5,000, 0.07 at 20,000
    # and 0.14 at 100,000 rows for Logloss, 0.15-0.18 for MultiClass, 0.09-0.15 for RMSE
    # (CatBoost 1.2.10). 0.08 sits in the middle, enough to converge in 500 rounds on the row
    # counts the search meets. Measured on 6 PMLB classification tables (3-fold CV): 0.08 beat
    # 0.05 on 3, lost on 2, tied on 1; CatBoost's own defaults (1000 rounds, automatic rate) beat
    # 0.08 on 4 of 6 at twice the cost. AutoGluon uses 0.05 with early stopping (10,000 rounds).
    return [
        Integer("iterations", (50, 2000), default=500, log=True),
        Float("learning_rate", (0.01, 0.3), default=0.08, log=True),
        Integer("depth", (3, 10), default=6),
        Float("l2_leaf_reg", (1.0, 30.0), default=3.0, log=True),
        # Noise added to split scores: CatBoost's tuning guide lists it among the few that matter.
        Float("random_strength", (0.1, 10.0), default=1.0, log=True),
    ]


# Candidate split borders per numeric feature. CatBoost's CPU default is 254 (its GPU default
# 128); split scoring costs in proportion, most of all for MultiClass. Measured at the defaults
# above, 3-fold CV on 6 PMLB tables: 128 halved the fit time on segmentation (7 classes, 19
# CPU-s instead of 38) and cut a third on magic (binary); no loss moved by more than 0.002.
BORDER_COUNT = 128


def _make_catboost(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    options = dict(
        iterations=int(params["iterations"]),
        learning_rate=float(params["learning_rate"]),
        depth=int(params["depth"]),
        l2_leaf_reg=float(params["l2_leaf_reg"]),
        random_strength=float(params["random_strength"]),
        border_count=BORDER_COUNT,
        thread_count=n_jobs,
        random_seed=seed,
        verbose=False,
        allow_writing_files=False,  # else catboost_info/ appears in the working directory
    )
    if task is Task.MULTICLASS:
        options["loss_function"] = "MultiClass"  # also on a fold that holds only two classes
    elif task is Task.BINARY:
        options["loss_function"] = "Logloss"
    early_stopping = as_bool(params.get("early_stopping", True))
    return CatBoostModel(options, task.is_classification, early_stopping)


def catboost_input(X) -> tuple[pd.DataFrame | np.ndarray, list[int]]:
    """The preprocessor's output as CatBoost takes it, and the positions of categoricals.

    With native encoding the preprocessor gives pandas categoricals whose categories are the
    level codes 0..k-1, missing (and unseen or too rare) values being NaN. CatBoost needs
    integers or strings without NaN: each such column becomes its integer codes, NaN as -1,
    so missing is one more category.
    """
    if not isinstance(X, pd.DataFrame):
        return X, []
    positions = [i for i, dtype in enumerate(X.dtypes) if isinstance(dtype, pd.CategoricalDtype)]
    if not positions:
        return X, []
    out = X.copy()
    for i in positions:
        out.isetitem(i, X.iloc[:, i].cat.codes.astype(np.int32))
    return out, positions


class CatBoostModel:
    """CatBoost on the preprocessed table: categorical columns go in as ``cat_features``.

    With enough rows it finds its number of rounds by early stopping, then refits on all rows
    (:mod:`automl.components._early_stopping`). Data CatBoost refuses (one class in a fold,
    every column constant) gets the training prior instead of a crash. Probabilities are in the
    order of ``classes_`` (the sorted labels seen in training).
    """

    def __init__(self, options: dict, classification: bool, early_stopping: bool = True):
        self.options = options
        self.classification = classification
        self.early_stopping = early_stopping

    def fit(self, X: ArrayLike, y: ArrayLike) -> CatBoostModel:
        """Find the rounds by early stopping (if on), then fit on all rows."""
        data, cat_features = catboost_input(X)
        y = np.asarray(y)
        if self.classification:
            self.classes_ = np.unique(y)
            self.prior_ = (y[:, None] == self.classes_[None, :]).mean(axis=0)
        else:
            self.prior_ = float(np.mean(y))
        self.model_ = None
        if (self.classification and len(self.classes_) < 2) or _all_constant(data):
            return self
        cls = CatBoostClassifier if self.classification else CatBoostRegressor
        rounds = int(self.options.get("iterations", 1000))

        def fit_held_out(train, held_out, wait):
            model = cls(**self.options, cat_features=cat_features or None)
            model.fit(
                _safe_indexing(data, train),
                y[train],
                eval_set=(_safe_indexing(data, held_out), y[held_out]),
                early_stopping_rounds=wait,
            )
            best = model.get_best_iteration()  # 0-based; 0 when the first round was best
            return None if best is None else best + 1

        self.n_estimators_ = rounds
        if self.early_stopping:
            seed = int(self.options.get("random_seed") or 0)
            self.n_estimators_ = stopped_rounds(y, rounds, self.classification, seed, fit_held_out)
        options = {**self.options, "iterations": self.n_estimators_}
        self.model_ = cls(**options, cat_features=cat_features or None)
        self.model_.fit(data, y)
        return self

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities in the order of ``classes_``."""
        n = len(X)
        if self.model_ is None:
            return np.tile(self.prior_, (n, 1))
        proba = self.model_.predict_proba(catboost_input(X)[0])
        order = np.searchsorted(self.classes_, np.asarray(self.model_.classes_))
        if np.array_equal(order, np.arange(len(self.classes_))):
            return proba
        full = np.zeros((n, len(self.classes_)))
        full[:, order] = proba
        return full

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Labels (classification) or values (regression)."""
        if self.classification:
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        if self.model_ is None:
            return np.full(len(X), self.prior_)
        return np.asarray(self.model_.predict(catboost_input(X)[0]), dtype=float)


def _all_constant(data) -> bool:
    frame = pd.DataFrame(data)
    return len(frame) == 0 or bool((frame.nunique(dropna=False) <= 1).all())


CATBOOST = Component("catboost", ALL_TASKS, _catboost_space, _make_catboost)
