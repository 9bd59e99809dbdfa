"""Fixtures shared by every test package: isolation from the user's files, real data."""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

TESTS = Path(__file__).resolve().parent
#: Small copies of real data, in the repository (``tests/data/README.md`` says what and whence).
DATA = TESTS / "data"
PMLB = DATA / "pmlb"
OPENML_CACHE = DATA / "openml-cache"
AUTOSKLEARN = DATA / "metadata" / "autosklearn"
OPENML_RUNS = DATA / "metadata" / "openml-runs"
OPENML_RESPONSES = TESTS / "knowledge_base" / "data" / "openml"
#: The full development corpora beside the repository, if present: only tests marked
#: ``corpora`` read them (skipped when absent).
SHARED = TESTS.parent.parent / "shared"
CORPORA = {
    "autosklearn": SHARED / "metadata" / "autosklearn",
    "openml-runs": SHARED / "metadata" / "openml-runs",
}


def pytest_collection_modifyitems(config, items):
    """Skip ``@pytest.mark.corpora(name, ...)`` tests whose corpora (``CORPORA``) are absent."""
    for item in items:
        for marker in item.iter_markers("corpora"):
            missing = [CORPORA[name] for name in marker.args if not CORPORA[name].is_dir()]
            if missing:
                where = ", ".join(str(path) for path in missing)
                reason = f"needs the full corpus {where}, which is absent"
                item.add_marker(pytest.mark.skip(reason=reason))
                break


