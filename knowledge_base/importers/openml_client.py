"""Import datasets and published runs from OpenML through the ``openml`` client.

* :func:`import_openml_tasks` / :func:`import_openml_suite`: one ``datasets`` row per task's
  dataset, ``dataset_id = "openml-<did>"``, with the server's qualities (no data download),
  cleaned by :func:`._common.clean_openml_qualities`.
* :func:`import_openml_evaluations`: published runs (``predictive_accuracy`` evaluations) of
  the given flows and/or tasks, joined with their setups' hyperparameters and translated into
  the space v1 by :mod:`._sklearn_flows` (scikit-learn random forest, extra trees, AdaBoost,
  histogram gradient boosting, k-NN, RBF SVC, MLP, LightGBM, logistic regression). Runs of
  other flows are counted in ``skipped``.

The client uses its own cache (``openml.config``); anything not cached goes to the server.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from knowledge_base.importers._common import (
    ImportResult,
    clean_openml_qualities,
    complete_datasets,
    datasets_frame,
    dumps,
    finish_runs,
    merge_results,
    metafeatures_json,
    run_id,
    success_run_fields,
    task_from_classes,
)
from knowledge_base.importers._sklearn_flows import translate_setup

SOURCE = "openml"
FUNCTION = "predictive_accuracy"


def require_openml() -> ModuleType:
    """The ``openml`` module, or an ImportError that says how to install it."""
    try:
        import openml
    except ImportError as exc:  # pragma: no cover - openml is a dependency
        raise ImportError("Reading OpenML needs the `openml` package: pip install openml") from exc
    return openml


def supervised_kind(task: Any) -> str | None:
    """``"classification"``, ``"regression"``, or None for another kind of OpenML task."""
    kind = str(task.task_type_id)
    if "REGRESSION" in kind:
        return "regression"
    return "classification" if "CLASSIFICATION" in kind else None


@contextlib.contextmanager
def openml_cache_lock(task_id: int) -> Iterator[None]:
    """Serialise downloads of one task among concurrent processes that share an OpenML cache."""
    import fcntl

    root = Path(require_openml().config.get_config_as_dict()["cachedir"])
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".automl-task-{int(task_id)}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def import_openml_tasks(task_ids: list[int]) -> ImportResult:
    """``datasets`` rows (with server qualities) for OpenML tasks; no data is downloaded.

    Parameters
    ----------
    task_ids : list of int
        OpenML task ids (supervised classification or regression).

    Returns
    -------
    ImportResult
        Datasets only; ``notes["resampling"]`` maps task id -> resampling name
        (e.g. ``"openml-10cv"``), ``notes["qualities_cleaned"]`` counts cleaned values.
    """
    openml = require_openml()
    rows, resampling, cleaned = [], {}, 0
    skipped: Counter[str] = Counter()
    for task_id in dict.fromkeys(int(t) for t in task_ids):
        task = openml.tasks.get_task(
            task_id, download_data=False, download_qualities=False, download_splits=False
        )
        kind = supervised_kind(task)
        if kind is None:
            skipped[f"task type {task.task_type}"] += 1
            continue
        regression = kind == "regression"
        dataset = openml.datasets.get_dataset(
            task.dataset_id, download_data=False, download_qualities=True
        )
        qualities, changed = clean_openml_qualities(dataset.qualities or {})
        cleaned += changed
        resampling[task_id] = resampling_name(task.estimation_procedure)
        rows.append(_dataset_row(dataset, task_id, qualities, regression))
    datasets, dropped = complete_datasets(datasets_frame(rows))
    notes = {"resampling": resampling, "qualities_cleaned": cleaned, "datasets_incomplete": dropped}
    return ImportResult(datasets, finish_runs(pd.DataFrame()), dict(skipped), notes)


def import_openml_suite(suite_id: int | str) -> ImportResult:
    """``datasets`` rows for every task of an OpenML benchmark suite (e.g. 99 = OpenML-CC18)."""
    suite = require_openml().study.get_suite(suite_id)
    return import_openml_tasks(list(suite.tasks or []))


def import_openml_evaluations(
    *,
    flow_ids: list[int] | None = None,
    task_ids: list[int] | None = None,
    size: int | None = None,
) -> ImportResult:
    """Published OpenML runs as knowledge-base rows (their datasets included).

    Parameters
    ----------
    flow_ids, task_ids : list of int, optional
        Filters of ``openml.evaluations.list_evaluations`` (at least one is required).
    size : int, optional
        Maximum number of evaluations to list (default: all).

    Returns
    -------
    ImportResult
        ``runs`` with ``metric="accuracy"``, ``source="openml"``, ``resampling`` from the
        task's estimation procedure and a ``run_id`` derived from the OpenML run id.
    """
    if not flow_ids and not task_ids:
        raise ValueError("Give flow_ids and/or task_ids: listing every OpenML run is too much.")
    openml = require_openml()
    evaluations = openml.evaluations.list_evaluations(
        FUNCTION, flows=flow_ids, tasks=task_ids, size=size, output_format="dataframe"
    )
    if evaluations is None or len(evaluations) == 0:
        return merge_results([])
    tasks = import_openml_tasks(sorted(set(evaluations["task_id"].astype(int))))
    setup_ids = sorted(set(evaluations["setup_id"].astype(int)))
    setups = openml.setups.list_setups(setup=setup_ids, output_format="object")
    runs, skipped, notes = _runs(evaluations, setups, tasks)
    result = ImportResult(tasks.datasets, runs, dict(skipped + Counter(tasks.skipped)), notes)
    result.notes["qualities_cleaned"] = tasks.notes.get("qualities_cleaned", 0)
    return result


def import_into(
    kb: Any,
    *,
    task_ids: list[int] | None = None,
    suite_id: int | str | None = None,
    flow_ids: list[int] | None = None,
    evaluations: bool = False,
) -> ImportResult:
    """Import OpenML datasets (tasks and/or a suite) and optionally their runs into ``kb``.

    With ``evaluations=True`` (or ``flow_ids``) the published runs of those flows on those
    tasks are imported too. Returns what was appended.
    """
    task_ids = list(task_ids or [])
    if suite_id is not None:
        task_ids += list(require_openml().study.get_suite(suite_id).tasks or [])
    if evaluations or flow_ids:
        result = import_openml_evaluations(flow_ids=flow_ids, task_ids=task_ids or None)
        if task_ids:
            result = merge_results([import_openml_tasks(task_ids), result])
    else:
        result = import_openml_tasks(task_ids)
    result.append_to(kb)
    return result


def resampling_name(procedure: dict[str, Any] | None) -> str:
    """``"openml-10cv"``, ``"openml-10x10cv"``, ``"openml-holdout0.33"``... from a task's procedure."""
    procedure = procedure or {}
    kind = str(procedure.get("type", "unknown"))
    params = procedure.get("parameters") or {}
    if kind == "crossvalidation":
        folds = params.get("number_folds") or "?"
        repeats = params.get("number_repeats") or "1"
        return f"openml-{folds}cv" if str(repeats) == "1" else f"openml-{repeats}x{folds}cv"
    if kind == "holdout" and params.get("percentage"):
        return f"openml-holdout{float(params['percentage']) / 100:g}"
    return f"openml-{kind}"


