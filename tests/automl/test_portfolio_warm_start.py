"""The estimator runs a knowledge base's portfolio first, skipping what cannot finish."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import automl._cost
import automl._estimator
import automl._knowledge
from automl import AutoMLClassifier, DataShape, Task, build_space, get_metric
from automl._columns import infer_column_types
from automl._cost import CostEstimator, row_growth
from automl._estimator import _bounded_by_trials
from automl._knowledge import TrialCost, plan_warm_start
from automl._matrix import candidate_pool
from automl._report import _portfolio_table, _warm_start_section
from automl._search import SKIPPED
from metalearning.portfolio import MATRIX_MAX_ROWS, Portfolio

LINEAR, KNN, LIGHTGBM = (
    candidate_pool("classification", sizes={family: 1})[0]
    for family in ("linear", "k_nearest_neighbors", "lightgbm")
)


POOL = candidate_pool("classification", sizes={"linear": 4, "k_nearest_neighbors": 4})


@pytest.fixture
def portfolio_kb(portfolio_base):
    """A real base with two datasets' meta-features and a portfolio over them: the linear
    model, k-NN, and a LightGBM whose cost model says it takes an hour; its pool's best per
    trial are POOL[1] (past_1's best) and then POOL[5] (past_0's)."""
    pool_normalised = np.ones((2, len(POOL)))
    pool_normalised[0, 5] = pool_normalised[1, 1] = 0.0
    return portfolio_base(
        [KNN, LIGHTGBM, LINEAR],
        normalised=[[0.0, 0.5, 0.6], [0.2, 0.0, 0.1]],
        cost_intercepts=np.log([1e-4, 3600.0, 1e-4]),
        pool=POOL,
        pool_normalised=pool_normalised,
        pool_cost_intercepts=np.log(np.full(len(POOL), 1e-4)),
    )


def _plan_members_as_if_bounded_by_seconds(kb) -> None:
    """Without its pool's costs the portfolio cannot be run per trial: its time-aware members
    run as in a search bounded by seconds, whatever bounds this one (kept deterministic)."""
    path = next((kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.pool_cost_intercepts = None
    portfolio.save(path.parent)


def _ran(model) -> pd.DataFrame:
    """The trials that ran, in order: on a loaded machine the search may skip a slow family's
    defaults as unaffordable, which adds a row but not a trial."""
    trials = model.trials_.sort_values("trial")
    return trials[trials["status"] != SKIPPED]


def test_members_run_first_interleaved_and_unaffordable_ones_are_skipped(
    portfolio_kb, make_messy, tiny_classifier
):
    _plan_members_as_if_bounded_by_seconds(portfolio_kb)
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(
        warm_start=True, knowledge_base=portfolio_kb, n_trials=3, per_trial_time_limit=20
    ).fit(X, y)
    info = model.warm_start_
    assert info["method"] == "portfolio"
    assert not info["portfolio"]["reason"].startswith("per trial")
    members = {m["model"]: m for m in info["portfolio"]["members"]}
    assert "3600" in f"{members['lightgbm']['predicted_fit_seconds']:.0f}"
    assert "more than 50% of the 20s" in members["lightgbm"]["skipped"]
    trials = model.trials_.sort_values("trial")
    # The first member, then in turn a family's defaults and the next member.
    assert list(trials["origin"]) == ["portfolio", "default", "portfolio"]
    assert {trials["model"].iloc[0], trials["model"].iloc[2]} == {"k_nearest_neighbors", "linear"}
    assert trials["model"].iloc[1] == "lightgbm"
    ran = [m for m in info["portfolio"]["members"] if "skipped" not in m]
    assert all(m["status_here"] == "success" for m in ran)
    assert not info["portfolio"]["defaults_first"]


def test_a_leading_member_brings_its_familys_defaults_forward(
    portfolio_base, make_messy, tiny_classifier
):
    tuned_knn = candidate_pool("classification", sizes={"k_nearest_neighbors": 2})[1]
    assert tuned_knn != KNN  # not the family's defaults
    kb = portfolio_base([tuned_knn, LINEAR])
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=kb, n_trials=3, n_jobs=1).fit(X, y)
    trials = model.trials_.sort_values("trial")
    # The first member leads (the first result): k-NN's defaults, deferred to the end of the
    # opening as a k-NN member ran, come next (FOLLOW_THE_LEADER); then LightGBM's defaults.
    # (With trials in parallel, next among those not yet started.)
    assert list(trials["origin"]) == ["portfolio", "default", "default"]
    assert list(trials["model"]) == ["k_nearest_neighbors", "k_nearest_neighbors", "lightgbm"]
    assert trials["config"].iloc[1] == {**trials["config"].iloc[1], **KNN}


def test_without_covered_defaults_a_members_family_defaults_leave_the_opening(
    portfolio_base, make_messy, tiny_classifier, monkeypatch
):
    monkeypatch.setattr(automl._estimator, "COVERED_DEFAULTS", False)
    tuned_knn = candidate_pool("classification", sizes={"k_nearest_neighbors": 2})[1]
    kb = portfolio_base([tuned_knn, LINEAR])
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=kb, n_trials=4, n_jobs=1).fit(X, y)
    trials = _ran(model)
    # The k-NN member leads as above, but k-NN's defaults are gone: LightGBM's defaults, the
    # linear member, then the next family's defaults (the linear model's ran as a member).
    assert list(trials["origin"]) == ["portfolio", "default", "portfolio", "default"]
    assert list(trials["model"])[:3] == ["k_nearest_neighbors", "lightgbm", "linear"]
    assert "k_nearest_neighbors" not in set(trials["model"].iloc[1:])
    assert trials["model"].iloc[3] != "linear"


def test_members_no_better_than_the_first_default_leave_the_opening(
    portfolio_base, make_messy, tiny_classifier, monkeypatch
):
    """The first member, a linear model regularised to near the class prior, cannot beat the
    first defaults (its family's, which it brings forward): the two members still waiting are
    dropped (OPENING_CHECK), and the families' defaults run in their place."""
    monkeypatch.setattr(automl._estimator, "OPENING_CHECK", {"classification": 0.0})
    linear, knn = (
        candidate_pool("classification", sizes={family: 2})[1]
        for family in ("linear", "k_nearest_neighbors")
    )
    kb = portfolio_base([{**linear, "linear:C": 1e-4}, knn, linear])
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=kb, n_trials=5, n_jobs=1).fit(X, y)
    trials = _ran(model)
    assert trials["loss"].iloc[0] >= trials["loss"].iloc[1]
    assert list(trials["origin"]) == ["portfolio"] + ["default"] * 4
    assert model.warm_start_["portfolio"]["members_dropped"] == 2
    assert "dropped" in _warm_start_section(model)


