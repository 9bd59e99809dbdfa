"""Session 55's members ordered by their predicted seconds on the table
(``automl._knowledge.SHAPED_ORDER``) with a kernel SVM's time grown with its rows per fit to the
power 1.9 beyond the matrix's (``automl._cost.SVM_ROW_EXPONENT``), against the members' typical
costs and the old SVM growth (mode ``-typical-costs``) and cold SMAC, in one run each:

- ``unseen-60s/``: session 51's 33 unseen regression tables (no leave-one-out: ``-known``);
- ``regression-60s/``: the 13 of the 77 PMLB regression tables with more than 2,000 rows, the
  only ones where the two orders can differ, leave-one-dataset-out.

Split 1, search seed 0, 60 s. From the repository root:

    python benchmarks/results/shaped-order-s55/compare.py

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

RESULTS = HERE.parent
UNSEEN = HERE / "unseen-60s"
PMLB = HERE / "regression-60s"
UNSEEN54 = RESULTS / "target-scaling-s54" / "unseen-60s"
RUNS = {  # folder -> (the new default, the old order, whether the run is on unseen tables)
    UNSEEN: ("default-known", "default-typical-costs-known"),
    PMLB: ("default", "default-typical-costs"),
}


def section(folder: Path, title: str) -> list[str]:
    new, old = RUNS[folder]
    pairs = []
    for column, what in (("test_loss", "test RMSE"), ("search_loss", "validation RMSE")):

        def read(mode: str, column: str = column):
            return mode_losses(folder, mode, column)

        pairs += [
            (f"shaped vs typical costs ({what})", read(new), read(old)),
            (f"shaped vs cold SMAC ({what})", read(new), read("cold")),
            (f"typical costs vs cold SMAC ({what})", read(old), read("cold")),
        ]
    if folder == UNSEEN:
        pairs.append(
            (
                "typical costs vs session 54's default (test RMSE)",
                mode_losses(folder, old),
                mode_losses(UNSEEN54, "default-known"),
            )
        )
    results = _read_results(folder)
    timeouts = {
        mode: timeouts_by_model(fits["timeout_models"]).to_dict()
        for mode, fits in results.groupby("mode")
    }
    return [
        f"## {title}",
        "",
        paired_table(pairs, group=None),
        "",
        to_markdown(costs_per_mode(results)),
        "",
        to_markdown(best_origins(results), index=False),
        "",
        "Timed-out trials by model: "
        + "; ".join(f"{mode}: {counts}" for mode, counts in timeouts.items()),
        "",
    ]


def main() -> None:
    lines = ["# Members ordered by their cost on the table (session 55)", ""]
    for folder, title in ((UNSEEN, "33 unseen regression tables"), (PMLB, "13 larger PMLB tables")):
        if folder.exists() and any(folder.glob("results-*.csv")):
            lines += section(folder, title)
    (HERE / "comparison.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
