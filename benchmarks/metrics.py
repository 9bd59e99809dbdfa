"""The AMLB's metrics: ROC AUC (binary), log loss (multiclass), RMSE (regression).

Which metric a task gets (``DEFAULT_METRIC``, automl's default too) and which way a metric
points (``GREATER_IS_BETTER``) are read from the shared vocabulary, not repeated. (Not from
``automl``: a benchmark job imports this module before its fit, and importing ``automl``
would load every model family into a peer system's process.)
"""

from __future__ import annotations

import numpy as np

from knowledge_base.vocabulary import DEFAULT_METRIC, GREATER_IS_BETTER

METRIC_BY_TASK = dict(DEFAULT_METRIC)
HIGHER_IS_BETTER = {metric: GREATER_IS_BETTER[metric] for metric in METRIC_BY_TASK.values()}


def metric_for(task_type: str) -> str:
    """The benchmark metric of a task type (``binary``, ``multiclass``, ``regression``)."""
    try:
        return METRIC_BY_TASK[task_type]
    except KeyError:
        raise ValueError(
            f"task_type must be one of {', '.join(METRIC_BY_TASK)}, got {task_type!r}."
        ) from None


def higher_is_better(metric: str) -> bool:
    """Whether larger values of ``metric`` are better."""
    try:
        return HIGHER_IS_BETTER[metric]
    except KeyError:
        raise ValueError(
            f"Unknown metric {metric!r}; known: {', '.join(HIGHER_IS_BETTER)}."
        ) from None


def score_predictions(
    metric: str,
    y_true: np.ndarray,
    y_pred: np.ndarray | None,
    proba: np.ndarray | None,
    classes: np.ndarray | None,
) -> float:
    """Score predictions with the benchmark metric, in its natural orientation.

    Parameters
    ----------
    metric : str
        ``roc_auc``, ``log_loss`` or ``rmse``.
    y_true : array
        True labels or values.
    y_pred : array or None
        Predicted values (regression).
    proba : array or None
        Class probabilities, columns ordered as ``classes`` (classification).
    classes : array or None
        Class labels of the probability columns.

    Returns
    -------
    float
    """
    from sklearn.metrics import log_loss, roc_auc_score, root_mean_squared_error

    y_true = np.asarray(y_true)
    if metric == "rmse":
        return float(root_mean_squared_error(y_true.astype(float), np.asarray(y_pred, dtype=float)))
    proba, classes = _complete_proba(np.asarray(proba, dtype=float), list(classes), y_true)
    if metric == "roc_auc":
        if proba.shape[1] != 2:
            raise ValueError(f"roc_auc needs 2 classes, the model knows {proba.shape[1]}.")
        positive = classes[1]
        return float(roc_auc_score(_same_type(y_true, classes) == positive, proba[:, 1]))
    if metric == "log_loss":
        proba = np.clip(proba, 1e-15, 1.0)
        proba = proba / proba.sum(axis=1, keepdims=True)
        return float(log_loss(_same_type(y_true, classes), proba, labels=classes))
    raise ValueError(f"Unknown metric {metric!r}; known: {', '.join(HIGHER_IS_BETTER)}.")


def _same_type(y_true: np.ndarray, classes: list) -> np.ndarray:
    """Compare labels as strings when the model's classes and the truth differ in type."""
    if len(classes) and type(classes[0]) is not type(y_true[0]):
        return np.asarray([str(v) for v in y_true], dtype=object)
    return y_true


def _complete_proba(
    proba: np.ndarray, classes: list, y_true: np.ndarray
) -> tuple[np.ndarray, list]:
    """Add zero columns for test labels the model never saw in training."""
    if len(classes) and type(classes[0]) is not type(y_true[0]):
        classes = [str(c) for c in classes]
    truth = _same_type(y_true, classes)
    missing = [label for label in dict.fromkeys(truth.tolist()) if label not in set(classes)]
    if missing:
        proba = np.hstack([proba, np.zeros((len(proba), len(missing)))])
        classes = classes + missing
    return proba, classes
