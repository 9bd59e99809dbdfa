"""This run against session 42's (`../hgb-cost-s42/`), table by table, from the repository root:

    python benchmarks/results/catboost-cost-s43/rerun_noise.py

Session 42's default had this run's default-flatcb code (the CatBoost floor is the only change
between them), so their difference is what a rerun alone moves. Better / tied / worse in test
RMSE, ties within 0.1%, for the first named against the second.
"""

from pathlib import Path

import pandas as pd
from scipy.stats import wilcoxon

HERE = Path(__file__).resolve().parent


def losses(folder: Path, mode: str) -> pd.Series:
    frame = pd.concat(pd.read_csv(p) for p in sorted(folder.glob("results-*.csv")))
    return frame[frame["mode"] == mode].set_index("dataset")["test_loss"]


def counts(relative: pd.Series) -> str:
    better, worse = (relative < -0.001).sum(), (relative > 0.001).sum()
    return f"{better} / {len(relative) - better - worse} / {worse}"


def main() -> None:
    s42 = HERE.parent / "hgb-cost-s42"
    pairs = [
        ("default-flatcb", "session 42's default", losses(HERE, "default-flatcb"), s42, "default"),
        ("cold", "session 42's cold", losses(HERE, "cold"), s42, "cold"),
        ("default", "default-flatcb", losses(HERE, "default"), HERE, "default-flatcb"),
        ("default", "cold", losses(HERE, "default"), HERE, "cold"),
    ]
    for name, other, first, folder, mode in pairs:
        both = pd.concat([first, losses(folder, mode)], axis=1, keys=["a", "b"]).dropna()
        relative = (both.a - both.b) / both.b
        friedman = both.index.str.contains("_fri_")
        print(
            f"{name} vs {other}: {counts(relative)} (p = {wilcoxon(both.a, both.b).pvalue:.2f}, "
            f"mean {100 * relative.mean():+.2f}%); Friedman {counts(relative[friedman])}, "
            f"others {counts(relative[~friedman])} (mean {100 * relative[~friedman].mean():+.2f}%)"
        )


if __name__ == "__main__":
    main()
