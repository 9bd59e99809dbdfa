"""Before/after table of the cost-before-running spot check (run from the repository root)."""

import glob

import pandas as pd

VERSIONS = {
    "before": "before (3acf58d)",
    "after": "share 0.25",
    "after-cv": "shipped (share 2)",
}
rows = []
for folder, label in VERSIONS.items():
    for f in glob.glob(f"benchmarks/results/cost-spot/{folder}/jobs/*.parquet"):
        d = pd.read_parquet(f)
        d["system"] = d["system"].where(d["system"] != "automl-loo", f"automl {label}")
        rows.append(d)
d = pd.concat(rows)
d["dataset"] = d["dataset"].str.slice(0, 16)
pd.set_option("display.width", 250)
pd.set_option("display.max_columns", 20)
for value in ("score", "n_trials", "train_time"):
    print(d.pivot_table(index=["dataset", "metric"], columns="system", values=value).round(4))
    print()
