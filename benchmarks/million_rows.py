"""A million rows: fit time, peak memory, predict time and test score on 1,000,000 x 50 data.

The data come from a seeded generator (``make_data``): N rows x 50 columns, 45 numeric and 5
categorical (pandas ``category`` of 100 string levels each), 5% of the cells missing, spread
evenly over every column, and a target with real signal from both kinds (a linear part, a few
nonlinear terms and interactions of the numeric columns, and a random effect for each level of
every categorical column; computed before the cells go missing). Classification is binary (a
logistic draw from that signal), regression the signal plus Gaussian noise. The test set is a
separate draw of 100,000 rows from the same generator (the same coefficients, other rows).

For each task: ``AutoMLClassifier`` / ``AutoMLRegressor`` with ``time_budget=--budget`` (300),
``random_state=0``, ``update_knowledge_base=False``, the default ``n_jobs`` (-1: as many trials
at once as there are cores) and the shipped knowledge base. Measured, with the goals:

- fit wall time (within the budget + 10%);
- peak RSS of the whole process tree during the fit (this process and every descendant:
  the fork server, trial processes; sampled every 0.5 s by a thread; under 12 GiB);
- seconds to ``predict_proba`` / ``predict`` 1,000,000 rows (the test set ten times; < 30 s);
- test score (AUC / RMSE) against LightGBM's defaults (``LGBMClassifier()`` /
  ``LGBMRegressor()``, categorical columns as pandas ``category``) fitted on every training row
  (at least as good);
- ``timings_["warm_start"]`` (under 2% of the budget), the trials that ran and their statuses.

Written to ``--out``: ``results.csv`` (one row per task; a rerun skips the tasks it holds),
``trials-<task>.csv`` (every trial: family, status, time, first line of its error) and
``summary.md``. The machine's load average when each fit starts is recorded with it.

    python -m benchmarks.million_rows --out benchmarks/results/million-rows
    python -m benchmarks.million_rows --rows 100000 --budget 60 --out /tmp/million-smoke
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.report import to_markdown

HERE = Path(__file__).resolve().parent
N_NUMERIC = 45
N_CATEGORICAL = 5
N_LEVELS = 100
MISSING = 0.05
TEST_ROWS = 100_000
PREDICT_ROWS = 1_000_000
GOALS = {"overrun": 0.10, "peak_gib": 12.0, "predict_seconds": 30.0, "warm_share": 0.02}


def make_data(n_rows: int, seed: int = 0, sample: int = 0, task: str = "classification"):
    """``n_rows`` rows of the generator: ``(X, y)``, X a DataFrame of 45 float columns
    (``x0``..``x44``) and 5 categorical ones (``c0``..``c4``, 100 levels each), 5% of its cells
    missing. ``seed`` fixes the generator (its coefficients), ``sample`` which rows it draws:
    the same seed and another sample is another draw from the same distribution."""
    coef = np.random.default_rng(seed)
    weights = coef.normal(0.0, 1.0, N_NUMERIC) * (coef.random(N_NUMERIC) < 0.5)
    effects = coef.normal(0.0, 0.6, (N_CATEGORICAL, N_LEVELS))
    level_p = coef.dirichlet(np.full(N_LEVELS, 2.0), N_CATEGORICAL)
    rng = np.random.default_rng([seed, sample + 1])
    numeric = rng.standard_normal((n_rows, N_NUMERIC))
    numeric[:, 5:10] = numeric[:, 5:10] * 0.5 + numeric[:, 0:5] * 0.5  # some correlation
    signal = numeric @ weights * 0.3
    signal += np.sin(2.0 * numeric[:, 0]) + 0.5 * numeric[:, 1] * numeric[:, 2]
    signal += 0.5 * np.abs(numeric[:, 3]) - 0.4 * (numeric[:, 4] > 0.5)
    codes = np.empty((n_rows, N_CATEGORICAL), dtype=np.int16)
    for j in range(N_CATEGORICAL):
        cumulative = np.cumsum(level_p[j])
        cumulative[-1] = 1.0
        codes[:, j] = np.searchsorted(cumulative, rng.random(n_rows), side="right")
        signal += effects[j, codes[:, j]]
    signal += 0.5 * effects[0, codes[:, 0]] * numeric[:, 0]  # a categorical-numeric interaction
    signal = (signal - signal.mean()) / signal.std()
    if task == "classification":
        y = pd.Series(rng.random(n_rows) < 1.0 / (1.0 + np.exp(-2.0 * signal)), name="y")
        y = y.astype(np.int64)
    else:
        y = pd.Series(10.0 * signal + rng.normal(0.0, 5.0, n_rows), name="y")
    numeric[rng.random(numeric.shape) < MISSING] = np.nan
    codes[rng.random(codes.shape) < MISSING] = -1
    columns = {f"x{j}": numeric[:, j] for j in range(N_NUMERIC)}
    for j in range(N_CATEGORICAL):
        levels = [f"c{j}_{k:02d}" for k in range(N_LEVELS)]
        columns[f"c{j}"] = pd.Categorical.from_codes(codes[:, j], categories=levels)
    return pd.DataFrame(columns), y


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled by a thread."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def now() -> int:
        """Bytes resident in this process and every descendant now."""
        import psutil

        me = psutil.Process(os.getpid())
        total = 0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # ended between listing and reading
                total += process.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self.peak = self.now()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, self.now())


def score_of(task: str, model, X, y) -> float:
    """AUC (classification, of class 1) or RMSE (regression)."""
    from sklearn.metrics import mean_squared_error, roc_auc_score

    if task == "classification":
        classes = list(model.classes_)
        return float(roc_auc_score(y, model.predict_proba(X)[:, classes.index(1)]))
    return float(np.sqrt(mean_squared_error(y, model.predict(X))))


def lightgbm_baseline(task: str, X, y, X_test, y_test) -> dict:
    """LightGBM's defaults on every training row, categorical columns as ``category``."""
    import lightgbm

    make = lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor
    start = time.monotonic()
    model = make(verbose=-1).fit(X, y)
    return {
        "lgbm_fit_seconds": time.monotonic() - start,
        "lgbm_score": score_of(task, model, X_test, y_test),
    }


