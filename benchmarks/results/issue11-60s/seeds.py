"""The issue-11 goals over several splits, all from run folders: automl against LightGBM's and a
random forest's defaults, per split and on the mean over the splits, and whether XGBoost's
defaults add anything to LightGBM's and CatBoost's.

Usage: python seeds.py DIR [DIR ...] > summary.md
(each DIR an `automl bench run --seed S --out DIR` folder; a job's split is its seed, so one
folder may hold several seeds and a seed may be spread over folders)."""

import glob
import sys

import numpy as np
import pandas as pd
from summarise import TOL, goal_masks

CORE = ("automl", "lightgbm", "random-forest")
BOOSTING = ("lightgbm", "catboost", "xgboost")


def read(folders: list[str]) -> pd.DataFrame:
    jobs = pd.concat(
        pd.read_parquet(p) for folder in folders for p in glob.glob(f"{folder}/jobs/*.parquet")
    )
    failed = jobs[jobs["status"] != "success"]
    for row in failed.itertuples():
        print(f"- failed: {row.dataset} {row.system} seed {row.seed}: {row.status}\n")
    jobs = jobs[jobs["status"] == "success"]
    return pd.DataFrame(
        {
            "dataset": jobs["dataset"].to_numpy(),
            "n_train": jobs["n_train"].to_numpy(),
            "metric": jobs["metric"].to_numpy(),
            "split": jobs["seed"].to_numpy(),
            "system": jobs["system"].str.replace("automl-loo", "automl").to_numpy(),
            "loss": np.where(jobs["higher_is_better"], 1 - jobs["score"], jobs["score"]),
        }
    )


def goals_line(label: str, loss: pd.DataFrame, multiclass: pd.Series) -> str:
    worse, blow, beats = goal_masks(loss, "automl", multiclass.reindex(loss.index))
    names = ", ".join(loss.index[worse])
    return (
        f"| {label} | {int(worse.sum())} ({names}) | {int(blow.sum())} of "
        f"{int(multiclass.reindex(loss.index).sum())} | {int(beats.sum())}/{len(loss)} |"
    )


def main(folders: list[str]) -> None:
    runs = read(folders)
    systems = [s for s in (*CORE, "catboost", "xgboost") if s in set(runs["system"])]
    meta = runs.drop_duplicates("dataset").set_index("dataset")
    multiclass = meta["metric"] == "log_loss"
    splits = sorted(runs["split"].unique())
    print(
        f"{meta.shape[0]} datasets, splits (seeds) {', '.join(map(str, splits))}; loss = 1 - "
        "ROC AUC (binary) or log loss (multiclass) on the test third\n"
    )
    print(
        "| splits | worse than both LGBM and RF | multiclass > 1.5x better of LGBM/RF |"
        " beats LGBM |"
    )
    print("|---|---|---|---|")
    for split in splits:
        loss = runs[runs["split"] == split].pivot_table(
            index="dataset", columns="system", values="loss"
        )
        print(goals_line(f"split {split}", loss[list(CORE)].dropna(), multiclass))
    counts = runs.pivot_table(index="dataset", columns="system", values="loss", aggfunc="size")
    mean = runs.pivot_table(index="dataset", columns="system", values="loss", aggfunc="mean")
    # The mean over the splits where every core system finished.
    complete = counts[list(CORE)].min(axis=1) == counts[list(CORE)].max(axis=1)
    mean = mean[complete]
    several = counts[list(CORE)].min(axis=1)[complete] > 1
    print(goals_line("mean of the splits", mean[list(CORE)].dropna(), multiclass))
    if several.any() and not several.all():
        print(goals_line("mean, tables with several splits", mean[several][list(CORE)], multiclass))
    ranked = mean[systems].dropna()
    ranks = ranked.rank(axis=1).mean()
    print(
        "\nMean rank on the mean loss ("
        + str(len(ranked))
        + " datasets): "
        + ", ".join(f"{s} {ranks[s]:.2f}" for s in systems)
        + "\n"
    )
    if {"catboost", "xgboost"} <= set(systems):
        boost = mean[[*BOOSTING, "automl"]].dropna()
        others = boost[["lightgbm", "catboost"]].min(axis=1)
        ahead = boost["xgboost"] < others - TOL
        margin = (others - boost["xgboost"])[ahead]
        print("## Does XGBoost add anything? (defaults, mean over the splits)\n")
        print(
            f"- XGBoost's defaults ahead of both LightGBM's and CatBoost's: {int(ahead.sum())} "
            f"of {len(boost)}"
            + (
                f" ({', '.join(f'{n} by {m:.4f}' for n, m in margin.items())})"
                if ahead.any()
                else ""
            )
        )
        for s in BOOSTING:
            print(
                f"- {s}'s defaults ahead of automl: {int((boost[s] < boost['automl'] - TOL).sum())}"
            )
        wins = boost[list(BOOSTING)].idxmin(axis=1).value_counts()
        print(f"- best of the three defaults: {', '.join(f'{k} {v}' for k, v in wins.items())}\n")
    print("## Per dataset (mean over the splits; each split in brackets)\n")
    print("| dataset | n_train | metric | " + " | ".join(systems) + " |")
    print("|---" * (3 + len(systems)) + "|")
    each_split = runs.sort_values("split").groupby(["dataset", "system"])["loss"].apply(list)
    for name in mean.sort_values("dataset").index:
        cells = []
        for s in systems:
            values = each_split.get((name, s), [])
            each = ", ".join(f"{v:.3f}" for v in values)
            cells.append(
                f"{mean.loc[name, s]:.4f} ({each})"
                if len(values) > 1
                else f"{mean.loc[name, s]:.4f}"
            )
        print(
            f"| {name} | {meta.loc[name, 'n_train']} | {meta.loc[name, 'metric']} | "
            + " | ".join(cells)
            + " |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
