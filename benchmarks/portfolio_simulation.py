"""Simulated leave-one-dataset-out on the dense performance matrix.

For every dataset of the matrix: hide it and its siblings (the same generator or source at
other sizes, :func:`metalearning.portfolio.sibling_key`) from the pool's history, then pick
candidates in the order each method gives, and read their losses on the hidden dataset off
the matrix. Reported: HPO-B's normalised regret ((best found - best) / (worst - best) over the
pool on that dataset) at 1, 5, 10 and 25 picks, and the same against simulated time (the
matrix's fit times of the picks, summed). Methods:

- ``as-fitted``: what a fit runs: the portfolio's first member, then in turn a family's
  defaults and the next member (:func:`metalearning.portfolio.interleave_defaults`);
- ``as-fitted, defaults learned``: the same with the families' defaults in the order they pay
  on the nearest datasets (:meth:`metalearning.portfolio.Portfolio.defaults_order`, the fit's
  ``LEARNED_DEFAULTS_ORDER``);
- ``portfolio``: the greedy portfolio of the other datasets, re-ordered for this one by its
  nearest datasets;
- ``portfolio+nearest``: its members in turn with the ``25-nearest`` picks
  (``warm_start="portfolio+nearest"``), and ``as-fitted+nearest`` as a fit runs them;
- ``portfolio-global``: the same portfolio in its global order;
- ``portfolio-untimed``: auto-sklearn 2.0's greedy without costs over the pool, in its global
  order (:meth:`metalearning.portfolio.Portfolio.trial_order`): what a fit bounded by its
  number of trials runs, with nothing interleaved;
- ``portfolio-untimed+nearest``: the same in turn with the ``25-nearest`` picks (a
  ``portfolio+nearest`` fit bounded by trials);
- ``25-nearest``: auto-sklearn 1.0, the best candidate of each of the 25 nearest datasets
  (:meth:`metalearning.portfolio.Portfolio.nearest_best`, as ``portfolio+nearest`` fits use);
- ``random``: a random order of the pool (mean of 50 orders);
- ``defaults``: each family's defaults, LightGBM first (today's cold start), then nothing;
- ``portfolio+bo``: the first 5 of ``portfolio``, then Bayesian optimisation over the pool
  (a random forest on this dataset's results, expected improvement);
- ``portfolio+bo+transfer``: the same, the forest modelling only what the transfer prior
  (:mod:`metalearning.transfer`, learned from the other datasets) does not explain;
- ``portfolio+bo+ranking``: the same with the RGPE-style prior
  (:class:`metalearning.transfer.RankingPrior`): each other dataset's surrogate, weighted by
  how well it ranks this dataset's picks so far, re-weighted at every pick.

``--against-cold`` adds the issue's goals as the simulation sees them
(:func:`warm_against_cold`): a warm search (the first ``WARM_FIRST`` of the trial order,
then BO over the pool) against a cold one (each family's defaults, then BO), both to
``COLD_PICKS[-1]`` picks, paired per dataset at equal and unequal numbers of picks: can
warm@10 beat cold@50 even where selection costs nothing?

``--prune-families`` asks whether the knowledge base should narrow the space rather than
only order it (Wistuba et al. 2015's search-space pruning, at the family level;
:func:`pruned_against_full`): the same warm and cold searches, with BO restricted to the
families the nearest datasets rate well.

    python benchmarks/portfolio_simulation.py --out benchmarks/results/portfolio-simulation
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from automl import ColumnTypes, DataShape, Task, build_space, load_pool, translate
from automl.components import COMPONENTS
from benchmarks.report import to_markdown
from knowledge_base import KnowledgeBase
from metalearning import DatasetSimilarity
from metalearning.portfolio import (
    PerformanceMatrix,
    Portfolio,
    defaults_order,
    interleave_defaults,
    minmax_regret,
    sibling_key,
    take_turns,
)

PICKS = (1, 5, 10, 25)
SECONDS = (5, 10, 30, 60)
COLD_PICKS = (5, 10, 25, 50)
WARM_FIRST = 10  # the trial order's members a fit bounded by trials runs before SMAC
# (warm picks, cold picks) compared per dataset: the goal 2 is warm@10 against cold@50.
COLD_PAIRS = ((5, 5), (10, 10), (25, 25), (50, 50), (10, 25), (10, 50))
# Family pruning: the best-rated families kept whatever their score, and the score thresholds.
PRUNE_KEEP = 3
PRUNE_THRESHOLDS = (0.15, 0.3)
HERE = Path(__file__).resolve().parent


def _defaults_order(matrix: PerformanceMatrix, pool: list[dict]) -> list[int]:
    """Each family's defaults (the first pool entry of each family) in the order a fit runs
    them: COMPONENTS order, the expensive ones last."""
    first: dict[str, dict] = {}
    for c in pool:
        first.setdefault(c["model"], c)
    index = {json.dumps(c, sort_keys=True): i for i, c in enumerate(matrix.candidates)}
    names = defaults_order(c.name for c in COMPONENTS if c.name in first)
    keys = [json.dumps(first[name], sort_keys=True) for name in names]
    return [index[k] for k in keys if k in index]


def matrix_and_defaults(
    kb: KnowledgeBase, path: Path, kind: str, source: str = "matrix"
) -> tuple[PerformanceMatrix, list[int]]:
    """The matrix of ``kind`` in ``kb`` (runs of ``source``) and its families' defaults in the
    order a fit runs them: the first of each family in the pool saved under ``path``, or with
    another source in the matrix's own reference configurations (which start with them)."""
    matrix = PerformanceMatrix.from_knowledge_base(kb, kind, source=source)
    pool = load_pool(Path(path) / "portfolio", kind) if source == "matrix" else matrix.candidates
    return matrix, _defaults_order(matrix, pool)


