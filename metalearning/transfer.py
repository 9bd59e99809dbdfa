"""Transfer into the optimiser's model: what the performance matrix says about configurations
this search has not run yet.

:class:`TransferPrior` learns, from the candidates of the matrix, a map from a configuration's
vector (as the optimiser encodes it) to its normalised loss on datasets like this one (the
nearest datasets weigh more). The optimiser uses it as the prior mean of its own surrogate:
it fits ``loss ~ a * prior + b`` on this dataset's trials and models only the residual, so with
few trials the prior shapes the proposals, and when it ranks this dataset's trials badly
(``a <= 0``) it is ignored.

:class:`RankingPrior` is the RGPE-style alternative (Feurer, Letham and Bakshy 2018): one
surrogate per past dataset, weighted not by meta-feature distance but by how often each ranks
this search's own trials best (bootstrapped pairwise ranking loss), re-weighted as trials
arrive.

:class:`OptimumPrior` is a belief about where the optimum lies rather than a model of the loss:
a density around the candidates that did best on datasets like this one, which weights the
optimiser's acquisition function and fades as the search's own trials accumulate (piBO,
Hvarfner et al. 2022).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor

INACTIVE = -1.0  # how an inactive hyperparameter (NaN in the vector) is encoded
MIN_TRIALS = 3  # fewer of this search's trials say nothing about how a prior ranks them


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
        w = _dataset_weights(weights, len(normalised))
        target = (w / w.sum()) @ np.asarray(normalised, dtype=float)
        self.model_ = _extra_trees(self.n_trees, self.seed).fit(_impute(vectors), target)
        return self

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Predicted normalised loss (0 best) of each configuration vector."""
        return self.model_.predict(_impute(vectors))


MAX_RANKED = 60  # trials the ranking loss looks at (pairs grow with the square)


class RankingPrior:
    """Per-dataset surrogates of the matrix, weighted by how well each ranks this search's
    trials (RGPE). Call it on configuration vectors for the weighted prediction; call
    :meth:`observe` with the search's trials to re-weight.

    Parameters
    ----------
    n_trees : int, default=50
    n_samples : int, default=64
        Bootstrap samples of the trials for the weights.
    seed : int, default=0
    """

    def __init__(self, n_trees: int = 50, n_samples: int = 64, seed: int = 0) -> None:
        self.n_trees = n_trees
        self.n_samples = n_samples
        self.seed = seed

    def fit(
        self, vectors: np.ndarray, normalised: np.ndarray, weights: np.ndarray | None = None
    ) -> RankingPrior:
        """As :meth:`TransferPrior.fit`; ``weights`` are used until trials are observed, and
        a dataset of weight 0 is left out altogether (leave-one-out hides datasets so: one
        that ranked this search's trials from memory would take all the weight)."""
        normalised = np.asarray(normalised, dtype=float)
        w = _dataset_weights(weights, len(normalised))
        self.datasets_ = np.flatnonzero(w > 0)
        self.model_ = _extra_trees(self.n_trees, self.seed).fit(
            _impute(vectors), normalised[self.datasets_].T
        )
        w = w[self.datasets_]
        self.start_weights_ = w / w.sum()
        self.weights_ = self.start_weights_
        return self

    def per_dataset(self, vectors: np.ndarray) -> np.ndarray:
        """(configurations x past datasets kept, ``datasets_``) predicted normalised losses."""
        predicted = self.model_.predict(_impute(vectors))
        return predicted.reshape(len(predicted), -1)

    def observe(self, vectors: np.ndarray, losses: np.ndarray) -> np.ndarray:
        """Re-weight the datasets on this search's ``losses`` at ``vectors``; the weights."""
        losses = np.asarray(losses, dtype=float).ravel()
        if len(losses) < MIN_TRIALS:
            self.weights_ = self.start_weights_
        else:
            seed = self.seed + len(losses)
            predictions = self.per_dataset(vectors)
            self.weights_ = ranking_weights(predictions, losses, self.n_samples, seed)
        return self.weights_

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        """The weighted prior loss at each of ``vectors``."""
        return self.per_dataset(vectors) @ self.weights_


