"""Hyperparameter importance for a fit (``explain``) and for a table (``automl kb importance``):
automl's space and translation given to ``metalearning.importance``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from ConfigSpace import ConfigurationSpace

from automl._limits import Status
from automl._space import translate
from metalearning.importance import (
    MIN_TRIALS,
    hyperparameter_importance,
    knowledge_base_importance,
)

SOURCES = ("trials", "knowledge_base")


def trials_importance(
    trials: pd.DataFrame, space: ConfigurationSpace, *, min_trials: int = MIN_TRIALS
) -> pd.DataFrame:
    """fANOVA importance over a fit's successful trials (``trials_``) in its ``space``."""
    ok = trials[(trials["status"] == Status.SUCCESS.value) & np.isfinite(trials["loss"])]
    return hyperparameter_importance(
        [dict(c) for c in ok["config"]], ok["loss"].to_numpy(float), space, min_trials=min_trials
    )


def past_importance(
    kb,
    dataset_ids: list[str],
    space: ConfigurationSpace,
    metric: str | None,
    *,
    min_trials: int = MIN_TRIALS,
) -> pd.DataFrame:
    """fANOVA importance on each of ``dataset_ids``' runs in ``kb`` that translate into
    ``space``, averaged over the datasets (``knowledge_base_importance``)."""

    def into_space(config: dict[str, Any]) -> dict[str, Any] | None:
        found, _ = translate(config, space)
        return None if found is None else dict(found)

    return knowledge_base_importance(
        kb, dataset_ids, space, metric=metric, translate=into_space, min_trials=min_trials
    )


def explain_fit(
    estimator, source: str, *, min_trials: int = MIN_TRIALS, n_neighbors: int = 10
) -> pd.DataFrame:
    """``estimator.explain(source)``: see ``_AutoMLBase.explain``."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}.")
    if source == "trials":
        return trials_importance(estimator.trials_, estimator.search_space_, min_trials=min_trials)
    neighbors = [n["dataset_id"] for n in estimator.warm_start_.get("neighbors", [])]
    if not neighbors:
        raise ValueError(
            "This fit found no similar past datasets (warm_start=False, or an empty knowledge "
            "base), so there is nothing to explain from: fit with warm_start=True, or run "
            "`automl kb importance DATA --target COL` on the table."
        )
    from automl._knowledge import resolve_knowledge_base

    kb = resolve_knowledge_base(estimator.knowledge_base)
    return past_importance(
        kb,
        neighbors[:n_neighbors],
        estimator.search_space_,
        estimator.metric_,
        min_trials=min_trials,
    )


def table_importance(
    X: pd.DataFrame,
    y: pd.Series,
    kind: str,
    kb,
    *,
    k: int = 10,
    metric: str | None = None,
    min_trials: int = MIN_TRIALS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a table ``X``, ``y`` of ``kind`` ("classification" or "regression"): its ``k``
    nearest past datasets in ``kb`` and the importance averaged over them, in the space a fit
    of this table would search."""
    from automl._columns import infer_column_types
    from automl._space import build_space
    from automl._task import DEFAULT_METRIC, Task
    from automl.components import DataShape
    from metalearning import compute_metafeatures
    from metalearning.warmstart import nearest_datasets

    n_classes = int(y.nunique()) if kind == "classification" else 0
    task = (
        Task.REGRESSION
        if kind == "regression"
        else (Task.BINARY if n_classes == 2 else Task.MULTICLASS)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN meta-features
        mf = compute_metafeatures(X, y, task=task.value)
        nearest = nearest_datasets(kb, mf, task.value, k=k)
    space = build_space(task, DataShape(len(X), X.shape[1], n_classes), infer_column_types(X))
    metric = metric or DEFAULT_METRIC[task]
    frame = past_importance(kb, list(nearest["dataset_id"]), space, metric, min_trials=min_trials)
    return nearest, frame