N_PORTFOLIO_FIRST = 5


def config_vectors(candidates: list[dict], kind: str) -> np.ndarray:
    """The candidates as the optimiser encodes them (ConfigSpace vectors, NaN inactive)."""
    task = Task.REGRESSION if kind == "regression" else Task.BINARY
    space = build_space(task, DataShape(1000, 10), ColumnTypes(("a", "b"), (False, True)))
    return np.array([translate(c, space)[0].get_array() for c in candidates])


def bayesian_order(
    losses: np.ndarray,
    vectors: np.ndarray,
    start: list[int],
    k: int,
    prior: np.ndarray | None = None,
    seed: int = 0,
    per_dataset: np.ndarray | None = None,
) -> list[int]:
    """``start``, then expected-improvement picks from the pool up to ``k``, the forest fitted
    on the picks' losses (the residual after ``prior``'s fitted scale when given). With
    ``per_dataset`` (pool x past datasets) the prior is re-weighted at every pick by
    :func:`metalearning.transfer.ranking_weights`."""
    from scipy.stats import norm as gaussian
    from sklearn.ensemble import RandomForestRegressor

    from metalearning.transfer import _impute, prior_scale, ranking_weights

    x = _impute(vectors)
    order = list(start)
    worst = np.nanmax(np.where(np.isfinite(losses), losses, np.nan))
    filled = np.where(np.isfinite(losses), losses, worst)
    while len(order) < k:
        y = filled[order]
        if per_dataset is not None:
            prior = per_dataset @ ranking_weights(per_dataset[order], y, seed=seed + len(order))
        a, b = prior_scale(prior[order], y) if prior is not None else (0.0, float(y.mean()))
        offset = a * prior + b if prior is not None else np.full(len(x), b)
        forest = RandomForestRegressor(n_estimators=20, random_state=seed, n_jobs=1)
        forest.fit(x[order], y - offset[order])
        trees = np.stack([t.predict(x) for t in forest.estimators_])
        mean, std = trees.mean(axis=0) + offset, np.maximum(trees.std(axis=0), 1e-9)
        z = (y.min() - mean) / std
        ei = (y.min() - mean) * gaussian.cdf(z) + std * gaussian.pdf(z)
        ei[order] = -np.inf
        order.append(int(np.argmax(ei)))
    return order


