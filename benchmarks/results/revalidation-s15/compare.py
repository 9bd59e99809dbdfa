"""automl with revalidation against session 14's runs of the same splits (and its baselines).

Usage: python compare.py NEW_DIR OLD_DIR OUT.csv (each DIR holds `automl bench run` folders
seed0..seed4; NEW_DIR's automl-loo jobs are compared with OLD_DIR's jobs of the same dataset
and seed)."""

import glob
import sys

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

TOL = 1e-4


def read(folder: str) -> pd.Series:
    d = pd.concat(pd.read_parquet(f) for f in glob.glob(f"{folder}/seed*/jobs/*.parquet"))
    d = d[d.status == "success"]
    d["loss"] = np.where(d.higher_is_better, 1 - d.score, d.score)
    return d.set_index(["dataset", "seed", "system"])["loss"]


new, old = read(sys.argv[1]), read(sys.argv[2])
rows = []
for (dataset, seed, _), loss in new.items():
    base = old.xs((dataset, seed), level=("dataset", "seed"))
    rows.append(
        dict(
            dataset=dataset,
            seed=seed,
            automl_revalidated=loss,
            automl_s14=base["automl-loo"],
            lightgbm=base.get("lightgbm"),
            random_forest=base.get("random-forest"),
            catboost=base.get("catboost"),
        )
    )
t = pd.DataFrame(rows).sort_values(["seed", "dataset"])
t.round(6).to_csv(sys.argv[3], index=False)
core = t[["lightgbm", "random_forest"]].min(axis=1)
new_l, old_l = t["automl_revalidated"], t["automl_s14"]
print(
    f"{len(t)} runs; revalidated better {(new_l < old_l - TOL).sum()}, worse {(new_l > old_l + TOL).sum()}"
)
print(
    f"mean loss {new_l.mean():.4f} against {old_l.mean():.4f}; Wilcoxon p {wilcoxon(new_l, old_l).pvalue:.3f}"
)
print(
    f"worse than both defaults: {(new_l > core + TOL).sum()} against {(old_l > core + TOL).sum()}"
)
print(
    f"better than LightGBM: {(new_l < t.lightgbm - TOL).sum()} against {(old_l < t.lightgbm - TOL).sum()}"
)
