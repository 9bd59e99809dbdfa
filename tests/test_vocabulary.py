"""Contract tests (issue 12): the shared vocabulary has one home, and every layer agrees with it.

Task types, trial statuses and metric directions live in ``knowledge_base.vocabulary``. These
tests tie its readers together: automl's enums and metrics, the knowledge base's schema and
importers, the meta-learning helpers, and the benchmarks' metrics and results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl._limits import Status
from automl._search import SKIPPED
from automl._task import DEFAULT_METRIC, METRICS, Task
from benchmarks import metrics as bench_metrics
from benchmarks.results import _metric_loss
from knowledge_base import KnowledgeBaseError, validate_frame
from knowledge_base.importers._common import score_and_loss
from knowledge_base.schema import STATUSES, TASKS
from knowledge_base.vocabulary import GREATER_IS_BETTER, greater_is_better
from metalearning._metafeatures_data import resolve_task
from metalearning.portfolio import task_kind
from metalearning.warmstart import _same_kind

# ------------------------------------------------------------------------------ statuses


def test_every_status_of_a_trial_that_ran_is_a_schema_status():
    assert [s.value for s in Status] == list(STATUSES)


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_the_schema_accepts_every_status(make_runs, status):
    runs = make_runs(1, status=status)
    if status != Status.SUCCESS.value:
        runs["score"], runs["loss"] = np.nan, np.nan
    assert validate_frame(runs, "runs").column("status").to_pylist() == [status]


def test_a_skipped_trial_is_not_a_status_the_base_accepts(make_runs):
    assert SKIPPED not in STATUSES
    assert SKIPPED not in {s.value for s in Status}
    with pytest.raises(KnowledgeBaseError, match="status"):
        validate_frame(make_runs(1, status=SKIPPED), "runs")


# ------------------------------------------------------------------------------ tasks


def test_every_task_is_a_schema_task():
    assert [t.value for t in Task] == list(TASKS)


@pytest.mark.parametrize("task", list(Task))
def test_task_readers_agree_on_classification(make_datasets, task):
    classification = task.is_classification
    assert (task_kind(task.value) == "classification") is classification
    assert (_same_kind(task.value) == ("regression",)) is not classification
    assert set(_same_kind(task.value)) == {
        t.value for t in Task if t.is_classification == classification
    }
    # the meta-features accept the enum and its name, and the base stores either
    y = pd.Series([0.5, 1.5, 2.5, 3.5] if task is Task.REGRESSION else [0, 1, 0, 2])
    assert resolve_task(y, task) == resolve_task(y, task.value) == task.value
    table = validate_frame(make_datasets(1, task=task.value), "datasets")
    assert table.column("task").to_pylist() == [task.value]


def test_an_unknown_task_is_refused_everywhere(make_datasets):
    with pytest.raises(ValueError):
        Task("ranking")
    with pytest.raises(ValueError, match="task must be one of"):
        resolve_task(pd.Series([0, 1]), "ranking")
    with pytest.raises(KnowledgeBaseError, match="task"):
        validate_frame(make_datasets(1, task="ranking"), "datasets")
    with pytest.raises(ValueError, match="task_type must be one of"):
        bench_metrics.metric_for("ranking")


# ------------------------------------------------------------------------------ metrics


def test_automl_and_the_vocabulary_know_the_same_metrics():
    assert set(METRICS) == set(GREATER_IS_BETTER)
    for name, metric in METRICS.items():
        assert metric.greater_is_better is greater_is_better(name)


def _scores(metric, rng):
    """The metric of perfect predictions and of noisy ones, in its natural orientation."""
    if metric.classification:
        y = np.tile(np.array([0, 1, 2]), 20)
        if metric.name == "roc_auc":
            y = y % 2
        labels = np.unique(y)
        perfect = np.eye(len(labels))[y] * 0.9 + 0.1 / len(labels)
        noisy = rng.dirichlet(np.ones(len(labels)), size=len(y))
        return metric.score(y, perfect, labels), metric.score(y, noisy, labels)
    y = rng.normal(size=60)
    return metric.score(y, y + 0.01 * rng.normal(size=60)), metric.score(y, rng.normal(size=60))


@pytest.mark.parametrize("name", sorted(GREATER_IS_BETTER))
def test_the_declared_direction_is_the_metric_s_real_direction(name):
    good, bad = _scores(METRICS[name], np.random.default_rng(0))
    assert (good > bad) is greater_is_better(name)
    assert METRICS[name].to_loss(good) < METRICS[name].to_loss(bad)  # lower loss is better


@pytest.mark.parametrize("name", sorted(GREATER_IS_BETTER))
def test_importers_compute_the_loss_automl_optimises(name):
    metric = METRICS[name]
    score, loss = score_and_loss(name, 0.3, value_is_loss=False)
    assert score == 0.3 and loss == pytest.approx(metric.to_loss(0.3))
    score, loss = score_and_loss(name, 0.3, value_is_loss=True)
    assert loss == 0.3 and score == pytest.approx(metric.to_score(0.3))


@pytest.mark.parametrize("task", list(Task))
def test_benchmarks_score_each_task_as_automl_does(task):
    metric = bench_metrics.metric_for(task.value)
    assert metric == DEFAULT_METRIC[task]
    assert bench_metrics.higher_is_better(metric) is METRICS[metric].greater_is_better
    assert _metric_loss(metric, 0.3) == pytest.approx(METRICS[metric].to_loss(0.3))
