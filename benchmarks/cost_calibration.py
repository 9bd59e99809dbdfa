"""How far off the cost model is on a family's first trial, and the family factors that fit.

A family's first trial in a search has no trials of its own to go by: the cost model predicts it
from the other families' trials, scaled by ``automl._cost.FAMILY_COST``. This replays real
searches' trial logs (``trials/*.parquet`` of ``automl bench run`` outputs) through
:class:`automl._cost.CostEstimator` in trial order, and records each such prediction against
the fitting time the trial took (a timeout's at twice its limit, as the search takes it).

The factors are calibrated the way they are used: the median over searches of a family's first
trial against LightGBM's first trial (both per unit of ``size_factor`` and of rows). Compared
by 2-fold cross-validation over datasets: the shipped table, and the table calibrated on the
other half. Written: ``trials.csv.gz`` (the columns used, so the figures can be recomputed
without the logs), ``summary.md``. A family's cost grows with the classes as
``automl._cost.CLASS_EXPONENT`` says; ``--pmlb`` adds each dataset's classes to the cached trials.

    python -m benchmarks.cost_calibration --trials bench-results/i11-s11 ... \
        --pmlb ../shared/datasets/pmlb --out benchmarks/results/cost-calibration
"""

from __future__ import annotations

import argparse
import json
import math
import zlib
from collections import defaultdict
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

import automl._cost as cost_model
from automl._cost import (
    FAMILY_COST,
    PROCESS_OVERHEAD,
    CostEstimator,
    class_factor,
    size_factor,
)
from benchmarks.report import to_markdown

COLUMNS = ["run", "dataset", "trial", "model", "config", "fidelity", "fit_time", "status"]


def load_trials(folders: list[Path]) -> pd.DataFrame:
    """Successful and timed-out trials of every search log under ``folders``, in trial order."""
    frames = []
    for folder in folders:
        for path in sorted(Path(folder).glob("trials/*.parquet")):
            trials = pd.read_parquet(path)
            trials = trials[trials["status"].isin(["success", "timeout"])].copy()
            trials["run"] = f"{Path(folder).name}/{path.stem}"
            frames.append(trials)
    trials = pd.concat(frames, ignore_index=True)
    trials["config"] = [c if isinstance(c, str) else json.dumps(dict(c)) for c in trials["config"]]
    return trials[COLUMNS].sort_values(["run", "trial"], ignore_index=True)


def _runs(trials: pd.DataFrame):
    for run, group in trials.groupby("run", sort=True):
        configs = [json.loads(c) for c in group["config"]]
        yield run, group["dataset"].iloc[0], configs, group


def _n_classes(group: pd.DataFrame) -> int:
    if "n_classes" not in group or pd.isna(group["n_classes"].iloc[0]):
        return 0
    return int(group["n_classes"].iloc[0])


def _units(config: dict, n_classes: int) -> float:
    """What a configuration's cost is measured in: its size, and its classes where the
    family builds per class."""
    return size_factor(config) * class_factor(config["model"], n_classes)


def _seconds(row) -> float:
    return row.fit_time * (2.0 if row.status == "timeout" else 1.0)


def calibrate(trials: pd.DataFrame) -> dict[str, float]:
    """Each family's first trial against LightGBM's first, per unit of size and rows: the
    median over searches."""
    ratios = defaultdict(list)
    for _, _, configs, group in _runs(trials):
        first = {}
        n_classes = _n_classes(group)
        for config, row in zip(configs, group.itertuples(), strict=True):
            family = config["model"]
            if family not in first:
                work = max(_seconds(row), 1e-3) / row.fidelity / _units(config, n_classes)
                first[family] = math.log(work)
        if "lightgbm" in first:
            for family, value in first.items():
                ratios[family].append(value - first["lightgbm"])
    return {family: float(math.exp(np.median(v))) for family, v in sorted(ratios.items())}


def replay(
    trials: pd.DataFrame,
    family_cost: dict[str, float] = FAMILY_COST,
    bases: tuple[str, ...] = ("other",),
) -> pd.DataFrame:
    """log2(actual / predicted) of every trial predicted on one of ``bases`` (by default, from
    other families' trials)."""
    rows = []
    for run, dataset, configs, group in _runs(trials):
        cost = CostEstimator(1_000, 1, 10, _n_classes(group), family_cost=family_cost)
        for config, row in zip(configs, group.itertuples(), strict=True):
            seconds, basis = cost.predict(config)
            if basis in bases:
                fitting = (seconds - PROCESS_OVERHEAD) * row.fidelity
                error = math.log2(max(_seconds(row), 1e-3) / fitting)
                rows.append(
                    dict(run=run, dataset=dataset, family=config["model"], basis=basis, error=error)
                )
            cost.observe(
                config, row.fit_time, timed_out=row.status == "timeout", fidelity=row.fidelity
            )
    return pd.DataFrame(rows)


def error_summary(errors: pd.Series) -> dict:
    return {
        "predictions": len(errors),
        "median log2(actual/predicted)": round(float(errors.median()), 2),
        "actual > 2x predicted": round(float((errors > 1).mean()), 3),
        "actual > 4x predicted": round(float((errors > 2).mean()), 3),
        "predicted > 3x actual": round(float((errors < -math.log2(3)).mean()), 3),
        "mean abs log2 error": round(float(errors.abs().mean()), 3),
    }


