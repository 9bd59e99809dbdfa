import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from benchmarks import fold_bagging
from benchmarks.ensemble_pool import summarize
from tests.conftest import PMLB


def test_each_variant_is_built_from_one_regression_search(tmp_path):
    """A real search on a 50-row regression table (repeated CV: 15 folds), each variant's
    ensemble scored on the test third, the summary by size."""
    argv = ["--pmlb", str(PMLB), "--task", "regression", "--datasets", "1096_FacultySalaries"]
    argv += ["--splits", "1", "--n-trials", "4", "--out", str(tmp_path)]
    assert fold_bagging.main(argv) == 0
    results = pd.read_csv(tmp_path / "results-0of1.csv")
    assert set(results["variant"]) == set(fold_bagging.VARIANTS)
    assert (results["dataset"] == "1096_FacultySalaries").all()
    assert np.isfinite(results["test_loss"]).all() and (results["test_loss"] > 0).all()
    losses = results.set_index("variant")["test_loss"]
    assert losses["bag-all"] != losses["refit"]  # 15 models of 40 rows each are not one of 50
    assert "Datasets of (0.0, 200.0] rows:" in (tmp_path / "summary.md").read_text()


def _results(losses: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"dataset": d, "split": 0, "variant": v, "test_loss": loss}
            for d, pair in losses.items()
            for v, loss in zip(("ref", "new"), pair)
        ]
    )


def test_the_summary_counts_wins_per_size():
    rows = pd.Series({"a": 100, "b": 150, "c": 1000})
    losses = {"a": (1.0, 0.5), "b": (100.0, 101.0), "c": (2.0, 2.0)}
    text = summarize(_results(losses), "ref", rows=rows)
    whole, small, large = text.split("Datasets of")[:3]
    assert "| new | 1.50 | 34.5000 | 1 / 1 / 1 |" in whole
    assert "(0.0, 200.0] rows" in small and "| new | 1.50 | 50.7500 | 1 / 0 / 1 |" in small
    assert "(500.0, 2000.0] rows" in large and "| new | 1.50 | 2.0000 | 0 / 1 / 0 |" in large


def test_relative_differences_weigh_each_dataset_by_its_own_scale():
    """Five tables 10% better, one on a scale 100 times larger 2% worse: on raw differences
    the large one ranks first; relative, last."""
    losses = {f"small{i}": (1.0 + i / 100, 0.9 + i / 100) for i in range(5)}
    losses["large"] = (100.0, 102.0)
    raw = wilcoxon([-0.1] * 5 + [2.0]).pvalue
    relative = wilcoxon([-0.1 / (1.0 + i / 100) for i in range(5)] + [0.02]).pvalue
    assert f"| 5 / 0 / 1 | {raw:.3g} |" in summarize(_results(losses), "ref")
    assert f"| 5 / 0 / 1 | {relative:.3g} |" in summarize(_results(losses), "ref", relative=True)
    assert f"{raw:.3g}" != f"{relative:.3g}"
