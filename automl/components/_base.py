"""What a model family contributes to the search space, and how it becomes an estimator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ConfigSpace.hyperparameters import Hyperparameter
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.calibration import CalibratedClassifierCV

from automl._task import Task
from knowledge_base.space import FAMILIES, NATIVE_CATEGORICAL, NEEDS_SCALING


@dataclass(frozen=True)
class DataShape:
    """What a component may look at when deciding its space: size of the (raw) data."""

    n_rows: int
    n_features: int
    n_classes: int = 0


@dataclass(frozen=True)
class Component:
    """One model family of the CASH space.

    ``hyperparameters(task, shape)`` lists its hyperparameters with their short names;
    the space prefixes them with ``name:``. ``make(params, task, n_features, n_jobs, seed)``
    returns an unfitted estimator once the number of preprocessed features is known.

    ``needs_scaling`` (the pipeline rescales numeric columns) and ``native_categorical`` (it
    passes categorical columns as they are, without encoding) of a family of the shipped space
    (:data:`knowledge_base.space.FAMILIES`) are whether :mod:`knowledge_base.space` lists it in
    ``NEEDS_SCALING`` / ``NATIVE_CATEGORICAL``, their one home, which the importers read too;
    a value given here must agree. Any other family (one added with ``register_family``) has
    the traits it is given, False by default.
    """

    name: str
    tasks: frozenset[Task]
    hyperparameters: Callable[[Task, DataShape], Sequence[Hyperparameter]]
    make: Callable[[dict[str, Any], Task, int, int, int], BaseEstimator]
    native_categorical: bool | None = None
    needs_scaling: bool | None = None
    max_cells: int | None = None  # not offered when n_rows * n_features exceeds this
    max_rows: int | None = None

    def __post_init__(self) -> None:
        for trait, families in (
            ("native_categorical", NATIVE_CATEGORICAL),
            ("needs_scaling", NEEDS_SCALING),
        ):
            given, listed = getattr(self, trait), self.name in families
            if self.name not in FAMILIES:
                object.__setattr__(self, trait, bool(given))
                continue
            if given is not None and given != listed:
                raise ValueError(
                    f"{self.name}: {trait}={given}, but knowledge_base.space says {listed}."
                )
            object.__setattr__(self, trait, listed)

    def available(self, task: Task, shape: DataShape) -> bool:
        if task not in self.tasks:
            return False
        if self.max_rows is not None and shape.n_rows > self.max_rows:
            return False
        return self.max_cells is None or shape.n_rows * shape.n_features <= self.max_cells


CLASSIFICATION = frozenset({Task.BINARY, Task.MULTICLASS})
ALL_TASKS = frozenset(Task)


def as_bool(value: Any) -> bool:
    """ConfigSpace stores booleans as the strings "True"/"False"."""
    return value in (True, "True", "true", 1)


class _DeferredBase(BaseEstimator):
    """Builds the real estimator in ``fit``, when the preprocessed width is known.

    Holds the family by name, so fitted pipelines pickle without the component's closures.
    """

    def __init__(
        self, component: Component, params: dict, task: Task, n_jobs: int = 1, seed: int = 0
    ):
        self.component = component
        self.params = params
        self.task = task
        self.n_jobs = n_jobs
        self.seed = seed

    def fit(self, X, y, **fit_params):
        from automl.components import component_by_name

        self.estimator_ = component_by_name(self.component).make(
            dict(self.params), self.task, X.shape[1], self.n_jobs, self.seed
        )
        if self.task.is_classification:
            self.estimator_ = fit_rare_classes(self.estimator_, y)
        self.estimator_.fit(X, y, **fit_params)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)


def fit_rare_classes(estimator, y):
    """The estimator, changed where it would hold out stratified rows that rare classes lack.

    Early stopping (histogram GB, MLP) holds out a stratified 10%: each class needs 2 rows and
    the held-out part one row per class. Platt scaling of the SVM needs as many rows per class as
    folds, so it uses fewer folds, down to 2 (a class of one row still fails: other families
    carry such data).
    """
    counts = np.unique(np.asarray(y), return_counts=True)[1]
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    if params.get("early_stopping") is True:
        held_out = params.get("validation_fraction", 0.1) * len(y)
        if counts.min() < 2 or min(held_out, len(y) - held_out) < len(counts):
            estimator.set_params(early_stopping=False)
    if isinstance(estimator, CalibratedClassifierCV) and 2 <= counts.min() < estimator.cv:
        estimator.set_params(cv=int(counts.min()))
    return estimator


class DeferredClassifier(ClassifierMixin, _DeferredBase):
    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


class DeferredRegressor(RegressorMixin, _DeferredBase):
    pass


def deferred(
    component: Component, params: dict, task: Task, n_jobs: int, seed: int
) -> _DeferredBase:
    cls = DeferredClassifier if task.is_classification else DeferredRegressor
    return cls(component.name, params, task, n_jobs, seed)
