"""Does the default's gain over cold SMAC at 60 s depend on how far the table is from the
knowledge base? Per table: the distance from its training part's meta-features to its 10
nearest datasets of the leave-one-out portfolio (as ``plan_portfolio`` measures them), against
the default's relative test loss to cold SMAC, averaged over earlier same-code runs. From the
repository root (the distances take about 5 minutes; they are cached in ``distances-*.csv``):

    python benchmarks/results/distance-vs-gain-s48/analyse.py
"""

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.warm_vs_cold import loo_portfolio_base, mode_losses, pmlb_split  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PMLB = ROOT.parent / "shared" / "datasets" / "pmlb"
# (folder, default's mode, cold SMAC's mode): same code within each pair of modes.
RUNS = {
    "regression": [
        (RESULTS / "regression-split1-s45", "default", "cold"),
        (RESULTS / "search-seed-s46", "default", "cold"),
        (RESULTS / "cut-rounds-s47", "default", "cold"),
    ],
    "classification": [
        (RESULTS / "classification-60s-s35" / f"tight-split{s}", "portfolio-tight", "cold-tight")
        for s in (0, 2)
    ]
    + [
        (RESULTS / "classification-60s-s36" / f"tight-split{s}", "portfolio-tight", "cold-tight")
        for s in (1, 3)
    ],
}
LISTS = {
    "regression": RESULTS / "feature-selection-s44" / "datasets-regression-77.txt",
    "classification": RESULTS / "portfolio-10s-s26" / "datasets-47.txt",
}


def distances(task: str) -> pd.DataFrame:
    """Each table's distance to its nearest and mean distance to its 10 nearest datasets."""
    from knowledge_base import dataset_fingerprint
    from knowledge_base.vocabulary import Task
    from metalearning import DatasetSimilarity, compute_metafeatures
    from metalearning.portfolio import find_portfolio, portfolio_folders
    from metalearning.warmstart import leave_one_out_exclusions

    cache = HERE / f"distances-{task}.csv"
    if cache.is_file():
        return pd.read_csv(cache, index_col="dataset")
    rows, tmp = [], Path(tempfile.mkdtemp())
    for name in LISTS[task].read_text().split():
        X, _, y, _ = pmlb_split(name, PMLB, stratify=task == "classification", seed=1)
        kind = Task.REGRESSION if task == "regression" else Task.BINARY
        if task == "classification" and pd.Series(y).nunique() > 2:
            kind = Task.MULTICLASS
        kb = loo_portfolio_base(name, task, tmp)
        mf = compute_metafeatures(X, pd.Series(y), task=kind.value, random_state=0)
        exclude = leave_one_out_exclusions(kb, mf, dataset_fingerprint(X, pd.Series(y)))
        portfolio = find_portfolio(task, portfolio_folders(kb))
        frame = kb.metafeatures()
        frame = frame[frame.index.isin(portfolio.dataset_ids) & ~frame.index.isin(exclude)]
        d = np.sort(DatasetSimilarity().fit(frame).distances(mf)["distance"].to_numpy())
        rows.append((name, len(X), X.shape[1], d[0], d[:10].mean()))
    table = pd.DataFrame(rows, columns=["dataset", "rows", "features", "nearest", "nearest_10"])
    table.set_index("dataset").to_csv(cache)
    return table.set_index("dataset")


def gains(task: str) -> pd.Series:
    """The default's test loss relative to cold SMAC's, (a - b) / mean(a, b), averaged over
    the runs (negative: the default better)."""
    per_run = []
    for folder, default, cold in RUNS[task]:
        a, b = mode_losses(folder, default), mode_losses(folder, cold)
        per_run.append((a - b) / np.maximum((a + b) / 2, 1e-3))
    return pd.concat(per_run, axis=1).mean(axis=1)


def main() -> None:
    lines = []
    for task in ("regression", "classification"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = distances(task).join(gains(task).rename("gain"), how="inner")
        rho, p = spearmanr(table["nearest_10"], table["gain"])
        quartile = pd.qcut(table["nearest_10"], 4)
        lines += [
            f"## {task}: {len(table)} tables, {len(RUNS[task])} runs",
            "",
            f"Spearman's rho, distance to the 10 nearest against the relative loss: {rho:.2f} "
            f"(p = {p:.2g}); to the nearest: {spearmanr(table['nearest'], table['gain'])[0]:.2f}",
            "",
            "| distance to the 10 nearest | tables | mean relative loss | default better | worse |",
            "|---|---|---|---|---|",
        ]
        for q, part in table.groupby(quartile, observed=True)["gain"]:
            lines.append(
                f"| {q.left:.2f} to {q.right:.2f} | {len(part)} | {part.mean():+.2%} | "
                f"{(part < -0.001).sum()} | {(part > 0.001).sum()} |"
            )
        lines.append("")
    text = "\n".join(lines)
    (HERE / "analysis.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
