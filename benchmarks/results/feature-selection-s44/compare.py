"""This run against session 43's (`../catboost-cost-s43/`), table by table, from the repository root:

    python benchmarks/results/feature-selection-s44/compare.py

This run's ``default-nofs`` has session 43's default's code and portfolio (the pool without the
feature-selection candidates), so against session 43's default it shows what a rerun alone
moves. Cold SMAC does not read the knowledge base: its code is unchanged since session 43, whose
run stands for it here. Better / tied / worse in test RMSE, ties within 0.1%, for the first
named against the second, on all tables, the Friedman ones and the others; Wilcoxon's p on the
relative differences. Writes ``comparison.md`` and, per table, ``per-table.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import mode_losses as losses  # noqa: E402
from benchmarks.warm_vs_cold import paired_table  # noqa: E402


def main() -> None:
    s43 = HERE.parent / "catboost-cost-s43"
    pairs = [
        ("default vs default-nofs", losses(HERE, "default"), losses(HERE, "default-nofs")),
        (
            "default-nofs vs session 43's default (rerun)",
            losses(HERE, "default-nofs"),
            losses(s43, "default"),
        ),
        ("default vs session 43's cold SMAC", losses(HERE, "default"), losses(s43, "cold")),
        (
            "default-nofs vs session 43's cold SMAC",
            losses(HERE, "default-nofs"),
            losses(s43, "cold"),
        ),
    ]
    plot(pairs[0][1], pairs[0][2], losses(s43, "cold"))
    text = paired_table(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)


def plot(default: pd.Series, nofs: pd.Series, cold: pd.Series) -> None:
    """Each table's relative test RMSE, Friedman tables and the others side by side."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, (label, other) in zip(
        axes, (("without the selection candidates", nofs), ("session 43's cold SMAC", cold))
    ):
        relative = (default / other - 1).dropna().clip(-0.3, 0.3)
        friedman = relative.index.str.contains("fri_")
        for mask, colour, name in ((friedman, "C1", "Friedman"), (~friedman, "C0", "others")):
            values = relative[mask].sort_values().to_numpy()
            ax.plot(range(len(values)), values * 100, "o", ms=4, color=colour, label=name)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(f"default against {label}", fontsize=10)
        ax.set_xlabel("tables, sorted")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("test RMSE, % relative (< 0: default better)")
    fig.tight_layout()
    fig.savefig(HERE / "per-table.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
