"""The dense performance matrix: a fixed pool of candidate configurations, each evaluated on
every development dataset of its task with one protocol (k-fold CV on a row sample).

The pool is TabRepo's kind: each family's defaults, then a seeded random sample of the family's
own hyperparameters, drawn from a region of the family's space where good settings are found
(the whole space holds many that are poor everywhere: 16 trees at learning rate 0.005). Every
candidate keeps its identity across datasets in the runs' ``original_config``; its run id is
derived from the dataset, the candidate and the protocol, so the build is resumable and
idempotent, and a dataset or candidate added later costs only its own evaluations.
"""

from __future__ import annotations

import functools
import json
import sys
import time
import uuid
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from ConfigSpace.hyperparameters import IntegerHyperparameter

from automl._columns import ColumnTypes
from automl._grow import RUN_NAMESPACE, GrowDataset, evaluate_configurations, prepare_dataset
from automl._space import SCALERS, build_space, distinct_configs
from automl._task import Task
from automl.components import DataShape
from metalearning.portfolio import MATRIX_FOLDS, MATRIX_MAX_ROWS, candidate_key

MATRIX_SOURCE = "matrix"
POOL_VERSION = 1

# Candidates per family: more where the space is larger and the family stronger on tables.
POOL_SIZES = {
    "classification": {
        "lightgbm": 40,
        "gradient_boosting": 28,
        "random_forest": 22,
        "extra_trees": 22,
        "libsvm_svc": 22,
        "mlp": 25,
        "k_nearest_neighbors": 15,
        "linear": 12,
        "adaboost": 14,
        "catboost": 16,
    },
    "regression": {
        "lightgbm": 30,
        "gradient_boosting": 22,
        "random_forest": 18,
        "extra_trees": 18,
        "libsvm_svr": 17,
        "mlp": 15,
        "k_nearest_neighbors": 10,
        "linear": 10,
        "adaboost": 10,
        "catboost": 12,
    },
}

# Sampling region inside the space, where it is wider than good settings ever need:
# name -> (low, high, log). Everything else is sampled from the space itself.
POOL_REGION = {
    "lightgbm:num_leaves": (8, 256, True),
    "lightgbm:learning_rate": (0.01, 0.2, True),
    "lightgbm:n_estimators": (50, 1000, True),
    "lightgbm:min_child_samples": (2, 64, True),
    "lightgbm:colsample_bytree": (0.4, 1.0, False),
    "gradient_boosting:learning_rate": (0.02, 0.3, True),
    "gradient_boosting:max_leaf_nodes": (8, 256, True),
    "gradient_boosting:min_samples_leaf": (2, 100, True),
    "adaboost:n_estimators": (50, 300, True),
    "adaboost:max_depth": (1, 8, False),
    "libsvm_svc:C": (0.1, 1000.0, True),
    "libsvm_svc:gamma": (1e-4, 1.0, True),
    "libsvm_svr:C": (0.1, 1000.0, True),
    "libsvm_svr:gamma": (1e-4, 1.0, True),
    "linear:C": (1e-3, 1e3, True),
    "mlp:learning_rate_init": (1e-4, 0.05, True),
    "catboost:iterations": (100, 1000, True),
    "catboost:learning_rate": (0.02, 0.2, True),
    "catboost:depth": (4, 8, False),
}
POOL_SCALERS = [s for s in SCALERS if s != "none"]

# Feature selection is in the joint space, but the sampled candidates keep its default (none),
# so no portfolio member could cut irrelevant columns. These families' first candidates (their
# defaults) on the top-ranked share of the features (an F-test) follow the sampled ones, added
# to a stored pool without changing it (session 44; on small regression tables with many noise
# columns SMAC's best found it: benchmarks/results/feature-selection-s44/). Classification's
# same 16 (SVC for SVR) were measured in session 48 and not kept: the best on 4 of 89 tables, and
# the simulated regret no lower (benchmarks/results/feature-selection-classification-s48/).
SELECTION_FAMILIES = {
    "classification": (),
    "regression": (
        "lightgbm",
        "catboost",
        "gradient_boosting",
        "random_forest",
        "extra_trees",
        "libsvm_svr",
        "k_nearest_neighbors",
        "mlp",
    ),
}
SELECTION_PERCENTILES = (25.0, 50.0)