@pytest.mark.parametrize("learned", [True, False])
def test_the_families_defaults_run_in_the_order_the_base_says_they_pay(
    portfolio_base, make_messy, tiny_classifier, monkeypatch, learned
):
    """k-NN's defaults are the best of the pool on both past datasets, LightGBM's and the
    linear model's the worst: k-NN's run right after the first member, before LightGBM's
    (LEARNED_DEFAULTS_ORDER; off, the usual order, LightGBM's first)."""
    monkeypatch.setattr(automl._knowledge, "LEARNED_DEFAULTS_ORDER", learned)
    pool = candidate_pool(
        "classification", sizes={"linear": 2, "k_nearest_neighbors": 1, "lightgbm": 1}
    )
    assert [c["model"] for c in pool] == ["linear", "linear", "k_nearest_neighbors", "lightgbm"]
    kb = portfolio_base(
        [pool[1]],  # a tuned linear model, not the family's defaults
        pool=pool,
        pool_normalised=[[1.0, 0.5, 0.0, 1.0], [1.0, 0.5, 0.0, 1.0]],
        pool_cost_intercepts=np.log(np.full(len(pool), 1e-4)),
    )
    _plan_members_as_if_bounded_by_seconds(kb)
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=kb, n_trials=3).fit(X, y)
    order = model.warm_start_["portfolio"].get("defaults_order")
    trials = model.trials_.sort_values("trial")
    # (The third trial is the next default or, if the member leads, its family's defaults.)
    assert list(trials["origin"]) == ["portfolio", "default", "default"]
    assert trials["model"].iloc[0] == "linear"
    section = _warm_start_section(model)
    if learned:
        assert order[:2] == ["k_nearest_neighbors", "lightgbm"]
        assert trials["model"].iloc[1] == "k_nearest_neighbors"
        assert "in the order they pay: k_nearest_neighbors, lightgbm" in section
    else:
        assert order is None
        assert trials["model"].iloc[1] == "lightgbm"
        assert "in the order they pay" not in section


