"""Where ``ROW_EXPONENTS`` changes the plan within the 77 PMLB regression tables' sizes: each
table's leave-one-dataset-out warm-start plan (split 1, seed 0, a 15 s trial limit, 5-fold CV
or, up to 200 training rows, 15 fits of repeated CV; a holdout above 20,000) with the measured
exponents and with LightGBM's growth, and whether the members planned to run differ (which,
or in what order). Planning only, no fit. From the repository root:

    python benchmarks/results/forest-growth-s57/plan_diff.py

writes ``plan-diff.csv`` and prints the counts.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import automl._knowledge  # noqa: E402
from automl import DataShape, Task, build_space, get_metric  # noqa: E402
from automl._columns import infer_column_types  # noqa: E402
from automl._knowledge import TrialCost, plan_warm_start  # noqa: E402
from benchmarks.suites import names_in_file  # noqa: E402
from benchmarks.warm_vs_cold import loo_portfolio_base, pmlb_split, setting_held  # noqa: E402

PMLB = HERE.parents[3] / "shared" / "datasets" / "pmlb"
TABLES = HERE.parent / "family-check-s56" / "datasets.txt"


def fits_and_rows(n_train: int) -> tuple[int, float]:
    if n_train <= 200:
        return 15, 15 * 0.8 * n_train
    if n_train > 20_000:
        return 1, 0.67 * n_train
    return 5, 5 * 0.8 * n_train


def planned(X, y, kb) -> list[str]:
    space = build_space(
        Task.REGRESSION, DataShape(len(X), X.shape[1]), infer_column_types(X), seed=0
    )
    fits, rows = fits_and_rows(len(X))
    cost = TrialCost(rows, X.shape[1], per_trial=15.0, n_classes=0, n_fits=fits)
    plan = plan_warm_start(
        X,
        np.asarray(y, dtype=float),
        Task.REGRESSION,
        get_metric(None, Task.REGRESSION),
        space,
        0,
        cost,
        knowledge_base=kb,
        leave_one_out=True,
        update_knowledge_base=False,
    )
    return [str(sorted(c.items())) for c in plan.configurations]


def main() -> None:
    rows = []
    for name in names_in_file(TABLES):
        X, _, y, _ = pmlb_split(name, PMLB, stratify=False, seed=1)
        kb = loo_portfolio_base(name, "regression", HERE / "portfolios")
        measured = planned(X, y, kb)
        with setting_held(automl._knowledge, "ROW_EXPONENTS", {"regression": {}}):
            old = planned(X, y, kb)
        rows.append(
            {
                "dataset": name,
                "train_rows": len(X),
                "same_members": set(measured) == set(old),
                "same_order": measured == old,
            }
        )
        print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(HERE / "plan-diff.csv", index=False)
    grown = frame["train_rows"] > 500
    for label, part in (("over 500 training rows", frame[grown]), ("the rest", frame[~grown])):
        print(
            f"{label}: {len(part)} tables, members differ on {int((~part['same_members']).sum())},"
            f" order differs on {int((~part['same_order']).sum())}"
        )


if __name__ == "__main__":
    main()
