"""The same seed gives the same search in any process, whatever Python's hash seed.

SMAC 2.4.1 ordered its local search's start points by hashing ``Configuration`` objects
(``repr`` strings, salted by ``PYTHONHASHSEED``), so from its first model-based proposal on the
search differed between processes. Each check here runs in two fresh interpreters with
different hash seeds and compares what they print.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from ConfigSpace import Configuration

from automl._columns import ColumnTypes
from automl._optimizers import SMACOptimizer
from automl._space import build_space
from automl._task import Task
from automl.components import DataShape
from knowledge_base.paths import shipped_path

HASH_SEEDS = ("1", "2")

# In each child: SMAC asked and told on the CASH space with a deterministic cost (and a prior, as
# with transfer=True), then the classifier fitted cold and warm (knowledge base at argv[1]).
CHILD = """
import hashlib, json, sys
from ConfigSpace import Configuration
from sklearn.datasets import load_breast_cancer
from automl import AutoMLClassifier
from automl._columns import ColumnTypes
from automl._optimizers import SMACOptimizer
from automl._space import build_space
from automl._task import Task
from automl.components import DataShape

def cost(config):
    text = json.dumps(sorted(dict(config).items()), default=str)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 16**8

columns = ColumnTypes(names=("a", "b", "c"), categorical=(False, False, True))
space = build_space(Task.BINARY, DataShape(300, 3, 2), columns, seed=7)
initial = [space.get_default_configuration()]
other = build_space(Task.BINARY, DataShape(300, 3, 2), columns, seed=8)
prior = [
    (Configuration(space, values=dict(c)), i / 19)
    for i, c in enumerate(other.sample_configuration(20))
]
optimizer = SMACOptimizer(space, initial, seed=7, prior=prior)
asked = []
for _ in range(8):
    config, handle = optimizer.ask()
    asked.append(repr(config))
    optimizer.tell(handle, cost(config))
optimizer.close()
out = {"optimizer": asked}

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X, y = X.iloc[:240:2], y.iloc[:240:2]
for warm in (False, True):
    model = AutoMLClassifier(
        n_trials=12,
        time_budget=600,
        per_trial_time_limit=120,
        resampling="holdout",
        models=("lightgbm", "linear", "k_nearest_neighbors"),
        warm_start=warm,
        knowledge_base=sys.argv[1],
        update_knowledge_base=False,
        random_state=0,
        n_jobs=1,
        verbose=0,
    ).fit(X, y)
    board = model.leaderboard_
    out["warm" if warm else "cold"] = {
        "trials": model.trials_[["model", "origin", "status", "config", "loss"]].to_dict("records"),
        "ensemble": board.loc[board["ensemble_weight"] > 0, ["trial", "ensemble_weight"]]
        .to_dict("records"),
        "proba": model.predict_proba(X.iloc[::3]).tolist(),
    }
print(json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> list[dict]:
    """What ``CHILD`` printed in two fresh interpreters with different hash seeds, run side by
    side; the warm start reads a copy of the shipped base (a build may be writing into it)."""
    kb = tmp_path_factory.mktemp("reproducibility") / "kb"
    shutil.copytree(shipped_path(), kb, ignore=shutil.ignore_patterns(".tmp-*"))
    user_kb = tmp_path_factory.mktemp("user-kb")  # never written: update_knowledge_base=False
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(CHILD), str(kb)],
            env={**os.environ, "PYTHONHASHSEED": seed, "AUTOML_KB_DIR": str(user_kb)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in HASH_SEEDS
    ]
    outputs = []
    for child in children:
        stdout, stderr = child.communicate(timeout=600)
        assert child.returncode == 0, stderr[-3000:]
        outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    return outputs


@pytest.mark.slow
def test_smac_proposals_do_not_depend_on_the_hash_seed(two_processes):
    first, second = two_processes
    assert len(first["optimizer"]) == 8  # the default configuration, then SMAC's own asks
    assert first["optimizer"] == second["optimizer"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_same_seed_same_trials_ensemble_and_predictions_in_any_process(two_processes, mode):
    first, second = (out[mode] for out in two_processes)
    assert first["trials"] == second["trials"]
    assert first["ensemble"] == second["ensemble"]
    assert first["proba"] == second["proba"]
    origins = [t["origin"] for t in first["trials"]]
    assert len(origins) == 12 and {t["status"] for t in first["trials"]} == {"success"}
    if mode == "cold":  # SMAC's own proposals were reached, after the 3 families' defaults
        assert origins.count("search") == 9, origins
    else:  # the default warm start (a portfolio, or the nearest datasets' best) was used
        assert set(origins) - {"default", "search"}, origins


def test_smac_proposals_repeat_within_a_process():
    columns = ColumnTypes(names=("a", "b"), categorical=(False, True))
    space = build_space(Task.BINARY, DataShape(300, 2, 2), columns, seed=3)
    initial = [space.get_default_configuration()]
    runs = []
    for _ in range(2):
        optimizer = SMACOptimizer(space, initial, seed=3)
        asked = []
        for i in range(6):
            config, handle = optimizer.ask()
            asked.append(config)
            optimizer.tell(handle, (i * 0.37) % 1)
        optimizer.close()
        runs.append(asked)
    assert runs[0] == runs[1]
    assert all(isinstance(c, Configuration) for c in runs[0])