def run_task(
    task: str, rows: int, budget: float, out: Path, seed: int = 0, memory_limit="default"
) -> dict:
    """One task's fit, measurements and baseline; its trials to ``out/trials-<task>.csv``."""
    from automl import AutoMLClassifier, AutoMLRegressor

    start = time.monotonic()
    X, y = make_data(rows, seed, 0, task)
    X_test, y_test = make_data(TEST_ROWS, seed, 1, task)
    generate = time.monotonic() - start
    row: dict = {"task": task, "rows": rows, "columns": X.shape[1], "budget": budget}
    row["generate_seconds"] = generate
    row["load_before"] = os.getloadavg()[0]
    row["memory_limit"] = str(memory_limit)
    make = AutoMLClassifier if task == "classification" else AutoMLRegressor
    base = TreeMemory.now()
    with TreeMemory() as memory:
        start = time.monotonic()
        limit = {} if memory_limit == "default" else {"memory_limit": memory_limit}
        model = make(
            time_budget=budget, random_state=0, update_knowledge_base=False, verbose=1, **limit
        )
        model.fit(X, y)
        row["fit_seconds"] = time.monotonic() - start
    row["load_after"] = os.getloadavg()[0]
    row["rss_before_gib"] = base / 2**30
    row["peak_rss_gib"] = memory.peak / 2**30
    row["n_workers"] = model.n_workers_
    row["metric"] = model.metric_
    for key, value in model.timings_.items():
        row[f"t_{key}"] = value
    statuses = model.trials_["status"].value_counts()
    row["n_trials"] = int((model.trials_["status"] != "skipped").sum())
    row["statuses"] = "; ".join(f"{k} {v}" for k, v in statuses.items())
    row["families"] = "; ".join(
        f"{k} {v}" for k, v in model.trials_["model"].value_counts().items()
    )
    trials = model.trials_.drop(columns=["config"])
    trials.assign(error=trials["error"].str.split("\n").str[0]).to_csv(out / f"trials-{task}.csv")
    row["ensemble_size"] = int((model.leaderboard_["ensemble_weight"] > 0).sum())
    big = pd.concat([X_test] * (PREDICT_ROWS // TEST_ROWS), ignore_index=True)
    with TreeMemory() as memory:
        start = time.monotonic()
        if task == "classification":
            model.predict_proba(big)
        else:
            model.predict(big)
        row["predict_seconds"] = time.monotonic() - start
    row["predict_rows"] = len(big)
    row["predict_peak_rss_gib"] = memory.peak / 2**30
    del big
    row["score"] = score_of(task, model, X_test, y_test)
    print(
        f"[million] {task}: fit {row['fit_seconds']:.0f}s, predict "
        f"{row['predict_seconds']:.1f}s, score {row['score']:.4f}",
        file=sys.stderr,
        flush=True,
    )
    del model
    row.update(lightgbm_baseline(task, X, y, X_test, y_test))
    return row


def run(
    tasks: list[str], rows: int, budget: float, out: Path, memory_limit="default"
) -> pd.DataFrame:
    """Every task not yet in ``out/results.csv``, appended as it ends."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    done = pd.read_csv(path) if path.exists() else pd.DataFrame(columns=["task"])
    for task in tasks:
        if (done["task"] == task).any():
            continue
        row = run_task(task, rows, budget, out, memory_limit=memory_limit)
        done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
        done.to_csv(path, index=False)
    return done


def goals(row: pd.Series) -> dict[str, bool]:
    """Which goals a task's row meets."""
    better = (
        row["score"] >= row["lgbm_score"]
        if row["task"] == "classification"
        else row["score"] <= row["lgbm_score"]
    )
    return {
        "fit within budget + 10%": row["fit_seconds"] <= row["budget"] * (1 + GOALS["overrun"]),
        "peak RSS < 12 GiB": row["peak_rss_gib"] < GOALS["peak_gib"],
        "predict 1M rows < 30 s": row["predict_seconds"] < GOALS["predict_seconds"],
        "score at least LightGBM defaults'": bool(better),
        "warm start < 2% of budget": row["t_warm_start"] < GOALS["warm_share"] * row["budget"],
    }


def summarize(results: pd.DataFrame) -> str:
    """The Markdown summary: one column per task, and which goals each met."""
    lines = []
    for _, row in results.iterrows():
        score = "AUC" if row["task"] == "classification" else "RMSE"
        table = pd.DataFrame(
            {
                "measured": [
                    f"{int(row['rows']):,} x {int(row['columns'])}",
                    f"{row['fit_seconds']:.1f} (budget {row['budget']:g})",
                    f"{row['peak_rss_gib']:.2f}",
                    f"{row['predict_seconds']:.1f} ({int(row['predict_rows']):,} rows)",
                    f"{row['score']:.4f}",
                    f"{row['lgbm_score']:.4f} (fit {row['lgbm_fit_seconds']:.0f} s)",
                    f"{row['t_warm_start']:.2f}",
                    f"{int(row['n_trials'])} ({row['statuses']})",
                    str(row["families"]),
                    f"{row['t_search']:.1f} / {row['t_ensemble_and_refit']:.1f}",
                    f"{row['load_before']:.2f} / {row['load_after']:.2f}",
                    str(row["memory_limit"])
                    if isinstance(row.get("memory_limit"), str)
                    else "default",
                ]
            },
            index=[
                "rows x columns",
                "fit wall s",
                "peak RSS GiB (process tree)",
                "predict s",
                f"test {score}",
                f"LightGBM defaults test {score}",
                "warm start s",
                "trials run (statuses)",
                "trials by family",
                "search s / ensemble and refit s",
                "load average before / after fit",
                "memory_limit",
            ],
        )
        lines += [f"## {row['task']}", "", to_markdown(table.rename_axis("")), ""]
        lines += [f"- {name}: {'met' if ok else 'MISSED'}" for name, ok in goals(row).items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=("classification", "regression", "both"), default="both")
    parser.add_argument("--budget", type=float, default=300.0, help="time_budget of each fit")
    parser.add_argument("--rows", type=int, default=1_000_000, help="training rows")
    parser.add_argument("--out", default=str(HERE / "results" / "million-rows"))
    parser.add_argument(
        "--memory-limit",
        default="default",
        help="memory_limit of each fit in MB, 'none' for no limit (default: the estimator's)",
    )
    args = parser.parse_args(argv)
    memory_limit = args.memory_limit
    if memory_limit not in ("default", "none"):
        memory_limit = int(memory_limit)
    elif memory_limit == "none":
        memory_limit = None
    tasks = ["classification", "regression"] if args.task == "both" else [args.task]
    out = Path(args.out)
    results = run(tasks, args.rows, args.budget, out, memory_limit)
    (out / "summary.md").write_text(summarize(results))
    print((out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
