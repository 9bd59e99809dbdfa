"""Gradient boosting families: LightGBM, scikit-learn's histogram boosting, AdaBoost."""

from __future__ import annotations

import lightgbm as lgb
from ConfigSpace import Categorical, Float, Integer
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from automl._task import Task
from automl.components._base import ALL_TASKS, Component, DataShape


def _lightgbm_space(task: Task, shape: DataShape):
    # Defaults are LightGBM's own, so the first trial is "LightGBM with its defaults".
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
    cls = lgb.LGBMClassifier if task.is_classification else lgb.LGBMRegressor
    subsample = float(params["subsample"])
    return cls(
        num_leaves=int(params["num_leaves"]),
        learning_rate=float(params["learning_rate"]),
        n_estimators=int(params["n_estimators"]),
        min_child_samples=int(params["min_child_samples"]),
        colsample_bytree=float(params["colsample_bytree"]),
        subsample=subsample,
        subsample_freq=1 if subsample < 1.0 else 0,
        reg_alpha=float(params["reg_alpha"]),
        reg_lambda=float(params["reg_lambda"]),
        n_jobs=n_jobs,
        random_state=seed,
        verbose=-1,
    )


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


LIGHTGBM = Component(
    "lightgbm", ALL_TASKS, _lightgbm_space, _make_lightgbm, native_categorical=True
)
GRADIENT_BOOSTING = Component(
    "gradient_boosting", ALL_TASKS, _hgb_space, _make_hgb, native_categorical=True
)
ADABOOST = Component("adaboost", ALL_TASKS, _adaboost_space, _make_adaboost)