class OptimumPrior:
    """A density over configuration vectors, highest at the candidates that did best on the
    weighted datasets: a mixture of Gaussian kernels at the ``n_best`` best candidates by
    weighted mean normalised loss, each weighted ``exp(-(loss - best) / temperature)``. A
    kernel reaches only configurations with the same active hyperparameters (the same family
    and choices); a categorical value that differs counts as one bandwidth away. Values lie
    in ``[floor, 1]``, 1 at the densest candidate.

    Parameters
    ----------
    categorical : sequence of bool
        Which dimensions of the vectors are categorical (their values are indices).
    n_best : int, default=25
    temperature : float, default=0.05
    bandwidth : float, default=0.3
        Of the numeric dimensions, which the vectors scale to [0, 1].
    floor : float, default=1e-6
    """

    def __init__(
        self,
        categorical,
        n_best: int = 25,
        temperature: float = 0.05,
        bandwidth: float = 0.3,
        floor: float = 1e-6,
    ) -> None:
        self.categorical = categorical
        self.n_best = n_best
        self.temperature = temperature
        self.bandwidth = bandwidth
        self.floor = floor

    def fit(
        self, vectors: np.ndarray, normalised: np.ndarray, weights: np.ndarray | None = None
    ) -> OptimumPrior:
        """As :meth:`TransferPrior.fit`."""
        normalised = np.asarray(normalised, dtype=float)
        w = _dataset_weights(weights, len(normalised))
        loss = (w / w.sum()) @ np.where(np.isfinite(normalised), normalised, 1.0)
        best = np.argsort(loss, kind="stable")[: self.n_best]
        self.centres_ = np.asarray(vectors, dtype=float)[best]
        self.mass_ = np.exp(-(loss[best] - loss[best[0]]) / self.temperature)
        self.categorical_ = np.asarray(self.categorical, dtype=bool)
        self.scale_ = float(self._unscaled(self.centres_).max())
        return self

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        """The prior density at each of ``vectors`` (rows)."""
        return np.clip(self._unscaled(vectors) / self.scale_, self.floor, 1.0)

    def _unscaled(self, vectors: np.ndarray) -> np.ndarray:
        x = np.asarray(vectors, dtype=float)[:, None, :]
        c = self.centres_[None, :, :]
        active_x, active_c = np.isfinite(x), np.isfinite(c)
        same = np.all(active_x == active_c, axis=2)
        gap = np.where(active_x & active_c, x - c, 0.0)
        numeric = np.where(self.categorical_, 0.0, gap / self.bandwidth) ** 2
        mismatch = self.categorical_ & (gap != 0)
        squared = numeric.sum(axis=2) + mismatch.sum(axis=2)
        return np.where(same, np.exp(-0.5 * squared), 0.0) @ self.mass_


def ranking_weights(
    predictions: np.ndarray, losses: np.ndarray, n_samples: int = 64, seed: int = 0
) -> np.ndarray:
    """RGPE's weights: over bootstrap samples of the trials, the share of samples in which
    each past dataset's ``predictions`` (trials x datasets) order the ``losses`` with the
    fewest discordant pairs (ties share). At most ``MAX_RANKED`` trials, the latest."""
    predictions = np.asarray(predictions, dtype=float)[-MAX_RANKED:]
    losses = np.asarray(losses, dtype=float)[-MAX_RANKED:]
    n, n_datasets = predictions.shape
    truth = np.sign(losses[:, None] - losses[None, :])
    said = np.sign(predictions[:, None, :] - predictions[None, :, :])
    discordant = (truth[:, :, None] * said < 0).astype(float).reshape(n, n * n_datasets)
    rng = np.random.default_rng(seed)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(n_samples)])
    counts = counts.astype(float)
    # each pair is counted twice over (i, j) and (j, i); the argmin does not mind
    loss = np.einsum("sid,si->sd", (counts @ discordant).reshape(n_samples, n, n_datasets), counts)
    best = loss <= loss.min(axis=1, keepdims=True) + 1e-9
    wins = (best / best.sum(axis=1, keepdims=True)).sum(axis=0)
    return wins / n_samples


def _extra_trees(n_trees: int, seed: int) -> ExtraTreesRegressor:
    """The model both priors learn the matrix with (one output, or one per dataset)."""
    return ExtraTreesRegressor(
        n_estimators=n_trees, min_samples_leaf=2, random_state=seed, n_jobs=1
    )


def _dataset_weights(weights: np.ndarray | None, n_datasets: int) -> np.ndarray:
    return np.ones(n_datasets) if weights is None else np.asarray(weights, dtype=float)


def _impute(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=float)
    return np.where(np.isfinite(vectors), vectors, INACTIVE)


def prior_scale(
    prior: np.ndarray, losses: np.ndarray, min_trials: int = MIN_TRIALS
) -> tuple[float, float]:
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
