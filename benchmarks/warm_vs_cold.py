"""Warm start against cold start, leave-one-dataset-out, by number of trials.

For each dataset: one outer stratified split (2/3 train, 1/3 test, seed 0); the estimator is fitted
on the train part with ``n_trials=50`` and ``n_jobs=1`` (so that the first k trials
are the same on every run) once per mode: ``warm`` (the default: the warm-start
configurations run first, as auto-sklearn does), ``warm+transfer`` (``transfer=True``: the nearest
datasets' other results are also told to SMAC) and ``cold`` (``warm_start=False``). Warm modes use
``leave_one_out=True``: the dataset, its exact duplicates and near-identical meta-features are
hidden from the knowledge base. For k in 5, 10, 25, 50 the incumbent among the first k trials
(lowest validation loss) is refitted on the train part and scored on the test part. Written: a CSV
with one row per (dataset, mode, k), and a Markdown summary (mean rank of the settings, how often
warm@10 is at least as good as cold@50, mean test loss).

    python benchmarks/warm_vs_cold.py --out bench-results/warm-vs-cold
    # all PMLB classification datasets up to 2000 rows, in a seeded order, on two processes:
    python benchmarks/warm_vs_cold.py --all --max-rows 2000 --shard 0/2 --out OUT &
    python benchmarks/warm_vs_cold.py --all --max-rows 2000 --shard 1/2 --out OUT
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import automl._cost
import automl._estimator
import automl._knowledge
import automl._search
import metalearning.portfolio
from automl import METRICS, AutoMLClassifier, AutoMLRegressor
from automl._limits import Status
from benchmarks.cost_calibration import ROUNDS_SETTINGS
from benchmarks.plots import plot_by_trials
from benchmarks.report import to_markdown
from benchmarks.suites import names_in_file

CHECKPOINTS = (5, 10, 25, 50)
# Paired counts also read a relative difference in test loss up to this as a tie.
NEAR_TIE = 0.001
MODES = ("portfolio", "warm", "cold")
# mode -> estimator parameters. "warm" is auto-sklearn 1.0's method (the best configuration of
# each of the 25 nearest datasets); "portfolio" the portfolio of the matrix without this dataset.
MODE_PARAMS = {
    # warm_start=True: in a classification fit bounded by trials, the portfolio+nearest order.
    "default": dict(warm_start=True),
    "portfolio": dict(warm_start="portfolio"),
    "portfolio+transfer": dict(warm_start="portfolio", transfer=True),
    "portfolio+ranking": dict(warm_start="portfolio", transfer="ranking"),
    "portfolio+box": dict(warm_start="portfolio", transfer="box"),
    "default+optimum": dict(warm_start=True, transfer="optimum"),
    "portfolio+nearest": dict(warm_start="portfolio+nearest"),
    "warm": dict(warm_start="nearest"),
    "warm+transfer": dict(warm_start="nearest", transfer=True),
    "portfolio-unsteered": dict(warm_start="portfolio"),
    "portfolio-default-first": dict(warm_start="portfolio"),
    "portfolio-members-first": dict(warm_start="portfolio"),
    "portfolio-no-follow": dict(warm_start="portfolio"),
    "portfolio-per-family": dict(warm_start="portfolio"),
    "cold": dict(warm_start=False),
    "random": dict(warm_start=False, optimizer="random"),
}
# Modes that differ in a module setting rather than a parameter: (module, name, value).
MODE_SETTINGS = {
    "portfolio-unsteered": (automl._estimator, "PORTFOLIO_STEERS", False),
    # LightGBM's defaults before the members on tables larger than the matrix's (session 20;
    # the default since session 28), and the members first as before.
    "portfolio-default-first": (automl._knowledge, "DEFAULT_BEFORE_PORTFOLIO", True),
    "portfolio-members-first": (automl._knowledge, "DEFAULT_BEFORE_PORTFOLIO", False),
    # A member that leads no longer brings its family's defaults forward (as before session 29).
    "portfolio-no-follow": (automl._estimator, "FOLLOW_THE_LEADER", False),
    # Ensemble selection also sees each family's best beyond the best trials (session 33: a
    # portfolio's SMAC that exploited one family on a tiny table left it no other to mix in).
    "portfolio-per-family": (automl._search, "ENSEMBLE_PER_FAMILY", True),
}


def _setting_modes(modes, module, name: str, values: dict[str, Any]) -> None:
    """For each of ``modes`` and each suffix in ``values``, the mode ``{mode}-{suffix}``: the
    same parameters, with ``module.name`` set to the suffix's value."""
    for mode in modes:
        for suffix, value in values.items():
            MODE_PARAMS[f"{mode}-{suffix}"] = MODE_PARAMS[mode]
            MODE_SETTINGS[f"{mode}-{suffix}"] = (module, name, value)


