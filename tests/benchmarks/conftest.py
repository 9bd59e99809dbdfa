"""Fixtures of the benchmark tests: tiny local suites and test systems.

The offline OpenML cache (``openml_cache``) and the data locations are in ``tests/conftest.py``.

Test-only systems reach the job processes through the plug-in hook of
``benchmarks.systems``: the ``plugin_systems`` fixture writes a module to ``tmp_path``, puts
it on ``PYTHONPATH`` and names it in ``AUTOML_BENCH_PLUGINS``; child processes inherit both.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import PMLB

#: Three small PMLB datasets: binary (50 rows), multiclass (72 rows), regression (50 rows).
SMALL = {
    "analcatdata_aids": "classification",
    "confidence": "classification",
    "1096_FacultySalaries": "regression",
}

PLUGIN_SOURCE = '''
"""Test-only benchmark systems (written by tests/benchmarks/conftest.py)."""
import os
import time

from benchmarks.systems import Constant, System


class Crash(System):
    def fit(self, X, y, ctx):
        os.abort()


class Hang(System):
    def fit(self, X, y, ctx):
        time.sleep(3600)


class Memout(System):
    def fit(self, X, y, ctx):
        blocks = []
        for _ in range(400):  # at most 400 * 64 MB, far above the test's memory limit
            blocks.append(bytearray(64 * 1024 * 1024))


class Fail(System):
    def fit(self, X, y, ctx):
        raise ValueError("this system always fails")


class Flaky(Constant):
    def fit(self, X, y, ctx):
        if os.environ.get("BENCH_TEST_FAIL") == "1":
            raise RuntimeError("failing because BENCH_TEST_FAIL=1")
        super().fit(X, y, ctx)


SYSTEMS = {
    "test-crash": Crash,
    "test-hang": Hang,
    "test-memout": Memout,
    "test-fail": Fail,
    "test-flaky": Flaky,
}
'''


@pytest.fixture
def pmlb_folder(tmp_path: Path) -> Path:
    """A local suite folder with three small PMLB datasets and their index.csv."""
    folder = tmp_path / "pmlb"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(PMLB / f"{name}.tsv.gz", folder / f"{name}.tsv.gz")
    index = pd.read_csv(PMLB / "index.csv")
    index[index["name"].isin(list(SMALL))].to_csv(folder / "index.csv", index=False)
    return folder


@pytest.fixture
def plugin_systems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Register the test-only systems for this process and its children."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bench_test_systems.py").write_text(textwrap.dedent(PLUGIN_SOURCE))
    paths = [str(folder)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    monkeypatch.setenv("AUTOML_BENCH_PLUGINS", "bench_test_systems")
    monkeypatch.syspath_prepend(str(folder))
    return ["test-crash", "test-hang", "test-memout", "test-fail", "test-flaky"]


@pytest.fixture
def automl_ready() -> None:
    """Skip unless the estimator and the meta-learning parts its warm start needs import."""
    pytest.importorskip("automl")
    try:
        from knowledge_base import dataset_fingerprint  # noqa: F401
        from metalearning import compute_metafeatures  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the warm start's dependencies are not available yet: {exc}")


@pytest.fixture
def make_table():
    """Factory of small mixed-type tables: numbers, strings, a category, missing values."""
    import numpy as np

    def make(n: int = 60, task: str = "binary", seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
        rng = np.random.default_rng(seed)
        x1 = rng.normal(size=n)
        colour = rng.choice(["red", "green", "blue"], size=n).astype(object)
        colour[::7] = None
        X = pd.DataFrame(
            {
                "x1": x1,
                "x2": np.where(np.arange(n) % 5 == 0, np.nan, rng.normal(size=n)),
                "colour": pd.Series(colour, dtype="str"),
                "size": pd.Categorical(rng.choice(["S", "M", "L"], size=n)),
            }
        )
        if task == "regression":
            y = pd.Series(2 * x1 + (X["colour"] == "red") + rng.normal(scale=0.1, size=n))
        elif task == "binary":
            y = pd.Series(np.where(x1 > 0, "yes", "no"))
        else:
            y = pd.Series(np.digitize(x1, [-0.5, 0.5]))
        return X, y

    return make
