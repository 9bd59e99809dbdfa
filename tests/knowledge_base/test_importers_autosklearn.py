"""The auto-sklearn meta-data importer, on real meta-data (read-only).

Tests that take ``result`` or ``source`` run on the two-folder slice in
``tests/data/metadata/autosklearn`` and again, when ``../shared/metadata/autosklearn`` is present,
on all 11 folders (marked ``corpora``); the two tests of the whole meta-data's counts run on
those only.
"""

from __future__ import annotations

import json
import math

import pytest

from knowledge_base import KnowledgeBase
from knowledge_base.importers import AUTOSKLEARN_TO_OPENML, autosklearn_to_openml
from knowledge_base.importers._arff import read_arff
from knowledge_base.importers._autosklearn_configs import MODELS, translate_configuration
from knowledge_base.importers._autosklearn_names import NOT_MAPPED
from knowledge_base.importers.autosklearn import (
    import_autosklearn,
    import_into,
    list_folders,
    parse_folder_name,
)
from knowledge_base.space import SPACE_VERSION
from tests.conftest import AUTOSKLEARN, CORPORA

#: The full meta-data: 11 folders, 319 datasets.
CORPUS = pytest.param(CORPORA["autosklearn"], id="corpus", marks=pytest.mark.corpora("autosklearn"))

DP = "data_preprocessor:feature_type:"


@pytest.fixture(scope="module", params=[pytest.param(AUTOSKLEARN, id="slice"), CORPUS])
def source(request):
    """A folder of auto-sklearn meta-data: the slice in tests/data, or the full corpus."""
    return request.param


@pytest.fixture(scope="module")
def result(source):
    return import_autosklearn(source)


def _runs_of(result, dataset_id: str, metric: str):
    runs = result.runs
    return runs[(runs.dataset_id == dataset_id) & (runs.metric == metric)]


@pytest.mark.parametrize("source", [CORPUS], indirect=True)
def test_counts_of_the_shipped_metadata(source, result):
    assert len(list_folders(source)) == 11
    tasks = result.datasets["task"].value_counts().to_dict()
    assert tasks == {"binary": 125, "multiclass": 83, "regression": 111}
    assert len(result.runs) == 51
    assert result.runs["run_id"].is_unique
    # binary and multiclass folders hold the same runs: each distinct run is counted once
    assert result.notes["duplicate_runs_removed"] == 820
    distinct = 4 * 205 + 3 * 97
    assert len(result.runs) + sum(result.skipped.values()) == distinct


@pytest.mark.parametrize("source", [CORPUS], indirect=True)
def test_untranslatable_runs_are_counted_by_reason(result):
    skipped = result.skipped
    for reason in (
        "model:gaussian_nb",
        "model:gaussian_process",
        "model:sgd",
        "feature_preprocessor:pca",
        "feature_preprocessor:polynomial",
        "balancing:weighting",
        "libsvm_svr:kernel=linear",
    ):
        assert skipped[reason] > 0, reason
    assert skipped["runstatus:not_applicable"] == 80  # ROC AUC on multiclass datasets
    assert set(result.runs["model"]) <= set(MODELS)


def test_rows_fit_the_spec(result):
    runs = result.runs
    assert set(runs["source"]) == {"autosklearn"}
    assert set(runs["resampling"]) == {"autosklearn"}
    assert set(runs["status"]) == {"success"}
    assert (runs["fidelity"] == 1.0).all()
    assert set(runs["space_version"]) == {SPACE_VERSION}
    assert runs["dataset_id"].isin(result.datasets["dataset_id"]).all()
    assert result.datasets["dataset_id"].is_unique
    assert result.datasets["openml_dataset_id"].isna().all()  # names, not ids
    for text in runs["config"]:
        config = json.loads(text)
        assert config["model"] in runs["model"].to_numpy()
        assert all(k == "model" or ":" in k for k in config)


def test_loss_and_score_follow_the_spec(result):
    runs = result.runs
    greater = runs["metric"].isin(["accuracy", "balanced_accuracy", "roc_auc", "r2"])
    assert (runs.loc[greater, "score"] + runs.loc[greater, "loss"]).round(12).eq(1.0).all()
    errors = runs["metric"].isin(["log_loss", "mae", "rmse"])
    assert (runs.loc[errors, "score"] == runs.loc[errors, "loss"]).all()
    assert (runs["loss"] >= 0).all()


def test_same_name_classification_and_regression_datasets_stay_apart(result):
    datasets = result.datasets.set_index("dataset_id")
    assert datasets.loc["autosklearn-abalone", "task"] == "multiclass"
    assert datasets.loc["autosklearn-regression-abalone", "task"] == "regression"


