"""Fixtures for the meta-feature and similarity tests: real datasets and real server values."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import AUTOSKLEARN, OPENML_RUNS, offline_openml


@pytest.fixture(scope="session")
def anneal(tmp_path_factory):
    """``(X, y, qualities)`` of OpenML dataset 2 (anneal) through the real ``openml`` client.

    Loaded once per session from a copy of the offline cache (the client writes into its cache;
    nothing here touches the network), with the 106 qualities the server computed for it.
    """
    import openml

    with offline_openml(tmp_path_factory.mktemp("openml") / "cache"):
        dataset = openml.datasets.get_dataset(2, download_data=True, download_qualities=True)
        X, y, _, _ = dataset.get_data(target=dataset.default_target_attribute)
        qualities = dict(dataset.qualities)
    return X, y, qualities


@pytest.fixture(scope="session")
def task_qualities() -> dict[str, dict[str, float]]:
    """The OpenML server's qualities of the 100 OpenML100 tasks, keyed by task id."""
    with gzip.open(OPENML_RUNS / "task_qualities.json.gz", "rt") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def autosklearn_features() -> pd.DataFrame:
    """auto-sklearn's meta-features of its classification datasets (index: dataset name).

    Every classification folder holds the same ``feature_values.arff``.
    """
    path = AUTOSKLEARN / "accuracy_binary.classification_dense" / "feature_values.arff"
    names, rows = [], []
    for line in path.read_text().splitlines():
        if line.upper().startswith("@ATTRIBUTE"):
            names.append(line.split()[1])
        elif line.strip() and not line.startswith(("@", "%")):
            rows.append(line.split(","))
    frame = pd.DataFrame(rows, columns=names).set_index("instance_id")
    return frame.apply(pd.to_numeric, errors="coerce")


@pytest.fixture
def make_mixed():
    """``make_mixed(n, seed=0)``: a mixed-type table with gaps and a three-class target."""

    def make(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
        rng = np.random.default_rng(seed)
        signal = rng.normal(size=n)
        X = pd.DataFrame(
            {
                "x": signal + rng.normal(scale=0.3, size=n),
                "gappy": np.where(rng.uniform(size=n) < 0.2, np.nan, rng.lognormal(size=n)),
                "count": rng.poisson(2, size=n),
                "colour": pd.Series(rng.choice(["red", "green", "blue"], size=n)).where(
                    rng.uniform(size=n) > 0.1
                ),
                "size": pd.Categorical(rng.choice(["S", "M", "L"], size=n), ["S", "M", "L", "XL"]),
                "flag": rng.uniform(size=n) < 0.4,
            }
        )
        labels = np.array(["low", "mid", "high"])
        return X, pd.Series(labels[np.digitize(signal, [-0.4, 0.4])], name="target")

    return make
