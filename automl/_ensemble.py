"""Post-hoc ensemble selection (Caruana et al., 2004): greedy forward selection with replacement,
optionally bagged over bootstrap samples of the validated rows so that the choice is not the
argmax of one noisy estimate; the fitted ensemble, with its calibrator."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from automl._evaluation import predict_pipeline
from automl._task import Metric, Task

# Chosen on 56 PMLB classification datasets of up to 2,000 rows (benchmarks/calibration.py,
# benchmarks/results/README.md): selection bagged over 20 bootstrap samples of the rows, the
# calibrator chosen by cross-fitted log loss and fitted on cross-fitted ensemble predictions had
# the best worst case and a mean log loss as good as any other variant.
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
    (m, n, k) or (m, n), for all m at once with numpy: ``metric.loss`` of each (to float
    rounding, ties alike), which is what inputs outside the fast forms get (labels other than
    0..k-1, a class absent, NaN). With ``calibrated``, log loss is that after the best of a grid
    of temperatures and the floor (calibration inside the selection loop)."""
    if metric.name == "log_loss":
        return _calibrated_log_loss if calibrated else _log_loss
    fast = _FAST_SCORES.get(metric.name)

    def reference(y, preds):  # contiguous rows: numpy sums them as it always has
        return np.array([metric.loss(y, np.ascontiguousarray(p), labels) for p in preds])

    if fast is None:
        return reference

    def loss(y, preds):
        score = fast(y, preds, labels)
        if score is None:
            return reference(y, preds)
        return metric.offset - score if metric.greater_is_better else score

    return loss


def _log_loss(y, preds):  # clipped at 1e-15, as selection always has (sklearn: float eps)
    rows = np.arange(len(y))
    total = _row_sums(preds)
    picked = preds[:, rows, y] / np.where(total > 0, total, 1.0)
    return -np.mean(np.log(np.clip(picked, 1e-15, None)), axis=1)


def _accuracy(y, preds, labels):
    """The metric's score of each candidate (so are the next ones'), None where only
    ``metric.loss`` will do."""
    grouped = _by_class(y, preds, labels)
    hits = None if grouped is None else _class_hits(*grouped[1:])
    return None if hits is None else hits.sum(axis=1) / len(y)


def _balanced_accuracy(y, preds, labels):
    grouped = _by_class(y, preds, labels)
    hits = None if grouped is None else _class_hits(*grouped[1:])
    if hits is None:
        return None
    counts = np.diff(grouped[2])
    present = counts > 0  # sklearn drops the classes only predicted (their recall is NaN)
    recall = np.ascontiguousarray(hits[:, present] / counts[present])  # summed as sklearn's
    return recall.mean(axis=1)


