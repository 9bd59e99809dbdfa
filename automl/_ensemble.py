"""Post-hoc ensemble selection (Caruana et al., 2004): greedy forward selection with replacement,
optionally bagged over bootstrap samples of the validated rows so that the choice is not the
argmax of one noisy estimate; the fitted ensemble, with its calibrator."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from automl._evaluation import predict_pipeline
from automl._task import Metric, Task

# Chosen on 56 PMLB classification datasets of up to 2,000 rows (benchmarks/calibration.py,
# README): selection bagged over 20 bootstrap samples of the rows, the calibrator chosen by
# cross-fitted log loss and fitted on cross-fitted ensemble predictions had the best worst case
# and a mean log loss as good as any other variant.
SELECTION_BAGS = 20
SELECTION_EARLY_STOP = True
SELECTION_CALIBRATED = False  # calibration inside the selection loop did not pay
CALIBRATION = "auto"
CROSS_FIT = True
# Above this many validated rows (beyond what was measured) the noise bagging and cross-fitting
# address is smaller and redoing the selection 20 (or 6) times costs seconds: plain selection.
MAX_RESELECTION_ROWS = 2_000


def selection_loss(metric: Metric, labels: np.ndarray | None, calibrated: bool = False) -> Callable:
    """``loss(y, preds)``: ``metric``'s loss of each of the stacked predictions ``preds``
    (m, n, k) or (m, n), vectorised for log loss, binary ROC AUC and accuracy. With
    ``calibrated``, log loss is that after the best of a grid of temperatures and the floor
    (calibration inside the selection loop)."""
    if metric.name == "log_loss" and calibrated:
        return _calibrated_log_loss
    if metric.name == "log_loss":

        def loss(y, preds):
            rows = np.arange(len(y))
            total = preds.sum(axis=2)
            picked = preds[:, rows, y] / np.where(total > 0, total, 1.0)
            return -np.mean(np.log(np.clip(picked, 1e-15, None)), axis=1)

        return loss
    if metric.name == "roc_auc" and labels is not None and len(labels) == 2:

        def loss(y, preds):
            positive = y == 1
            n1 = int(positive.sum())
            n0 = len(y) - n1
            if n1 == 0 or n0 == 0:
                return np.array([metric.loss(y, p, labels) for p in preds])
            scores = preds[:, :, 1] / np.clip(preds.sum(axis=2), 1e-15, None)
            auc = (_positive_rank_sums(scores, positive) - n1 * (n1 + 1) / 2) / (n0 * n1)
            return metric.offset - auc

        return loss
    if metric.name == "accuracy":

        def loss(y, preds):
            return metric.offset - np.mean(np.argmax(preds, axis=2) == y, axis=1)

        return loss
    return lambda y, preds: np.array([metric.loss(y, p, labels) for p in preds])


IN_LOOP_TEMPERATURES = np.exp(np.linspace(np.log(0.5), np.log(4.0), 8))


def _calibrated_log_loss(y, preds):
    from automl._calibration import TINY, min_floor

    n = len(y)
    rows = np.arange(n)
    prior_y = (np.bincount(y, minlength=preds.shape[2]) / n)[y]
    eps = min_floor(n)
    z = np.log(np.clip(preds / preds.sum(axis=2, keepdims=True), TINY, None))
    z -= z.max(axis=2, keepdims=True)
    best = np.full(len(preds), np.inf)
    for temperature in IN_LOOP_TEMPERATURES:
        e = np.exp(z / temperature)
        q_y = e[:, rows, y] / e.sum(axis=2)
        best = np.minimum(best, -np.mean(np.log((1 - eps) * q_y + eps * prior_y), axis=1))
    return best


def _positive_rank_sums(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Per row of ``scores`` (m, n): the sum of the positives' ranks, ties at their mean rank."""
    m, n = scores.shape
    order = np.argsort(scores, axis=1, kind="mergesort")
    ordered = np.take_along_axis(scores, order, axis=1)
    positions = np.broadcast_to(np.arange(n), (m, n))
    new = np.ones((m, n), dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(new, positions, 0), axis=1)
    end = np.ones((m, n), dtype=bool)
    end[:, :-1] = new[:, 1:]
    reversed_last = np.maximum.accumulate(np.where(end[:, ::-1], positions, 0), axis=1)
    last = (n - 1 - reversed_last)[:, ::-1]
    ranks = (first + last) / 2.0 + 1.0
    return np.sum(ranks * positive[order], axis=1)