def _dataset_row(dataset: Any, task_id: int, qualities: dict, regression: bool) -> dict:
    n_classes = qualities.get("NumberOfClasses")
    n_rows = _count(qualities.get("NumberOfInstances"))
    n_features = _count(qualities.get("NumberOfFeatures"))
    return {
        "dataset_id": f"openml-{int(dataset.dataset_id)}",
        "name": str(dataset.name),
        "source": SOURCE,
        "openml_dataset_id": int(dataset.dataset_id),
        "openml_task_id": task_id,
        "task": task_from_classes(n_classes, regression=regression),
        "n_rows": n_rows,
        "n_features": None if n_features is None else n_features - 1,
        "metafeatures": metafeatures_json(qualities),
    }


def _count(value: float | None) -> int | None:
    return None if value is None or not math.isfinite(value) else round(value)


def _runs(evaluations: pd.DataFrame, setups: dict, tasks: ImportResult):
    meta = tasks.datasets.set_index("openml_task_id")
    resampling = tasks.notes.get("resampling", {})
    rows: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    cache: dict[tuple[int, float], tuple] = {}
    for ev in evaluations.itertuples(index=False):
        task_id, setup_id = int(ev.task_id), int(ev.setup_id)
        if task_id not in meta.index:
            skipped["task not imported"] += 1
            continue
        setup = setups.get(setup_id)
        if setup is None:
            skipped["setup not found"] += 1
            continue
        n_features = meta.at[task_id, "n_features"]
        n_features = float(n_features) if pd.notna(n_features) else None
        key = (setup_id, n_features if n_features is not None else -1.0)
        if key not in cache:
            cache[key] = translate_setup((setup.parameters or {}).values(), n_features=n_features)
        config, reason, note = cache[key]
        if config is None:
            skipped[reason] += 1
            continue
        notes.update(note)
        score = float(ev.value)
        rows.append(
            {
                "run_id": run_id(SOURCE, "run", int(ev.run_id)),
                "dataset_id": meta.at[task_id, "dataset_id"],
                "task": meta.at[task_id, "task"],
                "model": config["model"],
                "config": dumps(config),
                "original_config": dumps(_original(ev, setup)),
                "metric": "accuracy",
                "score": score,
                "loss": 1.0 - score,
                **success_run_fields(SOURCE, resampling.get(task_id, "openml")),
            }
        )
    return finish_runs(pd.DataFrame(rows)), skipped, dict(notes)


def _original(ev: Any, setup: Any) -> dict[str, Any]:
    parameters = {str(p.full_name): p.value for p in (setup.parameters or {}).values()}
    return {
        "openml_run_id": int(ev.run_id),
        "setup_id": int(ev.setup_id),
        "flow_id": int(ev.flow_id),
        "flow_name": str(ev.flow_name),
        "parameters": parameters,
    }
