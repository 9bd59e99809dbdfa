"""Another search seed (``random_state=1``) for the default and cold SMAC on the 39 Friedman
tables, split 1, against the seed-0 runs of ``../regression-split1-s45/`` (same code): how far
a seed alone moves each mode, and the default against cold SMAC per seed and over both seeds
(each table's mean RMSE), in test RMSE and in the searches' validation RMSE. From the
repository root:

    python benchmarks/results/search-seed-s46/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

SEED0 = HERE.parent / "regression-split1-s45"


def main() -> None:
    def pairs(read, what):
        runs = {
            (mode, seed): read(folder, mode)
            for mode in ("default", "cold")
            for seed, folder in ((0, SEED0), (1, HERE))
        }
        tables = runs["default", 1].index
        runs = {key: losses.reindex(tables) for key, losses in runs.items()}
        default, cold = ((runs[mode, 0] + runs[mode, 1]) / 2 for mode in ("default", "cold"))
        return [
            (f"cold seed 1 vs cold seed 0 ({what})", runs["cold", 1], runs["cold", 0]),
            (f"default seed 1 vs default seed 0 ({what})", runs["default", 1], runs["default", 0]),
            (f"default vs cold, seed 0 ({what})", runs["default", 0], runs["cold", 0]),
            (f"default vs cold, seed 1 ({what})", runs["default", 1], runs["cold", 1]),
            (f"default vs cold, mean of seeds 0 and 1 ({what})", default, cold),
            (f"default seed 0 vs cold seed 1 ({what})", runs["default", 0], runs["cold", 1]),
        ]

    text = loss_tables(pairs)
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