def _roc_auc(y, preds, labels):
    """ROC AUC (one-vs-rest, macro, if more than two classes) from the ranks: the Mann-Whitney
    statistic, ties counting one half, which is the area sklearn's trapezoids make."""
    grouped = _by_class(y, preds, labels)
    if grouped is None:
        return None
    y, preds, bounds = grouped
    m, n, k = preds.shape
    counts = np.diff(bounds)
    classes = [1] if k == 2 else list(range(k))
    if k < 2 or counts.min() == 0:  # a class absent: no AUC (sklearn: NaN or an error)
        return None
    total = _row_sums(preds)
    if k > 2 and not (total >= 1e-15).all():  # sklearn's rows would not sum to one: an error
        return None
    total = np.clip(total, 1e-15, None)
    scores = np.empty((len(classes), m, n))
    for i, c in enumerate(classes):
        np.divide(preds[:, :, c], total, out=scores[i])
    keys = scores.view(np.int64)
    if np.bitwise_or.reduce(keys, axis=None) >> 62:  # not all in [0, 2): -0.0, NaN, negative
        scores += 0.0  # -0.0 -> 0.0
        if np.bitwise_or.reduce(keys, axis=None) >> 62:
            return None
    # A non-negative float's bits order as it does: sort them with the label in the lowest bit,
    # negatives before positives in a tie (then, for the rows with such ties, positives first).
    keys <<= 1
    for i, c in enumerate(classes):
        keys[i, :, bounds[c] : bounds[c + 1]] |= 1
    keys.sort(axis=-1)
    tied = np.nonzero(((keys[..., 1:] ^ keys[..., :-1]) == 1).any(axis=-1))  # negative, positive
    flipped = keys[tied] ^ 1
    flipped.sort(axis=-1)
    positions = np.arange(n)
    n1 = counts[classes][:, None]
    pairs_before = n1 * (n1 - 1) // 2  # the positives' positions count those among themselves
    below_or_tied = np.einsum("cmn,n->cm", np.bitwise_and(keys, 1, out=keys), positions)
    below_or_tied -= pairs_before
    below = below_or_tied.copy()
    negatives_at = np.einsum("rn,n->r", np.bitwise_and(flipped, 1, out=flipped), positions)
    below[tied] = n * (n - 1) // 2 - negatives_at - pairs_before[tied[0], 0]
    auc = (below_or_tied + below) / 2 / (n1 * (n - n1))
    return auc[0] if k == 2 else np.ascontiguousarray(auc.T).mean(axis=1)


def _regression(name: str) -> Callable:
    """``score(y, preds (m, n), labels)`` of the regression metric ``name``, as sklearn sums it."""

    def score(y, preds, labels):
        if preds.ndim != 2 or np.ndim(y) != 1 or len(y) < 2:
            return None
        error = preds - y
        if name == "mae":
            out = np.abs(error).mean(axis=1)
        else:
            squared = error**2
            if name == "rmse":
                out = np.sqrt(squared.mean(axis=1))
            else:  # r2, made finite as sklearn does: 1 if no residual, else 0 if y is constant
                residual = squared.sum(axis=1)
                spread = ((y - y.mean()) ** 2).sum()
                wrong = residual != 0
                out = np.ones(len(preds))
                out[wrong] = 1 - residual[wrong] / spread if spread != 0 else 0.0
        return out if np.isfinite(out).all() else None

    return score


_FAST_SCORES = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "roc_auc": _roc_auc,
    **{name: _regression(name) for name in ("rmse", "mae", "r2")},
}
# Their value does not depend on the order of the rows (they count, or rank), exactly:
# ensemble_selection groups the rows by class for them, as their fast forms want.
_ROW_ORDER_FREE = frozenset({"accuracy", "balanced_accuracy", "roc_auc"})


def _by_class(y, preds, labels):
    """``(y, preds, bounds)`` with the rows sorted by class (if they are not), class c's rows
    ``bounds[c]:bounds[c + 1]``; None unless ``y`` holds the classes' positions 0..k-1 in
    ``labels`` (as the estimator encodes them)."""
    y = np.asarray(y)
    if preds.ndim != 3 or len(y) == 0 or y.dtype.kind not in "iu":
        return None
    k = preds.shape[2]
    if labels is not None and not np.array_equal(labels, np.arange(k)):
        return None
    if (y[1:] < y[:-1]).any():
        order = np.argsort(y, kind="stable")
        y, preds = y[order], preds[:, order]
    if y[0] < 0 or y[-1] >= k:
        return None
    return y, preds, np.searchsorted(y, np.arange(k + 1))


def _class_hits(preds: np.ndarray, bounds: np.ndarray) -> np.ndarray | None:
    """(m, k): how many of each class's rows ``np.argmax`` gives their class (the first largest
    column); None if a class's own column holds NaN (argmax's first NaN)."""
    m, _, k = preds.shape
    hits = np.zeros((m, k), dtype=np.int64)
    for t in range(k):
        rows = slice(bounds[t], bounds[t + 1])
        own = preds[:, rows, t]
        if np.isnan(own).any():
            return None
        right = np.ones(own.shape, dtype=bool)
        for c in range(k):
            if c < t:
                right &= preds[:, rows, c] < own
            elif c > t:
                right &= preds[:, rows, c] <= own
        hits[:, t] = np.count_nonzero(right, axis=1)
    return hits


