"""A user's first fit, in a fresh process: when its first trial ends, with the trials' fork
server started at the first trial or as soon as the input is checked
(``automl._estimator.EARLY_FORK_SERVER``).

Other benchmarks run many fits in one process, where only the first pays for starting the
fork server (its imports: about 2.5 s on a slow machine); a user's ``automl fit`` or first
``fit`` in a notebook pays it every time. Each fit here runs in its own interpreter, both
settings in turn (which goes first alternating between repeats), on a 3/4 - 1/4 split of each
table, leave-one-dataset-out.

    python -m benchmarks.fresh_process --datasets-file FILE --budget 10 --repeats 2 --out DIR
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from benchmarks.report import to_markdown

HERE = Path(__file__).resolve().parent
SETTINGS = {"early": True, "at first trial": False}


def one_fit(pmlb: str, name: str, budget: float, early: bool) -> dict:
    """Fit one table in this process; what the first trial and the fit did."""
    from sklearn.model_selection import train_test_split

    import automl._estimator
    from automl import AutoMLClassifier
    from benchmarks.warm_vs_cold import model_test_loss

    automl._estimator.EARLY_FORK_SERVER = early
    frame = pd.read_csv(Path(pmlb) / f"{name}.tsv.gz", sep="\t")
    X, y = frame.drop(columns="target"), frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    start = time.monotonic()
    model = AutoMLClassifier(
        time_budget=budget, random_state=0, n_jobs=1, leave_one_out=True, verbose=0
    ).fit(X_train, y_train)
    seconds = time.monotonic() - start
    trials = model.trials_.sort_values("trial")
    ran = trials[trials["status"] != "skipped"]
    first = ran.iloc[0] if len(ran) else None
    return {
        "dataset": name,
        "first_trial_end": float(first["end_time"]) if first is not None else float("nan"),
        "first_trial_seconds": float(first["fit_time"]) if first is not None else float("nan"),
        "trials": len(ran),
        "successful": int((trials["status"] == "success").sum()),
        "test_loss": model_test_loss(model, X_test, y_test),
        "seconds": seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--datasets-file", required=True)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", required=True)
    parser.add_argument("--one", nargs=2, metavar=("DATASET", "EARLY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_fit(args.pmlb, args.one[0], args.budget, args.one[1] == "1")))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = Path(args.datasets_file).read_text().split()
    rows = []
    for repeat in range(args.repeats):
        for name in names:
            order = list(SETTINGS.items())
            for label, early in order if repeat % 2 == 0 else order[::-1]:
                command = [sys.executable, "-m", "benchmarks.fresh_process", "--pmlb", args.pmlb]
                command += ["--datasets-file", args.datasets_file, "--out", args.out]
                command += ["--budget", str(args.budget), "--one", name, str(int(early))]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append({**row, "setting": label, "repeat": repeat})
                print(f"{name:28s} {label:15s} first trial ends {row['first_trial_end']:.2f}s")
        pd.DataFrame(rows).to_csv(out / "results.csv", index=False)
    results = pd.DataFrame(rows)
    columns = ["first_trial_end", "first_trial_seconds", "trials", "successful", "test_loss"]
    table = results.groupby("setting")[columns].mean()
    per_table = results.pivot_table(index="dataset", columns="setting", values="first_trial_end")
    lines = [
        f"{len(names)} tables, {args.repeats} repeats, {args.budget:g} s, a fresh process each.",
        "",
        to_markdown(table.round(3)),
        "",
        "First trial's end (seconds after the fit began), mean of the repeats:",
        "",
        to_markdown(per_table.round(2)),
        "",
    ]
    (out / "summary.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
