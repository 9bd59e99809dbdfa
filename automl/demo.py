"""`make demo`: a real AutoML fit on a bundled messy dataset, with the shipped knowledge base.

The dataset is OpenML's `anneal` (898 rows, 38 features, 32 nominal, about 22,000 missing
values, 5 classes), bundled in ``automl/data``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier

DATA = Path(__file__).parent / "data" / "anneal.csv.gz"


def main(argv: list[str] | None = None) -> int:
    """Fit on three quarters of anneal, print the leaderboard and the test scores."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    frame = pd.read_csv(DATA)
    X, y = frame.drop(columns="class"), frame["class"].astype(str)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=args.seed, stratify=y
    )
    print(
        f"anneal: {X.shape[0]} rows, {X.shape[1]} columns, {int(X.isna().sum().sum())} missing values"
    )
    print(
        f"AutoMLClassifier(time_budget={args.time_budget:g}) on {len(X_train)} training rows...\n"
    )
    start = time.monotonic()
    model = AutoMLClassifier(time_budget=args.time_budget, random_state=args.seed, verbose=1)
    model.fit(X_train, y_train)
    elapsed = time.monotonic() - start

    warm = model.warm_start_
    if warm.get("used"):
        neighbors = pd.DataFrame(warm["neighbors"])
        if len(neighbors) and neighbors["distance"].notna().any():
            print("\nWarm start: nearest past datasets")
            print(neighbors.head(5).to_string(index=False))
        elif warm.get("portfolio"):
            print(f"\nWarm start: the portfolio's {warm['portfolio']['reason']}")
    board = model.leaderboard_[["rank", "model", "score", "ensemble_weight", "fit_time", "origin"]]
    print(f"\nLeaderboard (validation {model.metric_}, top 10 of {len(model.trials_)} trials):")
    print(board.head(10).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    proba = model.predict_proba(X_test)
    labels = model.classes_
    print(f"\nFit took {elapsed:.1f}s (budget {args.time_budget:g}s).")
    print(
        f"Test log loss {log_loss(y_test, proba, labels=labels):.4f}, "
        f"test accuracy {accuracy_score(y_test, labels[np.argmax(proba, axis=1)]):.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
