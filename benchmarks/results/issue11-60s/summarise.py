"""Summarise the issue-11 60 s runs: automl (several versions) against LightGBM's and a random
forest's defaults and any peer (FLAML, AutoGluon) the folders hold. Usage: python summarise.py RESULTS_DIR [RESULTS_DIR ...] > summary.md
(each a `automl bench run --out` folder; a system name gets the folder's name as suffix when
several folders hold it)."""

import glob
import sys
from pathlib import Path

import numpy as np
import pandas as pd

frames = []
for folder in sys.argv[1:]:
    f = pd.concat(pd.read_parquet(p) for p in glob.glob(f"{folder}/jobs/*.parquet"))
    f["run"] = Path(folder).name
    frames.append(f)
jobs = pd.concat(frames)
automl = jobs["system"].str.startswith("automl")
jobs.loc[automl, "system"] = jobs.loc[automl, "system"] + "@" + jobs.loc[automl, "run"]
base = jobs[~automl].drop_duplicates(["dataset", "system"], keep="last")
jobs = pd.concat([jobs[automl], base])
jobs["loss"] = np.where(jobs["higher_is_better"], 1 - jobs["score"], jobs["score"])
loss = jobs.pivot_table(index="dataset", columns="system", values="loss")
meta = jobs.drop_duplicates("dataset").set_index("dataset")[["metric", "n_train"]]
systems = [s for s in loss.columns if s.startswith("automl")]
print(f"{len(loss)} datasets; loss = 1 - ROC AUC (binary) or log loss (multiclass), test third\n")
print(
    "| system | worse than both LGBM and RF | multiclass > 1.5x better of LGBM/RF | beats LGBM | mean rank | mean loss | failed | max train time (s) |"
)
print("|---|---|---|---|---|---|---|---|")
# A failed run (no score) ranks last on its dataset, as in the AutoML Benchmark.
ranks = loss.fillna(np.inf).rank(axis=1, method="average").mean()
better = loss[["lightgbm", "random-forest"]].min(axis=1)
multi = meta["metric"] == "log_loss"
peers = [s for s in loss.columns if s not in systems]
for s in [*systems, *sorted(peers, key=lambda s: s not in ("lightgbm", "random-forest"))]:
    tol = 1e-4
    worse_both = (
        (loss[s] > loss["lightgbm"] + tol) & (loss[s] > loss["random-forest"] + tol)
    ).sum()
    blow = ((loss[s] > 1.5 * better + 0.01) & multi).sum()
    beats = (loss[s] < loss["lightgbm"] - tol).sum()
    tt = jobs[jobs["system"] == s]["train_time"].max()
    print(
        f"| {s} | {worse_both} | {blow} of {multi.sum()} | {beats}/{len(loss)} | {ranks[s]:.2f} | {loss[s].mean():.4f} | {int(loss[s].isna().sum())} | {tt:.1f} |"
    )
if len(systems) == 2:
    a, b = sorted(systems)
    d = loss[a] - loss[b]
    print(
        f"\n{a} vs {b}: better {int((d < -1e-4).sum())}, tied {int((d.abs() <= 1e-4).sum())}, worse {int((d > 1e-4).sum())}"
    )
print("\n## Per dataset\n")
table = loss.join(meta).sort_values("n_train")
cols = ["n_train", "metric", *list(loss.columns)]
print("| dataset | " + " | ".join(cols) + " |")
print("|" + "---|" * (len(cols) + 1))
for name, row in table.iterrows():
    vals = [str(int(row["n_train"])), row["metric"]] + [f"{row[c]:.4f}" for c in loss.columns]
    print(f"| {name[:40]} | " + " | ".join(vals) + " |")
