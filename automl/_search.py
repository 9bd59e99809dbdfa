"""The search loop: ask the optimiser, evaluate each trial under limits, keep the best predictions."""

from __future__ import annotations

import math
import os
import pickle
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ConfigSpace import Configuration

from automl._cost import CostEstimator, first_look_seconds
from automl._energy import EnergyMeter
from automl._evaluation import EvaluationSpec, FoldBag, evaluate, fold_bag_size
from automl._halving import Halving
from automl._limits import LimitedResult, Status
from automl._optimizers import Optimizer
from automl._parallel import Executor, LocalExecutor, wait_any
from automl._space import config_key
from automl._task import Metric

MIN_TRIAL_SECONDS = 0.25
FIRST_TRIAL_FLOOR = 5.0
# At most this share of the budget is kept for refitting on more rows than validated on.
REFIT_SHARE = 0.25
MAX_SKIPS_IN_A_ROW = 25  # then the next configuration runs whatever its expected cost
SKIPPED = "skipped"  # a trial not run: expected not to finish within its limit
POWER_TRIALS = 5  # the last trials whose power predicts the next one's (energy_budget)
# Whether ensemble selection also sees the best trial of each family beyond the best trials
# (ensemble_candidates). Off: on 36 tables of at most 500 rows x 3 splits it changed nothing
# measurable (better 11, tied 12, worse 13; benchmarks/results/ensemble-pool/).
ENSEMBLE_PER_FAMILY = False
# Whether a family's defaults whose first look (first_look_seconds) would need a row sample
# smaller than MIN_SAMPLE_ROWS run on MIN_SAMPLE_ROWS rows rather than on all of them. At 10 s
# on pendigits, LightGBM's defaults after its cut-down first trial were predicted at 4.9 s of a
# 5 s limit, ran on all rows and timed out, and the families after them had no time left. On
# the 30 tables over 2,000 rows, two splits, the default's fits were better on 9, worse on 3
# at 10 s (p = 0.03; cold SMAC's 6 / 9, level in loss) and on 10, worse on 4 at 60 s
# (p = 0.03; benchmarks/results/first-look-floor-s39).
FIRST_LOOK_AT_LEAST = True
# Whether a family's defaults expected not to finish within a trial's limit, where a row
# sample would keep too few rows, run next with their boosting rounds cut to fit
# (``CostEstimator.fewer_rounds``) instead of not at all. CatBoost's defaults are the best single
# configuration of the regression matrix (0.23 above each table's best on average; LightGBM's
# 0.59), and on mid-size tables with many features a 60 s fit skipped them. Off: at 60 s on the
# 77 regression tables (split 1) a cut ran on 12, mostly in cold SMAC's fits, and there cut
# against uncut was 6 / 0 / 6 in test RMSE over two seeds (mean -1.7%, p = 0.57; session 47,
# benchmarks/results/cut-rounds-s47/); the default on 47 classification tables, splits 0 and 1,
# 7 / 6 / 9 where a cut ran (session 48, benchmarks/results/cut-rounds-classification-s48/).
CUT_ROUNDS_TO_FIT = False


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
    rung: int = 0  # successive halving's rung (0 without it)
    refit_fidelity: float | None = None  # share of all rows to refit on, where not fidelity
    cpu_seconds: float = float("nan")  # process time of the trial's child and its children
    energy_joules: float = float("nan")  # RAPL's or the power model's (automl/_energy.py)
    energy_source: str = ""  # "rapl" or "model" ("" where not measured)

    def refit_seconds(self, n_rows: int, n_train: int, share: float | None = None) -> float:
        """Expected seconds of refitting on the ``share`` (default ``refit_fidelity``) of all
        ``n_rows`` rows, from one fold's fit on the ``fidelity`` share of ``n_train`` rows."""
        rows = (share or self.refit_fidelity or self.fidelity) * n_rows
        return self.single_fit_time * rows / max(1.0, self.fidelity * n_train)