def ensemble_selection(
    predictions: list[np.ndarray],
    y: np.ndarray,
    metric: Metric,
    *,
    size: int = 50,
    labels: np.ndarray | None = None,
    bags: int = 0,
    early_stop: bool = True,
    calibrated: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """Weights (summing to one) over ``predictions`` that minimise the loss of their average.

    Starts from the best single model and adds, ``size`` times, the model whose inclusion
    lowers the ensemble loss most (models may be picked repeatedly, which is how weights arise);
    with ``early_stop`` it stops once every addition makes the loss worse. With ``bags > 0`` the
    selection runs on that many bootstrap samples of the rows and the weights are averaged.
    ``calibrated`` scores log loss after calibration (``selection_loss``).
    """
    n = len(predictions)
    if n == 0:
        raise ValueError("ensemble selection needs at least one model")
    loss = selection_loss(metric, labels, calibrated)
    preds = np.stack([np.asarray(p, dtype=np.float64) for p in predictions])
    if bags <= 0:
        return _greedy(preds, y, loss, size, early_stop)
    rng = np.random.RandomState(seed)
    weights = np.zeros(n)
    done = 0
    for _ in range(bags):
        rows = rng.randint(0, len(y), len(y))
        if labels is not None and len(np.unique(y[rows])) < 2:
            continue
        weights += _greedy(preds[:, rows], y[rows], loss, size, early_stop)
        done += 1
    if done == 0:
        return _greedy(preds, y, loss, size, early_stop)
    return weights / weights.sum()


def _greedy(preds: np.ndarray, y, loss, size: int, early_stop: bool) -> np.ndarray:
    counts = np.zeros(len(preds), dtype=int)
    losses = loss(y, preds)
    best = int(np.flatnonzero(losses <= losses.min() + 1e-12)[0])
    counts[best] = 1
    total = preds[best].copy()
    current = losses[best]
    for _ in range(max(0, size - 1)):
        k = counts.sum()
        trial_losses = loss(y, (total + preds) / (k + 1))
        # Ties (within float noise: ROC AUC often ties) go to the earliest, best-ranked model.
        pick = int(np.flatnonzero(trial_losses <= trial_losses.min() + 1e-12)[0])
        if early_stop and trial_losses[pick] > current + 1e-12:
            # Adding anything makes it worse: stop early rather than dilute the best mix.
            break
        counts[pick] += 1
        total += preds[pick]
        current = trial_losses[pick]
    return counts / counts.sum()


def cross_fitted_ensemble(
    predictions: list[np.ndarray],
    y: np.ndarray,
    metric: Metric,
    folds: list[tuple[np.ndarray, np.ndarray]],
    **selection,
) -> np.ndarray:
    """The ensemble's predictions on each fold of rows, its weights selected on the other folds:
    what a calibrator should see, since weights selected on a row flatter it."""
    out = np.zeros_like(np.asarray(predictions[0], dtype=np.float64))
    for train, test in folds:
        w = ensemble_selection([p[train] for p in predictions], y[train], metric, **selection)
        out[test] = sum(wi * p[test] for wi, p in zip(w, predictions) if wi > 0)
    return out


class EnsembleModel:
    """Weighted average of fitted pipelines' probabilities (classification) or values, then the
    calibrator (classification, optional)."""

    def __init__(
        self, members: list[tuple[float, object]], task: Task, n_classes: int, calibrator=None
    ):
        total = sum(w for w, _ in members)
        self.members = [(w / total, p) for w, p in members]
        self.task = task
        self.n_classes = n_classes
        self.calibrator = calibrator

    def predict(self, X) -> np.ndarray:
        out = None
        for weight, pipeline in self.members:
            pred = weight * predict_pipeline(pipeline, X, self.task, self.n_classes)
            out = pred if out is None else out + pred
        calibrator = getattr(self, "calibrator", None)  # absent in models pickled before it
        return out if calibrator is None else calibrator.transform(out)


def select_and_calibrate(
    predictions: list[np.ndarray],
    y: np.ndarray,
    metric: Metric,
    *,
    size: int = 50,
    labels: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    bags: int = SELECTION_BAGS,
    early_stop: bool = SELECTION_EARLY_STOP,
    calibrated: bool = SELECTION_CALIBRATED,
    calibration: str | None = CALIBRATION,
    cross_fit: bool = CROSS_FIT,
    seed: int = 0,
):
    """Ensemble weights over ``predictions`` (out-of-fold, validated rows only) and, for
    classification, a calibrator fitted on the ensemble's out-of-fold probabilities.

    With ``cross_fit`` the calibrator sees the ensemble's predictions on each fold of rows with
    weights selected on the other folds, not the flattering in-sample mix. For metrics other
    than log loss the calibrator may not make the metric worse on those rows (else only the
    floor is kept). Returns ``(weights, calibrator or None)``.
    """
    with threadpool_limits(limits=1):  # tiny linear algebra: threads only cost here
        return _select_and_calibrate(
            predictions,
            y,
            metric,
            size,
            labels,
            prior,
            dict(bags=bags, early_stop=early_stop, calibrated=calibrated),
            calibration,
            cross_fit,
            seed,
        )


def _select_and_calibrate(
    predictions, y, metric, size, labels, prior, options, calibration, cross_fit, seed
):
    from automl._calibration import fit_calibrator, folds_for

    small = len(y) <= MAX_RESELECTION_ROWS
    if size <= 1 or not small:  # ensemble_size=1: the single best pipeline
        options = dict(options, bags=0)
    cross_fit = cross_fit and small
    selection = dict(size=size, labels=labels, seed=seed, **options)
    weights = ensemble_selection(predictions, y, metric, **selection)
    if calibration is None or labels is None:
        return weights, None
    if cross_fit:
        oof = cross_fitted_ensemble(predictions, y, metric, folds_for(y, seed), **selection)
    else:
        oof = sum(w * np.asarray(p, np.float64) for w, p in zip(weights, predictions) if w > 0)
    calibrator = fit_calibrator(oof, y, calibration, prior=prior, seed=seed)
    changes_ranks = metric.name != "log_loss" and calibrator.method not in ("none", "floor")
    if changes_ranks and (
        metric.loss(y, calibrator.transform(oof), labels) > metric.loss(y, oof, labels) + 1e-9
    ):
        calibrator = fit_calibrator(oof, y, "floor", prior=prior, seed=seed)
    return weights, calibrator
