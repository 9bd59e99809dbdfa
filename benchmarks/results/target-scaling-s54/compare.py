"""Session 54's standardised target for the regression SVR and MLP
(``automl.components.neighbours_linear.on_standard_target``).

- The regression matrix's SVR and MLP cells before and after: 76 PMLB tables, 19 SVR and 17 MLP
  candidates, 3-fold CV on at most 1,000 rows.
- Real fits after it (``regression-60s/``): the default and cold SMAC on all 77 regression
  tables, split 1, search seed 0, 60 s, leave-one-dataset-out, in one run; against sessions
  49, 50 and 52's runs of the same split and seed, before the change.
- The default alone on session 51's 33 unseen regression tables (``unseen-60s/``), the same
  split and seed, against sessions 52 and 53's runs before the change.

From the repository root:

    git show f1d02de:knowledge_base/data/runs/<part>.parquet > before.parquet
    python benchmarks/results/target-scaling-s54/compare.py --before before.parquet

writes ``cells.csv`` (one row per cell of the regression matrix, before and after) and
``comparison.md``;
without ``--before`` it reads ``cells.csv`` back.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.report import to_markdown  # noqa: E402
from benchmarks.warm_vs_cold import _read_results, costs_per_mode, loss_tables  # noqa: E402
from knowledge_base import KnowledgeBase  # noqa: E402

REVISED = ("libsvm_svr", "mlp")
RESULTS = HERE.parent
RUN = HERE / "regression-60s"
S49 = RESULTS / "untimed-members-s49" / "regression-60s"
S50 = RESULTS / "known-table-s50" / "regression-60s"
S52 = RESULTS / "optimum-prior-s52" / "regression-60s"
UNSEEN = HERE / "unseen-60s"
UNSEEN52 = RESULTS / "optimum-prior-s52" / "unseen-60s"
UNSEEN53 = RESULTS / "member-caps-s53" / "unseen-60s"
KEYS = ["dataset_id", "original_config"]


def matrix(runs: pd.DataFrame) -> pd.DataFrame:
    """The regression matrix's cells: loss (RMSE) and fitting seconds per table and candidate."""
    runs = runs[(runs["source"] == "matrix") & (runs["task"] == "regression")]
    return runs[[*KEYS, "model", "status", "loss", "fit_time"]]


def collect(before: Path) -> pd.DataFrame:
    kb = KnowledgeBase(HERE.parents[2] / "knowledge_base" / "data")
    old = matrix(pd.read_parquet(before))
    new = matrix(kb.runs(statuses=None))
    cells = old.merge(new, on=[*KEYS, "model"], suffixes=("_before", "_after"))
    names = kb.datasets()
    cells["dataset"] = cells["dataset_id"].map(names.set_index("dataset_id")["name"])
    return cells.drop(columns=KEYS)  # the candidate's identity is long and not needed here


def summary(cells: pd.DataFrame) -> str:
    revised = cells[cells["model"].isin(REVISED)]
    lines = [
        f"{revised['dataset'].nunique()} tables, {len(revised)} revised cells "
        f"({(revised['status_after'] != 'success').sum()} failed after, "
        f"{(revised['status_before'] != 'success').sum()} before).",
        "",
    ]
    ok = revised.dropna(subset=["loss_before", "loss_after"])
    ratio = ok["loss_after"] / ok["loss_before"]
    rows = []
    for model, r in ratio.groupby(ok["model"]):
        seconds = ok.loc[r.index]
        rows.append(
            {
                "family": model,
                "cells": len(r),
                "RMSE after / before, median": f"{r.median():.3f}",
                "better by 2% or more": int((r < 0.98).sum()),
                "worse by 2% or more": int((r > 1.02).sum()),
                "under half": int((r < 0.5).sum()),
                "fit seconds before": f"{seconds['fit_time_before'].sum():.0f}",
                "after": f"{seconds['fit_time_after'].sum():.0f}",
            }
        )
    lines += [to_markdown(pd.DataFrame(rows), index=False), ""]

    # Per table: how far the best SVR / MLP candidate is behind the table's best candidate of
    # the other families, and which family holds the table's best.
    table_rows = []
    for when in ("before", "after"):
        loss = cells.pivot_table(
            index="dataset", columns="model", values=f"loss_{when}", aggfunc="min"
        )
        others = loss.drop(columns=list(REVISED)).min(axis=1)
        best = loss.idxmin(axis=1)
        entry = {"matrix": when}
        for model in REVISED:
            gap = loss[model] / others
            entry[f"{model}: median best / others' best"] = f"{gap.median():.3f}"
            entry[f"{model}: tables within 1%"] = int((gap <= 1.01).sum())
        entry["tables whose best is SVR or MLP"] = int(best.isin(REVISED).sum())
        table_rows.append(entry)
    lines += [to_markdown(pd.DataFrame(table_rows), index=False)]
    return "\n".join(lines) + "\n"


