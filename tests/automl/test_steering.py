"""A human in the loop: the user's starting configurations, a narrowed space, excluded
preprocessing (automl/_steering.py), with real SMAC searches on small tables."""

import numpy as np
import pytest
from sklearn.base import clone

from automl import AutoMLClassifier, AutoMLRegressor
from automl._columns import ColumnTypes
from automl._estimator import _initial_configurations
from automl._knowledge import plan_warm_start
from automl._matrix import candidate_pool
from automl._optimizers import RandomSearch
from automl._space import build_space, translate
from automl._steering import SteeringError, boxed, steer
from automl._task import Task, get_metric
from automl.components import DataShape

# Room per trial: the tests assert what ran in which order, not how fast a busy machine is.
QUICK = dict(
    time_budget=30,
    per_trial_time_limit=15,
    random_state=0,
    update_knowledge_base=False,
    ensemble_size=5,
)
NARROW = {"lightgbm:num_leaves": (8, 16), "lightgbm:learning_rate": 0.05}


def _space(task=Task.BINARY, categorical=True):
    columns = ColumnTypes(("x", "c"), (False, categorical))
    return build_space(task, DataShape(200, 2, 2), columns, seed=0)


def _within(config: dict, low: int = 8, high: int = 16) -> bool:
    return low <= config["lightgbm:num_leaves"] <= high and config["lightgbm:learning_rate"] == 0.05


