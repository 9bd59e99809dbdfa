"""The simulated leave-one-dataset-out before and after the feature-selection candidates, on one
scale. From the repository root:

    python -m benchmarks.portfolio_simulation --no-bo --out OLD   # at 697fa61^, the old pool
    python -m benchmarks.portfolio_simulation --no-bo --out NEW   # at 697fa61
    python benchmarks/results/feature-selection-s44/common_regret.py OLD NEW

Each run's regret is normalised over its own pool, and the new candidates lower the best loss
on 18 of the 76 regression tables, so the old run's regrets are put on the new pool's scale
(the loss found recovered from the old best and worst, then normalised by the new ones) before
they are compared. Writes ``simulation-regression.md``.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.portfolio_simulation import regret_by_pool, selection_before_after
from knowledge_base import KnowledgeBase

HERE = Path(__file__).resolve().parent
AT = ("@10 picks", "@25 picks", "@30 seconds")
METHODS = ["as-fitted", "portfolio", "portfolio-untimed", "25-nearest", "defaults", "random"]


def main(old_dir: str, new_dir: str) -> None:
    kb = KnowledgeBase(None, read_only_paths=[str(HERE.parents[2] / "knowledge_base" / "data")])
    matrix, _, results = selection_before_after(kb, "regression", old_dir, new_dir)

    def group(names: pd.Series) -> np.ndarray:
        return np.where(names.str.contains("fri_"), "39 Friedman", "37 others")

    text = (
        "Mean normalised regret on the new pool's scale (lower is better), regression, "
        f"{len(matrix.names)} tables x {len(matrix.candidates)} candidates.\n\n"
        + regret_by_pool(results, METHODS, AT, group)
    )
    (HERE / "simulation-regression.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(*sys.argv[1:3])
