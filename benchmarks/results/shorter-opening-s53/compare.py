"""A shorter opening on tables larger than the matrix saw (session 53): the default with the
first 5 portfolio members that fit instead of 10 (mode ``default-p5``) against the default, in
one run on session 51's 33 unseen regression tables: split 1, search seed 0, 60 s
(``unseen-60s/``). Cold SMAC was not run again: session 52 ran it on the same split and seed
with the same search code. Then the default and cold SMAC on a third search seed
(``unseen-60s-seed2/``), with session 51's seeds 0 and 1: the default against cold SMAC on
each seed and on each table's mean over the three. About 5 s, from the repository root:

    python benchmarks/results/shorter-opening-s53/compare.py
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    best_origins,
    costs_per_mode,
    loss_tables,
    seed_pairs,
)

UNSEEN = HERE / "unseen-60s"
SEED2 = HERE / "unseen-60s-seed2"
S52 = RESULTS / "optimum-prior-s52" / "unseen-60s"
S51 = RESULTS / "unseen-regression-s51" / "regression-60s"
DEFAULT = "default-known"
SEEDS = {0: S51, 1: RESULTS / "unseen-regression-s51" / "regression-60s-seed1", 2: SEED2}


def unseen_pairs(read, what):
    p5, default, cold = read(UNSEEN, "default-p5"), read(UNSEEN, "default"), read(S52, "cold")
    return [
        (f"5 members vs the default ({what})", p5, default),
        (f"5 members vs cold SMAC, session 52 ({what})", p5, cold),
        (f"5 members vs cold SMAC, session 51 ({what})", p5, read(S51, "cold")),
        (f"the default vs cold SMAC, session 52 ({what})", default, cold),
        (f"the default vs session 52's ({what})", default, read(S52, "default-known")),
    ]


def three_seeds(read, what):
    """The default against cold SMAC on each seed, and on each table's mean over the three."""
    label = "the default vs cold SMAC"
    return seed_pairs(read, what, SEEDS, DEFAULT, "cold", label, "the three seeds")


def where_the_best_came_from() -> str:
    """Per mode: SMAC's own trials that ran, and the origin of the fit's best trial."""
    return to_markdown(
        best_origins(
            pd.concat([_read_results(UNSEEN), _read_results(S52).query("mode == 'cold'")])
        ),
        index=False,
    )


def main() -> None:
    text = "## The 33 unseen regression tables, split 1, seed 0, 60 s\n\n"
    text += loss_tables(unseen_pairs, group=None)
    text += "\n\n### Where the best trial came from\n\n" + where_the_best_came_from()
    text += "\n\n### Costs\n\n" + to_markdown(costs_per_mode(_read_results(UNSEEN)))
    text += "\n\n## The default and cold SMAC over three search seeds, split 1, 60 s\n\n"
    text += loss_tables(three_seeds, group=None)
    text += "\n\n### Costs, seed 2\n\n" + to_markdown(costs_per_mode(_read_results(SEED2)))
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
