import pickle
import time

import numpy as np
import pytest

import automl._estimator
import automl._evaluation as evaluation_module
from automl._columns import infer_column_types, normalize_frame
from automl._evaluation import (
    EvaluationSpec,
    FoldBag,
    evaluate,
    fold_bag_size,
    make_splits,
    predict_pipeline,
    refit_folds,
)
from automl._optimizers import make_optimizer
from automl._search import Budget, SearchResult, TrialRecord, refit_reserve
from automl._space import build_space
from automl._task import Task
from automl.components import DataShape

KNN = {
    "model": "k_nearest_neighbors",
    "k_nearest_neighbors:n_neighbors": 3,
    "k_nearest_neighbors:weights": "uniform",
    "k_nearest_neighbors:p": 2,
}


def test_the_fold_bag_holds_the_models_its_trial_validated(load_pmlb, binary_search_inputs):
    """Each of the bag's models predicts its fold's validation rows as the trial did, and the
    bag predicts their mean."""
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    outcome = evaluate(KNN, data, y, spec)
    bag = refit_folds(KNN, data, y, spec)
    assert len(bag.pipelines) == len(spec.splits) == 5
    for pipeline, (_, val) in zip(bag.pipelines, spec.splits):
        got = predict_pipeline(pipeline, data.iloc[val], spec.task, 2)
        np.testing.assert_allclose(got, outcome.predictions[val], atol=1e-6)
    each = [predict_pipeline(p, data, spec.task, 2) for p in bag.pipelines]
    np.testing.assert_allclose(bag.predict_proba(data), np.mean(each, axis=0))
    assert set(np.unique(bag.predict(data))) <= {0, 1}
    assert len(refit_folds(KNN, data, y, spec, n_folds=2).pipelines) == 2


def test_a_trial_brings_back_its_fold_models_only_when_asked_and_good_enough(
    load_pmlb, binary_search_inputs, monkeypatch
):
    """The models come back as ``refit_folds`` would fit them again: each predicts its fold's
    validation rows as the trial did."""
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    outcome = evaluate(KNN, data, y, spec, keep_models=3)
    bag = pickle.loads(outcome.models)
    assert isinstance(bag, FoldBag) and len(bag.pipelines) == 3
    for pipeline, (_, val) in zip(bag.pipelines, spec.splits):
        got = predict_pipeline(pipeline, data.iloc[val], spec.task, 2)
        np.testing.assert_allclose(got, outcome.predictions[val], atol=1e-6)
    assert evaluate(KNN, data, y, spec).models is None  # not asked
    assert evaluate(KNN, data, y, spec, 3, keep_below=outcome.loss).models is None  # not better
    monkeypatch.setattr(evaluation_module, "KEPT_MODELS_MB", 0)  # too large to send back
    assert evaluate(KNN, data, y, spec, keep_models=3).models is None


def test_a_search_keeps_the_fold_models_of_its_best_trials_and_no_more(
    load_pmlb, binary_search_inputs, binary_search
):
    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"), 5)
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, seed=0)
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + 300, per_trial=30.0, max_trials=8)
    optimizer = make_optimizer("random", space, [], 0, 1.0)
    try:
        result = binary_search(data, y, spec, optimizer, budget, keep_models=3)
    finally:
        optimizer.close()
    best = [t.trial for t in result.successful()[:3]]
    assert len(result.successful()) >= 4
    assert sorted(result.models) == sorted(best)
    assert all(len(bag.pipelines) == 5 for bag in result.models.values())
    n_train = len(spec.splits[0][0])
    assert refit_reserve(result, len(y), n_train, n_splits=5) == pytest.approx(0.5)  # no refit


def _refuse(*args, **kwargs):  # module-level: the child process unpickles it
    raise RuntimeError("refit refused")


@pytest.fixture(params=["classifier", "regressor"])
def small_table(request, tiny_classifier, tiny_regressor, make_messy):
    """(make, X, y): a tiny estimator's factory and a 120-row table of its task."""
    X, y = make_messy(120)
    if request.param == "regressor":
        return tiny_regressor, X, X["x2"] * 3 + (y == "yes")
    return tiny_classifier, X, y


