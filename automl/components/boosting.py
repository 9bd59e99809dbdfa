"""Gradient boosting families: LightGBM, scikit-learn's histogram boosting, AdaBoost."""

from __future__ import annotations

import inspect

import lightgbm as lgb
import numpy as np
from ConfigSpace import Categorical, Float, Integer
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import _safe_indexing

from automl._task import Task
from automl.components._base import ALL_TASKS, Component, DataShape, as_bool
from automl.components._early_stopping import stopped_rounds

# LightGBM's own floor on a leaf's hessian sum, 1e-3, lets multiclass boosting diverge once a
# small class's probabilities saturate (hessians p(1-p) near 0, leaf values -G/H huge): on
# krkopt its defaults reached raw scores of 245,000 and a test log loss of 19.4. At 0.1 the
# same fit scored 0.58; on 11 multiclass PMLB tables test log loss fell on 10 (page_blocks
# 0.150 -> 0.126, mfeat_fourier 0.630 -> 0.530), and on 5 binary ones 1-AUC stayed level.
MIN_CHILD_WEIGHT = 0.1


def _lightgbm_space(task: Task, shape: DataShape):
    # Defaults are LightGBM's own (but MIN_CHILD_WEIGHT), so the first trial is "LightGBM with
    # its defaults".
    return [
        Integer("num_leaves", (4, 1024), default=31, log=True),
        Float("learning_rate", (0.005, 0.5), default=0.1, log=True),
        Integer("n_estimators", (16, 2048), default=100, log=True),
        Integer("min_child_samples", (2, 128), default=20, log=True),
        Float("colsample_bytree", (0.3, 1.0), default=1.0),
        Float("subsample", (0.5, 1.0), default=1.0),
        Float("reg_alpha", (1e-10, 10.0), default=1e-10, log=True),
        Float("reg_lambda", (1e-10, 10.0), default=1e-10, log=True),
    ]


def _make_lightgbm(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    subsample = float(params["subsample"])
    options = dict(
        num_leaves=int(params["num_leaves"]),
        learning_rate=float(params["learning_rate"]),
        n_estimators=int(params["n_estimators"]),
        min_child_samples=int(params["min_child_samples"]),
        min_child_weight=MIN_CHILD_WEIGHT,
        colsample_bytree=float(params["colsample_bytree"]),
        subsample=subsample,
        subsample_freq=1 if subsample < 1.0 else 0,
        reg_alpha=float(params["reg_alpha"]),
        reg_lambda=float(params["reg_lambda"]),
        n_jobs=n_jobs,
        random_state=seed,
        verbose=-1,
    )
    early_stopping = as_bool(params.get("early_stopping", True))
    return LightGBMModel(options, task.is_classification, early_stopping=early_stopping)


# LightGBM 4.7 takes a validation set as eval_X/eval_y (eval_set is deprecated); 4.0 as eval_set.
_EVAL_X = "eval_X" in inspect.signature(lgb.LGBMModel.fit).parameters


def _held_out(X, y) -> dict:
    """LightGBM's keywords for a validation set."""
    return {"eval_X": (X,), "eval_y": (y,)} if _EVAL_X else {"eval_set": [(X, y)]}


class LightGBMModel(BaseEstimator):
    """LightGBM with ``n_estimators`` as an upper bound: the number of rounds is found by early
    stopping on a held-out tenth of the rows it is given, then the model is refitted on all of
    them (:mod:`automl.components._early_stopping`)."""

    def __init__(self, options: dict, classification: bool, early_stopping: bool = True):
        self.options = options
        self.classification = classification
        self.early_stopping = early_stopping

    def fit(self, X: ArrayLike, y: ArrayLike) -> LightGBMModel:
        """Find the rounds by early stopping (if on), then fit on all rows."""
        cls = lgb.LGBMClassifier if self.classification else lgb.LGBMRegressor
        y = np.asarray(y)
        rounds = int(self.options.get("n_estimators", 100))

        def fit_held_out(train, held_out, wait):
            model = cls(**self.options)
            model.fit(
                _safe_indexing(X, train),
                y[train],
                **_held_out(_safe_indexing(X, held_out), y[held_out]),
                callbacks=[lgb.early_stopping(wait, verbose=False)],
            )
            return model.best_iteration_

        self.n_estimators_ = rounds
        if self.early_stopping:
            seed = int(self.options.get("random_state") or 0)
            self.n_estimators_ = stopped_rounds(y, rounds, self.classification, seed, fit_held_out)
        self.model_ = cls(**{**self.options, "n_estimators": self.n_estimators_})
        self.model_.fit(X, y)
        if self.classification:
            self.classes_ = self.model_.classes_
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Labels (classification) or values (regression)."""
        return self.model_.predict(X)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities in the order of ``classes_``."""
        return self.model_.predict_proba(X)


def _hgb_space(task: Task, shape: DataShape):
    return [
        Float("learning_rate", (0.01, 1.0), default=0.1, log=True),
        Integer("max_leaf_nodes", (3, 2047), default=31, log=True),
        Integer("min_samples_leaf", (1, 200), default=20, log=True),
        Float("l2_regularization", (1e-10, 1.0), default=1e-10, log=True),
    ]


def _make_hgb(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    cls = (
        HistGradientBoostingClassifier if task.is_classification else HistGradientBoostingRegressor
    )
    return cls(
        learning_rate=float(params["learning_rate"]),
        max_leaf_nodes=int(params["max_leaf_nodes"]),
        min_samples_leaf=int(params["min_samples_leaf"]),
        l2_regularization=float(params["l2_regularization"]),
        max_iter=512,
        early_stopping=True,
        n_iter_no_change=10,
        categorical_features="from_dtype",
        random_state=seed,
    )


def _adaboost_space(task: Task, shape: DataShape):
    hps = [
        Integer("n_estimators", (50, 500), default=50, log=True),
        Float("learning_rate", (0.01, 2.0), default=0.1, log=True),
        Integer("max_depth", (1, 10), default=1),
    ]
    if not task.is_classification:
        hps.append(Categorical("loss", ["linear", "square", "exponential"], default="linear"))
    return hps


def _make_adaboost(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
    depth = int(params["max_depth"])
    common = dict(
        n_estimators=int(params["n_estimators"]),
        learning_rate=float(params["learning_rate"]),
        random_state=seed,
    )
    if task.is_classification:
        return AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), **common)
    return AdaBoostRegressor(DecisionTreeRegressor(max_depth=depth), loss=params["loss"], **common)


LIGHTGBM = Component("lightgbm", ALL_TASKS, _lightgbm_space, _make_lightgbm)
GRADIENT_BOOSTING = Component("gradient_boosting", ALL_TASKS, _hgb_space, _make_hgb)
ADABOOST = Component("adaboost", ALL_TASKS, _adaboost_space, _make_adaboost)