@dataclass
class SearchResult:
    trials: list[TrialRecord] = field(default_factory=list)
    predictions: dict[int, np.ndarray] = field(default_factory=dict)
    models: dict[int, FoldBag] = field(default_factory=dict)  # fold models kept, by trial
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
    """Wall-clock and energy accounting for one fit; ``energy`` is joules (None: no limit),
    measured by ``meter`` from when the fit started."""

    start: float
    deadline: float
    per_trial: float
    max_trials: int | None
    energy: float | None = None
    meter: EnergyMeter = field(default_factory=EnergyMeter)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def total(self) -> float:
        return self.deadline - self.start

    def energy_left(self) -> float:
        """Joules left of ``energy`` (infinite without an energy budget)."""
        return math.inf if self.energy is None else self.energy - self.meter.joules()


def ensemble_pool(result: SearchResult) -> list[TrialRecord]:
    """The successful trials that may enter the ensemble, best first: those of the highest rung
    any trial reached (all of them without successive halving)."""
    successful = result.successful()
    top = max((t.rung for t in successful), default=0)
    return [t for t in successful if t.rung == top]


def ensemble_candidates(
    result: SearchResult, size: int, per_family: bool | None = None
) -> list[TrialRecord]:
    """The trials ensemble selection chooses from, best first: the ``size`` best of
    ``ensemble_pool`` whose predictions were kept and, with ``per_family`` (default
    ``ENSEMBLE_PER_FAMILY``), the best trial of every other family as well, so that a family
    the search exploited on noisy validation rows is not the only choice."""
    per_family = ENSEMBLE_PER_FAMILY if per_family is None else per_family
    pool = [t for t in ensemble_pool(result) if t.trial in result.predictions]
    chosen = pool[:size]
    if per_family:
        families = {t.model for t in chosen}
        for trial in pool[size:]:
            if trial.model not in families:
                chosen.append(trial)
                families.add(trial.model)
    return chosen


def trial_power(result: SearchResult, budget: Budget, n_jobs: int) -> float:
    """Watts of a trial while it runs: the last trials' joules per wall-clock second (not the
    first's once others ran: it also waits for the fork server to start), or, before a second
    of trials, the power model's for ``n_jobs`` busy cores."""
    ran = [t for t in result.trials if np.isfinite(t.energy_joules) and t.end_time > t.start_time]
    ran = ran[1:][-POWER_TRIALS:] if len(ran) > 1 else ran
    seconds = sum(t.end_time - t.start_time for t in ran)
    if seconds >= 1.0:
        return max(sum(t.energy_joules for t in ran) / seconds, 1e-3)
    available = os.cpu_count() or 1
    cores = available if n_jobs < 1 else min(n_jobs, available)
    return budget.meter.watts * cores


def energy_wall(
    result: SearchResult,
    budget: Budget,
    reserve: float,
    n_jobs: int,
    running: tuple[float, ...] = (),
) -> float:
    """Seconds a trial may run on the energy left (less ``reserve`` seconds of refitting at
    the same power); infinite without an energy budget. ``running`` holds the start times of
    trials still running: what they spent so far is not counted yet, and what is left is
    shared with them."""
    left = budget.energy_left()
    if not math.isfinite(left):
        return math.inf
    power = trial_power(result, budget, n_jobs)
    now = budget.elapsed()
    left -= power * sum(now - start for start in running)
    return (left / power - reserve) / (len(running) + 1)


def refit_reserve(
    result: SearchResult,
    n_rows: int,
    n_train: int,
    top: int = 3,
    cap: float = math.inf,
    n_splits: int = 1,
) -> float:
    """Seconds to keep for refitting the best pipelines on all rows after the search: at most
    ``cap`` for refitting on more rows than they were validated on (successive halving's lower
    rungs), never less than for refitting on as many; a member that is its models of some of
    the ``n_splits`` folds (``fold_bag_size``) costs those folds' fits, or nothing where its
    trial brought them back."""
    best = ensemble_pool(result)[:top]

    def seconds(t: TrialRecord, share: float | None = None) -> float:
        if t.trial in result.models:
            return 0.0
        if bag := fold_bag_size(n_rows, n_splits, t.fidelity):
            return bag * t.single_fit_time
        return t.refit_seconds(n_rows, n_train, share)

    wanted = 0.5 + 1.3 * sum(seconds(t) for t in best)
    validated = 0.5 + 1.3 * sum(seconds(t, t.fidelity) for t in best)
    return max(validated, min(wanted, cap))