# "-refit": on tables of up to FOLD_BAG_ROWS training rows, each member's fold models fitted
# again after the search (as before session 37), not kept from its trial.
_setting_modes(("portfolio", "cold"), automl._estimator, "KEEP_FOLD_MODELS", {"refit": 0})
# "-tight": a configuration whose estimate rests on other families or other sizes runs only if
# predicted within its limit (session 34: CatBoost trials predicted at 16-23 s ran into the 15 s
# limit of a 60 s fit; the default since session 35); "-loose": within 3 times it, as before.
_setting_modes(
    ("portfolio", "cold", "random"), automl._cost, "SKIP_OTHER", {"tight": 1.0, "loose": 3.0}
)
# "-look-floor": a family's defaults too slow for a first look on all rows, whose sample for it
# would keep too few rows, run on MIN_SAMPLE_ROWS rows (the default since session 39);
# "-look-all": on all rows, as before.
_setting_modes(
    ("default", "cold"),
    automl._search,
    "FIRST_LOOK_AT_LEAST",
    {"look-floor": True, "look-all": False},
)
# "-sqrt-rounds": LightGBM's cost taken as growing with the square root of its trees, "-linear-
# rounds": in proportion to them, the default (session 38 measured both).
_setting_modes(
    ("portfolio", "cold"),
    automl._cost,
    "ROUNDS_EXPONENT",
    {
        "sqrt-rounds": ROUNDS_SETTINGS["square root (LightGBM)"],
        "linear-rounds": ROUNDS_SETTINGS["linear"],
    },
)
# "-learned-defaults": the families' defaults interleaved with the portfolio's members run in
# the order they pay on the nearest datasets per predicted second (session 40: level, not
# kept); "-fixed-defaults": in the fixed order, the default.
_setting_modes(
    ("default",),
    automl._knowledge,
    "LEARNED_DEFAULTS_ORDER",
    {"learned-defaults": True, "fixed-defaults": False},
)
# "-dedup": a family's defaults leave the opening when a warm-start member of the family ran
# before their turn, instead of running after the warm start (session 45).
_setting_modes(("default",), automl._estimator, "COVERED_DEFAULTS", {"dedup": False})
# "-unsteered": SMAC is not told the portfolio's members' results (session 45: on the Friedman
# tables the default's search trails cold SMAC's; is it the members' time or their steering?).
_setting_modes(("default",), automl._estimator, "PORTFOLIO_STEERS", {"unsteered": False})
# "-cut1": the members still waiting leave the opening once a family's defaults and a member
# have run, unless a member beat the defaults (session 46); "-cut20": in regression only, unless
# a member came within 20% of the defaults.
_setting_modes(
    ("default",),
    automl._estimator,
    "OPENING_CHECK",
    {"cut1": {"regression": 0.0, "classification": 0.0}, "cut20": {"regression": 0.2}},
)
# "-flatgb": every HistGradientBoosting setting costs what its defaults do, as before session 42
# (automl._cost.HGB_EXPONENTS).
_setting_modes(
    ("default", "cold"),
    automl._cost,
    "HGB_EXPONENTS",
    {"flatgb": {"learning_rate": 0.0, "leaves": 0.0}},
)


def _no_seconds(*args: Any) -> float:
    return 0.0


# "-flatcb": CatBoost's cost scaled from the other families' trials alone, as before session 43,
# without the floor of its own cost on the data's shape (automl._cost.catboost_default_seconds).
_setting_modes(
    ("default", "cold"), automl._cost, "catboost_default_seconds", {"flatcb": _no_seconds}
)
# "-cut": a family's defaults expected not to finish within a trial's limit, where a row sample
# would keep too few rows, run next with their boosting rounds cut to fit instead of being
# skipped (automl._search.CUT_ROUNDS_TO_FIT; session 47 ran it as the plain modes, at 97ea211);
# "-uncut": skipped, the default.
_setting_modes(
    ("default", "cold"), automl._search, "CUT_ROUNDS_TO_FIT", {"cut": True, "uncut": False}
)
# "-p5": the first 5 members that fit run, not PORTFOLIO_TRIALS' 10 (a side run in session 44).
_setting_modes(("default",), metalearning.portfolio, "PORTFOLIO_TRIALS", {"p5": 5})
# "-untimed": in regression, a search bounded by seconds takes its members from the order that
# pays per trial (automl._knowledge.UNTIMED_MEMBERS; session 49).
_setting_modes(
    ("default",),
    automl._knowledge,
    "UNTIMED_MEMBERS",
    {"untimed": {"classification": False, "regression": True}},
)
# "-families": a member still waiting is dropped once its family's best loss is over 1.5 times
# the best so far, a reserve member in its place (automl._knowledge.FAMILY_CHECK; session 56,
# the default since in regression); "-no-families": without, as before; "-families-both": in
# classification too (session 57).
_setting_modes(
    ("default",),
    automl._knowledge,
    "FAMILY_CHECK",
    {
        "families": {"classification": None, "regression": 1.5},
        "no-families": {"classification": None, "regression": None},
        "families-both": {"classification": 1.5, "regression": 1.5},
    },
)
# "-capped": a portfolio member's trial stops at 3 times its predicted fitting seconds
# (automl._estimator.MEMBER_LIMIT_FACTOR; session 53).
_setting_modes(("default",), automl._estimator, "MEMBER_LIMIT_FACTOR", {"capped": 3.0})
# "-nofs": the portfolio built without the pool's feature-selection candidates (the matrix's
# columns added in session 44, automl._matrix.SELECTION_FAMILIES), as before.
WITHOUT_SELECTION = "-nofs"
for _mode in ("default", "portfolio"):
    MODE_PARAMS[_mode + WITHOUT_SELECTION] = MODE_PARAMS[_mode]
