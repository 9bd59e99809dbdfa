"""Calibration, noise-aware ensemble selection and repeated CV on small classification data.

For each PMLB classification dataset of at most ``--max-rows`` rows (a seeded order; ``--limit``
takes the first n): one stratified 2/3-1/3 split (seed 0); ``AutoMLClassifier`` with
``warm_start=False``, ``update_knowledge_base=False``, ``n_trials=15``, ``time_budget=1200``,
``random_state=0`` is fitted once with ``resampling="cv"`` (5-fold) and once with
``"repeated-cv"`` (5-fold x 3). Every successful trial's out-of-fold predictions are kept, and
each trial is refitted on the whole training part and predicts the test part (cached in
``--cache``). Then, from the same searches, every post-hoc variant is scored on the test part:

- selection: ``greedy`` (Caruana, stopping when no addition helps: the old default), ``full``
  (all 50 rounds), ``bagged`` (20 bootstrap samples of the rows, averaged weights);
- calibration: ``raw`` (none: the old default), ``none`` (only the 1/(n+2) prior floor),
  ``floor``, ``temperature``, ``vector``, ``auto`` (cross-fitted choice), each fitted on the
  ensemble's in-sample out-of-fold mix or cross-fitted (weights chosen on the other folds);
- resampling: cv or repeated-cv.

``before`` is cv + greedy + raw (the estimator before this change); ``after`` is what the
estimator now does (``automl._ensemble.select_and_calibrate`` with its defaults, and
``resampling="auto"``'s choice of scheme). References: a random forest with 500 trees and
LightGBM's defaults (``benchmarks/systems.py``). Written: ``results.csv`` (one row per dataset
and variant) and ``summary.md``.

    PYTHONHASHSEED=0 python benchmarks/calibration.py --out benchmarks/results/calibration
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier
from automl._calibration import fit_calibrator, folds_for
from automl._ensemble import cross_fitted_ensemble, ensemble_selection, select_and_calibrate
from automl._evaluation import predict_pipeline, refit
from automl._task import METRICS
from benchmarks.metrics import score_predictions
from benchmarks.report import to_markdown
from benchmarks.systems import FitContext, LightGBM, RandomForest

HERE = Path(__file__).resolve().parent
SETTINGS = dict(
    time_budget=1200,  # per trial 300 s: on a loaded machine n_trials still decides
    n_trials=15,
    warm_start=False,
    update_knowledge_base=False,
    random_state=0,
    n_jobs=1,
)
SCHEMES = ("cv", "repeated-cv")
SELECTIONS = {
    "greedy": dict(bags=0, early_stop=True),
    "full": dict(bags=0, early_stop=False),
    "bagged": dict(bags=20, early_stop=True),
}
CALIBRATIONS = ("raw", "none", "floor", "temperature", "vector", "auto")
ENSEMBLE_SIZE = 50
CANDIDATES = 20


class _Capturing(AutoMLClassifier):
    """The estimator, keeping what its ensemble step saw (the search and the encoded data)."""

    def _fit_ensemble(self, result, data, y_enc, spec, metric, budget):
        self._seen = (result, data, y_enc, spec, metric)
        return super()._fit_ensemble(result, data, y_enc, spec, metric, budget)


def collect(name: str, scheme: str, X_train, y_train, X_test) -> dict:
    """One search, its candidates' out-of-fold predictions and their refits' test predictions."""
    start = time.monotonic()
    model = _Capturing(resampling=scheme, **SETTINGS).fit(X_train, y_train)
    seconds = time.monotonic() - start
    result, data, y_enc, spec, metric = model._seen
    candidates = [t for t in result.successful() if t.trial in result.predictions][:CANDIDATES]
    test = model._prepare(X_test)
    oof, test_preds, trials = [], [], []
    for t in candidates:
        pipeline = refit(t.config, data, y_enc, spec)
        oof.append(result.predictions[t.trial].astype(np.float64))
        test_preds.append(predict_pipeline(pipeline, test, spec.task, spec.n_classes))
        trials.append((t.trial, t.model, t.loss))
    return {
        "dataset": name,
        "scheme": scheme,
        "metric": metric.name,
        "classes": model.classes_,
        "y": y_enc,
        "prior": np.bincount(y_enc, minlength=spec.n_classes) / len(y_enc),
        "oof": oof,
        "test": test_preds,
        "trials": trials,
        "estimator_test_proba": model.predict_proba(X_test),
        "search_seconds": float(model.timings_["search"]),
        "fit_seconds": seconds,
        "n_trials": len(model.trials_),
        "n_ok": int((model.trials_["status"] == "success").sum()),
        "seed": int(spec.seed),
    }


def references(X_train, y_train, X_test, task_type: str) -> dict[str, np.ndarray]:
    out = {}
    for name, system in (("rf", RandomForest()), ("lightgbm", LightGBM())):
        ctx = FitContext(task_type=task_type, metric="log_loss", budget=300, seed=0)
        system.fit(X_train, y_train, ctx)
        out[name] = (system.predict_proba(X_test), np.asarray(system.classes_))
    return out


def scores(y_test, proba, classes) -> dict[str, float]:
    out = {"log_loss": score_predictions("log_loss", y_test, None, proba, classes)}
    if len(classes) == 2:
        out["roc_auc"] = score_predictions("roc_auc", y_test, None, proba, classes)
    out["min_proba"] = float(np.min(proba))
    return out


def variants(art: dict) -> list[dict]:
    """Every (selection, calibration, cross-fit) variant on one cached search."""
    metric = METRICS[art["metric"]]
    y, oof, test = art["y"], art["oof"], art["test"]
    labels = np.arange(len(art["classes"]))
    seed = art["seed"]
    rows = []
    for sel_name, sel in SELECTIONS.items():
        options = dict(size=ENSEMBLE_SIZE, labels=labels, seed=seed, **sel)
        weights = ensemble_selection(oof, y, metric, **options)
        mix_oof = sum(w * p for w, p in zip(weights, oof) if w > 0)
        mix_test = sum(w * p for w, p in zip(weights, test) if w > 0)
        crossed = cross_fitted_ensemble(oof, y, metric, folds_for(y, seed), **options)
        for cal in CALIBRATIONS:
            for cross_fit in (False, True) if cal not in ("raw", "none") else (False,):
                if cal == "raw":
                    proba = np.clip(mix_test, 0.0, None)
                    proba = proba / proba.sum(axis=1, keepdims=True)
                    chosen = "raw"
                else:
                    source = crossed if cross_fit else mix_oof
                    calibrator = fit_calibrator(source, y, cal, prior=art["prior"], seed=seed)
                    proba = calibrator.transform(mix_test)
                    chosen = calibrator.method
                rows.append(
                    dict(
                        selection=sel_name,
                        calibration=cal,
                        cross_fit=cross_fit,
                        chosen=chosen,
                        n_members=int((weights > 0).sum()),
                        proba=proba,
                    )
                )
    weights, calibrator = select_and_calibrate(
        oof,
        y,
        metric,
        size=ENSEMBLE_SIZE,
        labels=labels,
        prior=art["prior"],
        seed=seed,
    )
    proba = calibrator.transform(sum(w * p for w, p in zip(weights, test) if w > 0))
    rows.append(
        dict(
            selection="shipped",
            calibration="shipped",
            cross_fit=True,
            chosen=calibrator.method,
            n_members=int((weights > 0).sum()),
            proba=proba,
        )
    )
    return rows


def _split(name: str, pmlb: Path):
    frame = pd.read_csv(pmlb / f"{name}.tsv.gz", sep="\t")
    X, y = frame.drop(columns="target"), frame["target"]
    stratify = y if y.value_counts().min() >= 2 else None
    return train_test_split(X, y, test_size=1 / 3, random_state=0, stratify=stratify)


def run(args) -> pd.DataFrame:
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    pmlb = Path(args.pmlb)
    index = pd.read_csv(pmlb / "index.csv").set_index("name")
    names = list(index.index[(index["task"] == "classification")])
    names = [names[i] for i in np.random.default_rng(0).permutation(len(names))]
    names = [n for n in names if index.loc[n, "n_instances"] <= args.max_rows]
    if args.limit:
        names = names[: args.limit]
    rows = []
    for name in names:
        X_train, X_test, y_train, y_test = _split(name, pmlb)
        task_type = "binary" if y_train.nunique() == 2 else "multiclass"
        ref_file = cache / f"{name}.references.pkl"
        if not ref_file.exists() and not args.analyse_only:
            refs = references(X_train, y_train, X_test, task_type)
            ref_file.write_bytes(pickle.dumps(refs))
        if not ref_file.exists():
            continue
        refs = pickle.loads(ref_file.read_bytes())
        base = dict(dataset=name, n_train=len(X_train), n_classes=y_train.nunique())
        for ref, (proba, classes) in refs.items():
            rows.append(dict(base, system=ref, scheme="", **scores(y_test, proba, classes)))
        for scheme in SCHEMES:
            art_file = cache / f"{name}.{scheme}.pkl"
            if not art_file.exists() and not args.analyse_only:
                art = collect(name, scheme, X_train, y_train, X_test)
                art_file.write_bytes(pickle.dumps(art))
                print(
                    f"{name:<28} {scheme:<12} {art['n_ok']}/{art['n_trials']} trials ok, "
                    f"search {art['search_seconds']:.0f}s",
                    file=sys.stderr,
                    flush=True,
                )
            if not art_file.exists() or args.collect_only:
                continue
            art = pickle.loads(art_file.read_bytes())
            classes = art["classes"]
            common = dict(
                base, scheme=scheme, search_seconds=art["search_seconds"], n_ok=art["n_ok"]
            )
            rows.append(
                dict(
                    common,
                    system="automl",
                    selection="estimator",
                    calibration="estimator",
                    **scores(y_test, art["estimator_test_proba"], classes),
                )
            )
            for v in variants(art):
                proba = v.pop("proba")
                rows.append(dict(common, system="automl", **v, **scores(y_test, proba, classes)))
    results = pd.DataFrame(rows)
    results.to_csv(Path(args.out) / "results.csv", index=False)
    return results


def auto_scheme(n_train: int, threshold: int) -> str:
    return "repeated-cv" if n_train <= threshold else "cv"


def summarize(results: pd.DataFrame, threshold: int) -> str:
    refs = results[results["system"] != "automl"].pivot_table(
        index="dataset", columns="system", values="log_loss"
    )
    best_ref = refs.min(axis=1)
    auto = results[results["system"] == "automl"].copy()
    auto["cross_fit"] = auto["cross_fit"].fillna(False).astype(bool)
    auto["variant"] = (
        auto["scheme"]
        + "/"
        + auto["selection"]
        + "/"
        + auto["calibration"]
        + np.where(auto["cross_fit"], "/xfit", "")
    )
    table = auto.pivot_table(index="dataset", columns="variant", values="log_loss")
    n_train = auto.groupby("dataset")["n_train"].first()
    for suffix in ("shipped/shipped/xfit",):
        table[f"auto/{suffix}"] = [
            table.loc[d, f"{auto_scheme(n_train[d], threshold)}/{suffix}"] for d in table.index
        ]
    table = table.dropna()
    before = table["cv/greedy/raw"]
    after = table["auto/shipped/shipped/xfit"]
    refs = refs.loc[table.index]
    best_ref = best_ref.loc[table.index]

    def line(name: str, col: pd.Series) -> dict:
        return {
            "variant": name,
            "mean log loss": col.mean(),
            "median": col.median(),
            "> 1.5x best of RF/LightGBM": int((col > 1.5 * best_ref).sum()),
            "wins/ties/losses vs before": _wtl(col, before),
            "vs RF": _wtl(col, refs["rf"]),
            "vs LightGBM": _wtl(col, refs["lightgbm"]),
        }

    main = [
        line("before (cv, greedy, raw)", before),
        line(f"after (auto: repeated-cv <= {threshold} rows, shipped)", after),
        line("random forest (500 trees)", refs["rf"]),
        line("LightGBM defaults", refs["lightgbm"]),
    ]
    every = [line(c, table[c]) for c in table.columns]
    binary = auto[auto["n_classes"] == 2]
    auc = binary.pivot_table(index="dataset", columns="variant", values="roc_auc")
    auc_refs = results[(results["system"] != "automl") & (results["n_classes"] == 2)]
    auc_refs = auc_refs.pivot_table(index="dataset", columns="system", values="roc_auc")
    auc_lines = []
    ds = [d for d in auc.index if d in table.index]
    if ds:
        auc_after = pd.Series(
            [auc.loc[d, f"{auto_scheme(n_train[d], threshold)}/shipped/shipped/xfit"] for d in ds],
            index=ds,
        )
        for name, col in (
            ("before", auc.loc[ds, "cv/greedy/raw"]),
            ("after", auc_after),
            ("random forest", auc_refs.loc[ds, "rf"]),
            ("LightGBM", auc_refs.loc[ds, "lightgbm"]),
        ):
            auc_lines.append({"system": name, "mean ROC AUC": col.mean()})
    seconds = auto.groupby(["dataset", "scheme"])["search_seconds"].first().unstack()
    lines = [
        f"{len(table)} datasets ({int((n_train.loc[table.index] <= threshold).sum())} with at "
        f"most {threshold} training rows).",
        "",
        to_markdown(pd.DataFrame(main).set_index("variant").round(4)),
        "",
    ]
    if auc_lines:
        lines += [
            f"ROC AUC on the {len(ds)} binary datasets:",
            "",
            to_markdown(pd.DataFrame(auc_lines).set_index("system").round(4)),
            "",
        ]
    lines += [
        "Search seconds (15 trials, loaded machine): cv "
        f"{seconds['cv'].sum():.0f} s in all, repeated-cv {seconds['repeated-cv'].sum():.0f} s.",
        "",
        "Every variant (scheme/selection/calibration[/xfit: calibrator fitted on cross-fitted "
        "ensemble predictions]):",
        "",
        to_markdown(pd.DataFrame(every).set_index("variant").round(4)),
    ]
    by_size = []
    for lo, hi in ((0, 200), (200, 500), (500, 1000), (1000, 2000)):
        ds = [d for d in table.index if lo < n_train[d] <= hi]
        if not ds:
            continue
        t = table.loc[ds]
        by_size.append(
            {
                "training rows": f"{lo + 1}-{hi}",
                "datasets": len(ds),
                "cv (shipped selection+calibration)": t["cv/shipped/shipped/xfit"].mean(),
                "repeated-cv (same)": t["repeated-cv/shipped/shipped/xfit"].mean(),
                "repeated-cv wins/ties/losses": _wtl(
                    t["repeated-cv/shipped/shipped/xfit"], t["cv/shipped/shipped/xfit"]
                ),
                "search s cv": seconds.loc[ds, "cv"].mean(),
                "search s repeated-cv": seconds.loc[ds, "repeated-cv"].mean(),
            }
        )
    lines += [
        "",
        "By training size, mean test log loss:",
        "",
        to_markdown(pd.DataFrame(by_size).set_index("training rows").round(4)),
    ]
    return "\n".join(lines)


def _wtl(a: pd.Series, b: pd.Series, tol: float = 1e-4) -> str:
    wins = int((a < b - tol).sum())
    losses = int((a > b + tol).sum())
    return f"{wins}/{len(a) - wins - losses}/{losses}"


def main(argv=None) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # SMAC's proposals depend on the hash seed
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", "benchmarks.calibration", *sys.argv[1:]])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pmlb", default=str(HERE.parent.parent / "shared" / "datasets" / "pmlb"))
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=0, help="only the first n datasets")
    parser.add_argument("--threshold", type=int, default=1000, help="repeated-cv up to n rows")
    parser.add_argument("--cache", default=str(HERE.parent / "bench-results" / "calibration"))
    parser.add_argument("--analyse-only", action="store_true", help="only what --cache holds")
    parser.add_argument("--collect-only", action="store_true", help="fill --cache, no summary")
    parser.add_argument("--out", default=str(HERE / "results" / "calibration"))
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    results = run(args)
    if args.collect_only:
        return 0
    summary = summarize(results, args.threshold)
    (Path(args.out) / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
