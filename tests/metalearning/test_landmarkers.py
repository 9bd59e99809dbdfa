"""Landmarkers: the decision stump's split search and the nearest neighbour's distances against
brute-force ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from metalearning._landmarkers import _numeric_split, _squared_distances


def _entropy(counts: np.ndarray) -> float:
    """Weka's conditional entropy of branch class counts (branches x classes), up to a constant."""

    def xlogx(v):
        return v * np.log(v) if v > 1e-6 else 0.0

    return -sum(sum(xlogx(c) for c in row) - xlogx(row.sum()) for row in counts)


def _brute_force(x: np.ndarray, y: np.ndarray, n_classes: int) -> float:
    """The lowest entropy of any threshold between two distinct values of any column."""
    best = np.inf
    for column in x.T:
        present = ~np.isnan(column)
        missing = np.bincount(y[~present], minlength=n_classes)
        values = np.unique(column[present])
        for low, high in itertools.pairwise(values):
            point = (low + high) / 2
            left = np.bincount(y[present & (column <= point)], minlength=n_classes)
            right = np.bincount(y[present & (column > point)], minlength=n_classes)
            best = min(best, _entropy(np.array([left, right, missing], dtype=float)))
    return best


@pytest.mark.parametrize("kind", ["discrete", "continuous", "missing", "constant"])
def test_numeric_split_finds_the_lowest_entropy_threshold(kind):
    rng = np.random.default_rng(len(kind))
    n, n_classes = 120, 3
    x = rng.integers(0, 3, (n, 8)).astype(float) if kind == "discrete" else rng.normal(size=(n, 8))
    if kind == "missing":
        x[rng.random(x.shape) < 0.3] = np.nan
    if kind == "constant":
        x[:] = 1.0
    y = rng.integers(0, n_classes, n)
    # Small chunks: the search runs over several column chunks, as on wide data.
    score, split = _numeric_split(x, np.eye(n_classes)[y], max_cells=n * n_classes * 3)
    expected = _brute_force(x, y, n_classes)
    if kind == "constant":
        assert split is None and np.isinf(score)
        return
    assert score == pytest.approx(expected, rel=1e-12)
    _, j, point, dist = split
    column = x[:, j]
    present = ~np.isnan(column)
    left = np.bincount(y[present & (column <= point)], minlength=n_classes)
    right = np.bincount(y[present & (column > point)], minlength=n_classes)
    missing = np.bincount(y[~present], minlength=n_classes)
    assert _entropy(np.array([left, right, missing], dtype=float)) == pytest.approx(expected)
    assert np.allclose(dist[0], left / left.sum()) and np.allclose(dist[1], right / right.sum())


def _weka_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Weka's squared distance of two min-max scaled rows, one column at a time: a pair of
    values counts its squared difference, a value against a gap max(v, 1 - v) squared, two gaps 1."""
    total = 0.0
    for u, v in zip(a, b, strict=True):
        if np.isnan(u) and np.isnan(v):
            total += 1.0
        elif np.isnan(u) or np.isnan(v):
            w = v if np.isnan(u) else u
            total += max(w, 1 - w) ** 2
        else:
            total += (u - v) ** 2
    return total


@pytest.mark.filterwarnings("ignore:All-NaN slice")  # the column of gaps only
@pytest.mark.parametrize("seed", range(3))
def test_distances_with_gaps_follow_wekas_rule_pair_by_pair(seed):
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(30, 5)) * [1, 10, 100, 1, 1]
    numeric[rng.random(numeric.shape) < 0.3] = np.nan
    numeric[:, 4] = np.nan  # a column of gaps only
    low, high = np.nanmin(numeric[:, :4], axis=0), np.nanmax(numeric[:, :4], axis=0)
    scaled = np.column_stack([(numeric[:, :4] - low) / (high - low), numeric[:, 4]])
    expected = np.array([[_weka_distance(a, b) for b in scaled] for a in scaled])
    np.testing.assert_allclose(_squared_distances(numeric, []), expected, atol=1e-12)
