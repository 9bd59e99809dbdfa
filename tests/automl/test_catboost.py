"""CatBoost as a family of the space: real fits on tiny data, categoricals handed over natively,
nothing written to the working directory, and older configurations still translating."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from automl._columns import ColumnTypes, infer_column_types, normalize_frame
from automl._evaluation import predict_pipeline
from automl._space import SPACE_VERSION, build_space, make_pipeline, translate
from automl._task import Task
from automl.components import COMPONENTS, DataShape
from knowledge_base.importers import import_openml_runs
from knowledge_base.importers.autosklearn import import_autosklearn
from tests.conftest import AUTOSKLEARN, OPENML_RUNS

MIXED = ColumnTypes(("a", "b"), (False, True))
# Few, fast rounds: each fit below takes a fraction of a second.
FAST = {"catboost:iterations": 50, "catboost:learning_rate": 0.3, "catboost:depth": 4}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory that must stay empty (CatBoost writes catboost_info/)."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


def _table(n: int, seed: int = 0):
    """A numeric column, and a categorical one with missing values that carries the signal."""
    rng = np.random.RandomState(seed)
    level = rng.choice(["red", "green", "blue", None], size=n)
    X = pd.DataFrame({"num": rng.normal(size=n), "colour": level})
    signal = pd.Series(level).map({"red": 2.0, "green": -2.0, "blue": 0.0}).fillna(4.0)
    return X, (signal + 0.5 * X["num"] + 0.3 * rng.normal(size=n)).to_numpy()


def _fit(task: Task, X, y, **config):
    columns = infer_column_types(X)
    space = build_space(task, DataShape(len(X), X.shape[1]), columns)
    translated, why = translate({"model": "catboost", **FAST, **config}, space)
    assert why == ""
    pipe = make_pipeline(dict(translated), task, columns)
    return pipe.fit(normalize_frame(X, columns), y), columns


@pytest.mark.parametrize("task", [Task.BINARY, Task.MULTICLASS, Task.REGRESSION])
def test_space_offers_catboost_with_its_defaults(task):
    space = build_space(task, DataShape(500, 10), MIXED)
    assert "catboost" in space["model"].choices
    assert space["model"].default_value == "lightgbm"  # still the first trial of a cold search
    config = dict(translate({"model": "catboost"}, space)[0])
    params = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("catboost:")}
    assert params == {
        "iterations": 500,
        "learning_rate": pytest.approx(0.08),
        "depth": 6,
        "l2_leaf_reg": pytest.approx(3.0),
        "random_strength": pytest.approx(1.0),
    }
    assert "categorical_encoding:__choice__" not in config  # categoricals go in natively


def test_binary_with_missing_and_unseen_categories(workdir):
    X, signal = _table(300)
    y = (signal > 1).astype(int)
    pipe, columns = _fit(Task.BINARY, X.iloc[:200], y[:200])
    model = pipe[-1].estimator_.model_
    assert model.get_cat_feature_indices() == [1]  # the categorical column, as a category
    test = normalize_frame(X.iloc[200:], columns)
    proba = pipe.predict_proba(test)
    assert proba.shape == (100, 2) and np.allclose(proba.sum(axis=1), 1)
    assert list(pipe.classes_) == [0, 1]
    assert roc_auc_score(y[200:], proba[:, 1]) > 0.9
    unseen = test.assign(colour="purple")  # a level never seen in training
    assert np.isfinite(pipe.predict_proba(unseen)).all()
    again = pickle.loads(pickle.dumps(pipe))  # fitted pipelines are pickled into models
    assert np.array_equal(again.predict_proba(test), proba)


def test_multiclass_with_a_class_absent_from_the_training_fold(workdir):
    X, signal = _table(240)
    y = np.digitize(signal, [-1.0, 1.0, 3.0])  # four classes, the fourth is "colour missing"
    train = y != 2
    pipe, columns = _fit(Task.MULTICLASS, X[train], y[train])
    assert list(pipe.classes_) == [0, 1, 3]
    data = normalize_frame(X, columns)
    proba = predict_pipeline(pipe, data, Task.MULTICLASS, n_classes=4)
    assert proba.shape == (240, 4) and np.allclose(proba.sum(axis=1), 1)
    assert (proba[:, 2] == 0).all()  # columns follow the labels, not their positions
    assert (proba[train].argmax(axis=1) == y[train]).mean() > 0.8
    assert np.array_equal(
        pipe.predict(data), np.array([0, 1, 3])[pipe.predict_proba(data).argmax(1)]
    )


def test_multiclass_loss_even_when_a_fold_holds_two_classes(workdir):
    X, signal = _table(120)
    y = (signal > 1).astype(int) * 2  # labels 0 and 2 of a multiclass task
    pipe, _ = _fit(Task.MULTICLASS, X, y)
    assert pipe[-1].estimator_.model_.get_all_params()["loss_function"] == "MultiClass"


def test_a_fold_catboost_refuses_gets_the_prior(workdir):
    X, _ = _table(60)
    one_class, _ = _fit(Task.MULTICLASS, X, np.full(60, 2))
    assert np.allclose(one_class.predict_proba(normalize_frame(X, infer_column_types(X))), 1.0)
    constant = pd.DataFrame({"num": np.ones(60), "colour": ["red"] * 60})
    y = np.r_[np.zeros(15, int), np.ones(45, int)]
    pipe, columns = _fit(Task.BINARY, constant, y)
    assert np.allclose(pipe.predict_proba(normalize_frame(constant, columns)), [0.25, 0.75])


def test_regression_with_categoricals(workdir):
    X, signal = _table(300)
    pipe, columns = _fit(Task.REGRESSION, X.iloc[:200], signal[:200])
    predicted = pipe.predict(normalize_frame(X.iloc[200:], columns))
    assert predicted.shape == (100,) and predicted.dtype == float
    assert np.corrcoef(predicted, signal[200:])[0, 1] > 0.9


def test_only_catboost_searched_by_the_estimator(workdir, tiny_classifier):
    X, signal = _table(120)
    y = np.where(signal > 1, "high", "low")
    model = tiny_classifier(models=("catboost",), n_trials=2, resampling="holdout").fit(X, y)
    assert set(model.trials_["model"]) == {"catboost"}
    assert (model.trials_["status"] == "success").any()
    assert model.predict_proba(X).shape == (120, 2) and set(model.predict(X)) <= {"high", "low"}


def test_older_configurations_translate_to_the_same_pipelines():
    """Space v2 added catboost, v3 the linear family's penalty (default l2, the only penalty
    before): every configuration of the families of v1 is one of v3 once ``linear:penalty``
    takes its default, which builds the same model."""
    assert SPACE_VERSION == "3"
    for task in (Task.BINARY, Task.REGRESSION):
        shape = DataShape(500, 10)
        v1 = [c.name for c in COMPONENTS if c.name != "catboost" and c.available(task, shape)]
        old = build_space(task, shape, MIXED, seed=3, include=tuple(v1))
        new = build_space(task, shape, MIXED)
        for config in [old.get_default_configuration(), *old.sample_configuration(100)]:
            before = {k: v for k, v in dict(config).items() if k != "linear:penalty"}
            translated, why = translate(before, new)
            assert why == ""
            after = dict(translated)
            assert after.pop("linear:penalty", "l2") == "l2" and after == before


def test_what_the_importers_write_translates_into_the_space():
    """Contract: the importers' rows (written as version-1 configurations until now) translate."""
    runs = pd.concat(
        [import_autosklearn(AUTOSKLEARN).runs, import_openml_runs(OPENML_RUNS).runs.iloc[::20]]
    )
    assert set(runs["space_version"]) == {SPACE_VERSION}
    spaces = {
        task: build_space(Task(task), DataShape(500, 10), MIXED) for task in set(runs["task"])
    }
    failed = {}
    for task, text in zip(runs["task"], runs["config"]):
        translated, why = translate(json.loads(text), spaces[task])
        if translated is None:
            failed[text] = why
    assert failed == {}
    assert len(runs) > 50
