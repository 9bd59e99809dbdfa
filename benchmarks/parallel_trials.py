"""Trials per minute, and test loss, with one trial at a time, as many as there are cores, and
the same on a Dask LocalCluster.

For each dataset (the 10 PMLB classification datasets of ``benchmarks/energy.py``, 267 to 7,400
rows): one stratified split (2/3 train, 1/3 test, seed 0), then a fit of ``--budget`` seconds
(60) in each setting: ``n_jobs=1``, ``n_jobs=-1`` (all cores: 2 trials at once on a 2-core
machine, one thread each) and ``dask`` (``dask_client=`` a LocalCluster of one single-threaded
worker process per core, started once). Trials per minute counts the trials that ran (not the
skipped ones) per minute of search (the fit's wall time less its ensemble and refit). Each
fitted model is scored on the test third: 1-AUC (binary) or log loss (multiclass). Every fit
is leave-one-out (this dataset hidden from the warm start), writes nothing to a knowledge
base, and uses ``random_state=0``. Written to ``--out``: ``results.csv`` (a rerun skips the
rows it holds), ``summary.md`` and ``parallel.png``. Run it on a quiet machine.

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

from automl import AutoMLClassifier
from benchmarks.energy import DATASETS, SHARED_PMLB
from benchmarks.report import to_markdown
from benchmarks.stats import wilcoxon_p
from benchmarks.warm_vs_cold import model_test_loss, pmlb_split

SETTINGS = ("1", "-1", "dask")  # n_jobs=1, n_jobs=-1, a LocalCluster of one worker per core
# --same-trials: a fixed number of random configurations, bounded by a budget they do not reach
SAME_TRIALS_BUDGET = 3600.0
SAME_TRIAL_LIMIT = 10.0


def fit_and_score(
    X_train, y_train, X_test, y_test, budget: float, setting: str, client, trials: int = 0
) -> dict:
    """One fit: within ``budget`` seconds, or, with ``trials``, the same ``trials`` random
    configurations in every setting (the time budget then only bounds it)."""
    start = time.monotonic()
    parallel = dict(dask_client=client) if setting == "dask" else dict(n_jobs=int(setting))
    limits = dict(time_budget=budget)
    if trials:
        limits = dict(
            time_budget=SAME_TRIALS_BUDGET,
            n_trials=trials,
            optimizer="random",
            per_trial_time_limit=SAME_TRIAL_LIMIT,
        )
    model = AutoMLClassifier(
        **limits,
        **parallel,
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
        "configs": "|".join(sorted(map(str, ran["config"]))),
    }


def read_results(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=["dataset", "n_jobs"])
    return pd.read_csv(path, dtype={"n_jobs": str})


def local_cluster():
    """A ``distributed.Client`` on a LocalCluster of one single-threaded worker process per
    core, and the cluster (to close)."""
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=os.cpu_count(), threads_per_worker=1, processes=True, dashboard_address=None
    )
    return distributed.Client(cluster), cluster


def run(
    datasets: list[str], pmlb: Path, budget: float, out: Path, settings=SETTINGS, trials: int = 0
) -> pd.DataFrame:
    out.mkdir(parents=True, exist_ok=True)
    path = out / ("results-same-trials.csv" if trials else "results.csv")
    done = read_results(path)
    client = cluster = None
    for name in datasets:
        X_train, X_test, y_train, y_test = pmlb_split(name, pmlb)
        rows = len(X_train) + len(X_test)
        for setting in settings:
            if ((done["dataset"] == name) & (done["n_jobs"] == setting)).any():
                continue
            if setting == "dask" and client is None:
                client, cluster = local_cluster()
            row = {"dataset": name, "rows": rows, "n_jobs": setting, "budget": budget}
            row.update(
                fit_and_score(X_train, y_train, X_test, y_test, budget, setting, client, trials)
            )
            done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
            done.to_csv(path, index=False)
            print(
                f"{name:<16} n_jobs={setting:>4}: {row['n_trials']:3d} trials "
                f"({row['trials_per_minute']:.1f}/min), test loss {row['test_loss']:.4f}",
                file=sys.stderr,
                flush=True,
            )
    if client is not None:
        client.close()
        cluster.close()
    return done


def _compare(rate, loss, a: str, b: str, label: str) -> list[str]:
    """Lines comparing setting ``a`` with ``b`` on the datasets both ran."""
    both = rate[[a, b]].dropna().index.intersection(loss[[a, b]].dropna().index)
    ratio = rate.loc[both, a] / rate.loc[both, b]
    delta = loss.loc[both, a] - loss.loc[both, b]
    wins, ties = int((delta < -1e-9).sum()), int((delta.abs() <= 1e-9).sum())
    losses = int((delta > 1e-9).sum())
    ranks = loss.loc[both, [a, b]].rank(axis=1).mean()
    p = wilcoxon_p(delta[delta.abs() > 1e-9])
    return [
        f"- Trials per minute, {label}: geometric mean {np.exp(np.log(ratio).mean()):.2f}x, "
        f"median {ratio.median():.2f}x (from {ratio.min():.2f}x to {ratio.max():.2f}x), "
        f"{len(both)} datasets.",
        f"- Test loss, {label}: better on {wins}, tied on {ties}, worse on {losses}; mean rank "
        f"{ranks[a]:.2f} against {ranks[b]:.2f}; mean loss {loss.loc[both, a].mean():.4f} "
        f"against {loss.loc[both, b].mean():.4f}; Wilcoxon p = {p:.3g}.",
    ]


def _pivot(results: pd.DataFrame, value: str) -> pd.DataFrame:
    table = results.pivot_table(index="dataset", columns="n_jobs", values=value)
    return table.reindex(columns=[s for s in SETTINGS if s in table.columns])


def summarize(results: pd.DataFrame) -> str:
    results = results.astype({"n_jobs": str})
    rate, loss = _pivot(results, "trials_per_minute"), _pivot(results, "test_loss")
    both = rate[["1", "-1"]].dropna().index.intersection(loss[["1", "-1"]].dropna().index)
    rate, loss = rate.loc[both], loss.loc[both]
    workers = int(results.loc[results["n_jobs"] == "-1", "workers"].max())
    names = {"1": "n_jobs=1", "-1": "n_jobs=-1", "dask": "Dask LocalCluster"}
    table = pd.DataFrame(
        {"rows": results.drop_duplicates("dataset").set_index("dataset")["rows"]}
    ).loc[rate.index]
    for setting in rate.columns:
        table[f"trials/min {names[setting]}"] = rate[setting].round(1)
    table["ratio -1/1"] = (rate["-1"] / rate["1"]).round(2)
    for setting in rate.columns:
        table[f"test loss {names[setting]}"] = loss[setting].round(4)
    budget = results["budget"].iloc[0]
    lines = [
        f"{len(rate)} datasets; {budget:g} s fits on {os.cpu_count()} cores: n_jobs=1, n_jobs=-1 "
        f"({workers} trials at once) and, where run, a Dask LocalCluster of {os.cpu_count()} "
        "single-threaded workers.",
        "",
        to_markdown(table.rename_axis("dataset")),
        "",
        *_compare(rate, loss, "-1", "1", "n_jobs=-1 against n_jobs=1"),
    ]
    if "dask" in rate.columns:
        lines += _compare(rate, loss, "dask", "-1", "Dask LocalCluster against n_jobs=-1")
    return "\n".join([*lines, ""])


def summarize_same_trials(results: pd.DataFrame) -> str:
    """The speed-up of the same random configurations, n_jobs=-1 against n_jobs=1, and how
    many of the configurations the two runs share (the cost model may skip others)."""
    results = results.astype({"n_jobs": str}).set_index(["dataset", "n_jobs"])
    rows = []
    for name in dict.fromkeys(results.index.get_level_values(0)):
        if (name, "1") not in results.index or (name, "-1") not in results.index:
            continue
        one, all_ = results.loc[(name, "1")], results.loc[(name, "-1")]
        a, b = set(one["configs"].split("|")), set(all_["configs"].split("|"))
        rows.append(
            {
                "dataset": name,
                "trials": int(one["n_trials"]),
                "search s n_jobs=1": round(one["search_seconds"], 1),
                "search s n_jobs=-1": round(all_["search_seconds"], 1),
                "speed-up": round(all_["trials_per_minute"] / one["trials_per_minute"], 2),
                "configurations shared": f"{len(a & b)}/{len(a | b)}",
            }
        )
    table = pd.DataFrame(rows).set_index("dataset")
    ratio = table["speed-up"]
    return "\n".join(
        [
            f"{len(table)} datasets; the same random configurations at n_jobs=1 and n_jobs=-1 "
            f"on {os.cpu_count()} cores.",
            "",
            to_markdown(table),
            "",
            f"- Trials per minute on the same trials, n_jobs=-1 against n_jobs=1: geometric "
            f"mean {np.exp(np.log(ratio).mean()):.2f}x, median {ratio.median():.2f}x (from "
            f"{ratio.min():.2f}x to {ratio.max():.2f}x).",
            "",
        ]
    )


def plot(results: pd.DataFrame, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rate = _pivot(results.astype({"n_jobs": str}), "trials_per_minute").dropna()
    labels = {"1": "n_jobs=1", "-1": "n_jobs=-1", "dask": "Dask LocalCluster"}
    fig, ax = plt.subplots(figsize=(7, 4.5))
    x = np.arange(len(rate))
    width = 0.8 / len(rate.columns)
    for i, setting in enumerate(rate.columns):
        offset = (i - (len(rate.columns) - 1) / 2) * width
        ax.bar(x + offset, rate[setting], width=width, label=labels[setting])
    ax.set_xticks(x, rate.index, rotation=45, ha="right")
    ax.set_ylabel("trials per minute of search")
    ax.set_title("Parallel trials")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _lightgbm_fits(n: int) -> None:
    import lightgbm

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 20))
    y = (X[:, 0] + rng.normal(size=3000) > 0).astype(int)
    for _ in range(n):
        lightgbm.LGBMClassifier(n_estimators=100, n_jobs=1, verbose=-1).fit(X, y)


def cpu_ceiling(n: int = 30) -> float:
    """How many times the single-threaded LightGBM fits per second of one process that
    ``os.cpu_count()`` such processes at once reach: what parallel trials can hope for here."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    rates = []
    for processes in (1, os.cpu_count() or 1):
        start = time.perf_counter()
        workers = [context.Process(target=_lightgbm_fits, args=(n,)) for _ in range(processes)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        rates.append(processes * n / (time.perf_counter() - start))
    return rates[1] / rates[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--pmlb", type=Path, default=SHARED_PMLB)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="of 1, -1 and dask")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--same-trials",
        type=int,
        default=0,
        help="run this many random configurations in each setting instead of a time budget",
    )
    parser.add_argument(
        "--ceiling", action="store_true", help="only measure the machine's own parallel speed-up"
    )
    args = parser.parse_args(argv)
    if args.ceiling:
        print(f"{os.cpu_count()} processes of LightGBM fits: {cpu_ceiling():.2f}x one process")
        return
    if args.out is None:
        parser.error("--out is required")
    settings = args.settings.split(",")
    datasets = args.datasets.split(",")
    if args.same_trials:
        results = run(datasets, args.pmlb, args.budget, args.out, settings, args.same_trials)
        (args.out / "summary-same-trials.md").write_text(summarize_same_trials(results))
        return
    results = run(datasets, args.pmlb, args.budget, args.out, settings)
    (args.out / "summary.md").write_text(summarize(results))
    plot(results, args.out / "parallel.png")
    print(summarize(results))


if __name__ == "__main__":
    main()
