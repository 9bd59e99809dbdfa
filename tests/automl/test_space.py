"""The CASH space adapts to the data, and knowledge-base configurations translate into it."""

import numpy as np
import pandas as pd
import pytest

from automl._columns import ColumnTypes, infer_column_types, normalize_frame
from automl._preprocessing import MAX_ONE_HOT_LEVELS, TablePreprocessor
from automl._space import build_space, make_pipeline, translate
from automl._task import Task
from automl.components import COMPONENTS, DataShape

NUMERIC = ColumnTypes(("a", "b"), (False, False))
MIXED = ColumnTypes(("a", "b"), (False, True))


def families(task, rows, columns=NUMERIC, cols=10):
    return set(build_space(task, DataShape(rows, cols), columns)["model"].choices)


def test_small_data_offers_every_family():
    assert families(Task.BINARY, 500) == {c.name for c in COMPONENTS} - {"libsvm_svr"}
    assert families(Task.REGRESSION, 500) == {c.name for c in COMPONENTS} - {"libsvm_svc"}


def test_no_kernel_svm_or_knn_on_large_data():
    big = families(Task.BINARY, 300_000)
    assert "libsvm_svc" not in big and "k_nearest_neighbors" not in big
    assert "lightgbm" in big


def test_encoding_choice_only_with_categorical_columns():
    assert "categorical_encoding:__choice__" not in build_space(
        Task.BINARY, DataShape(100, 2), NUMERIC
    )
    assert "categorical_encoding:__choice__" in build_space(Task.BINARY, DataShape(100, 2), MIXED)


def test_default_configuration_is_lightgbm_defaults():
    default = dict(build_space(Task.BINARY, DataShape(100, 2), NUMERIC).get_default_configuration())
    assert default["model"] == "lightgbm"
    assert default["lightgbm:num_leaves"] == 31 and default["lightgbm:n_estimators"] == 100


def test_translate_drops_unknown_keys_and_fills_defaults():
    cs = build_space(Task.BINARY, DataShape(100, 2), NUMERIC)
    config, why = translate(
        {
            "model": "random_forest",
            "random_forest:max_features": 0.3,
            "classifier:foo": 1,
            "rescaling:__choice__": "standard",
        },
        cs,
    )
    assert why == "" and config["random_forest:max_features"] == pytest.approx(0.3)
    assert config["random_forest:min_samples_leaf"] == 1
    assert "rescaling:__choice__" not in dict(config)  # inactive for random forests


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"model": "xgboost"}, "not in this space"),
        ({"model": "libsvm_svr"}, "not in this space"),
        ({"model": "random_forest", "random_forest:max_features": 1.5}, "outside the space"),
        ({"model": "k_nearest_neighbors", "k_nearest_neighbors:weights": "gaussian"}, "outside"),
    ],
)
def test_translate_refuses_what_does_not_fit(config, reason):
    cs = build_space(Task.BINARY, DataShape(100, 2), NUMERIC)
    translated, why = translate(config, cs)
    assert translated is None and reason in why


@pytest.mark.slow
def test_every_sampled_configuration_builds_and_fits():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.choice(["x", "y", None], size=80)})
    y = (X["a"] > 0).astype(int).to_numpy()
    columns = infer_column_types(X)
    data = normalize_frame(X, columns)
    cs = build_space(Task.BINARY, DataShape(80, 2), columns, seed=1)
    for config in cs.sample_configuration(25):
        pipe = make_pipeline(dict(config), Task.BINARY, columns)
        pipe.fit(data, y)
        assert pipe.predict_proba(data).shape == (80, 2)


def test_one_hot_groups_rare_levels_of_high_cardinality_columns():
    X = pd.DataFrame({"c": [f"level{i % 5000}" for i in range(10_000)]}, dtype=object)
    prep = TablePreprocessor(categorical=("c",), encoding="one_hot").fit(X)
    assert prep.transform(X).shape[1] <= MAX_ONE_HOT_LEVELS


def test_native_encoding_keeps_categories_and_unknowns_become_missing():
    X = pd.DataFrame({"n": [1.0, np.nan, 3.0], "c": ["a", "b", "a"]}, dtype=object)
    X["n"] = X["n"].astype(float)
    prep = TablePreprocessor(numeric=("n",), categorical=("c",), encoding="native").fit(X)
    out = prep.transform(pd.DataFrame({"n": [2.0], "c": ["zzz"]}))
    assert isinstance(out["f1"].dtype, pd.CategoricalDtype) and out["f1"].isna().all()


def test_feature_selection_keeps_the_informative_column():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(200, 10)), columns=[f"x{i}" for i in range(10)])
    y = (X["x3"] > 0).astype(int)
    prep = TablePreprocessor(numeric=tuple(X.columns), percentile=10).fit(X, y)
    assert list(prep.selected_) == [3]


@pytest.mark.parametrize(
    "family, rare",
    [(f, r) for f in ("gradient_boosting", "mlp", "lightgbm", "catboost") for r in (1, 2)]
    + [("libsvm_svc", 2)],
)
def test_families_fit_with_a_class_of_one_or_two_rows(family, rare):
    """Real tables have rare classes; inside a CV fold a class may keep a single row."""
    rng = np.random.RandomState(0)
    n = 60
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = np.r_[np.zeros(30 - rare, int), np.ones(30, int), np.full(rare, 2)]
    columns = infer_column_types(X)
    cs = build_space(Task.MULTICLASS, DataShape(n, 2), columns, seed=0)
    config, _ = translate({"model": family}, cs)
    pipe = make_pipeline(dict(config), Task.MULTICLASS, columns)
    pipe.fit(normalize_frame(X, columns), y)
    proba = pipe.predict_proba(normalize_frame(X, columns))
    assert proba.shape == (n, 3) and np.allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("task", [Task.BINARY, Task.REGRESSION])
def test_l1_linear_keeps_few_of_many_noise_features(task):
    """The linear family's L1 penalty: sparse weights when 3 of 60 features carry the signal,
    and (regression) the same C works whatever the target's scale."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 60)), columns=[f"x{i}" for i in range(60)])
    signal = X["x0"] + X["x1"] - X["x2"]
    y = (signal > 0).astype(int).to_numpy() if task.is_classification else 1e4 * signal
    columns = infer_column_types(X)
    frame = normalize_frame(X, columns)

    def weights(penalty):
        config = {"model": "linear", "linear:C": 0.05, "linear:penalty": penalty}
        config["rescaling:__choice__"] = "standard"
        pipeline = make_pipeline(config, task, columns).fit(frame, y)
        model = pipeline[-1].estimator_
        model = getattr(model, "regressor_", model)
        return np.abs(np.ravel(model.coef_)), pipeline.score(frame, y)

    l1, l1_score = weights("l1")
    l2, _ = weights("l2")
    assert (l1 > 1e-8).sum() <= 10 < (l2 > 1e-8).sum()
    assert set(np.argsort(l1)[-3:]) == {0, 1, 2}
    assert l1_score > 0.8