def cross_validate(trials: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay errors of the shipped table and of the table calibrated on the other half of
    the datasets (2 folds by dataset name)."""
    half = trials["dataset"].map(lambda name: zlib.crc32(name.encode()) % 2)
    errors = []
    for fold in (0, 1):
        table = calibrate(trials[half != fold])
        test = trials[half == fold]
        for label, family_cost in (("shipped", FAMILY_COST), ("calibrated", table)):
            errors.append(replay(test, family_cost).assign(table=label))
    errors = pd.concat(errors, ignore_index=True)
    overall = pd.DataFrame(
        {label: error_summary(e["error"]) for label, e in errors.groupby("table")}
    ).T
    by_family = (
        errors.groupby(["family", "table"])["error"]
        .apply(lambda e: pd.Series(error_summary(e)))
        .unstack()
    )
    return overall, by_family


ROUNDS_KEY = {"lightgbm": "n_estimators", "catboost": "iterations"}
# How cost may grow with the rounds (automl._cost.ROUNDS_EXPONENT), as measured in session 38;
# benchmarks.warm_vs_cold's modes -linear-rounds and -sqrt-rounds fit with these.
ROUNDS_SETTINGS = {
    "linear": {"lightgbm": 1.0, "catboost": 1.0},
    "square root (LightGBM)": {"lightgbm": 0.5, "catboost": 1.0},
}


def rounds_comparison(trials: pd.DataFrame, families=tuple(ROUNDS_KEY)) -> pd.DataFrame:
    """Errors of the trials predicted from their own family's trials (``own`` and ``scaled``),
    with cost growing with the rounds as each of :data:`ROUNDS_SETTINGS` says."""
    frames = []
    for label, exponents in ROUNDS_SETTINGS.items():
        with mock.patch.object(cost_model, "ROUNDS_EXPONENT", exponents):
            errors = replay(trials, bases=("own", "scaled"))
        frames.append(errors[errors["family"].isin(families)].assign(rounds=label))
    errors = pd.concat(frames, ignore_index=True)
    return (
        errors.groupby(["family", "rounds"])["error"]
        .apply(lambda e: pd.Series(error_summary(e)))
        .unstack()
    )


def rounds_exponent(runs: pd.DataFrame, family: str, group: str) -> float:
    """How a ``family``'s fitting time grows with its rounds, ``time ~ rounds ** e``: least
    squares on the log scale over successful fits on all rows, with each ``group``'s mean (a
    dataset's or a search's) taken out, the rest of the size (leaves, depth) and the learning
    rate held in the fit."""
    runs = runs[(runs["model"] == family) & (runs["status"] == "success")]
    if "fidelity" in runs:
        runs = runs[runs["fidelity"].fillna(1.0) == 1.0]
    configs = [json.loads(c) for c in runs["config"]]
    rounds = np.log([float(c[f"{family}:{ROUNDS_KEY[family]}"]) for c in configs])
    rate = np.log([float(c.get(f"{family}:learning_rate", 0.1)) for c in configs])
    size = np.log([size_factor(c) for c in configs]) - cost_model.ROUNDS_EXPONENT[family] * rounds
    columns = {"y": np.log(runs["fit_time"].clip(lower=1e-3).to_numpy()), "rounds": rounds}
    frame = pd.DataFrame({**columns, "size": size, "rate": rate, "group": runs[group].to_numpy()})
    centred = frame.drop(columns="group") - frame.groupby("group").transform("mean")
    x = centred[["rounds", "size", "rate"]].to_numpy()
    return float(np.linalg.lstsq(x, centred["y"].to_numpy(), rcond=None)[0][0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", nargs="*", type=Path, default=[], help="bench output folders")
    parser.add_argument("--pmlb", type=Path, help="PMLB folder: adds n_classes from index.csv")
    parser.add_argument("--kb", type=Path, help="knowledge base: fit the rounds on its matrix")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cached = args.out / "trials.csv.gz"
    if args.trials:
        load_trials(args.trials).to_csv(cached, index=False)
    trials = pd.read_csv(cached)
    if args.pmlb is not None:
        index = pd.read_csv(args.pmlb / "index.csv").set_index("name")
        trials["n_classes"] = trials["dataset"].map(index["n_classes"]).fillna(0).astype(int)
        trials.to_csv(cached, index=False)
    overall, by_family = cross_validate(trials)
    table = calibrate(trials)
    factors = pd.DataFrame(
        {"shipped": pd.Series(FAMILY_COST), "calibrated on all": pd.Series(table).round(2)}
    )
    lines = [
        "# The cost model on a family's first trial",
        "",
        f"{trials['run'].nunique()} searches on {trials['dataset'].nunique()} datasets, "
        f"{len(trials)} trials. Errors by 2-fold cross-validation over datasets.",
        "",
        to_markdown(overall.rename_axis("family factors")),
        "",
        to_markdown(by_family),
        "",
        "Family factors (a family's defaults against LightGBM's, per unit of size):",
        "",
        to_markdown(factors.rename_axis("family")),
    ]
    fitted = {f: {"searches": rounds_exponent(trials, f, "run")} for f in ROUNDS_KEY}
    if args.kb is not None:
        from knowledge_base import KnowledgeBase

        runs = KnowledgeBase(args.kb).runs()
        matrix = runs[runs["source"] == "matrix"]
        for family in ROUNDS_KEY:
            fitted[family]["matrix"] = rounds_exponent(matrix, family, "dataset_id")
    lines += [
        "",
        "How fitting time grows with the rounds asked for (time ~ rounds ** e, fitted), and the",
        "exponent the cost model ships (`automl._cost.ROUNDS_EXPONENT`):",
        "",
        to_markdown(
            pd.DataFrame(fitted)
            .T.round(2)
            .assign(shipped=cost_model.ROUNDS_EXPONENT)
            .rename_axis("family")
        ).rstrip(),
        "",
        "Trials predicted from their own family's trials (`own`, `scaled`), with cost linear in",
        "rounds (shipped) and with LightGBM's growing as their square root (session 38):",
        "",
        to_markdown(rounds_comparison(trials)),
    ]
    (args.out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
