"""Early stopping of the boosting families inside each fit (automl.components._early_stopping)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import automl._evaluation as evaluation_module
from automl._columns import infer_column_types, normalize_frame
from automl._evaluation import EvaluationSpec, evaluate, make_splits, refit
from automl._space import make_pipeline
from automl._task import Task
from automl.components._early_stopping import (
    MIN_ROWS,
    refit_configuration,
    refit_rounds,
    validation_split,
)
from automl.components.catboost import CatBoostModel


def _data(n: int, task: Task, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"x{i}" for i in range(5)])
    signal = X["x0"] + 0.5 * X["x1"] + rng.normal(scale=0.5, size=n)
    if task is Task.REGRESSION:
        y = signal.to_numpy()
    elif task is Task.BINARY:
        y = (signal > 0).astype(int).to_numpy()
    else:
        y = np.digitize(signal, [-1, 0, 1])
    columns = infer_column_types(X)
    return normalize_frame(X, columns), y, columns


def _fit(config: dict, n: int, task: Task):
    X, y, columns = _data(n, task)
    pipeline = make_pipeline(config, task, columns).fit(X, y)
    return pipeline, X, y


LIGHTGBM_MANY_ROUNDS = {
    "model": "lightgbm",
    "lightgbm:n_estimators": 1500,
    "lightgbm:learning_rate": 0.3,
    "lightgbm:num_leaves": 31,
    "lightgbm:min_child_samples": 20,
    "lightgbm:colsample_bytree": 1.0,
    "lightgbm:subsample": 1.0,
    "lightgbm:reg_alpha": 1e-10,
    "lightgbm:reg_lambda": 1e-10,
}
CATBOOST_MANY_ROUNDS = {
    "model": "catboost",
    "catboost:iterations": 1500,
    "catboost:learning_rate": 0.3,
    "catboost:depth": 4,
    "catboost:l2_leaf_reg": 3.0,
    "catboost:random_strength": 1.0,
}


def _rounds(pipeline) -> int:
    model = pipeline[-1].estimator_
    if hasattr(model, "n_estimators_"):
        return model.n_estimators_
    return model.model_.tree_count_


@pytest.mark.parametrize("task", [Task.BINARY, Task.MULTICLASS, Task.REGRESSION])
@pytest.mark.parametrize("config", [LIGHTGBM_MANY_ROUNDS, CATBOOST_MANY_ROUNDS], ids=["lgbm", "cb"])
def test_many_rounds_stop_early_and_refit_on_all_rows(config, task):
    """A simple signal at a high learning rate needs far fewer than 1500 rounds: the model
    stops, and the refitted model predicts every row with the rounds it found."""
    pipeline, X, y = _fit(config, MIN_ROWS + 200, task)
    rounds = _rounds(pipeline)
    assert 1 <= rounds < 500
    if task.is_classification:
        proba = pipeline.predict_proba(X)
        assert proba.shape == (len(y), len(np.unique(y)))
        assert (pipeline.predict(X) == y).mean() > 0.7
    else:
        assert np.corrcoef(pipeline.predict(X), y)[0, 1] > 0.8


@pytest.mark.parametrize("config", [LIGHTGBM_MANY_ROUNDS, CATBOOST_MANY_ROUNDS], ids=["lgbm", "cb"])
def test_small_data_runs_every_round(config):
    """Below MIN_ROWS a tenth is too few to stop on: every configured round is run."""
    pipeline, _, _ = _fit({**config}, MIN_ROWS // 4, Task.BINARY)
    assert _rounds(pipeline) == 1500


def test_a_class_too_rare_to_split_disables_early_stopping():
    y = np.zeros(MIN_ROWS + 100, dtype=int)
    y[:50] = 1
    y[-1] = 2  # one row: cannot be on both sides of a stratified split
    assert validation_split(y, 500, True, 0) is None
    assert validation_split(y[:-1], 500, True, 0) is not None
    assert validation_split(y[:-1], 20, True, 0) is None  # too few rounds to stop early
    train, held_out = validation_split(y[:-1], 500, True, 0)
    assert len(np.intersect1d(train, held_out)) == 0
    assert len(train) + len(held_out) == len(y) - 1
    assert set(y[held_out]) == {0, 1}


def test_refit_rounds_scale_for_the_extra_rows_within_the_bound():
    assert refit_rounds(90, 1000) == 100
    assert refit_rounds(990, 1000) == 1000
    assert refit_rounds(0, 1000) == 1


def test_the_refit_on_all_rows_uses_the_rounds_the_folds_validated():
    """A trial's folds stop early; the final refit takes their mean rounds with early stopping
    off (a fresh stop on all rows could land elsewhere); other families refit as configured."""
    X, y, columns = _data(MIN_ROWS * 2, Task.BINARY)
    spec = EvaluationSpec(
        Task.BINARY, "roc_auc", columns, make_splits(y, Task.BINARY, 3, 0), 2, 1, 0
    )
    outcome = evaluate(LIGHTGBM_MANY_ROUNDS, X, y, spec)
    refit_config = outcome.refit_config
    rounds = refit_config["lightgbm:n_estimators"]
    assert 1 <= rounds < 500 and refit_config["lightgbm:early_stopping"] is False
    pipeline = refit(refit_config, X, y, spec)
    assert pipeline[-1].estimator_.n_estimators_ == rounds
    assert pipeline[-1].estimator_.model_.booster_.num_trees() == rounds
    linear = {"model": "linear", "linear:C": 1.0, "rescaling:__choice__": "standard"}
    assert evaluate(linear, X, y, spec).refit_config is None
    assert refit_configuration(CATBOOST_MANY_ROUNDS, [10, 21]) == {
        **CATBOOST_MANY_ROUNDS,
        "catboost:iterations": 16,
        "catboost:early_stopping": False,
    }


def test_a_fit_refits_its_boosting_members_with_the_validated_rounds(tiny_classifier, monkeypatch):
    monkeypatch.setattr(evaluation_module, "FOLD_BAG_ROWS", 0)  # one refit, not the fold models
    X, y, _ = _data(MIN_ROWS * 2, Task.BINARY)
    model = tiny_classifier(n_trials=2, models=("lightgbm",), resampling="cv").fit(X, y)
    fitted = [p[-1].estimator_ for _, p in model.model_.members]
    assert all(not m.early_stopping for m in fitted)
    assert model.predict_proba(X).shape == (len(y), 2)


def test_catboost_best_at_its_first_round_refits_one_round_not_all():
    # Noise with a high learning rate: the held-out loss is lowest after the first round
    # (CatBoost's best iteration 0), which must not read as "no best found".
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(1500, 5)))
    options = dict(iterations=300, learning_rate=1.0, depth=6, random_seed=0, thread_count=1)
    model = CatBoostModel({**options, "verbose": False, "allow_writing_files": False}, False)
    assert model.fit(X, rng.normal(size=1500)).n_estimators_ == refit_rounds(1, 300)