# Families whose models changed after their cells were first evaluated, per kind, with when the
# change landed (UTC): a build evaluates their cells written before it again, under the same run
# ids, so that the new rows replace the old ones. Regression's SVR and MLP fit a standardised
# target since session 54 (their defaults had fitted targets in the hundreds many times worse).
REVISED = {
    "classification": {},
    "regression": {"libsvm_svr": "2026-12-07T12:54:16Z", "mlp": "2026-12-07T12:54:16Z"},
}


def candidate_pool(kind: str, *, seed: int = 0, sizes: dict[str, int] | None = None) -> list[dict]:
    """The candidates for ``kind`` (``classification`` or ``regression``), defaults first.

    Each family is sampled from its own seed, so adding a family or resizing one leaves the
    others' candidates unchanged. Preprocessing stays at its defaults, except the scaler of
    families that need one.
    """
    task = Task.REGRESSION if kind == "regression" else Task.BINARY
    sizes = POOL_SIZES[kind] if sizes is None else sizes
    columns = ColumnTypes(("a", "b"), (False, True))
    pool = []
    for family, n in sizes.items():
        cs = build_space(task, DataShape(1000, 10), columns, seed=seed, include=(family,))
        defaults = dict(cs.get_default_configuration())
        rng = np.random.default_rng([seed, zlib.crc32(family.encode())])
        family_configs = [defaults]
        cs.seed(int(rng.integers(2**31)))
        for sampled in cs.sample_configuration(4 * n):
            if len(distinct_configs(family_configs)) >= n:
                break
            config = dict(defaults)
            for name, value in dict(sampled).items():
                if name.startswith(family + ":"):
                    config[name] = _in_region(name, value, cs[name], rng)
            if "rescaling:__choice__" in config:
                config["rescaling:__choice__"] = str(rng.choice(POOL_SCALERS))
            family_configs.append(config)
        pool.extend(distinct_configs(family_configs)[:n])
    return [_plain(c) for c in pool]


def family_defaults(pool: list[dict]) -> dict[str, dict]:
    """Each family's first candidate in ``pool`` (its defaults), in the pool's order."""
    first: dict[str, dict] = {}
    for config in pool:
        first.setdefault(config["model"], config)
    return first


def selection_candidates(pool: list[dict], kind: str) -> list[dict]:
    """Each of ``SELECTION_FAMILIES[kind]``'s first candidate in ``pool`` on the top-ranked
    ``SELECTION_PERCENTILES`` of the features."""
    first = family_defaults(pool)
    return [
        {
            **first[family],
            "feature_selection:__choice__": "percentile",
            "feature_selection:percentile": percentile,
        }
        for family in SELECTION_FAMILIES[kind]
        if family in first
        for percentile in SELECTION_PERCENTILES
    ]


@functools.cache
def _pool_defaults(kind: str, families: tuple[str, ...]) -> dict[str, dict]:
    sizes = {f: 1 for f in POOL_SIZES[kind] if f in families}
    return {c["model"]: c for c in candidate_pool(kind, sizes=sizes)}


def pool_defaults(kind: str, families: Iterable[str]) -> dict[str, dict]:
    """Each of ``families``' defaults as the pool of ``kind`` holds them (family -> candidate);
    families the pool does not draw from are left out."""
    return dict(_pool_defaults(kind, tuple(families)))


def _in_region(name, value, hp, rng):
    if name not in POOL_REGION:
        return value
    low, high, log = POOL_REGION[name]
    u = rng.random()
    x = np.exp(np.log(low) + u * (np.log(high) - np.log(low))) if log else low + u * (high - low)
    return int(np.rint(x)) if isinstance(hp, IntegerHyperparameter) else float(x)