@pytest.mark.parametrize("matrix_rows", [300, None])
def test_on_a_table_larger_than_the_matrix_lightgbms_defaults_open_the_search(
    portfolio_kb, make_messy, tiny_classifier, matrix_rows
):
    """The portfolio's matrix evaluated datasets of at most ``matrix_rows`` rows (a file without
    the figure: MATRIX_MAX_ROWS); the table has 100 more, where the members' losses are
    extrapolated."""
    _plan_members_as_if_bounded_by_seconds(portfolio_kb)
    path = next((portfolio_kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.max_rows = matrix_rows
    portfolio.save(path.parent)
    X, y = make_messy((matrix_rows or MATRIX_MAX_ROWS) + 100, seed=5)
    model = tiny_classifier(
        warm_start=True, knowledge_base=portfolio_kb, n_trials=2, per_trial_time_limit=20
    ).fit(X, y)
    assert model.warm_start_["portfolio"]["defaults_first"]
    trials = model.trials_.sort_values("trial")
    assert list(trials["origin"]) == ["default", "portfolio"]
    assert trials["model"].iloc[0] == "lightgbm"


@pytest.mark.parametrize(("n_classes", "skipped"), [(2, False), (4, True)])
def test_a_members_cost_counts_the_classes_where_its_family_builds_per_class(
    portfolio_base, make_messy, tiny_classifier, n_classes, skipped
):
    """k-NN's time set to grow as classes**3 (8 s on two, 64 s on four): skipped only where
    it cannot finish within 50% of the 20 s a trial may take."""
    kb = portfolio_base([KNN, LINEAR], cost_intercepts=np.log([1.0, 1e-4]))
    path = next((kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.cost.class_exponents = {"k_nearest_neighbors": 3.0}
    portfolio.save(path.parent)
    X, y = make_messy(240, seed=5, n_classes=n_classes)
    model = tiny_classifier(
        warm_start="portfolio", knowledge_base=kb, n_trials=2, per_trial_time_limit=20
    ).fit(X, y)
    members = {m["model"]: m for m in model.warm_start_["portfolio"]["members"]}
    assert members["k_nearest_neighbors"]["predicted_fit_seconds"] == pytest.approx(n_classes**3)
    assert ("skipped" in members["k_nearest_neighbors"]) is skipped
    assert "skipped" not in members["linear"]


@pytest.mark.parametrize(("matrix_rows", "skipped"), [(None, False), (50, True)])
def test_a_members_time_grows_with_the_rows_beyond_those_the_matrix_timed_it_on(
    portfolio_base, make_messy, tiny_classifier, matrix_rows, skipped
):
    """k-NN timed at 8 s on the matrix's rows: within the 50% of 20 s a classification trial
    may take on a table of 240 rows when the matrix's tables had up to 2,000
    (MATRIX_MAX_ROWS), not when they had 50 (the matrix's row exponent alone, 0 here, would
    keep it at 8 s)."""
    kb = portfolio_base([KNN, LINEAR], cost_intercepts=np.log([8.0, 1e-4]))
    path = next((kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.max_rows = matrix_rows
    portfolio.save(path.parent)
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(
        warm_start="portfolio", knowledge_base=kb, n_trials=2, per_trial_time_limit=20
    ).fit(X, y)
    knn = {m["model"]: m for m in model.warm_start_["portfolio"]["members"]}["k_nearest_neighbors"]
    assert (knn["row_growth"] > 1) is skipped
    # The shape it was predicted for: this table's columns, the rows its folds train on.
    shape = model.warm_start_["portfolio"]["table"]
    assert shape["features"] == X.shape[1] and shape["per_trial_seconds"] == 20
    assert 0.5 * len(X) < shape["rows_trained"] / shape["fits"] < len(X)
    assert knn["predicted_fit_seconds"] == pytest.approx(8.0 * knn["row_growth"], rel=1e-3)
    assert ("skipped" in knn) is skipped
    assert ("fit_seconds_here" in knn) is not skipped
    table = _portfolio_table(pd.DataFrame(model.warm_start_["portfolio"]["members"]))
    assert "<th>predicted fit s</th><th>fit s here</th>" in table
    if not skipped:  # it ran: its own fitting time is reported beside the prediction
        assert knn["status_here"] == "success" and 0 < knn["fit_seconds_here"] < 8
        assert knn["fidelity_here"] == 1.0
        assert f'<td class="num">{knn["fit_seconds_here"]:.2f}</td>' in table


def test_members_after_the_first_few_that_fit_are_left_to_the_optimiser(
    portfolio_kb, make_messy, tiny_classifier, monkeypatch
):
    import metalearning.portfolio

    monkeypatch.setattr(metalearning.portfolio, "PORTFOLIO_TRIALS", 1)
    _plan_members_as_if_bounded_by_seconds(portfolio_kb)
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=portfolio_kb, n_trials=3).fit(X, y)
    members = model.warm_start_["portfolio"]["members"]
    ran = [m for m in members if "skipped" not in m]
    assert len(ran) == 1 and ran[0]["status_here"] == "success"
    assert "after the first 1 that fit" in members[1]["skipped"]
    trials = model.trials_.sort_values("trial")
    assert (trials["origin"] == "portfolio").sum() == 1


def test_members_of_a_family_far_behind_give_way_to_a_reserve(
    portfolio_base, tiny_classifier, monkeypatch
):
    """On a linear boundary with flipped labels and ten columns of noise, a one-neighbour
    k-NN's loss (1 - AUC) is several times the linear model's: the second k-NN member is dropped
    (FAMILY_CHECK) and the member after the first PORTFOLIO_TRIALS, a LightGBM, runs in its
    place."""
    import metalearning.portfolio

    monkeypatch.setattr(metalearning.portfolio, "PORTFOLIO_TRIALS", 3)
    monkeypatch.setattr(automl._knowledge, "FAMILY_CHECK", {"classification": 1.5})
    linear = candidate_pool("classification", sizes={"linear": 2})[1]
    one_nn, two_nn = ({**KNN, "k_nearest_neighbors:n_neighbors": k} for k in (1, 2))
    reserve = {**LIGHTGBM, "lightgbm:n_estimators": 50}
    kb = portfolio_base([linear, one_nn, two_nn, reserve])
    _plan_members_as_if_bounded_by_seconds(kb)
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(300, 12))).add_prefix("x")
    y = pd.Series(np.where((X["x0"] + X["x1"] > 0) ^ (rng.uniform(size=300) < 0.05), "y", "n"))
    models = ("linear", "k_nearest_neighbors", "lightgbm")
    model = tiny_classifier(
        warm_start=True, knowledge_base=kb, n_trials=7, n_jobs=1, models=models
    ).fit(X, y)
    trials = _ran(model)
    n_neighbors = trials["config"].map(lambda c: c.get("k_nearest_neighbors:n_neighbors"))
    assert 1 in set(n_neighbors) and 2 not in set(n_neighbors)
    members = model.warm_start_["portfolio"]["members"]
    assert members[3]["reserve"] and members[3]["status_here"] == "success"
    assert "skipped" not in members[3]  # it ran
    assert model.warm_start_["portfolio"]["members_dropped"] == 1
    lightgbm = trials[trials["model"] == "lightgbm"]
    assert (lightgbm["origin"] == "portfolio").sum() == 1


def test_a_search_bounded_by_trials_runs_the_pools_order_per_trial_uninterleaved(
    portfolio_kb, make_messy, tiny_classifier
):
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=True, knowledge_base=portfolio_kb, n_trials=3).fit(X, y)
    info = model.warm_start_
    assert info["portfolio"]["reason"].startswith("per trial, global order")
    assert [m["rank_global"] for m in info["portfolio"]["members"]] == [1, 2]
    trials = model.trials_.sort_values("trial")
    assert list(trials["origin"]) == ["portfolio", "portfolio", "default"]
    assert trials["config"].iloc[0]["linear:C"] == pytest.approx(POOL[1]["linear:C"])
    assert trials["config"].iloc[1]["k_nearest_neighbors:p"] == POOL[5]["k_nearest_neighbors:p"]


def _binary_plan(X, y, kb, cost: TrialCost | None = None):
    """The warm-start plan of a binary search on ``X`` and ``y`` with ``kb``, seed 0."""
    space = build_space(Task.BINARY, DataShape(len(X), X.shape[1]), infer_column_types(X), seed=0)
    target = (y == y.iloc[0]).to_numpy().astype(int)
    metric = get_metric(None, Task.BINARY)
    return plan_warm_start(
        X,
        target,
        Task.BINARY,
        metric,
        space,
        0,
        cost,
        knowledge_base=kb,
        update_knowledge_base=False,
    )


@pytest.mark.parametrize("untimed", [True, False])
def test_a_search_bounded_by_seconds_takes_the_per_trial_members_when_untimed(
    portfolio_kb, make_messy, monkeypatch, untimed
):
    """With ``UNTIMED_MEMBERS`` the members are the pool's order per trial, still planned to
    run interleaved (not per trial); without it, the time-aware portfolio's members."""
    monkeypatch.setitem(automl._knowledge.UNTIMED_MEMBERS, "classification", untimed)
    X, y = make_messy(240, seed=5)
    plan = _binary_plan(X, y, portfolio_kb)
    assert not plan.per_trial
    reason = plan.portfolio["reason"]
    assert reason.startswith("untimed members (the order that pays per trial), global order") is (
        untimed
    )
    configs = [dict(c) for c in plan.configurations]
    if untimed:
        assert [c["model"] for c in configs] == ["linear", "k_nearest_neighbors"]
        assert configs[0]["linear:C"] == pytest.approx(POOL[1]["linear:C"])
        assert configs[1]["k_nearest_neighbors:p"] == POOL[5]["k_nearest_neighbors:p"]
    else:
        assert {c["model"] for c in configs} == {"linear", "k_nearest_neighbors", "lightgbm"}


SVC = candidate_pool("classification", sizes={"libsvm_svc": 1})[0]


@pytest.mark.parametrize("shaped", [True, False])
def test_members_are_ordered_by_what_they_cost_on_this_tables_shape(
    portfolio_base, make_messy, monkeypatch, shaped
):
    """A kernel SVM a little better than the linear model on the base's datasets, both as
    cheap there: it runs first by their typical costs. On a table of 6,000 rows where the matrix
    timed them on 50, its time grows with the square of its rows and the linear model's about
    with them, so per predicted second here the linear model comes first (``SHAPED_ORDER``)."""
    monkeypatch.setitem(automl._knowledge.SHAPED_ORDER, "classification", shaped)
    members, _ = _svm_and_linear_on_6000_rows(portfolio_base, make_messy)
    growth = {m["model"]: m["row_growth"] for m in members}
    assert growth["libsvm_svc"] > 10 * growth["linear"] > 10
    first = "linear" if shaped else "libsvm_svc"
    assert [m["model"] for m in members] == [first, ({"linear", "libsvm_svc"} - {first}).pop()]


@pytest.mark.parametrize("exponent", [None, 0.5])
def test_a_familys_measured_exponent_sets_how_its_members_time_grows(
    portfolio_base, make_messy, monkeypatch, exponent
):
    """``ROW_EXPONENTS``: the linear member, timed by the matrix on 3 folds of 50 rows, on one
    fit of 4,800 rows here grows as a third of 144 ** exponent; without one, as LightGBM's
    defaults. The kernel SVM keeps its own growth either way."""
    own = {} if exponent is None else {"linear": exponent}
    monkeypatch.setitem(automl._knowledge.ROW_EXPONENTS, "classification", own)
    members, n_features = _svm_and_linear_on_6000_rows(portfolio_base, make_messy)
    growth = {m["model"]: m["row_growth"] for m in members}
    if exponent is None:
        lightgbm = row_growth("linear", 4_800, 100, n_features, 2, fits=1, fits_seen=3)
        assert growth["linear"] == pytest.approx(lightgbm, rel=1e-3)
    else:
        assert growth["linear"] == pytest.approx(144**exponent / 3, rel=1e-3)
    svm = (4_800 / (100 / 3)) ** automl._cost.SVM_ROW_EXPONENT
    assert growth["libsvm_svc"] == pytest.approx(svm, rel=1e-3)


def _svm_and_linear_on_6000_rows(portfolio_base, make_messy) -> tuple[list[dict], int]:
    """The planned members, and the table's columns, of a base whose kernel SVM is a little
    better than its linear model, both timed on 50 rows, for a table of 6,000 rows, 4,800
    trained on in one fit."""
    kb = portfolio_base([SVC, LINEAR], normalised=[[0.0, 0.1], [0.0, 0.1]])
    path = next((kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.max_rows, portfolio.time_weight = 50, 1.0
    portfolio.save(path.parent)
    X, y = make_messy(6_000, seed=5)
    plan = _binary_plan(X, y, kb, TrialCost(4_800, X.shape[1], per_trial=60.0, n_classes=2))
    return plan.portfolio["members"], X.shape[1]


@pytest.mark.parametrize(
    ("n_trials", "rows", "budget", "bounded"),
    [
        (None, 500, 3600, False),  # no cap: seconds bound the search
        (10, 500, 3600, True),
        (10, 500, 1, False),  # ten trials cannot fit in a second
        (50, 200_000, 60, False),  # nor fifty of LightGBM on 200,000 rows in a minute
    ],
)
def test_the_trial_count_bounds_a_search_when_the_budget_holds_that_many(
    n_trials, rows, budget, bounded
):
    estimator = CostEstimator(rows, 5, 20, 2)
    assert _bounded_by_trials(n_trials, budget, estimator) is bounded


def _fit_with_transfer(tiny_classifier, kb, make_messy, transfer, n_trials):
    """A warm search of the linear model and k-NN with ``transfer``, its trials not cut short."""
    X, y = make_messy(240, seed=5)
    return tiny_classifier(
        warm_start=True,
        transfer=transfer,
        knowledge_base=kb,
        n_trials=n_trials,
        time_budget=300,
        models=("linear", "k_nearest_neighbors"),
    ).fit(X, y)


@pytest.mark.parametrize(
    ("transfer", "method"),
    [
        (True, "prior mean of the surrogate"),
        ("ranking", "prior mean of the surrogate, re-weighted by ranking (RGPE)"),
        ("optimum", "prior over the optimum weighting the acquisition (piBO)"),
    ],
)
def test_transfer_gives_smac_a_prior_learned_from_the_pool(
    portfolio_kb, make_messy, tiny_classifier, transfer, method
):
    model = _fit_with_transfer(tiny_classifier, portfolio_kb, make_messy, transfer, n_trials=7)
    transfer = model.warm_start_["transfer"]
    assert transfer["method"] == method
    assert transfer["results"] == len(POOL) and transfer["datasets"] == 2
    assert len(model.trials_) == 7 and (model.trials_["origin"] == "search").sum() >= 3


def test_transfer_box_narrows_smacs_space_to_where_the_past_datasets_best_lie(
    portfolio_kb, make_messy, tiny_classifier
):
    model = _fit_with_transfer(tiny_classifier, portfolio_kb, make_messy, "box", n_trials=8)
    transfer = model.warm_start_["transfer"]
    assert transfer["method"] == "search space narrowed to where the past datasets' best lie"
    # Each family's best per past dataset: linear's defaults and POOL[1], k-NN's defaults and
    # POOL[5]; the space the search sampled holds them and the configurations that ran first.
    for name in ("linear:C", "k_nearest_neighbors:n_neighbors"):
        family = [c[name] for c in POOL if name in c]
        best = [family[0], POOL[1 if name.startswith("linear") else 5][name]]
        assert transfer["search_box"][name] == [min(best), max(best)]
        hp = model.search_space_[name]
        first = [c[name] for c in model.trials_["config"].iloc[:4] if name in c]
        assert hp.lower == min(best + first) and hp.upper == max(best + first)
        ran = [c[name] for c in model.trials_["config"] if name in c]
        assert all(hp.lower <= v <= hp.upper for v in ran)
    assert (model.trials_["origin"] == "search").sum() >= 3
    section = _warm_start_section(model)  # the report names the narrowed ranges
    assert "search space narrowed" in section and "linear:C" in section
    cold = tiny_classifier(warm_start=False, transfer="box", n_trials=2).fit(*make_messy(240))
    assert cold.search_space_["linear:C"].upper == 1e4  # no knowledge base, no box


@pytest.mark.parametrize(
    "warm_start",
    # True: a classification search bounded by trials takes "portfolio+nearest"'s order.
    ["portfolio+nearest", True],
)
def test_portfolio_members_take_turns_with_the_nearest_datasets_best(
    portfolio_kb, make_messy, tiny_classifier, warm_start
):
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(warm_start=warm_start, knowledge_base=portfolio_kb, n_trials=3).fit(
        X, y
    )
    info = model.warm_start_
    assert info["method"] == "portfolio+nearest"
    planned = info["portfolio"]["members"]
    # The pool's first per trial, then the nearest dataset's best (past_0's: POOL[5]).
    assert [m["source"] for m in planned] == ["portfolio", "past_0"]
    assert planned[1]["rank_global"] == 2 and planned[1]["status_here"] == "success"
    trials = model.trials_.sort_values("trial")
    assert list(trials["origin"]) == ["portfolio", "portfolio", "default"]
    assert (
        trials["config"].iloc[1]["k_nearest_neighbors:n_neighbors"]
        == POOL[5]["k_nearest_neighbors:n_neighbors"]
    )


@pytest.mark.slow
def test_nearest_and_cold_ignore_the_portfolio(portfolio_kb, make_messy, tiny_classifier):
    X, y = make_messy(240, seed=5)
    nearest = tiny_classifier(warm_start="nearest", knowledge_base=portfolio_kb).fit(X, y)
    assert nearest.warm_start_["method"] in ("nearest", "none")
    assert "portfolio" not in set(nearest.trials_["origin"])
    cold = tiny_classifier(warm_start=False, knowledge_base=portfolio_kb).fit(X, y)
    assert cold.warm_start_["method"] == "none"
    assert cold.trials_["model"].iloc[0] == "lightgbm"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"warm_start": "yes"}, "`warm_start` must be True, False, 'portfolio'"),
        (
            {"transfer": "rgpe"},
            "`transfer` must be True, False, 'prior', 'ranking', 'box' or 'optimum'",
        ),
    ],
)
def test_bad_warm_start_value_is_named(make_messy, params, message):
    X, y = make_messy(60)
    with pytest.raises(ValueError, match=message):
        AutoMLClassifier(**params).fit(X, y)


