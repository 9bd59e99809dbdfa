"""The knowledge base tests' own fixtures: a fresh base and a helper script for real writer processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from knowledge_base import KnowledgeBase


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    """Where a fresh base lives (not created yet)."""
    return tmp_path / "kb"


@pytest.fixture
def kb(kb_path: Path) -> KnowledgeBase:
    return KnowledgeBase(kb_path)


_WRITER = textwrap.dedent(
    """
    import os
    import sys
    import time

    import pandas as pd
    import pyarrow as pa

    import knowledge_base._parts as parts
    from knowledge_base import KnowledgeBase

    path, tag, n_appends, rows, stall_at = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    real_write = parts.pq.write_table


    def torn_write(table, where, **kwargs):  # write half the file, then hang until killed
        buffer = pa.BufferOutputStream()
        real_write(table, buffer, **kwargs)
        data = buffer.getvalue().to_pybytes()
        where.write(data[: len(data) // 2])
        where.flush()
        print("stalled", flush=True)
        time.sleep(60)


    kb = KnowledgeBase(path)
    if len(sys.argv) > 6:  # wait at the start line until the go file appears
        print("ready", flush=True)
        while not os.path.exists(sys.argv[6]):
            time.sleep(0.005)
    i = 0
    while n_appends < 0 or i < n_appends:
        runs = pd.DataFrame({
            "run_id": [f"{tag}-{i:05d}-{j:05d}" for j in range(rows)],
            "dataset_id": f"{tag}-{i:05d}", "task": "regression", "model": "linear",
            "config": '{"model": "linear", "linear:C": 1.0}', "metric": "rmse",
            "score": 1.0, "loss": 1.0, "fidelity": 1.0, "resampling": "cv5",
            "status": "success", "source": "test", "space_version": "1",
            "error": "x" * 200,
        })
        if i == stall_at:
            parts.pq.write_table = torn_write
        kb.append(runs=runs)
        print(i, flush=True)
        i += 1
    """
)


@pytest.fixture
def start_writer(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """``start_writer(path, tag, n_appends, rows, stall_at=-1, go=None)``: a process appending.

    Append ``i`` writes ``rows`` runs with ids ``<tag>-<i>-<j>`` and dataset ``<tag>-<i>``,
    then prints ``i``. ``n_appends=-1`` appends until killed. Append ``stall_at`` writes half
    of its temp file, prints ``stalled`` and hangs (to be killed mid-write). With ``go`` (a
    path), it prints ``ready`` once imported and waits for that file before appending.
    """
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    started: list[subprocess.Popen] = []

    def start(
        path: Path, tag: str, n_appends: int, rows: int, stall_at: int = -1, go: Path | None = None
    ) -> subprocess.Popen:
        args = [str(path), tag, str(n_appends), str(rows), str(stall_at)]
        args += [str(go)] if go is not None else []
        proc = subprocess.Popen(
            [sys.executable, str(script), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
