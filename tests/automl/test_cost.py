"""Cost before running: resampling from the expected cost of a default fit, trials expected not
to finish skipped, a timeout making the same family's large settings skipped next."""

import math
import time
from unittest import mock

import numpy as np
import pytest

import automl._cost
import automl._search
from automl import AutoMLClassifier
from automl._cost import (
    MIN_SAMPLE_ROWS,
    PROCESS_OVERHEAD,
    SAMPLE_SHARE,
    SKIP_OWN,
    SVM_ROW_EXPONENT,
    CostEstimator,
    first_look_seconds,
    row_growth,
    size_factor,
)
from automl._estimator import member_caps
from automl._evaluation import refit, sample_rows
from automl._optimizers import make_optimizer
from automl._search import Budget
from automl._space import build_space, config_key, translate
from automl.components import DataShape

# Predicted trial costs against sub-second limits: run alone (make test's second phase).
pytestmark = pytest.mark.timing


def test_resampling_follows_the_expected_cost_not_the_row_count_alone():
    auto = AutoMLClassifier()  # time_budget=60: 15 s per trial
    # letter's shape: 26 classes make LightGBM's defaults cost ~40 s under 5-fold CV.
    assert auto._resampling(DataShape(15_000, 16, 26), 15.0) == "holdout"
    assert auto._resampling(DataShape(15_000, 16, 2), 15.0) == "cv"  # binary: cheap
    assert auto._resampling(DataShape(5_000, 10, 2), 0.2) == "holdout"  # a short limit
    assert auto._resampling(DataShape(50_000, 10, 2), 15.0) == "holdout"  # many rows
    assert AutoMLClassifier(time_budget=3600)._resampling(DataShape(15_000, 16, 26), 900) == "cv"


def test_size_factor_grows_with_trees_and_depth():
    assert size_factor({"model": "lightgbm"}) == 1.0  # the defaults
    assert size_factor({"model": "lightgbm", "lightgbm:n_estimators": 1000}) == 10.0
    with mock.patch.object(automl._cost, "ROUNDS_EXPONENT", {"lightgbm": 0.5, "catboost": 1.0}):
        more = size_factor({"model": "lightgbm", "lightgbm:n_estimators": 1000})
        assert more == pytest.approx(10**0.5)  # the square root, selectable
    deep = {"model": "catboost", "catboost:iterations": 500, "catboost:depth": 8}
    assert size_factor(deep) == pytest.approx(3.0)  # measured 2-4 times depth 6's
    # Half of depth 6's, as measured: 2**(4 - 6) made a shallow trial's unit cost twice the
    # true one, and the defaults predicted from it were skipped.
    shallow = {"model": "catboost", "catboost:iterations": 250, "catboost:depth": 4}
    assert size_factor(shallow) == pytest.approx(0.25)
    assert size_factor({"model": "linear", "linear:C": 10.0}) == 1.0


def test_histgradientboosting_costs_more_at_a_low_rate_and_with_leaves_the_rows_allow():
    def hgb(rate=0.1, leaves=31, per_leaf=20):
        return {
            "model": "gradient_boosting",
            "gradient_boosting:learning_rate": rate,
            "gradient_boosting:max_leaf_nodes": leaves,
            "gradient_boosting:min_samples_leaf": per_leaf,
        }

    assert size_factor(hgb()) == 1.0
    assert size_factor(hgb(rate=0.01)) > 5 * size_factor(hgb()) > 5 * size_factor(hgb(rate=1.0))
    assert size_factor(hgb(leaves=1000)) > 3 * size_factor(hgb(leaves=31))
    # On 300 rows a tree at 1 row per leaf has at most 300 leaves, however many are allowed.
    most = size_factor(hgb(leaves=300, per_leaf=1), 300)
    assert size_factor(hgb(leaves=2047, per_leaf=1), 300) == most > size_factor(hgb(), 300)
    assert size_factor(hgb(leaves=2047, per_leaf=100), 300) < size_factor(hgb(), 300)
    # Session 42: on a 333-row table (266 per fold) the defaults' trial took 1.05 s and a setting
    # at rate 0.01, 2047 leaves and 1 row per leaf ran into the 15 s limit, predicted at 1.4 s.
    cost = CostEstimator(n_train=266, n_fits=5, n_features=25)
    cost.observe(hgb(), 1.05)
    seconds, basis = cost.predict(hgb(rate=0.01, leaves=2047, per_leaf=1))
    assert basis == "scaled" and seconds > 15.0
    assert not cost.affordable(hgb(rate=0.01, leaves=2047, per_leaf=1), 15.0)[0]
    assert cost.affordable(hgb(rate=0.2, leaves=20), 15.0)[0]


