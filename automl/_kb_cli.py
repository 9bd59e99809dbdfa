"""`automl kb ...`: grow, import, inspect and compact the knowledge base."""

from __future__ import annotations

from pathlib import Path


def _open(args):
    from knowledge_base import KnowledgeBase

    if args.path:
        return KnowledgeBase(Path(args.path))
    return KnowledgeBase.default()


def _stats(args) -> int:
    from knowledge_base.store import format_stats

    print(format_stats(_open(args).stats()))
    return 0


def _report_import(result, what: str) -> None:
    print(f"{what}: {len(result.datasets)} datasets, {len(result.runs)} runs imported")
    for reason, count in sorted(result.skipped.items(), key=lambda kv: -kv[1]):
        print(f"  skipped {count:>7}  {reason}")


def _import_autosklearn(args) -> int:
    from knowledge_base.importers import autosklearn

    _report_import(autosklearn.import_into(_open(args), args.dir), "auto-sklearn meta-data")
    return 0


def _import_openml_runs(args) -> int:
    from knowledge_base.importers import openml_runs

    _report_import(openml_runs.import_into(_open(args), args.dir), "OpenML runs")
    return 0


def _import_openml(args) -> int:
    from knowledge_base.importers import openml_client

    tasks = [int(t) for t in args.task.split(",")] if args.task else None
    result = openml_client.import_into(
        _open(args), task_ids=tasks, suite_id=args.suite, evaluations=args.runs
    )
    _report_import(result, "OpenML")
    return 0


def _grow(args) -> int:
    from automl._grow import grow, grow_datasets

    names = args.datasets.split(",") if args.datasets else None
    datasets = grow_datasets(args.data, task=args.task, names=names)
    kb = _open(args)
    counts = grow(
        kb,
        datasets,
        n_configs=args.configs,
        max_rows=args.max_rows,
        per_trial_time_limit=args.trial_limit,
        seed=args.seed,
    )
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(v) for v in text.split("/"))
        if not 0 <= index < count:
            raise ValueError
    except ValueError:
        raise SystemExit(f"--shard must be I/N with 0 <= I < N, got {text!r}") from None
    return index, count


def _matrix(args) -> int:
    from automl._grow import grow_datasets
    from automl._matrix import build_matrix, load_pool
    from metalearning.portfolio import MATRIX_FOLDS, MATRIX_MAX_ROWS

    names = args.datasets.split(",") if args.datasets else None
    kb = _open(args)
    pool_dir = Path(args.pool_dir) if args.pool_dir else kb.path / "portfolio"
    pools = {kind: load_pool(pool_dir, kind) for kind in ("classification", "regression")}
    counts = build_matrix(
        kb,
        grow_datasets(args.data, task=args.task, names=names),
        pools,
        max_rows=MATRIX_MAX_ROWS if args.max_rows is None else args.max_rows,
        folds=MATRIX_FOLDS if args.folds is None else args.folds,
        per_trial_time_limit=args.trial_limit,
        shard=_shard(args.shard),
        retry_failed=args.retry_failed,
    )
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _oof(args) -> int:
    from automl._grow import grow_datasets
    from automl._matrix import build_oof, load_pool, oof_candidates
    from knowledge_base import KnowledgeBase
    from metalearning.portfolio import (
        MATRIX_FOLDS,
        MATRIX_MAX_ROWS,
        find_portfolio,
        portfolio_folders,
    )

    kb = _open(args)
    out = Path(args.out)
    folders = portfolio_folders(kb)
    pool_dir = (
        Path(args.pool_dir)
        if args.pool_dir
        else next((f for f in folders if any(f.glob("pool-*.json"))), folders[0])
    )
    candidates = {}
    for kind in ("classification", "regression"):
        portfolio = find_portfolio(kind, folders)
        if portfolio is None:
            raise SystemExit(f"no {kind} portfolio in {', '.join(map(str, folders))}")
        order = [portfolio.pool[i] for i in portfolio.trial_order(size=args.candidates)]
        candidates[kind] = oof_candidates(load_pool(pool_dir, kind), order, args.candidates)
    # The runs go to a scratch base beside the predictions, never into ``kb``.
    scratch = KnowledgeBase(
        out / "runs", read_only_paths=[p for p in (kb.path, *kb.read_only_paths) if p]
    )
    names = args.datasets.split(",") if args.datasets else None
    counts = build_oof(
        scratch,
        grow_datasets(args.data, task=args.task, names=names),
        candidates,
        out,
        max_rows=MATRIX_MAX_ROWS if args.max_rows is None else args.max_rows,
        folds=MATRIX_FOLDS if args.folds is None else args.folds,
        per_trial_time_limit=args.trial_limit,
        shard=_shard(args.shard),
    )
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _portfolio(args) -> int:
    import pandas as pd

    from metalearning.portfolio import PerformanceMatrix, Portfolio

    kb = _open(args)
    folder = Path(args.out) if args.out else kb.path / "portfolio"
    for kind in ("classification", "regression"):
        try:
            matrix = PerformanceMatrix.from_knowledge_base(kb, kind, source=args.source)
        except ValueError as exc:
            print(f"{kind}: {exc}; no portfolio written")
            continue
        portfolio = Portfolio.build(matrix, kind, size=args.size, time_weight=args.time_weight)
        path = portfolio.save(folder)
        families = pd.Series([m["model"] for m in portfolio.members]).value_counts()
        print(
            f"{kind}: {len(portfolio.members)} members from {len(matrix.dataset_ids)} datasets x "
            f"{len(matrix.candidates)} candidates -> {path}\n  "
            + ", ".join(f"{f} {n}" for f, n in families.items())
        )
    return 0