@dataclass
class _Launched:
    """A trial on its way: what it needs when its result comes."""

    index: int
    values: dict[str, Any]
    origin: str
    handle: Any
    rung: int
    fidelity: float
    expected: float
    start: float
    mark: Any


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
    keep_models: int = 0,
    cost: CostEstimator | None = None,
    halving: Halving | None = None,
    executor: Executor | None = None,
    verbose: int = 0,
    caps: Mapping[tuple, float] | None = None,
) -> SearchResult:
    """Trials until the time or energy budget (less the refit reserve) or ``max_trials`` runs
    out; a trial may run only as long as the energy left allows at the trials' power. With
    ``cost``, a configuration expected not to finish within its limit is skipped (recorded as
    ``skipped`` and told to the optimiser as a crash) rather than run into a timeout, and a
    family's defaults after the first expected to take longer than ``first_look_seconds``
    allows run on a row sample sized to it (and are refitted on all rows). With
    ``halving``, new configurations run on its lowest rung's rows and the best are promoted
    (``automl/_halving.py``); the optimiser is told the lowest rung's losses only, unless it
    schedules the rungs itself (``Optimizer.schedules_fidelity``): then it picks each trial's
    rung and is told every result. The ``keep_models`` best trials whose members would be
    their fold models (``fold_bag_size``) keep those models, so the members need no refit.

    ``executor`` runs up to its ``workers`` trials at once (default: one child process at a
    time, the only setting whose trials a seed repeats), each under ``memory_limit`` MB; the
    optimiser is asked again while others run, and told each result as it comes. ``caps``
    (configuration key -> seconds) bounds those configurations' trials below their limit."""
    executor = executor if executor is not None else LocalExecutor(1)
    origins = dict(origins)  # a family's defaults cut to fit join them
    caps = caps or {}
    result = SearchResult()
    n_train = len(spec.splits[0][0])
    skips_in_a_row = 0
    anchored = False  # whether the first defaults have been launched
    first_looks: set[int] = set()  # defaults sampled to save search time, not as too slow
    running: dict[Any, _Launched] = {}
    next_index = 0
    stopped = False
    scheduled = halving is not None and optimizer.schedules_fidelity  # the optimiser picks rungs
    try:
        while True:
            while not stopped and len(running) < executor.workers:
                if (
                    budget.max_trials is not None
                    and result.n_run() + len(running) >= budget.max_trials
                ):
                    stopped = True
                    break
                reserve = refit_reserve(
                    result,
                    len(y),
                    n_train,
                    cap=REFIT_SHARE * budget.total(),
                    n_splits=len(spec.splits),
                )
                wall = min(budget.per_trial, budget.left() - reserve)
                starts = tuple(launched.start for launched in running.values())
                wall = min(wall, energy_wall(result, budget, reserve, spec.n_jobs, starts))
                if not result.n_run() and not running:
                    # However small the budget, the first pipeline (LightGBM's defaults) gets a chance.
                    wall = max(wall, min(budget.per_trial, FIRST_TRIAL_FLOOR))
                elif wall < MIN_TRIAL_SECONDS or budget.left() <= MIN_TRIAL_SECONDS:
                    stopped = True
                    break
                promotion = None
                if halving is not None and not scheduled:
                    promotion = halving.next_promotion()
                if promotion is not None:
                    rung, values = promotion
                    handle = None
                else:
                    tick = time.monotonic()
                    config, handle = optimizer.ask()
                    result.optimizer_seconds += time.monotonic() - tick
                    rung, values = 0, dict(config)
                    if scheduled:
                        rung = halving.fidelities.index(optimizer.fidelity(handle))
                key = config_key(values)
                expected = np.nan
                fidelity = halving.fidelities[rung] if halving is not None else 1.0
                if cost is not None:
                    limit = max(wall, MIN_TRIAL_SECONDS)
                    fits, expected, basis = cost.affordable(values, limit, fidelity)
                    sampled = cost.sample_fidelity(values, wall) if not fits else None
                    if sampled is not None and (
                        rung == 0 or sampled > halving.fidelities[rung - 1]
                    ):
                        fits, fidelity = True, min(sampled, fidelity)
                    if fits and rung == 0 and origins.get(key) == "default":
                        if anchored:  # the first defaults (LightGBM's) always see every row
                            first_look = cost.sample_fidelity(
                                values,
                                first_look_seconds(budget.total()),
                                share=1.0,
                                at_least=FIRST_LOOK_AT_LEAST,
                            )
                            if first_look is not None and first_look < fidelity:
                                fidelity = first_look
                                first_looks.add(next_index)
                        anchored = True
                    if not fits and promotion is not None:
                        continue  # not worth more rows than its last rung had within a trial's limit
                    if not fits and skips_in_a_row < MAX_SKIPS_IN_A_ROW:
                        skips_in_a_row += 1
                        why = f"expected {expected:.1f}s ({basis}) > limit {wall:.1f}s"
                        origin = origins.get(key, "search")
                        record = _skip(next_index, values, origin, budget, expected, why)
                        next_index += 1
                        result.trials.append(record)
                        optimizer.tell(handle, crash_cost, crashed=True)
                        if origin == "default" and promotion is None:
                            _cut_to_fit(values, cost, wall, optimizer, origins)
                        if verbose >= 1:
                            _report(record, result, metric)
                        continue
                skips_in_a_row = 0
                launched = _Launched(
                    next_index,
                    values,
                    origins.get(key, "search"),
                    handle,
                    rung,
                    fidelity,
                    expected,
                    budget.elapsed(),
                    budget.meter.mark(),
                )
                next_index += 1
                bag = fold_bag_size(len(y), len(spec.splits), fidelity) if keep_models else 0
                job = executor.submit(
                    evaluate,
                    (values, X, y, spec, fidelity, bag, _kept_loss_bound(result, keep_models)),
                    wall_time=max(min(wall, caps.get(key, wall)), MIN_TRIAL_SECONDS),
                    memory_mb=memory_limit,
                )
                running[job] = launched
            if not running:
                break
            job, outcome = wait_any(list(running))
            launched = running.pop(job)
            record = _record(launched, outcome, metric, budget, result)
            if record.trial in first_looks:  # all rows fit a trial's limit: refit on them
                record.refit_fidelity = 1.0
            if halving is not None and record.fidelity == halving.fidelities[record.rung]:
                # Its rows were few to search fast, not because all would not fit: refit on all.
                record.refit_fidelity = 1.0
            if halving is not None:
                halving.record(record.rung, config_key(record.config), record.config, record.loss)
            if cost is not None and record.status in (Status.SUCCESS.value, Status.TIMEOUT.value):
                # The model fitting measured in the child, not the wall time (a first trial's also
                # waits for the worker process to start); a timeout's at its limit.
                timed_out = record.status == Status.TIMEOUT.value
                cost.observe(
                    record.config, record.fit_time, timed_out=timed_out, fidelity=record.fidelity
                )
            crashed = record.status != Status.SUCCESS.value
            if launched.handle is not None:
                tick = time.monotonic()
                optimizer.tell(
                    launched.handle, crash_cost if crashed else record.loss, crashed=crashed
                )
                result.optimizer_seconds += time.monotonic() - tick
            _keep_best_predictions(result, keep_predictions)
            _keep_best_models(result, keep_models)
            if verbose >= 1:
                _report(record, result, metric)
    finally:
        for job in running:  # an interrupted search leaves no trial running
            job.kill()
    result.trials.sort(key=lambda t: t.trial)
    return result