def test_anneal_metafeatures_are_mapped_exactly(result):
    row = result.datasets.set_index("dataset_id").loc["autosklearn-anneal"]
    meta = json.loads(row["metafeatures"])
    assert row["n_features"] == 38 and row["n_rows"] == 602  # auto-sklearn's training split
    assert meta["NumberOfFeatures"] == 39  # OpenML counts the target (anneal: 39)
    assert meta["NumberOfNumericFeatures"] == 6
    assert meta["NumberOfSymbolicFeatures"] == 33  # 32 nominal inputs + the class
    assert meta["NumberOfClasses"] == 5
    assert meta["MajorityClassPercentage"] == pytest.approx(77.57475083056479)
    assert meta["PercentageOfMissingValues"] == pytest.approx(100 * 0.6502885119776185 * 38 / 39)
    assert meta["PercentageOfSymbolicFeatures"] == pytest.approx(100 * 33 / 39)
    assert "NumberOfInstances" not in meta and "KurtosisMax" not in meta


def test_every_autosklearn_metafeature_is_mapped_or_documented():
    frame, _ = read_arff(AUTOSKLEARN / "accuracy_binary.classification_dense/feature_values.arff")
    names = set(frame.columns) - {"instance_id", "repetition"}
    assert names == set(AUTOSKLEARN_TO_OPENML) | set(NOT_MAPPED)
    assert not set(AUTOSKLEARN_TO_OPENML) & set(NOT_MAPPED)


def test_regression_counts_gain_the_numeric_target():
    values = {
        "NumberOfFeatures": 8.0,
        "NumberOfNumericFeatures": 7,
        "NumberOfCategoricalFeatures": 1,
    }
    out = autosklearn_to_openml(values, regression=True)
    assert out["NumberOfFeatures"] == 9 and out["NumberOfNumericFeatures"] == 8
    assert out["NumberOfSymbolicFeatures"] == 1 and "NumberOfClasses" not in out


def test_a_random_forest_run_keeps_its_hyperparameters(result):
    runs = result.runs[result.runs["model"] == "random_forest"]
    assert len(runs) > 0
    for row in runs.itertuples():
        source = json.loads(row.original_config)
        config = json.loads(row.config)
        p = "classifier:random_forest:"
        assert config["random_forest:max_features"] == source[p + "max_features"]  # exponents
        assert config["random_forest:criterion"] == source[p + "criterion"]
        assert config["random_forest:min_samples_leaf"] == source[p + "min_samples_leaf"]
        assert config["random_forest:bootstrap"] == str(source[p + "bootstrap"])
        imputation = source[DP + "numerical_transformer:imputation:strategy"]
        assert config["imputation:strategy"] == imputation


def test_regression_forest_fraction_becomes_an_exponent(result):
    runs = result.runs[
        (result.runs["task"] == "regression")
        & result.runs["model"].isin(["random_forest", "extra_trees"])
    ]
    datasets = result.datasets.set_index("dataset_id")
    assert len(runs) > 0
    for row in runs.itertuples():
        model = row.model
        fraction = float(json.loads(row.original_config)[f"regressor:{model}:max_features"])
        exponent = json.loads(row.config)[f"{model}:max_features"]
        n = int(datasets.loc[row.dataset_id, "n_features"])
        expected = max(1, int(fraction * n))
        assert round(n**exponent) == expected and int(n**exponent) == expected


def test_run_ids_are_deterministic():
    first = import_autosklearn(AUTOSKLEARN, folders=["r2_regression_dense"])
    again = import_autosklearn(AUTOSKLEARN, folders=["r2_regression_dense"])
    assert list(first.runs["run_id"]) == list(again.runs["run_id"])
    assert len(first.runs) == 7 and set(first.runs["metric"]) == {"r2"}


def test_folder_names():
    assert parse_folder_name("root_mean_squared_error_regression_dense") == ("rmse", True)
    assert parse_folder_name("roc_auc_multiclass.classification_dense") == ("roc_auc", False)
    with pytest.raises(ValueError, match="Not an auto-sklearn meta-data folder"):
        parse_folder_name("precision_binary.classification_dense")
    with pytest.raises(FileNotFoundError, match="not found"):
        list_folders(AUTOSKLEARN / "missing")


def _config(**over):
    base = {
        "classifier:__choice__": "k_nearest_neighbors",
        "balancing:strategy": "none",
        "classifier:k_nearest_neighbors:n_neighbors": "7",
        "classifier:k_nearest_neighbors:p": "1",
        "classifier:k_nearest_neighbors:weights": "distance",
        DP + "numerical_transformer:imputation:strategy": "median",
        DP + "numerical_transformer:rescaling:__choice__": "standardize",
        DP + "categorical_transformer:categorical_encoding:__choice__": "no_encoding",
        DP + "categorical_transformer:category_coalescence:__choice__": "no_coalescense",
        "feature_preprocessor:__choice__": "no_preprocessing",
    }
    base.update(over)
    return base


def _translate(config, n_categorical=0.0):
    return translate_configuration(
        config, regression=False, n_features=10.0, n_categorical=n_categorical
    )


