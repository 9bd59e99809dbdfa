"""A family's defaults cut to fit, in classification (session 48,
``automl._search.CUT_ROUNDS_TO_FIT``; session 47 measured it in regression,
``../cut-rounds-s47/``): the default with the cut (``default-cut``) against the default, on the
47 classification tables, split 0, search seed 0, in one run; over all tables and over those
where the ``default-cut`` fit ran more defaults with fewer rounds than the default's. From the
repository root:

    python benchmarks/results/cut-rounds-classification-s48/compare.py
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import mode_losses, paired_table  # noqa: E402


def main() -> None:
    results = pd.concat([pd.read_csv(f) for f in sorted(HERE.glob("results-*.csv"))])
    # cut_defaults also counts LightGBM's defaults given fewer trees at planning, in both modes.
    counts = results.pivot_table(index="dataset", columns="mode", values="cut_defaults")
    tables = sorted(counts.index[counts["default-cut"] > counts["default"]])
    text = ""
    for what, column in (("test loss", "test_loss"), ("search loss", "search_loss")):
        with_cut, without = (mode_losses(HERE, m, column) for m in ("default-cut", "default"))
        pairs = [
            (f"default, cut vs uncut, all tables ({what})", with_cut, without),
            (
                f"default, cut vs uncut, the {len(tables)} tables where a cut ran ({what})",
                with_cut.reindex(tables),
                without.reindex(tables),
            ),
        ]
        text += paired_table(pairs, group=None) + "\n"
    per_mode = results.groupby("mode")[["n_trials", "n_timeouts", "timeout_seconds"]].mean()
    text += (
        f"Tables where a cut ran ({len(tables)}): {', '.join(tables)}\n\n"
        + "Per fit, mean:\n\n"
        + to_markdown(per_mode.round(2))
        + "\n"
    )
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
