"""OpenML tasks as datasets to grow the knowledge base on (``--data openml/s/ID | openml/t/ID``).

Everything goes through the real ``openml`` client and its cache (``openml.config``): a task
is read without its splits (grow resamples on its own), its dataset's data with the
categorical columns kept as pandas categoricals. A task the client cannot load (network
error, not a supervised classification or regression task...) is reported on stderr and
skipped; a suite that cannot be listed is an error.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from automl._io import clean_target

if TYPE_CHECKING:
    from automl._grow import GrowDataset

SPEC = re.compile(r"^openml/(?P<kind>[st])/(?P<ids>[^/]+)/?$")
SPEC_HELP = "openml/s/<suite id> or openml/t/<task id>[,<task id>...]"


def is_openml_spec(data: str) -> bool:
    return str(data).startswith("openml/")


def parse_spec(data: str) -> tuple[str, list[int] | int | str]:
    """``("suite", id or alias)`` or ``("tasks", [ids])``; ValueError for anything else."""
    match = SPEC.match(str(data).strip())
    if match is None:
        raise ValueError(f"--data {data!r}: an OpenML source is {SPEC_HELP}.")
    ids = match["ids"]
    if match["kind"] == "s":
        return "suite", int(ids) if ids.isdigit() else ids
    parts = [p.strip() for p in ids.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"--data {data!r}: OpenML task ids are integers ({SPEC_HELP}).")
    return "tasks", [int(p) for p in parts]


def openml_datasets(
    data: str,
    *,
    task: str | None = None,
    names: Iterable[str] | None = None,
    log: TextIO | None = None,
) -> Iterator[GrowDataset]:
    """The datasets of an OpenML suite or list of tasks, in the suite's (or given) order.

    Parameters
    ----------
    data : str
        ``openml/s/<suite id or alias>`` or ``openml/t/<id>[,<id>...]``.
    task : {"classification", "regression"}, optional
        Keep only tasks of this kind.
    names : iterable of str, optional
        Keep only these tasks, given by task id or dataset name.
    log : file, optional
        Where skipped tasks are reported (default: stderr).

    The spec is checked and a suite is listed at once (errors are ValueError); the data of
    each task is only downloaded when the returned iterator reaches it.
    """
    from knowledge_base.importers.openml_client import require_openml

    kind, ids = parse_spec(data)
    openml = require_openml()
    if kind == "suite":
        try:
            suite = openml.study.get_suite(ids)
        except Exception as exc:
            raise ValueError(f"could not load OpenML suite {ids}: {_reason(exc)}") from exc
        task_ids = [int(t) for t in suite.tasks or []]
    else:
        task_ids = list(ids)
    wanted = None if names is None else {str(n) for n in names}
    return _datasets(openml, list(dict.fromkeys(task_ids)), task, wanted, log)


def _datasets(openml, task_ids, kind, wanted, log) -> Iterator[GrowDataset]:
    from knowledge_base.importers.openml_client import openml_cache_lock

    for task_id in task_ids:
        try:
            with openml_cache_lock(task_id):
                ds = _load_task(openml, task_id, kind, wanted)
        except Exception as exc:  # the client raises many kinds: report, go on
            print(
                f"[grow] OpenML task {task_id}: skipped, {_reason(exc)}",
                file=log or sys.stderr,
                flush=True,
            )
            continue
        if ds is not None:
            yield ds


def open_task(openml: Any, task_id: int) -> tuple[Any, str]:
    """The client's task ``task_id``, read without data, qualities or splits, and its kind
    (``"classification"`` or ``"regression"``); ValueError for another kind of task.

    The one way this library opens an OpenML task: ``kb grow --data openml/...`` and the
    benchmarks' OpenML folds both go through it and :func:`task_data`. Callers hold
    ``openml_cache_lock(task_id)``.
    """
    from knowledge_base.importers.openml_client import supervised_kind

    otask = openml.tasks.get_task(
        task_id, download_data=False, download_qualities=False, download_splits=False
    )
    coarse = supervised_kind(otask)
    if coarse is None:
        raise ValueError(f"a {otask.task_type} task, not classification or regression")
    return otask, coarse


def task_data(otask: Any, dataset: Any, coarse: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target of an opened task's ``dataset``, all rows in the dataset's order
    (categorical columns as pandas categoricals), the target cleaned by
    :func:`automl._io.clean_target`."""
    X, y, _, _ = dataset.get_data(target=otask.target_name)
    if not isinstance(y, pd.Series):
        raise ValueError(f"target {otask.target_name!r} is not one column")
    return X, clean_target(y, coarse)


def _load_task(openml, task_id: int, kind: str | None, wanted: set[str] | None):
    """The task's dataset, None if filtered out; raises if it cannot be used."""
    from automl._grow import GrowDataset

    otask, coarse = open_task(openml, task_id)
    if kind is not None and coarse != kind:
        return None
    dataset = otask.get_dataset(download_data=False, download_qualities=False)
    name = str(dataset.name)
    if wanted is not None and str(task_id) not in wanted and name not in wanted:
        return None
    X, y = task_data(otask, dataset, coarse)
    keep = y.notna().to_numpy()
    X, y = X.loc[keep].reset_index(drop=True), y.loc[keep].reset_index(drop=True)
    if len(y) == 0:
        raise ValueError("no row has a target value")
    return GrowDataset(
        name,
        X,
        y,
        coarse,
        source="openml",
        openml_dataset_id=int(otask.dataset_id),
        openml_task_id=int(task_id),
    )


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