@pytest.mark.parametrize("family", ["lightgbm", "random_forest", "libsvm_svc"])
def test_a_time_measured_on_fewer_rows_grows_only_beyond_them(family):
    """The portfolio's matrix timed its members on at most 4,000 training rows (2,000 rows,
    3 folds): on 40,000 a forest or boosting costs about as many times more as it has rows (the
    histograms' fixed part aside), a kernel SVM with its rows per fit to the power 1.9."""
    seen = dict(rows_seen=4_000, n_features=20, n_classes=2, fits_seen=3)
    assert row_growth(family, 1_000, fits=5, **seen) == 1.0
    assert row_growth(family, 4_000, fits=5, **seen) == 1.0
    tenfold = row_growth(family, 40_000, fits=5, **seen)
    assert row_growth(family, 8_000, fits=5, **seen) < tenfold
    if family.startswith("libsvm"):
        # 8,000 rows a fit against 1,333 seen: 6 times the rows, 30 times the time.
        assert tenfold == pytest.approx(6.0**SVM_ROW_EXPONENT)
        assert tenfold > 5 * row_growth("random_forest", 40_000, fits=5, **seen)
    else:
        assert 4 < tenfold <= 10


@pytest.mark.parametrize("exponent", [0.3, 1.0])
def test_a_familys_measured_exponent_grows_its_rows_per_fit_times_its_fits(exponent):
    """A family with its own exponent: 5 fits of 8,000 rows against the matrix's 3 of 1,333
    take 5 / 3 times 6 ** exponent the time; one fit on all of the matrix's rows is no cheaper
    than what the matrix measured; within its rows, no growth."""
    seen = dict(rows_seen=4_000, n_features=20, fits_seen=3, exponent=exponent)
    assert row_growth("random_forest", 40_000, fits=5, **seen) == pytest.approx(
        5 / 3 * 6.0**exponent
    )
    assert row_growth("random_forest", 4_001, fits=1, **seen) == pytest.approx(1.0, rel=1e-3)
    assert row_growth("random_forest", 3_000, fits=5, **seen) == 1.0
    # Faster than LightGBM's defaults at exponent 1, whose fixed costs grow only with the fits.
    assert (exponent == 1.0) is (
        row_growth("random_forest", 40_000, fits=5, **seen)
        > row_growth("random_forest", 40_000, fits=5, **{**seen, "exponent": None})
    )


def test_a_timeout_makes_the_same_family_skip_large_settings_and_run_small_ones():
    cost = CostEstimator(n_train=1000, n_fits=5, n_features=20)
    big = {"model": "lightgbm", "lightgbm:n_estimators": 1000}
    small = {"model": "lightgbm", "lightgbm:n_estimators": 50}
    assert cost.predict(big)[1] == "prior"
    cost.observe(big, 10.0, timed_out=True)
    fits, seconds, basis = cost.affordable(big, 10.0)
    assert not fits and basis == "own" and seconds > 15.0
    assert cost.affordable(small, 10.0)[0]
    # Another family rests on the other families' trials, with more slack.
    assert cost.predict({"model": "linear"})[1] == "other"


def test_only_a_familys_trials_of_about_a_configurations_size_give_it_slack():
    # A portfolio's small CatBoost member (a tenth of the defaults' size) ran first: the
    # defaults are predicted from it, scaled over that distance, and run only if predicted
    # within the limit; a setting near the member's size may exceed it by SKIP_OWN.
    cost = CostEstimator(n_train=3000, n_fits=5, n_features=57, n_classes=2)
    member = {"model": "catboost", "catboost:iterations": 102, "catboost:depth": 4}
    defaults = {"model": "catboost"}
    near = {"model": "catboost", "catboost:iterations": 150, "catboost:depth": 4}
    cost.observe(member, 2.15)
    assert cost.predict(near)[1] == "own"
    seconds, basis = cost.predict(defaults)
    assert basis == "scaled" and seconds - PROCESS_OVERHEAD > 15.0
    assert not cost.affordable(defaults, 15.0)[0]
    assert cost.affordable(defaults, (seconds - PROCESS_OVERHEAD) * 1.01)[0]
    own_seconds = cost.predict(near)[0] - PROCESS_OVERHEAD
    assert cost.affordable(near, own_seconds / (0.99 * SKIP_OWN))[0]
    assert not cost.affordable(near, own_seconds / (1.01 * SKIP_OWN))[0]


