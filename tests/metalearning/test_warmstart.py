"""Warm-start suggestions and transfer results read from a real knowledge base."""

import json

import numpy as np
import pandas as pd
import pytest

from knowledge_base import KnowledgeBase
from metalearning import suggest_configurations


@pytest.fixture
def base(tmp_path, make_datasets, make_runs) -> KnowledgeBase:
    """Four past datasets: d0..d2 with 30 runs each, d3 (the farthest) with only 5."""
    kb = KnowledgeBase(tmp_path / "kb")
    kb.append(datasets=make_datasets(4))
    runs = [make_runs(30, f"d{i}", seed=i) for i in range(3)] + [make_runs(5, "d3", seed=3)]
    kb.append(runs=pd.concat(runs, ignore_index=True))
    return kb


TARGET = pd.Series({"NumberOfInstances": 100.0, "ClassEntropy": 0.5})


def test_suggestions_are_each_neighbours_best_nearest_first(base):
    plan = suggest_configurations(base, TARGET, "binary")
    assert list(plan.neighbors["name"]) == [f"dataset d{i}" for i in range(4)]
    runs = base.runs()
    for s in plan.suggestions:
        own = runs[runs["dataset_id"] == s.dataset_id]
        assert s.loss == pytest.approx(own["loss"].min())
        assert json.loads(own.loc[own["loss"].idxmin(), "config"]) == s.config


@pytest.mark.parametrize("n_transfer, per_neighbor", [(2, 40), (3, 7)])
def test_transfer_results_are_quantiles_of_the_nearest_datasets(base, n_transfer, per_neighbor):
    plan = suggest_configurations(
        base, TARGET, "binary", n_transfer=n_transfer, transfer_per_neighbor=per_neighbor
    )
    by_dataset = pd.DataFrame(
        [(r.dataset_id, json.dumps(r.config, sort_keys=True), r.quantile) for r in plan.transfer],
        columns=["dataset_id", "config", "quantile"],
    )
    assert sorted(by_dataset["dataset_id"].unique()) == [f"d{i}" for i in range(n_transfer)]
    runs = base.runs()
    for dataset_id, group in by_dataset.groupby("dataset_id"):
        assert len(group) == min(per_neighbor, 30)
        assert group["quantile"].min() == 0.0 and group["quantile"].max() == 1.0
        losses = runs[runs["dataset_id"] == dataset_id].set_index("config")["loss"]
        order = losses.loc[group["config"]].to_numpy()
        assert np.all(np.diff(order[np.argsort(group["quantile"].to_numpy())]) >= 0)


def test_datasets_with_few_runs_give_no_transfer(base):
    plan = suggest_configurations(base, TARGET, "binary", n_transfer=10, exclude=["d0", "d1", "d2"])
    assert [s.dataset_id for s in plan.suggestions] == ["d3"]
    assert plan.transfer == []