@pytest.fixture(autouse=True)
def _isolated_knowledge_base(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's own knowledge base."""
    monkeypatch.setenv("AUTOML_KB_DIR", str(tmp_path_factory.mktemp("user-kb")))


@pytest.fixture
def seed() -> int:
    return 0


def read_pmlb(name: str, max_rows: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """(X, y) of a real PMLB dataset (one of those in ``tests/data/pmlb``)."""
    frame = pd.read_csv(PMLB / f"{name}.tsv.gz", sep="\t")
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=0)
    return frame.drop(columns="target"), frame["target"]


@pytest.fixture
def load_pmlb():
    """``load_pmlb(name) -> (X, y)``: :func:`read_pmlb` as a fixture."""
    return read_pmlb


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


@contextmanager
def offline_openml(root: Path) -> Iterator[Path]:
    """Copy the offline OpenML cache to ``root`` and point the real client at it (the client
    writes into its cache); restore the client's cache directory and server afterwards."""
    import openml

    shutil.copytree(OPENML_CACHE, root)
    saved = openml.config.get_config_as_dict()
    openml.config.set_root_cache_directory(root)
    openml.config.server = "https://test.openml.org/api/v1/xml"
    try:
        yield root
    finally:
        openml.config.set_root_cache_directory(saved["cachedir"])
        openml.config.server = saved["server"]


@pytest.fixture
def openml_cache(tmp_path):
    """A writable copy of the offline OpenML cache, with the real client pointed at it."""
    with offline_openml(tmp_path / "openml-cache") as root:
        yield root


class NetworkBlocked(RuntimeError):
    pass


def _local(sock: socket.socket, address) -> bool:
    """Whether ``address`` stays on this machine: a Unix-domain socket or a loopback address."""
    if sock.family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test: any attempt to reach the network fails loudly (and at once: no retries).

    Connections that stay on this machine are allowed: Unix-domain sockets (``multiprocessing``'s
    forkserver, which starts the trial processes, uses one) and loopback addresses (a local Dask
    cluster). The guard covers the test's own process, not the processes it starts.
    """
    _block_network(monkeypatch)


def _block_network(monkeypatch) -> None:
    connect = socket.socket.connect

    def guarded_connect(sock, address, *args):
        if _local(sock, address):
            return connect(sock, address, *args)
        raise NetworkBlocked(f"test tried to reach the network: {address!r}")

    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"test tried to reach the network: {args[1:3]!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(requests.Session, "request", refuse)


@contextmanager
def isolated(user_kb: Path) -> Iterator[None]:
    """What the autouse fixtures give every test, for a fixture wider than one test (module or
    session scope, set up before them): the user's knowledge base at ``user_kb``, no network.

    A fit shared by several tests runs in such a fixture (``with isolated(...): model.fit()``).
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("AUTOML_KB_DIR", str(user_kb))
        _block_network(monkeypatch)
        yield


@pytest.fixture
def served(monkeypatch, no_network, openml_cache):
    """Serve the recorded OpenML API responses (``knowledge_base/data/openml/``) to the real
    client, over the offline cache; anything else is refused. Returns the URLs served."""
    import openml

    monkeypatch.setattr(openml.config, "connection_n_retries", 1)
    routes = {
        r"/evaluation/list/function/predictive_accuracy/": "evaluation_list.xml",
        r"/user/list/user_id/1$": "user_list.xml",
        r"/setup/list/setup/8001,8002,8003,8004,8005,8006/": "setup_list.xml",
        r"/study/1$": "study_1.xml",
    }
    calls = []

    def respond(self, method, url, *args, **kwargs):
        for pattern, name in routes.items():
            if re.search(pattern, url):
                calls.append(url)
                response = requests.Response()
                response.status_code = 200
                response._content = (OPENML_RESPONSES / name).read_bytes()
                response.headers["Content-Encoding"] = "gzip"
                response.encoding = "utf-8"
                response.url = url
                return response
        raise NetworkBlocked(f"no recorded response for {method} {url}")

    monkeypatch.setattr(requests.Session, "request", respond)
    return calls


MODELS = ("lightgbm", "random_forest", "extra_trees", "linear")


@pytest.fixture
def make_runs() -> Callable[..., pd.DataFrame]:
    """``make_runs(n, dataset_id="d0", *, seed=0, **columns)``: ``n`` valid successful runs.

    ``config`` holds distinct JSON strings; keyword arguments override whole columns.
    """

    def make(n: int, dataset_id: str = "d0", *, seed: int = 0, **columns: object) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        models = [MODELS[i % len(MODELS)] for i in range(n)]
        loss = rng.uniform(0.05, 0.5, n)
        frame = pd.DataFrame(
            {
                "dataset_id": dataset_id,
                "task": "binary",
                "model": models,
                "config": [
                    json.dumps({"model": m, f"{m}:C": round(float(c), 6)})
                    for m, c in zip(models, rng.uniform(0, 1, n))
                ],
                "metric": "roc_auc",
                "score": 1 - loss,
                "loss": loss,
                "fit_time": rng.uniform(0.1, 2.0, n),
                "fidelity": 1.0,
                "resampling": "cv5",
                "status": "success",
                "seed": np.arange(n) + seed,
                "source": "automl",
                "space_version": "1",
            }
        )
        for name, value in columns.items():
            frame[name] = value
        return frame

    return make


@pytest.fixture
def make_datasets() -> Callable[..., pd.DataFrame]:
    """``make_datasets(ids=3 or ["a", ...], *, task="binary", **columns)``: valid datasets.

    Meta-features are JSON objects with a few OpenML quality names (one of them NaN).
    """

    def make(ids: int | list[str] = 3, *, task: str = "binary", **columns: object) -> pd.DataFrame:
        ids = [f"d{i}" for i in range(ids)] if isinstance(ids, int) else list(ids)
        n = len(ids)
        frame = pd.DataFrame(
            {
                "dataset_id": ids,
                "name": [f"dataset {i}" for i in ids],
                "source": "user",
                "task": task,
                "n_rows": [100 * (i + 1) for i in range(n)],
                "n_features": [5 + i for i in range(n)],
                "metafeatures": [
                    json.dumps(
                        {"NumberOfInstances": 100.0 * (i + 1), "ClassEntropy": 0.5 + i / 10}
                        | {"MeanKurtosis": None},
                        sort_keys=True,
                    )
                    for i in range(n)
                ],
            }
        )
        for name, value in columns.items():
            frame[name] = value
        return frame

    return make
