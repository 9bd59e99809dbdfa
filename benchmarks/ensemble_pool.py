"""Which trials ensemble selection should choose from, on small tables, measured paired.

Issue 11's remaining failures are tables of 100 to 200 rows where the search spent most trials
on one family whose cross-validated loss was flattered by noise (backache: 52 k-NN trials at
AUC 0.81 in validation, 0.57 on the test third; the forest's defaults 0.77). Whether ensemble
selection should also see each other family's best trial is a question about the last step
only, so it is measured on the same searches: every (dataset, split) is searched once
(``n_trials`` trials, one process, a fixed seed, the shipped knowledge base leave-one-out), and
each variant of the candidate list is then selected, calibrated and refitted from that one
search and scored on the split's test third:

- ``top20``: the 20 best trials (the default);
- ``top20+families``: those and the best trial of every other family;
- ``families``: the best trial of each family only (AutoGluon's base models);
- ``best``: the single best trial.

Test loss is 1 - ROC AUC (binary) or log loss (multiclass). Splits are stratified 2/3 - 1/3
with seeds 0..``--splits``-1 (seed 0 is the benchmarks' usual split).

    python -m benchmarks.ensemble_pool --max-rows 2000 --splits 3 --out bench-results/pool
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import automl._estimator as estimator_module
from automl import AutoMLClassifier, AutoMLRegressor
from automl._search import ensemble_candidates
from benchmarks.report import to_markdown
from benchmarks.warm_vs_cold import _read_results, model_test_loss, pmlb_split, setting_held

HERE = Path(__file__).resolve().parent
# A search bounded by trials, each by this (60 s fits give 15 s): without it a trial may take a
# quarter of the nominal hour, and one table of 1,000 features took over half an hour.
PER_TRIAL_SECONDS = 20.0
# variant -> (how many best trials, whether each other family's best is added)
VARIANTS = {
    "top20": (20, False),
    "top20+families": (20, True),
    "families": (0, True),
    "best": (1, False),
}


def captured_search(name: str, pmlb: Path, seed: int, n_trials: int):
    """One search on ``name``'s split ``seed``, every trial's predictions kept and no fold
    models (each variant builds its members itself): the fitted model, what its ensemble step
    was given, and the test part."""
    index = pd.read_csv(Path(pmlb) / "index.csv").set_index("name")
    regression = index.loc[name, "task"] == "regression"
    X_train, X_test, y_train, y_test = pmlb_split(name, pmlb, seed=seed, stratify=not regression)
    captured = {}
    base = estimator_module._AutoMLBase
    original = base._fit_ensemble

    def capture(self, *args):
        captured["args"] = args
        return original(self, *args)

    with (
        # every trial's predictions stay for the variants
        setting_held(estimator_module, "KEEP_PREDICTIONS", 10_000),
        setting_held(estimator_module, "KEEP_FOLD_MODELS", 0),
        setting_held(base, "_fit_ensemble", capture),
    ):
        model = (AutoMLRegressor if regression else AutoMLClassifier)(
            n_trials=n_trials,
            time_budget=3600,
            per_trial_time_limit=PER_TRIAL_SECONDS,
            n_jobs=1,
            random_state=0,
            leave_one_out=True,
            update_knowledge_base=False,
        ).fit(X_train, y_train)
    return model, captured["args"], X_test, y_test


def refitted_loss(model, args, X_test, y_test) -> float:
    """The test loss of ``model`` with its ensemble selected and refitted again from the
    captured ``args`` (``_fit_ensemble``'s, with a fresh deadline)."""
    result, data, y_enc, spec, metric, budget = args
    budget = dataclasses.replace(budget, deadline=time.monotonic() + 600)
    model.model_, _ = model._fit_ensemble(result, data, y_enc, spec, metric, budget)
    return model_test_loss(model, X_test, y_test)


def variant_losses(name: str, pmlb: Path, seed: int, n_trials: int) -> dict[str, float]:
    """Test loss of each variant's ensemble, all from one search on ``name``'s split ``seed``."""
    model, args, X_test, y_test = captured_search(name, pmlb, seed, n_trials)
    out = {}
    for variant, (size, per_family) in VARIANTS.items():
        estimator_module.ensemble_candidates = lambda result, _n, size=size, per_family=per_family: (
            ensemble_candidates(result, size, per_family)
        )
        try:
            out[variant] = refitted_loss(model, args, X_test, y_test)
        finally:
            estimator_module.ensemble_candidates = ensemble_candidates
    return out


SIZE_BINS = (0, 200, 500, 2_000, np.inf)  # rows: repeated CV up to 200 (resampling="auto")


def summarize(
    results: pd.DataFrame,
    reference: str = "top20",
    rows: pd.Series | None = None,
    relative: bool = False,
) -> str:
    """Each variant against ``reference``, per dataset (the mean over its splits): mean rank,
    better / tied / worse and Wilcoxon's p on the differences (``relative``: divided by the
    reference's loss, for RMSE on different scales); by ``rows`` (a dataset's) too."""
    table = results.pivot_table(index=["dataset", "split"], columns="variant", values="test_loss")
    per_dataset = table.groupby(level="dataset").mean()
    lines = [
        f"{len(per_dataset)} datasets, {len(table)} (dataset, split) searches; test loss "
        "averaged over a dataset's splits.",
        "",
        *_comparison(per_dataset, reference, relative),
    ]
    if rows is not None:
        size = pd.cut(rows.reindex(per_dataset.index), SIZE_BINS)
        for interval, part in per_dataset.groupby(size, observed=True):
            lines += ["", f"Datasets of {interval} rows:", ""]
            lines += _comparison(part, reference, relative)
    lines += ["", "Per dataset:", "", to_markdown(per_dataset.round(4))]
    return "\n".join(lines)


def _comparison(per_dataset: pd.DataFrame, reference: str, relative: bool) -> list[str]:
    from benchmarks.stats import wilcoxon_p

    lines = [
        f"| variant | mean rank | mean test loss | vs {reference}: better / tied / worse | p |",
        "|---|---|---|---|---|",
    ]
    ranks = per_dataset.rank(axis=1).mean()
    for v in per_dataset.columns:
        diff = per_dataset[v] - per_dataset[reference]
        wins, ties = int((diff < -1e-9).sum()), int((diff.abs() <= 1e-9).sum())
        nonzero = diff[diff.abs() > 1e-9]
        if relative:
            nonzero = nonzero / per_dataset[reference][nonzero.index].abs()
        p = wilcoxon_p(nonzero, min_pairs=5)
        lines.append(
            f"| {v} | {ranks[v]:.2f} | {per_dataset[v].mean():.4f} | {wins} / {ties} / "
            f"{len(diff) - wins - ties} | {p:.3g} |"
        )
    return lines


def main(argv=None) -> int:
    return paired_main(argv, __doc__, variant_losses, "top20", "bench-results/ensemble-pool")


def paired_main(argv, doc: str, losses_of, reference: str, default_out: str) -> int:
    """The command line of a paired benchmark: ``losses_of(name, pmlb, seed, n_trials)`` for
    every small table of the task (classification by default) and split, resumable, then the
    summary against ``reference``, by size too."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    parser.add_argument("--max-rows", type=int, default=2_000)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--n-trials", type=int, default=60)
    parser.add_argument("--shard", default="0/1", help="i/n: every n-th dataset from the i-th")
    parser.add_argument("--out", default=default_out)
    parser.add_argument("--datasets", help="comma-separated names (default: all small ones)")
    parser.add_argument("--summarize-only", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shard, n_shards = (int(v) for v in args.shard.split("/"))
    results_file = out / f"results-{shard}of{n_shards}.csv"
    if not args.summarize_only:
        index = pd.read_csv(Path(args.pmlb) / "index.csv")
        regression = index["task"] == "regression"
        wanted = regression if args.task == "regression" else ~regression
        names = index[wanted & (index["n_instances"] <= args.max_rows)]
        names = sorted(names["name"])
        if args.datasets:
            names = [n for n in names if n in args.datasets.split(",")]
        names = names[shard::n_shards]
        mine = pd.read_csv(results_file) if results_file.exists() else pd.DataFrame()
        for name in names:
            for seed in range(args.splits):
                done = _read_results(out)  # any shard's file, an earlier run's too
                if len(done) and ((done["dataset"] == name) & (done["split"] == seed)).any():
                    continue
                start = time.monotonic()
                losses = losses_of(name, Path(args.pmlb), seed, args.n_trials)
                rows = pd.DataFrame(
                    [
                        {"dataset": name, "split": seed, "variant": v, "test_loss": loss}
                        for v, loss in losses.items()
                    ]
                )
                mine = pd.concat([mine, rows], ignore_index=True)
                mine.to_csv(results_file, index=False)
                print(
                    f"{name} split {seed} ({time.monotonic() - start:.0f}s): "
                    + "  ".join(f"{v} {loss:.4f}" for v, loss in losses.items()),
                    file=sys.stderr,
                    flush=True,
                )
    index = pd.read_csv(Path(args.pmlb) / "index.csv").set_index("name")
    summary = summarize(
        _read_results(out),
        reference,
        rows=index["n_instances"],
        relative=args.task == "regression",
    )
    (out / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
