"""One trial: a resampled evaluation of one pipeline, and the final refit on all data."""

from __future__ import annotations

import contextlib
import math
import pickle
import time
import warnings
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from automl._columns import ColumnTypes
from automl._space import make_pipeline
from automl._task import METRICS, Task
from automl.components._early_stopping import fitted_rounds, refit_configuration

# Up to this many rows, a cross-validated trial's member of the final ensemble is its models of
# the first FOLD_BAG_FOLDS splits (None: all) averaged (refit_folds), not one refit on all rows:
# on the same searches, better than one refit on 19 and worse on 5 of 32 classification tables
# and on 9 of 9 regression ones; all 15 folds of repeated CV did no better than 5
# (benchmarks/results/fold-bagging/). The 60 s product with it beat itself without it on 16
# and lost on 5 of issue 11's 29 small tables (p = 0.014).
FOLD_BAG_ROWS = 2_000
FOLD_BAG_FOLDS: int | None = 5
# A trial's fold models come back with it (for its member, not refitted) only up to this size,
# pickled: the search keeps those of its best trials in memory.
KEPT_MODELS_MB = 64


def fold_bag_size(n_rows: int, n_splits: int, fidelity: float = 1.0) -> int:
    """How many fold models stand in for a member's refit on ``n_rows`` rows validated on
    ``n_splits`` splits (``FOLD_BAG_ROWS``); 0: one refit on all rows, which is also what a
    trial fitted on a ``fidelity`` share of its training rows below 1 gets."""
    if n_rows > FOLD_BAG_ROWS or n_splits < 2 or fidelity < 1.0:
        return 0
    return n_splits if FOLD_BAG_FOLDS is None else min(FOLD_BAG_FOLDS, n_splits)


@dataclass(frozen=True)
class EvaluationSpec:
    """Everything a child process needs to evaluate configurations on one dataset."""

    task: Task
    metric: str
    columns: ColumnTypes
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    n_classes: int
    n_jobs: int
    seed: int

    @property
    def resampling(self) -> str:
        n = len(self.splits[0][0]) + len(self.splits[0][1])
        if len(self.splits) == 1:
            return f"holdout{len(self.splits[0][1]) / n:.2f}"
        k = round(n / len(self.splits[0][1]))
        repeats = len(self.splits) // k
        return f"cv{k}" if repeats == 1 else f"cv{k}x{repeats}"


@dataclass
class TrialOutcome:
    loss: float
    predictions: np.ndarray  # out-of-fold (or holdout) predictions, NaN where not validated
    fit_time: float  # seconds for all folds
    single_fit_time: float  # mean seconds of one fold's fit
    predict_time: float = 0.0  # seconds predicting the validation rows, all folds
    refit_config: dict[str, Any] | None = None  # what to refit on all rows, where not config
    # Its first fold models, pickled, where kept (evaluate's keep_models): pickled once here to
    # check their size, the bytes cross to the parent as they are.
    models: bytes | None = None


