"""The search space's facts have one home each, and every reader agrees with it.

* ranges: the components (``automl.components``), read through ``build_space``; the importers
  write values as their sources have them, and ``automl._space.translate`` alone decides
  whether a stored value lies in the space (clipping rounding, refusing the rest);
* which families rescale or take categoricals natively, and ``SPACE_VERSION``:
  ``knowledge_base.space``, which the importers and ``automl`` both read.

Contract: what every importer writes, from the small real data in ``tests/data`` (and the
recorded OpenML responses), translates into ``build_space()`` for its task with every value as
written. No test here reaches the network.
"""

from __future__ import annotations

import dataclasses
import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest
from ConfigSpace import Float, Integer
from ConfigSpace.hyperparameters import IntegerHyperparameter, NumericalHyperparameter

import automl
import automl._space
import knowledge_base.schema
from automl._columns import ColumnTypes
from automl._space import SPACE_VERSION, build_space, translate
from automl._task import Task
from automl.components import COMPONENTS, Component, DataShape, component_by_name
from knowledge_base import space as kb_space
from knowledge_base.importers import (
    import_autosklearn,
    import_openml_evaluations,
    import_openml_runs,
)
from knowledge_base.importers._autosklearn_configs import translate_configuration
from knowledge_base.importers._sklearn_flows import MODEL_CLASSES, translate_setup
from tests.conftest import AUTOSKLEARN, OPENML_RUNS

#: A numeric and a categorical column: every preprocessing choice of the space is present.
MIXED = ColumnTypes(("a", "b"), (False, True))
#: Small enough for every family (kernel SVMs and k-NN have size limits).
SHAPE = DataShape(500, 10)

# ----------------------------------------------------------------- one home per fact


def test_space_version_has_one_home():
    assert SPACE_VERSION is kb_space.SPACE_VERSION
    assert automl.SPACE_VERSION is kb_space.SPACE_VERSION
    assert not hasattr(knowledge_base.schema, "SPACE_VERSION")


def test_family_traits_come_from_the_knowledge_base():
    names = {c.name for c in COMPONENTS}
    assert names.issuperset(kb_space.NEEDS_SCALING | kb_space.NATIVE_CATEGORICAL)
    for c in COMPONENTS:
        assert c.needs_scaling == (c.name in kb_space.NEEDS_SCALING), c.name
        assert c.native_categorical == (c.name in kb_space.NATIVE_CATEGORICAL), c.name


@pytest.mark.parametrize("task", list(Task))
def test_the_space_conditions_preprocessing_on_those_traits(task):
    space = build_space(task, SHAPE, MIXED)
    offered = set(space["model"].choices)

    def families(name):
        (condition,) = space.parent_conditions_of[name]
        return set(getattr(condition, "values", None) or [condition.value])

    assert families("rescaling:__choice__") == offered & kb_space.NEEDS_SCALING
    assert families("categorical_encoding:__choice__") == offered - kb_space.NATIVE_CATEGORICAL


def test_a_component_cannot_contradict_the_knowledge_base():
    mlp = component_by_name("mlp")
    with pytest.raises(ValueError, match="needs_scaling"):
        Component("mlp", mlp.tasks, mlp.hyperparameters, mlp.make, needs_scaling=False)
    rf = component_by_name("random_forest")
    with pytest.raises(ValueError, match="native_categorical"):
        Component("random_forest", rf.tasks, rf.hyperparameters, rf.make, native_categorical=True)


# ------------------------------------------------- the importers' output translates


def _params(flow: str, **values):
    return [
        SimpleNamespace(flow_name=flow, parameter_name=k, value=json.dumps(v))
        for k, v in values.items()
    ]


