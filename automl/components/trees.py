"""Random forest and extra trees (bagged decision trees), auto-sklearn's parametrisation."""

from __future__ import annotations

from ConfigSpace import Categorical, Float, Integer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from automl._task import Task
from automl.components._base import ALL_TASKS, Component, DataShape, as_bool

N_ESTIMATORS = 100


def _space(bootstrap_default: str):
    def hyperparameters(task: Task, shape: DataShape):
        criteria = (
            ["gini", "entropy"] if task.is_classification else ["squared_error", "friedman_mse"]
        )
        return [
            Categorical("criterion", criteria, default=criteria[0]),
            # An exponent, as auto-sklearn: n_features ** max_features features per split.
            Float("max_features", (0.0, 1.0), default=0.5),
            Integer("min_samples_split", (2, 20), default=2),
            Integer("min_samples_leaf", (1, 20), default=1),
            Categorical("bootstrap", ["True", "False"], default=bootstrap_default),
        ]

    return hyperparameters


def _maker(classifier, regressor):
    def make(params: dict, task: Task, n_features: int, n_jobs: int, seed: int):
        cls = classifier if task.is_classification else regressor
        max_features = max(1, round(n_features ** float(params["max_features"])))
        return cls(
            n_estimators=N_ESTIMATORS,
            criterion=params["criterion"],
            max_features=min(max_features, n_features),
            min_samples_split=int(params["min_samples_split"]),
            min_samples_leaf=int(params["min_samples_leaf"]),
            bootstrap=as_bool(params["bootstrap"]),
            n_jobs=n_jobs,
            random_state=seed,
        )

    return make


RANDOM_FOREST = Component(
    "random_forest",
    ALL_TASKS,
    _space("True"),
    _maker(RandomForestClassifier, RandomForestRegressor),
)
EXTRA_TREES = Component(
    "extra_trees",
    ALL_TASKS,
    _space("False"),
    _maker(ExtraTreesClassifier, ExtraTreesRegressor),
)
