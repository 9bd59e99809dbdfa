import dataclasses

import numpy as np
import pytest

from automl._columns import infer_column_types, normalize_frame
from automl._evaluation import EvaluationSpec, evaluate, make_splits
from automl._search import SearchResult, TrialRecord
from automl._space import build_space
from automl._task import Task, get_metric
from automl.components import DataShape
from benchmarks.revalidation import fresh_splits, revalidated


@pytest.fixture
def searched(make_messy):
    """Two real linear trials on a small binary table: (result, data, y, spec, metric)."""
    X, y = make_messy(120)
    columns = infer_column_types(X)
    data = normalize_frame(X, columns)
    y_enc = np.unique(y, return_inverse=True)[1]
    splits = make_splits(y_enc, Task.BINARY, "repeated-cv", seed=3)
    spec = EvaluationSpec(Task.BINARY, "roc_auc", columns, splits, 2, n_jobs=1, seed=3)
    space = build_space(Task.BINARY, DataShape(*data.shape), columns, include=("linear",))
    configs = [dict(space.get_default_configuration())] + [
        dict(c) for c in space.sample_configuration(3)
    ]
    metric = get_metric("roc_auc", Task.BINARY)
    result = SearchResult()
    for i, config in enumerate(configs):
        outcome = evaluate(config, data, y_enc, spec)
        result.trials.append(
            TrialRecord(
                i,
                "linear",
                config,
                "search",
                outcome.loss,
                1 - outcome.loss,
                "success",
                outcome.fit_time,
                outcome.single_fit_time,
                0.0,
                1.0,
            )
        )
        result.predictions[i] = outcome.predictions
    return result, data, y_enc, spec, metric


def test_fresh_splits_keep_the_scheme_on_other_rows(searched):
    _, _, y, spec, _ = searched
    fresh = fresh_splits(y, spec)
    assert len(fresh) == 15
    assert [len(v) for _, v in fresh] == [len(v) for _, v in spec.splits]
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(fresh, spec.splits))
    five = dataclasses.replace(spec, splits=make_splits(y, Task.BINARY, "cv", seed=3))
    assert len(fresh_splits(y, five)) == 5


@pytest.mark.parametrize("mix", [False, True])
def test_revalidated_candidates_carry_their_fresh_losses(searched, mix):
    result, data, y, spec, metric = searched
    again = revalidated(result, data, y, spec, metric, mix)
    assert sorted(t.trial for t in again.trials) == [t.trial for t in result.trials]
    fresh = dataclasses.replace(spec, splits=fresh_splits(y, spec))
    for trial in again.trials:
        new = evaluate(trial.config, data, y, fresh).predictions
        expected = (new + result.predictions[trial.trial]) / 2 if mix else new
        np.testing.assert_allclose(again.predictions[trial.trial], expected, rtol=1e-6)
        assert trial.loss == pytest.approx(metric.loss(y, expected.astype(float), [0, 1]))
        assert trial.loss != pytest.approx(result.trials[trial.trial].loss, abs=1e-9)
