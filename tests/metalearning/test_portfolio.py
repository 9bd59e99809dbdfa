"""Portfolios: greedy construction, normalisation, cost model, files, ordering for a dataset."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from knowledge_base import KnowledgeBase
from knowledge_base.paths import shipped_path
from metalearning import compute_metafeatures
from metalearning import portfolio as portfolio_module
from metalearning.portfolio import (
    CostModel,
    PerformanceMatrix,
    Portfolio,
    find_portfolio,
    greedy_portfolio,
    interleave_defaults,
    minmax_regret,
    normalise,
    plan_portfolio,
    portfolio_folders,
    sibling_key,
    take_turns,
)

# Two kinds of dataset: candidate 0 wins on the "a" kind, candidate 1 on the "b" kind,
# candidate 2 is fair everywhere, candidate 3 is poor everywhere.
LOSSES = np.array(
    [
        [0.10, 0.50, 0.20, 0.90],
        [0.10, 0.50, 0.20, 0.90],
        [0.10, 0.50, 0.20, 0.90],
        [0.50, 0.10, 0.20, 0.90],
        [0.50, 0.10, 0.20, 0.90],
    ]
)
KINDS = ["a", "a", "a", "b", "b"]


def test_normalise_puts_best_at_zero_median_and_worse_at_one_failures_at_one():
    norm = normalise(np.array([[0.1, 0.2, 0.3, 0.9, np.nan]]))
    assert norm[0, 0] == 0 and norm[0, 2] == 1 and norm[0, 3] == 1 and norm[0, 4] == 1
    assert 0 < norm[0, 1] < 1


def test_greedy_takes_the_best_overall_then_the_complement_and_stops():
    order = greedy_portfolio(normalise(LOSSES), size=10)
    assert order[:2] == [0, 1]  # 0 wins on most datasets, 1 covers the rest
    assert 3 not in order  # adds nothing once 0 and 1 are in


def test_weights_and_costs_change_the_order():
    norm = normalise(LOSSES)
    assert greedy_portfolio(norm, weights=np.array([0, 0, 0, 1, 1.0]))[0] == 1
    # Candidate 2 gets a share of the gain at a hundredth of the cost: per second it wins.
    costs = np.array([10.0, 10.0, 0.1, 1.0])
    assert greedy_portfolio(norm, costs=costs, time_weight=1.0)[0] == 2
    assert greedy_portfolio(norm, costs=costs, time_weight=0.0)[0] == 0


def test_interleave_defaults_tries_every_family_early():
    family = lambda c: c.split("-")[0]  # noqa: E731
    defaults = ["lgb-0", "rf-0", "knn-0", "svm-0"]
    order = interleave_defaults(["lgb-1", "knn-1"], defaults, family, head=["rf-1"])
    # rf-0 waits until after the warm start: its family ran first
    assert order == ["rf-1", "lgb-0", "lgb-1", "knn-0", "knn-1", "svm-0", "rf-0"]
    order = interleave_defaults(["rf-1", "lgb-1"], defaults[1:], family, head=defaults[:1])
    assert order == ["lgb-0", "rf-0", "rf-1", "knn-0", "lgb-1", "svm-0"]
    # covered=False: the defaults of a family whose member ran first leave the opening
    order = interleave_defaults(["lgb-1", "knn-1"], defaults, family, ["rf-1"], covered=False)
    assert order == ["rf-1", "lgb-0", "lgb-1", "knn-0", "knn-1", "svm-0"]


def test_minmax_regret():
    picks = np.array([[2, -1], [0, 1]])
    regret = minmax_regret(LOSSES[:2], picks)
    assert regret[0] == pytest.approx((0.2 - 0.1) / 0.8) and regret[1] == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("fri_c0_100_5", "fri_c3_1000_25"),
        ("197_cpu_act", "573_cpu_act"),
        ("analcatdata_boxing1", "analcatdata_boxing2"),
        ("mfeat_factors", "mfeat_zernike"),
    ],
)
def test_siblings_share_a_key(a, b):
    assert sibling_key(a) == sibling_key(b)


def test_unrelated_datasets_do_not_share_a_key():
    assert sibling_key("prnn_crabs") != sibling_key("prnn_synth")


def test_cost_model_recovers_a_power_law():
    rows = np.array([100, 200, 400, 800, 1600.0])
    features = np.array([5, 10, 5, 20, 8.0])
    scale = np.array([0.01, 0.1])
    times = scale[None, :] * ((rows * 2) ** 1.2 * features**0.5)[:, None]
    matrix = PerformanceMatrix(
        [f"d{i}" for i in range(5)], [{}, {}], np.zeros((5, 2)), times, rows, features
    )
    model = CostModel.fit(matrix)
    assert model.row_exponent == pytest.approx(1.2, abs=1e-6)
    assert model.feature_exponent == pytest.approx(0.5, abs=1e-6)
    assert model.predict(2 * 3200, 10) == pytest.approx(scale * 6400**1.2 * 10**0.5, rel=1e-6)


def test_cost_model_gives_each_family_its_own_class_exponent():
    """Boosting's time grows with the classes (a tree per class), the forest's does not: each
    family's exponent is recovered, and a prediction for 10 classes applies it."""
    rows = np.array([100, 200, 400, 800, 1600, 300.0])
    features = np.array([5, 10, 5, 20, 8, 12.0])
    classes = np.array([2, 3, 10, 2, 5, 7.0])
    candidates = [{"model": "lightgbm"}, {"model": "lightgbm"}, {"model": "random_forest"}]
    scale = np.array([0.01, 0.05, 0.1])
    exponent = np.array([1.0, 1.0, 0.0])
    times = scale * ((rows * 2) ** 1.2 * features**0.5)[:, None] * classes[:, None] ** exponent
    matrix = PerformanceMatrix(
        [f"d{i}" for i in range(6)], candidates, np.zeros((6, 3)), times, rows, features,
        n_classes=classes,
    )  # fmt: skip
    assert list(matrix.subset([1, 2]).n_classes) == [3, 10]
    model = CostModel.fit(matrix)
    assert model.row_exponent == pytest.approx(1.2, abs=1e-6)
    assert model.class_exponents == pytest.approx({"lightgbm": 1.0, "random_forest": 0.0}, abs=1e-6)
    families = [c["model"] for c in candidates]
    on_ten = model.predict(6400, 10, 10, families)
    assert on_ten == pytest.approx(scale * 6400**1.2 * 10**0.5 * 10.0**exponent, rel=1e-6)
    # Without the families (or a file written before classes counted) the classes are not read.
    assert model.predict(6400, 10, 10)[0] == pytest.approx(model.predict(6400, 10, 2)[0])


