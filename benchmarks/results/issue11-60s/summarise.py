"""Summarise the issue-11 60 s runs: automl (several versions) against LightGBM's and a random
forest's defaults and any peer (FLAML, AutoGluon) the folders hold. Usage: python summarise.py RESULTS_DIR [RESULTS_DIR ...] [SUMMARY.md] [--without SYSTEM] > summary.md
(each a `automl bench run --out` folder, or an earlier summary whose per-dataset table gives the
peers' losses; a system name gets the folder's name as suffix when
several folders hold it)."""

import glob
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def from_summary(path: str) -> pd.DataFrame:
    """Every system's losses read back from an earlier summary's per-dataset table (4 decimals),
    as job rows: for runs whose raw folders are gone."""
    lines = Path(path).read_text().split("## Per dataset")[1].strip().splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
        for system in header[3:]:
            value = float(cells[system])
            rows.append(
                {
                    "dataset": cells["dataset"],
                    "system": system,
                    "metric": cells["metric"],
                    "n_train": int(cells["n_train"]),
                    "higher_is_better": False,
                    "score": value,  # already a loss
                    "train_time": np.nan,
                    "run": Path(path).stem,
                }
            )
    return pd.DataFrame(rows)


TOL = 1e-4  # losses closer than this are ties


def goal_masks(loss: pd.DataFrame, system: str, multiclass: pd.Series):
    """Per dataset, for the issue's goals: ``system`` worse than both LightGBM's and the
    forest's defaults; multiclass and above 1.5x the better of them (+0.01); better than
    LightGBM's defaults."""
    worse = (loss[system] > loss["lightgbm"] + TOL) & (loss[system] > loss["random-forest"] + TOL)
    better = loss[["lightgbm", "random-forest"]].min(axis=1)
    blow = (loss[system] > 1.5 * better + 0.01) & multiclass
    beats = loss[system] < loss["lightgbm"] - TOL
    return worse, blow, beats


def main() -> None:
    args = sys.argv[1:]
    without = {args[i + 1] for i, a in enumerate(args) if a == "--without"}
    args = [
        a for i, a in enumerate(args) if a != "--without" and (i == 0 or args[i - 1] != "--without")
    ]
    frames = []
    for arg in args:
        if arg.endswith(".md"):
            frames.append(from_summary(arg))
            continue
        f = pd.concat(pd.read_parquet(p) for p in glob.glob(f"{arg}/jobs/*.parquet"))
        f["run"] = Path(arg).name
        frames.append(f)
    jobs = pd.concat(frames)
    jobs = jobs[~jobs["system"].isin(without)]
    # Dataset names in a summary's table are cut at 40 characters.
    jobs["dataset"] = jobs["dataset"].str[:40]
    automl = jobs["system"].str.startswith("automl")
    unnamed = automl & ~jobs["system"].str.contains("@")  # a summary's are named already
    jobs.loc[unnamed, "system"] = jobs.loc[unnamed, "system"] + "@" + jobs.loc[unnamed, "run"]
    base = jobs[~automl].drop_duplicates(["dataset", "system"], keep="last")
    jobs = pd.concat([jobs[automl], base])
    jobs["loss"] = np.where(jobs["higher_is_better"], 1 - jobs["score"], jobs["score"])
    loss = jobs.pivot_table(index="dataset", columns="system", values="loss")
    meta = jobs.drop_duplicates("dataset").set_index("dataset")[["metric", "n_train"]]
    systems = [s for s in loss.columns if s.startswith("automl")]
    print(
        f"{len(loss)} datasets; loss = 1 - ROC AUC (binary) or log loss (multiclass), test third\n"
    )
    print(
        "| system | worse than both LGBM and RF | multiclass > 1.5x better of LGBM/RF | beats LGBM | mean rank | mean loss | failed | max train time (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    # A failed run (no score) ranks last on its dataset, as in the AutoML Benchmark.
    ranks = loss.fillna(np.inf).rank(axis=1, method="average").mean()
    multi = meta["metric"] == "log_loss"
    peers = [s for s in loss.columns if s not in systems]
    for s in [*systems, *sorted(peers, key=lambda s: s not in ("lightgbm", "random-forest"))]:
        worse_both, blow, beats = (mask.sum() for mask in goal_masks(loss, s, multi))
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


if __name__ == "__main__":
    main()