# "-known": the shipped base as it is, with this table and its siblings in the matrix, the
# portfolio and the neighbours (no leave-one-out): what the base brings to a table it has seen,
# an upper bound on what knowledge of its kind can bring (session 50).
KNOWN = "-known"
MODE_PARAMS["default" + KNOWN] = MODE_PARAMS["default"]
# "-typical-costs": the members ordered by their typical cost on the matrix's tables, a kernel
# SVM's time grown beyond the matrix's rows as LightGBM's and, past 2,000 rows a fit, with their
# square (before session 55; automl._knowledge.SHAPED_ORDER, automl._cost.SVM_ROW_EXPONENT).
for _suffix in ("", KNOWN):
    MODE_PARAMS["default-typical-costs" + _suffix] = MODE_PARAMS["default"]
    MODE_SETTINGS["default-typical-costs" + _suffix] = [
        (automl._knowledge, "SHAPED_ORDER", {"classification": False, "regression": False}),
        (automl._cost, "SVM_ROW_EXPONENT", None),
    ]
# "-lgbm-growth": beyond the matrix's rows, every member but a kernel SVM grows as LightGBM's
# defaults do on the table's shape (before session 57; automl._knowledge.ROW_EXPONENTS).
for _suffix in ("", KNOWN):
    MODE_PARAMS["default-lgbm-growth" + _suffix] = MODE_PARAMS["default"]
    MODE_SETTINGS["default-lgbm-growth" + _suffix] = (
        automl._knowledge,
        "ROW_EXPONENTS",
        {"classification": {}, "regression": {}},
    )
HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def setting_held(module, name: str, value):
    """``module.name`` set to ``value`` for the block, restored afterwards."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def mode_settings(mode: str):
    """The module settings of ``mode`` (one ``(module, name, value)`` or a list of them),
    restored afterwards."""
    settings = MODE_SETTINGS.get(mode, [])
    stack = contextlib.ExitStack()
    for setting in [settings] if isinstance(settings, tuple) else settings:
        stack.enter_context(setting_held(*setting))
    return stack


def incumbent_test_losses(
    model, X_train, y_train, X_test, y_test, checkpoints: tuple[int, ...] = CHECKPOINTS
) -> dict[int, float]:
    """Test loss of the best-by-validation trial among the first k, for each checkpoint: its
    pipeline (``pipeline_for``) refitted on the train part."""
    trials = model.trials_.sort_values("trial")
    metric = METRICS[model.metric_]
    if model.task_.is_classification:
        classes = list(model.classes_)
        y_tr = np.array([classes.index(v) for v in y_train])
        y_te = np.array([classes.index(v) if v in classes else -1 for v in y_test])
        keep, labels = y_te >= 0, np.arange(len(classes))
    else:
        labels = None
        y_tr, y_te = np.asarray(y_train, float), np.asarray(y_test, float)
        keep = np.ones(len(y_te), bool)
    out, cache = {}, {}
    for k in checkpoints:
        first = trials.head(k)
        ok = first[first["status"] == "success"]
        if ok.empty:
            out[k] = np.nan
            continue
        best = int(ok.loc[ok["loss"].idxmin(), "trial"])
        if best not in cache:
            pipe = model.pipeline_for(best).fit(X_train, y_tr)
            if labels is None:
                pred = np.asarray(pipe.predict(X_test), float)
            else:
                pred = _aligned_proba(pipe, X_test, len(labels))
            cache[best] = metric.loss(y_te[keep], pred[keep], labels)
        out[k] = cache[best]
    return out


def _aligned_proba(pipe, X, n_classes: int) -> np.ndarray:
    """Class probabilities with a column for every class, 0 for those not fitted on."""
    proba = np.zeros((len(X), n_classes))
    proba[:, pipe.classes_] = pipe.predict_proba(X)
    return proba


def pmlb_split(name: str, pmlb: Path, *, stratify: bool = True, seed: int = 0):
    """X_train, X_test, y_train, y_test of a PMLB dataset: the benchmarks' one split (2/3-1/3,
    seed 0; others with ``seed``), stratified where asked and every class has two rows."""
    frame = pd.read_csv(Path(pmlb) / f"{name}.tsv.gz", sep="\t")
    X, y = frame.drop(columns="target"), frame["target"]
    strata = y if stratify and y.value_counts().min() >= 2 else None
    return train_test_split(X, y, test_size=1 / 3, random_state=seed, stratify=strata)


def with_gaps(X: pd.DataFrame, fraction: float, seed: int = 0) -> pd.DataFrame:
    """``X`` with missing values, as a messy table has them: a seeded half of the columns (at
    least one) lose ``fraction`` of their cells, completely at random."""
    if not 0 < fraction < 1:
        raise ValueError(f"the fraction of missing cells must be in (0, 1), got {fraction!r}.")
    rng = np.random.default_rng(seed)
    columns = rng.permutation(X.shape[1])[: max(1, X.shape[1] // 2)]
    out = X.astype({X.columns[j]: float for j in columns if X.dtypes.iloc[j].kind in "biu"})
    for j in columns:
        out.iloc[rng.random(len(X)) < fraction, j] = np.nan
    return out


def model_test_loss(model, X_test, y_test) -> float:
    """The fitted estimator's own test loss (its ensemble, as a user gets it)."""
    metric = METRICS[model.metric_]
    if model.task_.is_classification:
        classes = list(model.classes_)
        keep = np.array([v in classes for v in y_test])
        y = np.array([classes.index(v) for v in np.asarray(y_test)[keep]])
        proba = model.predict_proba(X_test[keep])
        return float(metric.loss(y, proba, np.arange(len(classes))))
    return float(metric.loss(np.asarray(y_test, float), model.predict(X_test)))


