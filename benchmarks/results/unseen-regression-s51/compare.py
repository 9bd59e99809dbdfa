"""The default warm start on 33 regression tables the knowledge base has never seen (session
51): the Rdatasets suite (``benchmarks/suites/rdatasets-regression.csv``, 2,930 to 58,788
rows), split 1, 60 s, the default (``default-known``: the shipped base as a user gets it; none
of these tables is in it, so there is nothing to leave out), cold SMAC and random search, in one
run per search seed (seed 0 in ``regression-60s/``, seed 1 in ``regression-60s-seed1/``). Beside it, the 13 PMLB regression tables of over 2,000
rows in session 49's run (leave-one-out default and cold SMAC, same split, seed and budget), so
that the issue's "20 tables of more than 2,000 rows" are met in regression. About 5 s, from the
repository root:

    python benchmarks/results/unseen-regression-s51/compare.py
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    costs_per_mode,
    loss_tables,
    mean_ratio,
    mode_losses,
    paired_table,
    seed_pairs,
)

RUN = HERE / "regression-60s"
RUNS = {0: RUN, 1: HERE / "regression-60s-seed1"}
S49 = RESULTS / "untimed-members-s49" / "regression-60s"
PMLB_INDEX = HERE.parents[3] / "shared" / "datasets" / "pmlb" / "index.csv"
DEFAULT = "default-known"
LARGE = 10_000  # rows: the tables split in two by size


def rows_per_table() -> pd.Series:
    """Each unseen table's rows (``sizes.csv``: the index that ``benchmarks.rdatasets_tables``
    wrote for this run)."""
    return pd.read_csv(HERE / "sizes.csv", index_col="name")["n_instances"]


def over_seeds(first: str, second: str, read=mode_losses) -> pd.Series:
    """Each table's mean over the seeds of ``first``'s loss relative to ``second``'s."""
    return mean_ratio(read, RUNS.values(), first, second)


def pairs(read, what):
    """Each pair of modes on each seed, and on each table's mean over the seeds."""
    out = []
    for first, second, label in (
        (DEFAULT, "cold", "default vs cold SMAC"),
        (DEFAULT, "random", "default vs random search"),
        ("cold", "random", "cold SMAC vs random search"),
    ):
        out += seed_pairs(read, what, RUNS, first, second, label, "both seeds")
    return out


def by_size(rows: pd.Series) -> str:
    """The default against each baseline, mean over both seeds, on the smaller and the larger
    half of the tables."""
    means = {other: over_seeds(DEFAULT, other) for other in ("cold", "random")}
    chosen = []
    for label, mask in (
        (f"at most {LARGE:,} rows", rows <= LARGE),
        (f"over {LARGE:,}", rows > LARGE),
    ):
        for other, name in (("cold", "cold SMAC"), ("random", "random search")):
            mean = means[other][means[other].index.intersection(rows.index[mask])]
            one = pd.Series(1.0, mean.index)
            chosen.append((f"default vs {name}, {label} ({len(mean)} tables)", mean, one))
    return paired_table(chosen, group=None)


def with_pmlb_large() -> str:
    """The 33 unseen tables pooled with PMLB's 13 regression tables of over 2,000 rows
    (session 49's leave-one-out default against its cold SMAC)."""
    index = pd.read_csv(PMLB_INDEX, index_col="name")
    default49, cold49 = mode_losses(S49, "default"), mode_losses(S49, "cold")
    large = [n for n in default49.index if index.loc[n, "n_instances"] > 2000]
    default, cold = mode_losses(RUN, DEFAULT), mode_losses(RUN, "cold")
    chosen = [
        ("PMLB, over 2,000 rows, session 49", default49[large], cold49[large]),
        (
            "the 33 unseen (seed 0) and those 13 pooled",
            pd.concat([default, default49[large]]),
            pd.concat([cold, cold49[large]]),
        ),
    ]
    return paired_table(chosen, group=None)


def costs() -> str:
    """Trials, timeouts and warm-start planning per mode, over both seeds."""
    results = pd.concat([_read_results(run) for run in RUNS.values()], ignore_index=True)
    return to_markdown(costs_per_mode(results))


def plot(rows: pd.Series) -> None:
    """Each table's test RMSE against cold SMAC and random search (mean over both seeds), by
    its size."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for other, colour, label in (("cold", "C0", "cold SMAC"), ("random", "C1", "random search")):
        relative = (over_seeds(DEFAULT, other) - 1).clip(-0.1, 0.1) * 100
        ax.plot(rows[relative.index], relative, "o", ms=5, color=colour, label=f"vs {label}")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("rows in the table")
    ax.set_ylabel("test RMSE of the default, % (< 0: default better)")
    ax.set_title(
        "33 regression tables the knowledge base never saw, 60 s, mean of two seeds", fontsize=10
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(HERE / "default-vs-baselines.png", dpi=110)


def main() -> None:
    rows = rows_per_table()
    text = "## The 33 unseen regression tables, split 1, search seeds 0 and 1, 60 s\n\n"
    text += loss_tables(pairs, group=None)
    text += "\n\n## By size\n\n" + by_size(rows)
    text += "\n\n## With PMLB's 13 regression tables of over 2,000 rows\n\n" + with_pmlb_large()
    text += "\n\n## What each mode spent (means per fit; planning in seconds)\n\n" + costs()
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)
    plot(rows)


if __name__ == "__main__":
    main()