def test_cost_model_gives_each_family_its_own_row_and_feature_exponents():
    """CatBoost's time grows with the features it scores borders of, k-NN's barely with
    anything: each family's exponents are recovered, so a wide table makes CatBoost dear
    without making k-NN so; the pooled ones stay for a caller that names no families."""
    rng = np.random.default_rng(0)
    rows, features = rng.uniform(100, 2000, 12), rng.uniform(4, 200, 12)
    classes = rng.integers(2, 12, 12).astype(float)
    candidates = [{"model": "catboost"}, {"model": "catboost"}, {"model": "k_nearest_neighbors"}]
    scale = np.array([0.01, 0.03, 0.2])
    b, g, h = np.array([1.0, 1.0, 0.1]), np.array([0.9, 0.9, 0.05]), np.array([1.0, 1.0, 0.0])
    times = scale * (rows[:, None] * 2) ** b * features[:, None] ** g * classes[:, None] ** h
    matrix = PerformanceMatrix(
        [f"d{i}" for i in range(12)], candidates, np.zeros((12, 3)), times, rows, features,
        n_classes=classes,
    )  # fmt: skip
    model = CostModel.fit(matrix)
    assert model.row_exponents == pytest.approx({"catboost": 1.0, "k_nearest_neighbors": 0.1})
    assert model.feature_exponents == pytest.approx({"catboost": 0.9, "k_nearest_neighbors": 0.05})
    families = [c["model"] for c in candidates]
    assert model.predict(3000, 500, 10, families) == pytest.approx(
        scale * 3000.0**b * 500.0**g * 10.0**h, rel=1e-6
    )
    assert 0.1 < model.row_exponent < 1.0  # pooled: between the families'


