"""Does choosing a portfolio for the ensemble pay? Simulated on out-of-fold predictions.

A fit bounded by its trials ends with an ensemble of them (Caruana's selection), so what the
first ``k`` trials are worth is what their ensemble scores, not their best alone. The shipped
per-trial order (:meth:`metalearning.portfolio.Portfolio.trial_order`) is auto-sklearn 2.0's
greedy on single losses. This benchmark compares it with TabRepo's choice: a greedy that adds
the candidate whose ensemble with those already chosen has the lowest loss, averaged over the
training datasets. It reads the store ``automl kb oof`` writes (the matrix's rows, folds and
run ids; predictions of the per-trial order's first candidates and each family's defaults).

For each dataset, held out with its siblings (:func:`metalearning.portfolio.sibling_key`),
and each method's first ``k`` candidates (those that failed on it contribute nothing):

- ``single``: the best of them (the incumbent a fit would keep);
- ``ensemble``: Caruana's selection over them.

Both are cross-fitted over two halves of the rows (chosen on one half, scored on the other,
both ways), so that neither a larger set nor a freer choice is favoured by choosing on the
rows it is scored on.

Losses are normalised per dataset as the matrix's (0 for the store's best single candidate,
1 for its median), so an ensemble can score below 0. Methods: ``trial-order`` (the shipped
order, leave-one-out), ``ensemble-greedy`` (built on the other datasets' folds of
``--folds`` group folds), ``defaults`` (each family's defaults, a cold start's opening).

    python -m benchmarks.ensemble_portfolio --store OOF --out DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from automl._ensemble import ensemble_selection
from automl._task import METRICS
from benchmarks.plots import plot_by_trials
from benchmarks.report import to_markdown
from knowledge_base import KnowledgeBase
from knowledge_base.paths import shipped_path
from metalearning.portfolio import (
    candidate_key,
    defaults_order,
    find_portfolio,
    portfolio_folders,
    sibling_key,
)

PICKS = (1, 3, 5, 10)
SELECTION_SIZE = 25  # Caruana rounds in the simulation (the product's selection stops early)


@dataclass
class StoredDataset:
    name: str
    dataset_id: str
    metric: str
    y: np.ndarray
    predictions: list[np.ndarray | None]  # per candidate of the store; None where it failed


def load_store(folder: str | Path, kind: str) -> tuple[list[dict], list[StoredDataset]]:
    """The candidates (in the store's order) and datasets of ``kind`` in an ``automl kb oof``
    folder; a dataset with any candidate not yet evaluated is left out."""
    candidates: dict[str, dict] = {}
    found = []
    for meta_file in sorted(Path(folder).glob("*/meta.json")):
        meta = json.loads(meta_file.read_text())
        if (meta["task"] == "regression") != (kind == "regression"):
            continue
        cells = {}
        for run_id, candidate in meta["candidates"].items():
            path = meta_file.parent / f"{run_id}.npy"
            if path.exists():
                cells[candidate_key(candidate)] = np.load(path)
            elif (meta_file.parent / f"{run_id}.failed").exists():
                cells[candidate_key(candidate)] = None
            else:
                break
            candidates.setdefault(candidate_key(candidate), candidate)
        else:
            y = np.load(meta_file.parent / "y.npy")
            found.append((meta, meta_file.parent.name, y, cells))
    keys = list(candidates)
    datasets = [
        StoredDataset(meta["name"], dataset_id, meta["metric"], y, [cells.get(k) for k in keys])
        for meta, dataset_id, y, cells in found
    ]
    return [candidates[k] for k in keys], datasets


class Scorer:
    """Single and ensemble losses of candidate sets on one dataset, normalised."""

    def __init__(self, ds: StoredDataset, seed: int = 0):
        self.ds = ds
        self.metric = METRICS[ds.metric]
        first = next(p for p in ds.predictions if p is not None)
        self.labels = np.arange(first.shape[1]) if self.metric.classification else None
        self.single = np.array(
            [np.nan if p is None else self._loss(ds.y, p) for p in ds.predictions]
        )
        finite = self.single[np.isfinite(self.single)]
        self.best = finite.min()
        self.scale = max(np.median(finite) - self.best, 1e-12)
        rng = np.random.default_rng(seed)
        half = rng.permutation(len(ds.y)) % 2 == 0
        self.halves = (np.flatnonzero(half), np.flatnonzero(~half))

    def _loss(self, y, p) -> float:
        return float(self.metric.loss(y, p, self.labels))

    def normalised(self, loss: float) -> float:
        return (loss - self.best) / self.scale if np.isfinite(loss) else 1.0

    def single_of(self, picks) -> float:
        """The best of ``picks`` on one half of the rows, scored on the other (both ways)."""
        return self._mixed(picks, 1, cross_fit=True)

    def ensemble_of(self, picks, *, cross_fit: bool = True) -> float:
        """Caruana's selection over ``picks``: cross-fitted, or chosen and scored on all rows."""
        return self._mixed(picks, SELECTION_SIZE, cross_fit=cross_fit)

    def _mixed(self, picks, size: int, *, cross_fit: bool) -> float:
        preds = [self.ds.predictions[i] for i in picks if self.ds.predictions[i] is not None]
        if not preds:
            return 1.0
        if not cross_fit:
            rows = np.arange(len(self.ds.y))
            return self.normalised(self._fit_and_score(preds, rows, rows, size))
        a, b = self.halves
        both = self._fit_and_score(preds, a, b, size) + self._fit_and_score(preds, b, a, size)
        return self.normalised(both / 2)

    def _fit_and_score(self, preds, fit_rows, score_rows, size: int) -> float:
        y = self.ds.y
        if len(preds) == 1:
            return self._loss(y[score_rows], preds[0][score_rows])
        weights = ensemble_selection(
            [p[fit_rows] for p in preds], y[fit_rows], self.metric, size=size, labels=self.labels
        )
        mix = sum(w * p[score_rows] for w, p in zip(weights, preds, strict=True) if w > 0)
        return self._loss(y[score_rows], mix)


def ensemble_greedy(
    scorers: list[Scorer], n_candidates: int, size: int, *, cross_fit: bool = False
) -> list[int]:
    """TabRepo's portfolio: add the candidate whose ensemble with those chosen has the lowest
    mean normalised loss over ``scorers`` (selection in-sample unless ``cross_fit``)."""
    chosen: list[int] = []
    for _ in range(size):
        best, best_loss = None, np.inf
        for c in range(n_candidates):
            if c in chosen:
                continue
            loss = np.mean([s.ensemble_of([*chosen, c], cross_fit=cross_fit) for s in scorers])
            if loss < best_loss - 1e-12:
                best, best_loss = c, loss
        if best is None:
            break
        chosen.append(best)
    return chosen


def group_folds(datasets: list[StoredDataset], n_folds: int) -> list[int]:
    """Each dataset's fold; siblings share one."""
    groups = sorted({sibling_key(d.name) for d in datasets})
    order = np.random.default_rng(0).permutation(len(groups))
    fold_of = {g: int(order[i]) % n_folds for i, g in enumerate(groups)}
    return [fold_of[sibling_key(d.name)] for d in datasets]


def simulate(
    store: str | Path,
    kind: str,
    *,
    kb: KnowledgeBase | None = None,
    n_folds: int = 5,
    size: int = 10,
    cross_fit: bool = False,
) -> pd.DataFrame:
    """One row per dataset, method and k: the normalised single and ensemble losses.
    ``kb`` holds the portfolio and the datasets' names (default: the shipped base)."""
    kb = KnowledgeBase(None, read_only_paths=[shipped_path()]) if kb is None else kb
    candidates, datasets = load_store(store, kind)
    if not datasets:
        raise ValueError(f"no complete {kind} dataset in {store}")
    keys = [candidate_key(c) for c in candidates]
    portfolio = find_portfolio(kind, portfolio_folders(kb))
    if portfolio is None:
        raise ValueError(f"no {kind} portfolio in {kb!r}")
    pool_index = {candidate_key(c): i for i, c in enumerate(portfolio.pool)}
    missing = [k for k in keys if k not in pool_index]
    if missing:
        raise ValueError(f"{len(missing)} stored candidates are not in the portfolio's pool")
    defaults = {}
    for i, c in enumerate(candidates):  # the store keeps each family's first (its defaults)
        defaults.setdefault(c["model"], i)
    default_order = [defaults[f] for f in defaults_order(defaults) if f in defaults]
    scorers = [Scorer(d) for d in datasets]
    folds = group_folds(datasets, n_folds)
    greedy = {}
    for fold in range(n_folds):
        train = [s for s, f in zip(scorers, folds, strict=True) if f != fold]
        greedy[fold] = ensemble_greedy(train, len(candidates), size, cross_fit=cross_fit)
        print(f"[ensemble-portfolio] {kind} fold {fold}: {greedy[fold]}", file=sys.stderr)
    names = kb.datasets()
    names = dict(zip(names["dataset_id"], names["name"], strict=True))
    stored = {k: i for i, k in enumerate(keys)}
    rows = []
    for ds, scorer, fold in zip(datasets, scorers, folds, strict=True):
        hidden = [i for i, n in names.items() if sibling_key(n) == sibling_key(ds.name)]
        order = [portfolio.pool[i] for i in portfolio.trial_order(exclude=hidden, size=60)]
        trial = [stored[candidate_key(c)] for c in order if candidate_key(c) in stored]
        for method, picks in (
            ("trial-order", trial),
            ("ensemble-greedy", greedy[fold]),
            ("defaults", default_order),
        ):
            for k in PICKS:
                rows.append(
                    {
                        "dataset": ds.name,
                        "method": method,
                        "k": k,
                        "single": scorer.single_of(picks[:k]),
                        "ensemble": scorer.ensemble_of(picks[:k]),
                    }
                )
    return pd.DataFrame(rows)


def summarize(results: pd.DataFrame) -> str:
    """Mean (and median) normalised loss per method and k, single and ensembled."""
    table = results.groupby(["method", "k"])[["single", "ensemble"]].agg(["mean", "median"])
    table.columns = [f"{a} {b}" for a, b in table.columns]
    return to_markdown(table.reset_index().round(4), index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an `automl kb oof` folder")
    parser.add_argument("--out", required=True)
    parser.add_argument("--task", default="classification")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--kb", help="the base with the portfolio (default: the shipped one)")
    parser.add_argument(
        "--cross-fit-greedy", action="store_true", help="the greedy's ensembles cross-fitted too"
    )
    parser.add_argument(
        "--summarize-only", action="store_true", help="table and plot from OUT's results file"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.summarize_only:
        results = pd.read_csv(out / f"{args.task}.csv")
    else:
        kb = None if args.kb is None else KnowledgeBase(args.kb)
        results = simulate(
            args.store,
            args.task,
            kb=kb,
            n_folds=args.folds,
            size=args.size,
            cross_fit=args.cross_fit_greedy,
        )
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / f"{args.task}.csv", index=False)
    text = summarize(results)
    (out / f"{args.task}.md").write_text(text + "\n")
    long = results.melt(["dataset", "method", "k"], ["single", "ensemble"], var_name="kind")
    long["setting"] = long["method"] + " " + long["kind"]
    plot_by_trials(
        long.pivot_table(index="dataset", columns=["setting", "k"], values="value"),
        out / f"{args.task}.png",
        f"Simulated on stored predictions: the first k candidates ({results['dataset'].nunique()}"
        " datasets)",
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