def make_splits(
    y: np.ndarray, task: Task, resampling: str | int, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Holdout (a third), k-fold CV, or 5-fold CV repeated 3 times with other shuffles
    ("repeated-cv"), stratified where every class has enough rows."""
    n = len(y)
    rng = np.random.RandomState(seed)
    stratify = task.is_classification and np.bincount(y).min() >= 2
    if resampling == "holdout":
        idx = np.arange(n)
        train, val = train_test_split(
            idx, test_size=0.33, random_state=rng, stratify=y if stratify else None
        )
        return ((np.sort(train), np.sort(val)),)
    repeats = 3 if resampling == "repeated-cv" else 1
    k = int(resampling) if isinstance(resampling, (int, np.integer)) else 5
    k = max(2, min(k, n))
    splits = []
    for _ in range(repeats):
        if task.is_classification and np.bincount(y).min() >= k:
            splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=rng)
        else:
            splitter = KFold(n_splits=k, shuffle=True, random_state=rng)
        splits.extend(splitter.split(np.zeros(n), y))
    return tuple(splits)


def _align_proba(model, proba: np.ndarray, n_classes: int) -> np.ndarray:
    classes = np.asarray(model.classes_)
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, classes.astype(int)] = proba
    return full


def predict_pipeline(pipeline, X: pd.DataFrame, task: Task, n_classes: int) -> np.ndarray:
    """Probabilities (n, k) for classification, values (n,) for regression."""
    if task.is_classification:
        proba = pipeline.predict_proba(X)
        return _align_proba(pipeline, proba, n_classes)
    return np.asarray(pipeline.predict(X), dtype=float)


def sample_rows(
    rows: np.ndarray, y: np.ndarray, fidelity: float, seed: int, classification: bool
) -> np.ndarray:
    """A seeded ``fidelity`` share of ``rows`` (all of them at 1), sorted; for classification
    with at least one row of every class that ``rows`` hold, so no class is lost to the sample."""
    n = max(1, round(fidelity * len(rows)))
    if n >= len(rows):
        return rows
    kept = np.random.RandomState(seed).choice(rows, n, replace=False)
    if classification:
        classes, first = np.unique(y[rows], return_index=True)
        missing = ~np.isin(classes, y[kept])
        kept = np.concatenate([kept, rows[first[missing]]])
    return np.sort(kept)


def evaluate(
    config: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    fidelity: float = 1.0,
    keep_models: int = 0,
    keep_below: float = math.inf,
) -> TrialOutcome:
    """Fit and validate ``config`` on every split; return the loss and out-of-fold predictions.
    With ``fidelity`` below 1 each model is fitted on that share of its training rows (a
    configuration too slow for all of them), and validated on the same rows as any other.
    With ``keep_models``, the models of that many first splits come back too, pickled (the
    member ``refit_folds`` would fit again), if the loss is below ``keep_below`` and they pickle
    to at most ``KEPT_MODELS_MB``."""
    shape = (len(y), spec.n_classes) if spec.task.is_classification else (len(y),)
    total = np.zeros(shape)
    counts = np.zeros(len(y))
    fit_times, predict_time, rounds, fitted = [], 0.0, [], []
    # Entered once per trial: threadpoolctl's limits cost about 3 ms to set up each time.
    with _fit_context(spec.n_jobs):
        for train, val in spec.splits:
            train = sample_rows(train, y, fidelity, spec.seed, spec.task.is_classification)
            pipeline = make_pipeline(
                config, spec.task, spec.columns, n_jobs=spec.n_jobs, seed=spec.seed
            )
            start = time.perf_counter()
            pipeline.fit(X.iloc[train], y[train])
            fit_times.append(time.perf_counter() - start)
            if (used := fitted_rounds(pipeline)) is not None:
                rounds.append(used)
            start = time.perf_counter()
            total[val] += predict_pipeline(pipeline, X.iloc[val], spec.task, spec.n_classes)
            predict_time += time.perf_counter() - start
            counts[val] += 1
            if len(fitted) < keep_models:
                fitted.append(pipeline)
    metric = METRICS[spec.metric]
    validated = counts > 0
    # Rows validated more than once (repeated CV) get the mean of their predictions.
    denom = counts.reshape(-1, 1) if total.ndim == 2 else counts
    oof = np.where(validated.reshape(denom.shape), total / np.maximum(denom, 1), np.nan)
    preds = oof[validated]
    if spec.task.is_classification:
        preds = np.clip(preds, 0.0, 1.0)
    if not np.all(np.isfinite(preds)):
        raise ValueError("the pipeline predicted NaN or infinite values")
    labels = np.arange(spec.n_classes) if spec.task.is_classification else None
    loss = metric.loss(y[validated], preds, labels)
    models = None
    if fitted and loss < keep_below:
        bag = FoldBag(fitted, spec.task, spec.n_classes)
        models = pickle.dumps(bag, protocol=pickle.HIGHEST_PROTOCOL)
        if len(models) > KEPT_MODELS_MB * 2**20:
            models = None
    return TrialOutcome(
        loss=loss,
        predictions=oof.astype(np.float32),
        fit_time=float(sum(fit_times)),
        single_fit_time=float(np.mean(fit_times)),
        predict_time=float(predict_time),
        refit_config=refit_configuration(config, rounds),
        models=models,
    )


def refit(
    config: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    fidelity: float = 1.0,
):
    """The pipeline of ``config`` fitted on all rows, or on the ``fidelity`` share of them that
    its trial was validated with."""
    rows = sample_rows(np.arange(len(y)), y, fidelity, spec.seed, spec.task.is_classification)
    pipeline = make_pipeline(config, spec.task, spec.columns, n_jobs=spec.n_jobs, seed=spec.seed)
    with _fit_context(spec.n_jobs):
        if len(rows) < len(y):
            pipeline.fit(X.iloc[rows], y[rows])
        else:
            pipeline.fit(X, y)
    return pipeline


def refit_folds(
    config: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    n_folds: int | None = None,
) -> FoldBag:
    """``config``'s pipeline fitted on the training rows of each of the first ``n_folds`` (all)
    splits, as its trial was validated: the model whose out-of-fold predictions the ensemble
    and calibrator were chosen on, and a bagged one where a single refit would vary more."""
    pipelines = []
    with _fit_context(spec.n_jobs):
        for train, _ in spec.splits[:n_folds]:
            pipeline = make_pipeline(
                config, spec.task, spec.columns, n_jobs=spec.n_jobs, seed=spec.seed
            )
            pipelines.append(pipeline.fit(X.iloc[train], y[train]))
    return FoldBag(pipelines, spec.task, spec.n_classes)


class FoldBag:
    """Fitted pipelines averaged: probabilities (classification) or values (regression)."""

    def __init__(self, pipelines: list, task: Task, n_classes: int):
        self.pipelines = pipelines
        self.task = task
        self.n_classes = n_classes
        self.classes_ = np.arange(n_classes)

    def _mean(self, X) -> np.ndarray:
        preds = [predict_pipeline(p, X, self.task, self.n_classes) for p in self.pipelines]
        return np.mean(preds, axis=0)

    def predict_proba(self, X) -> np.ndarray:
        return self._mean(X)

    def predict(self, X) -> np.ndarray:
        out = self._mean(X)
        return out.argmax(axis=1) if self.task.is_classification else out


@contextlib.contextmanager
def _fit_context(n_jobs: int):
    """Quiet fits and predictions that use ``n_jobs`` threads, OpenMP and BLAS pools
    included. joblib (the forests' and k-NN's ``n_jobs``) runs on threads: its default,
    processes, cannot start inside a trial's daemon process and would fall back to one core."""
    limits = n_jobs if n_jobs > 0 else None
    with (
        warnings.catch_warnings(),
        threadpool_limits(limits=limits),
        joblib.parallel_config(backend="threading"),
    ):
        warnings.simplefilter("ignore")
        yield