def test_a_portfolio_keeps_its_class_exponents_and_rows_through_its_file(tmp_path):
    rows, classes = np.array([100, 400, 1600.0]), np.array([2, 10, 4.0])
    times = np.array([[0.1, 0.2], [2.0, 0.3], [3.0, 1.0]])
    candidates = [{"model": "lightgbm"}, {"model": "linear"}]
    matrix = PerformanceMatrix(
        ["a", "b", "c"], candidates, times, times, rows, np.array([5, 5, 5.0]), n_classes=classes
    )
    portfolio = Portfolio.build(matrix, "classification", size=2)
    assert set(portfolio.cost.class_exponents) == {"lightgbm", "linear"}
    assert portfolio.max_rows == 1600  # beyond it, the members' losses are extrapolated
    again = Portfolio.load(portfolio.save(tmp_path))
    assert again.cost.class_exponents == pytest.approx(portfolio.cost.class_exponents, abs=1e-6)
    assert again.max_rows == 1600
    families = [c["model"] for c in portfolio.members]
    assert again.cost.predict(5000, 40, 7, families) == pytest.approx(
        portfolio.cost.predict(5000, 40, 7, families), rel=1e-4
    )


def test_a_portfolio_file_without_family_exponents_predicts_with_the_pooled_ones(tmp_path):
    """A file written before families had their own row and feature exponents (nor a centre)
    still predicts: the pooled exponents from log rows and log features of zero."""
    rows, classes = np.array([100, 400, 1600.0]), np.array([2, 10, 4.0])
    times = np.array([[0.1, 0.2], [2.0, 0.3], [3.0, 1.0]])
    candidates = [{"model": "lightgbm"}, {"model": "linear"}]
    matrix = PerformanceMatrix(
        ["a", "b", "c"], candidates, times, times, rows, np.array([5, 5, 5.0]), n_classes=classes
    )
    data = json.loads(Portfolio.build(matrix, "classification", size=2).to_json())
    for key in ("row_exponents", "feature_exponents", "cost_centre"):
        del data[key]
    data["row_exponent"], data["feature_exponent"], data["class_exponents"] = 1.0, 0.5, {}
    for member, intercept in zip(data["members"], (-2.0, -1.0)):
        member["cost_intercept"] = intercept
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(data))
    old = Portfolio.load(path)
    predicted = old.cost.predict(100, 4, 3, ["lightgbm", "linear"])
    assert predicted == pytest.approx(np.exp([-2.0, -1.0]) * 100 * 2.0, rel=1e-6)


def _matrix_kb(path) -> KnowledgeBase:
    """A real knowledge base holding LOSSES as a matrix of four candidates on five datasets,
    with meta-features that set the "a" datasets apart from the "b" ones."""
    kb = KnowledgeBase(path)
    candidates = [{"model": "linear", "linear:C": c} for c in (0.1, 1.0, 10.0, 100.0)]
    ids = [f"d{i}" for i in range(5)]
    mf = [
        {
            "NumberOfInstances": 100.0 + i,
            "NumberOfFeatures": 5.0 if k == "a" else 50.0,
            "ClassEntropy": 0.2 if k == "a" else 0.9,
            "NumberOfClasses": 2.0,
            "PercentageOfMissingValues": 0.0 if k == "a" else 10.0,
            "Dimensionality": 0.05 if k == "a" else 0.5,
        }
        for i, k in enumerate(KINDS)
    ]
    kb.append(
        datasets=pd.DataFrame(
            {
                "dataset_id": ids,
                "name": [f"set_{k}{i}" for i, k in enumerate("vwxyz")],
                "source": "pmlb",
                "task": "binary",
                "n_rows": 100,
                "n_features": [5, 5, 5, 50, 50],
                "metafeatures": [json.dumps(m) for m in mf],
            }
        )
    )
    rows = []
    for d, dataset_id in enumerate(ids):
        for c, candidate in enumerate(candidates):
            rows.append(
                {
                    "dataset_id": dataset_id,
                    "task": "binary",
                    "model": "linear",
                    "config": json.dumps(candidate),
                    "original_config": json.dumps(candidate, sort_keys=True),
                    "metric": "roc_auc",
                    "score": 1 - LOSSES[d, c],
                    "loss": LOSSES[d, c],
                    "fit_time": 0.1 * (c + 1),
                    "fidelity": 1.0,
                    "resampling": "cv3",
                    "status": "success",
                    "source": "matrix",
                    "space_version": "1",
                }
            )
    kb.append(runs=pd.DataFrame(rows))
    return kb


