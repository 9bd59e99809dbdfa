"""The AutoML systems of a benchmark: ours (``automl*``) and optional peers (FLAML, AutoGluon)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from benchmarks.metrics import higher_is_better
from benchmarks.systems import FitContext, System


@dataclass
class AutoMLSystem(System):
    """``automl.AutoMLClassifier`` / ``AutoMLRegressor`` with benchmark settings.

    ``update_knowledge_base`` is False unless the benchmark runs with ``--grow-kb``, so a
    benchmark does not contaminate the base it measures.

    Parameters
    ----------
    params : dict
        Extra estimator parameters (``warm_start``, ``optimizer``, ``leave_one_out``).
    """

    params: dict[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = ("automl",)
    records_trials: ClassVar[bool] = True

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit the estimator and keep its trials, trace and trial count."""
        from automl import AutoMLClassifier, AutoMLRegressor

        cls = AutoMLClassifier if ctx.classification else AutoMLRegressor
        kwargs: dict[str, Any] = {
            "time_budget": ctx.budget,
            "metric": ctx.metric,
            "n_jobs": ctx.n_jobs,
            "memory_limit": ctx.memory_limit,
            "update_knowledge_base": ctx.grow_kb,
            "random_state": ctx.seed,
            **self.params,
        }
        if ctx.knowledge_base is not None:
            kwargs["knowledge_base"] = ctx.knowledge_base
        self.model_ = cls(**kwargs).fit(X, y)
        self.classes_ = getattr(self.model_, "classes_", None)
        trials = getattr(self.model_, "trials_", None)
        if isinstance(trials, pd.DataFrame):
            self.trials_ = trials.copy()
            self.n_trials_ = len(trials)
            self.trace_ = anytime_trace(trials, ctx.metric)
        warm = getattr(self.model_, "warm_start_", None)
        self.extra_ = {
            "resampling": str(getattr(self.model_, "resampling_", self.model_.resampling)),
            "fingerprint": warm.get("fingerprint") if isinstance(warm, dict) else None,
        }

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with the fitted estimator."""
        return np.asarray(self.model_.predict(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities of the fitted estimator."""
        return np.asarray(self.model_.predict_proba(X))


def anytime_trace(trials: pd.DataFrame, metric: str) -> list[list[float]]:
    """Best validation score over time, ``[[seconds, score], ...]``, from a ``trials_`` frame.

    Uses the successful trials' ``end_time`` (seconds since fit started) and ``score``
    (natural orientation of ``metric``); a point is added each time the best improves.
    """
    if trials.empty or not {"end_time", "score"} <= set(trials.columns):
        return []
    ok = trials
    if "status" in trials.columns:
        ok = trials[trials["status"].astype(str).str.lower() == "success"]
    ok = ok[np.isfinite(pd.to_numeric(ok["score"], errors="coerce"))].sort_values("end_time")
    higher = higher_is_better(metric)
    trace: list[list[float]] = []
    best = None
    for end, score in zip(ok["end_time"].astype(float), ok["score"].astype(float)):
        if best is None or (score > best if higher else score < best):
            best = score
            trace.append([round(end, 4), best])
    return trace


_FLAML_TASK = {
    "binary": "classification",
    "multiclass": "classification",
    "regression": "regression",
}


@dataclass
class FLAMLSystem(System):
    """FLAML's ``AutoML`` with the benchmark metric and budget."""

    requires: tuple[str, ...] = ("flaml",)

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit ``flaml.AutoML`` within the budget."""
        from flaml import AutoML

        self.model_ = AutoML()
        self.model_.fit(
            X_train=X,
            y_train=y,
            task=_FLAML_TASK[ctx.task_type],
            metric=ctx.metric,
            time_budget=ctx.budget,
            seed=ctx.seed,
            n_jobs=ctx.n_jobs,
            verbose=0,
        )
        self.classes_ = getattr(self.model_, "classes_", None)
        history = getattr(self.model_, "config_history", None)
        self.n_trials_ = len(history) if history else 1

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with FLAML's best model."""
        return np.asarray(self.model_.predict(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities of FLAML's best model."""
        return np.asarray(self.model_.predict_proba(X))


_AG_METRIC = {"roc_auc": "roc_auc", "log_loss": "log_loss", "rmse": "root_mean_squared_error"}


@dataclass
class AutoGluonSystem(System):
    """AutoGluon-Tabular's ``TabularPredictor`` with the benchmark metric and budget."""

    requires: tuple[str, ...] = ("autogluon.tabular",)
    label: str = "__target__"

    def fit(self, X: pd.DataFrame, y: pd.Series, ctx: FitContext) -> None:
        """Fit a ``TabularPredictor`` within the budget, in the job's scratch folder."""
        from autogluon.tabular import TabularPredictor

        data = X.assign(**{self.label: np.asarray(y)})
        self.model_ = TabularPredictor(
            label=self.label,
            problem_type=ctx.task_type,
            eval_metric=_AG_METRIC[ctx.metric],
            path=f"{ctx.workdir}/autogluon",
            verbosity=0,
        ).fit(data, time_limit=ctx.budget, num_cpus=ctx.n_jobs)
        if ctx.classification:
            self.classes_ = np.asarray(self.model_.class_labels)
        self.n_trials_ = len(self.model_.model_names())

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict with the fitted predictor."""
        return np.asarray(self.model_.predict(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, columns ordered as ``classes_``."""
        proba = self.model_.predict_proba(X, as_multiclass=True)
        return proba[list(self.classes_)].to_numpy()
