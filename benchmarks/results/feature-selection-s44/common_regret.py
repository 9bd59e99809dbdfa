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

from knowledge_base import KnowledgeBase
from metalearning.portfolio import PerformanceMatrix

HERE = Path(__file__).resolve().parent
AT = ("@10 picks", "@25 picks", "@30 seconds")
METHODS = ["as-fitted", "portfolio", "portfolio-untimed", "25-nearest", "defaults", "random"]


def main(old_dir: str, new_dir: str) -> None:
    kb = KnowledgeBase(None, read_only_paths=[str(HERE.parents[2] / "knowledge_base" / "data")])
    matrix = PerformanceMatrix.from_knowledge_base(kb, "regression")
    losses = np.where(np.isfinite(matrix.losses), matrix.losses, np.nan)
    selects = np.array(
        [c.get("feature_selection:__choice__") == "percentile" for c in matrix.candidates]
    )
    scale = pd.DataFrame(
        {
            "new_best": np.nanmin(losses, axis=1),
            "new_worst": np.nanmax(losses, axis=1),
            "old_best": np.nanmin(losses[:, ~selects], axis=1),
            "old_worst": np.nanmax(losses[:, ~selects], axis=1),
        },
        index=matrix.names,
    )
    old = pd.read_csv(Path(old_dir) / "regression.csv")
    new = pd.read_csv(Path(new_dir) / "regression.csv")
    s = scale.loc[old["dataset"]].to_numpy()
    found = s[:, 2] + old["regret"].to_numpy() * (s[:, 3] - s[:, 2])
    spread = np.where(s[:, 1] - s[:, 0] > 1e-12, s[:, 1] - s[:, 0], 1.0)
    old["regret"] = (found - s[:, 0]) / spread
    rows = []
    for name, frame in (("old pool", old), ("with selection", new)):
        frame = frame[frame["method"].isin(METHODS)]
        frame = frame.assign(
            tables=np.where(frame["dataset"].str.contains("fri_"), "39 Friedman", "37 others")
        )
        for tables, part in [("all 76", frame), *frame.groupby("tables")]:
            means = part.groupby(["method", "axis", "at"])["regret"].mean()
            for (method, axis, at), value in means.items():
                rows.append((method, f"@{at} {axis}", tables, name, value))
    table = pd.DataFrame(rows, columns=["method", "at", "tables", "pool", "regret"])
    wide = table.pivot_table(index=["tables", "method"], columns=["at", "pool"], values="regret")
    columns = [(at, pool) for at in AT for pool in ("old pool", "with selection")]
    lines = [
        "| tables | method | " + " | ".join(f"{at}, {pool}" for at, pool in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for (tables, method), row in wide.iterrows():
        values = " | ".join(f"{row[c]:.4f}" for c in columns)
        lines.append(f"| {tables} | {method} | {values} |")
    text = (
        "Mean normalised regret on the new pool's scale (lower is better), regression, "
        f"{len(matrix.names)} tables x {len(matrix.candidates)} candidates.\n\n"
        + "\n".join(lines)
        + "\n"
    )
    (HERE / "simulation-regression.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(*sys.argv[1:3])
