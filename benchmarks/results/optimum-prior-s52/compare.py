"""A prior over the optimum weighting SMAC's acquisition (session 52, ``transfer="optimum"``,
piBO): the default with it (mode ``default+optimum``) against the default, in one run: all 77
regression tables, split 1, search seed 0, 60 s, leave-one-dataset-out (``regression-60s/``).
Cold SMAC was not run again: sessions 49 and 50 ran it on the same split and seed with the same
search code, and the two runs give the noise between sessions. About 5 s, from the repository
root:

    python benchmarks/results/optimum-prior-s52/compare.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    best_origins,
    costs_per_mode,
    loss_tables,
)

RUN = HERE / "regression-60s"
S49 = RESULTS / "untimed-members-s49" / "regression-60s"
S50 = RESULTS / "known-table-s50" / "regression-60s"
UNSEEN = HERE / "unseen-60s"
S51 = RESULTS / "unseen-regression-s51" / "regression-60s"
OPTIMUM = "default+optimum"


def pairs(read, what):
    optimum, default = read(RUN, OPTIMUM), read(RUN, "default")
    cold49, cold50 = read(S49, "cold"), read(S50, "cold")
    return [
        (f"optimum prior vs the default ({what})", optimum, default),
        (f"optimum prior vs cold SMAC, session 49 ({what})", optimum, cold49),
        (f"optimum prior vs cold SMAC, session 50 ({what})", optimum, cold50),
        (f"the default vs cold SMAC, session 49 ({what})", default, cold49),
        (f"the default vs cold SMAC, session 50 ({what})", default, cold50),
        (f"the default vs session 49's default ({what})", default, read(S49, "default")),
        (f"cold SMAC, session 50 vs session 49 ({what})", cold50, cold49),
    ]


def unseen_pairs(read, what):
    default, cold = read(UNSEEN, "default-known"), read(UNSEEN, "cold")
    return [
        (f"the default vs cold SMAC ({what})", default, cold),
        (f"the default vs session 51's, seed 0 ({what})", default, read(S51, "default-known")),
        (f"cold SMAC vs session 51's, seed 0 ({what})", cold, read(S51, "cold")),
    ]


def where_the_best_came_from() -> str:
    """Per mode on the unseen tables: SMAC's own trials that ran, and the origin of the best."""
    return to_markdown(best_origins(_read_results(UNSEEN)), index=False)


def costs(run: Path = RUN) -> str:
    """Trials, timeouts and warm-start planning per mode."""
    return to_markdown(costs_per_mode(_read_results(run)))


def main() -> None:
    text = "## All 77 regression tables, split 1, seed 0, 60 s\n\n" + loss_tables(pairs)
    text += "\n\n## Costs\n\n" + costs()
    text += "\n\n## The 33 unseen regression tables, split 1, seed 0, 60 s\n\n"
    text += loss_tables(unseen_pairs, group=None)
    text += "\n\n### Where the best trial came from\n\n" + where_the_best_came_from()
    text += "\n\n### Costs\n\n" + costs(UNSEEN)
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