_MATRICES: dict = {}


def wasted_trials(trials: pd.DataFrame) -> dict[str, float | str]:
    """What a fit spent on trials that gave nothing: timeouts (count, the seconds they ran and
    their models, "model:count" by model) and trials skipped as expected not to finish."""
    timeouts = trials["status"] == Status.TIMEOUT.value
    models = trials.loc[timeouts, "model"].value_counts().sort_index()
    return {
        "n_timeouts": int(timeouts.sum()),
        "timeout_seconds": round(float(trials.loc[timeouts, "fit_time"].sum()), 2),
        "timeout_models": " ".join(f"{model}:{n}" for model, n in models.items()),
        "n_skipped": int((trials["status"] == automl._search.SKIPPED).sum()),
    }


def cut_defaults(trials: pd.DataFrame) -> int:
    """Trials of a family's defaults that ran with fewer boosting rounds than the defaults'."""
    ran = trials[(trials["origin"] == "default") & (trials["status"] != automl._search.SKIPPED)]
    count = 0
    for model, config in zip(ran["model"], ran["config"]):
        name, rounds = automl._cost.ROUNDS.get(model, (None, None))
        count += name is not None and float(config.get(f"{model}:{name}", rounds)) < rounds
    return count


def timeouts_by_model(column: pd.Series) -> pd.Series:
    """Timed-out trials per model over fits, from their ``timeout_models`` ("model:count")."""
    pairs = [p.split(":") for text in column.dropna().astype(str) for p in text.split()]
    counts = pd.Series([int(n) for _, n in pairs], index=[m for m, _ in pairs], dtype=int)
    return counts.groupby(level=0).sum().sort_values(ascending=False, kind="stable")


def mode_parameters(
    mode: str, name: str, task: str, folder: Path, source: str = "matrix"
) -> tuple[dict, dict]:
    """The estimator's parameters for ``mode`` on the table ``name`` (its knowledge base among
    them), and those every mode shares: a portfolio mode's leave-one-out base (in ``folder``),
    or with ``-known`` the shipped base as it is and no leave-one-out."""
    params = dict(MODE_PARAMS[mode])
    if mode.endswith(KNOWN):
        params["knowledge_base"] = shipped_base()
    elif mode.startswith(("portfolio", "default")):
        params["knowledge_base"] = loo_portfolio_base(
            name, task, folder, source, selection=not mode.endswith(WITHOUT_SELECTION)
        )
    common = dict(leave_one_out=not mode.endswith(KNOWN), update_knowledge_base=False, n_jobs=1)
    return params, common


def shipped_base():
    """The shipped knowledge base alone, read-only (not the user's own)."""
    from knowledge_base import KnowledgeBase
    from knowledge_base.paths import shipped_path

    return KnowledgeBase(None, read_only_paths=[shipped_path()])


def loo_portfolio_base(
    name: str, task: str, folder: Path, source: str = "matrix", *, selection: bool = True
):
    """A knowledge base whose portfolio was built without ``name`` and its siblings: the
    shipped base read-only, an empty writable folder holding that portfolio. Without
    ``selection``, the matrix's candidates that select features are left out."""
    from knowledge_base import KnowledgeBase
    from knowledge_base.paths import shipped_path
    from metalearning.portfolio import PerformanceMatrix, Portfolio, sibling_key

    shipped = shipped_base()
    if (task, source) not in _MATRICES:
        _MATRICES[task, source] = PerformanceMatrix.from_knowledge_base(
            shipped, task, source=source
        )
    matrix = _MATRICES[task, source]
    if not selection:
        matrix = without_selection(matrix)
    keep = np.array([sibling_key(n) != sibling_key(name) for n in matrix.names])
    base = folder / name
    Portfolio.build(matrix.subset(keep), task).save(base / "portfolio")
    return KnowledgeBase(base, read_only_paths=[shipped_path()])


def without_selection(matrix):
    """``matrix`` without the candidates that select features."""
    keep = [c.get("feature_selection:__choice__", "none") == "none" for c in matrix.candidates]
    return replace(
        matrix,
        candidates=[c for c, k in zip(matrix.candidates, keep) if k],
        losses=matrix.losses[:, keep],
        fit_times=matrix.fit_times[:, keep],
    )