def test_matrix_is_read_from_a_knowledge_base(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    assert matrix.losses.shape == (5, 4) and matrix.folds == 3
    order = [matrix.candidates.index({"model": "linear", "linear:C": c}) for c in (0.1, 1.0)]
    assert np.allclose(matrix.losses[:, order], LOSSES[:, :2])
    with pytest.raises(ValueError, match="no regression runs"):
        PerformanceMatrix.from_knowledge_base(kb, "regression")


def test_portfolio_file_round_trip_and_corrupt_file(tmp_path):
    matrix = PerformanceMatrix.from_knowledge_base(_matrix_kb(tmp_path / "kb"), "classification")
    portfolio = Portfolio.build(matrix, "classification", size=4)
    path = portfolio.save(tmp_path / "portfolio")
    again = Portfolio.load(path)
    assert again.members == portfolio.members
    assert np.allclose(again.normalised, portfolio.normalised, atol=1e-4)
    path.write_text("{not json")
    with pytest.raises(ValueError, match=str(path.name)):
        Portfolio.load(path)


def test_plan_orders_members_by_the_nearest_datasets(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=4, time_weight=0.0)
    like_b = kb.metafeatures().loc["d3"].copy()
    # Three "a" datasets against one "b": globally a's winner comes first.
    assert plan_portfolio(portfolio, kb, like_b, exclude=["d3"]).members[0]["linear:C"] == 0.1
    plan = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], n_neighbors=1)
    assert plan.members[0] == {"model": "linear", "linear:C": 1.0}  # b's winner first
    assert plan.neighbors["dataset_id"].iloc[0] == "d4"
    assert "ordered for this dataset" in plan.reason
    like_a = kb.metafeatures().loc["d0"].copy()
    plan = plan_portfolio(portfolio, kb, like_a, exclude=["d0"], n_neighbors=1)
    assert plan.members[0]["linear:C"] == 0.1


def test_costs_on_the_table_reorder_the_time_aware_members(tmp_path):
    """Per second of this table's own predicted costs, not of the matrix's typical ones: the
    member best over the datasets comes later where it costs 100 times the others."""
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=4, time_weight=1.0)
    like_a = kb.metafeatures().loc["d0"].copy()
    typical = plan_portfolio(portfolio, kb, like_a, exclude=["d0"])
    costs = np.ones(len(portfolio.members))
    costs[portfolio.members.index(typical.members[0])] = 100.0
    shaped = plan_portfolio(portfolio, kb, like_a, exclude=["d0"], costs=costs)
    assert sorted(map(str, shaped.members)) == sorted(map(str, typical.members))
    assert shaped.members.index(typical.members[0]) > 0


def test_per_trial_the_pools_untimed_greedy_runs_in_its_global_order(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=2, time_weight=0.5)
    pool_index = [portfolio.pool.index(c) for c in matrix.candidates]
    assert [pool_index[i] for i in portfolio.trial_order()] == greedy_portfolio(
        normalise(matrix.losses), size=2
    )
    # Without the "a" datasets, b's winner is all the pool needs.
    b_winner = portfolio.pool[portfolio.trial_order(exclude=["d0", "d1", "d2"])[0]]
    assert b_winner == {"model": "linear", "linear:C": 1.0}
    like_b = kb.metafeatures().loc["d3"].copy()
    near = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], n_neighbors=1)
    assert near.members[0] == b_winner and not near.per_trial
    plan = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], n_neighbors=1, per_trial=True)
    assert plan.per_trial and plan.reason.startswith("per trial, global order")
    assert plan.members == [{"model": "linear", "linear:C": c} for c in (0.1, 1.0)]
    assert plan.global_ranks == [0, 1]
    costs = [portfolio.pool_cost_intercepts[portfolio.pool.index(m)] for m in plan.members]
    assert np.allclose(plan.cost_intercepts, costs)
    portfolio.pool_normalised = None  # a portfolio without its pool plans its members
    plan = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], n_neighbors=1, per_trial=True)
    assert not plan.per_trial and plan.members[0] == b_winner


def test_per_trial_runs_the_first_members_of_the_greedy_then_the_optimiser(tmp_path, monkeypatch):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=2, time_weight=0.5)
    assert portfolio.trial_order(size=1) == portfolio.trial_order()[:1]
    monkeypatch.setattr(portfolio_module, "PORTFOLIO_TRIALS", 1)
    like_b = kb.metafeatures().loc["d3"].copy()
    plan = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], per_trial=True)
    assert plan.members == [portfolio.pool[portfolio.trial_order(exclude=["d3"])[0]]]


def test_take_turns_alternates_and_skips_repeats():
    assert take_turns([1, 2, 3], [2, 4]) == [1, 2, 4, 3]
    assert take_turns([1], [5, 1, 6]) == [1, 5, 6]


