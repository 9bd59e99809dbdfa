"""Split 0 of the 45 tables with FLAML and AutoGluon: their runs of session 8 (read from
`summary-s10.md`'s per-dataset table; their code has not changed since), the defaults of
`runs-s16-split0.csv`, and automl from the given run CSVs (seed 0 rows; later files win).
A failed run ranks last.

Usage: python peers.py runs-s17-small.csv runs-s18-large-split0.csv > peers-s18.md
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from summarise import TOL

SYSTEMS = ["automl", "autogluon", "flaml", "lightgbm", "random-forest"]


def peers() -> pd.DataFrame:
    lines = [ln for ln in Path("summary-s10.md").read_text().splitlines() if ln.startswith("| ")]
    header = next(ln for ln in lines if ln.startswith("| dataset"))
    names = [h.strip() for h in header.strip().strip("|").split("|")]
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
    table = pd.DataFrame([r for r in rows if len(r) == len(names)], columns=names)
    table = table[table["dataset"] != "dataset"].set_index("dataset")
    return table[["flaml", "autogluon"]].apply(pd.to_numeric, errors="coerce")


def main(paths: list[str]) -> None:
    base = pd.read_csv("runs-s16-split0.csv").pivot_table(
        index="dataset", columns="system", values="loss"
    )
    automl = pd.concat(pd.read_csv(p) for p in paths)
    automl = automl[automl["seed"] == 0].drop_duplicates("dataset", keep="last")
    base["automl"] = automl.set_index("dataset")["loss"]
    found = peers()
    # The Markdown table cut names to 40 characters.
    found.index = [next((n for n in base.index if n.startswith(k)), k) for k in found.index]
    table = base[["automl", "lightgbm", "random-forest"]].join(found, how="left")
    losses = table[SYSTEMS].fillna(np.inf)
    ranks = losses.round(4).rank(axis=1, method="average")
    print(f"{len(table)} datasets, split 0; mean rank (1 best, of {len(SYSTEMS)}):\n")
    print("| system | mean rank | automl better / tied / worse | missing or failed |")
    print("|---|---|---|---|")
    for system in SYSTEMS:
        diff = losses["automl"] - losses[system]
        counts = f"{(diff < -TOL).sum()} / {(diff.abs() <= TOL).sum()} / {(diff > TOL).sum()}"
        if system == "automl":
            counts = "-"
        print(
            f"| {system} | {ranks[system].mean():.2f} | {counts} | {table[system].isna().sum()} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
