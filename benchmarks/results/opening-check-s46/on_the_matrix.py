"""How often the opening check would fire, on the matrix, leave-one-out as in
``benchmarks.portfolio_simulation``: the opening as a fit interleaves it (the portfolio's first
member, then in turn a family's defaults and the next member), checked once the first defaults
have a loss. Per task: the share of tables where the first member is no better than the first
defaults, and where it is behind them by 20% or more; in regression on the Friedman tables and
the others apart. From the repository root:

    python benchmarks/results/opening-check-s46/on_the_matrix.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.portfolio_simulation import as_fitted, left_out, matrix_and_defaults  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402
from metalearning.portfolio import sibling_key  # noqa: E402


def main() -> None:
    path = ROOT / "knowledge_base" / "data"
    kb = KnowledgeBase(None, read_only_paths=[path])
    metafeatures = kb.metafeatures()
    for kind in ("regression", "classification"):
        matrix, defaults = matrix_and_defaults(kb, path, kind)
        keys = [sibling_key(n) for n in matrix.names]
        rows = []
        for d in range(len(matrix.dataset_ids)):
            members = left_out(matrix, metafeatures, d, keys, size=25).ordered[:10]
            opening = as_fitted(members, defaults, matrix)
            first_member = next(i for i in opening if i in members)
            first_default = next(i for i in opening if i not in members)
            # A failed fit (NaN) counts as the fit's check counts a crash: behind anything.
            member, default = np.nan_to_num(
                matrix.losses[d, [first_member, first_default]], nan=np.inf
            )
            rows.append(
                {
                    "tables": "Friedman" if "fri_" in matrix.names[d] else "others",
                    "no better": bool(member >= default),
                    "20% behind": bool(member >= 1.2 * default),
                }
            )
        frame = pd.DataFrame(rows)
        shares = frame.groupby("tables").agg(["mean", "count"]).round(2)
        print(kind, "(first member against first defaults, share of tables)")
        print(shares.to_string(), end="\n\n")


if __name__ == "__main__":
    main()
