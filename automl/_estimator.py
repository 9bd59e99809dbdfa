"""The AutoML estimators: scikit-learn classifiers and regressors that search the CASH space."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from automl import _validation as checks
from automl._calibration import Calibrator
from automl._columns import infer_column_types, normalize_frame
from automl._cost import (
    PROCESS_OVERHEAD,
    CostEstimator,
    count_bins,
    distinct_values,
    lightgbm_default_seconds,
)
from automl._energy import EnergyMeter
from automl._ensemble import EnsembleModel, select_and_calibrate
from automl._evaluation import EvaluationSpec, fold_bag_size, make_splits, refit, refit_folds
from automl._fallback import failure_summary, fallback_model, fit_fallback
from automl._halving import plan_halving
from automl._input import TableInput
from automl._limits import Status, run_limited, start_fork_server
from automl._optimizers import Unsteered, make_optimizer
from automl._parallel import DaskExecutor, LocalExecutor, effective_cores, local_workers
from automl._search import Budget, SearchResult, ensemble_candidates, ensemble_pool, run_search
from automl._space import SPACE_VERSION, build_space, config_key, make_pipeline, translate
from automl._steering import boxed, steer, user_first
from automl._task import Task, get_metric
from automl.components import DataShape
from automl.components.catboost import BORDER_COUNT

REFIT_RETRIES = 3  # single trials tried when the ensemble could not be refitted
REFIT_SLACK = 1.3  # a refit's expected seconds, times this, must fit its wall time
KEEP_PREDICTIONS = 50  # trials whose out-of-fold predictions stay in memory for ensembling
ENSEMBLE_CANDIDATES = 20
# The best trials whose fold models the search keeps for their members (tables of up to
# FOLD_BAG_ROWS rows), instead of fitting the same models again after it. 0: refit them all.
KEEP_FOLD_MODELS = 10
# Whether SMAC is told the portfolio's members' results. False runs them in its place, unseen
# (Unsteered): at 60 s on 17 small tables it was 4 better, 11 worse than cold SMAC, the default
# 6 and 9 (benchmarks/results/portfolio-60s-s18/); kept to measure.
PORTFOLIO_STEERS = True
# In a search bounded by seconds, when a warm-start configuration sets the best loss so far, its
# family's defaults (if still waiting in the opening) run next: a portfolio's member of a family
# stands for the family and defers its defaults, which on data unlike the matrix's can be the
# better of the two (session 29, benchmarks/results/follow-the-leader-s29/).
FOLLOW_THE_LEADER = True
# Whether a family's defaults still run in the opening when a warm-start member of the family
# ran before their turn (after the warm start). False leaves that time to the optimiser: 1.4
# trials more a fit, level at 60 s on 77 regression tables (28 / 16 / 33; session 45,
# benchmarks/results/covered-defaults-s45/); kept to measure.
COVERED_DEFAULTS = True
# In a search bounded by seconds, once a family's defaults and a portfolio member have run, the
# members still waiting are dropped if their best loss is worse than the defaults' best by the
# task kind's margin here or more (a kind left out: the whole portfolio runs). With margin 0 in
# regression, level with the default at 60 s on 77 tables (28 / 16 / 33), behind it where it
# dropped members that would have paid (session 46, benchmarks/results/opening-check-s46/);
# kept to measure.
OPENING_CHECK: dict[str, float] = {}
# A portfolio member's trial stops at this many times the fitting seconds the knowledge base
# predicts for it here (plus a trial's overhead) instead of at the trial's limit: a member that
# slow is not what the base measured (on a 6,674-row table, a CatBoost member predicted at 4.2 s
# and an SVR at 1.7 s each ran into the 15 s limit). None: the trial's limit alone. Off; kept
# to measure (session 53, mode `-capped`).
MEMBER_LIMIT_FACTOR: float | None = None
# resampling="auto": 5-fold CV repeated 3 times up to this many rows, where it lowered test log
# loss (benchmarks/calibration.py; above, it did not pay for its 2-3 times longer trials), when
# the budget is long enough that trials costing that much still leave enough of them.
REPEATED_CV_ROWS = 200
REPEATED_CV_MIN_BUDGET = 60.0
# resampling="auto" validates on one holdout above 20,000 rows or 2 million cells, or once
# LightGBM's defaults under 5-fold CV are expected (automl/_cost.py, which errs about twice too
# high) to take more than this many times a trial's limit. A stricter share (0.25) chose a
# holdout on 2,000-row tables where CV had selected far better pipelines (optdigits: test log
# loss 0.25 against 0.07; benchmarks/results/cost-spot/).
CV_COST_SHARE = 2.0
# The trials' fork server starts once the input is checked, so that its imports (2.6 s on a
# slow machine) overlap the fit's own preparation, not at the first trial and out of its limit.
# A first fit in a fresh process at 10 s: the first trial ends 1.3 s sooner, 5.5 trials instead
# of 4.4 (8 tables, 2 repeats; benchmarks/results/fresh-process-s40/).
EARLY_FORK_SERVER = True


class _AutoMLBase(BaseEstimator):
    _classification: bool

    def __init__(
        self,
        *,
        time_budget: float = 60.0,
        energy_budget: float | None = None,
        n_trials: int | None = None,
        metric: str | None = None,
        resampling: str | int = "auto",
        per_trial_time_limit: float | None = None,
        memory_limit: int | None = 4096,
        n_jobs: int = -1,
        dask_client=None,
        ensemble_size: int = 50,
        optimizer: str = "smac",
        models: tuple[str, ...] | None = None,
        initial_configurations: list[dict[str, Any]] | None = None,
        search_space: dict[str, Any] | None = None,
        exclude_preprocessing: tuple[str, ...] | None = None,
        knowledge_base=None,
        warm_start: bool = True,
        transfer: bool | str = False,
        update_knowledge_base: bool = True,
        leave_one_out: bool = False,
        random_state: int | None = None,
        verbose: int = 0,
    ):
        self.time_budget = time_budget
        self.energy_budget = energy_budget
        self.n_trials = n_trials
        self.metric = metric
        self.resampling = resampling
        self.per_trial_time_limit = per_trial_time_limit
        self.memory_limit = memory_limit
        self.n_jobs = n_jobs
        self.dask_client = dask_client
        self.ensemble_size = ensemble_size
        self.optimizer = optimizer
        self.models = models
        self.initial_configurations = initial_configurations
        self.search_space = search_space
        self.exclude_preprocessing = exclude_preprocessing
        self.knowledge_base = knowledge_base
        self.warm_start = warm_start
        self.transfer = transfer
        self.update_knowledge_base = update_knowledge_base
        self.leave_one_out = leave_one_out
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Search pipelines within ``time_budget`` seconds and fit the best ensemble on all rows.

        Returns
        -------
        self
        """
        start = time.monotonic()
        meter = self._meter = EnergyMeter()  # this fit's CPU seconds and joules from now on
        checks.check_params(self)
        frame = checks.check_X(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        target = checks.check_target(y, len(frame), self._classification)
        y_enc, task = self._encode_target(target)
        if len(frame) < 2:
            raise ValueError("AutoML needs at least 2 samples to fit, got 1 sample.")
        if EARLY_FORK_SERVER:
            start_fork_server()
        self.task_ = task
        metric = get_metric(self.metric, task)
        self.metric_ = metric.name
        columns = infer_column_types(frame)
        data = normalize_frame(frame, columns)
        self._columns = columns
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        self._seed = seed
        shape = DataShape(len(data), data.shape[1], len(getattr(self, "classes_", [])))
        per_trial = float(self.per_trial_time_limit or max(5.0, self.time_budget / 4))
        distinct = distinct_values(data, seed=seed)
        n_bins = count_bins(distinct)
        resampling = self._resampling(shape, per_trial, n_bins)
        n_classes = len(self.classes_) if self._classification else 0
        spec = EvaluationSpec(
            task=task,
            metric=metric.name,
            columns=columns,
            splits=make_splits(y_enc, task, resampling, seed),
            n_classes=n_classes,
            n_jobs=effective_cores(self.n_jobs),
            seed=seed,
        )
        space = build_space(task, shape, columns, seed=seed, include=self.models)
        steered = steer(  # the user's narrowing and configurations, checked before any trial
            space,
            task,
            seed=seed,
            search_space=self.search_space,
            initial_configurations=self.initial_configurations,
            exclude_preprocessing=self.exclude_preprocessing,
        )
        space = steered.space
        self.search_space_ = space

        from automl._knowledge import (  # lazily: reads the knowledge base
            TrialCost,
            explain_warm_start,
            plan_warm_start,
            record_fit,
        )

        cost = TrialCost(
            sum(len(t) for t, _ in spec.splits),
            data.shape[1],
            per_trial,
            shape.n_classes,
            len(spec.splits),
        )
        n_train = len(spec.splits[0][0])
        n_borders = count_bins(distinct, BORDER_COUNT)
        estimator = CostEstimator(
            n_train, len(spec.splits), data.shape[1], shape.n_classes, n_bins, n_borders=n_borders
        )
        warm = plan_warm_start(
            frame,
            target,
            task,
            metric,
            space,
            seed,
            cost,
            warm_start=self.warm_start,
            knowledge_base=self.knowledge_base,
            transfer=self.transfer,
            leave_one_out=self.leave_one_out,
            update_knowledge_base=self.update_knowledge_base,
            per_trial=_bounded_by_trials(self.n_trials, self.time_budget, estimator),
        )
        if self.verbose >= 1 and warm.own_past:
            print(
                f"[automl] own past: {len(warm.own_past)} configurations from past fits of "
                "this data run first",
                file=sys.stderr,
            )
        if self.verbose >= 1 and warm.configurations:
            print(
                f"[automl] warm start: {len(warm.configurations)} configurations from "
                f"{len(warm.neighbors)} similar datasets ({warm.seconds:.1f}s)",
                file=sys.stderr,
            )
        halving = plan_halving(estimator.default_seconds(), float(self.time_budget), n_train)
        first_rows = halving.fidelities[0] if halving is not None else 1.0
        initial, origins = _initial_configurations(
            space,
            warm.configurations,
            portfolio_first=warm.method.startswith("portfolio"),
            interleave=not warm.per_trial,
            default_first=warm.default_first,
            first_fits=estimator.fitting_share(per_trial) * first_rows,
            family_order=warm.family_order,
        )
        initial = [c for c in initial if config_key(c) not in warm.tried]  # told instead
        initial, origins = _first(warm.own_past, "own-past", initial, origins)
        initial, origins = user_first(steered.initial, initial, origins)
        prior = warm.prior
        if warm.search_box:  # transfer="box": SMAC samples where past datasets' best lie
            space, initial, prior = _in_box(space, warm.search_box, initial, prior, seed)
            self.search_space_ = space
        crash_cost = _crash_cost(metric, y_enc, spec)
        budget = Budget(
            start=start,
            deadline=start + float(self.time_budget),
            per_trial=per_trial,
            max_trials=self.n_trials,
            energy=self.energy_budget,
            meter=meter,
        )
        head = set()
        if not PORTFOLIO_STEERS:
            head = {key for key, origin in origins.items() if origin == "portfolio"}
        optimizer = make_optimizer(
            self.optimizer,
            space,
            [c for c in initial if config_key(c) not in head],
            seed,
            crash_cost,
            prior,
            warm.prior_mean,
            fidelities=halving.fidelities if halving is not None else None,
            optimum_prior=warm.optimum_prior,
        )
        if head:
            optimizer = Unsteered(optimizer, initial, head)
        elif not warm.per_trial:  # per trial, the pool's order holds
            if FOLLOW_THE_LEADER:
                optimizer.set_follow_ups(_follow_ups(initial, origins))
            kind = "classification" if spec.task.is_classification else "regression"
            margin = OPENING_CHECK.get(kind)
            if margin is not None:
                optimizer.set_opening_check(*_opening(initial, origins), margin=margin)
            if warm.family_check is not None:
                members = [c for c in initial if origins.get(config_key(c)) == "portfolio"]
                optimizer.set_family_check(members, warm.reserves, warm.family_check)
                for reserve in warm.reserves:
                    origins.setdefault(config_key(reserve), "portfolio")
        executor = self._executor(data, y_enc, spec)
        try:
            result = run_search(
                data,
                y_enc,
                replace(spec, n_jobs=max(1, spec.n_jobs // executor.workers)),
                metric,
                optimizer,
                budget,
                origins=origins,
                memory_limit=executor.trial_memory(self.memory_limit),
                keep_predictions=KEEP_PREDICTIONS,
                crash_cost=crash_cost,
                keep_models=KEEP_FOLD_MODELS,
                cost=estimator,
                halving=halving,
                executor=executor,
                verbose=self.verbose,
                caps=member_caps(warm.portfolio, MEMBER_LIMIT_FACTOR),
            )
        finally:
            optimizer.close()
            executor.close()
        self.n_workers_ = executor.workers
        self.trials_ = _trials_frame(result)
        search_joules = meter.joules()
        search_end = time.monotonic()
        self.model_, weights = self._fit_ensemble(result, data, y_enc, spec, metric, budget)
        ensemble_end = time.monotonic()
        self.leaderboard_ = _leaderboard(self.trials_, weights)
        successful = result.successful()
        pool = ensemble_pool(result)
        self.best_config_ = dict(pool[0].config) if pool else None
        self.warm_start_ = explain_warm_start(
            warm, self.trials_, optimizer.n_prior_told, optimizer.members_dropped
        )
        self.fit_time_ = time.monotonic() - start
        self.timings_ = {
            "total": self.fit_time_,
            "warm_start": warm.seconds,
            "optimizer": result.optimizer_seconds,
            "trials": float((self.trials_["end_time"] - self.trials_["start_time"]).sum()),
            "model_fitting": float(self.trials_["fit_time"].sum()),
            "ensemble_and_refit": ensemble_end - search_end,
            "search": search_end - start,
        }
        self.energy_ = {**meter.summary(), "search_joules": search_joules}
        if self.update_knowledge_base:
            record_fit(warm.kb, warm.fingerprint, warm.metafeatures, result.trials, spec)
        if self.verbose >= 1:
            print(
                f"[automl] {result.n_run()} trials, {len(successful)} successful, "
                f"ensemble of {len(weights)}, fit in {self.fit_time_:.1f}s, "
                f"{self.energy_['cpu_seconds']:.0f} CPU s, {self.energy_['joules']:.0f} J "
                f"({self.energy_['source']})",
                file=sys.stderr,
            )
        return self

    def _executor(self, data, y_enc, spec):
        """Where trials run: the Dask cluster given, else up to ``n_jobs`` child processes of
        this one at a time (one thread each; with fewer cores than workers, the threads share)."""
        if self.dask_client is not None:
            return DaskExecutor(self.dask_client, scatter=(data, y_enc))
        data_bytes = float(data.memory_usage(deep=False).sum() + y_enc.nbytes)
        return LocalExecutor(local_workers(spec.n_jobs, self.memory_limit, data_bytes))

    def _resampling(self, shape: DataShape, per_trial: float, n_bins: float | None = None):
        """``auto``: 5-fold CV up to 20,000 rows and 2 million cells unless LightGBM's defaults
        under it are expected to take ``CV_COST_SHARE`` times a trial's limit, repeated 3 times
        on small data with a long enough budget; else a holdout."""
        if self.resampling != "auto":
            return self.resampling
        n, p, k = shape.n_rows, shape.n_features, shape.n_classes
        cv_cost = 5 * lightgbm_default_seconds(0.8 * n, p, k, n_bins)
        small = n <= 20_000 and n * p <= 2_000_000
        if not small or cv_cost > CV_COST_SHARE * per_trial:
            return "holdout"
        long_enough = self.time_budget >= REPEATED_CV_MIN_BUDGET
        if n <= REPEATED_CV_ROWS and long_enough and 3 * cv_cost <= CV_COST_SHARE * per_trial:
            return "repeated-cv"
        return "cv"

    def _fit_ensemble(self, result: SearchResult, data, y_enc, spec, metric, budget: Budget):
        """Caruana selection over the best trials and (classification) a calibrator, both on
        out-of-fold predictions, then each member refitted on all rows (or its fold models, where the
        search kept them)."""
        candidates = ensemble_candidates(result, ENSEMBLE_CANDIDATES)
        if not candidates:
            failed = failure_summary(
                [t.status for t in result.trials], [t.error for t in result.trials]
            )
            reason = f"No trial succeeded within the budget ({failed})"
            return self._fallback(data, y_enc, spec, budget, reason), {}
        validated = ~np.isnan(result.predictions[candidates[0].trial].reshape(len(y_enc), -1)[:, 0])
        preds = [result.predictions[t.trial][validated].astype(np.float64) for t in candidates]
        labels = np.arange(spec.n_classes) if self._classification else None
        prior = (
            np.bincount(y_enc, minlength=spec.n_classes) / len(y_enc)
            if labels is not None
            else None
        )
        weights, calibrator = select_and_calibrate(
            preds,
            y_enc[validated],
            metric,
            size=self.ensemble_size,
            labels=labels,
            prior=prior,
            seed=spec.seed,
        )
        chosen = sorted(((w, t) for w, t in zip(weights, candidates) if w > 0), key=lambda p: -p[0])
        # The member best alone is refitted first: if the budget ends after it, the model
        # left is at least as good as that member, not a weak one that was weighted in.
        alone = min(chosen, key=lambda p: p[1].loss)
        chosen = [alone, *(p for p in chosen if p is not alone)]
        members, kept = [], {}
        for i, (weight, trial) in enumerate(chosen):
            pipeline = result.models.get(trial.trial)  # its fold models, kept by the search
            if pipeline is None:
                bagged = _fold_bagged(trial, len(y_enc), spec)
                wall = budget.left() if i else self._refit_allowance(trial, budget, bagged)
                if wall <= 0.1:
                    continue  # no time to refit it; a later member's models may be kept
                pipeline = self._refit(trial, data, y_enc, spec, wall)
            if pipeline is not None:
                members.append((weight, pipeline))
                kept[trial.trial] = weight
        if not members:
            # The ensemble's first member did not refit in time (a busy machine, a slow
            # refit): the best single trial that does beats a fallback fitted in no time.
            tried = {t.trial for _, t in chosen[:1]}
            for trial in [t for t in candidates if t.trial not in tried][:REFIT_RETRIES]:
                bagged = _fold_bagged(trial, len(y_enc), spec)
                wall = self._refit_allowance(trial, budget, bagged)
                if (pipeline := self._refit(trial, data, y_enc, spec, wall)) is not None:
                    warnings.warn(
                        f"The ensemble could not be refitted on all rows within the budget; "
                        f"using trial {trial.trial} ({trial.model}) alone.",
                        RuntimeWarning,
                        stacklevel=3,
                    )
                    floor = _floor(calibrator, prior)
                    alone = EnsembleModel([(1.0, pipeline)], spec.task, spec.n_classes, floor)
                    return alone, {trial.trial: 1.0}
            reason = "The best pipeline could not be refitted on all rows within the budget"
            return self._fallback(data, y_enc, spec, budget, reason), {}
        if len(members) < len(chosen) and _cut_short_is_worse(
            kept, candidates, preds, y_enc[validated], metric, labels
        ):
            members, kept = [(1.0, members[0][1])], {chosen[0][1].trial: 1.0}
            calibrator = _floor(calibrator, prior)
        total = sum(kept.values())
        return EnsembleModel(members, spec.task, spec.n_classes, calibrator), {
            k: v / total for k, v in kept.items()
        }

    @staticmethod
    def _refit_allowance(trial, budget: Budget, bagged: int = 0) -> float:
        """Wall seconds for refitting ``trial`` on all rows: what the budget has left, but at
        least enough for a fit a little slower than one of its folds' (``bagged`` of them)."""
        return max(budget.left(), 2.0 + 2 * trial.single_fit_time * max(1, bagged))

    def _refit(self, trial, data, y_enc, spec, wall: float | None = None):
        """``trial``'s pipeline refitted on all rows under limits (its fold models, on small
        tables: ``FOLD_BAG_ROWS``), or None if it failed. A trial of successive halving's lower
        rungs is refitted on as many rows as ``wall`` allows, at least as many as it was
        validated on."""
        if folds := _fold_bagged(trial, len(y_enc), spec):
            fit, args = refit_folds, (trial.config, data, y_enc, spec, folds)
        else:
            fidelity = trial.fidelity
            if trial.refit_fidelity is not None:
                expected = REFIT_SLACK * trial.refit_seconds(len(y_enc), len(spec.splits[0][0]))
                fits = 1.0 if wall is None or expected <= wall else wall / expected
                fidelity = max(trial.fidelity, trial.refit_fidelity * fits)
            fit, args = refit, (trial.refit_config or trial.config, data, y_enc, spec, fidelity)
        outcome = run_limited(fit, args, wall_time=wall, memory_mb=self.memory_limit)
        self._meter.trial(None, outcome.cpu_seconds)  # the refit's CPU counts towards the fit's
        return outcome.value if outcome.status is Status.SUCCESS else None

    def _fallback(self, data, y_enc, spec, budget: Budget, reason: str):
        """A cheap real model fitted in the time left (``automl/_fallback.py``), else a constant
        predictor (class prior or mean); either way with a warning that says why."""
        fit, what = fit_fallback(
            data, y_enc, spec, seconds=budget.left(), memory_mb=self.memory_limit
        )
        if fit is not None:
            warnings.warn(
                f"{reason}; fitted {what} instead. Increase time_budget or per_trial_time_limit "
                "for a real search.",
                RuntimeWarning,
                stacklevel=4,
            )
            return fallback_model(fit, spec, y_enc)
        warnings.warn(
            f"{reason}, and {what}; falling back to a constant predictor. Increase time_budget "
            "or per_trial_time_limit.",
            RuntimeWarning,
            stacklevel=4,
        )
        dummy = DummyClassifier(strategy="prior") if self._classification else DummyRegressor()
        dummy.fit(np.zeros((len(y_enc), 1)), y_enc)
        return _DummyModel(dummy, self._classification)

    # -------------------------------------------------------------- explain
    def explain(
        self, source: str = "trials", *, min_trials: int = 10, n_neighbors: int = 10
    ) -> pd.DataFrame:
        """fANOVA importance of the model family and of each hyperparameter
        (``metalearning.importance``): the share of the loss's variance each explains alone.

        ``source="trials"`` analyses this fit's successful trials: family ``"all"`` holds the
        choice of family (``model``) and the preprocessing every trial shares, then each family
        its own trials. ``source="knowledge_base"`` analyses the runs of the first
        ``n_neighbors`` past datasets the warm start found nearest (``warm_start_``), each
        alone, and averages them (column ``n_datasets`` added).

        Columns: ``family``, ``hyperparameter``, ``importance``, ``importance_std``,
        ``n_trials``, ``status``. A group with fewer than ``min_trials`` successful trials gets
        ``"not enough trials"`` and a NaN importance (so do ``"not varied"``,
        ``"constant loss"`` and ``"no signal"``: the forest predicts nothing out of bag).
        ``metalearning.plot_importance`` draws it.
        """
        check_is_fitted(self, "model_")
        from automl._explain import explain_fit

        return explain_fit(self, source, min_trials=min_trials, n_neighbors=n_neighbors)

    def report(self, out) -> Path:
        """Write the fit report into the folder ``out``: ``index.html`` with PNGs of the anytime
        curve, the leaderboard, the ensemble, the nearest past datasets, the hyperparameters'
        importance and time and energy per family (``automl/_report.py``; needs matplotlib).
        Returns the path of ``index.html``."""
        check_is_fitted(self, "model_")
        from automl._report import write_report

        return write_report(self, out)

    # -------------------------------------------------------------- predict
    def pipeline_for(self, trial: int | Mapping[str, Any]) -> Pipeline:
        """An unfitted pipeline of trial number ``trial`` of ``trials_``, or of a configuration
        of ``search_space_`` (hyperparameters left out take their defaults), built as the
        search built it: the same preprocessing, model, seed and ``n_jobs``.

        Its first step reads X as ``fit`` and ``predict`` do (an array or a DataFrame with this
        fit's columns), so ``pipeline_for(t).fit(X, y)`` refits one trial on other rows, e.g.
        to score it on a test set. A classifier's classes are those of the ``y`` it is fitted
        on, in sorted order.
        """
        check_is_fitted(self, "model_")
        if isinstance(trial, Mapping):
            config, why = translate(dict(trial), self.search_space_, project=False)
            if config is None:
                raise ValueError(f"Not a configuration of this fit's search space: {why}.")
            values = dict(config)
        else:
            rows = self.trials_[self.trials_["trial"] == trial]
            if rows.empty:
                raise ValueError(f"No trial {trial!r} among the {len(self.trials_)} of trials_.")
            values = dict(rows["config"].iloc[0])
        pipeline = make_pipeline(
            values, self.task_, self._columns, n_jobs=self.n_jobs, seed=self._seed
        )
        return Pipeline([("input", self._table_input()), *pipeline.steps])

    def _table_input(self) -> TableInput:
        names = getattr(self, "feature_names_in_", None)
        return TableInput(self._columns, None if names is None else tuple(map(str, names)))

    def _prepare(self, X) -> pd.DataFrame:
        check_is_fitted(self, "model_")
        checks.check_X(X)
        validate_data(self, X, skip_check_array=True, reset=False)
        return self._table_input().transform(X)

    def _predict_raw(self, X) -> np.ndarray:
        data = self._prepare(X)
        return self.model_.predict(data)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags


class AutoMLClassifier(ClassifierMixin, _AutoMLBase):
    """AutoML for classification: a warm-started SMAC search over models, hyperparameters and
    preprocessing, then a Caruana ensemble of the best pipelines refitted on all rows.

    Parameters
    ----------
    time_budget : float, default=60.0
        Wall-clock seconds for the whole ``fit``, final refit and ensembling included.
    energy_budget : float or None, default=None
        Joules for the whole ``fit`` (None: no limit), counted from its start: this
        process's CPU and every trial's and refit's, as RAPL measures them or, without RAPL,
        at ``automl._energy.WATTS_PER_CORE`` watts per busy core (an estimate). Like
        ``time_budget`` it stops the search early enough to keep the refit's expected share
        and cuts a trial that would outrun it (at the power of the last trials); the first
        trial always runs. The ensemble's selection and refit may overrun it a little.
    n_trials : int or None, default=None
        Cap on the number of pipelines evaluated (None: as many as the budget allows). When
        it, not the time budget, bounds the search (the budget holds that many trials at the
        expected cost of LightGBM's defaults), the knowledge base's portfolio runs in the
        order that pays per trial, before any family's defaults.
    metric : str or None, default=None
        ``roc_auc`` (default for binary), ``log_loss`` (default for multiclass), ``accuracy``,
        ``balanced_accuracy``.
    resampling : {"auto", "holdout", "cv", "repeated-cv"} or int, default="auto"
        How each trial is validated: ``auto`` is 5-fold stratified CV repeated 3 times up to
        200 rows (with a ``time_budget`` of at least 60 s), 5-fold CV up to 20,000 rows
        unless LightGBM's defaults under it are expected to take more than twice a trial's
        limit, else a stratified one-third holdout; an integer gives that many folds.
    per_trial_time_limit : float or None, default=None
        Seconds per trial (None: a quarter of the budget, at least 5 s).
    memory_limit : int or None, default=4096
        Megabytes of address space for the trials that run at once, shared equally (2 trials
        at a time: 2,048 MB each), and for the final refit (None: no limit). Fewer trials run
        at once than ``n_jobs`` allows where a share would hold less than 6 MB per MB of
        data (``automl._parallel.local_workers``): a large table gets fewer, larger shares.
        Each process's
        share comes on top of what it maps when it starts (the interpreter, its libraries and
        its copy of the data).
    n_jobs : int, default=-1
        Cores to use (-1: all). Up to ``n_jobs`` trials run at once, each in its own process
        with one thread, and the final refit uses ``n_jobs`` threads. With ``n_jobs=1`` a
        seed repeats the search; with more, which trials run depends on which finish first.
    dask_client : distributed.Client, str or None, default=None
        Run the trials on this Dask cluster (a client, or its scheduler's address, which
        ``clone`` can copy): as many at once as its workers have threads, each under
        ``memory_limit``. A lost worker or a failed task counts as a crashed trial. The
        workers need this package installed.
    ensemble_size : int, default=50
        Rounds of greedy ensemble selection (1: the best single pipeline).
    optimizer : {"smac", "random", "smac-halving"}, default="smac"
        Bayesian optimisation (SMAC3) or random search over the same space. Where a trial on
        all rows would cost a real share of the budget, "smac" and "random" run the search's
        own asynchronous successive halving on row samples; "smac-halving" lets SMAC's
        ``SuccessiveHalving`` intensifier schedule the rows instead (synchronous brackets;
        measured against it in the README).
    models : tuple of str or None, default=None
        Restrict the model families (e.g. ``("lightgbm", "random_forest")``).
    initial_configurations : list of dict or None, default=None
        The user's own configurations, run first (origin ``"user"`` in ``trials_``), before
        the warm start: keys as in ``search_space_`` (``{"model": "lightgbm",
        "lightgbm:num_leaves": 31}``); hyperparameters left out take the family's defaults
        (within ``search_space``), and ``model`` may be left out when the keys name one
        family. Checked against the space before any trial runs (a ``ValueError`` names the
        bad key or value).
    search_space : dict or None, default=None
        Narrow the space: ``{"lightgbm:num_leaves": (8, 64)}`` narrows a range (within the
        original), a scalar (``"lightgbm:learning_rate": 0.05``) fixes a value, a list
        restricts a categorical's choices (``"rescaling:__choice__": ["none", "standard"]``).
        The optimiser samples only the narrowed space; warm-start configurations are clipped
        into its ranges and dropped where a category they use was excluded. Entries for
        families ``models`` leaves out are checked, then ignored.
    exclude_preprocessing : tuple of str or None, default=None
        Preprocessing never to use: a step (``"feature_selection"``, ``"rescaling"``) or a
        choice (``"percentile"``, ``"quantile"``, ``"one_hot"``, ``"imputation:mean"``; write
        ``step:choice`` where a name is ambiguous).
    knowledge_base : str, path, KnowledgeBase or None, default=None
        Where past runs are read and written (None: the shipped base plus the user's own,
        in ``$AUTOML_KB_DIR`` or ``~/.automl/knowledge_base``).
    warm_start : bool, "portfolio", "portfolio+nearest" or "nearest", default=True
        Never start cold. ``True`` runs the knowledge base's portfolio first, its members
        ordered for this dataset by its nearest past datasets and those that cannot finish
        within a trial's time skipped, the first 10 that fit run, then SMAC (``"portfolio"``);
        a search bounded by ``n_trials`` runs the portfolio's pool in the order that pays per
        trial instead, in classification taking turns with the nearest datasets' best (as
        ``"portfolio+nearest"``: in the simulation on the matrix that paid per trial in
        classification and not in regression).
        ``"portfolio+nearest"`` has them take turns with the best candidate of each of the 25
        nearest datasets of the portfolio's matrix; without a portfolio, or with
        ``"nearest"``, the best configuration of each of the 25 nearest past datasets
        (auto-sklearn 1.0). Before either, whatever the base's past fits learned on this
        same data (its fingerprint, near-identical meta-features, or a nearest dataset that is
        a past fit, such as fewer rows of the same source): their best configurations run
        first (origin ``"own-past"``). ``False`` starts cold.
    transfer : bool, "prior", "ranking", "box" or "optimum", default=False
        With ``warm_start`` and the "smac" optimizer, let the knowledge base shape SMAC's
        surrogate after the initial configurations. With a portfolio, ``True`` or ``"prior"``
        give the forest a prior mean learned from the portfolio's matrix, its datasets weighted
        by meta-feature similarity; ``"ranking"`` weights them instead by how well each ranks
        this search's own trials, re-weighted on every retrain (RGPE); ``"box"`` narrows each
        family's numeric ranges to those holding its best candidate on every past dataset
        (and the warm start), so that the optimiser samples only there (``search_space_``);
        ``"optimum"`` weights SMAC's expected improvement by a density around the pool's
        candidates that did best on the similar datasets, fading as its own trials accrue
        (piBO).
        Without a portfolio (``warm_start="nearest"``), the nearest datasets' other past
        results are told to SMAC.
        Off by default: none paid in the benchmarks (README, "Tried, not kept").
    update_knowledge_base : bool, default=True
        Append this fit's meta-features and trials to the user's knowledge base.
    leave_one_out : bool, default=False
        Hide this dataset (same fingerprint or near-identical meta-features) from the warm
        start, so a benchmark measures transfer rather than recall.
    random_state : int or None, default=None
        Seed; the same seed and ``n_trials`` give the same trials.
    verbose : int, default=0
        0 is silent; 1 prints a line per trial.

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.
    task_ : Task
    metric_ : str
    trials_ : DataFrame
        Every trial: configuration, origin, loss, score, status, times, error.
    leaderboard_ : DataFrame
        Trials ranked by validation score, with their ensemble weight.
    best_config_ : dict
        Configuration of the best single trial.
    warm_start_ : dict
        The ``method`` used; with a portfolio, every member's rank here and globally, its
        predicted fit time, why it was skipped or how it scored here, and how many members the
        opening dropped (``members_dropped``, see ``OPENING_CHECK`` and ``FAMILY_CHECK``), with
        the reserves that could run in their place; otherwise the nearest
        past datasets, their distances, the configurations taken from each and how they scored
        here, and how many past results were told to the optimiser (``transfer``);
        ``own_past``: the past fits' configurations run first, their loss there and here.
    fit_time_ : float
        Wall-clock seconds of the whole fit.
    timings_ : dict
        Where the time went: ``warm_start``, ``optimizer`` (SMAC's ask and tell), ``trials``
        (trial processes' wall clock, summed: up to ``n_workers_`` times the search's when
        trials run at once), ``model_fitting`` (inside them), ``ensemble_and_refit``.
    n_workers_ : int
        How many trials could run at once: the cores of ``n_jobs``, or the Dask cluster's
        threads.
    energy_ : dict
        What the fit cost: ``joules`` (the whole fit, what ``energy_budget`` limits),
        ``search_joules`` (up to the end of the search), ``cpu_seconds`` (this process's and its
        trial and refit processes'), ``trial_cpu_seconds``, ``source`` (``rapl`` or
        ``model``, an estimate) and ``watts_per_core`` (the model's). ``trials_`` holds each
        trial's ``cpu_seconds``, ``energy_joules`` and ``energy_source``.
    """

    _classification = True

    def _encode_target(self, target: np.ndarray):
        encoder = LabelEncoder()
        y_enc = encoder.fit_transform(target)
        self.classes_ = encoder.classes_
        return y_enc, checks.classification_task(y_enc)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        proba = self._predict_raw(X)
        proba = np.clip(proba, 0.0, None)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class AutoMLRegressor(RegressorMixin, _AutoMLBase):
    """AutoML for regression; the parameters and attributes are those of `AutoMLClassifier`,
    with metrics ``rmse`` (default), ``mae`` and ``r2``, and no ``classes_``."""

    _classification = False

    def _encode_target(self, target: np.ndarray):
        return target.astype(float), Task.REGRESSION

    def predict(self, X) -> np.ndarray:
        """Predicted values."""
        return np.asarray(self._predict_raw(X), dtype=float)


class _DummyModel:
    def __init__(self, dummy, classification: bool):
        self.dummy = dummy
        self.classification = classification

    def predict(self, X):
        zeros = np.zeros((len(X), 1))
        return self.dummy.predict_proba(zeros) if self.classification else self.dummy.predict(zeros)


def _fold_bagged(trial, n_rows: int, spec: EvaluationSpec) -> int:
    """How many of ``trial``'s fold models make its final member (``fold_bag_size``; 0: one
    refit)."""
    return fold_bag_size(n_rows, len(spec.splits), trial.fidelity)


def _bounded_by_trials(n_trials: int | None, time_budget: float, estimator) -> bool:
    """Whether ``n_trials`` rather than seconds bounds the search: the budget holds that many
    trials at the expected cost of LightGBM's defaults. A portfolio is then run in the order
    that pays per trial, not per second."""
    return n_trials is not None and n_trials * estimator.default_seconds() <= float(time_budget)


def _initial_configurations(
    space,
    warm_configs,
    *,
    portfolio_first: bool = False,
    first_fits: float = 1.0,
    interleave: bool = True,
    default_first: bool = False,
    family_order: list[str] | None = None,
):
    """The warm start interleaved with every family's defaults, so that each family is tried
    early: a portfolio's first member (chosen to pay) or else LightGBM's defaults, then in turn
    a default of a family not tried yet and the next warm-start configuration. Without
    ``interleave`` (a portfolio run per trial), the whole warm start comes first.

    With ``default_first``, LightGBM's defaults open a portfolio's search all the same: on a
    table larger than the portfolio's matrix saw, its members are extrapolated.

    ``first_fits`` is the share of a trial's limit LightGBM's defaults are expected to take;
    above one, a LightGBM with proportionally fewer trees opens the search, so that the first
    trial finishes.

    ``family_order`` (the knowledge base's, :func:`automl._knowledge._family_order`) orders the
    families' defaults after the opening one; families it leaves out follow in the usual order.
    """
    from metalearning.portfolio import defaults_order, interleave_defaults

    default = space.get_default_configuration()
    origin = "portfolio" if portfolio_first else "warm-start"
    warm = [(c, origin) for c in warm_configs]
    shared = {k: v for k, v in dict(default).items() if not k.startswith(default["model"] + ":")}
    usual = defaults_order(space["model"].choices)
    n_head = 1 if interleave else len(warm)
    opens_with_default = default_first or not portfolio_first
    learned = [f for f in family_order or () if f in usual]
    first = [default["model"]] if opens_with_default or not learned else []
    defaults = []
    for family in dict.fromkeys(first + learned + usual):
        config = default
        if family != default["model"]:
            config, _ = translate({**shared, "model": family}, space)
        if config is not None:
            defaults.append((config, "default"))
    head = defaults[:1] if opens_with_default else []
    if portfolio_first:
        head, warm = head + warm[:n_head], warm[n_head:]
    defaults = defaults[1:] if opens_with_default else defaults
    if first_fits > 1.0 and default["model"] == "lightgbm":
        head.insert(0, (_fewer_trees(space, default, first_fits), "default"))
    configs = interleave_defaults(
        warm,
        defaults,
        lambda item: item[0]["model"],
        head,
        covered=COVERED_DEFAULTS or not warm_configs,
    )
    origins: dict[tuple, str] = {}
    for config, origin in configs:
        origins.setdefault(config_key(config), origin)
    return [c for c, _ in configs], origins


def _in_box(space, box: dict[str, tuple], initial: list, prior: list, seed: int):
    """``space`` narrowed to the knowledge base's ``box`` (``transfer="box"``), wide enough
    for every initial configuration, and the initial configurations and told results as
    configurations of it (a told result outside it is clipped into it)."""
    narrowed = boxed(space, box, initial, seed)
    if narrowed is space:
        return space, initial, prior
    moved = [translate(dict(c), narrowed)[0] for c in initial]
    told = [(translate(dict(c), narrowed)[0], q) for c, q in prior]
    return narrowed, [c for c in moved if c is not None], [(c, q) for c, q in told if c is not None]


def _follow_ups(initial, origins: dict[tuple, str]) -> dict[tuple, Any]:
    """For each warm-start configuration, its family's defaults where they come later."""
    follow_ups, members = {}, {}
    for config in initial:
        key, family = config_key(config), config["model"]
        if origins.get(key) in ("portfolio", "warm-start"):
            members.setdefault(family, []).append(key)
        elif origins.get(key) == "default":
            follow_ups.update(dict.fromkeys(members.pop(family, []), config))
    return follow_ups


def member_caps(portfolio: Mapping[str, Any], factor: float | None) -> dict[tuple, float]:
    """Wall seconds each portfolio member that runs may take: ``factor`` times its predicted
    fitting seconds, plus a trial's overhead (:data:`MEMBER_LIMIT_FACTOR`); none without
    ``factor`` or a prediction."""
    if factor is None:
        return {}
    return {
        member["key"]: PROCESS_OVERHEAD + factor * member["predicted_fit_seconds"]
        for member in portfolio.get("members", ())
        if "key" in member and member.get("predicted_fit_seconds", 0) > 0
    }


def _opening(initial, origins: dict[tuple, str]) -> tuple[set[tuple], set[tuple]]:
    """The keys of the portfolio's members and of the families' defaults in ``initial``."""
    keys = [config_key(c) for c in initial]
    return (
        {k for k in keys if origins.get(k) == "portfolio"},
        {k for k in keys if origins.get(k) == "default"},
    )


def _first(configs, origin: str, initial, origins: dict[tuple, str]):
    """``configs`` (origin ``origin``) before ``initial``, each configuration once."""
    keys = {config_key(c) for c in configs}
    rest = [c for c in initial if config_key(c) not in keys]
    return [*configs, *rest], {**origins, **{k: origin for k in keys}}


def _floor(calibrator, prior):
    """Of a calibrator fitted to a whole ensemble, only its probability floor: what still
    holds for a model that is not that ensemble."""
    if calibrator is None:
        return None
    n = len(prior)
    return Calibrator("none", prior, np.ones(n), np.zeros(n), calibrator.eps)


def _cut_short_is_worse(kept: dict, candidates, preds, y, metric, labels) -> bool:
    """Whether the members the budget let be refitted (``kept``: trial -> weight, the first
    the one best alone) validate worse together, out of fold, than their first alone."""
    index = {t.trial: i for i, t in enumerate(candidates)}
    trials = list(kept)
    weights = np.array([kept[t] for t in trials], dtype=float)
    together = sum(w * preds[index[t]] for w, t in zip(weights / weights.sum(), trials))
    return metric.loss(y, together, labels) > metric.loss(y, preds[index[trials[0]]], labels)


def _fewer_trees(space, default, share: float):
    """LightGBM's defaults with the trees cut so that a fit takes about half a trial's limit."""
    trees = space["lightgbm:n_estimators"]
    if not hasattr(trees, "lower"):  # fixed by search_space: the user's number of trees
        return default
    n = int(max(trees.lower, min(trees.default_value, trees.default_value / (2 * share))))
    values = {**dict(default), "lightgbm:n_estimators": n}
    return type(default)(space, values=values)


def _crash_cost(metric, y_enc, spec) -> float:
    """Twice a constant predictor's loss: bad enough to avoid, finite for the surrogate."""
    y = y_enc
    if spec.task.is_classification:
        prior = np.bincount(y, minlength=spec.n_classes) / len(y)
        preds = np.tile(prior, (len(y), 1))
        loss = metric.loss(y, preds, np.arange(spec.n_classes))
    else:
        loss = metric.loss(y, np.full(len(y), float(np.mean(y))))
    return float(max(2.0 * loss, 1.0 if metric.greater_is_better else 1e-6))


def _trials_frame(result: SearchResult) -> pd.DataFrame:
    columns = [
        "trial",
        "model",
        "config",
        "origin",
        "loss",
        "score",
        "status",
        "fit_time",
        "start_time",
        "end_time",
        "expected_time",
        "fidelity",
        "rung",
        "cpu_seconds",
        "energy_joules",
        "energy_source",
        "error",
    ]
    rows = [{c: getattr(t, c) for c in columns} for t in result.trials]
    return pd.DataFrame(rows, columns=columns)


def _leaderboard(trials: pd.DataFrame, weights: dict[int, float]) -> pd.DataFrame:
    board = trials.copy()
    board["ensemble_weight"] = board["trial"].map(weights).fillna(0.0)
    board["_ok"] = board["status"] != Status.SUCCESS.value
    board["_rung"] = -board["rung"]  # successive halving's higher rungs first
    board = board.sort_values(["_ok", "_rung", "loss"], kind="stable")
    board = board.drop(columns=["_ok", "_rung"])
    board.insert(0, "rank", range(1, len(board) + 1))
    cols = [
        "rank",
        "trial",
        "model",
        "score",
        "loss",
        "ensemble_weight",
        "fit_time",
        "cpu_seconds",
        "energy_joules",
        "status",
        "origin",
        "config",
    ]
    return board[cols].reset_index(drop=True)


__all__ = ["SPACE_VERSION", "AutoMLClassifier", "AutoMLRegressor"]