def simulate(
    matrix: PerformanceMatrix,
    metafeatures: pd.DataFrame,
    *,
    defaults: list[int],
    kind: str,
    size: int = 25,
    time_weight: float = 0.5,
    local_weight: float = 0.5,
    seed: int = 0,
    bo: bool = True,
) -> pd.DataFrame:
    """One row per (dataset, method, k): the regret of the best of the first k picks; without
    ``bo``, the orders only (no Bayesian optimisation over the pool: minutes, not an hour)."""
    from metalearning.transfer import RankingPrior, TransferPrior

    rng = np.random.default_rng(seed)
    keys = [sibling_key(n) for n in matrix.names]
    vectors = config_vectors(matrix.candidates, kind)
    rows = []
    for d in range(len(matrix.dataset_ids)):
        out = left_out(
            matrix,
            metafeatures,
            d,
            keys,
            size=size,
            time_weight=time_weight,
            local_weight=local_weight,
        )
        sub, portfolio, ordered, weights = out.sub, out.portfolio, out.ordered, out.weights
        member_index = out.members
        best_of = [pick for pick, _ in portfolio.nearest_best(out.distances, n_neighbors=25)]
        untimed = portfolio.trial_order()  # the pool is the matrix's candidates, in order
        by_family = {matrix.candidates[i]["model"]: i for i in defaults}
        learned = [
            by_family[f]
            for f in portfolio.defaults_order(
                {f: matrix.candidates[i] for f, i in by_family.items()}, weights
            )
        ]
        turns = take_turns(ordered, best_of)
        orders = {
            "as-fitted": as_fitted(ordered, defaults, matrix),
            "as-fitted, defaults learned": as_fitted(ordered, learned, matrix),
            "as-fitted+nearest": as_fitted(turns, defaults, matrix),
            "portfolio": ordered,
            "portfolio+nearest": turns,
            "portfolio-global": member_index,
            "portfolio-untimed": untimed,
            "portfolio-untimed+nearest": take_turns(untimed, best_of),
            "25-nearest": best_of,
            "defaults": defaults,
        }
        if bo:
            first = ordered[:N_PORTFOLIO_FIRST]
            prior = TransferPrior(seed=seed).fit(vectors, sub.normalised(), weights)
            k_max = max(PICKS)
            orders["portfolio+bo"] = bayesian_order(matrix.losses[d], vectors, first, k_max)
            orders["portfolio+bo+transfer"] = bayesian_order(
                matrix.losses[d], vectors, first, k_max, prior=prior.predict(vectors)
            )
            ranking = RankingPrior(seed=seed).fit(vectors, sub.normalised(), weights)
            orders["portfolio+bo+ranking"] = bayesian_order(
                matrix.losses[d], vectors, first, k_max, per_dataset=ranking.per_dataset(vectors)
            )
        randoms = [rng.permutation(len(matrix.candidates)) for _ in range(50)]
        losses = matrix.losses[d : d + 1]
        times = np.where(np.isfinite(matrix.fit_times[d]), matrix.fit_times[d], 60.0)
        for method, order in {**orders, "random": None}.items():
            for k in PICKS:
                if order is None:
                    regret = np.mean([minmax_regret(losses, np.array([r[:k]]))[0] for r in randoms])
                else:
                    regret = minmax_regret(losses, np.array([order[:k] or [-1]]))[0]
                rows.append((matrix.names[d], method, "picks", k, regret))
            for s in SECONDS:
                if order is None:
                    values = [_regret_within(losses, times, r, s) for r in randoms]
                    regret = float(np.mean(values))
                else:
                    regret = _regret_within(losses, times, order, s)
                rows.append((matrix.names[d], method, "seconds", s, regret))
    return pd.DataFrame(rows, columns=["dataset", "method", "axis", "at", "regret"])


def _hidden(matrix: PerformanceMatrix, d: int, keys: list[str]) -> PerformanceMatrix:
    """The matrix without dataset ``d`` and its siblings."""
    train = np.array([k != keys[d] for k in keys])
    train[d] = False
    return matrix.subset(train)


def as_fitted(members: list[int], defaults: list[int], matrix: PerformanceMatrix) -> list[int]:
    """``members`` and ``defaults`` (candidate indices) in the order a fit bounded by seconds
    runs them: the first member, then in turn a family's defaults and the next member
    (:func:`metalearning.portfolio.interleave_defaults`), each candidate once."""
    family = lambda c: matrix.candidates[c]["model"]  # noqa: E731
    order = interleave_defaults(members[1:], defaults, family, head=members[:1])
    return list(dict.fromkeys(order))


@dataclass
class LeftOut:
    """A dataset left out of the matrix: the rest (``sub``), their portfolio, its members'
    matrix indices in its own order and in the order a fit on the dataset gives them, and the
    dataset weights and meta-feature distances that order came from."""

    sub: PerformanceMatrix
    portfolio: Portfolio
    members: list[int]
    ordered: list[int]
    weights: np.ndarray
    distances: pd.Series


