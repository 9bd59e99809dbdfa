"""The ensemble-aware portfolio simulation: its greedy on crafted predictions, and the whole
benchmark on a real (tiny) matrix, portfolio and out-of-fold store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl._grow import GrowDataset
from automl._matrix import build_matrix, build_oof, candidate_pool, oof_candidates
from benchmarks.ensemble_portfolio import (
    PICKS,
    Scorer,
    StoredDataset,
    ensemble_greedy,
    load_store,
    main,
    simulate,
)
from knowledge_base import KnowledgeBase
from metalearning.portfolio import PerformanceMatrix, Portfolio


def _crafted(seed: int) -> StoredDataset:
    """Candidate 0 knows the first half of the rows, 1 is a copy of it, 2 knows the second
    half, 3 knows nothing."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=200)
    first = np.arange(200) < 100

    def knows(rows, sure):
        p = np.full(200, 0.5)
        p[rows] = np.where(y[rows] == 1, sure, 1 - sure)
        return np.column_stack([1 - p, p])

    a = knows(first, 0.95)
    return StoredDataset(
        f"crafted{seed}",
        str(seed),
        "log_loss",
        y,
        [a, a.copy(), knows(~first, 0.9), knows(first & ~first, 0.5)],
    )


def test_the_greedy_adds_a_complement_not_a_copy():
    scorers = [Scorer(_crafted(seed)) for seed in range(3)]
    assert ensemble_greedy(scorers, 4, size=2) == [0, 2]
    scorer = scorers[0]
    assert scorer.ensemble_of([0, 2]) < scorer.ensemble_of([0]) - 0.1
    assert scorer.ensemble_of([0, 1]) == pytest.approx(scorer.ensemble_of([0]))
    assert scorer.single_of([0, 2]) == scorer.single_of([0]) == pytest.approx(0.0)


def test_a_failed_candidate_adds_nothing():
    ds = _crafted(0)
    ds.predictions[2] = None
    scorer = Scorer(ds)
    assert scorer.ensemble_of([0, 2]) == scorer.ensemble_of([0])
    assert scorer.single_of([2]) == 1.0


def _tables(n=120):
    rng = np.random.RandomState(1)
    out = []
    for name, shift in (("alpha", 0.0), ("beta", 1.0), ("gamma", -1.0)):
        X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
        y = pd.Series(np.where(X["a"] * X["b"] + shift * X["a"] > 0, "p", "n"))
        out.append(GrowDataset(name, X, y, "classification"))
    return out


def test_the_benchmark_runs_on_a_real_matrix_portfolio_and_store(tmp_path, capsys):
    pool = candidate_pool("classification", sizes={"linear": 2, "k_nearest_neighbors": 2})
    pools = {"classification": pool, "regression": []}
    kb = KnowledgeBase(tmp_path / "kb")
    build_matrix(kb, _tables(), pools, max_rows=100, verbose=0)
    matrix = PerformanceMatrix.from_knowledge_base(kb, "classification")
    portfolio = Portfolio.build(matrix, "classification", size=2)
    portfolio.save(tmp_path / "kb" / "portfolio")
    order = [portfolio.pool[i] for i in portfolio.trial_order(size=2)]
    candidates = {"classification": oof_candidates(pool, order, 2), "regression": []}
    store = tmp_path / "oof"
    build_oof(
        KnowledgeBase(tmp_path / "scratch"), _tables(), candidates, store, max_rows=100, verbose=0
    )
    stored, datasets = load_store(store, "classification")
    assert len(datasets) == 3 and len(stored) == len(candidates["classification"])

    results = simulate(store, "classification", kb=kb, n_folds=3, size=2)
    assert len(results) == 3 * 3 * len(PICKS)
    assert set(results["method"]) == {"trial-order", "ensemble-greedy", "defaults"}
    one = results[results["k"] == 1]
    assert np.allclose(one["single"], one["ensemble"])  # an ensemble of one is that model
    assert results["ensemble"].notna().all() and results["single"].notna().all()

    # The command writes the table it prints; without a portfolio in the base it says so.
    out = tmp_path / "out"
    assert (
        main(["--store", str(store), "--out", str(out), "--kb", str(kb.path), "--folds", "3"]) == 0
    )
    assert "| ensemble-greedy | 10 |" in capsys.readouterr().out
    assert len(pd.read_csv(out / "classification.csv")) == len(results)
    (out / "classification.png").unlink()
    assert main(["--out", str(out), "--summarize-only"]) == 0
    assert (out / "classification.png").stat().st_size > 0
    with pytest.raises(ValueError, match="no classification portfolio"):
        simulate(store, "classification", kb=KnowledgeBase(tmp_path / "empty"))