def test_catboost_is_predicted_at_least_at_its_own_cost_where_symmetric_trees_stay_large():
    # 15 fits (repeated CV) on 133 rows of 25 continuous features: LightGBM's defaults take
    # 0.5 s, and CatBoost's about 1.5 s a fit, whatever the rows; 12 times LightGBM predicted
    # them at 6.3 s, and they ran into a 15 s limit. Shallower, shorter settings still run.
    cost = CostEstimator(133, 15, 25, n_bins=25 * 133, n_borders=25 * 127)
    cost.observe({"model": "lightgbm"}, 0.5)
    defaults = {"model": "catboost"}
    small = {"model": "catboost", "catboost:iterations": 100, "catboost:depth": 4}
    fits, seconds, basis = cost.affordable(defaults, 15.0)
    assert basis == "other" and not fits and seconds > 20.0
    assert cost.affordable(small, 15.0)[0]
    # The same shape on few-valued features has fewer borders to score, and costs less.
    few_valued = CostEstimator(133, 15, 25, n_bins=25 * 9, n_borders=25 * 8)
    few_valued.observe({"model": "lightgbm"}, 0.5)
    assert few_valued.predict(defaults)[0] < seconds / 3
    # On many rows LightGBM's scaling is the larger: the floor leaves it alone.
    large = CostEstimator(20_000, 5, 8)
    large.observe({"model": "lightgbm"}, 5.0)
    scaled = PROCESS_OVERHEAD + 5.0 * automl._cost.FAMILY_COST["catboost"]
    assert large.predict(defaults)[0] == pytest.approx(scaled)
    # CatBoost's own trials replace both.
    cost.observe(defaults, 30.0)
    assert cost.predict(defaults) == (pytest.approx(30.5), "own")


def test_other_families_are_scaled_by_their_measured_relative_cost():
    cost = CostEstimator(n_train=1000, n_fits=5, n_features=20)
    cost.observe({"model": "lightgbm"}, 2.5)
    linear, _ = cost.predict({"model": "linear"})
    forest, _ = cost.predict({"model": "random_forest"})
    assert linear < 2.5 < forest


def test_families_that_build_per_class_are_the_only_ones_scaled_by_the_classes():
    # LightGBM builds one tree per class each round, a random forest one tree in all: after
    # LightGBM's first trial on 10 classes, the forest is predicted as on a binary task
    # (it was 10 times that, and skipped where it took 2 s).
    binary = CostEstimator(n_train=1000, n_fits=5, n_features=20, n_classes=2)
    tenfold = CostEstimator(n_train=1000, n_fits=5, n_features=20, n_classes=10)
    binary.observe({"model": "lightgbm"}, 2.0)
    tenfold.observe({"model": "lightgbm"}, 20.0)
    forest, catboost = {"model": "random_forest"}, {"model": "catboost"}
    assert tenfold.predict(forest)[1] == "other"
    assert tenfold.predict(forest)[0] == pytest.approx(binary.predict(forest)[0])
    fitting = {cost: cost.predict(catboost)[0] - PROCESS_OVERHEAD for cost in (binary, tenfold)}
    assert fitting[tenfold] == pytest.approx(10 * fitting[binary])
    # The prior for LightGBM's defaults still counts every class's trees.
    prior = {cost: cost.default_seconds() - PROCESS_OVERHEAD for cost in (binary, tenfold)}
    assert prior[tenfold] > 5 * prior[binary]


