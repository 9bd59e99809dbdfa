"""Portfolios learned from a dense performance matrix (auto-sklearn 2.0, TabRepo).

A :class:`PerformanceMatrix` holds every candidate's loss and fit time on every development
dataset of one kind of task. :func:`greedy_portfolio` orders candidates so that each step most
lowers the (weighted) mean over datasets of the best normalised loss found so far; it is
time-aware when given costs (gain per unit of expected fit time). :class:`Portfolio` is the
shipped form: the members, their columns of the matrix and a cost model, so that a fit can
re-order the members for its own dataset (nearest datasets weigh more, FLAML's zero-shot idea)
and skip those that cannot finish in its budget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from knowledge_base.vocabulary import CLASSIFICATION_TASKS

PORTFOLIO_VERSION = 1
# Portfolio configurations a fit runs (per trial or per second) before its optimiser starts.
# The whole greedy (32) kept SMAC from starting before trial 25-32: in regression real fits
# cold SMAC was ahead @25 (benchmarks/results/portfolio-vs-cold-regression-s14/), and at 60 s
# cold SMAC was ahead on 18 of 30 classification tables (benchmarks/results/portfolio-60s-s16/).
PORTFOLIO_TRIALS = 10
# Rows a dataset is subsampled to in the matrix (`automl kb matrix`'s default): its candidates'
# losses and times are measured on tables of at most this size, and extrapolated beyond.
MATRIX_MAX_ROWS = 2000
MATRIX_FOLDS = 3  # k of the matrix's k-fold cross-validation (`automl kb matrix`'s default)
T = TypeVar("T")


def task_kind(task: str) -> str:
    """``classification`` for binary and multiclass tasks, else ``regression``."""
    return "classification" if task in CLASSIFICATION_TASKS else "regression"


@dataclass
class PerformanceMatrix:
    """Losses (datasets x candidates, NaN where a run failed or is missing) and costs:
    ``fit_times`` holds the runs' ``cost`` column, CPU seconds or seconds of fitting."""

    dataset_ids: list[str]
    candidates: list[dict]
    losses: np.ndarray
    fit_times: np.ndarray
    n_rows: np.ndarray  # rows the candidates were evaluated on
    n_features: np.ndarray
    folds: int = 3
    names: list[str] = field(default_factory=list)
    cost: str = "fit_time"  # or "cpu_seconds": the runs' column in fit_times
    n_classes: np.ndarray | None = None  # classification: each dataset's classes

    @classmethod
    def from_knowledge_base(
        cls, kb, kind: str, *, source: str = "matrix", min_coverage: float = 0.9
    ) -> PerformanceMatrix:
        """The matrix of ``kind`` held in ``kb``: runs of ``source``, one column per candidate
        (its ``original_config``), one row per dataset with at least ``min_coverage`` of the
        candidates evaluated (a dataset still being built is left out). A candidate's cost is
        its CPU seconds where every run has them (what it costs in energy at a constant power
        per core; runs recorded since schema 2), else its seconds of fitting."""
        runs = kb.runs(statuses=None)
        tasks = CLASSIFICATION_TASKS if kind == "classification" else ("regression",)
        runs = runs[(runs["source"] == source) & runs["task"].isin(tasks)]
        # A candidate's identity across datasets: its pool configuration where recorded.
        runs = runs.assign(original_config=runs["original_config"].fillna(runs["config"]))
        if runs.empty:
            raise ValueError(f"the knowledge base holds no {kind} runs of source {source!r}")
        loss = runs.pivot_table(
            index="dataset_id", columns="original_config", values="loss", aggfunc="first"
        )
        cost = "cpu_seconds" if runs["cpu_seconds"].notna().all() else "fit_time"
        time_ = runs.pivot_table(
            index="dataset_id", columns="original_config", values=cost, aggfunc="first"
        ).reindex_like(loss)
        evaluated = runs.groupby("dataset_id")["original_config"].nunique()
        keep = evaluated[evaluated >= min_coverage * loss.shape[1]].index
        loss, time_ = loss.loc[loss.index.isin(keep)], time_.loc[time_.index.isin(keep)]
        datasets = kb.datasets().set_index("dataset_id")
        fidelity = runs.groupby("dataset_id")["fidelity"].first()
        folds = runs["resampling"].iloc[0]
        n_rows = (datasets.loc[loss.index, "n_rows"] * fidelity.loc[loss.index]).round()
        n_classes = None
        if kind == "classification":
            classes = kb.metafeatures().reindex(loss.index).get("NumberOfClasses")
            if classes is not None and classes.notna().all():
                n_classes = classes.to_numpy(dtype=float)
        return cls(
            dataset_ids=list(loss.index),
            candidates=[json.loads(c) for c in loss.columns],
            losses=loss.to_numpy(dtype=float),
            fit_times=time_.to_numpy(dtype=float),
            n_rows=n_rows.to_numpy(dtype=float),
            n_features=datasets.loc[loss.index, "n_features"].to_numpy(dtype=float),
            folds=int(folds[2:]) if folds.startswith("cv") else 1,
            names=[str(n) for n in datasets.loc[loss.index, "name"]],
            cost=cost,
            n_classes=n_classes,
        )

    def subset(self, rows) -> PerformanceMatrix:
        """The matrix restricted to ``rows`` (a boolean mask or indices of datasets)."""
        rows = np.arange(len(self.dataset_ids))[rows]
        return PerformanceMatrix(
            [self.dataset_ids[i] for i in rows],
            self.candidates,
            self.losses[rows],
            self.fit_times[rows],
            self.n_rows[rows],
            self.n_features[rows],
            self.folds,
            [self.names[i] for i in rows] if self.names else [],
            self.cost,
            None if self.n_classes is None else self.n_classes[rows],
        )

    def normalised(self) -> np.ndarray:
        """Per dataset, 0 for the best candidate and 1 for the median or worse (TabRepo's
        rescaling: robust to a few blow-ups); failed and missing runs count as 1."""
        return normalise(self.losses)

    def relative_costs(self) -> np.ndarray:
        """Each candidate's typical fit time relative to the median candidate, per dataset
        (geometric mean over datasets): what it costs, whatever the data's size."""
        times = np.where(np.isfinite(self.fit_times), self.fit_times, np.nanmax(self.fit_times))
        log_t = np.log(np.maximum(times, 1e-3))
        rel = log_t - np.median(log_t, axis=1, keepdims=True)
        return np.exp(rel.mean(axis=0))


