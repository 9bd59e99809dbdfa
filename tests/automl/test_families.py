"""Model families: one a user registers is searched like the built-in ones, and every
registered family fits its default configuration."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
from ConfigSpace import Float
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.naive_bayes import GaussianNB

from automl import (
    AutoMLClassifier,
    Component,
    DataShape,
    Task,
    register_family,
    registered_family,
    unregister_family,
)
from automl.components import BUILTIN, COMPONENTS, component_by_name

CLASSIFICATION = frozenset({Task.BINARY, Task.MULTICLASS})

GAUSSIAN_NB = Component(
    name="gaussian_nb",
    tasks=CLASSIFICATION,
    hyperparameters=lambda task, shape: [
        Float("var_smoothing", (1e-12, 1e-3), default=1e-9, log=True)
    ],
    make=lambda params, task, n_features, n_jobs, seed: GaussianNB(
        var_smoothing=params["var_smoothing"]
    ),
    needs_scaling=True,
)


@pytest.fixture
def gaussian_nb():
    with registered_family(GAUSSIAN_NB) as family:
        yield family
    assert "gaussian_nb" not in {c.name for c in COMPONENTS}


def test_a_registered_family_is_searched_and_refitted(gaussian_nb, make_messy):
    """Its trials run in the trial processes (which learn of it from the parent) and succeed,
    its traits shape the space, and the ensemble refits it."""
    X, y = make_messy(200)
    model = AutoMLClassifier(
        n_trials=3,
        time_budget=60,
        models=("gaussian_nb",),
        warm_start=False,
        update_knowledge_base=False,
        random_state=0,
    ).fit(X, y)
    assert list(model.search_space_["model"].choices) == ["gaussian_nb"]
    assert "rescaling:__choice__" in model.search_space_  # needs_scaling=True
    assert set(model.trials_["model"]) == {"gaussian_nb"}
    assert (model.trials_["status"] == "success").all(), model.trials_["error"].tolist()
    assert model.trials_["config"].iloc[0]["gaussian_nb:var_smoothing"] == pytest.approx(1e-9)
    assert roc_auc_score(y == "yes", model.predict_proba(X)[:, 1]) > 0.75
    pipeline = model.pipeline_for(0).fit(X, y)
    assert isinstance(pipeline[-1].estimator_, GaussianNB)


def test_a_registered_family_is_offered_with_the_built_in_ones(gaussian_nb):
    from automl._columns import ColumnTypes
    from automl._space import build_space

    columns = ColumnTypes(("a", "b"), (False, True))
    offered = build_space(Task.BINARY, DataShape(100, 2, 2), columns)["model"].choices
    assert offered[-1] == "gaussian_nb" and offered[0] == "lightgbm"
    regression = build_space(Task.REGRESSION, DataShape(100, 2), columns)["model"].choices
    assert "gaussian_nb" not in regression


def test_registration_refuses_clashes_and_unregisters_only_what_it_added(gaussian_nb):
    with pytest.raises(ValueError, match="registered already"):
        register_family(GAUSSIAN_NB)
    lightgbm = component_by_name("lightgbm")
    with pytest.raises(ValueError, match="registered already"):
        register_family(lightgbm)
    with pytest.raises(ValueError, match="built-in"):
        unregister_family("lightgbm")
    with pytest.raises(ValueError, match="without ':'"):
        register_family(Component("a:b", CLASSIFICATION, GAUSSIAN_NB.hyperparameters, GaussianNB))
    with pytest.raises(ValueError, match="Unknown model family"):
        unregister_family("no_such_family")
    # A built-in family's traits still come from the knowledge base, however it is given.
    with pytest.raises(ValueError, match="native_categorical"):
        Component("linear", lightgbm.tasks, lightgbm.hyperparameters, lightgbm.make, True)


def test_after_unregistering_a_fit_no_longer_knows_the_family(make_messy):
    with registered_family(GAUSSIAN_NB):
        pass
    X, y = make_messy(60)
    with pytest.raises(ValueError, match="Unknown model families"):
        AutoMLClassifier(models=("gaussian_nb",), warm_start=False).fit(X, y)
    assert [c.name for c in COMPONENTS] == [c.name for c in BUILTIN]


def _table(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Numbers with gaps, a text category, a boolean; a binary and a numeric target."""
    rng = np.random.RandomState(seed)
    x1, x2 = rng.normal(size=n), rng.uniform(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    X = pd.DataFrame(
        {
            "x1": np.where(rng.uniform(size=n) < 0.1, np.nan, x1),
            "x2": x2,
            "colour": colour,
            "flag": rng.uniform(size=n) < 0.5,
        }
    )
    value = x1 + 2 * x2 + (colour == "red") + rng.normal(scale=0.3, size=n)
    return X, pd.Series(value > np.median(value)).astype(int), pd.Series(value)


@pytest.mark.parametrize("family", [c.name for c in COMPONENTS] + ["gaussian_nb"])
def test_every_family_fits_its_default_configuration(family):
    """Each registered family's defaults (the pipeline the search builds for them) fit a small
    mixed table and predict it better than a constant, for each kind of task it supports."""
    from automl._columns import infer_column_types, normalize_frame
    from automl._space import build_space, make_pipeline

    X, y_binary, y_value = _table()
    columns = infer_column_types(X)
    data = normalize_frame(X, columns)
    with registered_family(GAUSSIAN_NB) if family == "gaussian_nb" else nullcontext():
        component = component_by_name(family)
        tasks = [t for t in (Task.BINARY, Task.REGRESSION) if t in component.tasks]
        assert tasks
        for task in tasks:
            shape = DataShape(len(X), X.shape[1], 2 if task.is_classification else 0)
            space = build_space(task, shape, columns, include=(family,))
            default = dict(space.get_default_configuration())
            pipeline = make_pipeline(default, task, columns, seed=0)
            if task.is_classification:
                proba = pipeline.fit(data, y_binary).predict_proba(data)
                assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1)
                assert roc_auc_score(y_binary, proba[:, 1]) > 0.7, family
            else:
                predicted = pipeline.fit(data, y_value).predict(data)
                assert predicted.shape == (len(X),) and np.isfinite(predicted).all()
                assert r2_score(y_value, predicted) > 0.2, family


