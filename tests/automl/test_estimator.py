"""The estimators on real and messy tables: what a user sees after fit."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

import automl._estimator
from automl import AutoMLClassifier
from automl._evaluation import refit, refit_folds


def test_messy_table_with_string_labels(tiny_classifier, make_messy):
    X, y = make_messy(240)
    model = tiny_classifier(n_trials=4).fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    assert model.n_features_in_ == X.shape[1]
    assert list(model.feature_names_in_) == list(X.columns)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {"no", "yes"}
    assert roc_auc_score(y == "yes", proba[:, 1]) > 0.8
    assert len(model.trials_) == 4
    assert model.trials_["model"].iloc[0] == "lightgbm"  # the default LightGBM runs first
    assert model.trials_["origin"].iloc[0] == "default"
    board = model.leaderboard_
    for column in ["trial", "model", "config", "score", "fit_time", "status", "ensemble_weight"]:
        assert column in board.columns
    assert board["score"].iloc[0] == board["score"].max()
    assert board["ensemble_weight"].sum() == pytest.approx(1.0)
    assert model.best_config_ == board["config"].iloc[0]
    t = model.timings_
    # Trials that run at once (n_jobs=-1) add up to more than the search's wall time.
    assert 0 < t["model_fitting"] <= t["trials"] <= t["search"] * model.n_workers_
    assert t["search"] <= t["total"]
    assert t["optimizer"] < t["total"]


def test_multiclass_defaults_to_log_loss(tiny_classifier, make_messy):
    X, y = make_messy(300, n_classes=3)
    model = tiny_classifier().fit(X, y)
    assert model.metric_ == "log_loss"
    assert model.predict_proba(X).shape == (300, 3)
    assert (model.trials_["loss"] > 0).all()


def test_regression_on_real_data(tiny_regressor, load_pmlb):
    X, y = load_pmlb("1027_ESL")
    model = tiny_regressor().fit(X, y)
    assert model.metric_ == "rmse"
    assert model.score(X, y) > 0.5
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize("metric", ["accuracy", "balanced_accuracy", "roc_auc", "log_loss"])
def test_classification_metrics(tiny_classifier, load_pmlb, metric):
    X, y = load_pmlb("prnn_crabs")
    # The default ensemble size: selection's losses are vectorised for every metric.
    model = tiny_classifier(n_trials=2, metric=metric).fit(X, y)
    scores = model.trials_["score"]
    assert model.metric_ == metric
    assert ((scores >= 0) & (scores <= 1)).all() if metric != "log_loss" else (scores > 0).all()


@pytest.mark.parametrize("metric", ["rmse", "mae", "r2"])
def test_regression_metrics(tiny_regressor, load_pmlb, metric):
    X, y = load_pmlb("1096_FacultySalaries")
    model = tiny_regressor(n_trials=2, metric=metric).fit(X, y)
    assert model.metric_ == metric and model.trials_["score"].notna().all()


QUICK_FAMILIES = ("lightgbm", "linear", "k_nearest_neighbors")


@pytest.mark.slow
def test_same_seed_same_trials(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    # Three quick families: their defaults, then at least four of SMAC's own proposals.
    quick = dict(n_trials=7, models=QUICK_FAMILIES, n_jobs=1)  # one at a time: repeatable
    runs = [tiny_classifier(random_state=3, **quick).fit(X, y) for _ in range(2)]
    assert (runs[0].trials_["origin"] == "search").sum() >= 4
    assert runs[0].trials_["config"].tolist() == runs[1].trials_["config"].tolist()
    other = tiny_classifier(random_state=4, resampling="holdout", **quick).fit(X, y)
    assert other.trials_["config"].tolist() != runs[0].trials_["config"].tolist()


def test_random_search_is_a_sibling(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    families = ("lightgbm", "linear", "libsvm_svc", "k_nearest_neighbors", "mlp")
    model = tiny_classifier(n_trials=8, optimizer="random", models=families).fit(X, y)
    trials = model.trials_[model.trials_["status"] != "skipped"]  # skipped ones do not count
    assert len(trials) == 8
    assert trials["model"].nunique() > 3
    assert (trials["origin"] == "search").sum() == 3  # random samples, after the defaults


@pytest.mark.timing
def test_time_budget_is_kept_without_trial_cap(load_pmlb):
    X, y = load_pmlb("prnn_synth")
    model = AutoMLClassifier(
        time_budget=8, warm_start=False, update_knowledge_base=False, random_state=0
    ).fit(X, y)
    assert len(model.trials_) > 5
    assert model.fit_time_ < 8 * 1.1 + 2  # a few seconds of slack on a busy machine
    assert model.trials_["end_time"].max() <= 8 + 1


def test_failing_trials_do_not_stop_the_search(tiny_classifier, load_pmlb, failing_family):
    X, y = load_pmlb("prnn_synth")
    # Every trial crashes in its own process; the search goes on to its last trial, and the
    # warning says why the model is the cheap fallback.
    with pytest.warns(RuntimeWarning, match=r"No trial succeeded.*crashed"):
        model = tiny_classifier(n_trials=3, models=(failing_family.name,)).fit(X, y)
    assert len(model.trials_) == 3
    assert set(model.trials_["status"]) == {"crashed"}
    assert model.trials_["error"].str.contains("this family always fails").all()
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.isfinite(proba).all()


def test_constant_predictor_only_when_the_fallback_models_fail_too(
    tiny_classifier, load_pmlb, failing_family, monkeypatch
):
    X, y = load_pmlb("prnn_synth")
    y = np.where(np.arange(len(y)) % 4 == 0, 1, 0)  # a prior of about 1:3
    failing = {"model": failing_family.name, f"{failing_family.name}:unused": 0.5}
    # The fallback's cheap candidates are the failing family too: its child process crashes.
    monkeypatch.setattr(
        automl._fallback, "cheap_configurations", lambda task, n_rows: [("failing", failing)]
    )
    with pytest.warns(RuntimeWarning, match=r"fallback models failed too.*constant predictor"):
        model = tiny_classifier(n_trials=2, models=(failing_family.name,)).fit(X, y)
    assert np.allclose(model.predict_proba(X), [1 - y.mean(), y.mean()])  # the class prior
    assert (model.predict(X) == 0).all()


def _refusing_linear(config, fit, *args):
    """The real ``fit``, except that linear pipelines fail (as a timeout on all rows would)."""
    if config["model"] == "linear":
        raise RuntimeError("refit refused")
    return fit(config, *args)


def _refit_refusing_linear(config, *args):  # module-level: the child process unpickles it
    return _refusing_linear(config, refit, *args)


def _fold_models_refusing_linear(config, *args):
    return _refusing_linear(config, refit_folds, *args)


def test_a_failed_refit_falls_back_to_the_next_trial_not_a_cheap_model(
    tiny_classifier, load_pmlb, monkeypatch
):
    X, y = load_pmlb("prnn_synth")
    monkeypatch.setattr(automl._estimator, "refit", _refit_refusing_linear)
    monkeypatch.setattr(automl._estimator, "refit_folds", _fold_models_refusing_linear)
    monkeypatch.setattr(automl._estimator, "KEEP_FOLD_MODELS", 0)  # else no member is refitted
    model = tiny_classifier(n_trials=4, models=["lightgbm", "linear"], ensemble_size=1)
    with pytest.warns(RuntimeWarning, match=r"using trial \d+ \(lightgbm\) alone"):
        model.fit(X, y)
    board = model.leaderboard_
    assert board["model"].iloc[0] == "linear"  # on this table the best trial is linear
    member = board[board["ensemble_weight"] > 0]
    assert list(member["model"]) == ["lightgbm"] and member["ensemble_weight"].iloc[0] == 1.0
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.8


def test_verbose_prints_a_line_per_trial_and_zero_is_silent(tiny_classifier, load_pmlb, capsys):
    X, y = load_pmlb("prnn_synth")
    tiny_classifier(n_trials=3, verbose=1, models=QUICK_FAMILIES).fit(X, y)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("[automl] trial")]
    assert len(lines) == 3
    tiny_classifier(n_trials=3, verbose=0, models=QUICK_FAMILIES).fit(X, y)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_set_params_and_refit(tiny_classifier, load_pmlb):
    X, y = load_pmlb("prnn_synth")
    model = tiny_classifier(n_trials=2)
    model.set_params(n_trials=3, ensemble_size=1)
    model.fit(X, y)
    assert len(model.trials_) == 3
    assert (model.leaderboard_["ensemble_weight"] > 0).sum() == 1


def test_anneal_through_openml_client(openml_cache, tiny_classifier):
    import openml

    dataset = openml.datasets.get_dataset(2, download_data=True, download_qualities=False)
    X, y, _, _ = dataset.get_data(target=dataset.default_target_attribute)
    assert X.isna().sum().sum() > 0 and (X.dtypes == "category").sum() > 20
    model = tiny_classifier(n_trials=3, metric="accuracy").fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.predict(X.iloc[:5]).shape == (5,)


def test_predict_on_unseen_category_and_missing_values(tiny_classifier, make_messy):
    X, y = make_messy(200)
    model = tiny_classifier(n_trials=2).fit(X, y)
    new = X.head(3).copy()
    new["colour"] = ["purple", None, "red"]
    new["x1"] = [np.nan, np.inf, 0.0]
    assert model.predict(new).shape == (3,)


def test_numpy_object_array_input(tiny_classifier):
    rng = np.random.RandomState(0)
    X = np.empty((120, 2), dtype=object)
    X[:, 0] = rng.normal(size=120)
    X[:, 1] = rng.choice(["a", "b"], size=120)
    y = (X[:, 0].astype(float) > 0).astype(int)
    model = tiny_classifier(n_trials=2).fit(X, y)
    assert model.score(X, y) > 0.8


def test_regressor_accepts_dataframe_target(tiny_regressor, load_pmlb):
    X, y = load_pmlb("1096_FacultySalaries")
    model = tiny_regressor(n_trials=2).fit(X, y.to_frame())
    assert model.predict(X).shape == (len(X),)


def test_pickle_round_trip(tiny_classifier, make_messy, tmp_path):
    import joblib

    X, y = make_messy(150)
    model = tiny_classifier(n_trials=2).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    assert (joblib.load(path).predict(X) == model.predict(X)).all()


def test_models_restricts_families(tiny_regressor, load_pmlb):
    X, y = load_pmlb("1096_FacultySalaries")
    model = tiny_regressor(n_trials=4, models=("linear", "k_nearest_neighbors")).fit(X, y)
    assert set(model.trials_["model"]) <= {"linear", "k_nearest_neighbors"}


def test_not_fitted():
    with pytest.raises(NotFittedError):
        AutoMLClassifier().predict(pd.DataFrame({"a": [1.0]}))


@pytest.mark.parametrize(
    ("resampling", "label"),
    [("holdout", "holdout0.33"), ("cv", "cv5"), (3, "cv3"), ("repeated-cv", "cv5x3")],
)
def test_resampling_schemes(resampling, label):
    from automl._columns import ColumnTypes
    from automl._evaluation import EvaluationSpec, make_splits
    from automl._task import Task

    y = np.array([0, 1] * 30)
    splits = make_splits(y, Task.BINARY, resampling, seed=0)
    spec = EvaluationSpec(Task.BINARY, "roc_auc", ColumnTypes(("a",), (False,)), splits, 2, 1, 0)
    assert spec.resampling == label
    counts = np.bincount(np.concatenate([val for _, val in splits]), minlength=60)
    if resampling != "holdout":
        assert counts.min() == counts.max()  # every row validated equally often


def test_pipeline_for_a_trial_is_the_searched_pipeline_unfitted(tiny_classifier, make_messy):
    """``pipeline_for`` rebuilds a trial's pipeline from the public API: unfitted, reading raw
    X, and making the same predictions as the pipeline the search builds on prepared data."""
    from sklearn.utils.validation import check_is_fitted

    from automl._columns import infer_column_types, normalize_frame
    from automl._space import make_pipeline

    X, y = make_messy(240)
    model = tiny_classifier(n_trials=2, models=("linear", "k_nearest_neighbors")).fit(X, y)
    trial = model.trials_.iloc[-1]
    pipeline = model.pipeline_for(int(trial["trial"]))
    with pytest.raises(NotFittedError):
        check_is_fitted(pipeline)
    prefix = trial["model"] + ":"
    params = {k[len(prefix) :]: v for k, v in trial["config"].items() if k.startswith(prefix)}
    assert pipeline.steps[-1][1].params == params
    train, test = slice(0, 160), slice(160, None)
    proba = pipeline.fit(X[train], y[train]).predict_proba(X[test])
    columns = infer_column_types(X)
    searched = make_pipeline(trial["config"], model.task_, columns, seed=model._seed)
    searched.fit(normalize_frame(X[train], columns), y[train])
    expected = searched.predict_proba(normalize_frame(X[test].reset_index(drop=True), columns))
    np.testing.assert_allclose(proba, expected)
    # A DataFrame is read by column name, an array by position.
    shuffled = X[test][list(reversed(X.columns))]
    np.testing.assert_allclose(pipeline.predict_proba(shuffled), proba)
    np.testing.assert_allclose(pipeline.predict_proba(X[test].to_numpy(dtype=object)), proba)


def test_pipeline_for_a_configuration(tiny_regressor, load_pmlb):
    X, y = load_pmlb("1096_FacultySalaries")
    model = tiny_regressor(n_trials=2, models=("linear", "k_nearest_neighbors")).fit(X, y)
    pipeline = model.pipeline_for({"model": "linear", "linear:C": 10.0})
    assert pipeline.steps[-1][1].params == {"C": 10.0, "penalty": "l2"}  # the default filled in
    assert pipeline.fit(X, y).score(X, y) > 0.5
    with pytest.raises(ValueError, match="search space"):
        model.pipeline_for({"model": "mlp"})  # not among this fit's families
    with pytest.raises(ValueError, match="No trial 99"):
        model.pipeline_for(99)
    with pytest.raises(NotFittedError):
        AutoMLClassifier().pipeline_for(0)
