"""The final ensemble's members refitted once on all rows, or their trials' fold models averaged,
on small tables, measured paired (issues 9 and 11).

On tables of a few hundred rows a search that reached a lower cross-validated loss often tests
worse (``benchmarks/results/portfolio-60s-s16/diagnosis.txt``): one refit of a member on all
rows is a single draw of a high-variance model, while its cross-validated loss, which the
ensemble and the calibrator were chosen on, is that of its fold models. AutoGluon keeps the
fold models (bagging) instead of refitting. Both are built from the same search: every
(dataset, split) is searched once (``n_trials`` trials, one process, a fixed seed, the shipped
knowledge base leave-one-out), and its ensemble is then selected, calibrated and built three
ways:

- ``refit``: each member refitted once on all rows (the default);
- ``bag5``: each member's models of the first 5 folds, averaged;
- ``bag-all``: the models of every fold (15 under repeated CV; the same as ``bag5`` above 200
  rows, where CV is not repeated).

Test loss is 1 - ROC AUC (binary) or log loss (multiclass). Splits are stratified 2/3 - 1/3
with seeds 0..``--splits``-1 (seed 0 is the benchmarks' usual split).

    python -m benchmarks.fold_bagging --max-rows 2000 --splits 2 --out bench-results/bagging
"""

from __future__ import annotations

from pathlib import Path

import automl._evaluation as evaluation_module
from benchmarks.ensemble_pool import captured_search, paired_main, refitted_loss

# variant -> (FOLD_BAG_ROWS, FOLD_BAG_FOLDS)
VARIANTS = {"refit": (0, None), "bag5": (10**9, 5), "bag-all": (10**9, None)}


def variant_losses(name: str, pmlb: Path, seed: int, n_trials: int) -> dict[str, float]:
    """Test loss of each variant's ensemble, all from one search on ``name``'s split ``seed``."""
    model, args, X_test, y_test = captured_search(name, pmlb, seed, n_trials)
    spec = args[3]
    out = {}
    for variant, (rows, folds) in VARIANTS.items():
        if variant == "bag-all" and len(spec.splits) <= 5:
            out[variant] = out["bag5"]
            continue
        saved = evaluation_module.FOLD_BAG_ROWS, evaluation_module.FOLD_BAG_FOLDS
        evaluation_module.FOLD_BAG_ROWS, evaluation_module.FOLD_BAG_FOLDS = rows, folds
        try:
            out[variant] = refitted_loss(model, args, X_test, y_test)
        finally:
            evaluation_module.FOLD_BAG_ROWS, evaluation_module.FOLD_BAG_FOLDS = saved
    return out


def main(argv=None) -> int:
    return paired_main(argv, __doc__, variant_losses, "refit", "bench-results/fold-bagging")


if __name__ == "__main__":
    raise SystemExit(main())