def test_members_take_turns_with_the_nearest_datasets_best_candidates(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=1, time_weight=0.0)
    assert portfolio.members == [{"model": "linear", "linear:C": 0.1}]  # a's winner only
    like_b = kb.metafeatures().loc["d3"].copy()
    plan = plan_portfolio(portfolio, kb, like_b, exclude=["d3"], nearest_best=2)
    # d4 (a "b" dataset) is nearest: its best, C=1.0, is not a member; the next nearest is
    # an "a" dataset, whose best is the member already planned.
    assert plan.members == [{"model": "linear", "linear:C": c} for c in (0.1, 1.0)]
    assert plan.sources == ["portfolio", "set_z4"] and plan.global_ranks == [0, None]
    pool = [json.dumps(c, sort_keys=True) for c in portfolio.pool]
    member = pool.index(json.dumps(plan.members[1], sort_keys=True))
    assert plan.cost_intercepts[1] == portfolio.pool_cost_intercepts[member]
    assert "in turn with the best candidate" in plan.reason
    # Saved and loaded, the pool's costs come back; a file without them plans members only.
    again = Portfolio.load(portfolio.save(tmp_path / "portfolio"))
    assert np.allclose(again.pool_cost_intercepts, portfolio.pool_cost_intercepts, atol=1e-6)
    again.pool_cost_intercepts = None
    assert len(plan_portfolio(again, kb, like_b, exclude=["d3"], nearest_best=2).members) == 1


def test_a_dataset_unlike_any_gets_the_global_order(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=4, time_weight=0.0)
    alien = kb.metafeatures().loc["d3"].copy() * 1000
    plan = plan_portfolio(portfolio, kb, alien)
    assert plan.reason.startswith("global order")
    assert plan.members == portfolio.members


def test_a_table_with_missing_values_is_ordered_by_its_neighbours(anneal):
    # The shipped portfolio's datasets (PMLB) have no missing values; anneal has many. Its gaps
    # say nothing those datasets can be told apart by: it is not "unlike anything".
    X, y, _ = anneal
    kb = KnowledgeBase(None, read_only_paths=[shipped_path()])
    portfolio = find_portfolio("classification", portfolio_folders(kb))
    past = kb.metafeatures().loc[portfolio.dataset_ids]
    assert (past["PercentageOfMissingValues"] == 0).all()
    metafeatures = compute_metafeatures(X, y, task="multiclass", random_state=0)
    assert metafeatures["PercentageOfMissingValues"] > 50
    plan = plan_portfolio(portfolio, kb, metafeatures)
    assert plan.reason.startswith("ordered for this dataset")
    assert np.isfinite(plan.neighbors["distance"]).all() and len(plan.neighbors) == 10


def test_matrix_costs_are_cpu_seconds_where_every_run_has_them(tmp_path):
    kb = _matrix_kb(tmp_path / "kb")
    before = PerformanceMatrix.from_knowledge_base(kb, "classification")
    assert before.cost == "fit_time"
    runs = kb.runs(statuses=None)
    cpu = (1.0 / runs["fit_time"]).to_numpy()  # the fastest fit costs the most CPU
    kb.append(runs=runs.assign(cpu_seconds=cpu, energy_joules=12 * cpu, energy_source="model"))
    after = PerformanceMatrix.from_knowledge_base(kb, "classification")
    assert after.cost == "cpu_seconds" and after.subset([0, 1]).cost == "cpu_seconds"
    assert np.allclose(after.fit_times, 1.0 / before.fit_times)
    assert np.argmax(after.relative_costs()) == np.argmin(before.relative_costs())
    one = runs.iloc[[0]].assign(cpu_seconds=np.nan)  # a run without them: fit times again
    kb.append(runs=one)
    assert PerformanceMatrix.from_knowledge_base(kb, "classification").cost == "fit_time"


