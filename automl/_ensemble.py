"""Post-hoc ensemble selection (Caruana et al., 2004): greedy forward selection with replacement."""

from __future__ import annotations

import numpy as np

from automl._evaluation import predict_pipeline
from automl._task import Metric, Task


def ensemble_selection(
    predictions: list[np.ndarray],
    y: np.ndarray,
    metric: Metric,
    *,
    size: int = 50,
    labels: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (summing to one) over ``predictions`` that minimise the loss of their average.

    Starts from the best single model and adds, ``size`` times, the model whose inclusion
    lowers the ensemble loss most (models may be picked repeatedly, which is how weights arise).
    """
    n = len(predictions)
    if n == 0:
        raise ValueError("ensemble selection needs at least one model")
    counts = np.zeros(n, dtype=int)
    losses = [metric.loss(y, p, labels) for p in predictions]
    best = int(np.argmin(losses))
    counts[best] = 1
    total = predictions[best].astype(np.float64).copy()
    current = losses[best]
    for _ in range(max(0, size - 1)):
        k = counts.sum()
        trial_losses = [metric.loss(y, (total + p) / (k + 1), labels) for p in predictions]
        pick = int(np.argmin(trial_losses))
        if trial_losses[pick] > current + 1e-12 and k >= 1:
            # Adding anything makes it worse: stop early rather than dilute the best mix.
            break
        counts[pick] += 1
        total += predictions[pick]
        current = trial_losses[pick]
    return counts / counts.sum()


class EnsembleModel:
    """Weighted average of fitted pipelines' probabilities (classification) or values."""

    def __init__(self, members: list[tuple[float, object]], task: Task, n_classes: int):
        total = sum(w for w, _ in members)
        self.members = [(w / total, p) for w, p in members]
        self.task = task
        self.n_classes = n_classes

    def predict(self, X) -> np.ndarray:
        out = None
        for weight, pipeline in self.members:
            pred = weight * predict_pipeline(pipeline, X, self.task, self.n_classes)
            out = pred if out is None else out + pred
        return out
