"""The default against cold SMAC on split 1 (this run) and split 0 (sessions 43-44), and what
their searches found against what their test sets say, from the repository root:

    python benchmarks/results/regression-split1-s45/compare.py

Writes ``comparison.md`` and ``search-vs-test.png``: per table, the default's validation RMSE
relative to cold SMAC's (its search loss) against its test RMSE relative to cold SMAC's.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import mode_losses, paired_table  # noqa: E402


def main() -> None:
    default, cold = mode_losses(HERE, "default"), mode_losses(HERE, "cold")
    searched = {mode: mode_losses(HERE, mode, "search_loss") for mode in ("default", "cold")}
    default0 = mode_losses(HERE.parent / "feature-selection-s44", "default")
    cold0 = mode_losses(HERE.parent / "catboost-cost-s43", "cold")
    both = default.index.intersection(cold.index).intersection(default0.index)
    pairs = [
        ("default vs cold SMAC, split 1 (test RMSE)", default, cold),
        ("default vs cold SMAC, split 1 (search loss)", searched["default"], searched["cold"]),
        ("default vs cold SMAC, split 0 (sessions 44 and 43)", default0[both], cold0[both]),
        (
            "default vs cold SMAC, mean of splits 0 and 1 relative to cold",
            (default[both] / cold[both] + default0[both] / cold0[both]) / 2,
            pd.Series(1.0, index=both),
        ),
    ]
    text = paired_table(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)
    plot(searched["default"] / searched["cold"] - 1, default / cold - 1)


def plot(search: pd.Series, test: pd.Series) -> None:
    """Each table's relative validation RMSE against its relative test RMSE."""
    frame = pd.DataFrame({"search": search, "test": test}).dropna().clip(-0.3, 0.3) * 100
    friedman = frame.index.str.contains("fri_")
    fig, ax = plt.subplots(figsize=(6, 5))
    for mask, colour, name in ((friedman, "C1", "Friedman"), (~friedman, "C0", "others")):
        ax.plot(frame["search"][mask], frame["test"][mask], "o", ms=4, color=colour, label=name)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("validation RMSE of the search's best, % against cold SMAC")
    ax.set_ylabel("test RMSE, % against cold SMAC")
    ax.set_title("Default against cold SMAC, 60 s, split 1 (< 0: default better)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(HERE / "search-vs-test.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
