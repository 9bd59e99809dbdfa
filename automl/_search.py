"""The search loop: ask the optimiser, evaluate each trial under limits, keep the best predictions."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from automl._cost import CostEstimator
from automl._evaluation import EvaluationSpec, evaluate
from automl._limits import Status, run_limited
from automl._optimizers import Optimizer
from automl._space import config_key
from automl._task import Metric

MIN_TRIAL_SECONDS = 0.25
FIRST_TRIAL_FLOOR = 5.0
MAX_SKIPS_IN_A_ROW = 25  # then the next configuration runs whatever its expected cost
SKIPPED = "skipped"  # a trial not run: expected not to finish within its limit


@dataclass
class TrialRecord:
    """One evaluated configuration; times are seconds since the fit started."""

    trial: int
    model: str
    config: dict[str, Any]
    origin: str
    loss: float
    score: float
    status: str
    fit_time: float
    single_fit_time: float
    start_time: float
    end_time: float
    error: str = ""
    expected_time: float = float("nan")  # seconds predicted before it ran
    refit_config: dict[str, Any] | None = None  # refit on all rows with this, where not config
    fidelity: float = 1.0  # share of the training rows its models were fitted on


@dataclass
class SearchResult:
    trials: list[TrialRecord] = field(default_factory=list)
    predictions: dict[int, np.ndarray] = field(default_factory=dict)
    optimizer_seconds: float = 0.0  # time inside ask and tell

    def n_run(self) -> int:
        """Trials that ran (the skipped ones did not)."""
        return sum(t.status != SKIPPED for t in self.trials)

    def successful(self) -> list[TrialRecord]:
        return sorted(
            (t for t in self.trials if t.status == Status.SUCCESS.value), key=lambda t: t.loss
        )


@dataclass
class Budget:
    """Wall-clock accounting for one fit."""

    start: float
    deadline: float
    per_trial: float
    max_trials: int | None

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.deadline - time.monotonic()


def refit_reserve(result: SearchResult, n_rows: int, n_train: int, top: int = 3) -> float:
    """Seconds to keep for refitting the best pipelines on all rows after the search."""
    best = result.successful()[:top]
    scale = n_rows / max(1, n_train)
    return 0.5 + 1.3 * sum(t.single_fit_time * scale for t in best)


def run_search(
    X: pd.DataFrame,
    y: np.ndarray,
    spec: EvaluationSpec,
    metric: Metric,
    optimizer: Optimizer,
    budget: Budget,
    *,
    origins: dict[tuple, str],
    memory_limit: int | None,
    keep_predictions: int,
    crash_cost: float,
    cost: CostEstimator | None = None,
    verbose: int = 0,
) -> SearchResult:
    """Trials until the budget (less the refit reserve) or ``max_trials`` runs out. With
    ``cost``, a configuration expected not to finish within its limit is skipped (recorded as
    ``skipped`` and told to the optimiser as a crash) rather than run into a timeout."""
    result = SearchResult()
    n_train = len(spec.splits[0][0])
    skips_in_a_row = 0
    while budget.max_trials is None or result.n_run() < budget.max_trials:
        reserve = refit_reserve(result, len(y), n_train)
        wall = min(budget.per_trial, budget.left() - reserve)
        if not result.n_run():
            # However small the budget, the first pipeline (LightGBM's defaults) gets a chance.
            wall = max(wall, min(budget.per_trial, FIRST_TRIAL_FLOOR))
        elif wall < MIN_TRIAL_SECONDS or budget.left() <= MIN_TRIAL_SECONDS:
            break
        tick = time.monotonic()
        config, handle = optimizer.ask()
        result.optimizer_seconds += time.monotonic() - tick
        values = dict(config)
        key = config_key(values)
        expected, fidelity = np.nan, 1.0
        if cost is not None:
            fits, expected, basis = cost.affordable(values, max(wall, MIN_TRIAL_SECONDS))
            if not fits and (sampled := cost.sample_fidelity(values, wall)) is not None:
                fits, fidelity = True, sampled
            if not fits and skips_in_a_row < MAX_SKIPS_IN_A_ROW:
                skips_in_a_row += 1
                why = f"expected {expected:.1f}s ({basis}) > limit {wall:.1f}s"
                origin = origins.get(key, "search")
                record = _skip(len(result.trials), values, origin, budget, expected, why)
                result.trials.append(record)
                optimizer.tell(handle, crash_cost, crashed=True)
                if verbose >= 1:
                    _report(record, result, metric)
                continue
        skips_in_a_row = 0
        record = _run_trial(
            len(result.trials),
            values,
            origins.get(key, "search"),
            X,
            y,
            spec,
            metric,
            budget,
            max(wall, MIN_TRIAL_SECONDS),
            memory_limit,
            result,
            fidelity,
        )
        record.expected_time = expected
        if cost is not None and record.status in (Status.SUCCESS.value, Status.TIMEOUT.value):
            # The model fitting measured in the child, not the wall time (a first trial's also
            # waits for the worker process to start); a timeout's at its limit.
            timed_out = record.status == Status.TIMEOUT.value
            cost.observe(values, record.fit_time, timed_out=timed_out, fidelity=fidelity)
        crashed = record.status != Status.SUCCESS.value
        tick = time.monotonic()
        optimizer.tell(handle, crash_cost if crashed else record.loss, crashed=crashed)
        result.optimizer_seconds += time.monotonic() - tick
        _keep_best_predictions(result, keep_predictions)
        if verbose >= 1:
            _report(record, result, metric)
    return result


def _run_trial(
    index, values, origin, X, y, spec, metric, budget, wall, memory_limit, result, fidelity
):
    start = budget.elapsed()
    outcome = run_limited(
        evaluate, (values, X, y, spec, fidelity), wall_time=wall, memory_mb=memory_limit
    )
    end = budget.elapsed()
    if outcome.status is Status.SUCCESS:
        value = outcome.value
        result.predictions[index] = value.predictions
        loss, fit_time, single = value.loss, value.fit_time, value.single_fit_time
        refit_config = value.refit_config
    else:
        loss, fit_time, single = np.nan, end - start, end - start
        refit_config = None
    record = TrialRecord(
        trial=index,
        model=values["model"],
        config=values,
        origin=origin,
        loss=float(loss),
        score=float(metric.to_score(loss)) if np.isfinite(loss) else np.nan,
        status=outcome.status.value,
        fit_time=float(fit_time),
        single_fit_time=float(single),
        start_time=start,
        end_time=end,
        error=outcome.error,
        refit_config=refit_config,
        fidelity=fidelity,
    )
    result.trials.append(record)
    return record


def _skip(index, values, origin, budget, expected: float, why: str) -> TrialRecord:
    now = budget.elapsed()
    return TrialRecord(
        trial=index,
        model=values["model"],
        config=values,
        origin=origin,
        loss=np.nan,
        score=np.nan,
        status=SKIPPED,
        fit_time=0.0,
        single_fit_time=0.0,
        start_time=now,
        end_time=now,
        error=why,
        expected_time=expected,
    )


def _keep_best_predictions(result: SearchResult, keep: int) -> None:
    """Out-of-fold predictions cost memory: keep them only for the best trials."""
    if len(result.predictions) <= keep:
        return
    best = {t.trial for t in result.successful()[:keep]}
    for trial in [t for t in result.predictions if t not in best]:
        del result.predictions[trial]


def _report(record: TrialRecord, result: SearchResult, metric: Metric) -> None:
    best = result.successful()
    best_score = f"{best[0].score:.4f}" if best else "-"
    outcome = f"{metric.name}={record.score:.4f}" if record.status == "success" else record.status
    sampled = f", {record.fidelity:.0%} of rows" if record.fidelity < 1 else ""
    print(
        f"[automl] trial {record.trial + 1:>3} {record.model:<20} {outcome:<22} "
        f"best {best_score}  ({record.end_time - record.start_time:.1f}s{sampled}, "
        f"{record.origin}, {record.end_time:.0f}s elapsed)",
        file=sys.stderr,
        flush=True,
    )