def _neighbors(args) -> int:
    import pandas as pd

    from automl._io import infer_task, read_table, split_target
    from metalearning import compute_metafeatures
    from metalearning.warmstart import nearest_datasets

    frame = read_table(args.data)
    X, y = split_target(frame, args.target, args.data)
    kind = args.task or infer_task(y)
    task = (
        "regression" if kind == "regression" else ("binary" if y.nunique() == 2 else "multiclass")
    )
    mf = compute_metafeatures(X, y, task=task)
    kb = _open(args)
    nearest = nearest_datasets(kb, mf, task, k=args.k)
    if nearest.empty:
        print("The knowledge base has no dataset of this kind yet.")
        return 0
    runs = kb.runs(list(nearest["dataset_id"]))
    nearest["runs"] = nearest["dataset_id"].map(runs["dataset_id"].value_counts()).fillna(0)
    nearest["runs"] = nearest["runs"].astype(int)
    with pd.option_context("display.width", 120):
        print(nearest.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def _importance(args) -> int:
    import pandas as pd

    from automl._explain import table_importance
    from automl._io import clean_target, infer_task, read_table, split_target

    frame = read_table(args.data)
    X, y = split_target(frame, args.target, args.data)
    kind = args.task or infer_task(y)
    nearest, table = table_importance(
        X,
        clean_target(y, kind),
        kind,
        _open(args),
        k=args.k,
        metric=args.metric,
        min_trials=args.min_trials,
    )
    if nearest.empty:
        print("The knowledge base has no dataset of this kind yet.")
        return 0
    print(f"{len(nearest)} nearest past datasets: " + ", ".join(nearest["name"].astype(str)))
    shown = table if args.all else table[table["status"] == "ok"]
    with pd.option_context("display.width", 160, "display.max_rows", None):
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.png:
        from metalearning.importance import plot_importance

        title = f"Importance on the {len(nearest)} past datasets nearest {Path(args.data).name}"
        print(f"wrote {plot_importance(table, args.png, title=title)}")
    return 0


def _compact(args) -> int:
    kb = _open(args)
    before = kb.stats()["files"]
    kb.compact()
    print(f"compacted {kb.path}: {before} part files -> {kb.stats()['files']}")
    return 0


def add_kb_commands(sub) -> None:
    kb = sub.add_parser("kb", help="inspect, grow and import into the knowledge base")
    kb.add_argument("--path", help="knowledge-base folder (default: the user's, over the shipped)")
    cmds = kb.add_subparsers(dest="kb_command", required=True)

    cmds.add_parser("stats", help="what the base holds").set_defaults(func=_stats)
    cmds.add_parser("compact", help="merge part files").set_defaults(func=_compact)

    imp = cmds.add_parser("import", help="import past runs").add_subparsers(
        dest="source", required=True
    )
    a = imp.add_parser("autosklearn", help="auto-sklearn's meta-data folder")
    a.add_argument("dir")
    a.set_defaults(func=_import_autosklearn)
    r = imp.add_parser("openml-runs", help="downloaded OpenML runs (flow-*.arff.gz)")
    r.add_argument("dir")
    r.set_defaults(func=_import_openml_runs)
    o = imp.add_parser("openml", help="tasks or a suite through the OpenML client")
    which = o.add_mutually_exclusive_group(required=True)
    which.add_argument("--task", help="comma-separated task ids")
    which.add_argument("--suite", help="suite id or alias")
    o.add_argument("--runs", action="store_true", help="also import published runs")
    o.set_defaults(func=_import_openml)

    g = cmds.add_parser(
        "grow", help="evaluate reference configurations on local datasets or OpenML tasks"
    )
    g.add_argument(
        "--data",
        required=True,
        metavar="DIR_OR_SUITE",
        help="a folder of datasets with an index.csv (PMLB layout), an OpenML suite "
        "openml/s/ID or OpenML tasks openml/t/ID[,ID...] (through the openml client and its "
        "cache; a task that cannot be loaded is reported and skipped)",
    )
    g.add_argument("--task", choices=["classification", "regression"], help="keep only this kind")
    g.add_argument("--datasets", help="comma-separated dataset names (or OpenML task ids)")
    g.add_argument(
        "--configs",
        type=int,
        default=41,
        help="Sobol configurations added to the defaults (50 in all)",
    )
    g.add_argument("--max-rows", type=int, default=5000, help="subsample larger datasets")
    g.add_argument("--trial-limit", type=float, default=60.0, help="seconds per configuration")
    g.add_argument("--seed", type=int, default=0)
    g.set_defaults(func=_grow)

    m = cmds.add_parser(
        "matrix", help="evaluate the candidate pool on every dataset (the dense matrix)"
    )
    m.add_argument("--data", required=True, metavar="DIR_OR_SUITE", help="as for grow")
    m.add_argument("--task", choices=["classification", "regression"], help="keep only this kind")
    m.add_argument("--datasets", help="comma-separated dataset names (or OpenML task ids)")
    m.add_argument("--pool-dir", help="where the pool files are (default: PATH/portfolio)")
    m.add_argument(
        "--max-rows",
        type=int,
        help="subsample larger datasets (default: metalearning.portfolio.MATRIX_MAX_ROWS)",
    )
    m.add_argument(
        "--folds",
        type=int,
        help="k of k-fold cross-validation (default: metalearning.portfolio.MATRIX_FOLDS)",
    )
    m.add_argument("--trial-limit", type=float, default=60.0, help="seconds per evaluation")
    m.add_argument("--shard", default="0/1", help="I/N: every N-th dataset from the I-th")
    m.add_argument(
        "--retry-failed", action="store_true", help="evaluate crashed and timed-out cells again"
    )
    m.set_defaults(func=_matrix)

    o = cmds.add_parser(
        "oof",
        help="keep out-of-fold predictions of the per-trial order's first candidates (and "
        "each family's defaults), with the matrix's protocol, for ensemble-aware selection",
    )
    o.add_argument("--data", required=True, metavar="DIR_OR_SUITE", help="as for grow")
    o.add_argument("--out", required=True, help="folder for the predictions (not a base)")
    o.add_argument("--candidates", type=int, default=40, help="of the per-trial order")
    o.add_argument("--task", choices=["classification", "regression"], help="keep only this kind")
    o.add_argument("--datasets", help="comma-separated dataset names (or OpenML task ids)")
    o.add_argument("--pool-dir", help="where the pool files are (default: the base's)")
    o.add_argument("--max-rows", type=int, help="as for matrix (default: the matrix's)")
    o.add_argument("--folds", type=int, help="as for matrix (default: the matrix's)")
    o.add_argument("--trial-limit", type=float, default=60.0, help="seconds per evaluation")
    o.add_argument("--shard", default="0/1", help="I/N: every N-th dataset from the I-th")
    o.set_defaults(func=_oof)

    p = cmds.add_parser("portfolio", help="build the portfolios from the performance matrix")
    p.add_argument("--size", type=int, default=32, help="members per portfolio")
    p.add_argument(
        "--time-weight",
        type=float,
        default=0.5,
        help="0: greedy on loss alone (auto-sklearn 2.0); 1: gain per second of fitting",
    )
    p.add_argument("--out", help="folder to write to (default: PATH/portfolio)")
    p.add_argument(
        "--source",
        default="matrix",
        help="runs that form the matrix: 'matrix' (kb matrix) or 'grow' (kb grow's 50)",
    )
    p.set_defaults(func=_portfolio)

    n = cmds.add_parser("neighbors", help="the past datasets most similar to a table")
    n.add_argument("data")
    n.add_argument("--target", required=True)
    n.add_argument("--task", choices=["classification", "regression"])
    n.add_argument("-k", type=int, default=10)
    n.set_defaults(func=_neighbors)

    i = cmds.add_parser(
        "importance",
        help="which hyperparameters matter on the past datasets most similar to a table (fANOVA)",
    )
    i.add_argument("data")
    i.add_argument("--target", required=True)
    i.add_argument("--task", choices=["classification", "regression"])
    i.add_argument("-k", type=int, default=10, help="nearest past datasets to average over")
    i.add_argument("--metric", help="runs of this metric where a dataset has them")
    i.add_argument("--min-trials", type=int, default=10, help="fewer runs: not enough trials")
    i.add_argument("--all", action="store_true", help="also print the rows without an estimate")
    i.add_argument("--png", help="also draw the importances to this PNG")
    i.set_defaults(func=_importance)
