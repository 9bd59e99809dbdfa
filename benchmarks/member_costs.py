"""How well a portfolio member's fit time is predicted before the search, on tables larger than
the matrix's.

For each PMLB table: one stratified 2/3-1/3 split (seed 0), a time-bounded fit with the
leave-one-dataset-out portfolio (``benchmarks.warm_vs_cold.loo_portfolio_base``) and no member
skipped when planning (``AFFORDABLE_SHARE`` set to infinity for the fit), so that the search's
own cost estimator decides what runs and every member that runs is timed. Each member's row:
the table's shape (rows trained on over all folds, features, folds), the prediction before the
search (``predicted_fit_seconds``, extrapolated beyond the matrix's rows by ``row_growth``), the
same without that extrapolation (the matrix's power law alone: prediction / growth) and its
fitting seconds here per unit of the rows it ran on.

    python -m benchmarks.member_costs --datasets-file FILE --shard 0/2 --out OUT

``--known``: the shipped base as it is, no leave-one-out, for tables the base has never seen
(session 51's unseen regression tables).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import automl._knowledge
from automl import AutoMLClassifier, AutoMLRegressor
from benchmarks.suites import names_in_file
from benchmarks.warm_vs_cold import (
    HERE,
    loo_portfolio_base,
    pmlb_split,
    setting_held,
    shipped_base,
)

SETTING = (automl._knowledge, "AFFORDABLE_SHARE", {True: float("inf"), False: float("inf")})


def member_rows(model, dataset: str) -> list[dict]:
    """One row per portfolio member that ran: predicted and observed fitting seconds."""
    rows = []
    portfolio = model.warm_start_.get("portfolio", {})
    shape = portfolio.get("table") or {}
    for m in portfolio.get("members", []):
        if "fit_seconds_here" not in m or m.get("status_here") not in ("success", "timeout"):
            continue
        fidelity = float(m["fidelity_here"]) or 1.0
        rows.append(
            {
                "dataset": dataset,
                "model": m["model"],
                "status": m["status_here"],
                "fidelity": fidelity,
                "predicted": m["predicted_fit_seconds"],
                "row_growth": m["row_growth"],
                "unextrapolated": m["predicted_fit_seconds"] / m["row_growth"],
                "observed_all_rows": float(m["fit_seconds_here"]) / fidelity,
                "rank": m["rank_here"],
                "rows_trained": shape.get("rows_trained"),
                "features": shape.get("features"),
                "fits": shape.get("fits"),
            }
        )
    return rows


def summarize(frame: pd.DataFrame) -> str:
    """Log2 errors of both predictions against the observed times (timeouts: lower bounds)."""
    lines = [
        f"{frame['dataset'].nunique()} tables, {len(frame)} members timed "
        f"({int((frame['status'] == 'timeout').sum())} timed out: their time is a lower bound).",
        "",
        "| prediction | median log2(predicted / observed) | mean abs log2 | under by 2x or more "
        "| over by 2x or more |",
        "|---|---|---|---|---|",
    ]
    done = frame[frame["status"] == "success"]
    late = frame[frame["status"] == "timeout"]
    for column in ("predicted", "unextrapolated"):
        err = np.log2(done[column] / done["observed_all_rows"].clip(lower=1e-3))
        under = int((err <= -1).sum()) + int((late[column] * 2 <= late["observed_all_rows"]).sum())
        lines.append(
            f"| {column} | {err.median():.2f} | {err.abs().mean():.2f} | {under} | "
            f"{int((err >= 1).sum())} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--datasets-file", required=True)
    parser.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--shard", default="0/1", help="i/n: every n-th dataset from the i-th")
    parser.add_argument("--out", required=True)
    parser.add_argument("--summarize-only", action="store_true")
    parser.add_argument(
        "--known", action="store_true", help="the shipped base as it is, no leave-one-out"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not args.summarize_only:
        shard, n_shards = (int(v) for v in args.shard.split("/"))
        names = names_in_file(args.datasets_file)
        path = out / f"members-{shard}of{n_shards}.csv"
        done = set(pd.read_csv(path)["dataset"]) if path.exists() else set()
        estimator = AutoMLClassifier if args.task == "classification" else AutoMLRegressor
        for name in names[shard::n_shards]:
            if name in done:
                continue
            X_train, _, y_train, _ = pmlb_split(
                name, args.pmlb, stratify=args.task == "classification"
            )
            if args.known:
                kb = shipped_base()
            else:
                kb = loo_portfolio_base(name, args.task, out / "portfolios")
            model = estimator(
                time_budget=args.budget,
                warm_start="portfolio",
                knowledge_base=kb,
                leave_one_out=not args.known,
                update_knowledge_base=False,
                random_state=0,
                n_jobs=1,
            )
            with setting_held(*SETTING):
                model.fit(X_train, y_train)
            rows = pd.DataFrame(member_rows(model, name))
            header = not path.exists()
            rows.to_csv(path, mode="a", header=header, index=False)
            print(f"{name}: {len(rows)} members timed", file=sys.stderr, flush=True)
    frame = pd.concat([pd.read_csv(f) for f in sorted(out.glob("members-*.csv"))])
    summary = summarize(frame)
    (out / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