_IMPUTER = _params("sklearn.impute._base.SimpleImputer", strategy="median")
_SCALER = _params("sklearn.preprocessing._data.StandardScaler")
_ENCODER = _params("sklearn.preprocessing._encoders.OneHotEncoder")
#: One scikit-learn setup per model class the OpenML importer knows, mostly at its defaults.
SETUPS = {
    "RandomForestClassifier": _params("sklearn.ensemble.RandomForestClassifier", max_features=0.3),
    "ExtraTreesClassifier": _params("sklearn.ensemble.ExtraTreesClassifier", bootstrap=False),
    "AdaBoostClassifier": _params("sklearn.ensemble.AdaBoostClassifier", n_estimators=120)
    + _params("sklearn.tree.DecisionTreeClassifier", max_depth=3),
    "HistGradientBoostingClassifier": _params(
        "sklearn.ensemble.HistGradientBoostingClassifier", l2_regularization=0.0
    ),
    "KNeighborsClassifier": _params("sklearn.neighbors.KNeighborsClassifier", n_neighbors=9)
    + _SCALER,
    "SVC": _params("sklearn.svm.SVC", C=32768.0, gamma=3.0517578125e-05) + _SCALER,
    "MLPClassifier": _params("sklearn.neural_network.MLPClassifier", hidden_layer_sizes=[264])
    + _SCALER,
    "LGBMClassifier": _params("lightgbm.sklearn.LGBMClassifier", reg_alpha=0.0, reg_lambda=0.0),
    "LogisticRegression": _params("sklearn.linear_model.LogisticRegression", C=1e-4),
}


def test_the_setups_cover_every_model_class():
    assert set(SETUPS) == set(MODEL_CLASSES)


def _setup_runs() -> pd.DataFrame:
    rows = []
    for setup in SETUPS.values():
        config, why, _ = translate_setup(setup + _IMPUTER + _ENCODER, n_features=10.0)
        assert why == ""
        rows.append({"task": "binary", "config": json.dumps(config), "space_version": None})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def importer_runs() -> dict[str, pd.DataFrame]:
    """What each offline importer writes: ``task``, ``config``, ``space_version`` per run."""
    return {
        "autosklearn": import_autosklearn(AUTOSKLEARN).runs,
        "openml-runs": import_openml_runs(OPENML_RUNS).runs,
        "openml setups": _setup_runs(),
    }


def _check_translates(runs: pd.DataFrame) -> None:
    """Each run's configuration translates into the space of its task, every value as written
    (up to the rounding ``translate`` clips), and has rescaling or encoding where its family's
    pipeline has that step (``knowledge_base.space``)."""
    spaces = {task: build_space(Task(task), SHAPE, MIXED) for task in set(runs["task"])}
    failed = {}
    for task, text in set(zip(runs["task"], runs["config"])):
        stored = json.loads(text)
        model = stored["model"]
        assert ("rescaling:__choice__" in stored) == (model in kb_space.NEEDS_SCALING), text
        if model in kb_space.NATIVE_CATEGORICAL:
            assert "categorical_encoding:__choice__" not in stored, text
        translated, why = translate(stored, spaces[task])
        if translated is None:
            failed[text] = why
            continue
        for name, value in dict(translated).items():
            if name not in stored:
                continue
            hp = spaces[task][name]
            if not isinstance(hp, NumericalHyperparameter):
                assert value == stored[name], (name, text)
            elif stored[name] == 0 and hp.log:  # a penalty of 0: the space's lower bound
                assert value == hp.lower, (name, text)
            else:
                assert math.isclose(value, stored[name], rel_tol=1e-6, abs_tol=1e-12), (name, text)
    assert failed == {}


@pytest.mark.parametrize("source", ["autosklearn", "openml-runs", "openml setups"])
def test_every_importer_output_translates_into_the_space(importer_runs, source):
    runs = importer_runs[source]
    assert len(runs) > 5
    assert set(runs["space_version"].dropna()) <= {SPACE_VERSION}
    _check_translates(runs)


def test_the_openml_client_output_translates_into_the_space(served):
    runs = import_openml_evaluations(task_ids=[1882]).runs
    assert len(runs) == 4 and set(runs["space_version"]) == {SPACE_VERSION}
    _check_translates(runs)


# ------------------------------------------------------- ranges: the component decides


def _with_range(name: str, hp_name: str, bounds: tuple[float, float]):
    """``COMPONENTS`` with family ``name``'s hyperparameter ``hp_name`` over ``bounds``."""
    component = component_by_name(name)

    def hyperparameters(task, shape):
        out = []
        for hp in component.hyperparameters(task, shape):
            if hp.name == hp_name:
                make = Integer if isinstance(hp, IntegerHyperparameter) else Float
                default = min(max(hp.default_value, bounds[0]), bounds[1])
                hp = make(hp_name, bounds, default=default, log=hp.log)
            out.append(hp)
        return out

    changed = dataclasses.replace(component, hyperparameters=hyperparameters)
    return tuple(changed if c.name == name else c for c in COMPONENTS)


