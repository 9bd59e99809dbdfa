"""Benchmark suites: which tasks to run, and the train/test data of one fold.

A suite is either an OpenML suite (``openml/s/271``, ``openml/s/269``, ``openml/s/99``, or the
2019 AMLB lists ``amlb/small``, ``amlb/medium``, ``amlb/large``), a list of OpenML task ids, or a
local folder of CSV/TSV(.gz)/Parquet files.

Folds
-----
OpenML tasks bring their own splits (10-fold cross-validation for the AMLB and CC18):
``--folds K`` runs folds ``0..K-1`` of repeat 0, from ``task.get_train_test_split_indices``.

Local datasets get seeded splits of our own: ``--folds 1`` (the default) is one stratified
2/3 train - 1/3 test holdout split; ``--folds K`` (K >= 2) is a stratified K-fold
cross-validation and runs all K folds. Regression targets are split without stratification,
and classes too small to stratify fall back to a plain shuffled split.
"""

from __future__ import annotations

import dataclasses
import random
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Reading a data file is automl's (``automl._io``: light, it loads no model).
from automl._io import SUFFIXES as DATA_SUFFIXES
from automl._io import clean_target, infer_task, read_table

SUITES_DIR = Path(__file__).with_name("suites")

#: Shipped, offline task lists: suite name -> (file in ``benchmarks/suites``, task type).
SHIPPED_SUITES: dict[str, tuple[str, str]] = {
    "openml/s/271": ("openml-s-271.txt", "classification"),
    "openml/s/269": ("openml-s-269.txt", "regression"),
    "openml/s/99": ("openml-s-99.txt", "classification"),
    "amlb/small": ("amlb-small.txt", "classification"),
    "amlb/medium": ("amlb-medium.txt", "classification"),
    "amlb/large": ("amlb-large.txt", "classification"),
}

TASK_TYPES = ("classification", "regression")
HOLDOUT_TEST_SIZE = 1 / 3


class SuiteError(ValueError):
    """A suite or task could not be found or read."""


@dataclass(frozen=True)
class TaskSpec:
    """One task of a suite, small enough to send to a job process.

    Attributes
    ----------
    name : str
        Task name used in results: ``"openml-<task id>"`` or the data file's stem.
    source : str
        ``"openml"`` or ``"local"``.
    openml_task_id : int or None
        OpenML task id, for OpenML tasks.
    path : str or None
        Data file, for local tasks.
    target : str
        Target column, for local tasks.
    task_type : str or None
        ``"classification"``, ``"regression"`` or None (inferred from the target).
    n_rows : int or None
        Number of rows when known before loading.
    """

    name: str
    source: str
    openml_task_id: int | None = None
    path: str | None = None
    target: str = "target"
    task_type: str | None = None
    n_rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskSpec:
        """Build a task from :meth:`to_dict` output."""
        return cls(**data)


@dataclass(frozen=True)
class Suite:
    """A named list of tasks; ``slug`` is the name made safe for file names."""

    name: str
    slug: str
    tasks: tuple[TaskSpec, ...]


@dataclass
class FoldData:
    """Train and test data of one fold of one task."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    task_type: str  # binary | multiclass | regression
    dataset: str
    openml_task_id: int | None = None
    openml_dataset_id: int | None = None


def read_task_list(path: str | Path) -> list[int]:
    """Read a task list file: one OpenML task id per line, ``#`` starts a comment."""
    ids = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            ids.append(int(text))
        except ValueError:
            raise SuiteError(
                f"{path}:{number}: expected an OpenML task id, got {text!r}."
            ) from None
    return ids


def parse_task_ids(text: str) -> list[int]:
    """Parse ``"31,3, 1882"`` into task ids, with a clear error for anything else."""
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise SuiteError(f"--tasks takes comma-separated OpenML task ids, got {text!r}.") from None


def slugify(text: str) -> str:
    """Make a name safe for file names: ``openml/s/271`` -> ``openml-s-271``."""
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in text)
    return safe.strip("-") or "suite"


