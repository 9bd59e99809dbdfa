"""Systems: baselines on tiny mixed-type data, metrics, plug-ins, optional peers, automl."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from benchmarks.metrics import metric_for, score_predictions
from benchmarks.peers import anytime_trace
from benchmarks.systems import (
    FitContext,
    OrdinalTable,
    get_system,
    installed_message,
    max_features_grid,
    system_names,
)

NO_XGBOOST = importlib.util.find_spec("xgboost") is None
BASELINES = [
    "constant",
    "lightgbm",
    "catboost",
    pytest.param("xgboost", marks=pytest.mark.skipif(NO_XGBOOST, reason="xgboost not installed")),
    "random-forest",
    "tuned-random-forest",
]


def _fit_score(name, X, y, task, budget=2.0):
    train, test = slice(0, 45), slice(45, None)
    system = get_system(name)
    ctx = FitContext(task_type=task, metric=metric_for(task), budget=budget, seed=0)
    system.fit(X.iloc[train].reset_index(drop=True), y.iloc[train].reset_index(drop=True), ctx)
    Xt = X.iloc[test].reset_index(drop=True)
    if ctx.classification:
        proba = system.predict_proba(Xt)
        assert proba.shape == (len(Xt), len(system.classes_))
        assert np.allclose(proba.sum(axis=1), 1)
        labels = system.predict(Xt)
        assert len(labels) == len(Xt) and set(labels) <= set(y)
        return system, score_predictions(ctx.metric, y.iloc[test], None, proba, system.classes_)
    pred = system.predict(Xt)
    return system, score_predictions(ctx.metric, y.iloc[test], pred, None, None)


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_baselines_handle_strings_categories_and_missing_values(name, task, make_table):
    X, y = make_table(task=task)
    system, score = _fit_score(name, X, y, task)
    assert np.isfinite(score)
    assert system.n_trials_ >= 1
    if name == "constant" and task == "binary":
        assert score == 0.5
    if name == "tuned-random-forest":
        assert system.trace_ and system.n_trials_ == len(system.extra_["tuning_scores"])


def test_ordinal_table_maps_unseen_and_missing_to_nan():
    train = pd.DataFrame({"c": ["a", "b", None], "n": [1.0, None, 3.0], "k": [1, 2, 3]})
    table = OrdinalTable().fit(train)
    out = table.transform(
        pd.DataFrame({"c": ["b", "zzz", None], "n": [2.0, 1.0, None], "k": [1, 1, 1]})
    )
    assert out[0, 0] == 1.0 and np.isnan(out[1, 0]) and np.isnan(out[2, 0])
    assert np.isnan(out[2, 1]) and out[0, 2] == 1.0


def test_max_features_grid_follows_the_amlb():
    assert max_features_grid(1) == [1]
    grid = max_features_grid(100)
    assert grid[0] == 10 and len(grid) == 11 and max(grid) == 100 and min(grid) == 1
    assert len(set(grid)) == len(grid)


def test_metrics_orientation_and_unseen_labels():
    y = np.array(["a", "b", "a", "b"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert score_predictions("roc_auc", y, None, proba, np.array(["a", "b"])) == 1.0
    y3 = np.array(["a", "b", "c"])
    loss = score_predictions("log_loss", y3, None, proba[:3], np.array(["a", "b"]))
    assert loss > 10  # the unseen class "c" gets a (clipped) zero probability
    assert score_predictions("rmse", np.array([1.0, 3.0]), np.array([2.0, 2.0]), None, None) == 1.0
    with pytest.raises(ValueError, match="task_type must be one of"):
        metric_for("ranking")


def test_anytime_trace_keeps_improvements_of_successful_trials():
    trials = pd.DataFrame(
        {
            "end_time": [1.0, 2.0, 3.0, 4.0, 5.0],
            "score": [0.5, 0.4, 0.9, np.nan, 0.95],
            "status": ["success", "success", "crashed", "crashed", "success"],
        }
    )
    assert anytime_trace(trials, "roc_auc") == [[1.0, 0.5], [5.0, 0.95]]
    assert anytime_trace(trials, "log_loss") == [[1.0, 0.5], [2.0, 0.4]]


def test_unknown_system_and_plugins(plugin_systems):
    with pytest.raises(ValueError, match="Unknown system 'nope'; known systems: automl"):
        get_system("nope")
    assert set(plugin_systems) <= set(system_names())
    assert type(get_system("test-fail")).__name__ == "Fail"


@pytest.mark.parametrize("name,module", [("flaml", "flaml"), ("autogluon", "autogluon")])
def test_optional_peers_say_they_are_not_installed(name, module):
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed")
    assert "is not installed" in installed_message(get_system(name))


@pytest.mark.parametrize("name", ["automl-cold", "automl"])
def test_automl_system_keeps_trials_and_trace(name, make_table, request):
    pytest.importorskip("automl")
    if name == "automl":
        request.getfixturevalue("automl_ready")
    X, y = make_table(n=60, task="binary")
    system, score = _fit_score(name, X, y, "binary", budget=2.0)
    assert np.isfinite(score)
    assert system.trials_ is not None and system.n_trials_ == len(system.trials_) >= 1
    assert system.trace_ and all(len(point) == 2 for point in system.trace_)
    assert system.model_.update_knowledge_base is False
