"""Whether the ensemble should be selected on fresh folds, measured paired on the same searches.

Issue 11's last losses are selection on tiny tables: the best of 100 trials is flattered by the
folds that chose it (analcatdata_asbestos, split 3: a kernel SVM validated at 1 - AUC 0.044,
tested at 0.474). ``automl/_revalidation.py`` validates the ensemble's candidates again on folds
of another shuffle. Whether selecting on those pays is a question about the last step only, so
every (dataset, split) is searched once (``n_trials`` trials, one process, seed 0, the shipped
knowledge base leave-one-out, every candidate revalidated: the budget is not the limit), and
each variant is selected, calibrated and refitted from that one search and scored on the
split's test third:

- ``search``: selection on the search's own folds (before revalidation);
- ``fresh``: selection on the fresh folds only (the candidates re-ranked by them);
- ``pooled``: on both, each row's prediction the mean of its two out-of-fold predictions.

Test loss is 1 - ROC AUC (binary) or log loss (multiclass); splits are stratified 2/3 - 1/3
with seeds 0..``--splits``-1.

    python -m benchmarks.revalidation --splits 3 --out bench-results/revalidation
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from automl._revalidation import Revalidated
from benchmarks.ensemble_pool import captured_search, paired_main, refitted_loss


def pooled(fresh: Revalidated, predictions: dict[int, np.ndarray], y: np.ndarray, spec, metric):
    """The candidates' predictions averaged over the search's folds and the fresh ones."""
    labels = np.arange(spec.n_classes)
    mixed, losses = {}, {}
    for trial, new in fresh.predictions.items():
        both = np.nanmean(np.stack([predictions[trial], new]), axis=0)
        mixed[trial] = both
        rows = ~np.isnan(both.reshape(len(y), -1)[:, 0])
        losses[trial] = metric.loss(y[rows], both[rows], labels)
    return Revalidated(losses, mixed, fresh.seconds)


def variant_losses(name: str, pmlb: Path, seed: int, n_trials: int) -> dict[str, float]:
    """Test loss of each variant's ensemble, all from one search on ``name``'s split ``seed``."""
    model, args, X_test, y_test = captured_search(name, pmlb, seed, n_trials)
    result, _, y_enc, spec, metric, _, fresh = args
    if fresh is None or len(fresh.losses) < 2:
        return {}
    mixed = pooled(fresh, result.predictions, y_enc, spec, metric)
    return {
        "search": refitted_loss(model, args, X_test, y_test, fresh=None),
        "fresh": refitted_loss(model, args, X_test, y_test, fresh=fresh),
        "pooled": refitted_loss(model, args, X_test, y_test, fresh=mixed),
    }


def main(argv=None) -> int:
    return paired_main(argv, __doc__, variant_losses, "search", "bench-results/revalidation")


if __name__ == "__main__":
    raise SystemExit(main())