def test_the_built_in_families_are_those_of_the_knowledge_base():
    from knowledge_base.space import FAMILIES, NATIVE_CATEGORICAL, NEEDS_SCALING

    assert {c.name for c in BUILTIN} == FAMILIES
    assert NEEDS_SCALING | NATIVE_CATEGORICAL <= FAMILIES


def test_lightgbm_defaults_do_not_diverge_on_many_small_classes(load_pmlb):
    """4,000 rows of krkopt (18 classes, the smallest of 5 rows): with LightGBM's own
    ``min_child_weight`` (1e-3) its defaults' raw scores ran into the tens of thousands and
    142 training rows got probability 0 for their own class (log loss 1.83 on the rows it was
    fitted on); the family's defaults fit them."""
    from sklearn.metrics import log_loss

    from automl._columns import infer_column_types, normalize_frame
    from automl._space import make_pipeline
    from automl.components import LIGHTGBM

    X, y = load_pmlb("krkopt_4000")
    y = np.unique(y, return_inverse=True)[1]
    columns = infer_column_types(X)
    data = normalize_frame(X, columns)
    shape = DataShape(len(X), X.shape[1], 18)
    defaults = {
        f"lightgbm:{hp.name}": hp.default_value
        for hp in LIGHTGBM.hyperparameters(Task.MULTICLASS, shape)
    }
    pipeline = make_pipeline({"model": "lightgbm", **defaults}, Task.MULTICLASS, columns)
    proba = pipeline.fit(data, y).predict_proba(data)
    assert proba[np.arange(len(y)), y].min() > 1e-6
    assert log_loss(y, proba, labels=range(18)) < 0.5


@pytest.mark.parametrize("family", [c.name for c in BUILTIN if Task.REGRESSION in c.tasks])
def test_regression_defaults_do_not_depend_on_the_targets_scale(family):
    """The same table with its target in thousands, around a large offset (prices, counts of
    money): each family's defaults fit it as well as the target at unit scale. Unscaled, the
    MLP's and the SVR's defaults fitted such targets many times worse (session 54)."""
    from automl._columns import infer_column_types, normalize_frame
    from automl._space import build_space, make_pipeline

    X, _, y_value = _table()
    columns = infer_column_types(X)
    data = normalize_frame(X, columns)
    shape = DataShape(len(X), X.shape[1], 0)
    space = build_space(Task.REGRESSION, shape, columns, include=(family,))
    default = dict(space.get_default_configuration())
    unit = (y_value - y_value.mean()) / y_value.std()
    scores = []
    for target in (unit, 5_000.0 * unit + 20_000.0):
        pipeline = make_pipeline(default, Task.REGRESSION, columns, seed=0)
        scores.append(r2_score(target, pipeline.fit(data, target).predict(data)))
    assert scores[0] > 0.2
    assert abs(scores[1] - scores[0]) < 0.05, (family, scores)
