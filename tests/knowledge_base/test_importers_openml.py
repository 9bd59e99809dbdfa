"""The OpenML importers: downloaded openml-pimp runs, and the live client on an offline cache.

No test reaches the network: the ``no_network`` fixture (``tests/conftest.py``) makes every
internet socket connection and every ``requests`` call fail. The client tests use a copy of
the offline OpenML cache (task 1882, dataset 2 ``anneal`` with its qualities). What the client
cannot read from a cache (listing evaluations, users, setups; a suite) is served at the HTTP
layer that ``openml`` uses (``requests.Session.request``) by the ``served`` fixture, from files
in ``data/openml/``. Those files are hand-written in the exact XML format of OpenML's REST API
(not captured from the server); they describe six plausible scikit-learn runs on task 1882.

The openml-pimp runs: tests that take ``source`` run on the slice in
``tests/data/metadata/openml-runs`` (the first two tasks of each flow) and again, when
``../shared/metadata/openml-runs`` is present, on all 87,000 runs (marked ``corpora``); the
check of every run's count runs on all of them only.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from knowledge_base import KnowledgeBase
from knowledge_base.importers import (
    clean_openml_qualities,
    fraction_to_exponent,
    import_openml_evaluations,
    import_openml_runs,
    import_openml_suite,
    import_openml_tasks,
    openml_client,
    openml_runs,
)
from knowledge_base.importers._common import run_id
from knowledge_base.importers._sklearn_flows import translate_setup
from tests.conftest import CORPORA, OPENML_RUNS, NetworkBlocked

#: All downloaded runs: 47,000 random-forest and 40,000 AdaBoost runs on the OpenML100 tasks.
CORPUS = pytest.param(CORPORA["openml-runs"], id="corpus", marks=pytest.mark.corpora("openml-runs"))
#: The number of AdaBoost runs (flow 6970) in the slice and in the corpus.
ADABOOST_RUNS = {OPENML_RUNS: 800, CORPORA["openml-runs"]: 40_000}
pytestmark = pytest.mark.usefixtures("no_network")


# ------------------------------------------------------------------ downloaded openml-pimp runs


@pytest.fixture(scope="module", params=[pytest.param(OPENML_RUNS, id="slice"), CORPUS])
def source(request):
    """A folder of openml-pimp runs: the slice in tests/data, or all of them."""
    return request.param


@pytest.fixture(scope="module")
def pimp(source):
    return import_openml_runs(source)


@pytest.mark.parametrize("source", [CORPUS], indirect=True)
def test_every_downloaded_run_is_translated(pimp):
    assert len(pimp.datasets) == 100
    assert pimp.skipped == {}
    counts = pimp.runs["model"].value_counts().to_dict()
    assert counts == {"random_forest": 47_000, "adaboost": 40_000}
    assert pimp.notes["adaboost:algorithm=SAMME.R"] == 19_945
    assert pimp.runs["run_id"].is_unique
    assert pimp.runs["dataset_id"].isin(pimp.datasets["dataset_id"]).all()
    assert set(pimp.runs["resampling"]) == {"openml-10cv"}
    assert set(pimp.runs["source"]) == {"openml-runs"}
    assert np.allclose(pimp.runs["score"] + pimp.runs["loss"], 1.0)


def test_datasets_from_task_qualities(pimp):
    datasets = pimp.datasets.set_index("openml_task_id")
    row = datasets.loc[3]  # kr-vs-kp: 3196 rows, 36 inputs + class
    assert row["dataset_id"] == "openml-task-3"
    assert (row["task"], row["n_rows"], row["n_features"]) == ("binary", 3196, 36)
    meta = json.loads(row["metafeatures"])
    assert len(meta) == 107 and meta["NumberOfFeatures"] == 37
    assert meta["MeanKurtosisOfNumericAtts"] is None  # no numeric attributes: NaN -> null
    assert meta["MinorityClassPercentage"] == pytest.approx(100 * 1527 / 3196)  # was a fraction
    assert datasets.loc[6, "task"] == "multiclass"
    assert pimp.notes["qualities_cleaned"] > 0


def test_random_forest_row_is_translated_exactly(pimp):
    first = pimp.runs.iloc[0]  # first row of flow-6969: task 3, max_features 0.8026968345397216
    assert first["run_id"] == run_id("openml-runs", 6969, 3, 0)
    config = json.loads(first["config"])
    assert config == {
        "model": "random_forest",
        "random_forest:bootstrap": "True",
        "random_forest:criterion": "entropy",
        "random_forest:max_features": pytest.approx(math.log(28) / math.log(36)),
        "random_forest:min_samples_leaf": 18,
        "random_forest:min_samples_split": 9,
        "imputation:strategy": "median",
        "categorical_encoding:__choice__": "one_hot",
        "feature_selection:__choice__": "none",
    }
    assert round(36 ** config["random_forest:max_features"]) == int(0.8026968345397216 * 36)
    assert first["score"] == 0.96965 and first["metric"] == "accuracy"
    original = json.loads(first["original_config"])
    assert original["flow_id"] == 6969
    assert original["randomforestclassifier__max_features"] == 0.8026968345397216


def test_max_features_round_trip_on_every_forest_run(pimp):
    rf = pimp.runs[pimp.runs["model"] == "random_forest"]
    n = rf["dataset_id"].map(pimp.datasets.set_index("dataset_id")["n_features"]).to_numpy(float)
    exponent = np.array([json.loads(c)["random_forest:max_features"] for c in rf["config"]])
    fraction = np.array(
        [json.loads(c)["randomforestclassifier__max_features"] for c in rf["original_config"]]
    )
    expected = np.maximum(1, np.floor(fraction * n))
    assert (np.round(n**exponent) == expected).all() and (np.floor(n**exponent) == expected).all()
    assert ((exponent >= 0) & (exponent <= 1)).all()


def test_adaboost_translation(pimp):
    ada = pimp.runs[pimp.runs["model"] == "adaboost"].iloc[0]
    config, original = json.loads(ada["config"]), json.loads(ada["original_config"])
    assert config["adaboost:n_estimators"] == int(original["adaboostclassifier__n_estimators"])
    assert config["adaboost:max_depth"] == int(
        original["adaboostclassifier__base_estimator__max_depth"]
    )
    assert config["adaboost:learning_rate"] == original["adaboostclassifier__learning_rate"]
    assert "adaboost:algorithm" not in config


def test_reimport_into_a_knowledge_base_does_not_duplicate(tmp_path, source):
    kb = KnowledgeBase(tmp_path / "kb")
    first = openml_runs.import_into(kb, source, flows=[6970], task_to_dataset={3: 3})
    openml_runs.import_into(kb, source, flows=[6970], task_to_dataset={3: 3})
    runs = kb.runs()
    assert len(runs) == len(first.runs) == ADABOOST_RUNS[source]
    assert "openml-3" in set(kb.datasets()["dataset_id"])
    assert kb.metafeatures().loc["openml-3", "NumberOfInstances"] == 3196
    best = kb.best_configurations("openml-3", n=3)
    assert len(best) == 3 and best["loss"].is_monotonic_increasing


def test_fraction_to_exponent_keeps_the_number_of_features():
    rng = np.random.default_rng(0)
    n = rng.integers(1, 5000, 2000).astype(float)
    f = rng.uniform(0.0001, 1.0, 2000)
    e = fraction_to_exponent(f, n)
    expected = np.maximum(1, np.floor(f * n))
    assert (np.floor(n**e) == expected).all() and (np.round(n**e) == expected).all()
    assert fraction_to_exponent(0.5, 1.0) == 1.0
    assert fraction_to_exponent(1.0, 38.0) == 1.0


def test_clean_openml_qualities():
    raw = {
        "ClassEntropy": -1.0,
        "MinorityClassPercentage": 0.25,
        "MinorityClassSize": 25,
        "NumberOfInstances": 100,
        "MinSkewnessOfNumericAtts": -1.0,
        "Bad": "n/a",
    }
    clean, changed = clean_openml_qualities(raw)
    assert math.isnan(clean["ClassEntropy"]) and math.isnan(clean["Bad"])
    assert clean["MinorityClassPercentage"] == 25.0
    assert clean["MinSkewnessOfNumericAtts"] == -1.0  # skewness can be negative
    assert changed == 2


# ------------------------------------------------------------------ live client (offline)


def test_import_openml_tasks_from_the_cache(openml_cache):
    result = import_openml_tasks([1882])
    row = result.datasets.iloc[0]
    assert row["dataset_id"] == "openml-2" and row["name"] == "anneal"
    assert (row["openml_dataset_id"], row["openml_task_id"]) == (2, 1882)
    assert (row["task"], row["n_rows"], row["n_features"]) == ("multiclass", 898, 38)
    meta = json.loads(row["metafeatures"])
    assert meta["NumberOfInstances"] == 898 and meta["ClassEntropy"] is None  # -1 on the server
    assert meta["PercentageOfMissingValues"] == pytest.approx(100 * 22175 / (898 * 39))
    assert result.notes["resampling"] == {1882: "openml-10x10cv"}


def test_no_network_guard(openml_cache):
    import openml

    with pytest.raises(NetworkBlocked):
        openml.datasets.get_dataset(3, download_data=False)  # not cached


def test_import_openml_suite(served):
    result = import_openml_suite(1)
    assert list(result.datasets["dataset_id"]) == ["openml-2"]
    assert any("/study/1" in url for url in served)


def test_import_openml_evaluations(served):
    result = import_openml_evaluations(task_ids=[1882])
    assert result.skipped == {"libsvm_svc:gamma=scale": 1, "model: none of GaussianNB": 1}
    runs = result.runs.set_index(
        result.runs["original_config"].map(lambda s: json.loads(s)["openml_run_id"])
    )
    assert sorted(runs.index) == [9001, 9002, 9005, 9006]
    assert set(runs["resampling"]) == {"openml-10x10cv"} and set(runs["dataset_id"]) == {"openml-2"}
    assert runs.loc[9001, "run_id"] == run_id("openml", "run", 9001)
    assert runs.loc[9001, "score"] == 0.991091
    rf = json.loads(runs.loc[9001, "config"])
    assert rf["random_forest:max_features"] == 0.5 and rf["random_forest:bootstrap"] == "True"
    svc = json.loads(runs.loc[9002, "config"])
    assert svc == {
        "model": "libsvm_svc",
        "libsvm_svc:C": 10.0,
        "libsvm_svc:gamma": 0.01,
        "imputation:strategy": "mean",
        "rescaling:__choice__": "standard",
        "feature_selection:__choice__": "none",
    }
    ada = json.loads(runs.loc[9005, "config"])
    assert (ada["adaboost:max_depth"], ada["adaboost:n_estimators"]) == (3, 200)
    assert result.notes["adaboost:algorithm=SAMME.R"] == 1
    et = json.loads(runs.loc[9006, "config"])
    assert round(38 ** et["extra_trees:max_features"]) == int(0.3 * 38)  # anneal: 38 inputs
    assert et["extra_trees:criterion"] == "entropy"


def test_evaluations_round_trip_through_a_knowledge_base(served, tmp_path):
    kb = KnowledgeBase(tmp_path / "kb")
    result = openml_client.import_into(kb, task_ids=[1882], evaluations=True)
    assert len(kb.runs()) == len(result.runs) == 4
    assert list(kb.datasets()["dataset_id"]) == ["openml-2"]


def test_evaluations_need_a_filter():
    with pytest.raises(ValueError, match="flow_ids and/or task_ids"):
        import_openml_evaluations()


def _params(flow: str, **values):
    return [
        SimpleNamespace(flow_name=flow, parameter_name=k, value=json.dumps(v))
        for k, v in values.items()
    ]


def test_translate_setup_lightgbm_and_knn():
    lgbm = _params(
        "lightgbm.sklearn.LGBMClassifier",
        num_leaves=63,
        learning_rate=0.05,
        n_estimators=300,
        min_child_samples=10,
        colsample_bytree=0.8,
        subsample=0.7,
        subsample_freq=0,
        reg_alpha=0.0,
        reg_lambda=1.0,
        boosting_type="gbdt",
        max_depth=-1,
    )
    config, _, _ = translate_setup(lgbm, n_features=10)
    assert config["lightgbm:subsample"] == 1.0  # no bagging without a frequency
    # As the setup has it: automl's translate reads a penalty of 0 as the space's lower bound.
    assert config["lightgbm:reg_alpha"] == 0.0 and config["lightgbm:num_leaves"] == 63
    assert "categorical_encoding:__choice__" not in config  # LightGBM takes categoricals
    svc = _params("sklearn.svm._classes.SVC", C=1e6, gamma=0.1, kernel="rbf")
    config, _, _ = translate_setup(svc, n_features=10)
    assert config["libsvm_svc:C"] == 1e6  # beyond the space: translate refuses it, not this
    knn = _params(
        "sklearn.neighbors._classification.KNeighborsClassifier", n_neighbors=9, metric="manhattan"
    )
    config, _, _ = translate_setup(knn, n_features=10)
    assert config["k_nearest_neighbors:p"] == 1 and config["rescaling:__choice__"] == "none"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (
            _params(
                "sklearn.neural_network._multilayer_perceptron.MLPClassifier",
                hidden_layer_sizes=[64, 32],
            ),
            "hidden_layer_sizes",
        ),
        (
            _params("sklearn.linear_model._logistic.LogisticRegression", penalty="l1", C=1.0),
            "penalty=l1",
        ),
        (_params("sklearn.ensemble._forest.RandomForestClassifier", max_depth=8), "max_depth=8"),
        (
            _params("sklearn.decomposition._pca.PCA", n_components=5)
            + _params("sklearn.svm._classes.SVC", C=1.0, gamma=0.1, kernel="rbf"),
            "component:PCA",
        ),
    ],
)
def test_translate_setup_refuses_what_the_space_cannot_express(params, reason):
    config, why, _ = translate_setup(params, n_features=10)
    assert config is None and reason in why


@pytest.mark.parametrize(
    ("max_features", "count"), [(11, 11), ("log2", 5), (0.3, 11), ("sqrt", 6), (None, 38)]
)
def test_forest_max_features_in_every_sklearn_form(max_features, count):
    flow = "sklearn.ensemble._forest.ExtraTreesClassifier"
    config, _, _ = translate_setup(_params(flow, max_features=max_features), n_features=38)
    exponent = config["extra_trees:max_features"]
    assert round(38**exponent) == count and 0.0 <= exponent <= 1.0
