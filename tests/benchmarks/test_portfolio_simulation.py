"""The simulation's summaries: mean and median regret per method, and wins against random."""

import pandas as pd
import pytest

from benchmarks.portfolio_simulation import against_random, summarize


@pytest.fixture
def results() -> pd.DataFrame:
    # Three datasets; the portfolio is far better than random on two, far worse on the third.
    regret = {"portfolio": [0.0, 0.01, 0.9], "random": [0.1, 0.1, 0.3]}
    rows = [
        (f"d{i}", method, axis, at, value)
        for method, values in regret.items()
        for i, value in enumerate(values)
        for axis, at in (("picks", 10), ("seconds", 60))
    ]
    return pd.DataFrame(rows, columns=["dataset", "method", "axis", "at", "regret"])


def test_mean_and_median_tell_different_stories(results):
    mean, median = summarize(results), summarize(results, "median")
    assert mean.loc["portfolio", "@10 picks"] == pytest.approx(0.91 / 3)
    assert mean.loc["portfolio", "@10 picks"] > mean.loc["random", "@10 picks"]
    assert median.loc["portfolio", "@10 picks"] == pytest.approx(0.01)
    assert median.loc["portfolio", "@10 picks"] < median.loc["random", "@10 picks"]
    assert list(mean.columns) == ["@10 picks", "@60 s"]


def test_wins_against_random_count_datasets(results):
    table = against_random(results)
    assert table.loc["portfolio"].tolist() == [2, 0, 1]
    assert "random" not in table.index


def test_bo_with_the_ranking_prior_follows_the_past_dataset_that_ranks_its_picks():
    import numpy as np

    from benchmarks.portfolio_simulation import bayesian_order

    rng = np.random.default_rng(0)
    vectors = rng.uniform(size=(120, 2))
    losses = np.linalg.norm(vectors - [0.8, 0.2], axis=1)
    # Four past datasets want the opposite corner; one agrees with this dataset.
    per_dataset = np.column_stack([1 - losses] * 4 + [losses])
    start = [int(i) for i in rng.choice(120, 5, replace=False)]
    ranked = bayesian_order(losses, vectors, start, 8, per_dataset=per_dataset)
    misled = bayesian_order(losses, vectors, start, 8, prior=per_dataset.mean(axis=1))
    assert ranked[:5] == start and len(set(ranked)) == 8
    assert losses[ranked].min() == losses.min()
    assert losses[ranked].min() < losses[misled].min()


def test_a_warm_start_that_knows_the_best_candidate_beats_cold_until_bo_catches_up():
    """Every past dataset has its optimum at one learning rate that no family default has:
    the warm start opens with it, cold BO starts from the defaults and has to find it."""
    import numpy as np

    from benchmarks.portfolio_simulation import paired_against_cold, warm_against_cold
    from metalearning.portfolio import PerformanceMatrix

    rates = np.geomspace(0.005, 0.5, 30)
    candidates = [{"model": "lightgbm", "lightgbm:learning_rate": float(r)} for r in rates]
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    best = np.log(rates[20])
    losses = np.array([np.abs(np.log(rates) - best) + 0.01 * i for i in range(len(names))])
    matrix = PerformanceMatrix(
        names, candidates, losses, np.ones_like(losses), np.full(6, 500), np.full(6, 5),
        names=names,
    )  # fmt: skip
    results = warm_against_cold(matrix, defaults=[0, 29], kind="classification", picks=(5, 10))
    assert set(results["start"]) == {"warm", "cold"} and results["dataset"].nunique() == 6
    wide = results.pivot_table(index="dataset", columns=["start", "picks"], values="regret")
    assert (wide[("warm", 5)] == 0).all() and (wide[("cold", 5)] > 0).all()
    table = paired_against_cold(results)
    assert table.loc["warm@5 vs cold@5", ["better", "tied", "worse"]].tolist() == [6, 0, 0]
    assert table.loc["warm@10 vs cold@10", "worse"] == 0
    assert list(table.index) == ["warm@5 vs cold@5", "warm@10 vs cold@10"]
    assert table.loc["warm@5 vs cold@5", "wilcoxon p"] < 0.05


def test_kept_families_are_the_best_rated_and_those_under_the_threshold():
    from benchmarks.portfolio_simulation import kept_families

    scores = {"lightgbm": 0.05, "catboost": 0.1, "mlp": 0.2, "linear": 0.25, "knn": 0.9}
    assert kept_families(scores, 0.0, keep=3) == {"lightgbm", "catboost", "mlp"}
    assert kept_families(scores, 0.3, keep=1) == {"lightgbm", "catboost", "mlp", "linear"}
    assert kept_families(scores, 1.0, keep=0) == set(scores)