def _plain(config: dict) -> dict:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in config.items()}


def pool_path(folder: str | Path, kind: str) -> Path:
    return Path(folder) / f"pool-{kind}-v{POOL_VERSION}.json"


def load_pool(folder: str | Path, kind: str, *, seed: int = 0) -> list[dict]:
    """The pool stored in ``folder``, written there first if absent (so it never changes under
    a build in progress, whatever ConfigSpace's sampler does in a later version), with its
    :func:`selection_candidates` appended where missing."""
    path = pool_path(folder, kind)
    stored = json.loads(path.read_text()) if path.is_file() else candidate_pool(kind, seed=seed)
    keys = {candidate_key(c) for c in stored}
    added = [c for c in selection_candidates(stored, kind) if candidate_key(c) not in keys]
    if added or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored + added, indent=1, sort_keys=True) + "\n")
        tmp.replace(path)
    return stored + added


def matrix_run_id(fingerprint: str, candidate: dict, protocol: str, seed: int) -> str:
    """The run id of one cell: the same dataset, candidate and protocol give the same id."""
    text = f"{MATRIX_SOURCE}|{fingerprint}|{candidate_key(candidate)}|{protocol}|{seed}"
    return uuid.uuid5(RUN_NAMESPACE, text).hex


def build_matrix(
    kb,
    datasets: Iterable[GrowDataset],
    pools: dict[str, list[dict]],
    *,
    max_rows: int = MATRIX_MAX_ROWS,
    folds: int = MATRIX_FOLDS,
    per_trial_time_limit: float = 60.0,
    memory_limit: int | None = 4096,
    seed: int = 0,
    shard: tuple[int, int] = (0, 1),
    retry_failed: bool = False,
    verbose: int = 1,
) -> dict[str, int]:
    """Evaluate every candidate of ``pools[kind]`` on every dataset, skipping cells already in
    ``kb``. ``shard=(i, n)`` takes every n-th dataset from the i-th, for parallel builders.
    ``retry_failed`` evaluates cells that crashed or timed out again (on a busy machine a
    timeout says more about the machine than the candidate); the new row replaces the old."""
    counts = _counts()
    protocol = f"cv{folds}|rows{max_rows}"
    for ds, prepared in _prepared(kb, datasets, max_rows, folds, seed, shard, counts):
        if retry_failed and prepared.known:
            runs = kb.runs([prepared.fingerprint])  # successful runs only
            prepared.known = set(runs["run_id"])
        kind = "regression" if ds.task == "regression" else "classification"
        pool = pools[kind]
        cells = [(matrix_run_id(prepared.fingerprint, c, protocol, seed), c) for c in pool]
        prepared.known -= stale_cells(kb, prepared.fingerprint, cells, REVISED[kind])
        _evaluate_cells(
            kb,
            prepared,
            cells,
            counts,
            per_trial_time_limit=per_trial_time_limit,
            memory_limit=memory_limit,
            seed=seed,
            tag="matrix" if verbose else None,
        )
    return counts


def stale_cells(kb, fingerprint: str, cells, revised: dict[str, str]) -> set[str]:
    """The run ids among ``cells`` on this dataset that a family of ``revised`` (family ->
    when its model changed) wrote before its change."""
    if not revised:
        return set()
    runs = kb.runs([fingerprint], statuses=None)
    written = dict(zip(runs["run_id"], pd.to_datetime(runs["created_at"], utc=True)))
    return {
        run_id
        for run_id, candidate in cells
        if candidate["model"] in revised
        and run_id in written
        and written[run_id] < pd.Timestamp(revised[candidate["model"]])
    }


def _counts() -> dict[str, int]:
    return {"datasets": 0, "evaluated": 0, "skipped_existing": 0, "untranslatable": 0}