def run(args) -> pd.DataFrame:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shard, n_shards = (int(v) for v in args.shard.split("/"))
    checkpoints = tuple(int(k) for k in args.checkpoints.split(","))
    trial_counts = [int(k) for k in args.trials.split(",")] if args.trials else []
    results_file = out / f"results-{shard}of{n_shards}.csv"
    mine = pd.read_csv(results_file) if results_file.exists() else pd.DataFrame()
    # Any results file in the folder counts as done (other shards, earlier runs of a mode).
    done = _read_results(out)
    index = pd.read_csv(Path(args.pmlb) / "index.csv").set_index("name")
    if args.all:
        names = list(index.index[index["task"] == args.task])
        names = [names[i] for i in np.random.default_rng(0).permutation(len(names))]
    else:
        names = names_in_file(args.datasets_file)
    names = [n for n in names if index.loc[n, "n_instances"] <= args.max_rows]
    for name in names[shard::n_shards]:
        X_train, X_test, y_train, y_test = pmlb_split(
            name, args.pmlb, stratify=args.task == "classification", seed=args.split_seed
        )
        if args.missing:
            X_train = with_gaps(X_train, args.missing, seed=args.split_seed)
            X_test = with_gaps(X_test, args.missing, seed=args.split_seed)
        for mode in args.modes.split(","):
            same = (done["dataset"] == name) & (done["mode"] == mode)
            same &= done["split"] == args.split_seed
            same &= done.get("search_seed", pd.Series(0, index=done.index)).fillna(0) == (
                args.search_seed
            )
            # Other trial counts of a mode may be run into the same folder: only new ones run.
            had = set(done.loc[same, "k"].astype(str))
            counts = [k for k in trial_counts if f"{k}e" not in had]
            if same.any() and not (args.trials and counts):
                continue
            start = time.monotonic()
            estimator = AutoMLClassifier if args.task == "classification" else AutoMLRegressor
            params, common = mode_parameters(
                mode, name, args.task, out / "portfolios", args.portfolio_source
            )
            common["random_state"] = args.search_seed
            with mode_settings(mode):
                fitted = {}  # k -> its own fit, where each k has one
                if args.trials:
                    losses = {}
                    for k in counts:
                        model = estimator(
                            time_budget=args.max_seconds,
                            n_trials=k,
                            per_trial_time_limit=args.trial_limit,
                            **common,
                            **params,
                        ).fit(X_train, y_train)
                        losses[f"{k}e"] = model_test_loss(model, X_test, y_test)
                        fitted[f"{k}e"] = model
                elif args.budgets:
                    losses = {}
                    for seconds in (float(b) for b in args.budgets.split(",")):
                        model = estimator(time_budget=seconds, **common, **params)
                        model.fit(X_train, y_train)
                        losses[f"{seconds:g}s"] = model_test_loss(model, X_test, y_test)
                else:
                    model = estimator(
                        time_budget=args.max_seconds,
                        n_trials=max(checkpoints),
                        ensemble_size=1,
                        per_trial_time_limit=args.trial_limit,
                        **common,
                        **params,
                    ).fit(X_train, y_train)
                    losses = incumbent_test_losses(
                        model, X_train, y_train, X_test, y_test, checkpoints
                    )
            rows = pd.DataFrame(
                [
                    {
                        "dataset": name,
                        "split": args.split_seed,
                        "search_seed": args.search_seed,
                        "mode": mode,
                        "k": k,
                        "metric": fit.metric_,
                        "test_loss": v,
                        "search_loss": search_loss(fit.trials_),
                        **search_best(fit.trials_),
                        "n_trials": len(fit.trials_),
                        "n_warm_configs": int(
                            fit.trials_["origin"].isin(["warm-start", "portfolio"]).sum()
                        ),
                        "n_told": fit.warm_start_.get("transfer", {}).get("told_to_optimizer", 0),
                        "members_dropped": (fit.warm_start_.get("portfolio") or {}).get(
                            "members_dropped", 0
                        ),
                        "warm_start_seconds": fit.timings_["warm_start"],
                        "seconds": time.monotonic() - start,
                        **wasted_trials(fit.trials_),
                        "cut_defaults": cut_defaults(fit.trials_),
                    }
                    for k, v in losses.items()
                    for fit in [fitted.get(k, model)]
                ]
            )
            done = pd.concat([done, rows], ignore_index=True)
            mine = pd.concat([mine, rows], ignore_index=True)
            mine.to_csv(results_file, index=False)
            print(
                f"{name:<28} {mode}: " + "  ".join(f"@{k} {v:.4f}" for k, v in losses.items()),
                file=sys.stderr,
                flush=True,
            )
    return done


def _read_results(folder: Path) -> pd.DataFrame:
    """Every results file of ``folder``; rows written before splits were recorded are split 0."""
    files = sorted(folder.glob("results-*.csv"))
    if not files:
        return pd.DataFrame(columns=["dataset", "split", "mode", "k", "test_loss"])
    results = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    if "split" not in results:
        results["split"] = 0
    results["split"] = results["split"].fillna(0).astype(int)
    return results


def complete_splits(results: pd.DataFrame) -> pd.DataFrame:
    """The rows of the datasets on whose every split every setting finished, so that a mean
    over splits compares settings on the same splits."""
    cells = results.dropna(subset=["test_loss"]).groupby(["dataset", "mode", "k"])["split"]
    settings = results.groupby(["mode", "k"]).ngroups
    splits = results.groupby("dataset")["split"].nunique()
    counts = cells.nunique().groupby("dataset").agg(["min", "size"])
    whole = counts.index[(counts["size"] == settings) & (counts["min"] == splits[counts.index])]
    return results[results["dataset"].isin(whole)]


def near_counts(
    a: pd.Series, b: pd.Series, tie: float = NEAR_TIE, relative: bool = True
) -> tuple[int, int, int]:
    """Better / tied / worse of ``a`` against ``b`` per dataset where both have a loss; a
    difference up to ``tie`` (of ``b``'s loss where ``relative``) is a tie: a run's timing
    moves test losses by about ``NEAR_TIE``."""
    both = pd.concat([a, b], axis=1).dropna()
    a, b = both.iloc[:, 0], both.iloc[:, 1]
    diff = (a - b) / b.abs().where(b != 0, 1.0) if relative else a - b
    better, worse = int((diff < -tie).sum()), int((diff > tie).sum())
    return better, len(diff) - better - worse, worse