def test_user_configurations_run_first_then_the_warm_start(load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    users = [
        {"model": "linear", "linear:C": 0.5},
        {"lightgbm:num_leaves": 7},  # partial, and no "model": the keys name the family
    ]
    model = AutoMLClassifier(**QUICK, n_trials=3, initial_configurations=users).fit(X, y)
    trials = model.trials_
    assert trials["origin"].tolist()[:2] == ["user", "user"]
    assert trials["origin"].iloc[2] == "portfolio"  # the warm start comes after them
    first, second = trials["config"].iloc[0], trials["config"].iloc[1]
    assert first["model"] == "linear" and first["linear:C"] == 0.5
    defaults = model.search_space_.get_default_configuration()
    assert first["rescaling:__choice__"] == "standard"  # completed with the defaults
    assert second["model"] == "lightgbm" and second["lightgbm:num_leaves"] == 7
    assert second["lightgbm:n_estimators"] == defaults["lightgbm:n_estimators"]
    assert model.initial_configurations is users  # __init__ stored it, fit did not touch it


def test_smac_samples_only_the_narrowed_range(load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    model = AutoMLClassifier(
        **QUICK, n_trials=6, warm_start=False, models=("lightgbm",), search_space=NARROW
    ).fit(X, y)
    origins = model.trials_["origin"].tolist()
    assert origins.count("search") >= 4  # SMAC's own proposals, not only the defaults
    assert all(_within(c) for c in model.trials_["config"])
    # the family's default (31 leaves) is clipped into the range, the fixed rate replaces 0.1
    assert model.trials_["config"].iloc[0]["lightgbm:num_leaves"] == 16
    with pytest.raises(ValueError, match="outside the space"):
        model.pipeline_for({"model": "lightgbm", "lightgbm:num_leaves": 64})


def test_random_search_samples_the_narrowed_space_too():
    steered = steer(_space(), Task.BINARY, seed=0, search_space=NARROW)
    optimizer = RandomSearch(steered.space, steered.initial, seed=0)
    samples = [dict(optimizer.ask()[0]) for _ in range(300)]
    lightgbm = [c for c in samples if c["model"] == "lightgbm"]
    assert lightgbm and all(_within(c) for c in lightgbm)
    assert {c["lightgbm:num_leaves"] for c in lightgbm} == set(range(8, 17))


def test_excluded_preprocessing_never_appears(make_messy):
    X, y = make_messy(200)
    excluded = ("feature_selection", "quantile", "one_hot")
    model = AutoMLClassifier(
        **QUICK,
        n_trials=6,
        warm_start=False,
        models=("linear", "k_nearest_neighbors"),
        exclude_preprocessing=excluded,
    ).fit(X, y)
    configs = list(model.trials_["config"])
    assert model.trials_["origin"].tolist().count("search") >= 3
    samples = [dict(c) for c in model.search_space_.sample_configuration(300)]
    for config in configs + samples:
        assert config["feature_selection:__choice__"] == "none"
        assert "feature_selection:percentile" not in config
        assert config.get("rescaling:__choice__") != "quantile"
        assert config.get("categorical_encoding:__choice__") != "one_hot"
    assert {c.get("rescaling:__choice__") for c in samples} == {
        "none",
        "standard",
        "minmax",
        "robust",
    }


def test_warm_start_is_clipped_into_the_narrowed_space_or_dropped(make_messy, portfolio_base):
    """Portfolio members: numbers outside the narrowed range are clipped into it; a member
    using a category the user excluded (here feature selection) is dropped."""
    lightgbm = candidate_pool("classification", sizes={"lightgbm": 1})[0]
    small, large = ({**lightgbm, "lightgbm:num_leaves": n} for n in (5, 151))
    selecting = {
        **lightgbm,
        "feature_selection:__choice__": "percentile",
        "feature_selection:percentile": 50.0,
    }
    kb = portfolio_base([small, selecting, large])
    X, y = make_messy(200)
    task = Task.BINARY
    steered = steer(
        _space(),
        task,
        seed=0,
        search_space={"lightgbm:num_leaves": (8, 64)},
        exclude_preprocessing=("percentile",),
    )
    target = (y == "yes").to_numpy().astype(int)
    plan = plan_warm_start(
        X,
        target,
        task,
        get_metric(None, task),
        steered.space,
        0,
        None,
        knowledge_base=kb,
        update_knowledge_base=False,
    )
    assert plan.method == "portfolio" and len(plan.configurations) == 2
    members = plan.portfolio["members"]
    dropped = [m for m in members if "excluded from the narrowed space" in m.get("skipped", "")]
    assert len(dropped) == 1 and dropped[0]["rank_global"] == 2
    assert all(c["feature_selection:__choice__"] == "none" for c in plan.configurations)
    leaves = sorted(c["lightgbm:num_leaves"] for c in plan.configurations)
    assert leaves == [8, 64]  # members with 5 and 151 leaves, clipped


def test_translate_clips_numbers_of_the_original_range_only():
    space = steer(_space(), Task.BINARY, seed=0, search_space=NARROW).space
    config, _ = translate({"model": "lightgbm", "lightgbm:num_leaves": 500}, space)
    assert config["lightgbm:num_leaves"] == 16 and config["lightgbm:learning_rate"] == 0.05
    config, why = translate({"model": "lightgbm", "lightgbm:num_leaves": 5000}, space)
    assert config is None and "outside the space" in why  # outside the original range too
    config, why = translate({"model": "lightgbm", "lightgbm:num_leaves": 500}, space, project=False)
    assert config is None


def test_a_fixed_number_of_trees_is_not_cut():
    space = steer(_space(), Task.BINARY, seed=0, search_space={"lightgbm:n_estimators": 300}).space
    configs, _ = _initial_configurations(space, [], first_fits=4.0)
    assert configs[0]["lightgbm:n_estimators"] == 300


def test_steering_a_regressor_and_yaml_spellings():
    space = _space(Task.REGRESSION)
    steered = steer(
        space,
        Task.REGRESSION,
        seed=0,
        search_space={"adaboost:loss": ["square", "linear"], "mlp:alpha": "1e-3"},
        initial_configurations=[{"model": "random_forest", "random_forest:bootstrap": False}],
        exclude_preprocessing="imputation:mean",
    )
    assert list(steered.space["adaboost:loss"].choices) == ["linear", "square"]
    assert steered.space["mlp:alpha"].value == pytest.approx(1e-3)  # YAML 1.1 reads a string
    assert list(steered.space["imputation:strategy"].choices) == ["median", "most_frequent"]
    assert steered.initial[0]["random_forest:bootstrap"] == "False"  # ConfigSpace's boolean


def test_steering_parameters_follow_the_estimator_contract():
    model = AutoMLRegressor(search_space=NARROW, exclude_preprocessing=("quantile",))
    params = clone(model).get_params()
    assert params["search_space"] == NARROW and params["exclude_preprocessing"] == ("quantile",)
    assert params["initial_configurations"] is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"search_space": {"lightgbm:num_leavs": (8, 64)}},
            "search_space['lightgbm:num_leavs']: 'lightgbm:num_leavs' is not a hyperparameter "
            "of lightgbm (did you mean 'lightgbm:num_leaves'?)",
        ),
        (
            {"search_space": {"lightgbm:num_leaves": (2, 64)}},
            "search_space['lightgbm:num_leaves']: 2 is outside its range [4, 1024]",
        ),
        (
            {"search_space": {"lightgbm:num_leaves": (64, 8)}},
            "search_space['lightgbm:num_leaves']: the range (64, 8) has low > high",
        ),
        (
            {"search_space": {"lightgbm:num_leaves": 8.5}},
            "search_space['lightgbm:num_leaves']: 8.5 is not an integer",
        ),
        (
            {"search_space": {"lightgbm:learning_rate": "fast"}},
            "search_space['lightgbm:learning_rate']: 'fast' is not a number",
        ),
        (
            {"search_space": {"rescaling:__choice__": ["zscore"]}},
            "search_space['rescaling:__choice__']: 'zscore' is not one of its choices",
        ),
        ({"search_space": {"xgboost:eta": 0.1}}, "unknown model family or preprocessing step"),
        ({"search_space": {"model": "lightgbm"}}, "restrict the model families with `models=`"),
        ({"search_space": {"libsvm_svr:C": 1.0}}, "'libsvm_svr' is not offered for binary"),
        ({"search_space": [("lightgbm:num_leaves", 8)]}, "`search_space` must be a dict"),
        (
            {"initial_configurations": [{"model": "xgboost"}]},
            "initial_configurations[0]: unknown model family 'xgboost'",
        ),
        (
            {"initial_configurations": [{"model": "lightgbm", "random_forest:max_features": 0.5}]},
            "initial_configurations[0]['random_forest:max_features']: a hyperparameter of "
            "random_forest, not of lightgbm",
        ),
        (
            {"initial_configurations": [{"model": "lightgbm", "lightgbm:num_leaves": 3}]},
            "initial_configurations[0]['lightgbm:num_leaves']: 3 is outside its range [4, 1024]",
        ),
        (
            {"initial_configurations": [{"model": "linear", "linear:penalty": "l3"}]},
            "initial_configurations[0]['linear:penalty']: 'l3' is not one of its choices",
        ),
        (
            {
                "initial_configurations": [
                    {"model": "lightgbm"},
                    {"model": "lightgbm", "lightgbm:num_leaves": 100},
                ],
                "search_space": {"lightgbm:num_leaves": (8, 64)},
            },
            "initial_configurations[1]['lightgbm:num_leaves']: 100 is outside the range [8, 64]",
        ),
        (
            {"initial_configurations": [{"lightgbm:num_leaves": 8, "linear:C": 1.0}]},
            "initial_configurations[0]: no 'model' given and it has hyperparameters of",
        ),
        ({"initial_configurations": {"model": "lightgbm"}}, "(wrap it in a list)"),
        (
            {
                "initial_configurations": [{"model": "mlp", "feature_selection:percentile": 20}],
                "exclude_preprocessing": ("percentile",),
            },
            "initial_configurations[0]['feature_selection:percentile']: left out of the space",
        ),
        ({"exclude_preprocessing": ("pca",)}, "'pca' is not a preprocessing step or choice"),
        ({"exclude_preprocessing": ("none",)}, "'none' is ambiguous; write one of"),
        ({"exclude_preprocessing": ("imputation",)}, "'imputation': every pipeline has this step"),
        (
            {"exclude_preprocessing": ("median", "mean", "most_frequent")},
            "leaves no choice of 'imputation:strategy'",
        ),
    ],
)
def test_bad_steering_names_the_entry(options, message):
    with pytest.raises(SteeringError) as error:
        steer(_space(), Task.BINARY, seed=0, **options)
    assert message in str(error.value)