def pairs(read, what):
    default, cold = read(RUN, "default"), read(RUN, "cold")
    cold49, cold50 = read(S49, "cold"), read(S50, "cold")
    default49, default52 = read(S49, "default"), read(S52, "default")
    return [
        (f"the default vs cold SMAC ({what})", default, cold),
        (f"cold SMAC vs session 50's ({what})", cold, cold50),
        (f"cold SMAC vs session 49's ({what})", cold, cold49),
        (f"the default vs session 52's ({what})", default, default52),
        (f"the default vs session 49's ({what})", default, default49),
        (f"before: cold SMAC, session 50 vs 49 ({what})", cold50, cold49),
        (f"before: the default, session 52 vs 49 ({what})", default52, default49),
        (f"before: the default (52) vs cold SMAC (50) ({what})", default52, cold50),
    ]


def unseen_pairs(read, what):
    default, default52 = read(UNSEEN, "default-known"), read(UNSEEN52, "default-known")
    default53, cold52 = read(UNSEEN53, "default"), read(UNSEEN52, "cold")
    return [
        (f"the default vs session 52's ({what})", default, default52),
        (f"the default vs session 53's ({what})", default, default53),
        (f"the default vs cold SMAC, session 52 ({what})", default, cold52),
        (f"before: the default, session 53 vs 52 ({what})", default53, default52),
        (f"before: the default vs cold SMAC, session 52 ({what})", default52, cold52),
    ]


def best_models() -> str:
    """How often each mode's best trial is an SVR or an MLP (the runs before did not record
    the best trial's family)."""
    results = _read_results(RUN)
    rows = []
    for mode, best in results.groupby("mode")["best_model"]:
        rows.append(
            {
                "mode": mode,
                "best is an SVR": int((best == "libsvm_svr").sum()),
                "best is an MLP": int((best == "mlp").sum()),
                "of": len(best),
            }
        )
    return to_markdown(pd.DataFrame(rows), index=False)


def fits() -> str:
    text = "## Real fits: all 77 regression tables, split 1, seed 0, 60 s\n\n"
    text += loss_tables(pairs)
    text += "\n\n### The best trial's family\n\n" + best_models()
    text += "\n\n### Costs\n\n" + to_markdown(costs_per_mode(_read_results(RUN)))
    if (UNSEEN / "results-0of2.csv").is_file():
        text += "\n\n## Real fits: the 33 unseen regression tables, split 1, seed 0, 60 s\n\n"
        text += loss_tables(unseen_pairs, group=None)
        text += "\n\n### Costs\n\n" + to_markdown(costs_per_mode(_read_results(UNSEEN)))
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path)
    args = parser.parse_args()
    path = HERE / "cells.csv"
    if args.before is not None:
        collect(args.before).to_csv(path, index=False)
    cells = pd.read_csv(path)
    text = "## The matrix\n\n" + summary(cells)
    if (RUN / "results-0of2.csv").is_file():
        text += "\n" + fits() + "\n"
    (HERE / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