def _cut_to_fit(
    values: dict, cost: CostEstimator, wall: float, optimizer: Optimizer, origins: dict
) -> None:
    """Ask next ``values`` (a family's defaults just skipped) with its rounds cut to fit
    ``wall`` seconds, as the family's defaults, where it has rounds to cut and the space allows."""
    cut = cost.fewer_rounds(values, wall) if CUT_ROUNDS_TO_FIT else None
    if cut is None:
        return
    try:
        config = Configuration(optimizer.space, values=cut)
    except (ValueError, TypeError):  # the user fixed the rounds or bounded them above the cut
        return
    if optimizer.insert_next(config):
        origins[config_key(config)] = "default"


def _record(
    launched: _Launched,
    outcome: LimitedResult,
    metric: Metric,
    budget: Budget,
    result: SearchResult,
) -> TrialRecord:
    end = budget.elapsed()
    joules, source = budget.meter.trial(launched.mark, outcome.cpu_seconds)
    if outcome.status is Status.SUCCESS:
        value = outcome.value
        result.predictions[launched.index] = value.predictions
        if value.models is not None:
            result.models[launched.index] = pickle.loads(value.models)
        loss, fit_time, single = value.loss, value.fit_time, value.single_fit_time
        refit_config = value.refit_config
    else:
        loss, fit_time, single = np.nan, end - launched.start, end - launched.start
        refit_config = None
    record = TrialRecord(
        trial=launched.index,
        model=launched.values["model"],
        config=launched.values,
        origin=launched.origin,
        loss=float(loss),
        score=float(metric.to_score(loss)) if np.isfinite(loss) else np.nan,
        status=outcome.status.value,
        fit_time=float(fit_time),
        single_fit_time=float(single),
        start_time=launched.start,
        end_time=end,
        error=outcome.error,
        expected_time=launched.expected,
        refit_config=refit_config,
        fidelity=launched.fidelity,
        rung=launched.rung,
        cpu_seconds=float(outcome.cpu_seconds),
        energy_joules=float(joules),
        energy_source=source,
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
        cpu_seconds=0.0,
        energy_joules=0.0,
    )


