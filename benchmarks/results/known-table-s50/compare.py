"""The knowledge base on tables it has seen (session 50, mode ``default-known``): the shipped
base as it is, each table and its siblings in the matrix, the portfolio and the neighbours.
All 77 regression tables, split 1, search seed 0, 60 s, in one run with cold SMAC
(``regression-60s/``); session 49's run of the same split and seed (the default with its
leave-one-out, cold SMAC, the same search code) for reference across sessions. Also session
48's distance halves read on session 49's run, which session 48 did not use. About 5 s, from
the repository root:

    python benchmarks/results/known-table-s50/compare.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import loss_tables, mode_losses, near_counts  # noqa: E402

RUN = HERE / "regression-60s"
S49 = RESULTS / "untimed-members-s49" / "regression-60s"
DISTANCES = RESULTS / "distance-vs-gain-s48" / "distances-regression.csv"


def pairs(read, what):
    known, cold = read(RUN, "default-known"), read(RUN, "cold")
    default49, cold49 = read(S49, "default"), read(S49, "cold")
    return [
        (f"known vs cold SMAC ({what})", known, cold),
        (f"known vs session 49's default, leave-one-out ({what})", known, default49),
        (f"session 49: default vs cold SMAC ({what})", default49, cold49),
        (f"cold SMAC vs session 49's cold SMAC ({what})", cold, cold49),
    ]


def distance_halves() -> str:
    """Session 48's halves by mean distance to the 10 nearest datasets, on session 49's run."""
    distance = pd.read_csv(DISTANCES, index_col="dataset")["nearest_10"]
    default, cold = mode_losses(S49, "default"), mode_losses(S49, "cold")
    relative = ((default - cold) / ((default + cold) / 2)).rename("relative")
    frame = pd.concat([distance, relative], axis=1, join="inner")
    rho, p = spearmanr(frame["nearest_10"], frame["relative"])
    near = frame["nearest_10"] <= frame["nearest_10"].median()
    rows = []
    for half, mask in (("nearer half", near), ("farther half", ~near)):
        for group, rows_of in (
            ("all", np.ones(len(frame), bool)),
            ("Friedman", frame.index.str.contains("fri_")),
            ("others", ~frame.index.str.contains("fri_")),
        ):
            names = frame.index[mask & rows_of]
            b, t, w = near_counts(default[names], cold[names])
            mean = 100 * frame.loc[names, "relative"].mean()
            rows.append([half, group, len(names), f"{b} / {t} / {w}", f"{mean:+.1f}%"])
    table = pd.DataFrame(rows, columns=["half", "tables", "n", "default vs cold", "mean"])
    return (
        f"Spearman's rho, distance vs relative loss: {rho:.2f} (p = {p:.3f}), "
        f"{len(frame)} tables.\n\n" + to_markdown(table, index=False)
    )


def main() -> None:
    text = "## All 77 regression tables, split 1, seed 0, 60 s\n\n" + loss_tables(pairs)
    text += "\n\n## Session 48's distance halves on session 49's run\n\n" + distance_halves()
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