def _done_on_all_rows(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials that succeeded on all the training rows."""
    return trials[(trials["status"] == Status.SUCCESS.value) & (trials["fidelity"] >= 1.0)]


def search_loss(trials: pd.DataFrame) -> float:
    """The best validation loss a fit's search found on all rows: what it optimised, against
    which its test loss shows what selection on few rows costs."""
    done = _done_on_all_rows(trials)
    return float(done["loss"].min()) if len(done) else float("nan")


def search_best(trials: pd.DataFrame) -> dict[str, str | int]:
    """Where a fit's best came from (the origin and model of the trial of :func:`search_loss`:
    a family's defaults, a portfolio member or the optimiser's own), and how many of the
    optimiser's own trials ran at all: what transfer after the opening had to act on."""
    done = _done_on_all_rows(trials)
    best = done.loc[done["loss"].idxmin()] if len(done) else None
    own = (trials["origin"] == "search") & (trials["status"] != automl._search.SKIPPED)
    return {
        "best_origin": "" if best is None else str(best["origin"]),
        "best_model": "" if best is None else str(best["model"]),
        "n_search_trials": int(own.sum()),
    }


def costs_per_mode(results: pd.DataFrame) -> pd.DataFrame:
    """What each mode of ``results`` spent: fits, and per fit the mean trials, timeouts (count
    and seconds), skipped trials and seconds; warm-start planning's median and max seconds."""
    table = results.groupby("mode").agg(
        fits=("dataset", "size"),
        trials=("n_trials", "mean"),
        timeouts=("n_timeouts", "mean"),
        timeout_seconds=("timeout_seconds", "mean"),
        skipped=("n_skipped", "mean"),
        seconds=("seconds", "mean"),
        planning_median=("warm_start_seconds", "median"),
        planning_max=("warm_start_seconds", "max"),
    )
    return table.round(2)


# Where a fit's best trial can come from (:func:`search_best`'s ``best_origin``).
BEST_ORIGINS = ("default", "portfolio", "search")


def best_origins(results: pd.DataFrame) -> pd.DataFrame:
    """Per mode of ``results`` (rows with :func:`search_best`'s columns): the mean trials a
    fit, the mean and median of the optimiser's own trials that ran, the fits where none ran,
    and how many fits' best came from each of :data:`BEST_ORIGINS`."""
    rows = []
    for mode, fits in results.groupby("mode"):
        origins = fits["best_origin"].value_counts()
        rows.append(
            {
                "mode": mode,
                "trials": round(fits["n_trials"].mean(), 1),
                "SMAC's own trials run (mean)": round(fits["n_search_trials"].mean(), 1),
                "(median)": fits["n_search_trials"].median(),
                "fits with none": int((fits["n_search_trials"] == 0).sum()),
                **{f"best from {o}": int(origins.get(o, 0)) for o in BEST_ORIGINS},
            }
        )
    return pd.DataFrame(rows)


def mode_losses(folder: Path, mode: str, column: str = "test_loss") -> pd.Series:
    """Test loss (or another ``column``, such as ``search_loss``) per dataset of ``mode`` in
    the run saved in ``folder`` (its first split)."""
    results = _read_results(Path(folder))
    results = results[(results["mode"] == mode) & (results["split"] == results["split"].min())]
    return results.set_index("dataset")[column]


def mean_ratio(
    read: Callable[[Path, str], pd.Series], runs: Iterable[Path], first: str, second: str
) -> pd.Series:
    """Each table's mean over ``runs`` (one a search seed, say) of ``first``'s loss relative
    to ``second``'s, ``read(run, mode)`` giving a mode's losses; tables some run lacks left out."""
    ratios = [read(run, first) / read(run, second) for run in runs]
    return pd.concat(ratios, axis=1).dropna().mean(axis=1)


def seed_pairs(
    read: Callable[[Path, str], pd.Series],
    what: str,
    runs: dict[int, Path],
    first: str,
    second: str,
    label: str,
    over: str,
) -> list[tuple[str, pd.Series, pd.Series]]:
    """Pairs for :func:`paired_table`: ``first`` against ``second`` in each seed's run of
    ``runs``, then each table's :func:`mean_ratio` over them against 1 (labelled "mean over
    ``over``")."""
    out = [
        (f"{label}, seed {seed} ({what})", read(run, first), read(run, second))
        for seed, run in runs.items()
    ]
    mean = mean_ratio(read, runs.values(), first, second)
    out.append((f"{label}, mean over {over} ({what})", mean, pd.Series(1.0, mean.index)))
    return out


