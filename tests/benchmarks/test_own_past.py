"""The own-past benchmark: a shipped base made not to know a table, and the paired counts."""

import numpy as np
import pandas as pd

from benchmarks.own_past import hidden_base, paired
from knowledge_base import KnowledgeBase
from knowledge_base.paths import shipped_path
from metalearning.portfolio import Portfolio, portfolio_path, sibling_key


def test_the_hidden_base_knows_neither_the_table_nor_its_siblings(tmp_path, load_pmlb):
    X, y = load_pmlb("prnn_crabs")
    assert "prnn_crabs" in set(
        KnowledgeBase(None, read_only_paths=[shipped_path()]).datasets()["name"]
    )
    base = hidden_base("prnn_crabs", "classification", X, y, tmp_path)
    hidden = KnowledgeBase(None, read_only_paths=[base])
    names = set(hidden.datasets()["name"])
    assert "prnn_crabs" not in names and names  # the rest is still there
    gone = {n for n in names if sibling_key(n) == sibling_key("prnn_crabs")}
    assert not gone
    ids = set(hidden.datasets()["dataset_id"])
    assert set(hidden.runs()["dataset_id"]) <= ids
    portfolio = Portfolio.load(portfolio_path(base / "portfolio", "classification"))
    assert set(portfolio.dataset_ids) <= ids and portfolio.pool


def test_paired_counts_ties_within_a_tolerance():
    losses = {"again": [0.1, 0.2, 0.30001, 0.5], "fresh": [0.2, 0.2, 0.3, 0.4]}
    rows = [
        (f"d{i}", setting, value)
        for setting, values in losses.items()
        for i, value in enumerate(values)
    ]
    results = pd.DataFrame(rows, columns=["dataset", "setting", "test_loss"])
    for setting in ("first", "more-rows"):
        results = pd.concat(
            [results, results[results["setting"] == "fresh"].assign(setting=setting)]
        )
    table = paired(results)
    assert table.loc["again vs fresh", ["better", "tied", "worse"]].tolist() == [1, 2, 1]
    assert table.loc["more-rows vs fresh", ["better", "tied", "worse"]].tolist() == [0, 4, 0]
    assert np.isnan(table.loc["more-rows vs fresh", "wilcoxon p"])
    assert table.loc["again vs fresh", "mean relative change"] == "-6.2%"
    assert "again-continue vs again" not in table.index  # a setting not run, no pair