def test_pruning_keeps_the_family_the_near_datasets_rate_and_finds_its_best_sooner():
    """Every dataset's best candidates are k-NN's; LightGBM's are poor everywhere. Pruned to the
    one best-rated family (k-NN), the cold search skips LightGBM's defaults and BO over them."""
    import numpy as np

    from benchmarks import portfolio_simulation as sim
    from metalearning.portfolio import PerformanceMatrix
    from metalearning.similarity import SIMILARITY_FEATURES

    rates = np.geomspace(0.01, 0.5, 20)
    neighbours = np.arange(1, 21)
    candidates = [{"model": "lightgbm", "lightgbm:learning_rate": float(r)} for r in rates] + [
        {"model": "k_nearest_neighbors", "k_nearest_neighbors:n_neighbors": int(n)}
        for n in neighbours
    ]
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    knn = np.abs(neighbours - 15) / 20
    row = np.concatenate([1.0 + rates, knn])
    losses = np.array([row + 0.01 * i for i in range(len(names))])
    matrix = PerformanceMatrix(
        names, candidates, losses, np.ones_like(losses), np.full(6, 500), np.full(6, 5),
        names=names,
    )  # fmt: skip
    rng = np.random.default_rng(0)
    metafeatures = pd.DataFrame(
        rng.uniform(size=(6, len(SIMILARITY_FEATURES))), index=names, columns=SIMILARITY_FEATURES
    )
    # Defaults: LightGBM's and k-NN's first candidates, LightGBM's first.
    results = sim.pruned_against_full(
        matrix, metafeatures, defaults=[0, 20], kind="classification", thresholds=(0.5,),
        picks=(3, 8), keep=1,
    )  # fmt: skip
    assert set(results["space"]) == {"all", "pruned@0.5"}
    families = results.drop_duplicates(["dataset", "space"]).set_index(["dataset", "space"])
    assert (families.xs("pruned@0.5", level="space")["n_families"] == 1).all()
    assert (families.xs("all", level="space")["n_families"] == 2).all()
    wide = results.pivot_table(
        index="dataset", columns=["start", "space", "picks"], values="regret"
    )
    assert (wide[("cold", "pruned@0.5", 8)] <= wide[("cold", "all", 8)]).all()
    assert (wide[("cold", "pruned@0.5", 3)] < wide[("cold", "all", 3)]).any()
    table = sim.paired_pruned(results)
    assert "cold pruned@0.5 vs cold all @3" in table.index
    assert table.loc["cold pruned@0.5 vs cold all @3", "worse"] == 0


def test_regret_before_a_pool_grew_is_put_on_the_grown_pools_scale():
    """A candidate added to the pool lowers d0's best loss: the old run's regret 0 there (it
    found the old best) is no longer 0 on the grown pool's scale; d1, whose best is unchanged,
    keeps its regret."""
    import numpy as np

    from benchmarks.portfolio_simulation import on_one_scale, regret_by_pool
    from metalearning.portfolio import PerformanceMatrix

    losses = np.array([[0.2, 0.6, 0.1], [0.3, 0.5, 0.9]])  # the third candidate was added
    matrix = PerformanceMatrix(
        dataset_ids=["a", "b"],
        candidates=[{"model": "x"}] * 3,
        losses=losses,
        fit_times=np.ones_like(losses),
        n_rows=np.array([100.0, 100.0]),
        n_features=np.array([5.0, 5.0]),
        names=["d0", "d1"],
    )
    run = pd.DataFrame(
        {
            "dataset": ["d0", "d1"],
            "method": "portfolio",
            "axis": "picks",
            "at": 10,
            "regret": [0.0, 0.5],
        }
    )
    both = on_one_scale(run, run, matrix, np.array([False, False, True]))
    old = both[both["pool"] == "old pool"].set_index("dataset")["regret"]
    # d0: found 0.2, the grown pool's best 0.1 and worst 0.6; d1: found 0.4 of 0.3 to 0.9.
    assert old["d0"] == pytest.approx(0.2)
    assert old["d1"] == pytest.approx(1 / 6)
    assert set(both["pool"]) == {"old pool", "with them"}
    text = regret_by_pool(both, ["portfolio"], ("@10 picks",))
    assert "| all 2 | portfolio | 0.1833 | 0.2500 |" in text