def test_an_expensive_first_trial_is_cut_down_and_the_search_still_runs(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    # A 0.45 s limit per trial: LightGBM's defaults under 5-fold CV are expected not to fit,
    # so the search opens with fewer trees; what is then expected not to finish is skipped,
    # and skipped trials do not count against n_trials.
    model = tiny_classifier(n_trials=12, per_trial_time_limit=0.45, models=None)  # every family
    model.fit(X, y)
    trials = model.trials_
    first = trials.iloc[0]
    assert first["model"] == "lightgbm" and first["config"]["lightgbm:n_estimators"] < 100
    # On a loaded machine even the cut-down first trial can overrun its limit; others succeed.
    assert first["status"] in ("success", "timeout")
    assert (trials["status"] == "success").any()
    assert trials["expected_time"].notna().all()
    ran = trials[trials["status"] != "skipped"]
    skipped = trials[trials["status"] == "skipped"]
    assert len(ran) == 12
    assert skipped["error"].str.startswith("expected").all()
    assert (skipped["fit_time"] == 0).all()
    # A skip is only ever for a fitting time predicted over the limit (no slack on estimates
    # from other families or sizes), and the search still moves past LightGBM. Before any of
    # their own trials, other families are predicted from LightGBM's: k-NN at about a quarter
    # of 0.45 s here, the linear model at half (at 0.3 s, k-NN was 3% under or over it by the
    # machine's speed that moment); random forests, extra trees and CatBoost 4 to 7 times over.
    fitting = skipped["expected_time"] - PROCESS_OVERHEAD
    assert (fitting > 0.45).all()
    assert ran["model"].nunique() >= 2
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("warm_start", [False, "portfolio"])
def test_every_family_is_tried_within_the_first_trials(tiny_classifier, load_pmlb, warm_start):
    X, y = load_pmlb("prnn_synth")
    families = ("lightgbm", "random_forest", "extra_trees", "linear", "k_nearest_neighbors")
    # Cold, each family's defaults open the search: its first len(families) trials must hold
    # them all. The portfolio's members come first, the defaults in between: twice as many.
    n_trials = len(families) if warm_start is False else 2 * len(families)
    model = tiny_classifier(n_trials=n_trials, models=families, warm_start=warm_start)
    model.fit(X, y)
    assert set(model.trials_["model"]) == set(families)


def test_a_configuration_too_slow_for_all_rows_gets_a_row_sample_that_fits():
    cost = CostEstimator(n_train=200_000, n_fits=1, n_features=20)
    forest = {"model": "random_forest"}
    cost.observe(forest, 100.0)  # own basis: about 100 s on all rows
    assert not cost.affordable(forest, 10.0)[0]
    fidelity = cost.sample_fidelity(forest, 10.0)
    expected, _ = cost.predict(forest)
    # Sized to take SAMPLE_SHARE of the limit, fitting time taken as linear in rows.
    assert fidelity == pytest.approx((SAMPLE_SHARE * 10.0 - 0.5) / (expected - 0.5))
    # A sampled trial's time counts as that of all rows: the estimate does not fall.
    cost.observe(forest, 100.0 * fidelity, fidelity=fidelity)
    assert cost.predict(forest)[0] == pytest.approx(expected)
    # Too few rows left in the sample: skipped rather than sampled.
    small = CostEstimator(n_train=MIN_SAMPLE_ROWS * 5, n_fits=1, n_features=20)
    small.observe(forest, 100.0)
    assert small.sample_fidelity(forest, 10.0) is None
    # ... unless asked for the smallest sample allowed (a first look), if that is not all rows.
    at_least = small.sample_fidelity(forest, 10.0, at_least=True)
    assert at_least == pytest.approx(MIN_SAMPLE_ROWS / small.n_train)
    tiny = CostEstimator(n_train=MIN_SAMPLE_ROWS, n_fits=1, n_features=20)
    tiny.observe(forest, 100.0)
    assert tiny.sample_fidelity(forest, 10.0, at_least=True) is None


def test_sampled_rows_are_seeded_sorted_and_keep_every_class():
    y = np.r_[np.zeros(990, dtype=int), np.ones(8, dtype=int), [2, 2]]
    rows = np.arange(len(y))
    assert sample_rows(rows, y, 1.0, 0, True) is rows
    kept = sample_rows(rows, y, 0.05, 0, True)
    assert 50 <= len(kept) <= 52 and np.all(np.diff(kept) > 0)
    assert set(y[kept]) == {0, 1, 2}
    assert np.array_equal(kept, sample_rows(rows, y, 0.05, 0, True))
    assert not np.array_equal(kept, sample_rows(rows, y, 0.05, 1, True))


def test_a_search_runs_configurations_too_slow_for_all_rows_on_a_sample(
    monkeypatch, load_pmlb, binary_search_inputs, binary_search
):
    monkeypatch.setattr(automl._cost, "MIN_SAMPLE_ROWS", 5)  # prnn_synth: 200 training rows
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, seed=0)
    cost = CostEstimator(len(spec.splits[0][0]), len(spec.splits), data.shape[1])
    cost.observe({"model": "random_forest"}, 500.0)  # as if forests took 500 s here
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + 120, per_trial=10.0, max_trials=4)
    result = binary_search(
        data, y, spec, make_optimizer("random", space, [], 0, 1.0), budget, cost=cost
    )
    # Every family is expected to take a minute or more: what runs, runs on a sample.
    first = next(t for t in result.trials if t.status != "skipped")
    assert 0.0 < first.fidelity < 0.2 and first.status == "success"
    assert np.isfinite(first.loss)
    assert first.trial in result.predictions  # validated on all of its validation rows
    assert not np.isnan(result.predictions[first.trial]).any()


