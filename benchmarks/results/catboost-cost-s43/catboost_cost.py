"""CatBoost's cost on the data's shape (session 43), from the repository root:

    python benchmarks/results/catboost-cost-s43/catboost_cost.py --time   # re-times grid.csv
    python benchmarks/results/catboost-cost-s43/catboost_cost.py          # fits and checks

``--time`` fits CatBoost's defaults as the component sets them (depth 6, learning rate 0.08,
BORDER_COUNT borders, one thread, no early stopping) for 100 rounds, best of two, on a grid of
shapes: 60 to 40,000 rows, 3 to 300 features, continuous (regression and binary) or 9-valued,
and writes the time scaled to 500 rounds to ``grid.csv``. Without it: the least-squares
constants of ``automl._cost.catboost_default_seconds`` on the grid, the shipped function's error
there, and its error on the knowledge base's regression matrix (CatBoost's defaults on every
table, 3-fold CV on at most 1,000 rows, in CPU seconds): against its own prediction, and the
CatBoost-to-LightGBM ratio against FAMILY_COST's flat 12.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
PMLB = ROOT.parent / "shared" / "datasets" / "pmlb"

from automl._cost import (  # noqa: E402
    FAMILY_COST,
    MAX_BINS,
    catboost_default_seconds,
    lightgbm_default_seconds,
)
from automl.components.catboost import BORDER_COUNT  # noqa: E402

ROUNDS = 100


def time_grid() -> None:
    from catboost import CatBoostClassifier, CatBoostRegressor

    rng = np.random.default_rng(0)
    rows = []
    for n in [60, 130, 300, 700, 1500, 4000, 12000, 40000]:
        for p in [3, 8, 20, 50, 120, 300]:
            for kind in ["reg", "bin", "lowcard"]:
                if n * p > 3e6:
                    continue
                X = rng.normal(size=(n, p))
                if kind == "lowcard":
                    X = np.round(X * 2)  # about 9 distinct values per feature
                y = X[:, 0] + rng.normal(size=n)
                options = dict(
                    iterations=ROUNDS,
                    learning_rate=0.08,
                    depth=6,
                    border_count=BORDER_COUNT,
                    thread_count=1,
                    verbose=False,
                    allow_writing_files=False,
                    random_seed=0,
                )
                cls = CatBoostRegressor
                if kind == "bin":
                    cls, y = CatBoostClassifier, (y > 0).astype(int)
                    options["loss_function"] = "Logloss"
                borders = sum(min(BORDER_COUNT, len(np.unique(X[:, j])) - 1) for j in range(p))
                best = np.inf
                for _ in range(2):
                    start = time.perf_counter()
                    cls(**options).fit(X, y)
                    best = min(best, time.perf_counter() - start)
                rows.append(dict(n=n, p=p, kind=kind, borders=borders, seconds500=best * 5))
                print(rows[-1], flush=True)
    pd.DataFrame(rows).to_csv(HERE / "grid.csv", index=False)


def fit_grid() -> None:
    grid = pd.read_csv(HERE / "grid.csv")
    design = np.column_stack([np.ones(len(grid)), grid.p, grid.borders, grid.n * grid.p, grid.n])
    weights = 1 / grid.seconds500.to_numpy()
    coef, _ = nnls(design * weights[:, None], np.ones(len(grid)))
    print("least squares: fixed, per feature, per border, per cell, per row:", coef)
    shipped = [catboost_default_seconds(r.n, r.p, r.borders) for r in grid.itertuples()]
    ratio = grid.seconds500 / np.array(shipped)
    print(
        f"shipped function on the grid's {len(grid)} shapes: time taken / predicted "
        f"{ratio.min():.2f} to {ratio.max():.2f}, median {ratio.median():.2f}"
    )


def check_matrix() -> None:
    from knowledge_base import KnowledgeBase
    from knowledge_base.paths import shipped_path
    from metalearning.portfolio import PerformanceMatrix

    kb = KnowledgeBase(None, read_only_paths=[shipped_path()])
    m = PerformanceMatrix.from_knowledge_base(kb, "regression")
    cb = next(
        i
        for i, c in enumerate(m.candidates)
        if c.get("catboost:iterations") == 500 and c.get("catboost:learning_rate") == 0.08
    )
    lg = next(
        i
        for i, c in enumerate(m.candidates)
        if c["model"] == "lightgbm"
        and c.get("lightgbm:n_estimators") == 100
        and c.get("lightgbm:num_leaves") == 31
        and c.get("lightgbm:learning_rate") == 0.1
    )
    rows = []
    for r, name in enumerate(m.names):
        frame = pd.read_csv(PMLB / f"{name}.tsv.gz", sep="\t").drop(columns="target")
        frame = frame.sample(min(len(frame), int(m.n_rows[r])), random_state=0)
        train = frame.sample(int(m.n_rows[r] * (m.folds - 1) / m.folds), random_state=1)
        distinct = train.nunique().to_numpy()
        n, p = len(train), train.shape[1]
        bins = float(np.minimum(MAX_BINS, np.maximum(distinct, 1)).sum())
        borders = float(np.minimum(BORDER_COUNT, np.maximum(distinct, 1)).sum())
        rows.append(
            dict(
                name=name,
                catboost=m.fit_times[r, cb],
                lightgbm=m.fit_times[r, lg],
                predicted=m.folds * catboost_default_seconds(n, p, borders),
                model_ratio=catboost_default_seconds(n, p, borders)
                / lightgbm_default_seconds(n, p, 0, bins),
            )
        )
    d = pd.DataFrame(rows).dropna()
    err = np.log2(d.predicted / d.catboost)
    print(
        f"regression matrix, {len(d)} tables ({m.cost}): CatBoost's defaults against "
        f"catboost_default_seconds: mean |log2| {err.abs().mean():.2f}, median time taken / "
        f"predicted {np.exp2(-err).median():.2f}, under-predicted over 2x {(err < -1).sum()}, "
        f"over 2x {(err > 1).sum()}"
    )
    actual = d.catboost / d.lightgbm
    for label, predicted in (
        ("flat FAMILY_COST", FAMILY_COST["catboost"] + 0 * d.model_ratio),
        ("shape model", d.model_ratio),
    ):
        e = np.log2(predicted / actual)
        print(
            f"  CatBoost / LightGBM ratio ({actual.min():.1f} to {actual.max():.1f}), {label}: "
            f"mean |log2| {e.abs().mean():.2f}, under over 2x {(e < -1).sum()}, "
            f"over 2x {(e > 1).sum()}"
        )


if __name__ == "__main__":
    if "--time" in sys.argv:
        time_grid()
    fit_grid()
    check_matrix()