def left_out(
    matrix: PerformanceMatrix,
    metafeatures: pd.DataFrame,
    d: int,
    keys: list[str],
    *,
    size: int = 32,
    time_weight: float = 0.5,
    local_weight: float = 0.5,
) -> LeftOut:
    """Dataset ``d`` left out with its siblings (``keys``, by :func:`sibling_key`)."""
    sub = _hidden(matrix, d, keys)
    portfolio = Portfolio.build(sub, "x", size=size, time_weight=time_weight)
    index = [matrix.candidates.index(m) for m in portfolio.members]
    similarity = DatasetSimilarity().fit(metafeatures.reindex(sub.dataset_ids))
    distances = similarity.distances(metafeatures.loc[matrix.dataset_ids[d]])
    distances = distances.set_index("dataset_id")["distance"]
    local, weights = portfolio.order_for(distances, local_weight=local_weight)
    return LeftOut(sub, portfolio, index, [index[i] for i in local], weights, distances)


def warm_against_cold(
    matrix: PerformanceMatrix,
    *,
    defaults: list[int],
    kind: str,
    picks: tuple[int, ...] = COLD_PICKS,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per (dataset, start, k): the regret after k picks of plain BO over the pool
    started warm (the trial order of the other datasets' pool, its first ``WARM_FIRST``) or
    cold (``defaults``). The simulation scores a pick by the loss it was chosen on, so no
    selection noise separates the two: what it says is the most a warm start can give."""
    keys = [sibling_key(n) for n in matrix.names]
    vectors = config_vectors(matrix.candidates, kind)
    rows = []
    for d in range(len(matrix.dataset_ids)):
        sub = _hidden(matrix, d, keys)
        warm = Portfolio.build(sub, "x").trial_order(size=WARM_FIRST)
        losses = matrix.losses[d]
        for start, first in (("warm", warm), ("cold", list(defaults))):
            order = bayesian_order(losses, vectors, first, max(picks), seed=seed)
            for k in picks:
                regret = minmax_regret(losses[None], np.array([order[:k]]))[0]
                rows.append((matrix.names[d], start, k, regret))
    return pd.DataFrame(rows, columns=["dataset", "start", "picks", "regret"])


def family_scores(
    normalised: np.ndarray, weights: np.ndarray, families: np.ndarray
) -> dict[str, float]:
    """Each family's weighted mean, over the past datasets, of its best normalised loss
    there (0: the family holds the best candidate of every near dataset)."""
    return {
        f: float(weights @ normalised[:, families == f].min(axis=1))
        for f in dict.fromkeys(families)
    }


def kept_families(scores: dict[str, float], threshold: float, keep: int = PRUNE_KEEP) -> set[str]:
    """The ``keep`` best-rated families and every other family scored at most ``threshold``."""
    ranked = sorted(scores, key=scores.get)
    return set(ranked[:keep]) | {f for f in ranked if scores[f] <= threshold}


def _bo_within(losses, vectors, start: list[int], allowed: np.ndarray, k: int, seed: int):
    """:func:`bayesian_order` over the ``allowed`` candidates only (indices into the pool);
    the starting picks outside them are dropped."""
    index = {int(c): i for i, c in enumerate(allowed)}
    first = [index[c] for c in start if c in index]
    order = bayesian_order(losses[allowed], vectors[allowed], first, k, seed=seed)
    return [int(allowed[i]) for i in order]


def pruned_against_full(
    matrix: PerformanceMatrix,
    metafeatures: pd.DataFrame,
    *,
    defaults: list[int],
    kind: str,
    thresholds: tuple[float, ...] = PRUNE_THRESHOLDS,
    keep: int = PRUNE_KEEP,
    picks: tuple[int, ...] = COLD_PICKS,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per (dataset, start, space, k): the regret after k picks of the warm and cold
    searches of :func:`warm_against_cold`, over the whole pool ("all") or only the families
    :func:`kept_families` keeps at each threshold (and the ``keep`` best), rated with the weights the portfolio
    orders its members by for this dataset (its nearest datasets)."""
    keys = [sibling_key(n) for n in matrix.names]
    vectors = config_vectors(matrix.candidates, kind)
    families = np.array([c["model"] for c in matrix.candidates])
    everything = np.arange(len(matrix.candidates))
    rows = []
    for d in range(len(matrix.dataset_ids)):
        out = left_out(matrix, metafeatures, d, keys)
        sub, portfolio, weights = out.sub, out.portfolio, out.weights
        scores = family_scores(sub.normalised(), weights, families)
        spaces = {"all": everything}
        for threshold in thresholds:
            kept = kept_families(scores, threshold, keep)
            spaces[f"pruned@{threshold:g}"] = np.flatnonzero(np.isin(families, list(kept)))
        starts = {"warm": portfolio.trial_order(size=WARM_FIRST), "cold": list(defaults)}
        losses = matrix.losses[d]
        for (start, first), (space, allowed) in itertools.product(starts.items(), spaces.items()):
            order = _bo_within(losses, vectors, first, allowed, max(picks), seed)
            n_families = len(set(families[allowed]))
            for k in picks:
                regret = minmax_regret(losses[None], np.array([order[:k]]))[0]
                rows.append((matrix.names[d], start, space, k, regret, n_families))
    columns = ["dataset", "start", "space", "picks", "regret", "n_families"]
    return pd.DataFrame(rows, columns=columns)


def _paired_row(label: str, a: pd.Series, b: pd.Series) -> tuple:
    """``a`` against ``b``, paired regrets over datasets: label, better, tied, worse, the
    Wilcoxon p and both mean regrets."""
    from benchmarks.stats import wilcoxon_p

    diff = a - b
    moved = diff[diff.abs() > 1e-9]
    p = wilcoxon_p(moved, min_pairs=1)
    better, worse = int((moved < 0).sum()), int((moved > 0).sum())
    means = round(float(a.mean()), 4), round(float(b.mean()), 4)
    return (label, better, len(diff) - len(moved), worse, float(f"{p:.2g}"), *means)


def paired_pruned(results: pd.DataFrame) -> pd.DataFrame:
    """Each pruned search against the same start over the whole pool, at equal picks:
    better, tied, worse, the Wilcoxon p and both mean regrets."""
    wide = results.pivot_table(
        index="dataset", columns=["start", "space", "picks"], values="regret"
    )
    rows = []
    for start, space, k in wide.columns:
        if space == "all":
            continue
        label = f"{start} {space} vs {start} all @{k}"
        rows.append(_paired_row(label, wide[(start, space, k)], wide[(start, "all", k)]))
    columns = ["pair", "better", "tied", "worse", "wilcoxon p", "pruned regret", "all regret"]
    return pd.DataFrame(rows, columns=columns).set_index("pair")


def paired_against_cold(results: pd.DataFrame) -> pd.DataFrame:
    """Warm@k against cold@k' over datasets (those of ``COLD_PAIRS`` that ``results`` has):
    better, tied, worse and the Wilcoxon signed-rank p of the regrets."""
    wide = results.pivot_table(index="dataset", columns=["start", "picks"], values="regret")
    rows = []
    for warm, cold in COLD_PAIRS:
        if ("warm", warm) not in wide or ("cold", cold) not in wide:
            continue
        label = f"warm@{warm} vs cold@{cold}"
        rows.append(_paired_row(label, wide[("warm", warm)], wide[("cold", cold)]))
    columns = ["pair", "better", "tied", "worse", "wilcoxon p", "warm regret", "cold regret"]
    return pd.DataFrame(rows, columns=columns).set_index("pair")


def _regret_within(losses, times, order, seconds) -> float:
    spent, taken = 0.0, []
    for c in order:
        spent += times[c]
        if spent > seconds and taken:
            break
        taken.append(c)
    return float(minmax_regret(losses, np.array([taken]))[0])


def summarize(results: pd.DataFrame, how: str = "mean") -> pd.DataFrame:
    """Regret per method at each number of picks and second, aggregated over datasets by
    ``how`` ("mean" or "median")."""
    table = results.pivot_table(
        index="method", columns=["axis", "at"], values="regret", aggfunc=how
    )
    table = table.sort_values(("picks", 10))
    table.columns = [f"@{at} {'picks' if axis == 'picks' else 's'}" for axis, at in table.columns]
    return table


def against_random(results: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Per method, on how many datasets its regret at ``k`` picks is below, equal to or above
    a random order's (its mean over orders)."""
    at_k = results[(results["axis"] == "picks") & (results["at"] == k)]
    wide = at_k.pivot_table(index="dataset", columns="method", values="regret")
    diff = wide.drop(columns="random").sub(wide["random"], axis=0)
    return pd.DataFrame(
        {
            f"better than random @{k}": (diff < -1e-9).sum(),
            "tied": (diff.abs() <= 1e-9).sum(),
            "worse": (diff > 1e-9).sum(),
        }
    ).sort_values(f"better than random @{k}", ascending=False)


def on_one_scale(
    old: pd.DataFrame,
    new: pd.DataFrame,
    matrix: PerformanceMatrix,
    added: np.ndarray,
    after: str = "with them",
) -> pd.DataFrame:
    """Two runs' results, before and after the candidates where ``added`` was added to the
    pool, on the whole pool's scale (column ``pool``: "old pool" or ``after``). Each run's
    regret is normalised over its own pool, and the new candidates can lower a table's best
    loss: the old run's loss found is recovered from its pool's best and worst, then
    normalised by the whole pool's."""
    losses = np.where(np.isfinite(matrix.losses), matrix.losses, np.nan)
    scale = pd.DataFrame(
        {
            "new_best": np.nanmin(losses, axis=1),
            "new_worst": np.nanmax(losses, axis=1),
            "old_best": np.nanmin(losses[:, ~added], axis=1),
            "old_worst": np.nanmax(losses[:, ~added], axis=1),
        },
        index=matrix.names,
    )
    s = scale.loc[old["dataset"]].to_numpy()
    found = s[:, 2] + old["regret"].to_numpy() * (s[:, 3] - s[:, 2])
    spread = np.where(s[:, 1] - s[:, 0] > 1e-12, s[:, 1] - s[:, 0], 1.0)
    old = old.assign(regret=(found - s[:, 0]) / spread, pool="old pool")
    return pd.concat([old, new.assign(pool=after)], ignore_index=True)


def selection_before_after(
    kb, kind: str, old_dir: str | Path, new_dir: str | Path
) -> tuple[PerformanceMatrix, np.ndarray, pd.DataFrame]:
    """The matrix of ``kind`` in ``kb``, which of its candidates select features, and the
    simulation runs in ``old_dir`` (a pool without them) and ``new_dir`` on one scale
    (:func:`on_one_scale`, pool "with selection")."""
    matrix = PerformanceMatrix.from_knowledge_base(kb, kind)
    selects = np.array(
        [c.get("feature_selection:__choice__") == "percentile" for c in matrix.candidates]
    )
    old, new = (pd.read_csv(Path(folder) / f"{kind}.csv") for folder in (old_dir, new_dir))
    return matrix, selects, on_one_scale(old, new, matrix, selects, after="with selection")


def regret_by_pool(
    results: pd.DataFrame,
    methods: list[str],
    at: tuple[str, ...],
    group: Callable[[pd.Series], np.ndarray] | None = None,
) -> str:
    """Markdown: mean regret per table group (``group(dataset names) -> labels``, and all
    tables), method and point of ``at`` (``"@10 picks"``, ``"@30 seconds"``), one column per
    pool of :func:`on_one_scale`'s results."""
    results = results[results["method"].isin(methods)]
    n = results["dataset"].nunique()
    labels = group(results["dataset"]) if group is not None else None
    parts = [(f"all {n}", results)]
    if labels is not None:
        parts += list(results.assign(tables=labels).groupby("tables"))
    rows = [
        (tables, method, f"@{point} {axis}", pool, value)
        for tables, part in parts
        for (method, axis, point, pool), value in part.groupby(["method", "axis", "at", "pool"])[
            "regret"
        ]
        .mean()
        .items()
    ]
    table = pd.DataFrame(rows, columns=["tables", "method", "at", "pool", "regret"])
    wide = table.pivot_table(index=["tables", "method"], columns=["at", "pool"], values="regret")
    columns = [(point, pool) for point in at for pool in results["pool"].unique()]
    lines = [
        "| tables | method | " + " | ".join(f"{a}, {pool}" for a, pool in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for (tables, method), row in wide.iterrows():
        lines.append(
            f"| {tables} | {method} | " + " | ".join(f"{row[c]:.4f}" for c in columns) + " |"
        )
    return "\n".join(lines) + "\n"


def plot(results: pd.DataFrame, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, axis, label in zip(
        axes, ("picks", "seconds"), ("configurations run", "seconds of fitting (simulated)")
    ):
        sub = results[results["axis"] == axis]
        means = sub.groupby(["method", "at"])["regret"].mean().unstack(0)
        for method in means.columns:
            ax.plot(means.index, means[method], marker="o", label=method)
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(list(means.index), [str(v) for v in means.index])
        ax.set_xlabel(label)
        ax.set_ylabel("mean normalised regret")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", default=str(HERE.parent / "knowledge_base" / "data"))
    parser.add_argument("--out", default=str(HERE / "results" / "portfolio-simulation"))
    parser.add_argument("--time-weight", type=float, default=0.5)
    parser.add_argument("--local-weight", type=float, default=0.5)
    parser.add_argument("--size", type=int, default=25)
    parser.add_argument(
        "--no-bo", action="store_true", help="the orders only, without the BO methods (quick)"
    )
    parser.add_argument("--source", default="matrix", help="runs that form the matrix")
    parser.add_argument(
        "--against-cold",
        action="store_true",
        help="only the warm-against-cold comparison (warm_against_cold), into against-cold.md",
    )
    parser.add_argument(
        "--prune-families",
        action="store_true",
        help="only the family-pruning comparison (pruned_against_full), into pruned.md",
    )
    args = parser.parse_args(argv)
    kb = KnowledgeBase(None, read_only_paths=[args.kb])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    metafeatures = kb.metafeatures()
    lines = []
    for kind in ("classification", "regression"):
        try:
            matrix, defaults = matrix_and_defaults(kb, args.kb, kind, args.source)
        except ValueError as exc:
            print(exc)
            continue
        if args.prune_families:
            pruned = pruned_against_full(matrix, metafeatures, defaults=defaults, kind=kind)
            pruned.to_csv(out / f"pruned-{kind}.csv", index=False)
            families = pruned.drop_duplicates(["dataset", "space"])
            lines += [
                f"## {kind}: {len(matrix.dataset_ids)} datasets x {len(matrix.candidates)}",
                "",
                "Families searched (mean over datasets): "
                + ", ".join(
                    f"{space} {n:.1f}"
                    for space, n in families.groupby("space")["n_families"].mean().items()
                ),
                "",
                to_markdown(paired_pruned(pruned)),
                "",
            ]
            print("\n".join(lines[-24:]))
            continue
        if args.against_cold:
            paired = warm_against_cold(matrix, defaults=defaults, kind=kind)
            paired.to_csv(out / f"against-cold-{kind}.csv", index=False)
            lines += [
                f"## {kind}: {len(matrix.dataset_ids)} datasets x {len(matrix.candidates)}",
                "",
                to_markdown(paired_against_cold(paired)),
                "",
            ]
            print("\n".join(lines[-10:]))
            continue
        results = simulate(
            matrix,
            metafeatures,
            defaults=defaults,
            kind=kind,
            size=args.size,
            time_weight=args.time_weight,
            local_weight=args.local_weight,
            bo=not args.no_bo,
        )
        results.to_csv(out / f"{kind}.csv", index=False)
        table = summarize(results)
        plot(results, out / f"{kind}.png", f"{kind}: {len(matrix.dataset_ids)} datasets")
        lines += [
            f"## {kind}: {len(matrix.dataset_ids)} datasets x {len(matrix.candidates)} candidates",
            "",
            "Mean over datasets:",
            "",
            to_markdown(table.round(4)),
            "",
            "Median over datasets (the mean is swayed by a few tables of under 100 rows, whose"
            " 3-fold losses are mostly noise):",
            "",
            to_markdown(summarize(results, "median").round(4)),
            "",
            to_markdown(against_random(results)),
            "",
        ]
        print("\n".join(lines[-14:]))
    if args.prune_families:
        title = "# Family pruning, simulated leave-one-dataset-out\n\n"
        (out / "pruned.md").write_text(title + "\n".join(lines))
        return 0
    if args.against_cold:
        title = "# Warm against cold, simulated leave-one-dataset-out\n\n"
        (out / "against-cold.md").write_text(title + "\n".join(lines))
        return 0
    (out / "README.md").write_text("# Simulated leave-one-dataset-out\n\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
