"""SMAC's random forest with a prior mean learned from the knowledge base (transfer).

The forest models only what the prior does not explain: on every retrain it fits
``cost ~ a * prior(x) + b`` on this search's trials (:func:`metalearning.transfer.prior_scale`)
and trains on the residuals; predictions add ``a * prior(x) + b`` back. With no or few trials,
or a prior that ranks this dataset's trials the wrong way round, ``a = 0`` and it is SMAC's
plain forest. A prior with an ``observe(X, y)`` method
(:class:`metalearning.transfer.RankingPrior`) is shown the trials first, on every retrain.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from smac.model.random_forest import RandomForest

from metalearning.transfer import prior_scale


class PriorMeanForest(RandomForest):
    """``smac.model.random_forest.RandomForest`` around a prior mean ``prior(X) -> (n,)``."""

    def __init__(self, configspace, prior: Callable[[np.ndarray], np.ndarray], **kwargs):
        super().__init__(configspace, **kwargs)
        self._prior = prior
        self.scale_ = (0.0, 0.0)

    def _offset(self, X: np.ndarray) -> np.ndarray:
        a, b = self.scale_
        prior = self._prior(X[:, : self._n_hps]) if a else np.zeros(len(X))
        return (a * prior + b).reshape(-1, 1)

    def _train(self, X: np.ndarray, y: np.ndarray):
        y = np.asarray(y, dtype=float).reshape(-1, 1)
        observe = getattr(self._prior, "observe", None)
        if observe is not None:  # a prior that re-weights on this search's trials (RGPE)
            observe(X[:, : self._n_hps], y.ravel())
        self.scale_ = prior_scale(self._prior(X[:, : self._n_hps]), y.ravel())
        return super()._train(X, y - self._offset(X))

    def _predict(self, X: np.ndarray, covariance_type: str | None = "diagonal"):
        mean, var = super()._predict(X, covariance_type)
        return mean + self._offset(X), var
