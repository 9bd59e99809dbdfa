"""Hyperparameter importance by functional ANOVA (fANOVA) over a random forest.

The method is that of Hutter, Hoos and Leyton-Brown (ICML 2014): fit a random forest from
configurations to losses; each tree cuts the configuration space into boxes (its leaves); the
main effect of one hyperparameter is the tree's prediction averaged over all the others (exact
on boxes, under the uniform measure of the space); its share is the variance of that main
effect divided by the variance of the tree's predictions over the whole space. Shares are
averaged over the trees (their standard deviation is reported too). Across datasets
(``knowledge_base_importance``) it is computed on each dataset and averaged, as van Rijn and
Hutter (KDD 2018) did.

One change: fANOVA's share is of the *forest's* variance, which from a few noisy trials is
mostly fitted noise, shared out among hyperparameters that do not matter. Here each share is
multiplied by the forest's out-of-bag R^2 (the share of the losses' variance it predicts for
trials it did not see), so ``importance`` estimates the share of the *losses'* variance, and a
forest that predicts nothing out of bag (R^2 <= 0) gives "no signal" instead of numbers.

Why not the ``fanova`` package (2.0.19, its last release, 2020): its forest is ``pyrfr``, which
pip cannot build here (it needs SWIG; only with SWIG from PyPI and no build isolation does it
compile), and ``fanova`` itself then fails under NumPy 2 (``np.float``) and calls ConfigSpace
methods that 1.x deprecates; its licence is also non-commercial. DeepCAVE (whose evaluator is
a port of it, on ``pyrfr`` too) requires Python < 3.11, and SMAC 2.4 ships no importance tool.
So this module implements the same computation on scikit-learn's ``RandomForestRegressor``.

How configurations are encoded (``encode``): each hyperparameter is one coordinate in [0, 1],
uniform in the space's own scale: a number as ConfigSpace's vector (log scale where the
hyperparameter has one); a categorical's k choices k equal cells, ordered by their mean loss
(so that a tree's binary splits can separate any good choices from the bad ones, as subset
splits would: Breiman's ordering for squared error); an inactive value takes its default's
coordinate, where it has no effect. In a CASH space (a ``model`` choice whose families'
hyperparameters are conditional on it) the analysis is hierarchical
(``hyperparameter_importance``): the family choice and the hyperparameters whose activity does
not depend on it over all trials, then each family's on its own trials.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if (
    TYPE_CHECKING
):  # ConfigSpace (with SciPy) is imported when used: ``import metalearning`` stays light
    from ConfigSpace import ConfigurationSpace

#: Fewer successful trials than this (of a family, or in all; or where a conditional
#: hyperparameter was active) and no importance is given: "not enough trials". It is a floor,
#: not a guarantee: on the synthetic check of benchmarks/results/README.md (6 hyperparameters,
#: 2 that matter, random configurations) the two ranked first in 2 of 20 samples of 10 trials,
#: 14 of 20 samples of 20, 17 of 25, 19 of 40 and 20 of 100; importances from few trials are
#: also shrunk by the forest's out-of-bag R^2.
MIN_TRIALS = 10
#: The group of the family choice and of the hyperparameters shared by every trial.
ALL = "all"
#: Name of the hyperparameter that chooses the model family in a CASH space.
FAMILY = "model"
N_TREES = 32
#: At most this many runs of one past dataset are analysed (a seeded sample): OpenML's
#: datasets have up to 900 runs, and the importance of 10 datasets should take seconds.
MAX_RUNS_PER_DATASET = 300

COLUMNS = ["family", "hyperparameter", "importance", "importance_std", "n_trials", "status"]
OK, NOT_ENOUGH, NOT_VARIED = "ok", "not enough trials", "not varied"
CONSTANT, NO_SIGNAL = "constant loss", "no signal"


def functional_anova(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_trees: int = N_TREES,
    seed: int = 0,
    min_samples_leaf: int = 1,
    max_features: float = 0.7,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Main-effect importance of each column of ``X`` (values in [0, 1], uniform measure) for
    ``y``: the mean and standard deviation over the forest's trees of the share of the tree's
    variance over [0, 1]^d that the column's main effect explains, times the forest's
    out-of-bag R^2 (0 when negative), which is returned too."""
    from sklearn.ensemble import RandomForestRegressor

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    forest = RandomForestRegressor(
        n_estimators=n_trees,
        max_features=max_features,
        min_samples_leaf=min_samples_leaf,
        bootstrap=True,
        oob_score=True,
        random_state=seed,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a row that no tree left out of bag
        forest.fit(X, y)
    predicted = forest.oob_prediction_
    seen = np.isfinite(predicted)
    spread = float(np.sum((y[seen] - y[seen].mean()) ** 2))
    r2 = 1.0 - float(np.sum((y[seen] - predicted[seen]) ** 2)) / spread if spread > 0 else 0.0
    shares = [
        share
        for tree in forest.estimators_
        if (share := _tree_main_effects(tree.tree_, X.shape[1])) is not None
    ]
    if not shares:
        return np.zeros(X.shape[1]), np.zeros(X.shape[1]), r2
    table = np.array(shares) * max(r2, 0.0)
    return table.mean(axis=0), table.std(axis=0), r2


def _leaf_boxes(tree, n_dims: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each leaf of a fitted scikit-learn tree as a box of [0, 1]^n_dims and its value."""
    left, right = tree.children_left, tree.children_right
    features, thresholds = tree.feature, tree.threshold
    values = tree.value[:, 0, 0]
    lowers, uppers, leaf_values = [], [], []
    stack = [(0, np.zeros(n_dims), np.ones(n_dims))]
    while stack:
        node, lower, upper = stack.pop()
        if left[node] == -1:
            lowers.append(lower)
            uppers.append(upper)
            leaf_values.append(values[node])
            continue
        d = features[node]
        t = min(max(thresholds[node], lower[d]), upper[d])
        upper_left = upper.copy()
        upper_left[d] = t
        lower_right = lower.copy()
        lower_right[d] = t
        stack.append((left[node], lower, upper_left))
        stack.append((right[node], lower_right, upper))
    return np.array(lowers), np.array(uppers), np.array(leaf_values)


def _tree_main_effects(tree, n_dims: int) -> np.ndarray | None:
    """Share of one tree's variance explained by each dimension's main effect (None for a
    tree that predicts a constant)."""
    lower, upper, values = _leaf_boxes(tree, n_dims)
    widths = upper - lower
    volume = widths.prod(axis=1)
    mean = volume @ values
    total = volume @ (values - mean) ** 2
    if not total > 1e-12 * max(1.0, mean**2):
        return None
    shares = np.zeros(n_dims)
    for d in range(n_dims):
        others = np.delete(widths, d, axis=1).prod(axis=1)
        weight = values * others  # the leaf's value, integrated over the other dimensions
        cuts = np.unique(np.concatenate([lower[:, d], upper[:, d], [0.0, 1.0]]))
        step = np.zeros(len(cuts))
        np.add.at(step, np.searchsorted(cuts, lower[:, d]), weight)
        np.add.at(step, np.searchsorted(cuts, upper[:, d]), -weight)
        effect = np.cumsum(step)[:-1]  # the marginal on [cuts[k], cuts[k + 1])
        shares[d] = np.diff(cuts) @ (effect - mean) ** 2 / total
    return shares


def encode(
    configurations: Sequence[Mapping[str, Any]],
    losses: np.ndarray,
    space: ConfigurationSpace,
    names: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Configurations as rows of [0, 1]^len(names) (see the module's docstring), and which
    values were active (not imputed)."""
    from ConfigSpace.hyperparameters import (
        CategoricalHyperparameter,
        NumericalHyperparameter,
        OrdinalHyperparameter,
    )

    losses = np.asarray(losses, dtype=float)
    X = np.zeros((len(configurations), len(names)))
    active = np.zeros(X.shape, dtype=bool)
    for j, name in enumerate(names):
        hp = space[name]
        raw = [c.get(name) for c in configurations]
        active[:, j] = [v is not None for v in raw]
        if isinstance(hp, (CategoricalHyperparameter, OrdinalHyperparameter)):
            choices = list(hp.choices if hasattr(hp, "choices") else hp.sequence)
            index = {_key(v): i for i, v in enumerate(choices)}
            codes = np.array([index.get(_key(v), -1) for v in raw])
            active[:, j] &= codes >= 0
            default = index[_key(hp.default_value)]
            codes[~active[:, j]] = default
            means = [
                losses[codes == i].mean() if (codes == i).any() else np.inf
                for i in range(len(choices))
            ]
            rank = np.empty(len(choices))
            rank[np.argsort(means, kind="stable")] = np.arange(len(choices))
            X[:, j] = (rank[codes] + 0.5) / len(choices)
        elif isinstance(hp, NumericalHyperparameter):
            default = float(hp.to_vector(hp.default_value))
            column = np.full(len(raw), default)
            for i, value in enumerate(raw):
                if active[i, j]:
                    try:
                        column[i] = float(hp.to_vector(value))
                    except (TypeError, ValueError):
                        active[i, j] = False
            X[:, j] = np.clip(np.nan_to_num(column, nan=default), 0.0, 1.0)
        else:  # a constant: nothing varies
            X[:, j] = 0.5
    return X, active


def _key(value: Any) -> str:
    return str(value.item() if isinstance(value, np.generic) else value)


def _varied(space: ConfigurationSpace, name: str) -> bool:
    from ConfigSpace.hyperparameters import Constant

    return not isinstance(space[name], Constant)


def _ancestors(space: ConfigurationSpace, name: str) -> set[str]:
    found, todo = set(), [name]
    while todo:
        for parent in space.parents_of[todo.pop()]:
            if parent.name not in found:
                found.add(parent.name)
                todo.append(parent.name)
    return found


def _group_frame(
    family: str,
    names: list[str],
    configurations: list[dict[str, Any]],
    losses: np.ndarray,
    space: ConfigurationSpace,
    *,
    min_trials: int,
    n_trees: int,
    seed: int,
) -> pd.DataFrame:
    """One fANOVA over one group of trials (all of them, or one family's), a row per name.

    The forest sees every hyperparameter that varies in these trials, inactive values at their
    default, so that it can explain what it can; the rows are those of ``names``. A name
    active in fewer than ``min_trials`` of them is "not enough trials".
    """
    present = [h for h in space if _varied(space, h) and any(h in c for c in configurations)]
    columns = list(dict.fromkeys([*names, *present]))
    active = np.array([[h in c for h in columns] for c in configurations], dtype=bool)
    active = active.reshape(len(configurations), len(columns))
    n_active = active.sum(axis=0)
    statuses = [NOT_ENOUGH if n < min_trials else OK for n in n_active]
    mean = np.full(len(columns), np.nan)
    std = np.full(len(columns), np.nan)
    if len(configurations) >= min_trials:
        X, _ = encode(configurations, losses, space, columns)
        varied = [
            j
            for j in range(len(columns))
            if len(np.unique(X[active[:, j], j])) > 1 and _varied(space, columns[j])
        ]
        constant = not np.ptp(losses) > 1e-12 * max(1.0, float(np.abs(losses).max()))
        r2 = 0.0
        if varied and not constant:
            found, spread, r2 = functional_anova(X[:, varied], losses, n_trees=n_trees, seed=seed)
            mean[varied], std[varied] = found, spread
        for j in range(len(columns)):
            if statuses[j] != OK:
                continue
            if j not in varied:
                statuses[j] = NOT_VARIED
            elif constant:
                statuses[j] = CONSTANT
            elif r2 <= 0:
                statuses[j] = NO_SIGNAL
    else:
        statuses = [NOT_ENOUGH] * len(columns)
    rows = []
    for j, name in enumerate(columns[: len(names)]):
        ok = statuses[j] == OK
        rows.append(
            {
                "family": family,
                "hyperparameter": name,
                "importance": float(mean[j]) if ok else np.nan,
                "importance_std": float(std[j]) if ok else np.nan,
                "n_trials": int(n_active[j]),
                "status": statuses[j],
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def hyperparameter_importance(
    configurations: Iterable[Mapping[str, Any]],
    losses: Iterable[float],
    space: ConfigurationSpace,
    *,
    min_trials: int = MIN_TRIALS,
    n_trees: int = N_TREES,
    seed: int = 0,
) -> pd.DataFrame:
    """fANOVA importance of each hyperparameter of ``space`` for the ``losses`` of
    ``configurations`` (dicts or ``Configuration``s of ``space``; non-finite losses dropped).

    Returns one row per (family, hyperparameter), columns ``COLUMNS``: ``importance`` is the
    share of the losses' variance that the hyperparameter's main effect explains (fANOVA's share
    of the forest's variance times its out-of-bag R^2, averaged over the trees;
    ``importance_std`` their standard deviation), ``n_trials`` the trials it rests on (where it
    was active), ``status`` ``"ok"``, ``"not enough trials"`` (fewer than ``min_trials``),
    ``"not varied"`` (one value in all those trials), ``"constant loss"`` or ``"no signal"``
    (the forest predicts no better than the mean out of bag); the importance is NaN unless
    ``"ok"``.

    With a ``model`` hyperparameter (a CASH space), family ``"all"`` holds the family choice
    and the hyperparameters whose activity does not depend on it, over all trials; each family
    then gets its own analysis of its own trials, over every hyperparameter active in them.
    Without one, every row is of family ``"all"``.
    """
    configs = [{k: v for k, v in dict(c).items() if v is not None} for c in configurations]
    y = np.asarray(list(losses), dtype=float)
    if len(y) != len(configs):
        raise ValueError(f"{len(configs)} configurations but {len(y)} losses.")
    keep = np.isfinite(y)
    configs = [c for c, k in zip(configs, keep) if k]
    y = y[keep]
    names = [n for n in space if _varied(space, n) or n == FAMILY]
    options = dict(min_trials=min_trials, n_trees=n_trees, seed=seed)
    if FAMILY not in space:
        return _ordered(_group_frame(ALL, names, configs, y, space, **options), [ALL])
    shared = [n for n in names if n == FAMILY or FAMILY not in _ancestors(space, n)]
    frames = [_group_frame(ALL, shared, configs, y, space, **options)]
    families = [str(f) for f in space[FAMILY].choices]
    tried = {str(c.get(FAMILY)) for c in configs}
    for family in families:
        if family not in tried:
            continue
        rows = [i for i, c in enumerate(configs) if str(c.get(FAMILY)) == family]
        own = [c for i, c in enumerate(configs) if i in set(rows)]
        used = [n for n in names if n != FAMILY and any(n in c for c in own)]
        frames.append(_group_frame(family, used, own, y[rows], space, **options))
    return _ordered(pd.concat(frames, ignore_index=True), [ALL, *families])


def _ordered(frame: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """Groups in ``groups`` order (the family choice first), most important first within."""
    order = {g: i for i, g in enumerate(groups)}
    frame = frame.assign(
        _group=frame["family"].map(order),
        _first=frame["hyperparameter"] != FAMILY,
        _importance=-frame["importance"].fillna(-1.0),
    )
    frame = frame.sort_values(["_group", "_first", "_importance", "hyperparameter"], kind="stable")
    frame["n_trials"] = frame["n_trials"].astype(int)
    return frame.drop(columns=["_group", "_first", "_importance"]).reset_index(drop=True)


def knowledge_base_importance(
    kb,
    dataset_ids: Sequence[str],
    space: ConfigurationSpace,
    *,
    metric: str | None = None,
    translate: Callable[[dict[str, Any]], Mapping[str, Any] | None] | None = None,
    min_trials: int = MIN_TRIALS,
    n_trees: int = N_TREES,
    max_runs: int = MAX_RUNS_PER_DATASET,
    seed: int = 0,
    per_dataset: bool = False,
) -> pd.DataFrame:
    """fANOVA importance on each past dataset of ``dataset_ids`` (e.g. the nearest ones, from
    ``nearest_datasets``), from its successful runs in the knowledge base ``kb``, averaged.

    Each dataset's runs of one protocol are used: ``metric`` if it has runs of it (else its most
    common metric), then its most common resampling; at most ``max_runs`` of them (a seeded
    sample). A stored configuration is read through ``translate`` (e.g. automl's, into
    ``space``; None drops the run), else as it is. Returns ``COLUMNS`` plus ``n_datasets``:
    ``importance`` is the mean over the datasets whose analysis of that row was ``"ok"``,
    ``importance_std`` its standard deviation over them, ``n_trials`` their runs; a row that no
    dataset could estimate keeps the most common status among them. With ``per_dataset``, the
    rows of each dataset instead, with its ``dataset_id``.
    """
    ids = [str(d) for d in dataset_ids]
    runs = kb.runs(ids) if ids else pd.DataFrame()
    frames = []
    for dataset_id in ids:
        mine = runs[(runs["dataset_id"] == dataset_id) & (runs["status"] == "success")]
        mine = _one_protocol(mine[np.isfinite(mine["loss"].to_numpy(dtype=float))], metric)
        if len(mine) > max_runs:
            mine = mine.sample(max_runs, random_state=seed)
        configs, losses = [], []
        for text, loss in zip(mine["config"], mine["loss"]):
            config = json.loads(text)
            if translate is not None:
                config = translate(config)
            if config is not None:
                configs.append(dict(config))
                losses.append(float(loss))
        frame = hyperparameter_importance(
            configs, losses, space, min_trials=min_trials, n_trees=n_trees, seed=seed
        )
        frames.append(frame.assign(dataset_id=dataset_id))
    if not frames:
        return pd.DataFrame(columns=[*COLUMNS, "n_datasets"])
    table = pd.concat(frames, ignore_index=True)
    if per_dataset:
        return table
    rows = []
    for (family, name), group in table.groupby(["family", "hyperparameter"], sort=False):
        ok = group[group["status"] == OK]
        status = OK if len(ok) else group["status"].mode().iloc[0]
        rows.append(
            {
                "family": family,
                "hyperparameter": name,
                "importance": ok["importance"].mean() if len(ok) else np.nan,
                "importance_std": ok["importance"].std(ddof=0) if len(ok) else np.nan,
                "n_trials": int((ok if len(ok) else group)["n_trials"].sum()),
                "status": status,
                "n_datasets": len(ok),
            }
        )
    groups = [ALL, *(str(f) for f in space[FAMILY].choices)] if FAMILY in space else [ALL]
    return _ordered(pd.DataFrame(rows), groups)


def _one_protocol(runs: pd.DataFrame, metric: str | None) -> pd.DataFrame:
    """The runs of ``metric`` (else of the most common one), of the most common resampling."""
    if runs.empty:
        return runs
    if metric is None or not (runs["metric"] == metric).any():
        counts = runs["metric"].value_counts()
        metric = min(counts.index[counts == counts.max()])
    runs = runs[runs["metric"] == metric]
    counts = runs["resampling"].value_counts()
    return runs[runs["resampling"] == min(counts.index[counts == counts.max()])]


def plot_importance(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    top: int = 25,
    title: str | None = None,
) -> Path:
    """A horizontal bar chart of ``frame`` (from ``hyperparameter_importance``, ``explain`` or
    ``knowledge_base_importance``) as a PNG at ``path``: the ``top`` most important rows with
    their standard deviations, grouped by family, and the families with too few trials named
    below. Needs matplotlib (the ``bench`` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    ok = frame[frame["status"] == OK].sort_values("importance", ascending=False).head(top)
    ok = ok.iloc[::-1]
    labels = [
        h if f == ALL or h.startswith(f"{f}:") else f"{h} ({f})"
        for f, h in zip(ok["family"], ok["hyperparameter"])
    ]
    families = list(dict.fromkeys(frame["family"]))
    colours = plt.get_cmap("tab10" if len(families) <= 10 else "tab20")
    colour = {f: colours(i % colours.N) for i, f in enumerate(families)}
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.28 * max(len(ok), 1)))
    if len(ok):
        ax.barh(
            range(len(ok)),
            ok["importance"],
            xerr=ok["importance_std"].fillna(0.0),
            color=[colour[f] for f in ok["family"]],
            error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.3"},
        )
        ax.set_yticks(range(len(ok)), labels, fontsize=8)
        reach = float((ok["importance"] + ok["importance_std"].fillna(0.0)).max())
        ax.set_xlim(0, min(1.0, max(0.05, 1.05 * reach)))
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no importance could be estimated", ha="center", transform=ax.transAxes)
    ax.set_xlabel("share of the loss's variance explained (main effect, fANOVA)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[f]) for f in dict.fromkeys(ok["family"])]
    if handles:
        ax.legend(handles, list(dict.fromkeys(ok["family"])), fontsize=7, loc="lower right")
    short = frame["status"] == NOT_ENOUGH
    whole = short.groupby(frame["family"], sort=False).all()
    few = frame[frame["family"].isin(whole.index[whole])].groupby("family", sort=False)
    notes = [f"{f} ({n})" for f, n in few["n_trials"].max().items()]
    if n_rows := int((short & ~frame["family"].isin(whole.index[whole])).sum()):
        notes.append(f"{n_rows} conditional hyperparameter{'s' * (n_rows > 1)} elsewhere")
    if notes:
        note = "not enough trials (successful trials): " + ", ".join(notes)
        fig.text(0.01, 0.005, note, fontsize=7, wrap=True)
    ax.set_title(title or "Hyperparameter importance", fontsize=10)
    fig.tight_layout(rect=(0, 0.04 if notes else 0, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
