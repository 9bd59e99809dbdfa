"""The estimator's link to its past: warm-start configurations in, trials out."""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl._cost import row_growth
from automl._search import SKIPPED
from automl._space import SPACE_VERSION, config_key, translate

MAX_WARM_CONFIGS = 25
WARM_START_METHODS = (True, False, "portfolio", "portfolio+nearest", "nearest")
# With "portfolio+nearest", the portfolio's members take turns with the best candidate of each
# of this many nearest datasets of its matrix.
NEAREST_BEST = 25
# warm_start=True in a search bounded by its number of trials takes "portfolio+nearest"'s
# order in classification and the portfolio's alone in regression: simulated
# leave-one-dataset-out on the matrix, mean regret @10 picks with / without the nearest
# datasets' best, classification 0.0124 / 0.0187, regression 0.0274 / 0.0132
# (benchmarks/results/portfolio-simulation-matrix).
PER_TRIAL_NEAREST = {True: NEAREST_BEST, False: 0}  # keyed by task.is_classification
# A portfolio member is skipped when its predicted fit time exceeds this share of the
# per-trial limit (the prediction is a power law fitted on at most 2,000 rows: crude), keyed by
# task.is_classification. Leave-one-dataset-out on the classification matrix, of the cells
# predicted over 2 s, 35% took over 1.25 times the prediction (they would time out at 0.8) and
# 22% over twice it; at 60 s a member that times out takes a quarter of the search (session 31:
# a CatBoost member on a 10-class table). Regression's 0.8 is the one its 60 s figures were
# measured with.
AFFORDABLE_SHARE = {True: 0.5, False: 0.8}
# On a table of more rows than the portfolio's matrix evaluated a dataset on (Portfolio.max_rows;
# MATRIX_MAX_ROWS for a portfolio file without it), LightGBM's defaults open the search before
# the portfolio's members, whose losses there are extrapolated: the regression portfolio's
# first member (112 trees at learning rate 0.034) underfits 40,000 rows (344_mv: RMSE 0.37
# against the defaults' 0.12). On since session 28: at 10 s on the 12 PMLB regression tables
# of 8,192 to 40,768 rows it beat the members first on 9 of 12, worse on 3 (mean of two
# splits; RMSE 11% lower on average, p = 0.04 on relative differences) and made the portfolio
# level with cold SMAC (4 / 3 / 5, from 1 / 0 / 11; benchmarks/results/default-first-s28/). In
# classification it was level: 7 / 2 / 8 at 10 s on 17 tables over 2,000 rows (session 26) and
# 8 / 13 / 9 at 60 s on 30 (session 20, benchmarks/results/portfolio-60s-s20/).
DEFAULT_BEFORE_PORTFOLIO = True
# A refit continues the past fits of this data: what they ran is not run again (their best,
# own_past, excepted) but told to SMAC as results, at their quantile among the past fit's.
# Off: at 60 s on 28 PMLB classification tables of 2,201 to 28,056 rows it was level with a
# refit that runs its usual plan after the past best (better on 10, tied on 7, worse on 11,
# p = 0.84; benchmarks/results/own-past-60s-s25/); kept to measure.
OWN_PAST_CONTINUES = False
# On, the families' defaults that a portfolio's search interleaves with its members run in the
# order they pay on the nearest datasets per predicted second here (Portfolio.defaults_order),
# not in the fixed order (LightGBM, forests, boosting, linear, SVM, k-NN, MLP, CatBoost last).
# Simulated leave-one-dataset-out on the matrix it lowered the as-fitted regret @10 picks
# (classification 0.0321 -> 0.0201, better on 22 datasets, worse on 5; regression 0.0305 ->
# 0.0294), level at 5 to 60 simulated seconds; in real fits it was level: 10 s, 47
# classification tables, two splits, 16 / 15 / 16 (p = 0.94, mean loss 0.2347 against 0.2357;
# benchmarks/results/learned-defaults-s40/). Off; kept to measure.
LEARNED_DEFAULTS_ORDER = False
# Keyed by the portfolio's task kind: whether a search bounded by seconds takes its portfolio's
# members from the order that pays per trial (Portfolio.trial_order: the greedy without costs
# over the whole pool, in its global order), still interleaved with the families' defaults,
# instead of the time-aware members re-ordered for the table. Simulated leave-one-dataset-out
# on the matrix (benchmarks/results/untimed-members-s49/), the whole opening's mean regret in
# regression 0.0156 against 0.0252, and 0.0143 against 0.0148 in classification, where at 30
# simulated seconds the time-aware order is the better (0.0223 against 0.0307). In real fits at
# 60 s on the 77 regression tables it was level with the default (35 / 11 / 31, p = 0.52; 34
# trials a fit, not 38). Off; kept to measure.
UNTIMED_MEMBERS = {"classification": False, "regression": False}
# Keyed by the portfolio's task kind: whether the members' time-aware order divides each one's
# gain by its predicted seconds on this table (the cost model's, grown beyond the matrix's rows
# by automl._cost.row_growth) rather than by its typical cost on the matrix's tables. They
# differ beyond the matrix's rows, where a kernel SVM's time grows with about the square of its
# rows and the others' as ROW_EXPONENTS says (session 55, when the others grew as LightGBM's
# defaults: level with the typical costs at 60 s, 8 / 30 / 8 on 46 tables of over 2,000 rows),
# and in classification, whose cost model has each family's own exponents.
SHAPED_ORDER = {"classification": False, "regression": True}
# Keyed by the portfolio's task kind: a ratio r, or None for off. In a search bounded by
# seconds, a portfolio member still waiting is dropped once its family's best loss here is over
# r times the best loss so far (a family the table has shown to be far behind), and the next
# member after the first PORTFOLIO_TRIALS (a reserve) of a family not so far behind runs in its
# place. Session 56, at r = 1.5: simulated leave-one-dataset-out on the regression matrix, the
# opening's regret @20 picks on the Friedman tables 0.041 -> 0.028, on the others 0.012 ->
# 0.013; real fits at 60 s on the 77 regression tables, better than without on 34, worse on 19
# (Friedman 24 / 13, p = 0.12, test RMSE 1.6% lower on average; 2.8 members dropped a fit;
# benchmarks/results/family-check-s56/). Classification: simulated regret @15 picks 0.021 ->
# 0.017, but real fits at 60 s on 47 tables level with it off (17 / 12 / 18, p = 0.73; 4.2
# members dropped a fit, 45.6 trials against 51.0; session 57, forest-growth-s57/): off.
FAMILY_CHECK: dict[str, float | None] = {"classification": None, "regression": 1.5}
# Keyed by the portfolio's task kind, then family: beyond the matrix's rows, a member's time
# grows with its rows per fit to this power, times its fits (automl._cost.row_growth); a family
# left out grows as LightGBM's defaults do on this shape (the kernel SVM: SVM_ROW_EXPONENT).
# Session 57 timed every regression member that ran in 60 s fits (benchmarks/member_costs.py,
# benchmarks/results/forest-growth-s57/): fitted on 13 PMLB tables of over 2,000 rows, checked
# on 33 unseen tables, where the random forest's mean |log2(predicted / observed)| fell from
# 1.44 to 0.44 (9 of 11 members under by 2 times or more, then 1), the linear model's from
# 1.04 to 0.48, the MLP's from 0.89 to 0.52. The exponents fitted on the unseen tables alone
# were close (0.91, 0.22, 0.24). LightGBM's and CatBoost's (0.60, 0.41) predicted no better
# there than LightGBM's defaults' growth, left out. A fit's fixed costs keep them under 1. In
# real fits at 60 s on those 46 tables, level with LightGBM's growth (7 / 31 / 8, p = 0.86).
ROW_EXPONENTS: dict[str, dict[str, float]] = {
    "classification": {},
    "regression": {
        "random_forest": 0.9,
        "extra_trees": 0.25,
        "gradient_boosting": 0.1,
        "linear": 0.1,
        "mlp": 0.3,
    },
}