def test_the_search_box_holds_each_familys_best_on_every_dataset_left_in():
    pool = [
        {"model": "a", "a:x": 1.0, "a:k": 2, "a:kind": "u"},
        {"model": "a", "a:x": 5.0, "a:k": 9, "a:kind": "v"},
        {"model": "a", "a:x": 100.0, "a:k": 50, "a:kind": "u"},  # nowhere the family's best
        {"model": "b", "b:y": 0.5},
    ]
    pool_normalised = np.array([[0.0, 0.5, 0.9, 0.3], [0.6, 0.1, 0.9, 0.0], [0.6, 0.4, 0.8, 1.0]])
    portfolio = Portfolio(
        "classification",
        pool[:1],
        ["d0", "d1", "d2"],
        pool_normalised[:, :1],
        CostModel(np.zeros(1), 0.0, 0.0),
        0.5,
        pool,
        pool_normalised,
    )
    # a's best: candidate 0 on d0, candidate 1 on d1 and d2; categories are not boxed.
    assert portfolio.search_box() == {"a:x": (1.0, 5.0), "a:k": (2, 9), "b:y": (0.5, 0.5)}
    assert portfolio.search_box(exclude=["d0"]) == {
        "a:x": (5.0, 5.0),
        "a:k": (9, 9),
        "b:y": (0.5, 0.5),
    }
    portfolio.pool_normalised = None
    assert portfolio.search_box() == {}


def _defaults_portfolio(pool_normalised, pool_cost_intercepts=None, time_weight=0.5):
    """A portfolio whose pool holds families a, b and c's defaults (and a tuned a)."""
    pool = [
        {"model": "a", "a:x": 1.0},
        {"model": "a", "a:x": 7.0},
        {"model": "b", "b:y": 2},
        {"model": "c", "c:z": "u"},
    ]
    pool_normalised = np.asarray(pool_normalised, dtype=float)
    return Portfolio(
        "classification",
        pool[:1],
        [f"d{i}" for i in range(len(pool_normalised))],
        pool_normalised[:, :1],
        CostModel(np.zeros(1), 0.0, 0.0),
        time_weight,
        pool,
        pool_normalised,
        pool_cost_intercepts=pool_cost_intercepts,
    )


# The families' defaults, as the space gives them today: a has gained a hyperparameter since the
# pool was drawn; d is a family the pool never drew from.
DEFAULTS = {
    "a": {"model": "a", "a:x": 1.0, "a:new": "l2"},
    "b": {"model": "b", "b:y": 2},
    "c": {"model": "c", "c:z": "u"},
    "d": {"model": "d"},
}


def test_the_families_defaults_are_ordered_by_what_they_pay_on_the_weighted_datasets():
    # b's defaults are best on d0, c's on d1, a's are fair on both.
    portfolio = _defaults_portfolio([[0.5, 0.0, 0.0, 1.0], [0.5, 0.0, 1.0, 0.0]])
    assert portfolio.pool_index(DEFAULTS["a"]) == 0
    assert portfolio.pool_index({**DEFAULTS["a"], "a:x": 7.0}) == 1
    assert portfolio.pool_index(DEFAULTS["d"]) is None
    # Only d0 weighs: b first, then a adds nothing, so the rest follow as given.
    assert portfolio.defaults_order(DEFAULTS, np.array([1.0, 0.0])) == ["b", "a", "c", "d"]
    assert portfolio.defaults_order(DEFAULTS, np.array([0.0, 1.0])) == ["c", "a", "b", "d"]
    # Both weigh: b, c and a each lower the mean by 0.5 (a tie goes to the order given); after
    # a, b and c each still halve what is left.
    assert portfolio.defaults_order(DEFAULTS, np.array([0.5, 0.5])) == ["a", "b", "c", "d"]


def test_an_expensive_familys_defaults_come_later_per_second():
    portfolio = _defaults_portfolio([[0.0, 0.0, 0.6, 1.0], [0.0, 0.0, 0.6, 1.0]], time_weight=1.0)
    weights = np.array([0.5, 0.5])
    assert portfolio.defaults_order(DEFAULTS, weights)[0] == "a"
    # a's defaults take 100 s here, b's 1 s: b's 0.4 per second beats a's 0.01.
    costs = {"a": 100.0, "b": 1.0, "c": 1.0}
    here = lambda columns, families: np.array([costs[f] for f in families])  # noqa: E731
    assert portfolio.defaults_order(DEFAULTS, weights, here)[:2] == ["b", "a"]
    # Without this table's costs, the pool's typical ones (its cost intercepts) count.
    portfolio.pool_cost_intercepts = np.log([100.0, 1.0, 1.0, 1.0])
    assert portfolio.defaults_order(DEFAULTS, weights)[:2] == ["b", "a"]
    portfolio.pool_normalised = None  # a portfolio file without its pool: the order as given
    assert portfolio.defaults_order(DEFAULTS, weights) == list(DEFAULTS)
