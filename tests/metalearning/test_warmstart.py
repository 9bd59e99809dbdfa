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


def _qualities(i: float) -> dict[str, float]:
    """Enough meta-features to be compared (DatasetSimilarity's min_comparable)."""
    names = ["NumberOfInstances", "NumberOfFeatures", "ClassEntropy", "MajorityClassSize"]
    names += ["NumberOfNumericFeatures", "Dimensionality"]
    return {n: float(i + k) for k, n in enumerate(names)}


@pytest.fixture
def own_base(tmp_path, make_datasets, make_runs) -> KnowledgeBase:
    """d0 and d1: past fits of this installation (source "user"); d2: imported, nearest to
    FAR. d0's meta-features are NEAR's."""
    kb = KnowledgeBase(tmp_path / "own")
    meta = [json.dumps(_qualities(i)) for i in (0, 1, 5)]
    kb.append(datasets=make_datasets(3, source=["user", "user", "openml"], metafeatures=meta))
    runs = [make_runs(8, f"d{i}", seed=i, source="user") for i in range(2)]
    kb.append(runs=pd.concat([*runs, make_runs(8, "d2", seed=2)], ignore_index=True))
    return kb


NEAR, FAR = pd.Series(_qualities(0)), pd.Series(_qualities(4.9))


@pytest.mark.parametrize("fingerprint", ["d0", "unseen"])
def test_own_past_runs_the_same_datas_best_first(own_base, fingerprint):
    """Found by its fingerprint or, in another form, by near-identical meta-features."""
    from metalearning.warmstart import own_past

    past = own_past(own_base, NEAR, fingerprint, "binary", n=3)
    runs = own_base.runs(["d0"]).sort_values("loss")
    assert [json.dumps(s.config) for s in past] == list(runs["config"][:3])
    assert [s.loss for s in past] == pytest.approx(list(runs["loss"][:3]))


def test_own_past_takes_only_the_best_of_a_nearest_fit_and_never_an_imported_dataset(own_base):
    from metalearning.warmstart import own_past

    # d0 hidden (leave-one-out): d1, a past fit but not this data, is nearest and gives its best.
    past = own_past(own_base, NEAR, "d0", "binary", exclude=["d0"])
    d1 = own_base.runs(["d1"]).sort_values("loss")
    assert [json.dumps(s.config) for s in past] == [d1["config"].iloc[0]]
    # Nearest to the imported d2: nothing from the past fits.
    assert own_past(own_base, FAR, "other", "binary") == []
    assert own_past(own_base, NEAR, "d0", "regression") == []