def paired_table(pairs: list[tuple[str, pd.Series, pd.Series]], group: str | None = "fri_") -> str:
    """A markdown table of runs compared table by table: better / tied / worse of the first
    of each pair against the second, on all tables and, unless ``group`` is None, on those
    whose name holds ``group`` and on the others; Wilcoxon's p on the relative differences,
    and their mean, both over the tables where the second's loss is not 0 (a perfect AUC)."""
    from scipy.stats import wilcoxon

    rows = []
    for name, first, second in pairs:
        both = first.dropna().index.intersection(second.dropna().index)
        first, second = first[both], second[both]
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = first / second - 1
        relative = relative[np.isfinite(relative)]
        inside = both.str.contains(group) if group is not None else np.zeros(len(both), bool)
        p = wilcoxon(relative).pvalue if (relative != 0).any() else 1.0
        masks = (slice(None), inside, ~inside) if group is not None else (slice(None),)
        counts = [" / ".join(str(n) for n in near_counts(first[m], second[m])) for m in masks]
        sizes = (int(inside.sum()), int((~inside).sum()))
        rows.append((name, *counts, f"{p:.2f}", f"{relative.mean():+.2%}", sizes))
    if group is None:
        header = "| pair | better / tied / worse | p | mean relative difference |"
    else:
        inside, outside = rows[0][-1] if rows else (0, 0)
        label = "Friedman" if group == "fri_" else f"'{group}'"
        header = (
            f"| pair | all | {inside} {label} | {outside} others | p (all) "
            "| mean relative difference |"
        )
    lines = [header, "|---" * header.count(" | ") + "|---|"]
    lines += ["| " + " | ".join(row[:-1]) + " |" for row in rows]
    return "\n".join(lines) + "\n"


LOSS_COLUMNS = (("test RMSE", "test_loss"), ("search loss", "search_loss"))


def loss_tables(
    pairs: Callable[[Callable[[Path, str], pd.Series], str], list],
    group: str | None = "fri_",
    test: str = "test RMSE",
) -> str:
    """:func:`paired_table` (with ``group``) once per loss column (test, named ``test``, then
    the searches' validation loss): ``pairs(read, what)`` gives the pairs, ``read(folder,
    mode)`` reading that column and ``what`` naming it for the pairs' labels."""
    tables = []
    for what, column in LOSS_COLUMNS:

        def read(folder: Path, mode: str, column: str = column) -> pd.Series:
            return mode_losses(folder, mode, column)

        label = test if column == "test_loss" else what
        tables.append(paired_table(pairs(read, label), group))
    return "\n".join(tables)


def _k_order(k) -> tuple[int, float]:
    """Trial counts (5, "10e") by their number, then budgets in seconds ("60s")."""
    text = str(k)
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    return (text.endswith("s"), float(digits) if digits else float("inf"))


