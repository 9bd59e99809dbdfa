"""Import auto-sklearn's meta-data (ASlib folders of past runs) into knowledge-base rows.

Each folder ``<metric>_<binary|multiclass>.classification_dense`` or
``<metric>_regression_dense`` holds meta-features (``feature_values.arff``), the best
configuration auto-sklearn found per dataset (``configurations.csv``) and its loss on each
dataset (``algorithm_runs.arff``).

Datasets: ``dataset_id`` is ``"autosklearn-<instance>"`` for classification and
``"autosklearn-regression-<instance>"`` for regression (40 instance names, e.g. ``abalone``,
name a classification *and* a different regression dataset). The instance names are dataset
names, not ids, so ``openml_dataset_id``/``openml_task_id`` stay null. ``n_rows`` is the size
of the training split that auto-sklearn measured; meta-features are mapped as documented in
:mod:`knowledge_base.importers._autosklearn_names`.

Runs: the loss in ``algorithm_runs.arff`` is auto-sklearn's loss, which is the spec's loss for
every metric here (``1 - score`` for accuracy, balanced accuracy, ROC AUC and R2; the error
itself for log loss, MAE, RMSE). Only configurations that the space v1 can express are
imported (see :mod:`._autosklearn_configs`); the others are counted in ``skipped`` by reason.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from knowledge_base.importers._arff import read_arff
from knowledge_base.importers._autosklearn_configs import translate_configuration
from knowledge_base.importers._autosklearn_names import autosklearn_to_openml
from knowledge_base.importers._common import (
    ImportResult,
    datasets_frame,
    dumps,
    finish_runs,
    metafeatures_json,
    run_id,
    score_and_loss,
    success_run_fields,
    task_from_classes,
)

SOURCE = "autosklearn"
RESAMPLING = "autosklearn"

#: auto-sklearn metric names (folder prefixes) -> the spec's metric names.
FOLDER_METRICS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced_accuracy",
    "log_loss": "log_loss",
    "roc_auc": "roc_auc",
    "r2": "r2",
    "mean_absolute_error": "mae",
    "root_mean_squared_error": "rmse",
}

_FOLDER = re.compile(
    r"^(?P<metric>[a-z0-9_]+?)_(?P<kind>binary\.classification|multiclass\.classification|"
    r"regression)_(?P<density>dense|sparse)$"
)


def list_folders(path: str | Path) -> list[str]:
    """The auto-sklearn meta-data folders (``*_dense`` / ``*_sparse``) under ``path``, sorted."""
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"auto-sklearn meta-data directory not found: {root}")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _FOLDER.match(p.name))


def parse_folder_name(folder: str) -> tuple[str, bool]:
    """``(spec metric, is_regression)`` of a folder name such as ``"r2_regression_dense"``."""
    m = _FOLDER.match(folder)
    if m is None or m["metric"] not in FOLDER_METRICS:
        raise ValueError(
            f"Not an auto-sklearn meta-data folder name: {folder!r} (expected "
            f"'<metric>_<binary|multiclass>.classification_dense' or '<metric>_regression_dense'"
            f" with metric in {sorted(FOLDER_METRICS)})."
        )
    return FOLDER_METRICS[m["metric"]], m["kind"] == "regression"


def dataset_id_for(instance: str, *, regression: bool) -> str:
    """The knowledge-base id of an auto-sklearn instance (dataset name)."""
    return f"autosklearn-regression-{instance}" if regression else f"autosklearn-{instance}"


def import_autosklearn(path: str | Path, folders: list[str] | None = None) -> ImportResult:
    """Translate auto-sklearn meta-data folders into ``datasets`` and ``runs`` rows.

    Parameters
    ----------
    path : str or Path
        Directory holding the folders (e.g. ``.../metadata/autosklearn``).
    folders : list of str, optional
        Folder names to import; all of them by default. Datasets and runs found in several
        folders (the binary and multiclass folders hold the same data) are kept once.

    Returns
    -------
    ImportResult
        ``skipped`` counts runs by reason (``"model:<name>"``, ``"feature_preprocessor:..."``,
        ``"balancing:weighting"``, ``"runstatus:not_applicable"``, ...); ``notes`` counts
        duplicates removed and translated AdaBoost runs that used SAMME.R.
    """
    root = Path(path)
    names = list_folders(root) if folders is None else list(folders)
    skipped: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    dataset_rows: list[dict[str, Any]] = []
    run_rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for folder in names:
        metric, regression = parse_folder_name(folder)
        features = _read_features(root / folder)
        dataset_rows.extend(_dataset_rows(features, regression))
        configs = _read_configurations(root / folder / "configurations.csv")
        runs, _ = read_arff(root / folder / "algorithm_runs.arff")
        by_name = features.set_index("instance_id")
        for row in runs.itertuples(index=False):
            instance, idx, value, status = row[0], str(row[2]), float(row[3]), str(row[4])
            if instance not in by_name.index or idx not in configs:
                skipped["unknown dataset or configuration"] += 1
                continue
            key = (metric, instance, regression, repr(value), tuple(sorted(configs[idx].items())))
            if key in seen:  # the binary and multiclass folders hold the same runs
                notes["duplicate_runs_removed"] += 1
                continue
            seen.add(key)
            if status != "ok":
                skipped[f"runstatus:{status}"] += 1
                continue
            if not math.isfinite(value):
                skipped["loss missing"] += 1
                continue
            meta = by_name.loc[instance]
            config, reason, note = translate_configuration(
                configs[idx],
                regression=regression,
                n_features=float(meta["NumberOfFeatures"]),
                n_categorical=_float(meta.get("NumberOfCategoricalFeatures")),
            )
            if config is None:
                skipped[reason] += 1
                continue
            notes.update(note)
            task = task_from_classes(_float(meta.get("NumberOfClasses")), regression=regression)
            dataset_id = dataset_id_for(instance, regression=regression)
            run_rows.append(_run_row(dataset_id, task, configs[idx], config, metric, value))
    datasets = datasets_frame(dataset_rows)
    runs = finish_runs(pd.DataFrame(run_rows))
    notes["duplicate_runs_removed"] += len(run_rows) - len(runs)
    notes["folders"] = len(names)
    return ImportResult(datasets, runs, dict(skipped), dict(notes))


def import_into(kb: Any, path: str | Path, folders: list[str] | None = None) -> ImportResult:
    """Import auto-sklearn meta-data and append it to ``kb``; returns what was imported."""
    result = import_autosklearn(path, folders)
    result.append_to(kb)
    return result


def _float(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _read_features(folder: Path) -> pd.DataFrame:
    frame, _ = read_arff(folder / "feature_values.arff")
    if "instance_id" not in frame:
        raise ValueError(f"{folder / 'feature_values.arff'} has no instance_id attribute.")
    return frame.drop_duplicates("instance_id", keep="first").reset_index(drop=True)


def _read_configurations(path: Path) -> dict[str, dict[str, str]]:
    """idx -> the configuration's active (non-empty) entries, as in the CSV."""
    if not path.is_file():
        raise FileNotFoundError(f"auto-sklearn configurations file not found: {path}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    out: dict[str, dict[str, str]] = {}
    for record in frame.to_dict("records"):
        idx = str(record.pop("idx"))
        out[idx] = {k: v for k, v in record.items() if v != ""}
    return out


def _dataset_rows(features: pd.DataFrame, regression: bool) -> list[dict[str, Any]]:
    rows = []
    for record in features.to_dict("records"):
        name = str(record["instance_id"])
        values = {k: v for k, v in record.items() if k not in ("instance_id", "repetition")}
        n_classes = _float(values.get("NumberOfClasses"))
        rows.append(
            {
                "dataset_id": dataset_id_for(name, regression=regression),
                "name": name,
                "source": SOURCE,
                "openml_dataset_id": None,
                "openml_task_id": None,
                "task": task_from_classes(n_classes, regression=regression),
                "n_rows": _int(values.get("NumberOfInstances")),
                "n_features": _int(values.get("NumberOfFeatures")),
                "metafeatures": metafeatures_json(
                    autosklearn_to_openml(values, regression=regression)
                ),
            }
        )
    return rows


def _int(value: Any) -> int | None:
    v = _float(value)
    return None if v is None else round(v)


def _original(config: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        out[key] = _number(value)
    return out


def _number(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def _run_row(
    dataset_id: str,
    task: str | None,
    source_config: dict[str, str],
    config: dict[str, Any],
    metric: str,
    value: float,
) -> dict[str, Any]:
    original = dumps(_original(source_config))
    score, loss = score_and_loss(metric, value, value_is_loss=True)
    return {
        "run_id": run_id(SOURCE, metric, dataset_id, original),
        "dataset_id": dataset_id,
        "task": task,
        "model": config["model"],
        "config": dumps(config),
        "original_config": original,
        "metric": metric,
        "score": score,
        "loss": loss,
        **success_run_fields(SOURCE, RESAMPLING),
    }
