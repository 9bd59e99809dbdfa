"""Fixtures shared by every test package: isolation from the user's files, real data."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PMLB = SHARED / "datasets" / "pmlb"
OPENML_CACHE = SHARED / "datasets" / "openml-cache"


@pytest.fixture(autouse=True)
def _isolated_knowledge_base(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's own knowledge base."""
    monkeypatch.setenv("AUTOML_KB_DIR", str(tmp_path_factory.mktemp("user-kb")))


@pytest.fixture
def seed() -> int:
    return 0


@pytest.fixture
def load_pmlb():
    """``load_pmlb(name) -> (X, y)``: a real dataset from the shared PMLB copy."""

    def load(name: str, max_rows: int | None = None):
        frame = pd.read_csv(PMLB / f"{name}.tsv.gz", sep="\t")
        if max_rows is not None and len(frame) > max_rows:
            frame = frame.sample(max_rows, random_state=0)
        return frame.drop(columns="target"), frame["target"]

    return load


@pytest.fixture
def make_messy():
    """``make_messy(n) -> (X, y)``: numbers with gaps, text categories, booleans, a constant."""

    def make(n: int = 240, seed: int = 0, n_classes: int = 2):
        rng = np.random.RandomState(seed)
        x1 = rng.normal(size=n)
        x2 = rng.uniform(size=n)
        colour = rng.choice(["red", "green", "blue"], size=n)
        signal = x1 + (colour == "red") * 1.5 + rng.normal(scale=0.5, size=n)
        X = pd.DataFrame(
            {
                "x1": np.where(rng.uniform(size=n) < 0.1, np.nan, x1),
                "x2": x2,
                "colour": pd.Series(colour, dtype=object).where(rng.uniform(size=n) > 0.05),
                "flag": rng.uniform(size=n) < 0.5,
                "id_like": [f"id{i}" for i in rng.randint(0, 10_000, size=n)],
                "constant": 1.0,
            }
        )
        cuts = np.quantile(signal, np.linspace(0, 1, n_classes + 1)[1:-1])
        labels = np.array(["no", "yes"] if n_classes == 2 else [f"c{i}" for i in range(n_classes)])
        return X, pd.Series(labels[np.digitize(signal, cuts)], name="target")

    return make


@pytest.fixture
def openml_cache(tmp_path):
    """A writable copy of the offline OpenML cache, with the real client pointed at it."""
    import openml

    root = tmp_path / "openml-cache"
    shutil.copytree(OPENML_CACHE, root)
    old_server, old_cache = openml.config.server, openml.config.get_cache_directory()
    openml.config.set_root_cache_directory(str(root))
    openml.config.server = "https://test.openml.org/api/v1/xml"
    yield root
    openml.config.server = old_server
    openml.config.set_root_cache_directory(str(Path(old_cache).parent))
