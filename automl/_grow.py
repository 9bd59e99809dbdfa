"""Growing a knowledge base: a fixed set of configurations evaluated on each dataset.

The same evaluation protocol as a fit (resampling, limits, metric), so rows written here and
rows written by ``AutoMLClassifier.fit`` mean the same thing. Resumable: a configuration
already recorded for a dataset (same deterministic run id) is not evaluated again. Datasets
come from a folder in the PMLB layout (:func:`pmlb_datasets`) or from OpenML tasks and suites
(:mod:`automl._openml_data`), as :func:`grow_datasets` dispatches.
"""

from __future__ import annotations

import sys
import time
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from automl._columns import infer_column_types, normalize_frame, to_frame
from automl._energy import EnergyMeter
from automl._evaluation import EvaluationSpec, evaluate, make_splits
from automl._knowledge import runs_frame
from automl._limits import run_limited
from automl._search import TrialRecord
from automl._space import build_space, distinct_configs, translate
from automl._task import DEFAULT_METRIC, METRICS, Task
from automl.components import COMPONENTS, DataShape
from metalearning.portfolio import candidate_key

RUN_NAMESPACE = uuid.UUID("6f1b7c0e-2d1a-4c55-9b8e-61d1c0ffee01")


@dataclass(frozen=True)
class GrowDataset:
    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str  # "classification" or "regression"
    source: str = "pmlb"
    openml_dataset_id: int | None = None
    openml_task_id: int | None = None


# The families of search-space version 1. The reference list is drawn from their space only,
# so that adding a family does not change it (and make `kb grow` evaluate every dataset again).
REFERENCE_FAMILIES = (
    "lightgbm",
    "random_forest",
    "extra_trees",
    "gradient_boosting",
    "adaboost",
    "linear",
    "libsvm_svc",
    "libsvm_svr",
    "k_nearest_neighbors",
    "mlp",
)


def reference_configurations(n: int, task: Task, seed: int = 0) -> list[dict]:
    """Each family's defaults, then a Sobol sample of the largest space: one fixed list per
    kind of task, so every dataset of that kind is evaluated on the same configurations."""
    from ConfigSpace import Configuration
    from smac import HyperparameterOptimizationFacade as HPO
    from smac import Scenario

    from automl._columns import ColumnTypes

    columns = ColumnTypes(("a", "b"), (False, True))
    families = tuple(f for f in REFERENCE_FAMILIES if f in {c.name for c in COMPONENTS})
    cs = build_space(task, DataShape(1000, 10), columns, seed=seed, include=families)
    configs = [dict(translate({"model": family}, cs)[0]) for family in cs["model"].choices]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario = Scenario(cs, n_trials=10 * n, seed=seed, deterministic=True)
        design = HPO.get_initial_design(scenario, n_configs=n, max_ratio=1.0)
        sample = [dict(c) for c in design.select_configurations() if isinstance(c, Configuration)]
    return distinct_configs(configs + sample)


@dataclass
class PreparedDataset:
    """One dataset ready to evaluate configurations on: recorded in the base, subsampled,
    with its splits, its space and the run ids the base already holds for it."""

    name: str
    fingerprint: str
    data: pd.DataFrame
    y: np.ndarray
    spec: EvaluationSpec
    space: object
    fidelity: float
    known: set