@dataclass(frozen=True)
class TrialCost:
    """What a trial's fitting will cost here: rows trained on over all folds, features, the
    seconds one trial may take, the classes (0 in regression) and the fits (folds)."""

    n_rows_trained: float
    n_features: int
    per_trial: float
    n_classes: int = 0
    n_fits: int = 1


def resolve_knowledge_base(value):
    """A KnowledgeBase from the estimator's ``knowledge_base`` parameter."""
    from knowledge_base import KnowledgeBase

    if value is None:
        return KnowledgeBase.default(on_corrupt="skip")
    if isinstance(value, KnowledgeBase):
        return value
    if isinstance(value, (str, os.PathLike)):
        return KnowledgeBase(Path(value), on_corrupt="skip")
    raise TypeError(
        "`knowledge_base` must be None, a folder path or a KnowledgeBase, "
        f"got {type(value).__name__}."
    )


@dataclass
class WarmStartPlan:
    """What the knowledge base suggested for one fit (``plan_warm_start``), and this dataset
    as the knowledge base knows it (for ``record_fit``)."""

    configurations: list = field(default_factory=list)
    origins: list[dict[str, Any]] = field(default_factory=list)
    neighbors: pd.DataFrame = field(default_factory=pd.DataFrame)
    untranslated: dict[str, int] = field(default_factory=dict)
    prior: list = field(default_factory=list)  # (Configuration, quantile) for the surrogate
    prior_datasets: int = 0
    method: str = "nearest"
    prior_mean: Any = None  # configuration vectors -> predicted normalised loss (transfer)
    optimum_prior: Any = None  # configuration vectors -> density of the optimum (piBO)
    prior_candidates: int = 0
    portfolio: dict[str, Any] = field(default_factory=dict)
    own_past: list = field(default_factory=list)  # past fits' best here, run before the rest
    own_past_origins: list[dict[str, Any]] = field(default_factory=list)
    tried: set = field(default_factory=set)  # keys past fits ran here (OWN_PAST_CONTINUES)
    per_trial: bool = False  # the portfolio in the order that pays per trial, not interleaved
    default_first: bool = False  # LightGBM's defaults before the portfolio (larger table)
    family_order: list[str] = field(default_factory=list)  # defaults' order; empty: the usual
    reserves: list = field(default_factory=list)  # members run in place of dropped ones
    family_check: float | None = None  # FAMILY_CHECK's ratio for this fit
    search_box: dict[str, tuple] = field(default_factory=dict)  # transfer="box": name -> range
    metafeatures: pd.Series | None = None
    fingerprint: str | None = None
    kb: Any = None
    reason: str = ""
    seconds: float = 0.0


