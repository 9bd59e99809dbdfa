"""Trials per minute, and test loss, with one trial at a time against as many as there are cores.

For each dataset (the 10 PMLB classification datasets of ``benchmarks/energy.py``, 267 to 7,400
rows): one stratified split (2/3 train, 1/3 test, seed 0), then a fit of ``--budget`` seconds
(60) with ``n_jobs=1`` and one with ``n_jobs=-1`` (all cores: 2 trials at once on a 2-core
machine, one thread each). Trials per minute counts the trials that ran (not the skipped ones)
per minute of search (the fit's wall time less its ensemble and refit). Each fitted model is
scored on the test third: 1-AUC (binary) or log loss (multiclass). Every fit is leave-one-out
(this dataset hidden from the warm start), writes nothing to a knowledge base, and uses
``random_state=0``. Written to ``--out``: ``results.csv`` (a rerun skips the rows it holds),
``summary.md`` and ``parallel.png``. Run it on a quiet machine.

    python -m benchmarks.parallel_trials --out benchmarks/results/parallel-trials
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from automl import AutoMLClassifier
from benchmarks.energy import DATASETS, SHARED_PMLB
from benchmarks.report import to_markdown
from benchmarks.warm_vs_cold import model_test_loss, pmlb_split

SETTINGS = (1, -1)  # n_jobs


def fit_and_score(X_train, y_train, X_test, y_test, budget: float, n_jobs: int) -> dict:
    start = time.monotonic()
    model = AutoMLClassifier(
        time_budget=budget,
        n_jobs=n_jobs,
        leave_one_out=True,
        update_knowledge_base=False,
        random_state=0,
    ).fit(X_train, y_train)
    seconds = time.monotonic() - start
    ran = model.trials_[model.trials_["status"] != "skipped"]
    search = model.timings_["search"]
    return {
        "workers": model.n_workers_,
        "metric": model.metric_,
        "test_loss": model_test_loss(model, X_test, y_test),
        "n_trials": len(ran),
        "n_successful": int((ran["status"] == "success").sum()),
        "n_timeouts": int((ran["status"] == "timeout").sum()),
        "search_seconds": search,
        "trials_per_minute": 60.0 * len(ran) / search,
        "seconds": seconds,
    }


def run(datasets: list[str], pmlb: Path, budget: float, out: Path) -> pd.DataFrame:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    done = pd.read_csv(path) if path.exists() else pd.DataFrame(columns=["dataset", "n_jobs"])
    for name in datasets:
        X_train, X_test, y_train, y_test = pmlb_split(name, pmlb)
        rows = len(X_train) + len(X_test)
        for n_jobs in SETTINGS:
            if ((done["dataset"] == name) & (done["n_jobs"] == n_jobs)).any():
                continue
            row = {"dataset": name, "rows": rows, "n_jobs": n_jobs, "budget": budget}
            row.update(fit_and_score(X_train, y_train, X_test, y_test, budget, n_jobs))
            done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
            done.to_csv(path, index=False)
            print(
                f"{name:<16} n_jobs={n_jobs:>2}: {row['n_trials']:3d} trials "
                f"({row['trials_per_minute']:.1f}/min), test loss {row['test_loss']:.4f}",
                file=sys.stderr,
                flush=True,
            )
    return done


def summarize(results: pd.DataFrame) -> str:
    results = results.astype({"n_jobs": int})
    rate = results.pivot_table(index="dataset", columns="n_jobs", values="trials_per_minute")
    loss = results.pivot_table(index="dataset", columns="n_jobs", values="test_loss")
    both = rate.dropna().index.intersection(loss.dropna().index)
    workers = int(results.loc[results["n_jobs"] == -1, "workers"].max())
    table = pd.DataFrame(
        {
            "rows": results.drop_duplicates("dataset").set_index("dataset").loc[both, "rows"],
            "trials/min @1": rate.loc[both, 1].round(1),
            f"trials/min @{workers}": rate.loc[both, -1].round(1),
            "ratio": (rate.loc[both, -1] / rate.loc[both, 1]).round(2),
            "test loss @1": loss.loc[both, 1].round(4),
            f"test loss @{workers}": loss.loc[both, -1].round(4),
        }
    )
    ratio = rate.loc[both, -1] / rate.loc[both, 1]
    delta = loss.loc[both, -1] - loss.loc[both, 1]
    wins, ties = int((delta < -1e-9).sum()), int((delta.abs() <= 1e-9).sum())
    losses = int((delta > 1e-9).sum())
    ranks = loss.loc[both].rank(axis=1).mean()
    p = wilcoxon(delta[delta.abs() > 1e-9]).pvalue if wins + losses >= 2 else np.nan
    budget = results["budget"].iloc[0]
    return "\n".join(
        [
            f"{len(both)} datasets; {budget:g} s fits on {os.cpu_count()} cores, n_jobs=1 against "
            f"n_jobs=-1 ({workers} trials at once).",
            "",
            to_markdown(table.rename_axis("dataset")),
            "",
            f"- Trials per minute, n_jobs=-1 / n_jobs=1: geometric mean "
            f"{np.exp(np.log(ratio).mean()):.2f}x, median {ratio.median():.2f}x "
            f"(from {ratio.min():.2f}x to {ratio.max():.2f}x).",
            f"- Test loss, n_jobs=-1 against n_jobs=1: better on {wins}, tied on {ties}, worse on "
            f"{losses}; mean rank {ranks[-1]:.2f} against {ranks[1]:.2f}; mean loss "
            f"{loss.loc[both, -1].mean():.4f} against {loss.loc[both, 1].mean():.4f}; Wilcoxon "
            f"p = {p:.3g}.",
            "",
        ]
    )


def plot(results: pd.DataFrame, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = results.astype({"n_jobs": int})
    rate = results.pivot_table(index="dataset", columns="n_jobs", values="trials_per_minute")
    rate = rate.dropna()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    x = np.arange(len(rate))
    ax.bar(x - 0.2, rate[1], width=0.4, label="n_jobs=1")
    ax.bar(x + 0.2, rate[-1], width=0.4, label="n_jobs=-1")
    ax.set_xticks(x, rate.index, rotation=45, ha="right")
    ax.set_ylabel("trials per minute of search")
    ax.set_title("Parallel trials")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--pmlb", type=Path, default=SHARED_PMLB)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    results = run(args.datasets.split(","), args.pmlb, args.budget, args.out)
    (args.out / "summary.md").write_text(summarize(results))
    plot(results, args.out / "parallel.png")
    print(summarize(results))


if __name__ == "__main__":
    main()
