import warnings

import numpy as np
import pytest

from automl import _ensemble as ensemble
from automl._ensemble import _row_sums, ensemble_selection, selection_loss
from automl._task import METRICS, Metric


def test_complementary_models_are_combined():
    y = np.array([0, 1] * 50)
    rng = np.random.RandomState(0)
    noise = rng.uniform(size=100)
    # Each model is right on a different half of the rows; their average is right everywhere.
    a = np.where(np.arange(100) < 50, y, 1 - y).astype(float)
    b = np.where(np.arange(100) >= 50, y, 1 - y).astype(float)
    preds = [np.c_[1 - p * 0.6 - 0.2, p * 0.6 + 0.2] for p in (a, b)]
    preds.append(np.c_[noise, 1 - noise])
    weights = ensemble_selection(preds, y, METRICS["log_loss"], size=20, labels=np.arange(2))
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] > 0 and weights[1] > 0


def test_a_dominant_model_takes_all_the_weight():
    y = np.linspace(0, 1, 50)
    preds = [y.copy(), y + 1.0, y - 2.0]
    weights = ensemble_selection(preds, y, METRICS["rmse"], size=10)
    assert weights.tolist() == [1.0, 0.0, 0.0]


# The selection's vectorised losses against the metric itself (scikit-learn's, one candidate
# at a time: what selection computed before them), on predictions with many ties.
CLASSIFICATION = [
    (name, k)
    for name in ("accuracy", "balanced_accuracy", "roc_auc", "log_loss")
    for k in (2, 3, 5, 9)
]
REGRESSION = [(name, 0) for name in ("rmse", "mae", "r2")]


