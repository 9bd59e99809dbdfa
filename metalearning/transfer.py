"""Transfer into the optimiser's model: what the performance matrix says about configurations
this search has not run yet.

:class:`TransferPrior` learns, from the candidates of the matrix, a map from a configuration's
vector (as the optimiser encodes it) to its normalised loss on datasets like this one (the
nearest datasets weigh more). The optimiser uses it as the prior mean of its own surrogate:
it fits ``loss ~ a * prior + b`` on this dataset's trials and models only the residual, so with
few trials the prior shapes the proposals, and when it ranks this dataset's trials badly
(``a <= 0``) it is ignored.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor

INACTIVE = -1.0  # how an inactive hyperparameter (NaN in the vector) is encoded


class TransferPrior:
    """Normalised loss of a configuration vector, learned from the matrix's candidates.

    Parameters
    ----------
    n_trees : int, default=50
    seed : int, default=0
    """

    def __init__(self, n_trees: int = 50, seed: int = 0) -> None:
        self.n_trees = n_trees
        self.seed = seed

    def fit(
        self, vectors: np.ndarray, normalised: np.ndarray, weights: np.ndarray | None = None
    ) -> TransferPrior:
        """``vectors`` (candidates x dims), ``normalised`` (datasets x candidates, 0 best),
        ``weights`` over datasets (None: equal)."""
        w = np.ones(len(normalised)) if weights is None else np.asarray(weights, dtype=float)
        target = (w / w.sum()) @ np.asarray(normalised, dtype=float)
        self.model_ = ExtraTreesRegressor(
            n_estimators=self.n_trees, min_samples_leaf=2, random_state=self.seed, n_jobs=1
        ).fit(_impute(vectors), target)
        return self

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Predicted normalised loss (0 best) of each configuration vector."""
        return self.model_.predict(_impute(vectors))


def _impute(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=float)
    return np.where(np.isfinite(vectors), vectors, INACTIVE)


def prior_scale(prior: np.ndarray, losses: np.ndarray, min_trials: int = 3) -> tuple[float, float]:
    """``(a, b)`` of the least-squares fit ``losses ~ a * prior + b``; ``(0, mean)`` when there
    are fewer than ``min_trials`` trials or the prior does not rank them the right way round."""
    prior, losses = np.asarray(prior, dtype=float), np.asarray(losses, dtype=float)
    if len(losses) == 0:
        return 0.0, 0.0
    mean = float(np.mean(losses))
    if len(losses) < min_trials or np.ptp(prior) <= 1e-12:
        return 0.0, mean
    a, b = np.polyfit(prior, losses, 1)
    if a <= 0:
        return 0.0, mean
    return float(a), float(b)