def _openml_suite_tasks(name: str, refresh: bool) -> list[int]:
    file_name, _ = SHIPPED_SUITES[name]
    shipped = read_task_list(SUITES_DIR / file_name)
    if not (refresh and name.startswith("openml/s/")):
        return shipped
    try:
        import openml

        return [int(t) for t in openml.study.get_suite(int(name.rsplit("/", 1)[1])).tasks]
    except Exception as exc:  # any network or server failure: keep the offline copy
        warnings.warn(
            f"Could not refresh {name} from the OpenML server ({exc}); using the shipped list.",
            stacklevel=2,
        )
        return shipped


def load_suite(
    suite: str | None = None,
    *,
    tasks: str | list[int] | None = None,
    target: str = "target",
    task_type: str | None = None,
    max_rows: int | None = None,
    datasets: str | list[str] | None = None,
    sample: int | None = None,
    seed: int = 0,
    refresh: bool = False,
) -> Suite:
    """Resolve a suite name, task list or folder into a :class:`Suite`.

    Parameters
    ----------
    suite : str, optional
        ``openml/s/<id>`` or ``amlb/<size>`` (shipped lists), a path to a task list file, or a
        folder of data files.
    tasks : str or list of int, optional
        OpenML task ids (instead of ``suite``).
    target : str
        Target column of local files.
    task_type : str, optional
        Keep only ``"classification"`` or ``"regression"`` tasks (local: from ``index.csv`` or
        the data; OpenML: from the shipped suite's type) and force that type on local data.
    max_rows : int, optional
        Drop local datasets with more rows (needs ``index.csv`` or reads the files).
    datasets : str or list of str, optional
        Keep only these task names: a list, a comma-separated string, or a file with one name
        per line (``#`` starts a comment).
    sample : int, optional
        Keep a seeded random sample of this many tasks (after the other filters).
    seed : int
        Seed of ``sample``.
    refresh : bool
        Ask the OpenML server for the current task list of an ``openml/s/<id>`` suite.

    Returns
    -------
    Suite
    """
    if task_type is not None and task_type not in TASK_TYPES:
        raise SuiteError(f"task_type must be one of {TASK_TYPES}, got {task_type!r}.")
    if (suite is None) == (tasks is None):
        raise SuiteError("Give exactly one of --suite or --tasks.")
    if tasks is not None:
        ids = parse_task_ids(tasks) if isinstance(tasks, str) else [int(t) for t in tasks]
        name, specs = "openml-tasks", [_openml_spec(t, None) for t in ids]
    elif suite in SHIPPED_SUITES:
        kind = SHIPPED_SUITES[suite][1]
        name = suite
        specs = [_openml_spec(t, kind) for t in _openml_suite_tasks(suite, refresh)]
    elif Path(suite).is_dir():
        name, specs = f"local/{Path(suite).resolve().name}", _local_specs(Path(suite), target)
        if task_type is not None:
            specs = [_fill_task_type(s) for s in specs]
    elif Path(suite).is_file():
        name = f"file/{Path(suite).stem}"
        specs = [_openml_spec(t, None) for t in read_task_list(suite)]
    else:
        known = ", ".join(SHIPPED_SUITES)
        raise SuiteError(
            f"Unknown suite {suite!r}: not a shipped suite ({known}), a task list file or a folder."
        )
    specs = _filter(specs, task_type, max_rows, datasets, sample, seed)
    if task_type is not None:
        specs = [dataclasses.replace(s, task_type=task_type) for s in specs]
    if not specs:
        raise SuiteError(f"Suite {name!r} has no tasks left after filtering.")
    return Suite(name=name, slug=slugify(name), tasks=tuple(specs))


def _openml_spec(task_id: int, kind: str | None) -> TaskSpec:
    return TaskSpec(
        name=f"openml-{task_id}", source="openml", openml_task_id=task_id, task_type=kind
    )


def _data_stem(path: Path) -> str | None:
    for suffix in DATA_SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return None


