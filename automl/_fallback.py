"""What a fit returns when the search left nothing to ensemble: a cheap real model if one fits in
the time left, else a constant predictor.

The cheap candidates are a small LightGBM (50 trees of at most 15 leaves) and a linear model
(logistic regression or ridge on standardised, one-hot encoded columns), both on at most
``MAX_ROWS`` rows. In one limited child process each is scored on a third of those rows, the
better one refitted on all of them, and (classification) its held-out probabilities fit the
probability floor (``automl._calibration``). If that child fails or runs out of time, the
linear model alone is fitted on at most ``MIN_ROWS`` rows in what time is left.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from automl._evaluation import EvaluationSpec, _fit_context, predict_pipeline
from automl._limits import Status, run_limited
from automl._space import make_pipeline
from automl._task import METRICS, Task
from automl.components import LIGHTGBM, DataShape

MAX_ROWS = 10_000
MIN_ROWS = 1_000
MIN_SECONDS = 5.0  # the fallback gets at least this long, however little of the budget is left


@dataclass
class FallbackFit:
    pipeline: object
    name: str
    n_rows: int
    holdout_loss: float = np.nan
    holdout_proba: np.ndarray | None = None  # (classification) the chosen model's, held out
    holdout_y: np.ndarray | None = None


def cheap_configurations(task: Task, n_rows: int) -> list[tuple[str, dict]]:
    """(description, configuration) of the cheap candidates, the likely better one first."""
    shape = DataShape(n_rows, 1)
    lightgbm = {
        f"lightgbm:{hp.name}": hp.default_value for hp in LIGHTGBM.hyperparameters(task, shape)
    }
    lightgbm.update(
        {
            "model": "lightgbm",
            "lightgbm:n_estimators": 50,
            "lightgbm:num_leaves": 15,
            "lightgbm:min_child_samples": int(max(2, min(20, n_rows // 20))),
        }
    )
    linear = {
        "model": "linear",
        "linear:C": 1.0,
        "rescaling:__choice__": "standard",
        "categorical_encoding:__choice__": "one_hot",
    }
    kind = "logistic regression" if task.is_classification else "ridge regression"
    return [("LightGBM with 50 trees", lightgbm), (f"linear model ({kind})", linear)]


def _sample(y: np.ndarray, n: int, classification: bool, seed: int) -> np.ndarray:
    rows = np.arange(len(y))
    if len(y) <= n:
        return rows
    stratify = y if classification and np.bincount(y).min() >= 2 else None
    kept, _ = train_test_split(rows, train_size=n, random_state=seed, stratify=stratify)
    return np.sort(kept)


def fit_cheap(
    X: pd.DataFrame, y: np.ndarray, spec: EvaluationSpec, candidates, max_rows: int
) -> FallbackFit:
    """The best of ``candidates`` on a held-out third of at most ``max_rows`` rows, refitted on
    all of those rows (run inside a limited child process)."""
    task = spec.task
    rows = _sample(y, max_rows, task.is_classification, spec.seed)
    X, y = X.iloc[rows], y[rows]
    metric = METRICS[spec.metric]
    labels = np.arange(spec.n_classes) if task.is_classification else None
    stratify = y if task.is_classification and np.bincount(y).min() >= 2 else None
    best = None
    if len(candidates) > 1 and len(y) >= 20:
        train, test = train_test_split(
            np.arange(len(y)), test_size=1 / 3, random_state=spec.seed, stratify=stratify
        )
        for name, config in candidates:
            try:
                pipeline = _fit(config, X.iloc[train], y[train], spec)
                pred = predict_pipeline(pipeline, X.iloc[test], task, spec.n_classes)
                loss = metric.loss(y[test], pred, labels)
            except Exception:  # a candidate that cannot fit this data is skipped
                continue
            if np.isfinite(loss) and (best is None or loss < best[0]):
                best = (loss, name, config, pred, y[test])
    if best is None:
        name, config = candidates[-1] if len(candidates) > 1 else candidates[0]
        best = (np.nan, name, config, None, None)
    loss, name, config, pred, y_test = best
    return FallbackFit(_fit(config, X, y, spec), name, len(y), loss, pred, y_test)


def _fit(config: dict, X: pd.DataFrame, y: np.ndarray, spec: EvaluationSpec):
    pipeline = make_pipeline(config, spec.task, spec.columns, n_jobs=spec.n_jobs, seed=spec.seed)
    with _fit_context(spec.n_jobs):
        pipeline.fit(X, y)
    return pipeline


def fit_fallback(
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    *,
    seconds: float,
    memory_mb: int | None,
) -> tuple[FallbackFit | None, str]:
    """A cheap model fitted under limits within ``seconds`` (at least ``MIN_SECONDS``), or None;
    and what happened, for the warning."""
    deadline = time.monotonic() + max(seconds, MIN_SECONDS)
    candidates = cheap_configurations(spec.task, min(len(y), MAX_ROWS))
    attempts = [(candidates, MAX_ROWS, 0.6), (candidates[-1:], MIN_ROWS, 1.0)]
    failures = []
    for options, max_rows, share in attempts:
        wall = (deadline - time.monotonic()) * share
        if wall <= 0.1:
            break
        outcome = run_limited(
            fit_cheap, (X, y, spec, options, max_rows), wall_time=wall, memory_mb=memory_mb
        )
        if outcome.status is Status.SUCCESS:
            fit = outcome.value
            score = METRICS[spec.metric].to_score(fit.holdout_loss)
            scored = f", held-out {spec.metric} {score:.4g}" if np.isfinite(score) else ""
            return fit, f"a fallback {fit.name} on {fit.n_rows} rows{scored}"
        failures.append(f"{outcome.status.value} ({outcome.error.splitlines()[0][:120]})")
    what = "; ".join(failures) if failures else "no time left"
    return None, f"the fallback models failed too: {what}"


def failure_summary(statuses: list[str], errors: list[str]) -> str:
    """'3 timeout, 1 crashed: <first error>' for a warning."""
    counts = Counter(statuses)
    summary = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    first = next((e.splitlines()[0] for e in errors if e), "")
    return f"{summary}: {first[:160]}" if first else summary or "no trial ran"


def fallback_model(fit: FallbackFit, spec: EvaluationSpec, y: np.ndarray):
    """The fallback pipeline as an ensemble of one; for classification with the probability
    floor, fitted on its held-out probabilities when it has them."""
    from automl._calibration import Calibrator, fit_calibrator, min_floor
    from automl._ensemble import EnsembleModel

    calibrator = None
    if spec.task.is_classification:
        k = spec.n_classes
        prior = np.maximum(np.bincount(y, minlength=k), 1) / max(len(y), 1)
        prior = prior / prior.sum()
        if fit.holdout_proba is not None:
            calibrator = fit_calibrator(fit.holdout_proba, fit.holdout_y, "floor", prior=prior)
        else:
            eps = min_floor(fit.n_rows)
            calibrator = Calibrator("none", prior, np.ones(k), np.zeros(k), eps)
    return EnsembleModel([(1.0, fit.pipeline)], spec.task, spec.n_classes, calibrator)
