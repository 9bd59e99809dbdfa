"""The simulated leave-one-dataset-out before and after the classification pool's
feature-selection candidates, on one scale. From the repository root:

    python -m benchmarks.portfolio_simulation --no-bo --out OLD   # at 8efdf70, the old pool
    python -m benchmarks.portfolio_simulation --no-bo --out NEW   # with the new cells
    python benchmarks/results/feature-selection-classification-s48/common_regret.py OLD NEW

As ``../feature-selection-s44/common_regret.py`` for regression: the old run's regrets are put
on the whole pool's scale (:func:`benchmarks.portfolio_simulation.on_one_scale`). The tables are
split by whether a candidate that selects features is the matrix's best on them. Writes
``simulation-classification.md``.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.portfolio_simulation import regret_by_pool, selection_before_after
from knowledge_base import KnowledgeBase

HERE = Path(__file__).resolve().parent
AT = ("@10 picks", "@25 picks", "@10 seconds", "@30 seconds")
METHODS = ["as-fitted", "portfolio", "portfolio-untimed", "25-nearest", "defaults", "random"]


def main(old_dir: str, new_dir: str) -> None:
    shipped = HERE.parents[2] / "knowledge_base" / "data"
    kb = KnowledgeBase(None, read_only_paths=[str(shipped), str(HERE / "cells")])
    matrix, selects, results = selection_before_after(kb, "classification", old_dir, new_dir)
    losses = np.where(np.isfinite(matrix.losses), matrix.losses, np.inf)
    lowered = losses[:, selects].min(axis=1) < losses[:, ~selects].min(axis=1)
    lowered = pd.Series(lowered, index=matrix.names)

    def group(names: pd.Series) -> np.ndarray:
        return np.where(
            lowered.loc[names].to_numpy(),
            f"{lowered.sum()} where selection is best",
            f"{(~lowered).sum()} others",
        )

    best = pd.Series(
        [matrix.candidates[j]["model"] for j in np.argmin(np.where(selects, losses, np.inf), 1)],
        index=matrix.names,
    )[lowered]
    text = (
        "Mean normalised regret on the whole pool's scale (lower is better), classification, "
        f"{len(matrix.names)} tables x {len(matrix.candidates)} candidates "
        f"({selects.sum()} of them select features).\n\n"
        + regret_by_pool(results, METHODS, AT, group)
        + f"\nTables where a candidate that selects features is the best ({lowered.sum()}), "
        "with its family:\n\n"
        + "\n".join(f"- {name}: {family}" for name, family in best.sort_index().items())
        + "\n"
    )
    (HERE / "simulation-classification.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(*sys.argv[1:3])
