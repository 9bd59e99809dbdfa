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
from benchmarks.warm_vs_cold import _read_results, loss_tables  # noqa: E402

RUN = HERE / "regression-60s"
S49 = RESULTS / "untimed-members-s49" / "regression-60s"
S50 = RESULTS / "known-table-s50" / "regression-60s"
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


def costs() -> str:
    """Trials, timeouts and warm-start planning per mode."""
    results = _read_results(RUN)
    table = results.groupby("mode").agg(
        fits=("dataset", "size"),
        trials=("n_trials", "mean"),
        timeouts=("n_timeouts", "mean"),
        skipped=("n_skipped", "mean"),
        seconds=("seconds", "mean"),
        planning_median=("warm_start_seconds", "median"),
        planning_max=("warm_start_seconds", "max"),
    )
    return to_markdown(table.round(2))


def main() -> None:
    text = "## All 77 regression tables, split 1, seed 0, 60 s\n\n" + loss_tables(pairs)
    text += "\n\n## Costs\n\n" + costs()
    (HERE / "comparison.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
