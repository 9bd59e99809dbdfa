"""Warm start against cold start, leave-one-dataset-out, by number of trials.

For each dataset: one outer stratified split (2/3 train, 1/3 test, seed 0); the estimator is fitted
on the train part with ``n_trials=50`` once per mode: ``warm`` (the default: the warm-start
configurations run first, as auto-sklearn does), ``warm+transfer`` (``transfer=True``: the nearest
datasets' other results are also told to SMAC) and ``cold`` (``warm_start=False``). Warm modes use
``leave_one_out=True``: the dataset, its exact duplicates and near-identical meta-features are
hidden from the knowledge base. For k in 5, 10, 25, 50 the incumbent among the first k trials
(lowest validation loss) is refitted on the train part and scored on the test part. Written: a CSV
with one row per (dataset, mode, k), and a Markdown summary (mean rank of the settings, how often
warm@10 is at least as good as cold@50, mean test loss).

    python benchmarks/warm_vs_cold.py --out bench-results/warm-vs-cold
    # all PMLB classification datasets up to 2000 rows, in a seeded order, on two processes:
    python benchmarks/warm_vs_cold.py --all --max-rows 2000 --shard 0/2 --out OUT &
    python benchmarks/warm_vs_cold.py --all --max-rows 2000 --shard 1/2 --out OUT
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier, AutoMLRegressor
from automl._columns import normalize_frame
from automl._evaluation import predict_pipeline
from automl._space import make_pipeline
from automl._task import METRICS
from benchmarks.plots import plot_by_trials
from benchmarks.report import to_markdown

CHECKPOINTS = (5, 10, 25, 50)
MODES = ("warm", "warm+transfer", "cold")
HERE = Path(__file__).resolve().parent


def incumbent_test_losses(model, X_train, y_train, X_test, y_test) -> dict[int, float]:
    """Test loss of the best-by-validation trial among the first k, for each checkpoint."""
    trials = model.trials_.sort_values("trial")
    metric = METRICS[model.metric_]
    columns = model._columns
    train = normalize_frame(X_train.set_axis(list(columns.names), axis=1), columns)
    test = normalize_frame(X_test.set_axis(list(columns.names), axis=1), columns)
    if model.task_.is_classification:
        classes = list(model.classes_)
        y_tr = np.array([classes.index(v) for v in y_train])
        y_te = np.array([classes.index(v) if v in classes else -1 for v in y_test])
        keep, labels = y_te >= 0, np.arange(len(classes))
    else:
        classes, labels = [], None
        y_tr, y_te = np.asarray(y_train, float), np.asarray(y_test, float)
        keep = np.ones(len(y_te), bool)
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
            cache[best["trial"]] = metric.loss(y_te[keep], proba[keep], labels)
        out[k] = cache[best["trial"]]
    return out


def run(args) -> pd.DataFrame:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shard, n_shards = (int(v) for v in args.shard.split("/"))
    results_file = out / f"results-{shard}of{n_shards}.csv"
    mine = pd.read_csv(results_file) if results_file.exists() else pd.DataFrame()
    # Any results file in the folder counts as done (other shards, earlier runs of a mode).
    done = _read_results(out)
    index = pd.read_csv(Path(args.pmlb) / "index.csv").set_index("name")
    if args.all:
        names = list(index.index[index["task"] == args.task])
        names = [names[i] for i in np.random.default_rng(0).permutation(len(names))]
    else:
        names = [
            ln.strip()
            for ln in Path(args.datasets_file).read_text().splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
    names = [n for n in names if index.loc[n, "n_instances"] <= args.max_rows]
    for name in names[shard::n_shards]:
        frame = pd.read_csv(Path(args.pmlb) / f"{name}.tsv.gz", sep="\t")
        X, y = frame.drop(columns="target"), frame["target"]
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=1 / 3,
            random_state=0,
            stratify=y if args.task == "classification" and y.value_counts().min() >= 2 else None,
        )
        for mode in args.modes.split(","):
            if len(done) and ((done["dataset"] == name) & (done["mode"] == mode)).any():
                continue
            start = time.monotonic()
            estimator = AutoMLClassifier if args.task == "classification" else AutoMLRegressor
            model = estimator(
                time_budget=args.max_seconds,
                n_trials=max(CHECKPOINTS),
                ensemble_size=1,
                per_trial_time_limit=args.trial_limit,
                warm_start=mode != "cold",
                transfer=mode == "warm+transfer",
                leave_one_out=True,
                update_knowledge_base=False,
                random_state=0,
            ).fit(X_train, y_train)
            losses = incumbent_test_losses(model, X_train, y_train, X_test, y_test)
            n_warm = int((model.trials_["origin"] == "warm-start").sum())
            n_told = model.warm_start_.get("transfer", {}).get("told_to_optimizer", 0)
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
                        "n_told": n_told,
                        "seconds": time.monotonic() - start,
                    }
                    for k, v in losses.items()
                ]
            )
            done = pd.concat([done, rows], ignore_index=True)
            mine = pd.concat([mine, rows], ignore_index=True)
            mine.to_csv(results_file, index=False)
            print(
                f"{name:<28} {mode}: " + "  ".join(f"@{k} {v:.4f}" for k, v in losses.items()),
                file=sys.stderr,
                flush=True,
            )
    return done


def _read_results(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("results-*.csv"))
    return (
        pd.concat([pd.read_csv(f) for f in files], ignore_index=True) if files else pd.DataFrame()
    )


def summarize(results: pd.DataFrame) -> str:
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    table = table.dropna()  # datasets every setting finished
    ranks = table.rank(axis=1, method="average").mean()
    lines = [
        f"{len(table)} datasets.",
        "",
        f"| setting | mean rank (1 best, of {table.shape[1]}) | mean test loss |",
        "|---|---|---|",
    ]
    for col in table.columns:
        lines.append(f"| {col[0]}@{col[1]} | {ranks[col]:.2f} | {table[col].mean():.4f} |")
    lines.append("")
    pairs = [(("warm", 10), ("cold", 50)), (("warm+transfer", 10), ("cold", 50))]
    pairs += [(("warm+transfer", k), ("warm", k)) for k in CHECKPOINTS]
    for a, b in pairs:
        if a not in table or b not in table:
            continue
        wins = int((table[a] < table[b] - 1e-12).sum())
        ties = int((abs(table[a] - table[b]) <= 1e-12).sum())
        lines.append(
            f"- {a[0]}@{a[1]} vs {b[0]}@{b[1]}: better on {wins}, tied on {ties}, worse on "
            f"{len(table) - wins - ties} datasets; mean test loss {table[a].mean():.4f} vs "
            f"{table[b].mean():.4f}, median per-dataset difference "
            f"{(table[a] - table[b]).median():+.4f}."
        )
    per = table.copy()
    per.columns = [f"{m}@{k}" for m, k in per.columns]
    lines += [
        "",
        "Per dataset (test loss: 1-AUC for binary, log loss for multiclass, RMSE for regression):",
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
    parser.add_argument("--all", action="store_true", help="every PMLB dataset of --task")
    parser.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    parser.add_argument("--max-rows", type=int, default=12_000)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument(
        "--summarize-only", action="store_true", help="write the summary of what --out holds"
    )
    parser.add_argument("--shard", default="0/1", help="i/n: every n-th dataset from the i-th")
    parser.add_argument("--trial-limit", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    parser.add_argument("--out", default="bench-results/warm-vs-cold")
    args = parser.parse_args(argv)
    if not args.summarize_only:
        run(args)
    results = _read_results(Path(args.out))
    summary = summarize(results)
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    plot_by_trials(table.dropna(), Path(args.out) / "warm_vs_cold.png")
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
