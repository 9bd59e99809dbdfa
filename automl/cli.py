"""The `automl` command: fit, predict, knowledge-base and benchmark subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import joblib
import pandas as pd

from automl._io import infer_task, read_table, split_target


def _fit(args) -> int:
    from automl import AutoMLClassifier, AutoMLRegressor
    from automl._steering import SteeringError, read_steering_file

    steering = read_steering_file(args.config) if args.config else {}  # before a long read
    frame = read_table(args.data)
    X, y = split_target(frame, args.target, args.data)
    task = args.task or infer_task(y)
    cls = AutoMLClassifier if task == "classification" else AutoMLRegressor
    params = dict(
        time_budget=args.time_budget,
        energy_budget=args.energy_budget,
        n_trials=args.n_trials,
        metric=args.metric,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
        n_jobs=args.n_jobs,
        dask_client=args.dask_scheduler,
        warm_start=not args.cold,
        update_knowledge_base=not args.no_kb_update,
    )
    if args.knowledge_base:
        params["knowledge_base"] = args.knowledge_base
    params.update(steering)
    try:
        model = cls(**params).fit(X, y)
    except SteeringError as exc:
        raise SteeringError(f"{args.config}: {exc}") from None
    out = Path(args.out)
    joblib.dump(model, out)
    columns = ["rank", "model", "score", "ensemble_weight", "fit_time", "energy_joules", "status"]
    board = model.leaderboard_[columns]
    print(f"{task}: {len(X)} rows, {X.shape[1]} columns; metric {model.metric_}")
    print(board.head(args.top).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    energy = model.energy_
    print(
        f"{len(model.trials_)} trials in {model.fit_time_:.1f}s, {energy['cpu_seconds']:.1f} CPU s, "
        f"{energy['joules']:.0f} J ({_ENERGY_SOURCES[energy['source']]}); model saved to {out}"
    )
    return 0


_ENERGY_SOURCES = {"rapl": "measured by RAPL", "model": "estimated from CPU time"}


def _predict(args) -> int:
    model = joblib.load(args.model)
    frame = read_table(args.data)
    names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    extra = [c for c in frame.columns if str(c) not in names] if names else []
    if extra and args.drop_extra:
        frame = frame.drop(columns=extra)
    predictions = pd.DataFrame({"prediction": model.predict(frame)})
    if args.proba and hasattr(model, "predict_proba"):
        proba = model.predict_proba(frame)
        for i, label in enumerate(model.classes_):
            predictions[f"proba_{label}"] = proba[:, i]
    predictions.to_csv(args.out, index=False)
    print(f"{len(predictions)} predictions written to {args.out}")
    return 0


def _report(args) -> int:
    from automl._report import load_model

    model = load_model(args.model)
    try:
        index = model.report(args.out)
    except ImportError as exc:
        print(f"automl report: error: {exc}", file=sys.stderr)
        return 2
    print(f"report written to {index}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand, each bound to the function that runs it."""
    parser = argparse.ArgumentParser(prog="automl", description="AutoML that learns from its past.")
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="search pipelines for a table and save the fitted model")
    fit.add_argument("data", help="CSV, TSV (gzip too) or Parquet file")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument("--task", choices=["classification", "regression"])
    fit.add_argument("--time-budget", type=float, default=60.0, help="seconds (default 60)")
    fit.add_argument(
        "--energy-budget", type=float, help="joules the search may spend (default: no limit)"
    )
    fit.add_argument("--n-trials", type=int)
    fit.add_argument("--metric")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--n-jobs", type=int, default=-1, help="cores to use (-1: all)")
    fit.add_argument("--dask-scheduler", help="run the trials on this Dask scheduler (address)")
    fit.add_argument("--knowledge-base", help="knowledge-base folder (default: shipped + user's)")
    fit.add_argument("--cold", action="store_true", help="no warm start from the knowledge base")
    fit.add_argument("--no-kb-update", action="store_true", help="do not record this fit")
    fit.add_argument(
        "--config",
        help="YAML or JSON file steering the search: models, search_space, "
        "initial_configurations, exclude_preprocessing (see README)",
    )
    fit.add_argument("--out", default="model.joblib")
    fit.add_argument("--top", type=int, default=10, help="leaderboard rows to print")
    fit.add_argument("--quiet", action="store_true")
    fit.set_defaults(func=_fit)

    predict = sub.add_parser("predict", help="predict with a saved model")
    predict.add_argument("model")
    predict.add_argument("data")
    predict.add_argument("--out", default="predictions.csv")
    predict.add_argument("--proba", action="store_true", help="add class probabilities")
    predict.add_argument(
        "--drop-extra", action="store_true", help="ignore columns the model was not fitted on"
    )
    predict.set_defaults(func=_predict)

    report = sub.add_parser("report", help="write a saved model's fit report (HTML and PNGs)")
    report.add_argument("model", help="a model saved by `automl fit`")
    report.add_argument("--out", default="report", help="folder of index.html (default report)")
    report.set_defaults(func=_report)

    from automl._kb_cli import add_kb_commands

    add_kb_commands(sub)
    add_plugin_commands(sub)
    return parser


#: Entry-point group of the subcommands other packages add to ``automl``: each names a function
#: ``register(subparsers)`` that adds its subparser (``automl bench`` comes from the benchmarks,
#: which sit above ``automl`` and are not imported by it).
COMMANDS_GROUP = "automl.commands"


def add_plugin_commands(sub) -> None:
    """Add the subcommands registered under :data:`COMMANDS_GROUP`; one that fails to load
    becomes a subcommand that says why, and the others still work."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=COMMANDS_GROUP):
        try:
            register = entry.load()
        except ImportError as exc:
            _add_unavailable(sub, entry.name, f"{entry.value} does not import ({exc})")
        else:
            register(sub)


def _add_unavailable(sub, name: str, why: str) -> None:
    def refuse(args) -> int:
        print(f"automl {name}: unavailable: {why}", file=sys.stderr)
        return 2

    parser = sub.add_parser(name, help=f"(unavailable: {why})", add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    parser.set_defaults(func=refuse)


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code (2 for bad input, named on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, TypeError) as exc:
        print(f"automl {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