def plan_warm_start(
    frame: pd.DataFrame,
    target: np.ndarray,
    task,
    metric,
    space,
    seed: int,
    cost: TrialCost | None = None,
    *,
    warm_start: bool | str = True,
    knowledge_base=None,
    transfer: bool | str = False,
    leave_one_out: bool = False,
    update_knowledge_base: bool = True,
    per_trial: bool = False,
) -> WarmStartPlan:
    """Meta-features, then the portfolio ordered for this dataset (members that cannot
    finish within ``cost.per_trial`` skipped) or, without a portfolio or with
    ``warm_start="nearest"``, the best configurations of the nearest past datasets; and,
    to run before either, the best of the base's past fits of this same data (``own_past``).

    The parameters after ``*`` are the estimator's of the same names, and ``per_trial``: the
    search is bounded by its number of trials (:meth:`Portfolio.trial_order`). The
    meta-features and fingerprint are computed whenever ``warm_start`` or
    ``update_knowledge_base`` needs them.
    """
    if not (warm_start or update_knowledge_base):
        return WarmStartPlan(reason="warm_start=False")
    start = time.monotonic()
    from knowledge_base import dataset_fingerprint
    from metalearning import compute_metafeatures
    from metalearning.portfolio import MATRIX_MAX_ROWS
    from metalearning.warmstart import (
        leave_one_out_exclusions,
        own_past,
        own_past_results,
        suggest_configurations,
    )

    kb = resolve_knowledge_base(knowledge_base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mf = compute_metafeatures(frame, target, task=task.value, random_state=0)
    plan = WarmStartPlan(metafeatures=mf, fingerprint=dataset_fingerprint(frame, target), kb=kb)
    if not warm_start:
        plan.reason = "warm_start=False"
    else:
        portfolio = None
        if warm_start in (True, "portfolio", "portfolio+nearest"):
            portfolio = _find_portfolio(kb, task)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN meta-features
            exclude = leave_one_out_exclusions(kb, mf, plan.fingerprint) if leave_one_out else []
            past = own_past(
                kb, mf, plan.fingerprint, task.value, exclude=exclude, metric=metric.name
            )
            found = None  # only without a portfolio: its suggestions are the warm start
            if portfolio is None:
                found = suggest_configurations(
                    kb, mf, task.value, metric=metric.name, exclude=exclude
                )
        _add_own_past(plan, past, space, cost)
        tried = []  # what the past fits of this data ran, if the refit continues them
        if OWN_PAST_CONTINUES and past:
            tried = own_past_results(kb, [s.dataset_id for s in past], metric=metric.name)
        plan.tried = _translated_keys(tried, space)
        if portfolio is not None:
            nearest = NEAREST_BEST if warm_start == "portfolio+nearest" else 0
            if warm_start is True and per_trial:
                nearest = PER_TRIAL_NEAREST[task.is_classification]
            _plan_portfolio(
                plan, portfolio, kb, mf, exclude, space, cost, transfer, seed, nearest, per_trial
            )
            matrix_rows = portfolio.max_rows or MATRIX_MAX_ROWS
            plan.default_first = DEFAULT_BEFORE_PORTFOLIO and len(frame) > matrix_rows
        else:
            plan.neighbors = found.neighbors
            _add_suggestions(plan, found.suggestions, space)
            if transfer and transfer != "box":
                _add_prior(plan, found.transfer, space)
        if tried:
            _add_prior(plan, tried, space)
        if not plan.configurations and not plan.own_past:
            plan.reason = plan.reason or "no similar dataset in the knowledge base"
    plan.seconds = time.monotonic() - start
    return plan


def _add_suggestions(plan: WarmStartPlan, suggestions, space) -> None:
    """The nearest datasets' best configurations that fit ``space``, up to MAX_WARM_CONFIGS."""
    for s in suggestions:
        config, why = translate(s.config, space)
        if config is None:
            reason = "model not in this space" if why.startswith("model") else "value out of space"
            plan.untranslated[reason] = plan.untranslated.get(reason, 0) + 1
            continue
        if len(plan.configurations) >= MAX_WARM_CONFIGS:
            break
        plan.configurations.append(config)
        plan.origins.append(
            {
                "dataset_id": s.dataset_id,
                "dataset": s.dataset_name,
                "distance": s.distance,
                "past_loss": s.loss,
                "past_metric": s.metric,
                "source": s.source,
                "key": config_key(config),
            }
        )


def _add_own_past(plan: WarmStartPlan, past, space, cost: TrialCost | None) -> None:
    """Past fits' best configurations of this data that fit ``space`` and, by the time their
    run took, ``cost.per_trial``."""
    for s in past:
        config, why = translate(s.config, space)
        entry = {
            "dataset_id": s.dataset_id,
            "dataset": s.dataset_name,
            "distance": s.distance,
            "past_loss": s.loss,
            "past_metric": s.metric,
            "past_fit_seconds": s.fit_time,
        }
        if config is None:
            entry["skipped"] = f"does not fit this space: {why}"
        elif too_slow := _too_slow("took", s.fit_time, cost):
            entry["skipped"] = too_slow
        else:
            entry["key"] = config_key(config)
            plan.own_past.append(config)
        plan.own_past_origins.append(entry)


def _too_slow(verb: str, seconds: float, cost: TrialCost | None) -> str:
    """Why a configuration that ``verb`` ``seconds`` of fitting is not run; "" if it may be."""
    if cost is None:
        return ""
    share = AFFORDABLE_SHARE[cost.n_classes > 0]  # keyed by classification
    if not seconds > share * cost.per_trial:
        return ""
    return (
        f"{verb} {seconds:.1f}s of fitting, more than {share:.0%} of the "
        f"{cost.per_trial:.0f}s a trial may take"
    )


def _plan_portfolio(
    plan: WarmStartPlan,
    portfolio,
    kb,
    mf,
    exclude,
    space,
    cost,
    transfer,
    seed,
    nearest=0,
    per_trial=False,
) -> None:
    """The portfolio's members in this dataset's order (in turn with the best candidate of
    each of the ``nearest`` nearest datasets), those that fit this space and this budget;
    every one's fate recorded for ``warm_start_``. A search bounded by seconds takes them from
    the order that pays per trial where ``UNTIMED_MEMBERS`` says so. With ``transfer``, the
    prior mean for the optimiser's surrogate, learned from the whole pool with the same dataset
    weights as the order."""
    from metalearning.portfolio import PORTFOLIO_TRIALS, plan_portfolio

    # Only a portfolio that keeps its pool's costs has the nearest datasets' best to offer.
    nearest = nearest if portfolio.pool_cost_intercepts is not None else 0
    untimed = not per_trial and UNTIMED_MEMBERS.get(portfolio.kind, False)
    plan.method = "portfolio+nearest" if nearest else "portfolio"
    shaped = None
    if cost is not None and SHAPED_ORDER.get(portfolio.kind, False):
        every = [member["model"] for member in portfolio.members]
        shaped = _predicted_seconds(portfolio, portfolio.cost_intercepts, every, cost)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ordered = plan_portfolio(
            portfolio,
            kb,
            mf,
            exclude=exclude,
            nearest_best=nearest,
            per_trial=per_trial or untimed,
            costs=shaped,
        )
    plan.per_trial = ordered.per_trial and per_trial
    check = None if plan.per_trial else FAMILY_CHECK.get(portfolio.kind)
    plan.family_check = check
    reason = ordered.reason
    if untimed:
        reason = reason.replace("per trial, ", "untimed members (the order that pays per trial), ")
    plan.neighbors = ordered.neighbors
    families = [member["model"] for member in ordered.members]
    predicted, growth = _predicted_seconds(portfolio, ordered.cost_intercepts, families, cost)
    members = []
    for rank, (index, member, source) in enumerate(
        zip(ordered.global_ranks, ordered.members, ordered.sources)
    ):
        entry = {
            "rank_here": rank + 1,
            "rank_global": None if index is None else index + 1,
            "source": source,
            "model": member["model"],
            "predicted_fit_seconds": round(float(predicted[rank]), 3),
            "row_growth": round(float(growth[rank]), 3),
        }
        config, why = translate(member, space)
        if config is None:
            entry["skipped"] = f"does not fit this space: {why}"
        elif config_key(config) in plan.tried:
            entry["skipped"] = "run by a past fit of this data: told to the optimiser"
        elif len(plan.configurations) >= PORTFOLIO_TRIALS:
            entry["skipped"] = f"after the first {PORTFOLIO_TRIALS} that fit: the optimiser's turn"
            if (
                check is not None
                and len(plan.reserves) < PORTFOLIO_TRIALS
                and not _too_slow("predicted", predicted[rank], cost)
            ):
                entry["skipped"] = "a reserve: runs in place of a member whose family fell behind"
                entry["reserve"] = True
                entry["key"] = config_key(config)
                plan.reserves.append(config)
        elif too_slow := _too_slow("predicted", predicted[rank], cost):
            entry["skipped"] = too_slow
        else:
            entry["key"] = config_key(config)
            plan.configurations.append(config)
            plan.origins.append(
                {
                    "dataset_id": None,
                    "dataset": source,
                    "distance": np.nan,
                    "past_loss": np.nan,
                    "past_metric": "",
                    "source": "portfolio",
                    "key": entry["key"],
                }
            )
        members.append(entry)
    plan.portfolio = {"reason": reason, "members": members}
    if cost is not None:  # the shape the members' times were predicted for
        plan.portfolio["table"] = {
            "rows_trained": int(cost.n_rows_trained),
            "features": int(cost.n_features),
            "fits": int(cost.n_fits),
            "per_trial_seconds": round(float(cost.per_trial), 3),
        }
    if LEARNED_DEFAULTS_ORDER and ordered.weights is not None:
        plan.family_order = _family_order(portfolio, ordered.weights, space, cost)
    if transfer == "box":
        plan.search_box = portfolio.search_box(exclude)
    elif transfer and portfolio.pool and portfolio.pool_normalised is not None:
        _fit_prior(plan, portfolio, ordered.weights, space, seed, transfer)
    plan.reason = "" if plan.configurations else "no portfolio member fits this data"


def _predicted_seconds(portfolio, intercepts, families: list[str], cost: TrialCost | None):
    """Seconds of fitting the portfolio's cost model predicts for candidates of these cost
    ``intercepts`` and ``families`` on this table, and the row growth applied (zeros and ones
    without ``cost``)."""
    from metalearning.portfolio import MATRIX_FOLDS, MATRIX_MAX_ROWS

    if cost is None:
        return np.zeros(len(families)), np.ones(len(families))
    # The matrix's power law fits times on at most max_rows rows, where a fit's fixed costs
    # hide how it grows (classification's row exponent is 0): beyond them, its time at
    # max_rows grows as automl._cost's shape-based prior says.
    seen = (portfolio.max_rows or MATRIX_MAX_ROWS) * (MATRIX_FOLDS - 1)
    rows = min(cost.n_rows_trained, seen)
    model = portfolio.cost_model(intercepts)
    predicted = model.predict(rows, cost.n_features, cost.n_classes, families)
    exponents = ROW_EXPONENTS.get(portfolio.kind, {})
    growth = np.array(
        [
            row_growth(
                family,
                cost.n_rows_trained,
                seen,
                cost.n_features,
                cost.n_classes,
                fits=cost.n_fits,
                fits_seen=MATRIX_FOLDS,
                exponent=exponents.get(family),
            )
            for family in families
        ]
    )
    return predicted * growth, growth


def _family_order(portfolio, weights, space, cost: TrialCost | None) -> list[str]:
    """This space's families in the order their defaults pay on the datasets ``weights``
    weigh, per predicted second on this table (:meth:`Portfolio.defaults_order`); families the
    pool lacks follow in their usual order."""
    from automl._matrix import pool_defaults
    from metalearning.portfolio import defaults_order

    families = defaults_order(space["model"].choices)
    found = pool_defaults(portfolio.kind, families)
    defaults = {f: found[f] for f in families if f in found}
    intercepts = portfolio.pool_cost_intercepts

    def seconds(columns: list[int], of: list[str]) -> np.ndarray:
        return _predicted_seconds(portfolio, intercepts[columns], of, cost)[0]

    here = seconds if cost is not None and intercepts is not None else None
    ordered = portfolio.defaults_order(defaults, weights, here)
    return ordered + [f for f in families if f not in ordered]


def _fit_prior(plan: WarmStartPlan, portfolio, weights, space, seed, transfer) -> None:
    """The surrogate's prior mean from the portfolio's pool: weighted by the nearest datasets
    (``transfer=True`` or ``"prior"``) or by how each past dataset ranks this search's trials
    (``"ranking"``, RGPE); or with ``"optimum"`` a prior over where the optimum lies, which
    weights the acquisition (piBO), its datasets weighted as for the order."""
    from ConfigSpace.hyperparameters import CategoricalHyperparameter

    from metalearning.transfer import OptimumPrior, RankingPrior, TransferPrior

    keep, vectors = [], []
    for i, candidate in enumerate(portfolio.pool):
        config, _ = translate(candidate, space)
        if config is not None:
            keep.append(i)
            vectors.append(config.get_array())
    if len(keep) < 2:
        return
    normalised = portfolio.pool_normalised[:, keep]
    if transfer == "optimum":
        categorical = [isinstance(h, CategoricalHyperparameter) for h in space.values()]
        plan.optimum_prior = OptimumPrior(categorical).fit(np.array(vectors), normalised, weights)
    elif transfer == "ranking":
        plan.prior_mean = RankingPrior(seed=seed).fit(np.array(vectors), normalised, weights)
    else:
        plan.prior_mean = (
            TransferPrior(seed=seed).fit(np.array(vectors), normalised, weights).predict
        )
    plan.prior_datasets = int(np.count_nonzero(weights)) if weights is not None else 0
    plan.prior_candidates = len(keep)


def _scored_here(entry: dict[str, Any], scored: dict) -> dict[str, Any]:
    """``entry`` without its ``key`` and, where it has one (it was planned to run), with how
    that configuration scored here (``scored``: key -> (score, status))."""
    out = {k: v for k, v in entry.items() if k != "key"}
    if "key" in entry:
        out["score_here"], out["status_here"] = scored.get(entry["key"], (np.nan, "not run"))
    return out


def _translated_keys(results, space) -> set:
    """The keys of the past results' configurations that fit ``space``."""
    translated = (translate(r.config, space)[0] for r in results)
    return {config_key(c) for c in translated if c is not None}


def _add_prior(plan: WarmStartPlan, results, space) -> None:
    """Past results that fit this space, except the warm and own-past configurations (run
    for real), added to the prior."""
    warm = {o["key"] for o in plan.origins} | {config_key(c) for c in plan.own_past}
    datasets = set()
    for r in results:
        config, _ = translate(r.config, space)
        if config is None or config_key(config) in warm:
            continue
        plan.prior.append((config, r.quantile))
        datasets.add(r.dataset_id)
    plan.prior_datasets += len(datasets)


def explain_warm_start(
    plan: WarmStartPlan, trials: pd.DataFrame, n_prior_told: int = 0, members_dropped: int = 0
) -> dict[str, Any]:
    """``warm_start_``: which datasets were nearest, what came from each (or the portfolio's
    members), how each scored in ``trials``, what was told to the optimiser, and how many
    members the opening dropped for doing no better than the families' defaults."""
    scored = {
        config_key(c): (s, st)
        for c, s, st in zip(trials["config"], trials["score"], trials["status"])
    }
    configs = [_scored_here(origin, scored) for origin in plan.origins]
    portfolio = {}
    if plan.portfolio:
        entries = []
        fitted = {
            config_key(c): (t, f)
            for c, t, f in zip(trials["config"], trials["fit_time"], trials["fidelity"])
        }
        for member in plan.portfolio["members"]:
            entry = _scored_here(member, scored)
            if member.get("reserve") and entry["status_here"] != "not run":
                del entry["skipped"]  # it ran, in place of a member dropped
            if "key" in member:
                # Its fitting seconds here, on the share of the rows it ran on.
                entry["fit_seconds_here"], entry["fidelity_here"] = fitted.get(
                    member["key"], (np.nan, 0.0)
                )
            entries.append(entry)
        portfolio = {
            "reason": plan.portfolio["reason"],
            "members": entries,
            "defaults_first": plan.default_first,
            "defaults_order": list(plan.family_order) or None,
            "members_dropped": int(members_dropped),
            "table": plan.portfolio.get("table"),
        }
    own = [_scored_here(entry, scored) for entry in plan.own_past_origins]
    return {
        "used": bool(plan.configurations or plan.own_past),
        "method": plan.method if plan.configurations else "none",
        "reason": plan.reason,
        "own_past": own,
        "portfolio": portfolio,
        "fingerprint": plan.fingerprint,
        "neighbors": plan.neighbors.to_dict("records") if len(plan.neighbors) else [],
        "configurations": configs,
        "untranslated": dict(plan.untranslated),
        "transfer": {
            "method": _transfer_method(plan),
            "results": len(plan.prior) or plan.prior_candidates,
            "datasets": plan.prior_datasets,
            "told_to_optimizer": int(n_prior_told),
            "search_box": {name: list(bounds) for name, bounds in plan.search_box.items()},
        },
        "seconds": round(plan.seconds, 3),
    }


def _transfer_method(plan: WarmStartPlan) -> str:
    if plan.search_box:
        return "search space narrowed to where the past datasets' best lie"
    if plan.optimum_prior is not None:
        return "prior over the optimum weighting the acquisition (piBO)"
    if plan.prior_mean is not None:
        if hasattr(plan.prior_mean, "observe"):
            return "prior mean of the surrogate, re-weighted by ranking (RGPE)"
        return "prior mean of the surrogate"
    return "told to the optimizer" if plan.prior else "none"


def record_fit(kb, fingerprint: str | None, metafeatures: pd.Series | None, trials, spec) -> None:
    """Append this dataset (its ``fingerprint`` and ``metafeatures``) and every trial to the
    knowledge base ``kb``, if it is writable; a failure warns and never costs the fitted model."""
    if kb is None or metafeatures is None or not kb.writable:
        return
    from metalearning.warmstart import metafeatures_json

    n_rows = sum(len(v) for v in spec.splits[0])
    dataset = pd.DataFrame(
        [
            {
                "dataset_id": fingerprint,
                "name": f"user-{fingerprint[:8]}",
                "source": "user",
                "openml_dataset_id": None,
                "openml_task_id": None,
                "task": spec.task.value,
                "n_rows": n_rows,
                "n_features": len(spec.columns.names),
                "metafeatures": metafeatures_json(metafeatures),
            }
        ]
    )
    runs = runs_frame(trials, fingerprint, spec, source="user", seed=spec.seed)
    try:
        kb.append(datasets=dataset, runs=runs)
    except Exception as exc:  # recording must never cost the user the fitted model
        warnings.warn(f"Could not record this fit in the knowledge base: {exc}", stacklevel=3)


def _find_portfolio(kb, task):
    """The portfolio for ``task``'s kind in the knowledge base's folders (the writable one
    first; the default base reads the shipped one); None when there is none or it cannot be
    read (with a warning)."""
    from metalearning.portfolio import find_portfolio, portfolio_folders, task_kind

    try:
        return find_portfolio(task_kind(task.value), portfolio_folders(kb))
    except ValueError as exc:
        warnings.warn(f"{exc}; warm start from the nearest datasets instead", stacklevel=4)
        return None


def runs_frame(trials, dataset_id: str, spec, *, source: str, seed: int, fidelity: float = 1.0):
    """Trial records as rows of the knowledge base's runs table."""
    rows = [
        {
            "dataset_id": dataset_id,
            "task": spec.task.value,
            "model": t.model,
            "config": json.dumps(t.config, sort_keys=True, default=_plain),
            "original_config": None,
            "metric": spec.metric,
            "score": None if not np.isfinite(t.score) else float(t.score),
            "loss": None if not np.isfinite(t.loss) else float(t.loss),
            "fit_time": float(t.fit_time),
            "cpu_seconds": _number(t.cpu_seconds),
            "energy_joules": _number(t.energy_joules),
            "energy_source": t.energy_source or None,
            "fidelity": fidelity * t.fidelity,
            "resampling": spec.resampling,
            "status": t.status,
            "seed": int(seed),
            "source": source,
            "space_version": SPACE_VERSION,
            "error": t.error[:2000] or None,
        }
        for t in trials
        if t.status != SKIPPED  # never ran: nothing to learn from
    ]
    return pd.DataFrame(rows)


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")