def _problem(name: str, k: int, seed: int, m: int = 7, n: int = 160):
    """``(y, preds (m, n, k) or (m, n), labels)``: rounded (tied) probabilities, repeated rows
    and a repeated candidate."""
    rng = np.random.RandomState(seed)
    if not k:
        y = rng.randn(n)
        preds = y + rng.uniform(0.2, 2.0, (m, 1)) * rng.randn(m, n)
        preds[1] = y  # a perfect candidate (r2's zero numerator)
        preds[2] = preds[3]
        return y, preds, None
    y = rng.randint(0, k, n)
    preds = rng.dirichlet(np.full(k, 0.6), size=(m, n))
    preds[: m // 2] = np.round(preds[: m // 2] * 4) / 4  # tree-like: ties, exact zeros
    if name == "log_loss":  # sklearn clips at float eps, selection at 1e-15 (as it always did)
        preds += 0.01
    preds[:, 10:20] = preds[:, :10]
    preds[2] = preds[3]
    return y, preds, np.arange(k)


def _reference(metric, labels):
    return lambda y, preds: np.array([metric.loss(y, p, labels) for p in preds])


@pytest.mark.parametrize("name, k", CLASSIFICATION + REGRESSION)
def test_the_vectorised_selection_loss_is_the_metrics_own(name, k, monkeypatch):
    metric = METRICS[name]
    problems = [_problem(name, k, seed) for seed in range(4)]
    expected = [_reference(metric, labels)(y, preds) for y, preds, labels in problems]
    monkeypatch.setattr(Metric, "loss", None)  # not called: all of it vectorised
    for (y, preds, labels), want in zip(problems, expected):
        fast = selection_loss(metric, labels)(y, preds)
        np.testing.assert_allclose(fast, want, rtol=0, atol=1e-12)
        if k:  # the selection hands it class-major arrays: the same bits
            major = np.moveaxis(np.ascontiguousarray(np.moveaxis(preds, -1, 1)), 1, -1)
            np.testing.assert_array_equal(selection_loss(metric, labels)(y, major), fast)


@pytest.mark.parametrize("name, k", CLASSIFICATION + REGRESSION)
@pytest.mark.parametrize("bags", [0, 4])
def test_selection_picks_the_weights_the_metric_itself_picks(name, k, bags, monkeypatch):
    metric = METRICS[name]
    y, preds, labels = _problem(name, k, seed=k + bags)
    options = dict(size=15, labels=labels, bags=bags, seed=1)
    fast = ensemble_selection(list(preds), y, metric, **options)
    monkeypatch.setattr(
        ensemble, "selection_loss", lambda metric, labels, calibrated: _reference(metric, labels)
    )
    assert ensemble_selection(list(preds), y, metric, **options).tolist() == fast.tolist()


@pytest.mark.parametrize(
    "name, case",
    [
        ("roc_auc", "class absent"),  # sklearn: NaN (one class), an error (multiclass)
        ("balanced_accuracy", "class absent"),
        ("accuracy", "labels not 0..k-1"),
        ("accuracy", "NaN"),  # np.argmax takes the first NaN
        ("roc_auc", "NaN"),
        ("roc_auc", "negative zero"),
        ("rmse", "NaN"),
    ],
)
@pytest.mark.parametrize("k", [2, 4])
def test_inputs_outside_the_fast_forms_get_the_metric_itself(name, case, k):
    metric = METRICS[name]
    y, preds, labels = _problem(name, k if metric.classification else 0, seed=5)
    if case == "class absent":
        y = np.where(y == k - 1, 0, y)
    elif case == "labels not 0..k-1":
        labels = np.arange(1, k + 1)
        y = y + 1
    elif case == "negative zero":
        preds = np.where(preds == 0, -0.0, preds)
    else:
        preds[1, 5] = np.nan

    def outcome(loss):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return loss(y, preds)
        except ValueError as error:
            return str(error)

    fast, reference = outcome(selection_loss(metric, labels)), outcome(_reference(metric, labels))
    if isinstance(reference, str):
        assert fast == reference
    else:
        np.testing.assert_allclose(fast, reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", range(1, 13))
def test_row_sums_are_numpys_to_the_last_bit(k):
    preds = np.random.RandomState(k).dirichlet(np.ones(k), size=(5, 300)) * 3.7
    major = np.moveaxis(np.ascontiguousarray(np.moveaxis(preds, -1, 1)), 1, -1)
    np.testing.assert_array_equal(_row_sums(preds), preds.sum(axis=-1))
    np.testing.assert_array_equal(_row_sums(major), preds.sum(axis=-1))


def _random_search(load_pmlb, binary_search_inputs, binary_search, families, trials, seed):
    """A seeded random search over ``families`` on prnn_synth, ``trials`` of them:
    ``(data, y_enc, spec, result)``."""
    import time

    from automl._optimizers import make_optimizer
    from automl._search import Budget
    from automl._space import build_space
    from automl.components import DataShape

    data, y, spec = binary_search_inputs(*load_pmlb("prnn_synth"))
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, include=families)
    start = time.monotonic()
    budget = Budget(start=start, deadline=start + 300, per_trial=30.0, max_trials=trials)
    optimizer = make_optimizer("random", space, [], seed, 1.0)
    return data, y, spec, binary_search(data, y, spec, optimizer, budget)


def test_every_familys_best_trial_stays_a_candidate_beyond_the_best_trials(
    load_pmlb, binary_search_inputs, binary_search
):
    from automl._search import _keep_best_predictions, ensemble_candidates

    families = ("k_nearest_neighbors", "linear")
    _, _, _, result = _random_search(
        load_pmlb, binary_search_inputs, binary_search, families, trials=16, seed=0
    )
    ranked = result.successful()
    best_of = {f: next(t for t in ranked if t.model == f) for f in families}
    top = ensemble_candidates(result, 1, per_family=False)
    assert [t.trial for t in top] == [ranked[0].trial]
    both = ensemble_candidates(result, 1, per_family=True)
    assert [t.trial for t in both] == [ranked[0].trial] + [
        best_of[f].trial for f in families if f != ranked[0].model
    ]
    # Pruned to the best trial's predictions, the other family's best keeps its own too.
    _keep_best_predictions(result, 1)
    assert set(result.predictions) == {t.trial for t in best_of.values()}


def test_a_cut_short_ensemble_that_validates_worse_gives_way_to_its_first_member():
    from automl._estimator import _cut_short_is_worse

    rng = np.random.RandomState(0)
    y = np.array([0, 1] * 100)
    good = np.column_stack([1 - y, y]) * 0.6 + 0.2  # right on every row
    noise = rng.dirichlet([1, 1], size=len(y))
    candidates = [type("Trial", (), {"trial": t})() for t in (7, 3)]
    metric = METRICS["log_loss"]
    labels = np.arange(2)
    # The good member first; a noise member weighted in drags the pair below it alone.
    assert _cut_short_is_worse({7: 0.4, 3: 0.6}, candidates, [good, noise], y, metric, labels)
    # Alone, the first member is what it is: never worse than itself.
    assert not _cut_short_is_worse({7: 1.0}, candidates, [good, noise], y, metric, labels)
    # A second member that is right too does not make the pair worse.
    assert not _cut_short_is_worse({7: 0.5, 3: 0.5}, candidates, [good, good], y, metric, labels)


def test_an_ensemble_the_budget_cuts_short_keeps_the_trial_best_alone(
    load_pmlb, binary_search_inputs, binary_search
):
    """With the budget spent, only the first member is refitted: it is the best trial, not
    the one selection weighted most."""
    import time

    from automl import AutoMLClassifier
    from automl._energy import EnergyMeter
    from automl._estimator import ENSEMBLE_CANDIDATES
    from automl._search import Budget, ensemble_candidates

    families = ("k_nearest_neighbors", "linear", "lightgbm")
    data, y, spec, result = _random_search(
        load_pmlb, binary_search_inputs, binary_search, families, trials=12, seed=1
    )
    metric = METRICS["roc_auc"]
    candidates = ensemble_candidates(result, ENSEMBLE_CANDIDATES)
    validated = ~np.isnan(result.predictions[candidates[0].trial][:, 0])
    preds = [result.predictions[t.trial][validated] for t in candidates]
    weights, _ = ensemble.select_and_calibrate(
        preds, y[validated], metric, size=50, labels=np.arange(2), prior=np.bincount(y) / len(y)
    )
    weighted_most = candidates[int(np.argmax(weights))]
    best = result.successful()[0]
    assert (weights > 0).sum() >= 2 and weighted_most.trial != best.trial  # the case at stake
    estimator = AutoMLClassifier(random_state=0)
    estimator._meter = EnergyMeter()
    now = time.monotonic()
    spent = Budget(start=now - 60, deadline=now - 1, per_trial=30.0, max_trials=None)
    model, kept = estimator._fit_ensemble(result, data, y, spec, metric, spent)
    assert kept == {best.trial: 1.0}
    assert model.predict(data).shape == (len(y), 2)
