import time

import numpy as np
import pytest

from automl._evaluation import make_splits
from automl._optimizers import make_optimizer
from automl._parallel import LocalExecutor
from automl._revalidation import (
    REVALIDATE_ROWS,
    fresh_splits,
    revalidate,
    revalidation_reserve,
)
from automl._search import Budget, SearchResult, TrialRecord, ensemble_candidates
from automl._space import build_space
from automl.components import DataShape


def _fresh(board):
    return board[board["revalidated_score"].notna()]


def test_small_classification_selects_on_fresh_folds(tiny_classifier, make_messy):
    X, y = make_messy(160)
    model = tiny_classifier(n_trials=4, resampling="cv").fit(X, y)
    board = model.leaderboard_
    fresh = _fresh(board)
    assert len(fresh) >= 2
    # Only candidates validated on the fresh folds can be in the ensemble.
    assert board.loc[board["ensemble_weight"] > 0, "revalidated_score"].notna().all()
    # Other folds give other scores for at least one candidate.
    assert not np.allclose(fresh["revalidated_score"], fresh["score"])
    assert 0 < model.timings_["revalidation"] <= model.timings_["search"]
    assert model.predict_proba(X).shape == (160, 2)


@pytest.mark.parametrize(
    "setting",
    ["regression", "holdout", "large"],
)
def test_no_revalidation_outside_small_classification_with_folds(
    setting, tiny_classifier, tiny_regressor, make_messy
):
    n = REVALIDATE_ROWS + 1 if setting == "large" else 160
    X, y = make_messy(n)
    if setting == "regression":
        model = tiny_regressor(n_trials=3).fit(X, X["x2"] * 3 + (y == "yes"))
    else:
        model = tiny_classifier(n_trials=3, resampling="holdout" if setting == "holdout" else "cv")
        model.fit(X, y)
    assert model.leaderboard_["revalidated_score"].isna().all()
    assert model.timings_["revalidation"] == 0.0


def test_fresh_splits_reshuffle_the_same_scheme(binary_search_inputs, make_messy):
    X, y = make_messy(100)
    _, y_enc, spec = binary_search_inputs(X, y, resampling="repeated-cv")
    spec_splits = make_splits(y_enc, spec.task, "repeated-cv", spec.seed)
    splits = fresh_splits(y_enc, spec, "repeated-cv")
    assert len(splits) == len(spec_splits) == 15
    assert [len(v) for _, v in splits] == [len(v) for _, v in spec_splits]
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(splits, spec_splits))
    assert splits[0][1].tolist() == fresh_splits(y_enc, spec, "repeated-cv")[0][1].tolist()


def _record(trial: int, loss: float, seconds: float) -> TrialRecord:
    return TrialRecord(
        trial=trial,
        model="linear",
        config={"model": "linear"},
        origin="search",
        loss=loss,
        score=1 - loss,
        status="success",
        fit_time=seconds,
        single_fit_time=seconds / 5,
        start_time=0.0,
        end_time=seconds,
    )


def test_reserve_covers_the_best_candidates_up_to_its_cap():
    result = SearchResult(trials=[_record(i, 0.1 * i, 2.0) for i in range(5)])
    # The 3 best take 6 s; with 2 workers and its slack, about 3.6 s.
    assert revalidation_reserve(result, 3, workers=2, cap=100.0) == pytest.approx(3.6)
    assert revalidation_reserve(result, 3, workers=2, cap=1.0) == 1.0
    assert revalidation_reserve(SearchResult(), 3, workers=2, cap=1.0) == 0.0


def test_revalidate_stops_at_the_deadline_and_keeps_what_finished(
    binary_search_inputs, binary_search, make_messy
):
    X, y = make_messy(120)
    data, y_enc, spec = binary_search_inputs(X, y, resampling="cv")
    space = build_space(spec.task, DataShape(*data.shape), spec.columns, include=("linear",))
    now = time.monotonic()
    budget = Budget(start=now, deadline=now + 60, per_trial=30, max_trials=3)
    result = binary_search(data, y_enc, spec, make_optimizer("random", space, [], 0, 1.0), budget)
    candidates = ensemble_candidates(result, 20)
    splits = fresh_splits(y_enc, spec, "cv")
    done = revalidate(candidates, data, y_enc, spec, splits, budget, LocalExecutor(2), None)
    assert set(done.losses) == {t.trial for t in candidates}
    for trial, predictions in done.predictions.items():
        assert predictions.shape == (len(y_enc), 2)
        assert not np.isnan(predictions).any()  # every row validated on the fresh folds
        assert done.losses[trial] != pytest.approx(result.trials[trial].loss, abs=1e-12)
    spent = Budget(start=now - 10, deadline=time.monotonic(), per_trial=30, max_trials=3)
    late = revalidate(candidates, data, y_enc, spec, splits, spent, LocalExecutor(2), None)
    assert late.losses == {} and late.predictions == {}
    # The refit's seconds are kept: nothing starts that would eat into them.
    kept = revalidate(
        candidates, data, y_enc, spec, splits, budget, LocalExecutor(2), None, keep=budget.left()
    )
    assert kept.losses == {}
