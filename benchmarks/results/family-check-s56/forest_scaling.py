"""How the regression portfolio's random forest's fitting time grows with rows and features
beyond the matrix's (session 56): its member (and, for contrast, the extra-trees member) as
the search builds it (``automl._space.make_pipeline``), fitted on the first 500 to 8,000
training rows of unseen tables and on their first 6, 12, 24 and 48 columns, timed. Its
members are predicted about 4 times short on the unseen tables (session 55's
``member-costs-unseen``), and the matrix's forests, timed on at most 1,000 rows, scale with
exponents near 0 (the fixed costs of 100 trees hide the rest).

    python -m benchmarks.rdatasets_tables --out TABLES
    python benchmarks/results/family-check-s56/forest_scaling.py --tables TABLES

writes ``forest-scaling.csv`` and prints the exponents of rows and columns fitted above
1,000 rows.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from automl import Task  # noqa: E402
from automl._columns import infer_column_types  # noqa: E402
from automl._space import make_pipeline  # noqa: E402
from benchmarks.warm_vs_cold import pmlb_split  # noqa: E402
from knowledge_base.paths import shipped_path  # noqa: E402
from metalearning.portfolio import Portfolio, portfolio_path  # noqa: E402

TABLES = ("modeldata_Chicago", "ggplot2_diamonds", "Ecdat_Computers", "ggplot2movies_movies")
ROWS = (500, 1_000, 2_000, 4_000, 8_000)
COLUMNS = (6, 12, 24, 48)


def members() -> list[dict]:
    """The regression portfolio's random-forest and extra-trees members."""
    portfolio = Portfolio.load(portfolio_path(shipped_path() / "portfolio", "regression"))
    return [m for m in portfolio.members if m["model"] in ("random_forest", "extra_trees")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", required=True)
    args = parser.parse_args()
    rows = []
    for name in TABLES:
        X_train, _, y_train, _ = pmlb_split(name, Path(args.tables), stratify=False, seed=1)
        for config in members():
            for n_columns in (c for c in COLUMNS if c <= X_train.shape[1]):
                X = X_train.iloc[:, :n_columns]
                columns = infer_column_types(X)
                for n in (n for n in ROWS if n <= len(X)):
                    pipeline = make_pipeline(config, Task.REGRESSION, columns)
                    start = time.perf_counter()
                    pipeline.fit(X.iloc[:n], np.asarray(y_train, dtype=float)[:n])
                    seconds = time.perf_counter() - start
                    rows.append((name, config["model"], n_columns, n, seconds))
                    print(rows[-1], flush=True)
    frame = pd.DataFrame(rows, columns=["table", "model", "columns", "rows", "seconds"])
    frame.to_csv(HERE / "forest-scaling.csv", index=False)
    for model, part in frame[frame["rows"] >= 1_000].groupby("model"):
        design = np.column_stack(
            [np.ones(len(part)), np.log(part["rows"]), np.log(part["columns"])]
        )
        # one intercept per table: the exponents are within a table
        tables = pd.get_dummies(part["table"]).to_numpy(dtype=float)[:, 1:]
        coef, *_ = np.linalg.lstsq(
            np.column_stack([design, tables]), np.log(part["seconds"]), rcond=None
        )
        print(f"{model}: rows exponent {coef[1]:.2f}, columns exponent {coef[2]:.2f}")


if __name__ == "__main__":
    main()
