"""The transfer prior: learned from a matrix, rescaled onto a search's own trials."""

from __future__ import annotations

import numpy as np
import pytest

from metalearning.transfer import TransferPrior, prior_scale


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
