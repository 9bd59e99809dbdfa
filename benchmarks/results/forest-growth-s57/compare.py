"""Session 57's measured growth of members' times beyond the matrix's rows
(``automl._knowledge.ROW_EXPONENTS``) against the growth of LightGBM's defaults (mode
``-lgbm-growth``), in one run: the 13 PMLB regression tables of over 2,000 rows,
leave-one-dataset-out (``pmlb-larger-60s/``), and the 33 unseen regression tables with the
shipped base as it is (``unseen-60s/``); split 1, search seed 0, 60 s. Then the family check in
classification too (mode ``-families-both``) against the default on the 47 classification
tables (``classification-families-60s/``), split 1, seed 0, 60 s. Last, cold SMAC on the
unseen tables (``unseen-vs-cold-60s/``, run alone an hour after the default's run) against
the default of ``unseen-60s/``, and against session 55's cold SMAC for the runs' noise. From
the repository root:

    python benchmarks/results/forest-growth-s57/compare.py

writes ``comparison.md``.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import (  # noqa: E402
    _read_results,
    best_origins,
    costs_per_mode,
    mode_losses,
    paired_table,
)

RUNS = {
    "13 PMLB tables over 2,000 rows": (HERE / "pmlb-larger-60s", "default", "default-lgbm-growth"),
    "33 unseen tables": (HERE / "unseen-60s", "default-known", "default-lgbm-growth-known"),
}
CLASSIFICATION = HERE / "classification-families-60s"
COLD = HERE / "unseen-vs-cold-60s"  # cold SMAC on the unseen tables, run after the rest
S55 = HERE.parent / "shaped-order-s55" / "unseen-60s"


def both(folder: Path, mode: str, column: str) -> pd.Series:
    return mode_losses(folder, mode, column)


def main() -> None:
    lines = ["# Members' times grown as measured beyond the matrix's rows (session 57)", ""]
    for column, what in (("test_loss", "test RMSE"), ("search_loss", "validation RMSE")):
        pairs, firsts, seconds = [], [], []
        for name, (folder, new, old) in RUNS.items():
            if not folder.exists():
                continue
            firsts.append(both(folder, new, column).rename(lambda d, n=name: f"{n}/{d}"))
            seconds.append(both(folder, old, column).rename(lambda d, n=name: f"{n}/{d}"))
            pairs.append((f"measured vs LightGBM's growth, {name}", firsts[-1], seconds[-1]))
        if len(pairs) > 1:
            pairs.append(("... all", pd.concat(firsts), pd.concat(seconds)))
        lines += [f"## {what}", "", paired_table(pairs, group=None), ""]
    for name, (folder, _, _) in RUNS.items():
        if folder.exists():
            results = _read_results(folder)
            lines += [
                f"## Costs and where the best came from: {name}",
                "",
                to_markdown(costs_per_mode(results)),
                "",
                to_markdown(best_origins(results), index=False),
                "",
            ]
    if any(COLD.glob("results-*.csv")):
        lines += ["# The default against cold SMAC on the unseen tables", ""]
        for column, what in (("test_loss", "test RMSE"), ("search_loss", "validation RMSE")):
            default = both(HERE / "unseen-60s", "default-known", column)
            cold = both(COLD, "cold", column)
            pairs = [
                ("the default vs cold SMAC", default, cold),
                ("cold SMAC vs session 55's", cold, both(S55, "cold", column)),
            ]
            lines += [f"## {what}", "", paired_table(pairs, group=None), ""]
        lines += [to_markdown(costs_per_mode(_read_results(COLD))), ""]
    if any(CLASSIFICATION.glob("results-*.csv")):
        lines += ["# The family check in classification", ""]
        for column, what in (("test_loss", "test loss"), ("search_loss", "validation loss")):
            pair = [
                (
                    "family check vs the default",
                    both(CLASSIFICATION, "default-families-both", column),
                    both(CLASSIFICATION, "default", column),
                )
            ]
            lines += [f"## {what}", "", paired_table(pair, group=None), ""]
        results = _read_results(CLASSIFICATION)
        dropped = results.groupby("mode")["members_dropped"].agg(["mean", "sum"]).round(2)
        lines += [
            to_markdown(costs_per_mode(results)),
            "",
            to_markdown(best_origins(results), index=False),
            "",
            "Members dropped a fit (mean, total): " + str(dropped.to_dict("index")),
            "",
        ]
    (HERE / "comparison.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