def test_fit_refuses_bad_steering_before_any_trial(load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    bad = [{"model": "lightgbm", "lightgbm:num_leaves": 5000}]
    model = AutoMLClassifier(**QUICK, n_trials=2, initial_configurations=bad)
    with pytest.raises(ValueError, match=r"initial_configurations\[0\]\['lightgbm:num_leaves'\]"):
        model.fit(X, y)
    assert not hasattr(model, "trials_")


def test_families_left_out_by_models():
    columns = ColumnTypes(("x",), (False,))
    space = build_space(Task.BINARY, DataShape(200, 1, 2), columns, include=("linear",))
    with pytest.raises(SteeringError, match="'catboost' is not searched in this fit"):
        steer(space, Task.BINARY, seed=0, initial_configurations=[{"model": "catboost"}])
    # a narrowing of a family the fit does not search is checked, then has nothing to narrow
    assert steer(space, Task.BINARY, seed=0, search_space=NARROW).space is space
    with pytest.raises(SteeringError, match="outside its range"):
        steer(space, Task.BINARY, seed=0, search_space={"lightgbm:num_leaves": (1, 8)})


def test_inapplicable_preprocessing_in_a_user_configuration_warns():
    space = _space(categorical=False)  # no categorical column: no encoding step
    with pytest.warns(UserWarning, match="'categorical_encoding:__choice__'\\] is ignored"):
        steered = steer(
            space,
            Task.BINARY,
            seed=0,
            initial_configurations=[
                {"model": "linear", "categorical_encoding:__choice__": "one_hot"}
            ],
        )
    assert "categorical_encoding:__choice__" not in dict(steered.initial[0])
    with pytest.warns(UserWarning, match="does not apply to this configuration of lightgbm"):
        steer(
            space,
            Task.BINARY,
            seed=0,
            initial_configurations=[{"model": "lightgbm", "rescaling:__choice__": "robust"}],
        )


@pytest.mark.slow
def test_same_seed_same_steered_trials(load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    options = dict(
        QUICK,
        n_trials=5,
        warm_start=False,
        models=("lightgbm", "linear"),
        search_space=NARROW,
        exclude_preprocessing=("feature_selection",),
        initial_configurations=[{"model": "linear", "linear:C": 2.0}],
        n_jobs=1,
    )
    runs = [AutoMLClassifier(**options).fit(X, y) for _ in range(2)]
    assert runs[0].trials_["config"].tolist() == runs[1].trials_["config"].tolist()
    assert np.allclose(runs[0].predict_proba(X), runs[1].predict_proba(X))


def test_a_learned_box_narrows_within_the_space_and_holds_the_configurations_kept():
    space = _space()
    keep = [space.get_default_configuration()]  # LightGBM's defaults: 31 leaves, rate 0.1
    box = {
        "lightgbm:num_leaves": (40, 64),
        "lightgbm:learning_rate": (0.001, 0.05),  # below the space's 0.005
        "lightgbm:subsample": (0.5, 1.0),  # the whole range: left as it is
        "model": (0, 1),  # not numeric: ignored
        "catboost:depth": (4, 6),  # not in this space (no such family here)
    }
    boxed_space = boxed(space, box, keep, seed=0)
    leaves, rate = boxed_space["lightgbm:num_leaves"], boxed_space["lightgbm:learning_rate"]
    assert (leaves.lower, leaves.upper) == (31, 64)  # widened to the defaults' 31
    assert (rate.lower, rate.upper) == (0.005, 0.1) and rate.log
    assert boxed_space["lightgbm:subsample"] is space["lightgbm:subsample"]
    # Configurations of the whole space are clipped into the box, as after the user's narrowing.
    config, _ = translate({"model": "lightgbm", "lightgbm:num_leaves": 500}, boxed_space)
    assert config["lightgbm:num_leaves"] == 64
    # A box on top of the user's narrowing keeps the original range for translate.
    steered = steer(space, Task.BINARY, seed=0, search_space={"lightgbm:num_leaves": (8, 100)})
    twice = boxed(steered.space, {"lightgbm:num_leaves": (40, 64)}, [], seed=0)
    assert (twice["lightgbm:num_leaves"].lower, twice["lightgbm:num_leaves"].upper) == (40, 64)
    config, _ = translate({"model": "lightgbm", "lightgbm:num_leaves": 500}, twice)
    assert config["lightgbm:num_leaves"] == 64
    assert boxed(space, {}, keep, seed=0) is space