def test_a_second_fit_of_the_same_data_starts_from_the_firsts_best(
    portfolio_kb, make_messy, tiny_classifier
):
    """The base's own past: the first fit is recorded; the second runs its best configurations
    first (origin "own-past"), each once, then its plan as before. Leave-one-out hides the past
    fit as it hides any copy of the data."""
    X, y = make_messy(240, seed=5)
    common = dict(warm_start=True, knowledge_base=portfolio_kb, per_trial_time_limit=20)
    first = tiny_classifier(update_knowledge_base=True, n_trials=3, **common).fit(X, y)
    ran = first.trials_.sort_values("loss", kind="stable")
    second = tiny_classifier(n_trials=5, random_state=1, **common).fit(X, y)
    trials = second.trials_.sort_values("trial")
    own = trials[trials["origin"] == "own-past"]
    assert list(own["trial"]) == [0, 1, 2]
    assert [json.dumps(c, sort_keys=True) for c in own["config"]] == [
        json.dumps(c, sort_keys=True) for c in ran["config"]
    ]
    keys = [json.dumps(c, sort_keys=True) for c in trials["config"]]
    assert len(set(keys)) == len(keys)
    report = second.warm_start_["own_past"]
    assert [r["past_loss"] for r in report] == pytest.approx(list(ran["loss"]))
    assert all(np.isfinite(r["score_here"]) for r in report)
    section = _warm_start_section(second)
    assert "Past fits of this data, run first" in section and report[0]["dataset"] in section
    hidden = tiny_classifier(n_trials=2, leave_one_out=True, **common).fit(X, y)
    assert "own-past" not in set(hidden.trials_["origin"]) and not hidden.warm_start_["own_past"]


