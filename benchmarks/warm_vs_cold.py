"""Warm start against cold start, leave-one-dataset-out, by number of trials.

For each dataset: one outer stratified split (2/3 train, 1/3 test, seed 0); the estimator is fitted
on the train part with ``n_trials=50`` twice, warm (``leave_one_out=True``: the dataset, its exact
duplicates and near-identical meta-features hidden from the knowledge base) and cold
(``warm_start=False``). For k in 5, 10, 25, 50 the incumbent among the first k trials (lowest
validation loss) is refitted on the train part and scored on the test part. Written: a CSV with
one row per (dataset, mode, k), and a Markdown summary (mean rank of the eight settings, how often
warm@k is at least as good as cold@50, mean test loss).

    python benchmarks/warm_vs_cold.py --out bench-results/warm-vs-cold
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier
from automl._columns import normalize_frame
from automl._evaluation import predict_pipeline
from automl._space import make_pipeline
from automl._task import METRICS
from benchmarks.report import to_markdown

CHECKPOINTS = (5, 10, 25, 50)
HERE = Path(__file__).resolve().parent


def incumbent_test_losses(
    model: AutoMLClassifier, X_train, y_train, X_test, y_test
) -> dict[int, float]:
    """Test loss of the best-by-validation trial among the first k, for each checkpoint."""
    trials = model.trials_.sort_values("trial")
    metric = METRICS[model.metric_]
    columns = model._columns
    train = normalize_frame(X_train.set_axis(list(columns.names), axis=1), columns)
    test = normalize_frame(X_test.set_axis(list(columns.names), axis=1), columns)
    classes = list(model.classes_)
    y_tr = np.array([classes.index(v) for v in y_train])
    y_te = np.array([classes.index(v) if v in classes else -1 for v in y_test])
    keep = y_te >= 0
    out, cache = {}, {}
    for k in CHECKPOINTS:
        first = trials.head(k)
        ok = first[first["status"] == "success"]
        if ok.empty:
            out[k] = np.nan
            continue
        best = ok.loc[ok["loss"].idxmin()]
        if best["trial"] not in cache:
            pipe = make_pipeline(best["config"], model.task_, columns, seed=0)
            pipe.fit(train, y_tr)
            proba = predict_pipeline(pipe, test, model.task_, len(classes))
            cache[best["trial"]] = metric.loss(y_te[keep], proba[keep], np.arange(len(classes)))
        out[k] = cache[best["trial"]]
    return out


def run(args) -> pd.DataFrame:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_file = out / "results.csv"
    done = pd.read_csv(results_file) if results_file.exists() else pd.DataFrame()
    names = [
        ln.strip()
        for ln in Path(args.datasets_file).read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    index = pd.read_csv(Path(args.pmlb) / "index.csv").set_index("name")
    names = [n for n in names if index.loc[n, "n_instances"] <= args.max_rows]
    for name in names:
        frame = pd.read_csv(Path(args.pmlb) / f"{name}.tsv.gz", sep="\t")
        X, y = frame.drop(columns="target"), frame["target"]
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=1 / 3,
            random_state=0,
            stratify=y if y.value_counts().min() >= 2 else None,
        )
        for mode in ("warm", "cold"):
            if len(done) and ((done["dataset"] == name) & (done["mode"] == mode)).any():
                continue
            start = time.monotonic()
            model = AutoMLClassifier(
                time_budget=args.max_seconds,
                n_trials=max(CHECKPOINTS),
                ensemble_size=1,
                per_trial_time_limit=args.trial_limit,
                warm_start=mode == "warm",
                leave_one_out=True,
                update_knowledge_base=False,
                random_state=0,
            ).fit(X_train, y_train)
            losses = incumbent_test_losses(model, X_train, y_train, X_test, y_test)
            n_warm = int((model.trials_["origin"] == "warm-start").sum())
            rows = pd.DataFrame(
                [
                    {
                        "dataset": name,
                        "mode": mode,
                        "k": k,
                        "metric": model.metric_,
                        "test_loss": v,
                        "n_trials": len(model.trials_),
                        "n_warm_configs": n_warm,
                        "seconds": time.monotonic() - start,
                    }
                    for k, v in losses.items()
                ]
            )
            done = pd.concat([done, rows], ignore_index=True)
            done.to_csv(results_file, index=False)
            print(
                f"{name:<28} {mode}: " + "  ".join(f"@{k} {v:.4f}" for k, v in losses.items()),
                file=sys.stderr,
                flush=True,
            )
    return done


def summarize(results: pd.DataFrame) -> str:
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    ranks = table.rank(axis=1, method="average").mean()
    lines = ["| setting | mean rank (1 best, of 8) | mean test loss |", "|---|---|---|"]
    for col in table.columns:
        lines.append(f"| {col[0]}@{col[1]} | {ranks[col]:.2f} | {table[col].mean():.4f} |")
    if ("warm", 10) in table and ("cold", 50) in table:
        pair = table[[("warm", 10), ("cold", 50)]].dropna()
        wins = int((pair[("warm", 10)] <= pair[("cold", 50)] + 1e-12).sum())
        lines.append("")
        lines.append(
            f"warm@10 at least as good as cold@50 on {wins} of {len(pair)} datasets; "
            f"mean test loss warm@10 {pair[('warm', 10)].mean():.4f} vs "
            f"cold@50 {pair[('cold', 50)].mean():.4f}."
        )
    per = table.copy()
    per.columns = [f"{m}@{k}" for m, k in per.columns]
    lines += [
        "",
        "Per dataset (test loss: 1-AUC for binary, log loss for multiclass):",
        "",
        to_markdown(per.round(4)),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument(
        "--datasets-file", default=str(HERE / "suites" / "pmlb-classification-sample.txt")
    )
    parser.add_argument("--max-rows", type=int, default=12_000)
    parser.add_argument("--trial-limit", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    parser.add_argument("--out", default="bench-results/warm-vs-cold")
    args = parser.parse_args(argv)
    results = run(args)
    summary = summarize(results)
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