def prepare_dataset(
    kb, ds: GrowDataset, *, max_rows: int, resampling: str | int | None, seed: int
) -> PreparedDataset:
    """Record ``ds`` (with its meta-features) in ``kb`` and set up its evaluation protocol.

    ``resampling=None`` picks 5-fold CV or a holdout by size, as a fit does; an int is k-fold.
    """
    from knowledge_base import dataset_fingerprint
    from metalearning import compute_metafeatures
    from metalearning.warmstart import metafeatures_json

    X = to_frame(ds.X)
    y = ds.y.reset_index(drop=True)
    fingerprint = dataset_fingerprint(X, y)
    recorded = kb.datasets()
    known = set(kb.runs([fingerprint], statuses=None)["run_id"]) if recorded.size else set()
    columns = infer_column_types(X)
    task, y_enc = _task_and_target(ds.task, y)
    if not recorded.size or fingerprint not in set(recorded["dataset_id"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mf = compute_metafeatures(X, y, task=task.value, random_state=seed)
        kb.append(
            datasets=pd.DataFrame(
                [
                    {
                        "dataset_id": fingerprint,
                        "name": ds.name,
                        "source": ds.source,
                        "openml_dataset_id": ds.openml_dataset_id,
                        "openml_task_id": ds.openml_task_id,
                        "task": task.value,
                        "n_rows": len(X),
                        "n_features": X.shape[1],
                        "metafeatures": metafeatures_json(mf),
                    }
                ]
            )
        )
    rows = _subsample(y_enc, task, max_rows, seed)
    data = normalize_frame(X.iloc[rows].reset_index(drop=True), columns)
    y_sub = y_enc[rows]
    if task.is_classification:
        y_sub = np.unique(y_sub, return_inverse=True)[1]
    shape = DataShape(len(data), data.shape[1])
    if resampling is None:
        resampling = (
            "cv"
            if shape.n_rows <= 20_000 and shape.n_rows * shape.n_features <= 2_000_000
            else "holdout"
        )
    n_classes = len(np.unique(y_sub)) if task.is_classification else 0
    spec = EvaluationSpec(
        task,
        METRICS[DEFAULT_METRIC[task]].name,
        columns,
        make_splits(y_sub, task, resampling, seed),
        n_classes,
        1,
        seed,
    )
    return PreparedDataset(
        ds.name,
        fingerprint,
        data,
        y_sub,
        spec,
        build_space(task, shape, columns, seed=seed),
        len(rows) / len(y_enc),
        known,
    )


def evaluate_configurations(
    kb,
    prepared: PreparedDataset,
    configs: Iterable[tuple[str, dict]],
    *,
    source: str,
    per_trial_time_limit: float,
    memory_limit: int | None,
    seed: int,
    counts: dict[str, int],
    original: bool = False,
    predictions_dir: Path | None = None,
) -> None:
    """Evaluate each ``(run_id, configuration)`` not yet in the base and append the results.

    Rows are flushed every 10 runs, so an interrupted build loses at most 10 evaluations.
    With ``original``, the configuration as given (before translation into this dataset's
    space) is kept in ``original_config``: the identity of a candidate across datasets.
    With ``predictions_dir``, each run's out-of-fold predictions are kept there as
    ``<run_id>.npy`` (float32), and a run that failed leaves ``<run_id>.failed``.
    """
    metric = METRICS[prepared.spec.metric]
    meter = EnergyMeter()
    trials = []
    for i, (run_id, ref) in enumerate(configs):
        if run_id in prepared.known:
            counts["skipped_existing"] += 1
            continue
        config, _ = translate(ref, prepared.space)
        if config is None:
            counts["untranslatable"] += 1
            continue
        values = dict(config)
        t0 = time.monotonic()
        mark = meter.mark()
        out = run_limited(
            evaluate,
            (values, prepared.data, prepared.y, prepared.spec),
            wall_time=per_trial_time_limit,
            memory_mb=memory_limit,
        )
        joules, energy_source = meter.trial(mark, out.cpu_seconds)
        ok = out.status.value == "success"
        loss = out.value.loss if ok else np.nan
        record = TrialRecord(
            trial=i,
            model=values["model"],
            config=values,
            origin=source,
            loss=loss,
            score=metric.to_score(loss) if ok else np.nan,
            status=out.status.value,
            fit_time=out.value.fit_time if ok else time.monotonic() - t0,
            single_fit_time=0.0,
            start_time=0.0,
            end_time=0.0,
            error=out.error,
            cpu_seconds=out.cpu_seconds,
            energy_joules=joules,
            energy_source=energy_source,
        )
        extra = {
            "predict_time": out.value.predict_time if ok else None,
            "original_config": candidate_key(ref) if original else None,
        }
        trials.append((run_id, record, extra))
        counts["evaluated"] += 1
        if predictions_dir is not None:
            _keep_predictions(predictions_dir, run_id, out.value.predictions if ok else None)
        if len(trials) >= 10:
            _flush(kb, trials, prepared, source, seed)
    _flush(kb, trials, prepared, source, seed)


def grow(
    kb,
    datasets: Iterable[GrowDataset],
    *,
    n_configs: int = 41,
    max_rows: int = 5000,
    per_trial_time_limit: float = 60.0,
    memory_limit: int | None = 4096,
    seed: int = 0,
    verbose: int = 1,
) -> dict[str, int]:
    """Evaluate the reference configurations on each dataset and append the results to ``kb``."""
    references = {
        kind: reference_configurations(n_configs, kind, seed)
        for kind in (Task.BINARY, Task.REGRESSION)
    }
    counts = {"datasets": 0, "evaluated": 0, "skipped_existing": 0, "untranslatable": 0}
    for ds in datasets:
        prepared = prepare_dataset(kb, ds, max_rows=max_rows, resampling=None, seed=seed)
        counts["datasets"] += 1
        start = time.monotonic()
        kind = Task.REGRESSION if prepared.spec.task is Task.REGRESSION else Task.BINARY
        configs = []
        for ref in references[kind]:
            config, _ = translate(ref, prepared.space)
            values = dict(config) if config is not None else ref
            key = f"{prepared.fingerprint}|{sorted(values.items())}|{seed}"
            configs.append((uuid.uuid5(RUN_NAMESPACE, key).hex, ref))
        evaluate_configurations(
            kb,
            prepared,
            configs,
            source="grow",
            per_trial_time_limit=per_trial_time_limit,
            memory_limit=memory_limit,
            seed=seed,
            counts=counts,
        )
        if verbose:
            print(
                f"[grow] {ds.name}: {len(prepared.data)} rows (fidelity {prepared.fidelity:.2f}), "
                f"{time.monotonic() - start:.0f}s",
                file=sys.stderr,
                flush=True,
            )
    return counts


def _keep_predictions(folder: Path, run_id: str, predictions: np.ndarray | None) -> None:
    """Written whole or not at all: a build stopped mid-write leaves no partial file."""
    folder.mkdir(parents=True, exist_ok=True)
    if predictions is None:
        (folder / f"{run_id}.failed").touch()
        return
    tmp = folder / f".{run_id}.tmp.npy"
    np.save(tmp, predictions.astype(np.float32))
    tmp.replace(folder / f"{run_id}.npy")


def _flush(kb, trials, prepared: PreparedDataset, source: str, seed: int) -> None:
    if not trials:
        return
    frame = runs_frame(
        [t for _, t, _ in trials],
        prepared.fingerprint,
        prepared.spec,
        source=source,
        seed=seed,
        fidelity=prepared.fidelity,
    )
    frame.insert(0, "run_id", [r for r, _, _ in trials])
    for column in ("predict_time", "original_config"):
        frame[column] = [extra[column] for _, _, extra in trials]
    kb.append(runs=frame)
    trials.clear()


def _task_and_target(kind: str, y: pd.Series) -> tuple[Task, np.ndarray]:
    if kind == "regression":
        return Task.REGRESSION, y.to_numpy(dtype=float)
    codes = np.unique(y.astype(str), return_inverse=True)[1]
    return (Task.BINARY if codes.max() == 1 else Task.MULTICLASS), codes


def _subsample(y: np.ndarray, task: Task, max_rows: int, seed: int) -> np.ndarray:
    n = len(y)
    if n <= max_rows:
        return np.arange(n)
    from sklearn.model_selection import train_test_split

    stratify = y if task.is_classification and np.bincount(y).min() >= 2 else None
    rows, _ = train_test_split(
        np.arange(n), train_size=max_rows, random_state=seed, stratify=stratify
    )
    return np.sort(rows)


def grow_datasets(
    data: str | Path, *, task: str | None = None, names: Iterable[str] | None = None
) -> Iterable[GrowDataset]:
    """The datasets ``automl kb grow --data`` names: a folder with an ``index.csv`` (PMLB
    layout), an OpenML suite ``openml/s/<id>`` or tasks ``openml/t/<id>[,<id>...]``.

    The source is checked at once (ValueError), the data read as the iterator advances.
    """
    from automl._openml_data import SPEC_HELP, is_openml_spec, openml_datasets

    if is_openml_spec(str(data)):
        return openml_datasets(str(data), task=task, names=names)
    folder = Path(data)
    if not (folder / "index.csv").is_file():
        what = "has no index.csv" if folder.is_dir() else "is not a folder"
        raise ValueError(
            f"--data {str(data)!r} {what}: give a folder of datasets with an index.csv "
            f"(PMLB layout) or an OpenML source, {SPEC_HELP}."
        )
    return pmlb_datasets(folder, task=task, names=names)


def pmlb_datasets(
    folder: str | Path, *, task: str | None = None, names: Iterable[str] | None = None
):
    """The PMLB copy's datasets (``index.csv`` tells the task), smallest first."""
    folder = Path(folder)
    index = pd.read_csv(folder / "index.csv").sort_values("n_instances", kind="stable")
    if task is not None:
        index = index[index["task"] == task]
    if names is not None:
        index = index[index["name"].isin(list(names))]
    for row in index.itertuples():
        frame = pd.read_csv(folder / f"{row.name}.tsv.gz", sep="\t")
        yield GrowDataset(row.name, frame.drop(columns="target"), frame["target"], row.task)
