"""The energy benchmark's summary and plot say what its results hold."""

import pandas as pd

from benchmarks.energy import CUTS, plot, summarize


def _results() -> pd.DataFrame:
    """Two datasets: on a the cuts lose (0.2 and 0.1 against 0.05), on b the 25% cut wins."""
    loss = {("a", 0.25): 0.2, ("a", 0.5): 0.1, ("a", 1.0): 0.05}
    loss |= {("b", 0.25): 0.3, ("b", 0.5): 0.4, ("b", 1.0): 0.4}
    rows = [
        {
            "dataset": d,
            "rows": 100,
            "cut": cut,
            "budget": 60.0,
            "metric": "roc_auc",
            "test_loss": value,
            "joules": 1000.0 * cut,
            "search_joules": 900.0 * cut,
            "cpu_seconds": 80.0 * cut,
            "source": "model",
            "n_trials": int(40 * cut),
        }
        for (d, cut), value in loss.items()
    ]
    return pd.DataFrame(rows)


def test_summary_counts_what_each_cut_costs_in_score():
    text = summarize(_results())
    assert text.startswith("2 datasets; fits of 60 s")
    assert "an estimate" in text
    assert "| a | 100 | roc_auc | 1000 | 900 | 80 |" in text
    # @25%: a +0.15, b -0.1: mean +0.025, worse on 1, better on 1, a quarter of the energy.
    assert "@25%: mean test loss 0.2500 (change against 100%: mean +0.0250" in text
    assert "worse on 1, equal on 0, better on 1); energy spent 25%" in text
    assert "@50%: mean test loss 0.2500 (change against 100%: mean +0.0250" in text
    assert "worse on 1, equal on 1, better on 0); energy spent 50%" in text
    assert len(CUTS) == 3


def test_a_dataset_without_its_uncut_fit_is_left_out():
    results = _results()
    results = results[~((results["dataset"] == "b") & (results["cut"] == 1.0))]
    text = summarize(results)
    assert text.startswith("1 datasets;") and "| b |" not in text


def test_plot_writes_a_png(tmp_path):
    path = plot(_results(), tmp_path / "energy.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
