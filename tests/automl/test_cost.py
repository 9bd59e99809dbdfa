"""Cost before running: resampling from the expected cost of a default fit, trials expected not
to finish skipped, a timeout making the same family's large settings skipped next."""

import numpy as np
import pytest

from automl import AutoMLClassifier
from automl._cost import CostEstimator, size_factor
from automl.components import DataShape


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
    deep = {"model": "catboost", "catboost:iterations": 500, "catboost:depth": 8}
    assert size_factor(deep) == 4.0
    assert size_factor({"model": "linear", "linear:C": 10.0}) == 1.0


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


def test_other_families_are_scaled_by_their_measured_relative_cost():
    cost = CostEstimator(n_train=1000, n_fits=5, n_features=20)
    cost.observe({"model": "lightgbm"}, 2.5)
    linear, _ = cost.predict({"model": "linear"})
    forest, _ = cost.predict({"model": "random_forest"})
    assert linear < 2.5 < forest


def test_an_expensive_first_trial_is_cut_down_and_the_search_still_runs(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    # A 0.3 s limit per trial: LightGBM's defaults under 5-fold CV are expected not to fit,
    # so the search opens with fewer trees; what is then expected not to finish is skipped,
    # and skipped trials do not count against n_trials.
    model = tiny_classifier(n_trials=12, per_trial_time_limit=0.3, models=None)  # every family
    model.fit(X, y)
    trials = model.trials_
    first = trials.iloc[0]
    assert first["model"] == "lightgbm" and first["config"]["lightgbm:n_estimators"] < 100
    # On a loaded machine even the cut-down first trial can overrun 0.3 s; others still succeed.
    assert first["status"] in ("success", "timeout")
    assert (trials["status"] == "success").any()
    assert trials["expected_time"].notna().all()
    ran = trials[trials["status"] != "skipped"]
    skipped = trials[trials["status"] == "skipped"]
    assert len(ran) == 12
    assert skipped["error"].str.startswith("expected").all()
    assert (skipped["fit_time"] == 0).all()
    assert ran["model"].nunique() >= 4
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("warm_start", [pytest.param(False, marks=pytest.mark.slow), "portfolio"])
def test_every_family_is_tried_within_the_first_trials(tiny_classifier, load_pmlb, warm_start):
    X, y = load_pmlb("prnn_synth")
    families = ("lightgbm", "random_forest", "extra_trees", "linear", "k_nearest_neighbors")
    model = tiny_classifier(n_trials=2 * len(families), models=families, warm_start=warm_start)
    model.fit(X, y)
    assert set(model.trials_["model"]) == set(families)