def normalise(losses: np.ndarray) -> np.ndarray:
    """See :meth:`PerformanceMatrix.normalised`."""
    best = np.nanmin(np.where(np.isfinite(losses), losses, np.nan), axis=1, keepdims=True)
    median = np.nanmedian(losses, axis=1, keepdims=True)
    spread = np.where(median - best > 1e-12, median - best, 1.0)
    out = np.clip((losses - best) / spread, 0.0, 1.0)
    return np.where(np.isfinite(out), out, 1.0)


def minmax_regret(losses: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """HPO-B's normalised regret per dataset of the best of ``picks[d]`` (candidate indices,
    -1 for none): (best found - best) / (worst - best), failed runs at the worst."""
    ok = np.where(np.isfinite(losses), losses, np.nan)
    best, worst = np.nanmin(ok, axis=1), np.nanmax(ok, axis=1)
    filled = np.where(np.isfinite(ok), ok, worst[:, None])
    found = np.array(
        [
            min((filled[d, c] for c in row if c >= 0), default=worst[d])
            for d, row in enumerate(picks)
        ]
    )
    spread = np.where(worst - best > 1e-12, worst - best, 1.0)
    return (found - best) / spread


def greedy_portfolio(
    normalised: np.ndarray,
    *,
    size: int = 32,
    weights: np.ndarray | None = None,
    costs: np.ndarray | None = None,
    time_weight: float = 0.0,
    candidates: np.ndarray | None = None,
) -> list[int]:
    """Candidate indices in the order a search should run them.

    Each step adds the candidate that most lowers the weighted mean over datasets of the best
    normalised loss so far, divided by ``costs ** time_weight`` (0: auto-sklearn 2.0's greedy;
    1: gain per second). Stops at ``size`` or when nothing lowers it further.
    """
    n_datasets, n_candidates = normalised.shape
    w = np.ones(n_datasets) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    pool = np.arange(n_candidates) if candidates is None else np.asarray(candidates)
    divisor = np.ones(n_candidates) if costs is None else np.asarray(costs) ** time_weight
    best = np.ones(n_datasets)
    chosen: list[int] = []
    available = np.ones(n_candidates, dtype=bool)
    available[np.setdiff1d(np.arange(n_candidates), pool)] = False
    while len(chosen) < size and available.any():
        gain = w @ (best[:, None] - np.minimum(best[:, None], normalised))
        score = np.where(available, gain / divisor, -np.inf)
        pick = int(np.argmax(score))
        if gain[pick] <= 1e-12:
            break
        chosen.append(pick)
        available[pick] = False
        best = np.minimum(best, normalised[:, pick])
    return chosen


# CatBoost's defaults cost 12 times LightGBM's (the median of 117 searches, automl._cost): last.
EXPENSIVE_DEFAULTS = ("catboost",)


def defaults_order(families: Iterable[str]) -> list[str]:
    """Model families in the order a search runs their defaults: as given, the expensive ones
    (``EXPENSIVE_DEFAULTS``) last."""
    return sorted(families, key=lambda family: family in EXPENSIVE_DEFAULTS)


def interleave_defaults(
    warm: Sequence[T],
    defaults: Sequence[T],
    family: Callable[[T], str],
    head: Sequence[T] = (),
    *,
    covered: bool = True,
) -> list[T]:
    """The order a search runs its warm start in: after ``head``, in turn the next of
    ``defaults`` whose family has not run yet and the next of ``warm``, so that every family is
    tried early; defaults of families that ran already come after the warm start, or with
    ``covered=False`` not at all."""
    configs, warm, defaults, later = list(head), list(warm), list(defaults), []
    tried = {family(c) for c in configs}
    while warm or defaults:
        while defaults and family(defaults[0]) in tried:
            later.append(defaults.pop(0))
        for queue in (defaults, warm):
            if queue:
                configs.append(queue.pop(0))
                tried.add(family(configs[-1]))
    return configs + later if covered else configs


def sibling_key(name: str) -> str:
    """Datasets of one generator or source at other sizes or seeds share a key: leading
    OpenML ids and digits dropped, and generator families (Friedman, GAMETES, mfeat views,
    BNG) reduced to their family."""
    stem = re.sub(r"^\d+_", "", name)
    for family in ("fri_", "GAMETES", "mfeat", "BNG", "feynman", "strogatz"):
        if family in stem:
            return family
    return re.sub(r"[\d.]+", "", stem).strip("_").lower()


@dataclass
class CostModel:
    """Fit time of a candidate as a power law of the rows it is trained on, the features and,
    in classification, the classes: log t = a_c + b_f log(rows trained on, all folds) +
    g_f log(features) + h_f log(classes), each log taken from ``centre`` (the matrix's mean), so
    that ``a_c`` is a candidate's mean log time on the matrix; fitted on the matrix (timeouts
    count at their limit).
    The classes' exponent is a family's, shared by its candidates: boosting builds a tree per
    class, a forest does not. In classification the rows' and features' exponents are a
    family's too (CatBoost scores every feature's borders, k-NN's time is mostly fixed);
    ``row_exponent`` and ``feature_exponent``, pooled over every family, serve a family without
    its own (in regression, or a file written before families had them). Crude beyond the
    matrix's sizes, but ranks candidates."""

    intercepts: np.ndarray
    row_exponent: float
    feature_exponent: float
    class_exponents: dict[str, float] = field(default_factory=dict)  # by family
    row_exponents: dict[str, float] = field(default_factory=dict)  # by family
    feature_exponents: dict[str, float] = field(default_factory=dict)  # by family
    centre: tuple[float, ...] = (0.0, 0.0, 0.0)  # mean log rows, features, classes

    @classmethod
    def fit(cls, matrix: PerformanceMatrix) -> CostModel:
        """Fit log time on log rows, features and classes over the matrix's cells: the
        exponents pooled over every candidate and, in classification, each family's over its
        candidates."""
        times = np.where(
            np.isfinite(matrix.fit_times), matrix.fit_times, np.nanmax(matrix.fit_times)
        )
        trained = matrix.n_rows * (matrix.folds - 1 if matrix.folds > 1 else 0.67)
        log_t = np.log(np.maximum(times, 1e-3))
        columns = [np.log(np.maximum(trained, 1)), np.log(np.maximum(matrix.n_features, 1))]
        if matrix.n_classes is not None:
            columns.append(np.log(np.maximum(matrix.n_classes, 2)))
        x = np.column_stack(columns)
        families = np.array([str(c.get("model", "")) for c in matrix.candidates])
        # Candidate effects removed by centring each column, then one regression per family
        # over its candidates' cells (and one over all of them for the pooled exponents).
        xc, yc = x - x.mean(axis=0), log_t - log_t.mean(axis=0)

        def exponents(candidates: np.ndarray) -> np.ndarray:
            design = np.tile(xc, (len(candidates), 1))
            coef, *_ = np.linalg.lstsq(design, yc[:, candidates].T.ravel(), rcond=None)
            return np.clip(coef, 0.0, 2.0)

        pooled = exponents(np.arange(len(families)))
        centre = tuple(float(v) for v in x.mean(axis=0))
        if matrix.n_classes is None:
            # Regression keeps the pooled rows' and features' exponents. Leave-one-dataset-out
            # on the shipped matrix, a family's own lower the mean |log2(actual / predicted)|
            # (0.46 against 0.54) but raise the share of cells predicted over 2 s that took
            # over twice that (36% against 23%): those are the ones that time out. In
            # classification they lower both: 0.97 against 0.99, 22% against 25%; CatBoost's
            # mean error 1.03 against 1.23.
            return cls(
                log_t.mean(axis=0), float(pooled[0]), float(pooled[1]), centre=(*centre, 0.0)
            )
        by_family = {f: exponents(np.flatnonzero(families == f)) for f in sorted(set(families))}
        return cls(
            log_t.mean(axis=0),
            float(pooled[0]),
            float(pooled[1]),
            {f: float(c[2]) for f, c in by_family.items()},
            {f: float(c[0]) for f, c in by_family.items()},
            {f: float(c[1]) for f, c in by_family.items()},
            centre,
        )

    def predict(
        self,
        n_rows_trained: float,
        n_features: float,
        n_classes: int = 2,
        families: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Expected seconds of fitting, per candidate, on ``n_rows_trained`` rows in all;
        ``families`` (each candidate's) apply each family's exponents, else the pooled ones
        (and the classes are not read)."""
        families = families if families is not None else [""] * len(self.intercepts)
        b = np.array([self.row_exponents.get(f, self.row_exponent) for f in families])
        g = np.array([self.feature_exponents.get(f, self.feature_exponent) for f in families])
        h = np.array([self.class_exponents.get(f, 0.0) for f in families])
        rows, features, classes = self.centre
        log_t = (
            self.intercepts
            + b * (np.log(max(n_rows_trained, 1.0)) - rows)
            + g * (np.log(max(n_features, 1.0)) - features)
            + h * (np.log(max(n_classes, 2)) - classes)
        )
        return np.exp(log_t)


@dataclass
class Portfolio:
    """The shipped portfolio of one kind of task: its members in global order, their columns
    of the normalised matrix (to re-order them for a new dataset) and their cost model."""

    kind: str
    members: list[dict]
    dataset_ids: list[str]
    normalised: np.ndarray  # datasets x members
    cost: CostModel  # the members' (its intercepts are theirs)
    time_weight: float
    pool: list[dict] = field(default_factory=list)  # every candidate of the matrix
    pool_normalised: np.ndarray | None = None  # datasets x pool, for the transfer prior
    version: int = PORTFOLIO_VERSION
    pool_cost_intercepts: np.ndarray | None = None  # the cost model's, for every candidate
    max_rows: int | None = None  # the most rows the matrix evaluated a dataset on

    @property
    def cost_intercepts(self) -> np.ndarray:
        """The members' intercepts of the cost model (their mean log fit time)."""
        return self.cost.intercepts

    @classmethod
    def build(
        cls, matrix: PerformanceMatrix, kind: str, *, size: int = 32, time_weight: float = 0.5
    ) -> Portfolio:
        """The greedy, time-aware portfolio of ``matrix``."""
        norm = matrix.normalised()
        costs = matrix.relative_costs()
        order = greedy_portfolio(norm, size=size, costs=costs, time_weight=time_weight)
        model = CostModel.fit(matrix)
        return cls(
            kind,
            [matrix.candidates[i] for i in order],
            list(matrix.dataset_ids),
            norm[:, order],
            replace(model, intercepts=model.intercepts[order]),
            time_weight,
            list(matrix.candidates),
            norm,
            pool_cost_intercepts=model.intercepts,
            max_rows=int(np.max(matrix.n_rows)),
        )

    def cost_model(self, intercepts: np.ndarray) -> CostModel:
        """The cost model of candidates with these ``intercepts`` (members' or the pool's)."""
        return replace(self.cost, intercepts=np.asarray(intercepts, dtype=float))

    def relative_costs(self) -> np.ndarray:
        """Each member's expected time relative to the median member's."""
        return np.exp(self.cost_intercepts - np.median(self.cost_intercepts))

    def order_for(
        self,
        distances: pd.Series | None = None,
        *,
        exclude: tuple[str, ...] | list[str] = (),
        n_neighbors: int = 10,
        local_weight: float = 0.5,
        costs: np.ndarray | None = None,
    ) -> tuple[list[int], np.ndarray]:
        """Member indices re-ordered for a dataset, and the dataset weights used.

        ``distances`` (dataset id -> meta-feature distance to the new dataset) gives the
        ``n_neighbors`` nearest datasets extra weight, ``local_weight`` of the total, by
        inverse rank; without them the order is the global one. ``exclude`` hides datasets
        (leave-one-out). ``costs`` (each member's expected seconds on the new dataset) replace
        the members' typical relative costs in the time-aware greedy. Members no dataset can
        tell apart keep their global order at the end.
        """
        keep = self._kept(exclude)
        weights = keep / max(keep.sum(), 1)
        if distances is not None and keep.any():
            d = pd.Series(self.dataset_ids)[keep].map(distances).to_numpy(dtype=float)
            idx = np.flatnonzero(keep)
            ranked = idx[np.argsort(np.where(np.isfinite(d), d, np.inf), kind="stable")]
            ranked = [
                i
                for i in ranked[:n_neighbors]
                if np.isfinite(distances.get(self.dataset_ids[i], np.inf))
            ]
            if ranked:
                local = np.zeros(len(self.dataset_ids))
                local[ranked] = 1.0 / np.arange(1, len(ranked) + 1)
                weights = (1 - local_weight) * weights + local_weight * local / local.sum()
        order = greedy_portfolio(
            self.normalised[keep] if keep.any() else self.normalised,
            size=len(self.members),
            weights=weights[keep] if keep.any() else None,
            costs=self.relative_costs() if costs is None else np.maximum(costs, 1e-6),
            time_weight=self.time_weight,
        )
        rest = [i for i in range(len(self.members)) if i not in order]
        return order + rest, weights

    def _kept(self, exclude) -> np.ndarray:
        """Which of the portfolio's datasets ``exclude`` leaves in."""
        hidden = set(exclude)
        return np.array([d not in hidden for d in self.dataset_ids])

    def trial_order(
        self, exclude: tuple[str, ...] | list[str] = (), size: int | None = None
    ) -> list[int]:
        """Pool indices in the order that pays per trial: auto-sklearn 2.0's greedy without
        costs over the whole pool, in its global order (re-ordering it by the nearest datasets
        measured worse, ``benchmarks/results/portfolio-simulation-matrix``). ``exclude`` hides
        datasets (leave-one-out); ``size`` (default: as many as the members) at most."""
        if self.pool_normalised is None:
            raise ValueError("this portfolio has no pool to order per trial")
        keep = self._kept(exclude)
        normalised = self.pool_normalised[keep] if keep.any() else self.pool_normalised
        return greedy_portfolio(normalised, size=len(self.members) if size is None else size)

    def defaults_order(
        self,
        defaults: dict[str, dict],
        weights: np.ndarray | None = None,
        seconds: Callable[[list[int], list[str]], np.ndarray] | None = None,
    ) -> list[str]:
        """The families of ``defaults`` (family -> its default configuration) in the order
        their defaults pay on the datasets ``weights`` weigh (:meth:`order_for`'s): the
        time-aware greedy over their columns of the pool, each divided by its cost to the
        portfolio's time weight. ``seconds(pool indices, families)`` gives the costs on this
        table; without it the pool's typical ones count (its cost intercepts, if it has them).
        Families whose defaults the pool lacks, or that add nothing, follow in the given order.
        """
        found = {f: i for f, c in defaults.items() if (i := self.pool_index(c)) is not None}
        if self.pool_normalised is None or not found:
            return list(defaults)
        families = list(found)
        columns = [found[f] for f in families]
        if seconds is not None:
            divisor = np.maximum(np.asarray(seconds(columns, families), dtype=float), 1e-6)
        elif self.pool_cost_intercepts is not None:
            divisor = np.exp(self.pool_cost_intercepts[columns])
        else:
            divisor = None
        picks = greedy_portfolio(
            self.pool_normalised[:, columns],
            size=len(columns),
            weights=weights,
            costs=divisor,
            time_weight=self.time_weight,
        )
        ordered = [families[i] for i in picks]
        return ordered + [f for f in defaults if f not in ordered]

    def pool_index(self, config: dict) -> int | None:
        """The pool's candidate that is ``config``: the same settings, where the space has
        gained a hyperparameter since the pool was drawn (``linear:penalty``) at its value in
        ``config``."""
        for i, candidate in enumerate(self.pool):
            if candidate.get("model") == config.get("model") and all(
                k in config and config[k] == v for k, v in candidate.items()
            ):
                return i
        return None

    def search_box(self, exclude: tuple[str, ...] | list[str] = ()) -> dict[str, tuple]:
        """Per numeric hyperparameter of each family, the smallest range that holds the
        family's best candidate on every dataset ``exclude`` leaves in: the space that
        past datasets say good settings lie in (Perrone et al. 2019, "Learning search spaces
        for Bayesian optimization"). Empty without a pool."""
        if self.pool_normalised is None or not self.pool:
            return {}
        keep = self._kept(exclude)
        normalised = self.pool_normalised[keep] if keep.any() else self.pool_normalised
        families = np.array([c.get("model") for c in self.pool])
        box: dict[str, tuple] = {}
        for family in dict.fromkeys(families):
            idx = np.flatnonzero(families == family)
            bests = [self.pool[i] for i in np.unique(idx[np.argmin(normalised[:, idx], axis=1)])]
            for name in sorted({k for c in bests for k in c if k.startswith(f"{family}:")}):
                values = [c[name] for c in bests if _is_number(c.get(name))]
                if len(values) == len(bests):
                    box[name] = (min(values), max(values))
        return box

    def nearest_best(
        self,
        distances: pd.Series,
        *,
        exclude: tuple[str, ...] | list[str] = (),
        n_neighbors: int = 25,
    ) -> list[tuple[int, str]]:
        """The best candidate (pool index) of each of the ``n_neighbors`` nearest datasets and
        that dataset's id, nearest first, without repeats: auto-sklearn 1.0's warm start, read
        off the matrix."""
        if self.pool_normalised is None or not self.pool:
            return []
        near = distances[distances.index.isin(self.dataset_ids)].drop(
            list(exclude), errors="ignore"
        )
        near = near[np.isfinite(near.to_numpy(dtype=float))].sort_values(kind="stable")
        row = {d: i for i, d in enumerate(self.dataset_ids)}
        picks: dict[int, str] = {}
        for dataset_id in near.index[:n_neighbors]:
            picks.setdefault(int(np.argmin(self.pool_normalised[row[dataset_id]])), dataset_id)
        return list(picks.items())

    # ------------------------------------------------------------------ files
    def to_json(self) -> str:
        """The versioned file's content (sorted keys, rounded: stable across rebuilds)."""
        return json.dumps(
            {
                "version": self.version,
                "kind": self.kind,
                "time_weight": self.time_weight,
                "row_exponent": round(self.cost.row_exponent, 6),
                "feature_exponent": round(self.cost.feature_exponent, 6),
                "class_exponents": _rounded(self.cost.class_exponents),
                "row_exponents": _rounded(self.cost.row_exponents),
                "feature_exponents": _rounded(self.cost.feature_exponents),
                "cost_centre": [round(v, 6) for v in self.cost.centre],
                "max_rows": self.max_rows,
                "members": [
                    {"config": m, "cost_intercept": round(float(c), 6)}
                    for m, c in zip(self.members, self.cost_intercepts)
                ],
                "dataset_ids": self.dataset_ids,
                "normalised": np.round(self.normalised, 4).tolist(),
                "pool": self.pool,
                "pool_normalised": (
                    np.round(self.pool_normalised, 3).tolist()
                    if self.pool_normalised is not None
                    else None
                ),
                "pool_cost_intercepts": (
                    np.round(self.pool_cost_intercepts, 6).tolist()
                    if self.pool_cost_intercepts is not None
                    else None
                ),
            },
            sort_keys=True,
        )

    def save(self, folder: str | Path) -> Path:
        """Write atomically into ``folder``; the file's path."""
        path = portfolio_path(folder, self.kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json() + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Portfolio:
        """Read a portfolio file; ValueError naming the file if it cannot be read."""
        try:
            data = json.loads(Path(path).read_text())
            if data["version"] > PORTFOLIO_VERSION:
                raise ValueError(f"written by a newer version ({data['version']})")
            return cls(
                data["kind"],
                [m["config"] for m in data["members"]],
                list(data["dataset_ids"]),
                np.asarray(data["normalised"], dtype=float).reshape(
                    len(data["dataset_ids"]), len(data["members"])
                ),
                CostModel(
                    np.asarray([m["cost_intercept"] for m in data["members"]], dtype=float),
                    float(data["row_exponent"]),
                    float(data["feature_exponent"]),
                    _by_family(data.get("class_exponents")),
                    _by_family(data.get("row_exponents")),
                    _by_family(data.get("feature_exponents")),
                    tuple(float(v) for v in data.get("cost_centre") or (0.0, 0.0, 0.0)),
                ),
                float(data["time_weight"]),
                list(data.get("pool") or []),
                (
                    np.asarray(data["pool_normalised"], dtype=float)
                    if data.get("pool_normalised") is not None
                    else None
                ),
                int(data["version"]),
                (
                    np.asarray(data["pool_cost_intercepts"], dtype=float)
                    if data.get("pool_cost_intercepts") is not None
                    else None
                ),
                None if data.get("max_rows") is None else int(data["max_rows"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"portfolio file {path} cannot be read: {exc}") from exc


def _rounded(exponents: dict[str, float]) -> dict[str, float]:
    return {f: round(e, 6) for f, e in exponents.items()}


def _by_family(exponents: dict | None) -> dict[str, float]:
    """A file's exponents by family; none in a file written before they were kept."""
    return {str(f): float(e) for f, e in (exponents or {}).items()}


def portfolio_path(folder: str | Path, kind: str) -> Path:
    """Where the portfolio of ``kind`` (a task kind) lives in ``folder``."""
    return Path(folder) / f"portfolio-{kind}-v{PORTFOLIO_VERSION}.json"


def candidate_key(config: dict) -> str:
    """A configuration's identity across datasets and files: its JSON with sorted keys (as
    the runs' ``original_config`` holds it)."""
    return json.dumps(config, sort_keys=True)


def portfolio_folders(kb) -> list[Path]:
    """Where a knowledge base's portfolios and pools are: its writable folder's first, then
    its read-only ones' (the default base reads the shipped one)."""
    roots = [kb.path] if kb.path is not None else []
    return [Path(p) / "portfolio" for p in [*roots, *kb.read_only_paths]]


def find_portfolio(kind: str, folders) -> Portfolio | None:
    """The first portfolio of ``kind`` found in ``folders`` (each a knowledge base's
    ``portfolio`` folder), or None. An unreadable file raises ValueError naming it."""
    for folder in folders:
        path = portfolio_path(folder, kind)
        if path.is_file():
            return Portfolio.load(path)
    return None


@dataclass
class PortfolioPlan:
    """The configurations to run first for one dataset, in order, and why."""

    members: list[dict]
    global_ranks: list[int | None]  # the portfolio's order; None: a nearest dataset's best
    neighbors: pd.DataFrame  # dataset_id, name, distance, weight
    reason: str
    weights: np.ndarray | None = None  # over the portfolio's datasets, as the order used
    cost_intercepts: np.ndarray | None = None  # the cost model's, per configuration
    sources: list[str] = field(default_factory=list)  # "portfolio" or the dataset's name
    per_trial: bool = False  # ordered by Portfolio.trial_order


def take_turns(first: Sequence[T], second: Sequence[T]) -> list[T]:
    """In turn the next of ``first`` and the next of ``second``, skipping repeats."""
    merged: list[T] = []
    for pair in zip(first, second):
        merged += [c for c in pair if c not in merged]
    longer = first[len(second) :] if len(first) > len(second) else second[len(first) :]
    return merged + [c for c in longer if c not in merged]


def plan_portfolio(
    portfolio: Portfolio,
    kb,
    metafeatures: pd.Series,
    *,
    exclude: tuple[str, ...] | list[str] = (),
    n_neighbors: int = 10,
    novelty_quantile: float = 0.95,
    nearest_best: int = 0,
    per_trial: bool = False,
    costs: np.ndarray | None = None,
) -> PortfolioPlan:
    """Order ``portfolio``'s members for a dataset with these ``metafeatures``.

    Its datasets' meta-features come from ``kb``. When the nearest of them is farther than
    ``novelty_quantile`` of the distances between the portfolio's datasets and their own
    nearest neighbours, the dataset is unlike anything in the base: the global order is used.
    Otherwise, with ``nearest_best``, the members take turns with the best candidate of each
    of that many nearest datasets (:meth:`Portfolio.nearest_best`). ``per_trial`` (a search
    bounded by its number of trials) runs :meth:`Portfolio.trial_order` instead of the
    time-aware members, when the portfolio keeps its pool. ``costs``: each member's expected
    seconds on this dataset, for the time-aware order (:meth:`Portfolio.order_for`).
    """
    from metalearning.similarity import DatasetSimilarity

    frame = kb.metafeatures()
    frame = frame[frame.index.isin(portfolio.dataset_ids) & ~frame.index.isin(list(exclude))]
    names = kb.datasets().set_index("dataset_id")["name"] if len(frame) else pd.Series()
    per_trial = (
        per_trial
        and portfolio.pool_normalised is not None
        and portfolio.pool_cost_intercepts is not None
    )
    empty = pd.DataFrame(columns=["dataset_id", "name", "distance", "weight"])
    if len(frame) < 2:
        reason = "global order: no meta-features of the portfolio's datasets in the knowledge base"
        order = portfolio.order_for(None, exclude=exclude, costs=costs)[0]
        first = _first(portfolio, order, per_trial, exclude)
        return _plan(first, [], empty, _per_trial(reason, per_trial), None, per_trial)
    similarity = DatasetSimilarity().fit(frame)
    distances = similarity.distances(metafeatures).set_index("dataset_id")["distance"]
    typical = similarity.neighbour_distances().to_numpy(dtype=float)
    typical = typical[np.isfinite(typical)]
    limit = float(np.quantile(typical, novelty_quantile)) if len(typical) else np.inf
    best: list[tuple[int, str]] = []
    if not np.isfinite(distances.min()) or distances.min() > limit:
        order, weights = portfolio.order_for(None, exclude=exclude, costs=costs)
        reason = (
            f"global order: the nearest dataset is {distances.min():.3g} away, farther than "
            f"{novelty_quantile:.0%} of the base's datasets are from their nearest ({limit:.3g})"
        )
        distances = None
    else:
        order, weights = portfolio.order_for(
            distances, exclude=exclude, n_neighbors=n_neighbors, costs=costs
        )
        reason = (
            "global order"
            if per_trial
            else f"ordered for this dataset: its {n_neighbors} nearest datasets weigh half"
        )
        if nearest_best and portfolio.pool_cost_intercepts is not None:
            best = portfolio.nearest_best(distances, exclude=exclude, n_neighbors=nearest_best)
            reason += (
                f"; in turn with the best candidate of each of its {nearest_best} nearest datasets"
            )
    weights = np.asarray(weights, dtype=float)
    table = pd.DataFrame({"dataset_id": portfolio.dataset_ids, "weight": weights})
    table["distance"] = table["dataset_id"].map(distances) if distances is not None else np.nan
    table["name"] = [str(names.get(d, d)) for d in table["dataset_id"]]
    table = table[table["weight"] > 0].sort_values(["weight", "distance"], ascending=[False, True])
    table = table[["dataset_id", "name", "distance", "weight"]].head(n_neighbors)
    nearest = [
        (portfolio.pool[i], portfolio.pool_cost_intercepts[i], str(names.get(d, d)))
        for i, d in best
    ]
    first = _first(portfolio, order, per_trial, exclude)
    reason = _per_trial(reason, per_trial)
    return _plan(first, nearest, table.reset_index(drop=True), reason, weights, per_trial)


def _per_trial(reason: str, per_trial: bool) -> str:
    return f"per trial, {reason}" if per_trial else reason


def _first(portfolio: Portfolio, order, per_trial: bool, exclude) -> list[tuple]:
    """(configuration, cost intercept, rank in the portfolio's order) of the members in
    ``order``, or the first ``PORTFOLIO_TRIALS`` of :meth:`Portfolio.trial_order` when
    ``per_trial``."""
    if per_trial:
        return [
            (portfolio.pool[i], portfolio.pool_cost_intercepts[i], rank)
            for rank, i in enumerate(portfolio.trial_order(exclude, PORTFOLIO_TRIALS))
        ]
    return [(portfolio.members[i], portfolio.cost_intercepts[i], i) for i in order]


def _plan(first, nearest, neighbors, reason, weights, per_trial) -> PortfolioPlan:
    """The plan of ``first`` (configuration, cost intercept, rank in the portfolio's order)
    taking turns with ``nearest`` (configuration, cost intercept, the name of the dataset it
    is the best of)."""
    key = candidate_key
    rank = {key(config): r for config, _, r in first}
    members = [(config, intercept, "portfolio") for config, intercept, _ in first]
    plan = PortfolioPlan([], [], neighbors, reason, weights, per_trial=per_trial)
    intercepts, seen = [], set()
    for config, intercept, source in take_turns(members, nearest):
        if key(config) not in seen:
            seen.add(key(config))
            plan.members.append(config)
            plan.global_ranks.append(rank.get(key(config)))
            intercepts.append(intercept)
            plan.sources.append(source)
    plan.cost_intercepts = np.asarray(intercepts, dtype=float)
    return plan


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