def test_a_past_fits_configuration_that_took_too_long_is_skipped_with_its_reason():
    from automl import ColumnTypes, DataShape, Task, build_space
    from automl._knowledge import TrialCost, WarmStartPlan, _add_own_past
    from metalearning.warmstart import Suggestion

    space = build_space(Task.BINARY, DataShape(200, 2), ColumnTypes(("a", "b"), (False, False)))

    def past(config, seconds):
        return Suggestion("d", "user-d", 0.0, config, 0.1, "roc_auc", "user", seconds)

    plan = WarmStartPlan()
    own = [past(LINEAR, 0.5), past(LIGHTGBM, 30.0)]
    _add_own_past(plan, own, space, TrialCost(400, 2, per_trial=10.0))
    assert [c["model"] for c in plan.own_past] == ["linear"]
    assert plan.own_past_origins[1]["skipped"].startswith("took 30.0s of fitting")


@pytest.mark.parametrize(
    ("n_classes", "seconds", "skipped"),
    [(10, 9.0, True), (2, 4.0, False), (0, 9.0, False), (0, 13.0, True)],
)
def test_a_classification_member_must_be_predicted_within_half_a_trials_limit(
    n_classes, seconds, skipped
):
    """Predictions of long fits are too often short for a member predicted at 0.8 of a 15 s
    trial's limit to be worth it in classification; regression keeps 0.8."""
    from automl._knowledge import TrialCost, _too_slow

    why = _too_slow("predicted", seconds, TrialCost(1000, 20, 15.0, n_classes))
    assert bool(why) is skipped
    if skipped:
        assert f"predicted {seconds:.1f}s of fitting" in why


