"""Does a fit learn from the base's own past fits of the same data? Per table.

Every fit writes its trials into the user's knowledge base; a later fit of the same data (or
of more rows of the same source) runs their best configurations first (``own_past`` in
``warm_start_``). Measured on PMLB tables the shipped base is made not to
know: per table, a copy of the shipped base without the table, its siblings (the same
generator at other sizes) and near-identical copies, with its portfolio rebuilt without them.
One split (2/3 train, 1/3 test, seed 0), one core per fit, bounded by trials (``--trials K``
for the fits compared, ``--first-trials`` for the past fits: yesterday's longer search, today's
quick refit) or, with both 0, by ``--max-seconds`` each; test loss of the fitted estimator
(1 - ROC AUC binary, log loss multiclass, RMSE regression). ``--settings`` chooses among:

- ``first``: a fit with an empty user base, recorded into it (``random_state=0``; always run);
- ``again``: the same training rows fitted again on that base (``random_state=1``);
- ``again-continue``: the same, continuing the past fit (``OWN_PAST_CONTINUES``: what it ran
  is told to SMAC, not run again, its best 3 excepted);
- ``fresh``: the same as ``again`` with an empty user base: the control;
- ``more-rows``: a fit on all training rows after a recorded fit on ``PART`` of them (the same
  source with more rows: another fingerprint, found as the nearest dataset of the base).

    python -m benchmarks.own_past --pmlb ../shared/datasets/pmlb --task classification \\
        --max-rows 2000 --limit 30 --trials 10 --first-trials 25 --shard 0/2 --out OUT
    python -m benchmarks.own_past --task classification --min-rows 2001 --max-rows 30000 \\
        --trials 0 --first-trials 0 --max-seconds 60 --trial-limit 0 \\
        --settings first,again,again-continue,fresh --shard 0/2 --out OUT
    python -m benchmarks.own_past --summarize-only --out OUT
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import automl._knowledge
from automl import AutoMLClassifier, AutoMLRegressor
from benchmarks.report import to_markdown
from benchmarks.stats import wilcoxon_p
from benchmarks.warm_vs_cold import model_test_loss, pmlb_split, setting_held
from knowledge_base import KnowledgeBase, dataset_fingerprint
from knowledge_base.paths import shipped_path
from metalearning import compute_metafeatures
from metalearning.portfolio import PerformanceMatrix, Portfolio, sibling_key, task_kind
from metalearning.warmstart import leave_one_out_exclusions

SETTINGS = ("first", "again", "again-continue", "fresh", "more-rows")
DEFAULT_SETTINGS = "first,again,fresh,more-rows"
# ``again-continue``: the refit continues its past (what it ran told to SMAC, not run again).
CONTINUING = (automl._knowledge, "OWN_PAST_CONTINUES", True)
PART = 0.6  # the share of the training rows the earlier fit of ``more-rows`` saw
PAIRS = (
    ("again", "fresh"),
    ("more-rows", "fresh"),
    ("again", "first"),
    ("again-continue", "fresh"),
    ("again-continue", "again"),
)


def hidden_base(name: str, task: str, X_train, y_train, folder: Path) -> Path:
    """A copy of the shipped base that does not know ``name``: without its siblings, its
    near-identical copies (as ``leave_one_out`` finds them from these training rows) and
    their runs, the portfolio rebuilt from the rest of the matrix."""
    shipped = KnowledgeBase(None, read_only_paths=[shipped_path()])
    datasets = shipped.datasets()
    hide = set(datasets.loc[datasets["name"].map(sibling_key) == sibling_key(name), "dataset_id"])
    with np.errstate(all="ignore"):
        mf = compute_metafeatures(X_train, np.asarray(y_train), random_state=0)
    hide |= set(leave_one_out_exclusions(shipped, mf, dataset_fingerprint(X_train, y_train)))
    base = folder / name / "shipped"
    if base.exists():
        shutil.rmtree(base)
    for table in ("datasets", "runs"):
        (base / table).mkdir(parents=True)
        for part in sorted((shipped_path() / table).glob("*.parquet")):
            data = pq.read_table(part)
            keep = pc.invert(pc.is_in(data["dataset_id"], pa.array(sorted(hide), pa.string())))
            pq.write_table(data.filter(keep), base / table / part.name)
    kind = task_kind("binary" if task == "classification" else "regression")
    matrix = PerformanceMatrix.from_knowledge_base(shipped, kind)
    keep = np.array([d not in hide for d in matrix.dataset_ids])
    Portfolio.build(matrix.subset(keep), kind).save(base / "portfolio")
    for pool in (shipped_path() / "portfolio").glob("pool-*.json"):
        shutil.copy(pool, base / "portfolio" / pool.name)
    return base


def run(args) -> pd.DataFrame:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shard, n_shards = (int(v) for v in args.shard.split("/"))
    results_file = out / f"results-{shard}of{n_shards}.csv"
    mine = pd.read_csv(results_file) if results_file.exists() else pd.DataFrame()
    done = set(mine["dataset"]) if len(mine) else set()
    index = pd.read_csv(Path(args.pmlb) / "index.csv").set_index("name")
    size = index["n_instances"]
    names = list(
        index.index[(index["task"] == args.task) & size.between(args.min_rows, args.max_rows)]
    )
    names = [names[i] for i in np.random.default_rng(0).permutation(len(names))][: args.limit]
    if args.datasets:
        names = [n for n in args.datasets.split(",") if n in index.index]
    estimator = AutoMLClassifier if args.task == "classification" else AutoMLRegressor
    settings = args.settings.split(",")
    work = out / "bases"
    for name in names[shard::n_shards]:
        if name in done:
            continue
        start = time.monotonic()
        X_train, X_test, y_train, y_test = pmlb_split(
            name, args.pmlb, stratify=args.task == "classification"
        )
        shipped = hidden_base(name, args.task, X_train, y_train, work)

        def fit(user: str, X, y, seed: int, record: bool, folder=work / name, base=shipped):
            kb = KnowledgeBase(folder / user, read_only_paths=[base])
            trials = args.first_trials if record else args.trials
            return _fit(args, estimator, kb, X, y, seed, record, trials)

        fits = {"first": fit("past", X_train, y_train, 0, True)}
        if "fresh" in settings:
            fits["fresh"] = fit("empty", X_train, y_train, 1, False)
        if "again" in settings:
            fits["again"] = fit("past", X_train, y_train, 1, False)
        if "again-continue" in settings:
            with setting_held(*CONTINUING):
                fits["again-continue"] = fit("past", X_train, y_train, 1, False)
        if "more-rows" in settings:
            part = int(PART * len(X_train))
            fit("part", X_train.iloc[:part], y_train.iloc[:part], 0, True)
            fits["more-rows"] = fit("part", X_train, y_train, 1, False)
        rows = pd.DataFrame(
            [
                {
                    "dataset": name,
                    "setting": setting,
                    "metric": model.metric_,
                    "test_loss": model_test_loss(model, X_test, y_test),
                    "own_past_run": int((model.trials_["origin"] == "own-past").sum()),
                    "n_trials": len(model.trials_),
                    "fit_seconds": model.timings_["total"],
                }
                for setting, model in fits.items()
            ]
        )
        mine = pd.concat([mine, rows], ignore_index=True)
        mine.to_csv(results_file, index=False)
        shutil.rmtree(work / name, ignore_errors=True)
        losses = dict(zip(rows["setting"], rows["test_loss"]))
        print(
            f"{name:<28} "
            + "  ".join(f"{s} {losses[s]:.4f}" for s in fits)
            + f"  ({time.monotonic() - start:.0f}s)",
            file=sys.stderr,
            flush=True,
        )
    return mine


def _fit(args, estimator, kb: KnowledgeBase, X, y, seed: int, record: bool, trials: int):
    """One fit of ``trials`` trials (0: as many as ``--max-seconds`` allows) on ``kb``, one
    core; ``record`` writes it into ``kb``."""
    model = estimator(
        time_budget=args.max_seconds,
        n_trials=trials or None,
        per_trial_time_limit=args.trial_limit or None,
        knowledge_base=kb,
        update_knowledge_base=record,
        random_state=seed,
        n_jobs=1,
    )
    return model.fit(X, y)


def paired(results: pd.DataFrame) -> pd.DataFrame:
    """``PAIRS`` over the datasets that have both: better / tied / worse, Wilcoxon p and the
    mean relative change of the test loss."""
    wide = results.pivot_table(index="dataset", columns="setting", values="test_loss")
    rows = []
    for a, b in [(a, b) for a, b in PAIRS if a in wide and b in wide]:
        both = wide[[a, b]].dropna()
        diff = both[a] - both[b]
        tied = np.isclose(both[a], both[b], rtol=0, atol=1e-4)
        change = (diff / both[b].where(both[b] > 0)).mean()
        rows.append(
            {
                "pair": f"{a} vs {b}",
                "datasets": len(both),
                "better": int(((diff < 0) & ~tied).sum()),
                "tied": int(tied.sum()),
                "worse": int(((diff > 0) & ~tied).sum()),
                "wilcoxon p": wilcoxon_p(diff[~tied]),
                "mean relative change": f"{change:+.1%}",
            }
        )
    return pd.DataFrame(rows).set_index("pair")


def plot(results: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wide = results.pivot_table(index="dataset", columns="setting", values="test_loss")
    shown = [s for s in ("again", "again-continue", "more-rows") if s in wide]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 4.2), squeeze=False)
    for ax, setting in zip(axes[0], shown):
        both = wide[[setting, "fresh"]].dropna()
        ax.scatter(both["fresh"], both[setting], s=14)
        low, high = both.min().min(), both.max().max()
        ax.plot([low, high], [low, high], color="grey", lw=0.8)
        ax.set_xscale("symlog", linthresh=0.01)
        ax.set_yscale("symlog", linthresh=0.01)
        ax.set_xlabel("test loss, fresh base")
        ax.set_ylabel(f"test loss, {setting}")
        ax.set_title(f"{setting}: below the line = the past fit helped")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summarize(out: Path) -> str:
    parts = sorted(out.glob("results-*.csv"))
    results = pd.concat([pd.read_csv(p) for p in parts], ignore_index=True)
    complete = results.groupby("dataset")["setting"].nunique() == results["setting"].nunique()
    results = results[results["dataset"].isin(complete[complete].index)]
    plot(results, out / "own-past.png")
    columns = [c for c in ("test_loss", "own_past_run", "n_trials", "fit_seconds") if c in results]
    means = results.groupby("setting")[columns].mean()
    text = "\n".join(
        [
            f"# Own past: {results['dataset'].nunique()} datasets",
            "",
            to_markdown(paired(results)),
            "",
            "Means over datasets:",
            "",
            to_markdown(means.round(4)),
            "",
            "![own past](own-past.png)",
            "",
        ]
    )
    (out / "summary.md").write_text(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmlb", default="../shared/datasets/pmlb")
    parser.add_argument(
        "--task", choices=("classification", "regression"), default="classification"
    )
    parser.add_argument("--min-rows", type=int, default=0)
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=30, help="datasets, in a seeded order")
    parser.add_argument("--datasets", help="comma-separated names instead (--limit ignored)")
    parser.add_argument(
        "--trials", type=int, default=10, help="trials of the fits compared (0: time-bounded)"
    )
    parser.add_argument(
        "--first-trials", type=int, default=25, help="trials of the past fits (0: time-bounded)"
    )
    parser.add_argument("--max-seconds", type=float, default=900.0, help="each fit's budget")
    parser.add_argument(
        "--trial-limit", type=float, default=60.0, help="per-trial limit (0: the estimator's)"
    )
    parser.add_argument(
        "--settings",
        default=DEFAULT_SETTINGS,
        help=f"comma-separated, of {', '.join(SETTINGS)} (first always runs)",
    )
    parser.add_argument("--shard", default="0/1")
    parser.add_argument("--out", required=True)
    parser.add_argument("--summarize-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.summarize_only:
        run(args)
    print(summarize(Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
