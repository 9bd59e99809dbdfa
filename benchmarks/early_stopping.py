"""Early stopping inside each fold for LightGBM and CatBoost, against a fixed number of trees.

For each PMLB dataset with at least ``--min-rows`` rows (at most ``--max-rows`` rows kept, a
seeded sample), each boosting configuration below is scored by 3-fold CV (the trial's own
evaluation, :func:`automl.evaluate`, one thread) twice: with early stopping (the shipped
behaviour, :mod:`automl.components._early_stopping`) and without it (the configuration with
``<family>:early_stopping: False``: every round run on every training row). Written:
``results.csv`` (loss and fit time per dataset, configuration and variant) and ``summary.md``
(per configuration: mean loss ratio, W/T/L, time ratio).

    python benchmarks/early_stopping.py --out benchmarks/results/early-stopping
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from automl import (
    EARLY_STOPPING_MIN_ROWS,
    EvaluationSpec,
    Task,
    evaluate,
    get_metric,
    infer_column_types,
    make_splits,
    normalize_frame,
    read_table,
)
from benchmarks.report import to_markdown

HERE = Path(__file__).resolve().parent
SHARED_PMLB = HERE.parent.parent / "shared" / "datasets" / "pmlb"

LIGHTGBM = {
    "lightgbm:colsample_bytree": 1.0,
    "lightgbm:learning_rate": 0.1,
    "lightgbm:min_child_samples": 20,
    "lightgbm:n_estimators": 100,
    "lightgbm:num_leaves": 31,
    "lightgbm:reg_alpha": 1e-10,
    "lightgbm:reg_lambda": 1e-10,
    "lightgbm:subsample": 1.0,
    "model": "lightgbm",
}
CATBOOST = {
    "catboost:depth": 6,
    "catboost:iterations": 500,
    "catboost:l2_leaf_reg": 3.0,
    "catboost:learning_rate": 0.08,
    "catboost:random_strength": 1.0,
    "model": "catboost",
}
CONFIGS = {
    "lightgbm-defaults": LIGHTGBM,
    "lightgbm-1000x0.05": {
        **LIGHTGBM,
        "lightgbm:n_estimators": 1000,
        "lightgbm:learning_rate": 0.05,
    },
    "lightgbm-500x0.2-128": {
        **LIGHTGBM,
        "lightgbm:n_estimators": 500,
        "lightgbm:learning_rate": 0.2,
        "lightgbm:num_leaves": 128,
    },
    "catboost-defaults": CATBOOST,
}


def load(path: Path, max_rows: int, kind: str):
    frame = read_table(path)
    if len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=0)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    if kind == "classification":
        y = np.unique(y, return_inverse=True)[1]
        task = Task.BINARY if y.max() == 1 else Task.MULTICLASS
    else:
        task, y = Task.REGRESSION, y.astype(float)
    columns = infer_column_types(X)
    return normalize_frame(X, columns), y, task, columns


def run(args) -> pd.DataFrame:
    index = pd.read_csv(Path(args.pmlb) / "index.csv")
    index = index[index["n_instances"] >= args.min_rows].sort_values("name")
    rows = []
    for _, entry in index.iterrows():
        X, y, task, columns = load(
            Path(args.pmlb) / f"{entry['name']}.tsv.gz", args.max_rows, entry["task"]
        )
        metric = get_metric(None, task)
        spec = EvaluationSpec(
            task,
            metric.name,
            columns,
            make_splits(y, task, 3, 0),
            int(y.max()) + 1 if task.is_classification else 0,
            1,
            0,
        )
        for name, config in CONFIGS.items():
            all_rounds = {**config, f"{config['model']}:early_stopping": False}
            for variant, evaluated in (("early-stopping", config), ("all-rounds", all_rounds)):
                start = time.perf_counter()
                outcome = evaluate(evaluated, X, y, spec)
                wall = time.perf_counter() - start
                rows.append((entry["name"], len(y), task.value, name, variant, outcome.loss, wall))
                print(*rows[-1], flush=True)
    return pd.DataFrame(
        rows, columns=["dataset", "n_rows", "task", "config", "variant", "loss", "seconds"]
    )


def summarize(results: pd.DataFrame) -> str:
    wide = results.pivot_table(
        index=["dataset", "config"], columns="variant", values=["loss", "seconds"]
    )
    loss_es, loss_all = wide["loss"]["early-stopping"], wide["loss"]["all-rounds"]
    tol = 1e-4 * np.maximum(loss_all.abs(), 1e-12)
    table = pd.DataFrame(
        {
            "datasets": loss_es.groupby(level="config").size(),
            "wins": (loss_es < loss_all - tol).groupby(level="config").sum(),
            "ties": ((loss_es - loss_all).abs() <= tol).groupby(level="config").sum(),
            "losses": (loss_es > loss_all + tol).groupby(level="config").sum(),
            "geo. mean loss ratio (ES / all)": np.exp(
                np.log(loss_es / loss_all).groupby(level="config").mean()
            ),
            "worst loss ratio": (loss_es / loss_all).groupby(level="config").max(),
            "time ratio (sum ES / sum all)": wide["seconds"]["early-stopping"]
            .groupby(level="config")
            .sum()
            / wide["seconds"]["all-rounds"].groupby(level="config").sum(),
        }
    )
    lines = [
        "# Early stopping inside each fold against all rounds",
        "",
        "Written by `python benchmarks/early_stopping.py` (see its docstring). Loss: 1 - AUC "
        "(binary), log loss (multiclass), RMSE (regression), 3-fold CV; W/T/L counts early "
        "stopping's wins.",
        "",
        to_markdown(table.round(4)),
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmlb", default=str(SHARED_PMLB))
    parser.add_argument("--out", default=str(HERE / "results" / "early-stopping"))
    parser.add_argument("--min-rows", type=int, default=EARLY_STOPPING_MIN_ROWS)
    parser.add_argument("--max-rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = run(args)
    results.to_csv(out / "results.csv", index=False)
    summary = summarize(results)
    (out / "summary.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
