"""The estimator runs a knowledge base's portfolio first, skipping what cannot finish."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier
from automl._matrix import candidate_pool
from knowledge_base import KnowledgeBase
from metalearning import compute_metafeatures
from metalearning.portfolio import Portfolio
from metalearning.warmstart import metafeatures_json

LINEAR, KNN, LIGHTGBM = (
    candidate_pool("classification", sizes={family: 1})[0]
    for family in ("linear", "k_nearest_neighbors", "lightgbm")
)


POOL = candidate_pool("classification", sizes={"linear": 4, "k_nearest_neighbors": 4})


@pytest.fixture
def portfolio_kb(tmp_path, make_messy):
    """A real base with two datasets' meta-features and a portfolio over them: the linear
    model, k-NN, and a LightGBM whose cost model says it takes an hour."""
    kb = KnowledgeBase(tmp_path / "kb")
    rows = []
    for i, n in enumerate((200, 400)):
        X, y = make_messy(n, seed=i)
        rows.append(
            {
                "dataset_id": f"past{i}",
                "name": f"past_{i}",
                "source": "pmlb",
                "task": "binary",
                "n_rows": n,
                "n_features": X.shape[1],
                "metafeatures": metafeatures_json(compute_metafeatures(X, y, task="binary")),
            }
        )
    kb.append(datasets=pd.DataFrame(rows))
    Portfolio(
        kind="classification",
        members=[KNN, LIGHTGBM, LINEAR],
        dataset_ids=["past0", "past1"],
        normalised=np.array([[0.0, 0.5, 0.6], [0.2, 0.0, 0.1]]),
        cost_intercepts=np.log([1e-4, 3600.0, 1e-4]),
        row_exponent=0.0,
        feature_exponent=0.0,
        time_weight=0.0,
        pool=POOL,
        pool_normalised=np.linspace(0, 1, 2 * len(POOL)).reshape(2, len(POOL)),
    ).save(tmp_path / "kb" / "portfolio")
    return kb


def test_portfolio_members_run_first_and_unaffordable_ones_are_skipped(
    portfolio_kb, make_messy, tiny_classifier
):
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(
        warm_start=True, knowledge_base=portfolio_kb, n_trials=3, per_trial_time_limit=20
    ).fit(X, y)
    info = model.warm_start_
    assert info["method"] == "portfolio"
    members = {m["model"]: m for m in info["portfolio"]["members"]}
    assert "3600" in f"{members['lightgbm']['predicted_fit_seconds']:.0f}"
    assert "more than 80% of the 20s" in members["lightgbm"]["skipped"]
    trials = model.trials_.sort_values("trial")
    # The first member, then in turn a family's defaults and the next member.
    assert list(trials["origin"]) == ["portfolio", "default", "portfolio"]
    assert {trials["model"].iloc[0], trials["model"].iloc[2]} == {"k_nearest_neighbors", "linear"}
    assert trials["model"].iloc[1] == "lightgbm"
    ran = [m for m in info["portfolio"]["members"] if "skipped" not in m]
    assert all(m["status_here"] == "success" for m in ran)


def test_transfer_gives_smac_a_prior_mean_learned_from_the_pool(
    portfolio_kb, make_messy, tiny_classifier
):
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(
        warm_start=True,
        transfer=True,
        knowledge_base=portfolio_kb,
        n_trials=6,
        time_budget=300,
        models=("linear", "k_nearest_neighbors"),
    ).fit(X, y)
    transfer = model.warm_start_["transfer"]
    assert transfer["method"] == "prior mean of the surrogate"
    assert transfer["results"] == len(POOL) and transfer["datasets"] == 2
    assert len(model.trials_) == 6 and (model.trials_["origin"] == "search").sum() >= 3


def test_portfolio_members_take_turns_with_the_nearest_datasets_best(
    portfolio_kb, make_messy, tiny_classifier
):
    path = next((portfolio_kb.path / "portfolio").glob("portfolio-*.json"))
    portfolio = Portfolio.load(path)
    portfolio.pool_normalised = np.ones((2, len(POOL)))
    portfolio.pool_normalised[:, 5] = 0.0  # a k-NN that is no member: both datasets' best
    portfolio.pool_cost_intercepts = np.log(np.full(len(POOL), 1e-4))
    portfolio.save(path.parent)
    X, y = make_messy(240, seed=5)
    model = tiny_classifier(
        warm_start="portfolio+nearest", knowledge_base=portfolio_kb, n_trials=3
    ).fit(X, y)
    info = model.warm_start_
    assert info["method"] == "portfolio+nearest"
    planned = info["portfolio"]["members"]
    assert [m["source"] for m in planned[:2]] == ["portfolio", "past_0"]  # the nearest's best
    assert planned[1]["rank_global"] is None and planned[1]["status_here"] == "success"
    trials = model.trials_.sort_values("trial")
    assert list(trials["origin"]) == ["portfolio", "default", "portfolio"]
    assert (
        trials["config"].iloc[2]["k_nearest_neighbors:n_neighbors"]
        == POOL[5]["k_nearest_neighbors:n_neighbors"]
    )


@pytest.mark.slow
def test_nearest_and_cold_ignore_the_portfolio(portfolio_kb, make_messy, tiny_classifier):
    X, y = make_messy(240, seed=5)
    nearest = tiny_classifier(warm_start="nearest", knowledge_base=portfolio_kb).fit(X, y)
    assert nearest.warm_start_["method"] in ("nearest", "none")
    assert "portfolio" not in set(nearest.trials_["origin"])
    cold = tiny_classifier(warm_start=False, knowledge_base=portfolio_kb).fit(X, y)
    assert cold.warm_start_["method"] == "none"
    assert cold.trials_["model"].iloc[0] == "lightgbm"


def test_bad_warm_start_value_is_named(make_messy):
    X, y = make_messy(60)
    with pytest.raises(ValueError, match="`warm_start` must be True, False, 'portfolio'"):
        AutoMLClassifier(warm_start="yes").fit(X, y)
