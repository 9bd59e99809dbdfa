"""The transfer prior: learned from a matrix, rescaled onto a search's own trials."""

from __future__ import annotations

import numpy as np
import pytest

from metalearning.transfer import (
    OptimumPrior,
    RankingPrior,
    TransferPrior,
    prior_scale,
    ranking_weights,
)


def _matrix(seed=0):
    """Candidates on a 2-d grid; past datasets agree that the best is near (0.2, 0.8)."""
    rng = np.random.default_rng(seed)
    vectors = rng.uniform(size=(80, 2))
    distance = np.linalg.norm(vectors - [0.2, 0.8], axis=1)
    normalised = np.clip(distance[None, :] + rng.normal(scale=0.05, size=(6, 80)), 0, 1)
    return vectors, normalised


def test_prior_ranks_new_configurations_like_the_past_datasets():
    vectors, normalised = _matrix()
    prior = TransferPrior(seed=0).fit(vectors, normalised)
    new = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]])
    predicted = prior.predict(new)
    assert predicted[0] < predicted[1] < predicted[2]


def test_weights_pick_which_datasets_speak():
    vectors, normalised = _matrix()
    flipped = 1 - normalised
    both = np.vstack([normalised, flipped])
    only_flipped = np.r_[np.zeros(6), np.ones(6)]
    prior = TransferPrior(seed=0).fit(vectors, both, only_flipped)
    assert prior.predict(np.array([[0.2, 0.8]]))[0] > prior.predict(np.array([[0.9, 0.1]]))[0]


def test_inactive_values_are_handled():
    vectors, normalised = _matrix()
    vectors[:10, 1] = np.nan
    prior = TransferPrior(seed=0).fit(vectors, normalised)
    assert np.isfinite(prior.predict(np.array([[0.3, np.nan]]))).all()


@pytest.mark.parametrize(
    ("prior", "losses", "expected"),
    [
        ([0.0, 0.5, 1.0], [1.0, 2.0, 3.0], (2.0, 1.0)),  # a linear map is recovered
        ([0.0, 0.5, 1.0], [3.0, 2.0, 1.0], (0.0, 2.0)),  # wrong way round: ignored
        ([0.0, 1.0], [1.0, 3.0], (0.0, 2.0)),  # too few trials
        ([0.5, 0.5, 0.5], [1.0, 2.0, 3.0], (0.0, 2.0)),  # a flat prior says nothing
    ],
)
def test_prior_scale(prior, losses, expected):
    assert prior_scale(prior, losses) == pytest.approx(expected)


def test_ranking_weights_go_to_the_datasets_that_order_the_trials():
    rng = np.random.default_rng(0)
    losses = rng.uniform(size=20)
    agree = losses + rng.normal(scale=0.01, size=20)
    noise = rng.uniform(size=(20, 3))
    weights = ranking_weights(np.column_stack([noise, agree, -losses]), losses, seed=0)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[3] > 0.9
    assert weights[4] == 0.0  # the reversed dataset never wins


def test_ranking_prior_reweights_on_the_search_trials():
    vectors, normalised = _matrix()
    flipped = 1 - normalised
    both = np.vstack([normalised, flipped])
    start = np.r_[np.ones(6), np.full(6, 0.01)]  # meta-features say: the first six
    prior = RankingPrior(seed=0).fit(vectors, both, start)
    good, bad = np.array([[0.2, 0.8]]), np.array([[0.9, 0.1]])
    assert prior(good)[0] < prior(bad)[0]
    assert prior.observe(vectors[:2], [0.0, 1.0]) is prior.start_weights_  # too few trials
    # this search's trials rank like the flipped datasets: their weight takes over
    trials = vectors[:15]
    weights = prior.observe(trials, 1 - np.linalg.norm(trials - [0.2, 0.8], axis=1))
    assert weights[6:].sum() > 0.9
    assert prior(good)[0] > prior(bad)[0]
    assert np.array_equal(
        weights, prior.observe(trials, 1 - np.linalg.norm(trials - [0.2, 0.8], axis=1))
    )


def test_a_dataset_of_weight_zero_is_hidden_from_the_ranking():
    vectors, normalised = _matrix()
    flipped = 1 - normalised
    # The flipped datasets would rank these trials perfectly, but leave-one-out hid them.
    prior = RankingPrior(seed=0).fit(
        vectors, np.vstack([normalised, flipped]), np.r_[np.ones(6), np.zeros(6)]
    )
    assert list(prior.datasets_) == list(range(6))
    trials = vectors[:15]
    weights = prior.observe(trials, 1 - np.linalg.norm(trials - [0.2, 0.8], axis=1))
    assert len(weights) == 6
    assert prior(np.array([[0.2, 0.8]]))[0] < prior(np.array([[0.9, 0.1]]))[0]


def test_optimum_prior_is_densest_where_the_past_datasets_did_best():
    vectors, normalised = _matrix()
    prior = OptimumPrior([False, False], n_best=10, bandwidth=0.1).fit(vectors, normalised)
    density = prior(np.array([[0.2, 0.8], [0.4, 0.6], [0.9, 0.1]]))
    assert density[0] > density[1] > density[2] == prior.floor
    assert density.max() <= 1.0 and prior(prior.centres_).max() == pytest.approx(1.0)


def test_optimum_prior_follows_the_weighted_datasets():
    vectors, normalised = _matrix()
    both = np.vstack([normalised, 1 - normalised])
    only_flipped = np.r_[np.zeros(6), np.ones(6)]
    prior = OptimumPrior([False, False], n_best=10).fit(vectors, both, only_flipped)
    density = prior(np.array([[0.2, 0.8], [0.9, 0.1]]))
    assert density[0] < density[1]


def test_optimum_prior_reaches_only_configurations_of_the_same_shape():
    # dimension 0 is the family (categorical); family 1 has no dimension 2
    vectors = np.array([[0.0, 0.5, 0.5], [0.0, 0.9, 0.1], [1.0, 0.5, np.nan]])
    normalised = np.array([[0.0, 0.1, 0.5]])
    prior = OptimumPrior([True, False, False], n_best=2, floor=1e-6).fit(vectors, normalised)
    density = prior(np.array([[0.0, 0.5, 0.5], [1.0, 0.5, np.nan], [2.0, 0.5, 0.5]]))
    assert density[0] == pytest.approx(1.0)
    assert density[1] == pytest.approx(1e-6)  # family 1's candidate is not among the 2 best
    # another value of the categorical dimension is one bandwidth away: exp(-1/2)
    assert density[2] == pytest.approx(np.exp(-0.5), rel=1e-3)
