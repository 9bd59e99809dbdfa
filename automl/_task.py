"""Task types and metrics: what is being learned and how it is scored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np
from sklearn import metrics as skm


class Task(str, Enum):
    """The kind of supervised problem a dataset poses."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


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


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("roc_auc", skm.roc_auc_score, True, True, True, offset=1.0),
        Metric("log_loss", skm.log_loss, False, True, True),
        Metric("accuracy", skm.accuracy_score, True, False, True, offset=1.0),
        Metric("balanced_accuracy", skm.balanced_accuracy_score, True, False, True, offset=1.0),
        Metric("rmse", _rmse, False, False, False),
        Metric("mae", skm.mean_absolute_error, False, False, False),
        Metric("r2", skm.r2_score, True, False, False, offset=1.0),
    )
}

DEFAULT_METRIC = {Task.BINARY: "roc_auc", Task.MULTICLASS: "log_loss", Task.REGRESSION: "rmse"}


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