def _row_sums(preds: np.ndarray) -> np.ndarray:
    """``preds.sum(axis=-1)`` (of C-ordered ``preds``) to the last bit, in any memory order, and
    faster: numpy adds fewer than 8 values in order."""
    k = preds.shape[-1]
    if k >= 8 or not _sums_in_order():
        return np.ascontiguousarray(preds).sum(axis=-1)
    out = preds[..., 0].copy()
    for c in range(1, k):
        out += preds[..., c]
    return out


@functools.cache
def _sums_in_order() -> bool:
    """Whether numpy sums a row of fewer than 8 values in order (checked once, on random rows)."""
    x = np.random.RandomState(0).uniform(size=(7, 1000, 7))
    for k in range(2, 8):
        rows = np.ascontiguousarray(x[..., :k])
        if not np.array_equal(rows.sum(axis=-1), functools.reduce(np.add, rows.transpose(2, 0, 1))):
            return False
    return True


IN_LOOP_TEMPERATURES = np.exp(np.linspace(np.log(0.5), np.log(4.0), 8))


def _calibrated_log_loss(y, preds):
    from automl._calibration import TINY, min_floor

    n = len(y)
    rows = np.arange(n)
    prior_y = (np.bincount(y, minlength=preds.shape[2]) / n)[y]
    eps = min_floor(n)
    z = np.log(np.clip(preds / _row_sums(preds)[..., None], TINY, None))
    z -= z.max(axis=2, keepdims=True)
    best = np.full(len(preds), np.inf)
    for temperature in IN_LOOP_TEMPERATURES:
        e = np.exp(z / temperature)
        q_y = e[:, rows, y] / _row_sums(e)
        best = np.minimum(best, -np.mean(np.log((1 - eps) * q_y + eps * prior_y), axis=1))
    return best


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
    y = np.asarray(y)
    by_class = metric.name in _ROW_ORDER_FREE

    def greedy(rows):
        if by_class:  # the same loss, each class's rows one block for the fast forms
            rows = rows[np.argsort(y[rows], kind="stable")]
        return _greedy(preds[:, rows], y[rows], loss, size, early_stop)

    if bags <= 0:
        return greedy(np.arange(len(y)))
    rng = np.random.RandomState(seed)
    weights = np.zeros(n)
    done = 0
    for _ in range(bags):
        rows = rng.randint(0, len(y), len(y))
        if labels is not None and len(np.unique(y[rows])) < 2:
            continue
        weights += greedy(rows)
        done += 1
    if done == 0:
        return greedy(np.arange(len(y)))
    return weights / weights.sum()


def _greedy(preds: np.ndarray, y, loss, size: int, early_stop: bool) -> np.ndarray:
    counts = np.zeros(len(preds), dtype=int)
    losses = loss(y, preds)
    best = int(np.flatnonzero(losses <= losses.min() + 1e-12)[0])
    counts[best] = 1
    total = preds[best].copy()
    current = losses[best]
    # Class-major (m, k, n) in memory, each class's column contiguous for the losses.
    major = np.ascontiguousarray(np.moveaxis(preds, -1, 1)) if preds.ndim == 3 else preds
    total_major = np.moveaxis(total, -1, 0) if preds.ndim == 3 else total
    buffer = np.empty_like(major)
    trial = np.moveaxis(buffer, 1, -1) if preds.ndim == 3 else buffer
    for _ in range(max(0, size - 1)):
        k = counts.sum()
        np.add(total_major, major, out=buffer)
        np.divide(buffer, k + 1, out=buffer)
        trial_losses = loss(y, trial)
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
