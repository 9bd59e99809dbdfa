"""dataset_fingerprint: stable, layout-independent, value-dependent."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from knowledge_base import dataset_fingerprint


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 50
    return pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "int": rng.integers(0, 10, n),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "text": pd.Series(rng.choice(["x", "y"], n), dtype="str"),
            "flag": rng.random(n) > 0.5,
            "gaps": np.where(rng.random(n) > 0.7, np.nan, rng.normal(size=n)),
        }
    )


@pytest.fixture
def target(frame) -> pd.Series:
    return pd.Series(np.arange(len(frame)) % 3, name="y")


def test_hex_and_stable(frame, target):
    fp = dataset_fingerprint(frame, target)
    assert len(fp) == 20 and set(fp) <= set("0123456789abcdef")  # lower-case hex
    assert dataset_fingerprint(frame.copy(), target.copy()) == fp


def test_known_value():
    """Guards against accidental changes of the hash: stored dataset ids would go stale."""
    X = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": ["x", None, "z"]})
    assert dataset_fingerprint(X, [0, 1, 0]) == "68e110a4c004b20d990d"


@pytest.mark.parametrize(
    "same",
    [
        pytest.param(lambda X, y: (X.set_index(X.index * 7 + 3), y), id="index"),
        pytest.param(lambda X, y: (X.copy(), y.rename("target")), id="target name"),
        pytest.param(lambda X, y: (X.astype({"text": object, "cat": object}), y), id="object"),
        pytest.param(lambda X, y: (X.astype({"text": "category"}), y), id="category"),
        pytest.param(lambda X, y: (X.astype({"int": "float64"}), y.astype(float)), id="int-float"),
        pytest.param(lambda X, y: (X.astype({"int": "Int64", "flag": int}), y), id="nullable"),
        pytest.param(lambda X, y: (X.astype({"gaps": "Float64"}), y), id="pd.NA"),
        pytest.param(lambda X, y: (X, y.to_numpy()), id="numpy y"),
        pytest.param(
            lambda X, y: (
                pd.concat([X[["num", "int"]], X.drop(columns=["num", "int"])], axis=1),
                y,
            ),
            id="blocks",
        ),
        pytest.param(lambda X, y: (X.iloc[::-1], y.iloc[::-1]), id="row order"),
        pytest.param(
            lambda X, y: (X.sample(frac=1, random_state=1), y.sample(frac=1, random_state=1)),
            id="shuffled",
        ),
    ],
)
def test_independent_of_layout(frame, target, same):
    assert dataset_fingerprint(*same(frame, target)) == dataset_fingerprint(frame, target)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(lambda X, y: (X.assign(num=X["num"] + 1e-9), y), id="value"),
        pytest.param(lambda X, y: (X.assign(gaps=X["gaps"].fillna(0)), y), id="nan filled"),
        pytest.param(lambda X, y: (X.rename(columns={"num": "Num"}), y), id="column name"),
        pytest.param(lambda X, y: (X[X.columns[::-1]], y), id="column order"),
        pytest.param(lambda X, y: (X, (y + 1) % 3), id="target"),
        pytest.param(lambda X, y: (X, None), id="no target"),
        pytest.param(lambda X, y: (X.iloc[:-1], y.iloc[:-1]), id="fewer rows"),
        pytest.param(
            lambda X, y: (pd.concat([X, X.iloc[:1]]), pd.concat([y, y.iloc[:1]])), id="dup row"
        ),
        pytest.param(
            lambda X, y: (X, y.sample(frac=1, random_state=1).reset_index(drop=True)), id="pairing"
        ),
        pytest.param(lambda X, y: (X.assign(text=X["text"].str.upper()), y), id="strings"),
    ],
)
def test_depends_on_content(frame, target, other):
    assert dataset_fingerprint(*other(frame, target)) != dataset_fingerprint(frame, target)


def test_numpy_layouts_agree():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    X[3, 2] = np.nan
    y = rng.integers(0, 2, 40)
    fp = dataset_fingerprint(X, y)
    assert dataset_fingerprint(np.asfortranarray(X), y) == fp
    wide = np.zeros((40, 10))
    wide[:, ::2] = X
    assert dataset_fingerprint(wide[:, ::2], y) == fp  # a strided view
    assert dataset_fingerprint(pd.DataFrame(X), pd.Series(y)) == fp  # positional names
    assert dataset_fingerprint(X.tolist(), y.tolist()) == fp


def test_mixed_object_numpy_array():
    X = np.array([[1, "a", None], [2.5, "b", np.nan], [3, None, 7]], dtype=object)
    fp = dataset_fingerprint(X, ["u", "v", "u"])
    assert len(fp) == 20 and fp == dataset_fingerprint(X.copy(), ["u", "v", "u"])


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (np.zeros((3, 2)), np.zeros(4), ValueError, "same number of rows, got 3 and 4"),
        (np.zeros((2, 2, 2)), None, ValueError, r"1- or 2-dimensional, got shape \(2, 2, 2\)"),
        (sparse.csr_matrix(np.eye(3)), None, TypeError, "sparse X"),
    ],
)
def test_bad_input(X, y, error, message):
    with pytest.raises(error, match=message):
        dataset_fingerprint(X, y)


@pytest.mark.timing
def test_fast_on_a_million_rows():
    rng = np.random.default_rng(2)
    n = 1_000_000
    X = pd.DataFrame({f"f{i}": rng.normal(size=n) for i in range(4)})
    X["c"] = pd.Categorical(rng.choice(["a", "b", "c"], n))
    y = rng.integers(0, 2, n)
    start = time.perf_counter()
    dataset_fingerprint(X, y)
    assert time.perf_counter() - start < 5.0  # ~0.3 s on one core; generous for shared CI
