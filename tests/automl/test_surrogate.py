"""SMAC's random forest with a transfer prior mean, on a real configuration space."""

from __future__ import annotations

import numpy as np
from ConfigSpace import ConfigurationSpace, Float

from automl._surrogate import PriorMeanForest


def _space():
    cs = ConfigurationSpace(seed=0)
    cs.add(Float("x", (0.0, 1.0)), Float("y", (0.0, 1.0)))
    return cs


def _forest(prior):
    return PriorMeanForest(
        _space(), prior, n_trees=10, seed=0, n_jobs=1, max_leaf_nodes=None, log_y=False
    )


def test_forest_follows_a_good_prior_from_three_trials():
    prior = lambda X: np.abs(X[:, 0] - 0.3)  # noqa: E731 - the past says x near 0.3 is best
    X = np.array([[0.0, 0.5], [0.5, 0.5], [1.0, 0.5]])
    y = 2 * prior(X) + 1
    forest = _forest(prior)
    forest.train(X, y.reshape(-1, 1))
    assert np.allclose(forest.scale_, (2.0, 1.0), atol=1e-6)
    unseen = np.array([[0.3, 0.1], [0.9, 0.9]])
    mean, var = forest.predict(unseen)
    assert mean[0, 0] < mean[1, 0] and var.shape == (2, 1)
    assert mean[0, 0] < y.min()  # it expects better than anything tried: worth asking


def test_forest_ignores_a_prior_that_ranks_the_trials_wrong():
    prior = lambda X: X[:, 0]  # noqa: E731
    X = np.array([[0.0, 0.5], [0.5, 0.5], [1.0, 0.5]])
    y = np.array([3.0, 2.0, 1.0])
    forest = _forest(prior)
    forest.train(X, y.reshape(-1, 1))
    assert forest.scale_[0] == 0.0
    plain = PriorMeanForest(
        _space(), lambda X: np.zeros(len(X)), n_trees=10, seed=0, n_jobs=1, max_leaf_nodes=None
    )
    plain.train(X, y.reshape(-1, 1))
    assert np.allclose(forest.predict(X)[0], plain.predict(X)[0])


def test_a_ranking_prior_is_reweighted_on_the_trials_before_it_is_scaled():
    from metalearning.transfer import RankingPrior

    rng = np.random.default_rng(0)
    pool = rng.uniform(size=(60, 2))
    near_03 = np.abs(pool[:, 0] - 0.3)
    past = np.vstack([near_03, 1 - near_03])  # two past datasets that disagree
    prior = RankingPrior(n_trees=20, seed=0).fit(pool, past, np.array([0.01, 1.0]))
    X = np.array([[0.0, 0.5], [0.3, 0.5], [0.6, 0.5], [1.0, 0.5]])
    y = np.abs(X[:, 0] - 0.3)  # this search agrees with the first dataset, not the start
    forest = _forest(prior)
    forest.train(X, y.reshape(-1, 1))
    assert prior.weights_[0] > 0.9 and forest.scale_[0] > 0
    mean, _ = forest.predict(np.array([[0.3, 0.1], [0.9, 0.9]]))
    assert mean[0, 0] < mean[1, 0]