def summarize(results: pd.DataFrame) -> str:
    """Mean rank, mean normalised score (per dataset, 1 for the best setting and 0 for the
    worst) and paired comparisons with Wilcoxon signed-rank p-values."""
    from benchmarks.stats import wilcoxon_p

    if "split" in results:
        results = complete_splits(results)
    # The mean over splits; datasets every setting finished.
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    table = table.dropna()
    if table.empty:
        raise ValueError(
            "no dataset has every setting on every split its rows name; "
            "--settings narrows the summary to settings that share their splits"
        )
    n_splits = results.groupby("dataset")["split"].nunique() if "split" in results else None
    ranks = table.rank(axis=1, method="average").mean()
    low, high = table.min(axis=1), table.max(axis=1)
    score = 1 - table.sub(low, axis=0).div((high - low).where(high > low, 1.0), axis=0)
    splits = (
        ""
        if n_splits is None or n_splits.max() <= 1
        else f" Test loss: the mean over {n_splits.min()} to {n_splits.max()} splits."
    )
    lines = [
        f"{len(table)} datasets.{splits}",
        "",
        f"| setting | mean rank (1 best, of {table.shape[1]}) | mean normalised score "
        "(1 best) | mean test loss |",
        "|---|---|---|---|",
    ]
    for col in table.columns:
        lines.append(
            f"| {col[0]}@{col[1]} | {ranks[col]:.2f} | {score[col].mean():.3f} | "
            f"{table[col].mean():.4f} |"
        )
    lines.append("")
    modes = list(dict.fromkeys(m for m, _ in table.columns))
    # In trial order whatever the results files' order ("10e" before "50e"; 60 s last).
    ks = sorted(dict.fromkeys(k for _, k in table.columns), key=_k_order)
    pairs = []
    if "cold" in modes:
        last = ks[-1]
        pairs += [((m, k), ("cold", last)) for m in modes if m != "cold" for k in ks[:2]]
        pairs += [((m, k), ("cold", k)) for m in modes if m != "cold" for k in ks]
    if "portfolio" in modes:
        pairs += [(("portfolio", k), (m, k)) for m in ("warm", "random") if m in modes for k in ks]
    if "random" in modes:
        pairs += [((m, k), ("random", k)) for m in modes if m not in ("cold", "random") for k in ks]
    # Each mode against its variants: "portfolio-default-first", or the same mode run by the
    # code before a change and renamed ("default-before").
    # And a variant that adds to a mode ("portfolio+box") against the mode.
    pairs += [((v, k), (m, k)) for m in modes for v in modes if v.startswith(f"{m}+") for k in ks]
    pairs += [((m, k), (v, k)) for m in modes for v in modes if v.startswith(f"{m}-") for k in ks]
    per_split = {}  # split -> its test losses, on the datasets of the mean's table
    if "split" in results and results["split"].nunique() > 1:
        per_split = {
            split: rows.pivot_table(
                index="dataset", columns=["mode", "k"], values="test_loss"
            ).reindex(table.index)
            for split, rows in results.groupby("split")
        }
    for a, b in dict.fromkeys(pairs):
        if a not in table or b not in table or a == b:
            continue
        diff = table[a] - table[b]
        wins, ties, losses = near_counts(table[a], table[b], tie=1e-12, relative=False)
        p = wilcoxon_p(diff[diff.abs() > 1e-12], min_pairs=5)
        close = "/".join(map(str, near_counts(table[a], table[b])))
        splits_close = "; ".join(
            f"split {s}: " + "/".join(map(str, near_counts(t[a], t[b])))
            for s, t in per_split.items()
            if a in t and b in t
        )
        lines.append(
            f"- {a[0]}@{a[1]} vs {b[0]}@{b[1]}: better on {wins}, tied on {ties}, worse on "
            f"{losses}; mean rank {ranks[a]:.2f} vs {ranks[b]:.2f}, mean "
            f"normalised score {score[a].mean():.3f} vs {score[b].mean():.3f}; Wilcoxon p = "
            f"{p:.3g}. Better / tied / worse with ties within {NEAR_TIE:.1%}: {close}"
            + (f" ({splits_close})" if splits_close else "")
            + "."
        )
    if "warm_start_seconds" in results.columns:
        warm = results["mode"].map(lambda m: MODE_PARAMS.get(m, {}).get("warm_start") is not False)
        planning = results[warm].drop_duplicates(["dataset", "mode"])
        planning = planning["warm_start_seconds"].dropna()
        if len(planning):
            lines.append(
                f"- Warm-start planning (meta-features, neighbours, ordering) over {len(planning)} "
                f"fits: median {planning.median():.2f} s, 90th percentile "
                f"{planning.quantile(0.9):.2f} s, max {planning.max():.2f} s."
            )
    if "timeout_seconds" in results.columns:
        for mode, fits in results.dropna(subset=["timeout_seconds"]).groupby("mode"):
            fits = fits.drop_duplicates([c for c in ("dataset", "split") if c in fits])
            lines.append(
                f"- {mode}: {int((fits['n_timeouts'] > 0).sum())} of {len(fits)} fits had a trial "
                f"time out, {int(fits['n_timeouts'].sum())} trials, "
                f"{fits['timeout_seconds'].sum():.0f} s in all (mean "
                f"{fits['timeout_seconds'].mean():.1f} s per fit); "
                f"{int(fits['n_skipped'].sum())} trials skipped as expected not to finish."
            )
            if "timeout_models" in fits:
                by_model = timeouts_by_model(fits["timeout_models"])
                if len(by_model):
                    lines[-1] += (
                        " Timeouts by model: "
                        + ", ".join(f"{model} {n}" for model, n in by_model.items())
                        + "."
                    )
    per = table.copy()
    per.columns = [f"{m}@{k}" for m, k in per.columns]
    lines += [
        "",
        "Per dataset (test loss: 1-AUC for binary, log loss for multiclass, RMSE for regression):",
        "",
        to_markdown(per.round(4)),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument(
        "--datasets-file", default=str(HERE / "suites" / "pmlb-classification-sample.txt")
    )
    parser.add_argument("--all", action="store_true", help="every PMLB dataset of --task")
    parser.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    parser.add_argument("--max-rows", type=int, default=12_000)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument(
        "--summarize-only", action="store_true", help="write the summary of what --out holds"
    )
    parser.add_argument(
        "--settings",
        help="summarise only these MODE@K (e.g. default@10e,cold@50e): a folder's other "
        "settings may lack the splits these have",
    )
    parser.add_argument("--shard", default="0/1", help="i/n: every n-th dataset from the i-th")
    parser.add_argument(
        "--split-seed",
        type=int,
        default=0,
        help="seed of the 2/3-1/3 split; several in one --out are averaged in the summary",
    )
    parser.add_argument("--trial-limit", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    parser.add_argument(
        "--portfolio-source", default="matrix", help="runs the portfolio is built from"
    )
    parser.add_argument(
        "--budgets",
        help="comma-separated seconds (e.g. 10,60): fit with these budgets and score the "
        "estimator itself, instead of incumbents after k trials",
    )
    parser.add_argument(
        "--trials",
        help="comma-separated trial counts (e.g. 10,50): fit with n_trials set to each and "
        "score the estimator itself (its ensemble, as a user gets it; k written as 10e), "
        "instead of incumbents after k trials of one fit",
    )
    parser.add_argument(
        "--checkpoints",
        default=",".join(map(str, CHECKPOINTS)),
        help="comma-separated trial counts to score the incumbent at; a fit runs the largest",
    )
    parser.add_argument(
        "--missing",
        type=float,
        help="blank this fraction of the cells of a seeded half of the columns (train and test "
        "alike): every table a table with missing values",
    )
    parser.add_argument(
        "--search-seed",
        type=int,
        default=0,
        help="the fits' random_state: another seed is another sample of each search, to tell a "
        "difference between modes from the spread of one mode's runs",
    )
    parser.add_argument("--out", default="bench-results/warm-vs-cold")
    args = parser.parse_args(argv)
    if not args.summarize_only:
        run(args)
    results = _read_results(Path(args.out))
    if args.settings:
        chosen = [tuple(s.split("@", 1)) for s in args.settings.split(",")]
        setting = list(zip(results["mode"], results["k"].astype(str), strict=True))
        results = results[[s in chosen for s in setting]]
    summary = summarize(results)
    table = results.pivot_table(index="dataset", columns=["mode", "k"], values="test_loss")
    plot_by_trials(table.dropna(), Path(args.out) / "warm_vs_cold.png")
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
