"""How a kernel SVR's fitting time grows with its rows (session 55): the regression portfolio's
four distinct SVR settings on a standardised target, fitted on the first 500, 1,000, 2,000 and
4,000 training rows of three unseen tables (one-hot, standardised columns), timed.

    python -m benchmarks.rdatasets_tables --out TABLES
    python benchmarks/results/shaped-order-s55/svr_scaling.py --tables TABLES

writes ``svr-scaling.csv``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from benchmarks.warm_vs_cold import pmlb_split  # noqa: E402

TABLES = ("modeldata_Chicago", "Ecdat_Computers", "mosaicData_TenMileRace")
SETTINGS = ((1.0, 0.1), (41.6, 0.047), (82.5, 0.047), (18.0, 0.004))  # (C, gamma)
ROWS = (500, 1_000, 2_000, 4_000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", required=True)
    args = parser.parse_args()
    rows = []
    for name in TABLES:
        X_train, _, y_train, _ = pmlb_split(name, Path(args.tables), stratify=False, seed=1)
        X = StandardScaler().fit_transform(pd.get_dummies(X_train).astype(float).fillna(0))
        y = np.asarray(y_train, dtype=float)
        y = (y - y.mean()) / y.std()
        for C, gamma in SETTINGS:
            for n in (n for n in ROWS if n <= len(y)):
                start = time.perf_counter()
                SVR(C=C, gamma=gamma).fit(X[:n], y[:n])
                rows.append((name, C, gamma, n, time.perf_counter() - start))
    frame = pd.DataFrame(rows, columns=["table", "C", "gamma", "rows", "seconds"])
    frame.to_csv(HERE / "svr-scaling.csv", index=False)
    per_doubling = frame.groupby(["table", "C", "gamma"])["seconds"].apply(
        lambda s: (s / s.shift()).dropna()
    )
    print(
        f"per doubling of rows: median {per_doubling.median():.2f}, range "
        f"{per_doubling.min():.2f} to {per_doubling.max():.2f}"
    )
    print(f"exponent: {np.log2(per_doubling.median()):.2f}")


if __name__ == "__main__":
    main()