def _sklearn_config(cls: str, **values) -> dict:
    config, why, _ = translate_setup(_params(cls, **values) + _SCALER, n_features=10.0)
    assert why == ""
    return config


def _autosklearn_knn(n_neighbors: str) -> dict:
    dp = "data_preprocessor:feature_type:"
    config, why, _ = translate_configuration(
        {
            "classifier:__choice__": "k_nearest_neighbors",
            "classifier:k_nearest_neighbors:n_neighbors": n_neighbors,
            "classifier:k_nearest_neighbors:p": "2",
            "classifier:k_nearest_neighbors:weights": "uniform",
            dp + "numerical_transformer:imputation:strategy": "mean",
            dp + "numerical_transformer:rescaling:__choice__": "minmax",
        },
        regression=False,
        n_features=10.0,
        n_categorical=0.0,
    )
    assert why == ""
    return config


#: (family, hyperparameter, a value beyond its range today, a range that holds it, importer).
RANGE_CHANGES = [
    (
        "libsvm_svc",
        "C",
        1e5,
        (0.03125, 1e6),
        lambda v: _sklearn_config("sklearn.svm.SVC", C=v, gamma=0.1),
    ),
    (
        "mlp",
        "num_nodes_per_layer",
        512,
        (16, 1024),
        lambda v: _sklearn_config("sklearn.neural_network.MLPClassifier", hidden_layer_sizes=[v]),
    ),
    (
        "lightgbm",
        "num_leaves",
        4096,
        (4, 8192),
        lambda v: _sklearn_config("lightgbm.sklearn.LGBMClassifier", num_leaves=v),
    ),
    ("k_nearest_neighbors", "n_neighbors", 150, (1, 200), lambda v: _autosklearn_knn(str(v))),
]


@pytest.mark.parametrize(
    ("family", "name", "value", "bounds", "imported"),
    RANGE_CHANGES,
    ids=[f"{f}:{n}" for f, n, *_ in RANGE_CHANGES],
)
def test_a_range_change_in_the_component_reaches_imported_runs(
    monkeypatch, family, name, value, bounds, imported
):
    """The importers hold no range: an imported value beyond the component's range is refused
    on reading, and is read once the component's range holds it, with no importer changed."""
    config = imported(value)
    key = f"{family}:{name}"
    assert config[key] == value
    space = build_space(Task.BINARY, SHAPE, MIXED)
    assert translate(config, space) == (None, f"{key}={value!r} outside the space")

    monkeypatch.setattr(automl._space, "COMPONENTS", _with_range(family, name, bounds))
    wider = build_space(Task.BINARY, SHAPE, MIXED)
    assert (wider[key].lower, wider[key].upper) == bounds
    translated, why = translate(config, wider)
    assert why == "" and translated[key] == value


# ----------------------------------------------------- rows written before stay the same


@pytest.mark.parametrize(
    ("before", "now"),
    [
        # Importers used to write the space's lower bound for a penalty of 0; they write 0 now.
        ({"lightgbm:reg_alpha": 1e-10, "lightgbm:reg_lambda": 1e-10}, {"lightgbm:reg_alpha": 0}),
        (
            {"gradient_boosting:l2_regularization": 1e-10},
            {"gradient_boosting:l2_regularization": 0},
        ),
        # ... and clipped a value beyond a bound by rounding; translate clips it now.
        ({"libsvm_svc:C": 32768.0}, {"libsvm_svc:C": 32768.0 * (1 + 1e-7)}),
        ({"k_nearest_neighbors:n_neighbors": 100}, {"k_nearest_neighbors:n_neighbors": 100.00001}),
    ],
)
def test_configurations_the_importers_wrote_before_translate_as_now(before, now):
    space = build_space(Task.BINARY, SHAPE, MIXED)
    model = next(iter(before)).split(":")[0]
    old, why_old = translate({"model": model, **before}, space)
    new, why_new = translate({"model": model, **now}, space)
    assert why_old == why_new == "" and old == new


def test_zero_is_a_bound_only_for_penalty_weights():
    """A 0 of a log-scaled hyperparameter whose lower bound is not tiny is no penalty: an old
    scikit-learn SVC's ``gamma=0.0`` meant 'auto', which the space cannot express."""
    space = build_space(Task.BINARY, SHAPE, MIXED)
    translated, why = translate({"model": "libsvm_svc", "libsvm_svc:gamma": 0.0}, space)
    assert translated is None and "libsvm_svc:gamma=0.0 outside the space" in why
