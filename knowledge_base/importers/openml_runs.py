"""Import the downloaded OpenML runs (openml-pimp: flows 6969 and 6970 on OpenML100 tasks).

Files in the directory: ``flow-<id>-<name>.arff.gz`` (one row per run: hyperparameters,
``predictive_accuracy`` under OpenML's 10-fold cross-validation, ``task_id``; the first line is
a JSON comment naming the flow) and ``task_qualities.json.gz`` (server qualities by task id).

Datasets: one per task with qualities. The qualities carry neither a dataset id nor a name, so
the id is ``"openml-task-<task id>"`` unless ``task_to_dataset`` gives the OpenML dataset id
(then ``"openml-<did>"``, as the live client importer writes). Qualities are cleaned with
:func:`._common.clean_openml_qualities` (``-1`` placeholders -> null, percentages recomputed
in percent from the counts).

Runs, all translated into the space v1 (vectorised, ~1 s for the 87,000 rows):

* flow 6969 (imputer + one-hot encoding of nominal columns + ``RandomForestClassifier``, 100
  trees): ``bootstrap``, ``criterion``, ``min_samples_leaf``, ``min_samples_split`` as they are;
  ``max_features``, a fraction ``f`` in scikit-learn, becomes the exponent ``e`` with
  ``n ** e = max(1, int(f * n))`` features for ``n = NumberOfFeatures - 1`` (the target
  excluded; nominal columns counted once, before one-hot encoding);
* flow 6970 (imputer + one-hot + ``AdaBoostClassifier`` over decision trees):
  ``n_estimators``, ``learning_rate``, ``base_estimator__max_depth`` -> ``max_depth``.
  ``algorithm`` is dropped (the space's AdaBoost is SAMME, the only one in scikit-learn >= 1.6);
  ``notes["adaboost:algorithm=SAMME.R"]`` counts the runs that used SAMME.R;
* both: ``columntransformer__numeric__imputer__strategy`` -> ``imputation:strategy``,
  ``categorical_encoding:__choice__ = "one_hot"``, ``feature_selection:__choice__ = "none"``.

``run_id`` is a uuid5 of (flow, task, row number in the file), so re-importing gives the same
ids. Values are written as the runs have them: the importer checks that they are numbers, not
that they lie in the space's ranges, which ``automl._space.translate`` decides where a stored
configuration is read (all of the shipped files' runs do).
"""

from __future__ import annotations

import gzip
import json
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from knowledge_base.importers._arff import read_arff
from knowledge_base.importers._common import (
    ImportResult,
    clean_openml_qualities,
    complete_datasets,
    datasets_frame,
    finish_runs,
    fraction_to_exponent,
    merge_results,
    metafeatures_json,
    run_id,
    success_run_fields,
    task_from_classes,
)

SOURCE = "openml-runs"
DATASET_SOURCE = "openml"
RESAMPLING = "openml-10cv"
QUALITIES_FILE = "task_qualities.json.gz"
IMPUTER = "columntransformer__numeric__imputer__strategy"
_FLOW_FILE = re.compile(r"^flow-(\d+)-.+\.arff(\.gz)?$")