def test_translate_k_nearest_neighbors():
    config, reason, _ = _translate(_config())
    assert reason == ""
    assert config == {
        "model": "k_nearest_neighbors",
        "k_nearest_neighbors:n_neighbors": 7,
        "k_nearest_neighbors:p": 1,
        "k_nearest_neighbors:weights": "distance",
        "imputation:strategy": "median",
        "rescaling:__choice__": "standard",
        "categorical_encoding:__choice__": "ordinal",
        "feature_selection:__choice__": "none",
    }


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"classifier:__choice__": "lda"}, "model:lda"),
        ({"balancing:strategy": "weighting"}, "balancing:weighting"),
        ({"feature_preprocessor:__choice__": "pca"}, "feature_preprocessor:pca"),
        ({DP + "numerical_transformer:rescaling:__choice__": "normalize"}, "rescaling:normalize"),
        ({"classifier:k_nearest_neighbors:n_neighbors": "many"}, "n_neighbors=many"),
        ({"classifier:k_nearest_neighbors:n_neighbors": "nan"}, "n_neighbors=nan"),
    ],
)
def test_untranslatable_configurations(over, reason):
    config, why, _ = _translate(_config(**over))
    assert config is None and reason in why


def test_values_are_kept_as_auto_sklearn_has_them():
    """The importer knows no range of the space: a value beyond it is written as it is (automl's
    translate refuses it when it reads it, ``tests/test_space_contract.py``)."""
    sp = "feature_preprocessor:select_percentile_classification:"
    config, why, _ = _translate(
        _config(
            **{
                "classifier:k_nearest_neighbors:n_neighbors": "150",
                "feature_preprocessor:__choice__": "select_percentile_classification",
                sp + "percentile": "5.0",
                sp + "score_func": "f_classif",
            }
        )
    )
    assert why == ""
    assert config["k_nearest_neighbors:n_neighbors"] == 150
    assert config["feature_selection:percentile"] == 5.0


def test_percentile_selection_and_scalers():
    sp = "feature_preprocessor:select_percentile_classification:"
    rs = DP + "numerical_transformer:rescaling:"
    f_test = {"feature_preprocessor:__choice__": "select_percentile_classification"}
    config, _, _ = _translate(
        _config(**f_test, **{sp + "percentile": "42.5", sp + "score_func": "f_classif"})
    )
    assert config["feature_selection:__choice__"] == "percentile"
    assert config["feature_selection:percentile"] == 42.5
    config, why, _ = _translate(
        _config(**f_test, **{sp + "percentile": "42.5", sp + "score_func": "chi2"})
    )
    assert config is None and "score_func=chi2" in why
    robust = {rs + "__choice__": "robust_scaler", rs + "robust_scaler:q_min": "0.25"}
    config, _, _ = _translate(_config(**robust, **{rs + "robust_scaler:q_max": "0.75"}))
    assert config["rescaling:__choice__"] == "robust"
    config, why, _ = _translate(_config(**robust, **{rs + "robust_scaler:q_max": "0.9"}))
    assert config is None and "quantile range" in why


def test_coalescing_matters_only_with_categorical_features():
    over = {DP + "categorical_transformer:category_coalescence:__choice__": "minority_coalescer"}
    assert _translate(_config(**over), n_categorical=0.0)[0] is not None
    assert _translate(_config(**over), n_categorical=3.0)[0] is None


def test_adaboost_samme_r_is_translated_and_noted():
    p = "classifier:adaboost:"
    config = _config(
        **{
            "classifier:__choice__": "adaboost",
            p + "algorithm": "SAMME.R",
            p + "learning_rate": "0.5",
            p + "max_depth": "3",
            p + "n_estimators": "120",
        }
    )
    out, _, notes = _translate(config)
    assert out["adaboost:max_depth"] == 3 and out["adaboost:n_estimators"] == 120
    assert "rescaling:__choice__" not in out  # trees ignore rescaling
    assert notes["adaboost:algorithm=SAMME.R"] == 1


def test_round_trip_through_a_knowledge_base(tmp_path, source, result):
    kb = KnowledgeBase(tmp_path / "kb")
    imported = import_into(kb, source)
    assert len(kb.datasets()) == len(imported.datasets) == len(result.datasets)
    runs = kb.runs().set_index("run_id").sort_index()
    mine = imported.runs.set_index("run_id").sort_index()
    assert list(runs.index) == list(mine.index)
    assert (runs["config"] == mine["config"]).all()
    assert ((runs["loss"] - mine["loss"]).abs() < 1e-15).all()
    import_into(kb, source, folders=["r2_regression_dense"])  # again: no duplicates
    assert len(kb.runs()) == len(mine)
    best = kb.best_configurations(mine["dataset_id"].iloc[0])
    assert len(best) == 1 and not math.isnan(best["loss"].iloc[0])