def _prepared(kb, datasets, max_rows, folds, seed, shard, counts):
    """This shard's datasets, each recorded in ``kb`` and set up with the matrix's protocol."""
    for index, ds in enumerate(datasets):
        if index % shard[1] != shard[0]:
            continue
        prepared = prepare_dataset(kb, ds, max_rows=max_rows, resampling=folds, seed=seed)
        counts["datasets"] += 1
        yield ds, prepared


def _evaluate_cells(
    kb,
    prepared,
    cells,
    counts,
    *,
    per_trial_time_limit: float,
    memory_limit: int | None,
    seed: int,
    tag: str | None,
    predictions_dir: Path | None = None,
) -> None:
    """Evaluate the ``cells`` not yet known; with ``tag``, a progress line when any ran."""
    todo = sum(run_id not in prepared.known for run_id, _ in cells)
    start, before = time.monotonic(), counts["evaluated"]
    evaluate_configurations(
        kb,
        prepared,
        cells,
        source=MATRIX_SOURCE,
        per_trial_time_limit=per_trial_time_limit,
        memory_limit=memory_limit,
        seed=seed,
        counts=counts,
        original=True,
        predictions_dir=predictions_dir,
    )
    if tag and todo:
        print(
            f"[{tag}] {prepared.name}: {counts['evaluated'] - before} of {len(cells)} candidates "
            f"evaluated on {len(prepared.data)} rows in {time.monotonic() - start:.0f}s",
            file=sys.stderr,
            flush=True,
        )


def oof_candidates(pool: list[dict], trial_order: list[dict], n: int) -> list[dict]:
    """The candidates worth keeping predictions for: the first ``n`` of the per-trial order,
    then each family's defaults (the pool's first candidate of each family) not among them."""
    chosen = list(trial_order[:n])
    keys = {candidate_key(c) for c in chosen}
    return chosen + [c for c in family_defaults(pool).values() if candidate_key(c) not in keys]


def build_oof(
    kb,
    datasets: Iterable[GrowDataset],
    candidates: dict[str, list[dict]],
    out: str | Path,
    *,
    max_rows: int = MATRIX_MAX_ROWS,
    folds: int = MATRIX_FOLDS,
    per_trial_time_limit: float = 60.0,
    memory_limit: int | None = 4096,
    seed: int = 0,
    shard: tuple[int, int] = (0, 1),
    verbose: int = 1,
) -> dict[str, int]:
    """Out-of-fold predictions of ``candidates[kind]`` on every dataset, with the matrix's
    protocol (the same rows, folds and run ids), for ensemble-aware selection.

    Each dataset gets ``out/<fingerprint>/``: ``y.npy``, ``meta.json`` (name, task, metric,
    run id -> candidate) and one ``<run_id>.npy`` per candidate. Resumable: a candidate whose
    file (or ``.failed`` marker) exists is not evaluated again. The runs themselves go to
    ``kb``, which should be a scratch overlay: the predictions never enter a shipped base.
    """
    out = Path(out)
    counts = _counts()
    protocol = f"cv{folds}|rows{max_rows}"
    for ds, prepared in _prepared(kb, datasets, max_rows, folds, seed, shard, counts):
        kind = "regression" if ds.task == "regression" else "classification"
        cells = [
            (matrix_run_id(prepared.fingerprint, c, protocol, seed), c) for c in candidates[kind]
        ]
        folder = out / prepared.fingerprint
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "y.npy", prepared.y)
        meta = {
            "name": ds.name,
            "task": prepared.spec.task.value,
            "metric": prepared.spec.metric,
            "candidates": {run_id: c for run_id, c in cells},
        }
        (folder / "meta.json").write_text(json.dumps(meta, sort_keys=True) + "\n")
        prepared.known = {
            run_id
            for run_id, _ in cells
            if (folder / f"{run_id}.npy").exists() or (folder / f"{run_id}.failed").exists()
        }
        _evaluate_cells(
            kb,
            prepared,
            cells,
            counts,
            per_trial_time_limit=per_trial_time_limit,
            memory_limit=memory_limit,
            seed=seed,
            tag="oof" if verbose else None,
            predictions_dir=folder,
        )
    return counts