def test_a_refit_that_continues_its_past_runs_nothing_twice_and_tells_smac(
    portfolio_kb, make_messy, tiny_classifier, monkeypatch
):
    """With OWN_PAST_CONTINUES, a refit reruns only the past fit's best; the rest of what it
    ran is told to SMAC as results instead of being run again."""
    monkeypatch.setattr(automl._knowledge, "OWN_PAST_CONTINUES", True)
    X, y = make_messy(240, seed=5)
    common = dict(warm_start=True, knowledge_base=portfolio_kb, per_trial_time_limit=20)
    first = tiny_classifier(update_knowledge_base=True, n_trials=8, **common).fit(X, y)
    second = tiny_classifier(n_trials=14, random_state=1, **common).fit(X, y)
    trials = second.trials_.sort_values("trial")
    assert list(trials["origin"].iloc[:3]) == ["own-past"] * 3
    before = {json.dumps(c, sort_keys=True) for c in first.trials_["config"]}
    rest = {json.dumps(c, sort_keys=True) for c in trials["config"].iloc[3:]}
    assert len(before) == 8 and not rest & before
    assert second.warm_start_["transfer"]["told_to_optimizer"] == 5
    skipped = [m for m in second.warm_start_["portfolio"]["members"] if "skipped" in m]
    assert any(m["skipped"].startswith("run by a past fit of this data") for m in skipped)
