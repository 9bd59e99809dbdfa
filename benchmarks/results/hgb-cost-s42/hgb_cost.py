"""HistGradientBoosting's cost against its defaults (session 42), from the repository root:

    python benchmarks/results/hgb-cost-s42/hgb_cost.py --time   # times the held-out settings
    python benchmarks/results/hgb-cost-s42/hgb_cost.py          # fits and checks the model

``--time`` fits 10 random settings of the family's space and its defaults on 5,000-row samples
of 6 PMLB tables of at least 5,000 rows (one thread, no CV) and writes ``holdout.csv``. Without
it: the least-squares exponents of learning rate and leaves on those settings, the error of
``automl._cost.size_factor`` on them, and on the knowledge base's matrix (its 28 classification
and 22 regression settings of the family on every table, against the defaults' time there) the
same error before (every setting at the defaults' cost) and after.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
PMLB = ROOT.parent / "shared" / "datasets" / "pmlb"

from automl._cost import size_factor  # noqa: E402


def hgb(rate, leaves, per_leaf) -> dict:
    return {
        "model": "gradient_boosting",
        "gradient_boosting:learning_rate": rate,
        "gradient_boosting:max_leaf_nodes": leaves,
        "gradient_boosting:min_samples_leaf": per_leaf,
    }


def time_settings() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    index = pd.read_csv(PMLB / "index.csv").set_index("name")
    big = index[(index.n_instances >= 5000) & (index.n_features <= 100)]
    rng = np.random.default_rng(0)
    rows = []
    for name in rng.choice(big.index, 6, replace=False):
        frame = pd.read_csv(PMLB / f"{name}.tsv.gz", sep="\t").sample(5000, random_state=0)
        X, y = frame.drop(columns="target"), frame["target"]
        classification = index.loc[name, "task"] == "classification"
        cls = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
        settings = [(0.1, 31, 20)] + [
            (
                float(np.exp(rng.uniform(np.log(0.01), 0))),
                int(np.exp(rng.uniform(np.log(3), np.log(2047)))),
                int(np.exp(rng.uniform(0, np.log(200)))),
            )
            for _ in range(10)
        ]
        for rate, leaves, per_leaf in settings:
            model = cls(
                learning_rate=rate,
                max_leaf_nodes=leaves,
                min_samples_leaf=per_leaf,
                max_iter=512,
                early_stopping=True,
                n_iter_no_change=10,
                random_state=0,
            )
            with threadpool_limits(1):
                start = time.perf_counter()
                model.fit(X, y)
                rows.append((name, rate, leaves, per_leaf, time.perf_counter() - start))
    columns = ["dataset", "lr", "leaves", "msl", "seconds"]
    pd.DataFrame(rows, columns=columns).to_csv(HERE / "holdout.csv", index=False)


def errors(actual: np.ndarray, predicted: np.ndarray) -> str:
    flat = np.abs(np.log2(actual))
    new = np.abs(np.log2(actual / predicted))
    return (
        f"mean |log2 error| {flat.mean():.2f} -> {new.mean():.2f}; under-predicted over 2x "
        f"{int((actual > 2).sum())} -> {int((actual > 2 * predicted).sum())} of {len(actual)}"
    )


def check() -> None:
    r = pd.read_csv(HERE / "holdout.csv")
    r["actual"] = r["seconds"] / r.groupby("dataset")["seconds"].transform("first")
    r = r[r.groupby("dataset").cumcount() > 0]  # each table's first row is its defaults
    leaves = np.minimum(r["leaves"], 4500 / r["msl"])  # 90% of 5,000 rows: early stopping's
    X = np.column_stack([np.ones(len(r)), np.log(r["lr"] / 0.1), np.log(leaves / 31)])
    coef, *_ = np.linalg.lstsq(X, np.log(r["actual"]), rcond=None)
    print(
        f"held-out fit: intercept {coef[0]:.3f}, learning rate {coef[1]:.3f}, leaves {coef[2]:.3f}"
    )
    predicted = np.array([size_factor(hgb(*s), 4500) for s in zip(r.lr, r.leaves, r.msl)])
    print("held-out settings (in sample):", errors(r["actual"].to_numpy(), predicted))

    from knowledge_base import KnowledgeBase
    from metalearning.portfolio import PerformanceMatrix

    kb = KnowledgeBase(None, read_only_paths=[str(ROOT / "knowledge_base" / "data")])
    for kind in ("classification", "regression"):
        m = PerformanceMatrix.from_knowledge_base(kb, kind)
        family = [i for i, c in enumerate(m.candidates) if c["model"] == "gradient_boosting"]
        default = [i for i in family if m.candidates[i] == {**m.candidates[i], **hgb(0.1, 31, 20)}]
        for least in (0.0, 1.0, 3.0):
            actual, predicted = [], []
            for d in range(len(m.dataset_ids)):
                base = m.fit_times[d, default[0]]
                for i in family:
                    t = m.fit_times[d, i]
                    if i != default[0] and np.isfinite(t) and np.isfinite(base) and t >= least:
                        actual.append(t / base)
                        predicted.append(size_factor(m.candidates[i], m.n_rows[d] * 2 / 3))
            print(
                f"matrix, {kind}, settings taking {least:g} s or more:",
                errors(np.array(actual), np.array(predicted)),
            )


if __name__ == "__main__":
    time_settings() if "--time" in sys.argv else check()