def import_openml_runs(
    path: str | Path,
    *,
    flows: list[int] | None = None,
    task_to_dataset: dict[int, int] | None = None,
) -> ImportResult:
    """Translate the downloaded OpenML runs and task qualities into knowledge-base rows.

    Parameters
    ----------
    path : str or Path
        Directory with ``flow-*.arff.gz`` and ``task_qualities.json.gz``.
    flows : list of int, optional
        Flow ids to import (default: every ``flow-*`` file).
    task_to_dataset : dict of int to int, optional
        OpenML task id -> dataset id, to name datasets ``"openml-<did>"``.

    Returns
    -------
    ImportResult
        ``skipped`` counts untranslatable runs by reason; ``notes`` has the SAMME.R count and
        ``"qualities_cleaned"`` (server values replaced by :func:`clean_openml_qualities`).
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"OpenML runs directory not found: {root}")
    datasets, n_cleaned = _datasets(root / QUALITIES_FILE, task_to_dataset or {})
    results = [ImportResult(datasets, finish_runs(pd.DataFrame()), {}, {})]
    for flow_id, file in _flow_files(root).items():
        if flows is not None and flow_id not in flows:
            continue
        frame, header = read_arff(file)
        flow_id = int(header["comment"].get("flow_id", flow_id))
        results.append(_import_flow(flow_id, frame, datasets))
    result = merge_results(results)
    result.notes["qualities_cleaned"] = n_cleaned
    return result


def import_into(
    kb: Any,
    path: str | Path,
    *,
    flows: list[int] | None = None,
    task_to_dataset: dict[int, int] | None = None,
) -> ImportResult:
    """Import the downloaded OpenML runs and append them to ``kb``; returns what was imported."""
    result = import_openml_runs(path, flows=flows, task_to_dataset=task_to_dataset)
    result.append_to(kb)
    return result


def _flow_files(root: Path) -> dict[int, Path]:
    found = {}
    for file in sorted(root.iterdir()):
        m = _FLOW_FILE.match(file.name)
        if m:
            found[int(m.group(1))] = file
    return found


def read_task_qualities(file: str | Path) -> dict[int, dict[str, Any]]:
    """``task_qualities.json.gz``: task id -> {quality name: value} as the server gave them."""
    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(f"Task qualities file not found: {file}")
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    return {int(task): dict(values) for task, values in raw.items()}


def _datasets(file: Path, task_to_dataset: dict[int, int]) -> tuple[pd.DataFrame, int]:
    rows, n_cleaned = [], 0
    for task_id, raw in sorted(read_task_qualities(file).items()):
        qualities, changed = clean_openml_qualities(raw)
        n_cleaned += changed
        did = task_to_dataset.get(task_id)
        dataset_id = f"openml-{did}" if did is not None else f"openml-task-{task_id}"
        rows.append(
            {
                "dataset_id": dataset_id,
                "name": dataset_id,
                "source": DATASET_SOURCE,
                "openml_dataset_id": did,
                "openml_task_id": task_id,
                "task": task_from_classes(qualities.get("NumberOfClasses")),
                "n_rows": _count(qualities.get("NumberOfInstances")),
                "n_features": _count(qualities.get("NumberOfFeatures"), minus=1),
                "metafeatures": metafeatures_json(qualities),
            }
        )
    datasets, dropped = complete_datasets(datasets_frame(rows))
    if dropped:
        warnings.warn(
            f"OpenML tasks without class count or size qualities left out: {dropped}",
            stacklevel=3,
        )
    return datasets, n_cleaned


def _count(value: float | None, minus: int = 0) -> int | None:
    if value is None or not np.isfinite(value):
        return None
    return round(value) - minus


def _import_flow(flow_id: int, frame: pd.DataFrame, datasets: pd.DataFrame) -> ImportResult:
    translate = _TRANSLATORS.get(flow_id)
    if translate is None:
        return ImportResult(
            datasets.iloc[:0], finish_runs(pd.DataFrame()), {f"flow:{flow_id}": len(frame)}
        )
    frame = frame.reset_index(drop=True)
    meta = datasets.set_index("openml_task_id")
    task_ids = pd.to_numeric(frame["task_id"], errors="coerce").astype("Int64")
    known = task_ids.isin(meta.index).to_numpy(dtype=bool)
    n_features = task_ids.map(meta["n_features"].astype("float64")).astype("float64").to_numpy()
    checks: list[tuple[str, np.ndarray]] = [("task without qualities", ~known)]
    params, more_checks, notes = translate(frame, n_features)
    checks += more_checks
    acc = pd.to_numeric(frame["predictive_accuracy"], errors="coerce").to_numpy(dtype=float)
    checks.append(("predictive_accuracy missing or outside [0, 1]", ~((acc >= 0) & (acc <= 1))))
    strategy = frame[IMPUTER].astype(str)
    checks.append(
        ("imputation strategy", ~strategy.isin(["mean", "median", "most_frequent"]).to_numpy())
    )
    reason = np.full(len(frame), "", dtype=object)
    for name, bad in checks:
        reason[(reason == "") & np.asarray(bad, dtype=bool)] = name
    ok = reason == ""
    skipped = Counter(reason[~ok].tolist())
    params.insert(0, "imputation:strategy", strategy)
    params.insert(1, "categorical_encoding:__choice__", "one_hot")
    params.insert(2, "feature_selection:__choice__", "none")
    rows = np.flatnonzero(ok)
    task = task_ids.to_numpy()[rows]
    configs = _json_rows(params.iloc[rows])
    original = frame.drop(columns=["predictive_accuracy", "task_id"]).iloc[rows]
    original.insert(0, "flow_id", flow_id)
    runs = pd.DataFrame(
        {
            "run_id": [run_id(SOURCE, flow_id, t, r) for t, r in zip(task.tolist(), rows.tolist())],
            "dataset_id": pd.Series(task).map(meta["dataset_id"]).to_numpy(),
            "task": pd.Series(task).map(meta["task"]).to_numpy(),
            "model": params["model"].iloc[rows].to_numpy(),
            "config": configs,
            "original_config": _json_rows(original),
            "metric": "accuracy",
            "score": acc[rows],
            "loss": 1.0 - acc[rows],
            **success_run_fields(SOURCE, RESAMPLING),
        }
    )
    notes = {k: int(np.sum(v[ok])) for k, v in notes.items()}
    return ImportResult(datasets.iloc[:0], finish_runs(runs), dict(skipped), notes)


def _json_rows(frame: pd.DataFrame) -> list[str]:
    """One key-sorted JSON object per row, as the store writes them (values: JSON types)."""
    columns = sorted(frame.columns)
    values = zip(*(frame[c].tolist() for c in columns))
    encode = json.JSONEncoder(allow_nan=False).encode
    return [encode(dict(zip(columns, row))) for row in values]


def _int_column(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _not_numbers(model: str, columns: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """A check per column: the rows where it is not a finite number."""
    return [(f"{model}:{name} not a number", ~np.isfinite(v)) for name, v in columns.items()]


def _random_forest(frame: pd.DataFrame, n_features: np.ndarray):
    p = "randomforestclassifier__"
    fraction = pd.to_numeric(frame[p + "max_features"], errors="coerce").to_numpy(dtype=float)
    split = _int_column(frame[p + "min_samples_split"])
    leaf = _int_column(frame[p + "min_samples_leaf"])
    weight = pd.to_numeric(frame[p + "min_weight_fraction_leaf"], errors="coerce").to_numpy()
    checks = [
        ("random_forest:max_depth not None", frame[p + "max_depth"].astype(str) != "None"),
        (
            "random_forest:max_leaf_nodes not None",
            frame[p + "max_leaf_nodes"].astype(str) != "None",
        ),
        ("random_forest:min_weight_fraction_leaf not 0", ~(weight == 0)),
        ("random_forest:criterion", ~frame[p + "criterion"].isin(["gini", "entropy"])),
        ("random_forest:bootstrap", ~frame[p + "bootstrap"].isin(["True", "False"])),
        # scikit-learn's fractions (NaN included)
        ("random_forest:max_features out of (0, 1]", ~((fraction > 0) & (fraction <= 1))),
        *_not_numbers("random_forest", {"min_samples_split": split, "min_samples_leaf": leaf}),
        ("number of features unknown", ~np.isfinite(n_features)),
    ]
    params = pd.DataFrame(
        {
            "model": "random_forest",
            "random_forest:bootstrap": frame[p + "bootstrap"].astype(str),
            "random_forest:criterion": frame[p + "criterion"].astype(str),
            "random_forest:max_features": fraction_to_exponent(fraction, n_features),
            "random_forest:min_samples_leaf": _ints(leaf),
            "random_forest:min_samples_split": _ints(split),
        }
    )
    return params, [(n, np.asarray(b, dtype=bool)) for n, b in checks], {}


def _adaboost(frame: pd.DataFrame, n_features: np.ndarray):
    p = "adaboostclassifier__"
    n_est = _int_column(frame[p + "n_estimators"])
    rate = pd.to_numeric(frame[p + "learning_rate"], errors="coerce").to_numpy(dtype=float)
    depth = _int_column(frame[p + "base_estimator__max_depth"])
    algorithm = frame[p + "algorithm"].astype(str)
    checks = [
        ("adaboost:algorithm", ~algorithm.isin(["SAMME", "SAMME.R"]).to_numpy()),
        *_not_numbers(
            "adaboost", {"n_estimators": n_est, "learning_rate": rate, "max_depth": depth}
        ),
    ]
    params = pd.DataFrame(
        {
            "model": "adaboost",
            "adaboost:learning_rate": rate,
            "adaboost:max_depth": _ints(depth),
            "adaboost:n_estimators": _ints(n_est),
        }
    )
    notes = {"adaboost:algorithm=SAMME.R": (algorithm == "SAMME.R").to_numpy()}
    return params, checks, notes


def _ints(values: np.ndarray) -> list[int]:
    """Rounded to integers; a row that is not a number (0 here) is skipped by its check."""
    finite = np.where(np.isfinite(values), np.rint(values), 0.0)
    return finite.astype(np.int64).tolist()


_TRANSLATORS = {6969: _random_forest, 6970: _adaboost}
