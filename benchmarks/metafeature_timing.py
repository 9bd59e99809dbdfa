"""Time ``compute_metafeatures`` on synthetic mixed-type data of growing size.

    python benchmarks/metafeature_timing.py                 # 1,000 / 100,000 / 1,000,000 rows
    python benchmarks/metafeature_timing.py --rows 1000 50000 --repeat 3

Each table has 20 columns: 8 numeric (normal, log-normal, integer counts, a constant, one with
10 % missing values and one entirely missing), 6 string columns (3 to 5,000 distinct values,
some missing), 3 pandas categoricals, 2 booleans and a datetime; the target has three classes.
Prints a Markdown table of the best of ``--repeat`` wall-clock times.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from metalearning import compute_metafeatures


def make_table(n_rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A synthetic table of ``n_rows`` x 20 mixed columns and a three-class target."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    signal = rng.normal(size=n_rows)
    columns["normal"] = signal + rng.normal(scale=0.5, size=n_rows)
    columns["lognormal"] = rng.lognormal(size=n_rows)
    columns["uniform"] = rng.uniform(size=n_rows)
    columns["counts"] = rng.poisson(3, size=n_rows)
    columns["integers"] = rng.integers(0, 1_000, size=n_rows)
    columns["constant"] = np.ones(n_rows)
    columns["gappy"] = np.where(rng.uniform(size=n_rows) < 0.1, np.nan, rng.normal(size=n_rows))
    columns["empty"] = np.full(n_rows, np.nan)
    for name, n_values in [("s3", 3), ("s10", 10), ("s50", 50), ("s200", 200), ("s1k", 1_000)]:
        vocabulary = np.array([f"{name}_{i}" for i in range(n_values)])
        values = pd.Series(vocabulary[rng.integers(0, n_values, size=n_rows)], dtype="str")
        columns[name] = values.where(rng.uniform(size=n_rows) > 0.05)
    vocabulary = np.array([f"id{i}" for i in range(5_000)])
    columns["s5k"] = pd.Series(vocabulary[rng.integers(0, 5_000, size=n_rows)], dtype="str")
    for name, n_values in [("c4", 4), ("c12", 12), ("c30", 30)]:
        codes = rng.integers(-1, n_values, size=n_rows)  # -1: missing
        categories = [f"{name}_{i}" for i in range(n_values)]
        columns[name] = pd.Categorical.from_codes(codes, categories=categories)
    columns["flag"] = rng.uniform(size=n_rows) < 0.3
    columns["flag2"] = signal > 0
    columns["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 10**6, size=n_rows), unit="s"
    )
    X = pd.DataFrame(columns)
    labels = np.array(["low", "mid", "high"])
    y = pd.Series(labels[np.digitize(signal, [-0.5, 0.5])], name="target")
    return X, y


def time_once(X: pd.DataFrame, y: pd.Series) -> float:
    start = time.perf_counter()
    compute_metafeatures(X, y, random_state=0)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args(argv)
    print("| rows | columns | seconds |")
    print("|---:|---:|---:|")
    for n_rows in args.rows:
        X, y = make_table(n_rows)
        seconds = min(time_once(X, y) for _ in range(max(1, args.repeat)))
        print(f"| {n_rows:,} | {X.shape[1]} | {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