def test_a_fit_on_a_small_table_refits_no_member_its_search_kept(small_table, monkeypatch):
    make, X, y = small_table
    monkeypatch.setattr(automl._estimator, "refit_folds", _refuse)
    monkeypatch.setattr(automl._estimator, "refit", _refuse)
    model = make(resampling="cv").fit(X, y)
    assert all(isinstance(p, FoldBag) for _, p in model.model_.members)
    assert model.model_.members and model.predict(X).shape == (len(X),)


def test_a_class_missing_from_a_folds_training_rows_keeps_its_column(make_messy):
    X, y_text = make_messy(60, n_classes=3)
    columns = infer_column_types(X)
    y = np.unique(y_text, return_inverse=True)[1]
    y[:] = np.where(y == 2, 1, y)
    y[7] = 2  # one row of class 2: in the validation rows of one fold, absent from its training
    spec = EvaluationSpec(
        Task.MULTICLASS, "log_loss", columns, make_splits(y, Task.MULTICLASS, 5, 0), 3, 1, 0
    )
    linear = {"model": "linear", "linear:C": 1.0, "rescaling:__choice__": "standard"}
    bag = refit_folds(linear, normalize_frame(X, columns), y, spec)
    assert sorted(len(p.classes_) for p in bag.pipelines) == [2, 3, 3, 3, 3]
    proba = bag.predict_proba(normalize_frame(X, columns))
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba[:, 2] > 0).all()  # four of the five models saw it


def test_on_small_tables_the_final_members_are_fold_bags(small_table, monkeypatch):
    make, X, y = small_table
    assert len(X) <= evaluation_module.FOLD_BAG_ROWS
    bagged = make(resampling="cv").fit(X, y)
    assert all(isinstance(p, FoldBag) for _, p in bagged.model_.members)
    assert all(len(p.pipelines) == 5 for _, p in bagged.model_.members)
    assert bagged.predict(X).shape == (len(X),)
    # Repeated CV's 15 splits: the first five (one of each row's validations).
    repeated = make(resampling="repeated-cv").fit(X, y)
    assert all(len(p.pipelines) == 5 for _, p in repeated.model_.members)
    holdout = make(resampling="holdout").fit(X, y).model_.members  # one split: nothing to bag
    assert not any(isinstance(p, FoldBag) for _, p in holdout)
    monkeypatch.setattr(evaluation_module, "FOLD_BAG_ROWS", len(X) - 1)  # one row too many
    refitted = make(resampling="cv").fit(X, y).model_.members
    assert not any(isinstance(p, FoldBag) for _, p in refitted)


def _record(trial: int, loss: float, fidelity: float = 1.0) -> TrialRecord:
    return TrialRecord(
        trial, "linear", {}, "search", loss, -loss, "success", 5.0, 1.0, 0.0, 1.0,
        fidelity=fidelity,
    )  # fmt: skip


def test_the_refit_reserve_counts_each_bagged_members_fold_fits():
    """A bag of 5 fold models costs 5 of its trial's fold fits; a trial of a lower rung
    (fewer rows than validated folds hold) is still refitted once."""
    result = SearchResult(trials=[_record(0, 0.1), _record(1, 0.2)])
    assert refit_reserve(result, 100, 80, top=2) == pytest.approx(0.5 + 1.3 * 2 * 100 / 80)
    assert refit_reserve(result, 100, 80, top=2, n_splits=15) == pytest.approx(0.5 + 1.3 * 2 * 5)
    result.models[0] = FoldBag([], Task.BINARY, 2)  # its search kept its fold models
    assert refit_reserve(result, 100, 80, top=2, n_splits=15) == pytest.approx(0.5 + 1.3 * 5)
    assert fold_bag_size(100, 15) == 5 and fold_bag_size(100, 3) == 3
    assert fold_bag_size(evaluation_module.FOLD_BAG_ROWS + 1, 5) == fold_bag_size(100, 1) == 0
    assert fold_bag_size(100, 5, fidelity=0.5) == 0  # a lower rung: one refit
