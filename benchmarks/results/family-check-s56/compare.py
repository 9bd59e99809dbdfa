"""Session 56's family check (``automl._knowledge.FAMILY_CHECK`` at 1.5, mode
``-families``) against the default without it and cold SMAC, in one run on the 77 PMLB
regression tables, leave-one-dataset-out: split 1, search seed 0, 60 s (``regression-60s/``),
with session 54's run of the default and cold SMAC on the same split and seed for the run's
noise. From the repository root:

    python benchmarks/results/family-check-s56/compare.py

writes ``comparison.md``.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    best_origins,
    costs_per_mode,
    mode_losses,
    paired_table,
    timeouts_by_model,
)

RUN = HERE / "regression-60s"
S54 = HERE.parent / "target-scaling-s54" / "regression-60s"


def main() -> None:
    lines = ["# Members of a family far behind give way (session 56)", ""]
    for column, what in (("test_loss", "test RMSE"), ("search_loss", "validation RMSE")):

        def read(mode: str, folder: Path = RUN, column: str = column):
            return mode_losses(folder, mode, column)

        pairs = [
            ("family check vs the default", read("default-families"), read("default")),
            ("family check vs cold SMAC", read("default-families"), read("cold")),
            ("the default vs cold SMAC", read("default"), read("cold")),
        ]
        if column == "test_loss":
            pairs += [
                ("cold SMAC vs session 54's", read("cold"), read("cold", S54)),
                ("the default vs session 54's", read("default"), read("default", S54)),
            ]
        lines += [f"## {what}", "", paired_table(pairs), ""]
    results = _read_results(RUN)
    timeouts = {
        mode: timeouts_by_model(fits["timeout_models"]).to_dict()
        for mode, fits in results.groupby("mode")
    }
    dropped = results.groupby("mode")["members_dropped"].agg(["mean", "sum"]).round(2)
    lines += [
        "## Costs, where the best came from, members dropped",
        "",
        to_markdown(costs_per_mode(results)),
        "",
        to_markdown(best_origins(results), index=False),
        "",
        "Members dropped a fit (mean, total): " + str(dropped.to_dict("index")),
        "",
        "Timed-out trials by model: "
        + "; ".join(f"{mode}: {counts}" for mode, counts in timeouts.items()),
        "",
    ]
    (HERE / "comparison.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
