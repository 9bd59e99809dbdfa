"""A family's defaults cut to fit, in classification (session 48,
``automl._search.CUT_ROUNDS_TO_FIT``; session 47 measured it in regression,
``../cut-rounds-s47/``): the default with the cut (``default-cut``) against the default, on the
47 classification tables, search seed 0, split 0 (this folder) and split 1 (``split1/``), each
in one run; over all tables and over those where the ``default-cut`` fit ran more defaults with
fewer rounds than the default's. From the repository root:

    python benchmarks/results/cut-rounds-classification-s48/compare.py
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import loss_tables  # noqa: E402

SPLITS = {0: HERE, 1: HERE / "split1"}


def read_results(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_csv(f) for f in sorted(folder.glob("results-*.csv"))])


def cut_tables(results: pd.DataFrame) -> list[str]:
    """Tables where the ``default-cut`` fit ran more defaults with fewer rounds: the column
    also counts LightGBM's defaults given fewer trees at planning, in both modes."""
    counts = results.pivot_table(index="dataset", columns="mode", values="cut_defaults")
    return sorted(counts.index[counts["default-cut"] > counts["default"]])


def main() -> None:
    splits = {s: folder for s, folder in SPLITS.items() if any(folder.glob("results-*.csv"))}
    results = {s: read_results(folder) for s, folder in splits.items()}
    tables = {s: cut_tables(r) for s, r in results.items()}

    def pairs(read, what):
        losses = {
            s: (read(folder, "default-cut"), read(folder, "default"))
            for s, folder in splits.items()
        }
        found = []
        for s, (with_cut, without) in losses.items():
            found += [
                (f"split {s}, all tables, cut vs uncut ({what})", with_cut, without),
                (
                    f"split {s}, the {len(tables[s])} tables where a cut ran, cut vs uncut ({what})",
                    with_cut.reindex(tables[s]),
                    without.reindex(tables[s]),
                ),
            ]
        if len(splits) > 1:
            mean = [sum(pair[i] for pair in losses.values()) / len(losses) for i in (0, 1)]
            found.append(
                (f"mean of the {len(splits)} splits, all tables, cut vs uncut ({what})", *mean)
            )
        return found

    text = loss_tables(pairs, group=None, test="test loss") + "\n"
    for s in splits:
        per_mode = results[s].groupby("mode")[["n_trials", "n_timeouts", "timeout_seconds"]]
        text += (
            f"Split {s}: tables where a cut ran ({len(tables[s])}): {', '.join(tables[s])}\n\n"
            + "Per fit, mean:\n\n"
            + to_markdown(per_mode.mean().round(2))
            + "\n\n"
        )
    (HERE / "comparison.md").write_text(text.rstrip() + "\n")
    print(text)


if __name__ == "__main__":
    main()