@pytest.mark.parametrize(
    ("budget", "seconds"),
    [(10, 2.0), (30, 6.0), (60, 10.0), (200, 10.0), (300, 15.0), (math.inf, math.inf)],
)
def test_a_first_look_may_take_5_percent_of_the_budget_or_10_s_within_a_fifth(budget, seconds):
    # 5% of a 60 s budget would sample CatBoost's 9 s defaults on a 12,000-row table.
    assert first_look_seconds(budget) == pytest.approx(seconds)


def _defaults_search(inputs, search, deadline: float = 100.0):
    """LightGBM's defaults, then the random forest's, in a search of ``deadline`` seconds where
    both are predicted at 20 s (within a trial's 30 s): the trials, and the forest's estimate
    before them."""
    data, y, spec = inputs
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, seed=0)
    boosting = space.get_default_configuration()
    forest, _ = translate({"model": "random_forest"}, space)
    cost = CostEstimator(len(spec.splits[0][0]), len(spec.splits), data.shape[1])
    for config in (boosting, forest):
        cost.observe(dict(config), 20.0)
    expected, _ = cost.predict(dict(forest))
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + deadline, per_trial=30.0, max_trials=2)
    origins = {config_key(c): "default" for c in (boosting, forest)}
    optimizer = make_optimizer("random", space, [boosting, forest], 0, 1.0)
    result = search(data, y, spec, optimizer, budget, cost=cost, origins=origins)
    return result.trials, expected


def test_slow_family_defaults_run_on_a_sample_sized_to_a_share_of_the_budget(
    monkeypatch, load_pmlb, binary_search_inputs, binary_search
):
    monkeypatch.setattr(automl._cost, "MIN_SAMPLE_ROWS", 5)  # prnn_synth: 200 training rows
    inputs = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    (first, second), expected = _defaults_search(inputs, binary_search)
    # LightGBM's defaults anchor the search on every row; the forest's are a first look at the
    # family, sized to the 10 s it may take of the 100 s budget.
    assert (first.model, first.fidelity) == ("lightgbm", 1.0)
    assert second.model == "random_forest" and second.status == "success"
    share = (first_look_seconds(100) - 0.5) / (expected - 0.5)
    assert second.fidelity == pytest.approx(share)
    # All its rows fit a trial's limit: an ensemble member from it is refitted on all of them.
    assert (first.refit_fidelity, second.refit_fidelity) == (None, 1.0)
    # Without a time budget there is no share to size it to: all rows.
    trials, _ = _defaults_search(inputs, binary_search, deadline=math.inf)
    assert [t.fidelity for t in trials] == [1.0, 1.0]


@pytest.mark.parametrize("at_least", [False, True])
def test_a_first_look_that_would_keep_too_few_rows(
    monkeypatch, at_least, load_pmlb, binary_search_inputs, binary_search
):
    inputs = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    n_train = len(inputs[2].splits[0][0])
    # The forest's first look (10 s of the 100 s) would keep about half the rows: too few.
    monkeypatch.setattr(automl._cost, "MIN_SAMPLE_ROWS", int(0.7 * n_train))
    monkeypatch.setattr(automl._search, "FIRST_LOOK_AT_LEAST", at_least)
    (first, second), _ = _defaults_search(inputs, binary_search)
    assert first.fidelity == 1.0 and second.status == "success"
    if at_least:  # the fewest rows allowed, refitted on all of them as an ensemble member
        assert second.fidelity == pytest.approx(int(0.7 * n_train) / n_train)
        assert second.refit_fidelity == 1.0
    else:  # all rows, as a trial of its own
        assert (second.fidelity, second.refit_fidelity) == (1.0, None)