def _local_specs(folder: Path, target: str) -> list[TaskSpec]:
    files = {}
    for path in sorted(folder.iterdir()):
        stem = _data_stem(path)
        if stem is not None and path.name != "index.csv" and stem not in files:
            files[stem] = path
    if not files:
        raise SuiteError(f"No data files ({', '.join(DATA_SUFFIXES)}) in folder {folder}.")
    index = _read_index(folder / "index.csv")
    specs = []
    for stem, path in files.items():
        info = index.get(stem, {})
        kind = info.get("task")
        specs.append(
            TaskSpec(
                name=stem,
                source="local",
                path=str(path.resolve()),
                target=target,
                task_type=kind if kind in TASK_TYPES else None,
                n_rows=info.get("n_instances"),
            )
        )
    return specs


def _read_index(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    frame = pd.read_csv(path)
    if "name" not in frame.columns:
        raise SuiteError(f"{path} has no 'name' column; expected name,task,n_instances,...")
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        info: dict[str, Any] = {"task": row.get("task")}
        if pd.notna(row.get("n_instances", np.nan)):
            info["n_instances"] = int(row["n_instances"])
        out[str(row["name"])] = info
    return out


def _fill_task_type(spec: TaskSpec) -> TaskSpec:
    """Complete a local task's type and size by reading its file (when there is no index)."""
    if spec.task_type is not None and spec.n_rows is not None:
        return spec
    frame = read_table(spec.path)
    y = _target_column(frame, spec)
    kind = spec.task_type or coarse_task_type(y)
    return dataclasses.replace(spec, task_type=kind, n_rows=len(frame))


def _filter(
    specs: list[TaskSpec],
    task_type: str | None,
    max_rows: int | None,
    datasets: str | list[str] | None,
    sample: int | None,
    seed: int,
) -> list[TaskSpec]:
    if datasets is not None:
        wanted = _dataset_names(datasets)
        names = {s.name for s in specs} | {str(s.openml_task_id) for s in specs}
        missing = [d for d in wanted if d not in names]
        if missing:
            raise SuiteError(f"--datasets names not in the suite: {', '.join(missing)}.")
        specs = [s for s in specs if s.name in wanted or str(s.openml_task_id) in wanted]
    if max_rows is not None:
        specs = [_fill_task_type(s) if s.source == "local" else s for s in specs]
        specs = [s for s in specs if s.n_rows is None or s.n_rows <= max_rows]
    if task_type is not None:
        specs = [s for s in specs if s.task_type in (None, task_type)]
    if sample is not None and sample < len(specs):
        specs = sorted(random.Random(seed).sample(specs, sample), key=lambda s: s.name)
    return specs


def _dataset_names(datasets: str | list[str]) -> list[str]:
    """Names from a list, a comma-separated string, or a file with one name per line."""
    if not isinstance(datasets, str):
        return list(datasets)
    if "," not in datasets and Path(datasets).is_file():  # a long list is no file name
        return names_in_file(datasets)
    return [d.strip() for d in datasets.split(",") if d.strip()]


def names_in_file(path: str | Path) -> list[str]:
    """The names of a datasets file, one a line; blank lines and ``#`` comments left out."""
    lines = Path(path).read_text().splitlines()
    return [n for n in (line.split("#", 1)[0].strip() for line in lines) if n]


def coarse_task_type(y: pd.Series) -> str:
    """``classification`` or ``regression`` from a target column: automl's rule
    (:func:`automl._io.infer_task`), so that ``automl fit`` and ``automl bench`` agree."""
    return infer_task(y)


def fine_task_type(y: pd.Series, coarse: str) -> str:
    """``binary``, ``multiclass`` or ``regression`` from the observed labels."""
    if coarse == "regression":
        return "regression"
    return "binary" if y.nunique(dropna=True) <= 2 else "multiclass"


def _target_column(frame: pd.DataFrame, spec: TaskSpec) -> pd.Series:
    if spec.target not in frame.columns:
        raise SuiteError(
            f"{spec.path} has no target column {spec.target!r} (columns: "
            f"{', '.join(map(str, frame.columns[:10]))}...); pass --target NAME."
        )
    return frame[spec.target]


def local_split(
    y: pd.Series, fold: int, n_folds: int, seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row positions of ``fold`` (see the module docstring for the scheme)."""
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    positions = np.arange(len(y))
    counts = y.value_counts()
    if n_folds <= 1:
        if fold != 0:
            raise SuiteError(f"A holdout split has only fold 0, got fold={fold}.")
        strat = y.to_numpy() if stratify and counts.min() >= 2 else None
        train, test = train_test_split(
            positions, test_size=HOLDOUT_TEST_SIZE, random_state=seed, stratify=strat
        )
        return np.sort(train), np.sort(test)
    if not 0 <= fold < n_folds:
        raise SuiteError(f"fold must be in [0, {n_folds}), got {fold}.")
    if stratify and counts.min() >= n_folds:
        splitter: Any = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    train, test = list(splitter.split(positions, y.to_numpy()))[fold]
    return train, test


def _fold_data(
    X: pd.DataFrame, y: pd.Series, train: np.ndarray, test: np.ndarray, coarse: str, **info: Any
) -> FoldData:
    """The fold's train and test rows (indexed from 0) and its fine task type, with ``info``."""
    return FoldData(
        X_train=X.iloc[train].reset_index(drop=True),
        y_train=y.iloc[train].reset_index(drop=True),
        X_test=X.iloc[test].reset_index(drop=True),
        y_test=y.iloc[test].reset_index(drop=True),
        task_type=fine_task_type(y, coarse),
        **info,
    )


def load_fold(task: TaskSpec, fold: int, *, n_folds: int = 1, seed: int = 0) -> FoldData:
    """Load the train and test data of one fold of a task.

    Parameters
    ----------
    task : TaskSpec
        The task.
    fold : int
        Fold number (0-based).
    n_folds : int
        For local tasks, the number of folds of the split (1 = holdout).
    seed : int
        For local tasks, the split's seed.

    Returns
    -------
    FoldData
    """
    if task.source == "openml":
        return _load_openml_fold(task, fold)
    frame = read_table(task.path)
    y = _target_column(frame, task)
    keep = y.notna().to_numpy()
    frame, y = frame.loc[keep].reset_index(drop=True), y.loc[keep].reset_index(drop=True)
    X = frame.drop(columns=[task.target])
    coarse = task.task_type or coarse_task_type(y)
    y = clean_target(y, coarse)
    train, test = local_split(y, fold, n_folds, seed, stratify=coarse == "classification")
    return _fold_data(X, y, train, test, coarse, dataset=task.name)


def _load_openml_fold(task: TaskSpec, fold: int) -> FoldData:
    from knowledge_base.importers.openml_client import openml_cache_lock

    with openml_cache_lock(int(task.openml_task_id)):
        return _read_openml_fold(task, fold)


def _read_openml_fold(task: TaskSpec, fold: int) -> FoldData:
    import openml

    from automl._openml_data import open_task, task_data

    try:
        otask, coarse = open_task(openml, task.openml_task_id)
    except ValueError as exc:
        raise SuiteError(f"OpenML task {task.openml_task_id}: {exc}.") from None
    _, n_folds, _ = otask.get_split_dimensions()
    if not 0 <= fold < n_folds:
        raise SuiteError(f"OpenML task {task.openml_task_id} has {n_folds} folds, got fold={fold}.")
    train, test = otask.get_train_test_split_indices(fold=fold, repeat=0)
    dataset = otask.get_dataset(download_qualities=False)
    X, y = task_data(otask, dataset, coarse)
    return _fold_data(
        X,
        y,
        train,
        test,
        coarse,
        dataset=str(dataset.name),
        openml_task_id=task.openml_task_id,
        openml_dataset_id=int(otask.dataset_id),
    )
