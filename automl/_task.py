"""Task types and metrics: what is being learned and how it is scored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from knowledge_base import vocabulary
from knowledge_base.vocabulary import GREATER_IS_BETTER, Task

__all__ = ["DEFAULT_METRIC", "METRICS", "Metric", "Task", "get_metric"]


@dataclass(frozen=True)
class Metric:
    """A scoring function with its orientation.

    ``score`` is the metric in its natural orientation; ``loss`` is lower-is-better and is what
    the optimiser minimises. ``needs_proba`` metrics take class probabilities.
    """

    name: str
    func: Callable[..., float]
    greater_is_better: bool
    needs_proba: bool
    classification: bool
    offset: float = 0.0  # loss = offset - score for greater-is-better metrics

    def score(
        self, y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None = None
    ) -> float:
        """The metric on predictions: probabilities (n, k) for classification, values otherwise."""
        if not self.classification:
            return float(self.func(y_true, y_pred))
        if self.needs_proba:
            y_pred = np.asarray(y_pred, dtype=np.float64)
            y_pred = y_pred / np.clip(y_pred.sum(axis=1, keepdims=True), 1e-15, None)
            if self.name == "roc_auc":
                if y_pred.shape[1] == 2:
                    return float(skm.roc_auc_score(y_true, y_pred[:, 1]))
                return float(skm.roc_auc_score(y_true, y_pred, multi_class="ovr", labels=labels))
            return float(self.func(y_true, y_pred, labels=labels))
        return float(self.func(y_true, np.asarray(labels)[np.argmax(y_pred, axis=1)]))

    def loss(
        self, y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None = None
    ) -> float:
        """Lower-is-better form of the metric, as the optimiser sees it."""
        return self.to_loss(self.score(y_true, y_pred, labels))

    def to_loss(self, score: float) -> float:
        return self.offset - score if self.greater_is_better else score

    def to_score(self, loss: float) -> float:
        return self.offset - loss if self.greater_is_better else loss


def _rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(skm.mean_squared_error(y_true, y_pred)))


def _metric(name: str, func: Callable[..., float], *, needs_proba: bool, classification: bool):
    """The metric ``name``, oriented as the shared vocabulary says (loss = 1 - score if greater
    is better)."""
    greater = GREATER_IS_BETTER[name]
    return Metric(name, func, greater, needs_proba, classification, offset=1.0 if greater else 0.0)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _metric("roc_auc", skm.roc_auc_score, needs_proba=True, classification=True),
        _metric("log_loss", skm.log_loss, needs_proba=True, classification=True),
        _metric("accuracy", skm.accuracy_score, needs_proba=False, classification=True),
        _metric(
            "balanced_accuracy", skm.balanced_accuracy_score, needs_proba=False, classification=True
        ),
        _metric("rmse", _rmse, needs_proba=False, classification=False),
        _metric("mae", skm.mean_absolute_error, needs_proba=False, classification=False),
        _metric("r2", skm.r2_score, needs_proba=False, classification=False),
    )
}

DEFAULT_METRIC = {Task(task): metric for task, metric in vocabulary.DEFAULT_METRIC.items()}


def get_metric(name: str | None, task: Task) -> Metric:
    """The metric called ``name`` (or the AutoML Benchmark's default for ``task``), checked."""
    name = DEFAULT_METRIC[task] if name is None else name
    if name not in METRICS:
        raise ValueError(f"Unknown metric {name!r}; choose one of {sorted(METRICS)}.")
    metric = METRICS[name]
    if metric.classification != task.is_classification:
        kind = "classification" if task.is_classification else "regression"
        allowed = sorted(
            k for k, m in METRICS.items() if m.classification == task.is_classification
        )
        raise ValueError(f"Metric {name!r} does not apply to {kind}; choose one of {allowed}.")
    return metric
