"""Fresh folds for the ensemble's candidates on small tables: the search picks its best trials
on the same folds that then estimate them (the winner's curse: on 55 training rows a kernel SVM
validated at 1 - AUC 0.044 among 100 trials and tested at 0.474), so the candidates are
validated once more on folds of another shuffle, and the ensemble is selected on those."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from automl._evaluation import EvaluationSpec, evaluate, make_splits
from automl._limits import Status
from automl._parallel import Executor, wait_any
from automl._search import MIN_TRIAL_SECONDS, Budget, SearchResult, TrialRecord, ensemble_pool

# Revalidated up to this many rows (the tables measured, benchmarks/results/issue11-60s/), with
# resampling by folds (a holdout's candidates keep their scores), for classification (regression
# was not measured).
REVALIDATE_ROWS = 2_000
# At most this share of the budget is kept for it: the candidates it does not reach are dropped.
REVALIDATE_SHARE = 0.2
REVALIDATE_SLACK = 1.2  # a candidate's expected seconds: its trial's, times this


@dataclass
class Revalidated:
    """The candidates' losses and out-of-fold predictions on the fresh folds, by trial."""

    losses: dict[int, float]
    predictions: dict[int, np.ndarray]
    seconds: float


def fresh_splits(y: np.ndarray, spec: EvaluationSpec, resampling: str | int):
    """Splits of the same scheme as the search's, from another seed."""
    return make_splits(y, spec.task, resampling, (spec.seed + 1) % 2**31)


def revalidation_reserve(result: SearchResult, candidates: int, workers: int, cap: float) -> float:
    """Seconds to keep after the search for revalidating its ``candidates`` best trials, at
    most ``cap``."""
    best = ensemble_pool(result)[:candidates]
    seconds = sum(t.end_time - t.start_time for t in best) * REVALIDATE_SLACK / max(1, workers)
    return min(seconds, cap)


def revalidate(
    candidates: list[TrialRecord],
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    splits,
    budget: Budget,
    executor: Executor,
    memory_limit: int | None,
    keep: float = 0.0,
) -> Revalidated:
    """Each candidate, best first, validated on ``splits`` while the budget, less ``keep``
    seconds (the refit's), lasts; one that fails or does not finish in time has no fresh
    result."""
    start = time.monotonic()
    fresh = replace(spec, splits=tuple(splits))
    losses: dict[int, float] = {}
    predictions: dict[int, np.ndarray] = {}
    queue = list(candidates)
    running = {}
    try:
        while queue or running:
            while queue and len(running) < executor.workers:
                wall = min(budget.per_trial, budget.left() - keep)
                if wall < MIN_TRIAL_SECONDS:
                    queue.clear()
                    break
                trial = queue.pop(0)
                args = (trial.config, X, y, fresh, trial.fidelity)
                job = executor.submit(evaluate, args, wall_time=wall, memory_mb=memory_limit)
                running[job] = trial
            if not running:
                break
            job, outcome = wait_any(list(running))
            trial = running.pop(job)
            if outcome.status is Status.SUCCESS and math.isfinite(outcome.value.loss):
                losses[trial.trial] = float(outcome.value.loss)
                predictions[trial.trial] = outcome.value.predictions
    finally:
        for job in running:
            job.kill()
    return Revalidated(losses, predictions, time.monotonic() - start)