def _keep_best_predictions(result: SearchResult, keep: int) -> None:
    """Out-of-fold predictions cost memory: keep them only for the best trials."""
    if len(result.predictions) <= keep:
        return
    best = {t.trial for t in ensemble_candidates(result, keep, per_family=True)}
    for trial in [t for t in result.predictions if t not in best]:
        del result.predictions[trial]


def _kept_loss_bound(result: SearchResult, keep: int) -> float:
    """The loss a trial must beat for its fold models to be kept: the ``keep``-th best's."""
    pool = ensemble_pool(result)
    return pool[keep - 1].loss if keep and len(pool) >= keep else math.inf


def _keep_best_models(result: SearchResult, keep: int) -> None:
    """Fold models cost more memory than predictions: keep them only for the ``keep`` best."""
    best = {t.trial for t in ensemble_pool(result)[:keep]}
    for trial in [t for t in result.models if t not in best]:
        del result.models[trial]


def _report(record: TrialRecord, result: SearchResult, metric: Metric) -> None:
    best = result.successful()
    best_score = f"{best[0].score:.4f}" if best else "-"
    outcome = f"{metric.name}={record.score:.4f}" if record.status == "success" else record.status
    sampled = f", {record.fidelity:.0%} of rows" if record.fidelity < 1 else ""
    sampled += f", rung {record.rung}" if record.rung else ""
    energy = (
        f", {record.cpu_seconds:.1f} CPU s, {record.energy_joules:.0f} J"
        if record.status != SKIPPED
        else ""
    )
    print(
        f"[automl] trial {record.trial + 1:>3} {record.model:<20} {outcome:<22} "
        f"best {best_score}  ({record.end_time - record.start_time:.1f}s{energy}{sampled}, "
        f"{record.origin}, {record.end_time:.0f}s elapsed)",
        file=sys.stderr,
        flush=True,
    )
