"""Where ``ROW_EXPONENTS`` changes the plan within the 77 PMLB regression tables' sizes: each
table's leave-one-dataset-out warm-start plan (split 1, seed 0, a 60 s fit's 15 s trial limit
and the resampling its estimator chooses) with the measured exponents and with LightGBM's
growth, and whether the members planned to run differ (which, or in what order). Planning
only, no fit. From the repository root:

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
from automl import AutoMLRegressor, DataShape, Task, build_space, get_metric  # noqa: E402
from automl._columns import infer_column_types, normalize_frame  # noqa: E402
from automl._cost import count_bins, distinct_values  # noqa: E402
from automl._evaluation import make_splits  # noqa: E402
from automl._knowledge import TrialCost, plan_warm_start  # noqa: E402
from benchmarks.suites import names_in_file  # noqa: E402
from benchmarks.warm_vs_cold import loo_portfolio_base, pmlb_split, setting_held  # noqa: E402

PMLB = HERE.parents[3] / "shared" / "datasets" / "pmlb"
TABLES = HERE.parent / "family-check-s56" / "datasets.txt"
PER_TRIAL = 15.0  # a 60 s fit's trial limit


def trial_cost(X, y) -> TrialCost:
    """The cost shape a 60 s fit plans for: its resampling chosen and split as the estimator's."""
    columns = infer_column_types(X)
    shape = DataShape(len(X), X.shape[1])
    n_bins = count_bins(distinct_values(normalize_frame(X, columns), seed=0))
    resampling = AutoMLRegressor(time_budget=60)._resampling(shape, PER_TRIAL, n_bins)
    splits = make_splits(np.asarray(y, dtype=float), Task.REGRESSION, resampling, 0)
    rows = sum(len(train) for train, _ in splits)
    return TrialCost(rows, X.shape[1], per_trial=PER_TRIAL, n_classes=0, n_fits=len(splits))


def planned(X, y, kb) -> list[str]:
    space = build_space(
        Task.REGRESSION, DataShape(len(X), X.shape[1]), infer_column_types(X), seed=0
    )
    cost = trial_cost(X, y)
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
