"""Warm-start suggestions: the best configurations of the most similar past datasets.

auto-sklearn's method: scale meta-features (min-max, fitted on the base), rank past datasets
by L1 distance, and take the best configuration(s) of each of the nearest ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from knowledge_base.vocabulary import CLASSIFICATION_TASKS
from metalearning.similarity import DatasetSimilarity

MIN_TRANSFER_RUNS = 10
OWN_SOURCE = "user"  # the datasets table's source of a fit's own record (automl._knowledge)
OWN_PAST_FIRST = 3  # configurations of the same data's past fits run first
NEAR_IDENTICAL_TOL = 0.02  # scaled meta-features within this: the same data in another form


@dataclass(frozen=True)
class Suggestion:
    """A configuration that did well on a past dataset."""

    dataset_id: str
    dataset_name: str
    distance: float
    config: dict[str, Any]
    loss: float
    metric: str
    source: str
    fit_time: float = float("nan")  # seconds its run spent fitting there


@dataclass(frozen=True)
class PastResult:
    """One past run of a near dataset, its loss as a quantile among that dataset's runs
    (0 = its best, 1 = its worst), so results of datasets with different scales combine."""

    dataset_id: str
    config: dict[str, Any]
    quantile: float


@dataclass
class WarmStartPlan:
    """Neighbours found, the configurations suggested from them in order, and the nearest
    neighbours' other results for the optimiser's surrogate."""

    neighbors: pd.DataFrame = field(default_factory=pd.DataFrame)
    suggestions: list[Suggestion] = field(default_factory=list)
    transfer: list[PastResult] = field(default_factory=list)


def _same_kind(task: str) -> tuple[str, ...]:
    return CLASSIFICATION_TASKS if task in CLASSIFICATION_TASKS else ("regression",)


def suggest_configurations(
    kb,
    metafeatures: pd.Series,
    task: str,
    *,
    n_neighbors: int = 25,
    per_neighbor: int = 1,
    metric: str | None = None,
    exclude: tuple[str, ...] | list[str] = (),
    n_transfer: int = 5,
    transfer_per_neighbor: int = 40,
) -> WarmStartPlan:
    """The best ``per_neighbor`` configurations of each of the ``n_neighbors`` nearest datasets.

    Only past datasets of the same kind (classification or regression) are considered. Runs of
    ``metric`` are preferred; a neighbour without them contributes its best run in its most
    common metric (a ranking within one dataset transfers across metrics reasonably well).
    The ``n_transfer`` nearest neighbours with at least ``MIN_TRANSFER_RUNS`` runs also give
    up to ``transfer_per_neighbor`` results each, as quantiles (see :class:`PastResult`).
    """
    nearest = nearest_datasets(kb, metafeatures, task, exclude=exclude)
    if nearest.empty:
        return WarmStartPlan()
    suggestions, rows, seen, transfer = [], [], set(), []
    n_transfer_left = n_transfer
    # The neighbours' runs are read a batch at a time; those without usable runs are passed over.
    for batch_start in range(0, len(nearest), n_neighbors):
        if len(rows) >= n_neighbors:
            break
        batch = nearest.iloc[batch_start : batch_start + n_neighbors]
        runs = kb.runs(list(batch["dataset_id"]))
        by_dataset = dict(tuple(runs[runs["loss"].notna()].groupby("dataset_id", sort=False)))
        for dataset_id, name, distance in batch[["dataset_id", "name", "distance"]].itertuples(
            index=False
        ):
            if len(rows) >= n_neighbors or dataset_id not in by_dataset:
                continue
            ranked = _ranked(by_dataset[dataset_id], metric)
            if n_transfer_left > 0 and len(ranked) >= MIN_TRANSFER_RUNS:
                n_transfer_left -= 1
                transfer += _spread(ranked, dataset_id, transfer_per_neighbor)
            taken = []
            for run in ranked.head(per_neighbor).itertuples(index=False):
                if run.config in seen:
                    continue
                seen.add(run.config)
                taken.append(run.config)
                suggestions.append(
                    Suggestion(
                        dataset_id=str(dataset_id),
                        dataset_name=str(name),
                        distance=float(distance),
                        config=json.loads(run.config),
                        loss=float(run.loss),
                        metric=str(run.metric),
                        source=str(run.source),
                    )
                )
            rows.append(
                {
                    "dataset_id": dataset_id,
                    "name": str(name),
                    "distance": float(distance),
                    "n_configurations": len(taken),
                }
            )
    return WarmStartPlan(neighbors=pd.DataFrame(rows), suggestions=suggestions, transfer=transfer)


def nearest_datasets(
    kb, metafeatures: pd.Series, task: str, *, k: int | None = None, exclude=()
) -> pd.DataFrame:
    """Past datasets of the same kind as ``task``, nearest first: dataset_id, name, distance."""
    datasets = kb.datasets()
    similarity = _similarity(kb, datasets, task, exclude)
    if similarity is None:
        return pd.DataFrame(columns=["dataset_id", "name", "distance"])
    n = len(similarity.dataset_ids_)
    nearest = similarity.nearest(metafeatures, k=n if k is None else min(k, n))
    names = datasets.set_index("dataset_id")["name"]
    nearest.insert(1, "name", [str(names.get(d, d)) for d in nearest["dataset_id"]])
    return nearest.reset_index(drop=True)


def _similarity(kb, datasets: pd.DataFrame, task: str, exclude) -> DatasetSimilarity | None:
    """The similarity fitted on the meta-features of the base's datasets of ``task``'s kind
    (``datasets``: the base's table), ``exclude`` left out; None when there are none."""
    if datasets.empty:
        return None
    same = datasets.loc[datasets["task"].isin(_same_kind(task)), "dataset_id"]
    frame = kb.metafeatures()
    frame = frame[frame.index.isin(same) & ~frame.index.isin(list(exclude))]
    return DatasetSimilarity().fit(frame) if len(frame) else None


def _ranked(runs: pd.DataFrame, metric: str | None) -> pd.DataFrame:
    """A dataset's distinct configurations, best first, in ``metric`` if it has runs of it,
    else in its most common metric (a ranking within one dataset transfers across metrics)."""
    if metric is None or not (runs["metric"] == metric).any():
        counts = runs["metric"].value_counts()
        metric = min(counts.index[counts == counts.max()])
    runs = runs[runs["metric"] == metric].sort_values(
        ["loss", "fidelity"], ascending=[True, False], kind="stable"
    )
    return runs.drop_duplicates("config")


def _spread(ranked: pd.DataFrame, dataset_id: str, n: int) -> list[PastResult]:
    """At most ``n`` of a dataset's ranked runs, evenly over its ranking (best and worst kept),
    with each run's loss as a quantile (ties share one)."""
    quantiles = (ranked["loss"].rank(method="average").to_numpy() - 1) / max(len(ranked) - 1, 1)
    picks = np.unique(np.linspace(0, len(ranked) - 1, min(n, len(ranked))).round().astype(int))
    configs = ranked["config"].to_numpy()
    return [PastResult(str(dataset_id), json.loads(configs[i]), float(quantiles[i])) for i in picks]


def own_past(
    kb,
    metafeatures: pd.Series,
    fingerprint: str,
    task: str,
    *,
    exclude: tuple[str, ...] | list[str] = (),
    metric: str | None = None,
    n: int = OWN_PAST_FIRST,
) -> list[Suggestion]:
    """The best distinct configurations of past fits of this data, at most ``n``: fits
    recorded in ``kb`` (source ``"user"``) of the same fingerprint or of near-identical
    meta-features, then the single best of the dataset nearest to this one in the whole base,
    where that is a past fit too (the same source with other rows, say). ``exclude`` hides
    datasets (leave-one-out hides exactly these, so it sees no past fit of the same data)."""
    datasets = kb.datasets()
    if datasets.empty or "source" not in datasets:
        return []
    own = datasets[(datasets["source"] == OWN_SOURCE) & datasets["task"].isin(_same_kind(task))]
    own = own[~own["dataset_id"].isin(list(exclude))]
    if own.empty:
        return []
    ids = set(own["dataset_id"])
    candidates = [(fingerprint, True)] if fingerprint in ids else []  # (dataset, same data)
    distance: dict[str, float] = {}
    similarity = _similarity(kb, datasets, task, exclude)  # scaled over the whole base
    if similarity is not None:
        nearest = similarity.nearest(metafeatures, k=len(similarity.dataset_ids_))
        distance = dict(zip(nearest["dataset_id"], nearest["distance"]))
        twins = set(similarity.near_duplicates(metafeatures, NEAR_IDENTICAL_TOL))
        candidates += [(d, True) for d in nearest["dataset_id"] if d in twins and d in ids]
        finite = nearest[np.isfinite(nearest["distance"].to_numpy(dtype=float))]
        candidates += [(d, False) for d in finite["dataset_id"].head(1) if d in ids]
    names = dict(zip(own["dataset_id"], own["name"]))
    same_data: dict[str, bool] = {}
    for dataset_id, same in candidates:
        same_data.setdefault(dataset_id, same)
    suggestions, seen = [], set()
    for dataset_id, same in same_data.items():
        runs = _own_runs(kb, dataset_id)
        if runs.empty:
            continue
        for run in _ranked(runs, metric).head(n if same else 1).itertuples(index=False):
            if len(suggestions) >= n or run.config in seen:
                continue
            seen.add(run.config)
            suggestions.append(
                Suggestion(
                    dataset_id=str(dataset_id),
                    dataset_name=str(names.get(dataset_id, dataset_id)),
                    distance=float(distance.get(dataset_id, 0.0)),
                    config=json.loads(run.config),
                    loss=float(run.loss),
                    metric=str(run.metric),
                    source=OWN_SOURCE,
                    fit_time=float(run.fit_time) if pd.notna(run.fit_time) else np.nan,
                )
            )
    return suggestions


def own_past_results(kb, dataset_ids: list[str], *, metric: str | None = None) -> list[PastResult]:
    """Every distinct configuration the base's past fits ran on ``dataset_ids``, each with
    its loss as a quantile among its own fit's results."""
    results = []
    for dataset_id in dict.fromkeys(dataset_ids):
        runs = _own_runs(kb, dataset_id)
        if not runs.empty:
            ranked = _ranked(runs, metric)
            results += _spread(ranked, dataset_id, len(ranked))
    return results


def _own_runs(kb, dataset_id: str) -> pd.DataFrame:
    """A past fit's runs that have a loss."""
    runs = kb.runs([dataset_id])
    return runs[runs["loss"].notna() & (runs["source"] == OWN_SOURCE)]


def leave_one_out_exclusions(
    kb, metafeatures: pd.Series, fingerprint: str, tol: float = NEAR_IDENTICAL_TOL
) -> list[str]:
    """Datasets to hide when measuring transfer: the same fingerprint, or near-identical
    meta-features (the same data imported from elsewhere under another name)."""
    frame = kb.metafeatures()
    excluded = {fingerprint}
    if not frame.empty:
        similarity = DatasetSimilarity().fit(frame)
        excluded.update(similarity.near_duplicates(metafeatures, tol=tol))
    return sorted(excluded)


def metafeatures_json(metafeatures: pd.Series) -> str:
    """Meta-features as the knowledge base stores them (NaN as null)."""
    return json.dumps(
        {str(k): (None if not np.isfinite(v) else float(v)) for k, v in metafeatures.items()}
    )
