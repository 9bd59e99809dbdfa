"""On the regression matrix, leave-one-out as in ``benchmarks.portfolio_simulation``: the
normalised regret of the portfolio's first 5 and 10 members (in the order a fit gives them)
against that of the families' defaults, on the Friedman tables and the others. From the
repository root:

    python benchmarks/results/regression-split1-s45/opening_on_the_matrix.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.portfolio_simulation import left_out, matrix_and_defaults  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import (  # noqa: E402
    minmax_regret,
    sibling_key,
)


def main() -> None:
    path = ROOT / "knowledge_base" / "data"
    kb = KnowledgeBase(None, read_only_paths=[path])
    metafeatures = kb.metafeatures()
    matrix, defaults = matrix_and_defaults(kb, path, "regression")
    keys = [sibling_key(n) for n in matrix.names]
    rows = []
    for d in range(len(matrix.dataset_ids)):
        ordered = left_out(matrix, metafeatures, d, keys, size=25).ordered
        losses = matrix.losses[d : d + 1]

        def regret(picks, losses=losses):
            return minmax_regret(losses, np.array([picks]))[0]

        rows.append(
            {
                "Friedman": "fri_" in matrix.names[d],
                "5 members": regret(ordered[:5]),
                "10 members": regret(ordered[:10]),
                "defaults": regret(defaults),
            }
        )
    frame = pd.DataFrame(rows)
    frame["10 members beat the defaults"] = frame["10 members"] < frame["defaults"]
    print(frame.groupby("Friedman").mean().round(4).to_string())


if __name__ == "__main__":
    main()
