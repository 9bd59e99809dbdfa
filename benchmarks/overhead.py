"""Where a fit's time goes: SMAC's ask/tell, trial processes, model fitting, refit.

python benchmarks/overhead.py --budget 60 --datasets prnn_crabs,churn,pendigits
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from automl import AutoMLClassifier
from benchmarks.report import to_markdown

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--datasets", default="prnn_crabs,churn,pendigits")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--optimizer", default="smac")
    args = parser.parse_args(argv)
    rows = []
    for name in args.datasets.split(","):
        frame = pd.read_csv(Path(args.pmlb) / f"{name}.tsv.gz", sep="\t")
        model = AutoMLClassifier(
            time_budget=args.budget,
            warm_start=False,
            update_knowledge_base=False,
            random_state=0,
            optimizer=args.optimizer,
            n_jobs=1,  # one trial at a time: the breakdown adds up to the wall time
        ).fit(frame.drop(columns="target"), frame["target"])
        t = model.timings_
        rows.append(
            {
                "dataset": name,
                "rows": len(frame),
                "trials": len(model.trials_),
                "total_s": t["total"],
                "optimizer_s": t["optimizer"],
                "optimizer_per_trial_ms": 1000 * t["optimizer"] / len(model.trials_),
                "trial_processes_s": t["trials"],
                "model_fitting_s": t["model_fitting"],
                "outside_model_fitting_%": 100 * (t["total"] - t["model_fitting"]) / t["total"],
                "ensemble_and_refit_s": t["ensemble_and_refit"],
            }
        )
    table = pd.DataFrame(rows)
    print(to_markdown(table.round(3), index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