def test_a_sampled_trial_is_refitted_on_the_same_share_of_rows(load_pmlb, binary_search_inputs):
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    knn = {"n_neighbors": 3, "weights": "uniform", "p": 2}
    config = {
        "model": "k_nearest_neighbors",
        **{f"k_nearest_neighbors:{k}": v for k, v in knn.items()},
    }
    pipeline = refit(config, data, y, spec, 0.2)
    assert pipeline[-1].estimator_.estimator.n_samples_fit_ == 50
    assert refit(config, data, y, spec)[-1].estimator_.estimator.n_samples_fit_ == len(y)


def test_a_boosting_familys_rounds_are_cut_to_fit_half_the_limit_or_not_at_all():
    cost = CostEstimator(n_train=700, n_fits=5, n_features=50)
    defaults = {"model": "catboost", "catboost:iterations": 500, "catboost:depth": 6}
    cost.observe(defaults, 19.0)
    cut = cost.fewer_rounds(defaults, 15.0)
    assert cut == {**defaults, "catboost:iterations": cut["catboost:iterations"]}
    assert 100 <= cut["catboost:iterations"] < 500
    assert cost.predict(cut)[0] == pytest.approx(SAMPLE_SHARE * 15.0, rel=0.02)
    assert cost.affordable(cut, 15.0)[0]
    # Fewer than a fifth of the rounds would not stand for the family; a forest has none to cut.
    assert cost.fewer_rounds(defaults, 2.0) is None
    assert cost.fewer_rounds({"model": "random_forest"}, 1.0) is None
    assert cost.fewer_rounds(defaults, 60.0) is None  # it fits as it is


@pytest.mark.parametrize("optimizer", ["random", "smac"])
@pytest.mark.parametrize("cut", [True, False])
def test_catboosts_defaults_too_slow_for_the_table_run_next_with_fewer_rounds(
    monkeypatch, optimizer, cut, load_pmlb, binary_search_inputs, binary_search
):
    monkeypatch.setattr(automl._search, "CUT_ROUNDS_TO_FIT", cut)
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"))
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, seed=0)
    boosting = space.get_default_configuration()
    catboost, _ = translate({"model": "catboost"}, space)
    cost = CostEstimator(len(spec.splits[0][0]), len(spec.splits), data.shape[1])
    cost.observe(dict(catboost), 15.0)  # as if its defaults took 15 s here: over a 10 s limit
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + 120, per_trial=10.0, max_trials=2)
    origins = {config_key(c): "default" for c in (boosting, catboost)}
    search = make_optimizer(optimizer, space, [boosting, catboost], 0, 1.0)
    result = binary_search(data, y, spec, search, budget, cost=cost, origins=origins)
    first, skipped, second = result.trials
    assert (first.model, first.origin, first.status) == ("lightgbm", "default", "success")
    assert (skipped.model, skipped.status) == ("catboost", "skipped")
    if cut:  # the family still gets its look, with its other settings at their defaults
        assert (second.model, second.origin, second.status) == ("catboost", "default", "success")
        rounds = second.config["catboost:iterations"]
        assert 100 <= rounds < catboost["catboost:iterations"]
        assert {**dict(catboost), "catboost:iterations": rounds} == second.config
    else:
        assert second.origin == "search"


@pytest.mark.parametrize("capped", [True, False])
def test_a_capped_configuration_stops_at_its_cap_and_the_others_at_the_trials_limit(
    capped, load_pmlb, binary_search_inputs, binary_search
):
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"))
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, seed=0)
    boosting = space.get_default_configuration()
    catboost, _ = translate({"model": "catboost"}, space)  # 1,000 rounds: over a second
    caps = {config_key(catboost): 0.3} if capped else None
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + 120, per_trial=30.0, max_trials=2)
    search = make_optimizer("random", space, [boosting, catboost], 0, 1.0)
    result = binary_search(data, y, spec, search, budget, caps=caps)
    first, second = result.trials
    assert (first.model, first.status) == ("lightgbm", "success")
    assert second.model == "catboost"
    assert second.status == ("timeout" if capped else "success")
    if capped:
        assert second.fit_time < 2.0


def test_member_caps_are_the_factor_times_each_run_members_prediction_plus_overhead():
    portfolio = {
        "members": [
            {"key": ("a",), "predicted_fit_seconds": 2.0},
            {"key": ("b",), "predicted_fit_seconds": 0.0},  # no prediction: no cap
            {"predicted_fit_seconds": 5.0, "skipped": "too slow"},  # never runs
        ]
    }
    assert member_caps(portfolio, 3.0) == {("a",): PROCESS_OVERHEAD + 6.0}
    assert member_caps(portfolio, None) == {}
    assert member_caps({}, 3.0) == {}
