"""The issue-11 goals over three splits instead of one: automl against LightGBM's and a random
forest's defaults, per split and on the mean over the splits.

Usage: python splits.py SUMMARY.md SYSTEM SEED1_DIR SEED2_DIR > summary-splits.md
(SUMMARY.md's per-dataset table gives split 0: its SYSTEM, lightgbm and random-forest columns;
each SEED_DIR is an `automl bench run --seed S --out` folder holding automl-loo, lightgbm and
random-forest on the same datasets)."""

import glob
import sys

import numpy as np
import pandas as pd
from summarise import from_summary, goal_masks

SYSTEMS = ("automl", "lightgbm", "random-forest")


def split_zero(path: str, system: str) -> pd.DataFrame:
    jobs = from_summary(path)
    names = {system: "automl", "lightgbm": "lightgbm", "random-forest": "random-forest"}
    jobs = jobs[jobs["system"].isin(names)]
    return pd.DataFrame(
        {
            "dataset": jobs["dataset"],
            "metric": jobs["metric"],
            "split": 0,
            "system": jobs["system"].map(names),
            "loss": jobs["score"],  # a summary's scores are losses already
        }
    )


def split_run(folder: str, split: int) -> pd.DataFrame:
    jobs = pd.concat(pd.read_parquet(p) for p in glob.glob(f"{folder}/jobs/*.parquet"))
    jobs = jobs[jobs["status"] == "success"]
    loss = np.where(jobs["higher_is_better"], 1 - jobs["score"], jobs["score"])
    system = jobs["system"].str.replace("automl-loo", "automl")
    return pd.DataFrame(
        {
            "dataset": jobs["dataset"].str[:40],
            "metric": jobs["metric"],
            "split": split,
            "system": system,
            "loss": loss,
        }
    )


def goals(loss: pd.DataFrame, multiclass: pd.Series) -> tuple[int, int, int, list[str]]:
    """Worse than both defaults, multiclass above 1.5x the better (+0.01), better than
    LightGBM's, and the names of the first."""
    worse, blow, beats = goal_masks(loss, "automl", multiclass)
    return int(worse.sum()), int(blow.sum()), int(beats.sum()), list(loss.index[worse])


summary, system, *folders = sys.argv[1:]
frames = [split_zero(summary, system)]
frames += [split_run(folder, i + 1) for i, folder in enumerate(folders)]
runs = pd.concat(frames)
datasets = set.intersection(*(set(f["dataset"]) for f in frames[1:]))
runs = runs[runs["dataset"].isin(datasets)]
metric = runs.drop_duplicates("dataset").set_index("dataset")["metric"]
multiclass = metric == "log_loss"
n_splits = runs["split"].nunique()
print(
    f"{len(datasets)} datasets, {n_splits} splits each (2/3-1/3, stratified, seeds 0 to "
    f"{n_splits - 1}); loss = 1 - ROC AUC (binary) or log loss (multiclass) on the test third\n"
)
print("| splits | worse than both LGBM and RF | multiclass > 1.5x better of LGBM/RF | beats LGBM |")
print("|---|---|---|---|")
for split in range(n_splits):
    loss = runs[runs["split"] == split].pivot_table(
        index="dataset", columns="system", values="loss"
    )
    worse, blow, beats, names = goals(loss, multiclass.reindex(loss.index))
    print(
        f"| split {split} | {worse} ({', '.join(names)}) | {blow} of {int(multiclass.sum())} | "
        f"{beats}/{len(loss)} |"
    )
mean = runs.pivot_table(index="dataset", columns="system", values="loss", aggfunc="mean")
complete = runs.groupby(["dataset", "system"]).size().unstack().min(axis=1) == n_splits
mean = mean[complete.reindex(mean.index)]
worse, blow, beats, names = goals(mean, multiclass.reindex(mean.index))
print(
    f"| mean of the splits | {worse} ({', '.join(names)}) | {blow} of "
    f"{int(multiclass.reindex(mean.index).sum())} | {beats}/{len(mean)} |"
)
ranks = mean[list(SYSTEMS)].rank(axis=1).mean()
print(
    f"\nMean rank of the three on the mean loss: automl {ranks['automl']:.2f}, LightGBM "
    f"{ranks['lightgbm']:.2f}, random forest {ranks['random-forest']:.2f}.\n"
)
print("## Per dataset (mean over the splits; each split in brackets)\n")
print("| dataset | metric | automl | lightgbm | random-forest |")
print("|---|---|---|---|---|")
for name in mean.index:
    cells = []
    for s in SYSTEMS:
        values = runs[(runs["dataset"] == name) & (runs["system"] == s)].sort_values("split")
        each = ", ".join(f"{v:.3f}" for v in values["loss"])
        cells.append(f"{mean.loc[name, s]:.4f} ({each})")
    print(f"| {name} | {metric[name]} | " + " | ".join(cells) + " |")
