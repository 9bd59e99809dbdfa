"""Probabilities worth their log loss: calibration, the floor, repeated CV on small data, and a
real model instead of a constant when the search leaves nothing."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import KNeighborsClassifier

from automl import AutoMLClassifier, AutoMLRegressor
from automl._calibration import METHODS, cross_fitted_losses, fit_calibrator, log_loss, min_floor
from automl._columns import infer_column_types, normalize_frame
from automl._ensemble import EnsembleModel, select_and_calibrate
from automl._evaluation import _fit_context, predict_pipeline
from automl._space import make_pipeline
from automl._task import METRICS, Task
from automl.components import DataShape, component_by_name


def _overconfident(load_pmlb, name, model):
    """Out-of-fold probabilities of an over-confident model on a real table, labels 0..k-1."""
    X, y = load_pmlb(name)
    y = np.unique(y, return_inverse=True)[1]
    proba = cross_val_predict(model, X.to_numpy(float), y, cv=5, method="predict_proba")
    return proba, y


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("confidence", KNeighborsClassifier(n_neighbors=1)),  # 6 classes, hard 0/1
        ("prnn_synth", ExtraTreesClassifier(n_estimators=10, random_state=0)),  # binary
    ],
)
def test_calibrators_do_not_make_an_overconfident_model_worse(load_pmlb, name, model):
    proba, y = _overconfident(load_pmlb, name, model)
    raw = log_loss(y, proba)
    prior = np.bincount(y) / len(y)
    crossed = cross_fitted_losses(proba, y, METHODS, prior=prior)
    for method in METHODS:
        fitted = fit_calibrator(proba, y, method, prior=prior)
        assert log_loss(y, fitted.transform(proba)) <= raw + 1e-6, method
        assert crossed[method] <= raw + 0.05, method  # on rows it was not fitted on
    auto = fit_calibrator(proba, y, "auto", prior=prior)
    assert auto.method == min(crossed, key=crossed.get) or np.isclose(
        crossed[auto.method], min(crossed.values()), atol=1e-6
    )
    assert log_loss(y, auto.transform(proba)) < 0.8 * raw  # hard zeros cost dearly unfixed


def test_calibration_keeps_binary_rankings_and_floors_every_class(load_pmlb):
    proba, y = _overconfident(load_pmlb, "prnn_synth", KNeighborsClassifier(n_neighbors=3))
    auc = roc_auc_score(y, proba[:, 1])
    for method in METHODS:
        out = fit_calibrator(proba, y, method).transform(proba)
        assert roc_auc_score(y, out[:, 1]) == pytest.approx(auc, abs=1e-12), method
        assert out.min() >= min_floor(len(y)) * (np.bincount(y) / len(y)).min() - 1e-12
        assert np.allclose(out.sum(axis=1), 1.0)


def test_selection_with_bags_and_a_single_member(load_pmlb):
    preds, y = zip(
        *(
            _overconfident(load_pmlb, "prnn_synth", KNeighborsClassifier(n_neighbors=k))
            for k in (1, 5, 25)
        )
    )
    y = y[0]
    metric = METRICS["log_loss"]
    weights, calibrator = select_and_calibrate(
        list(preds), y, metric, size=20, labels=np.arange(2), bags=5
    )
    assert weights.sum() == pytest.approx(1.0) and calibrator is not None
    one, _ = select_and_calibrate(list(preds), y, metric, size=1, labels=np.arange(2), bags=5)
    assert (one > 0).sum() == 1  # ensemble_size=1: the single best, whatever the bagging


def test_no_exact_zero_for_a_class_seen_in_training(tiny_classifier, load_pmlb):
    X, y = load_pmlb("confidence")  # 72 rows, 6 classes
    # k-NN's default (5 neighbours, 6 classes) gives every row a hard zero.
    model = tiny_classifier(n_trials=1, models=("k_nearest_neighbors",), resampling="cv")
    model.fit(X, y)
    assert isinstance(model.model_, EnsembleModel) and model.model_.calibrator is not None
    (_, pipeline), *_ = model.model_.members
    assert pipeline.predict_proba(X).min() == 0.0  # what the calibrator's floor fixes
    proba = model.predict_proba(X)
    assert proba.min() > 0.0
    assert np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("family", ["random_forest", "extra_trees", "k_nearest_neighbors"])
def test_every_family_is_floored(load_pmlb, family):
    """The families whose defaults give hard 0/1 probabilities (pure leaves, few neighbours)
    never give a class seen in training probability 0 once the ensemble's calibrator is
    applied."""
    X, y = load_pmlb("confidence")
    frame = normalize_frame(X, columns := infer_column_types(X))
    y = np.unique(y, return_inverse=True)[1]
    config = {
        f"{family}:{hp.name}": hp.default_value
        for hp in component_by_name(family).hyperparameters(
            Task.MULTICLASS, DataShape(len(y), X.shape[1])
        )
    }
    pipeline = make_pipeline({**config, "model": family}, Task.MULTICLASS, columns)
    with _fit_context(1):
        pipeline.fit(frame, y)
    proba = predict_pipeline(pipeline, frame, Task.MULTICLASS, 6)
    calibrator = fit_calibrator(proba, y, "none")
    model = EnsembleModel([(1.0, pipeline)], Task.MULTICLASS, 6, calibrator)
    assert proba.min() == 0.0 and model.predict(frame).min() > 0.0


def test_repeated_cv_on_small_data():
    auto = AutoMLClassifier()  # time_budget=60: 15 s per trial
    assert auto._resampling(DataShape(200, 10), 15.0) == "repeated-cv"
    assert auto._resampling(DataShape(201, 10), 15.0) == "cv"
    assert AutoMLClassifier(time_budget=30)._resampling(DataShape(100, 2), 7.5) == "cv"  # short
    assert AutoMLClassifier(resampling="cv")._resampling(DataShape(100, 2), 15.0) == "cv"
    assert AutoMLRegressor()._resampling(DataShape(150, 3), 15.0) == "repeated-cv"


def test_all_trials_timing_out_gives_a_real_model_and_says_why(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # 15 MLP fits (repeated CV) never finish in the shortest trial (0.25 s).
        model = tiny_classifier(
            n_trials=2, per_trial_time_limit=0.01, models=("mlp",), resampling="repeated-cv"
        ).fit(X, y)
    # After the first timeout the cost model may skip the rest: none of them succeeds.
    status = model.trials_["status"]
    assert set(status) <= {"timeout", "skipped"} and (status == "timeout").sum() >= 1
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("No trial succeeded" in m and "timeout" in m and "fallback" in m for m in messages)
    proba = model.predict_proba(X)
    assert not np.allclose(proba, proba[0])  # not the class prior on every row
    assert proba.min() > 0 and model.score(X, y) > 0.7


def test_regression_fallback_is_a_real_model(tiny_regressor, load_pmlb):
    X, y = load_pmlb("1096_FacultySalaries")
    with pytest.warns(RuntimeWarning, match="timeout.*fitted a fallback"):
        model = tiny_regressor(
            n_trials=1, per_trial_time_limit=0.01, models=("mlp",), resampling="repeated-cv"
        ).fit(X, y)
    assert np.std(model.predict(X)) > 0


def test_many_rows_are_calibrated_on_a_sample_that_finds_the_true_temperature():
    """Probabilities three times too sharp: the temperature fitted on a sample of MAX_ROWS of
    20,000 rows is about 3, as on all of them, and it applies to every row."""
    from automl._calibration import MAX_ROWS

    rng = np.random.default_rng(0)
    n, k = 20_000, 5
    logits = rng.normal(size=(n, k))
    true = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(k, p=p) for p in true])
    sharp = np.exp(3 * logits) / np.exp(3 * logits).sum(axis=1, keepdims=True)
    assert n > MAX_ROWS
    fitted = fit_calibrator(sharp, y, "temperature")
    assert fitted.temperature == pytest.approx(3.0, rel=0.1)
    out = fitted.transform(sharp)
    assert out.shape == (n, k) and log_loss(y, out) < log_loss(y, sharp) - 0.1
