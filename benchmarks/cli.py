"""``automl bench run|report|to-kb``: the benchmark's command line.

``automl`` finds :func:`register` through the ``automl.commands`` entry point (pyproject.toml)
and never imports this package itself; ``python -m benchmarks`` runs :func:`main` standalone.

Examples
--------
::

    automl bench run --suite openml/s/271 --systems automl,constant,tuned-random-forest \\
        --budget 600 --folds 10 --out bench/amlb
    automl bench run --suite ../shared/datasets/pmlb --task-type classification --sample 20 \\
        --max-rows 5000 --systems automl,automl-cold,lightgbm --budget 60 --out bench/pmlb
    automl bench report bench/pmlb --out bench/pmlb/report
    automl bench to-kb bench/pmlb --knowledge-base ~/.automl/knowledge_base
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

DEFAULT_SYSTEMS = "automl,constant,tuned-random-forest"


def _missing_bench_extra(*modules: str) -> bool:
    """Say what to install (on stderr) and return True when one of ``modules``, which the
    ``bench`` extra provides, is not installed."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"error: the benchmarks need {', '.join(missing)}, which is not installed: "
            "pip install 'automl-kb[bench]'",
            file=sys.stderr,
        )
    return bool(missing)


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bench run`` to a parser."""
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--suite",
        help="openml/s/271 (AMLB classification), openml/s/269 (AMLB regression), openml/s/99 "
        "(OpenML-CC18), amlb/small|medium|large, a task list file, or a folder of "
        "CSV/TSV(.gz)/Parquet files",
    )
    what.add_argument("--tasks", help="comma-separated OpenML task ids, e.g. 31,3,1882")
    parser.add_argument(
        "--systems", default=DEFAULT_SYSTEMS, help=f"comma-separated (default {DEFAULT_SYSTEMS})"
    )
    parser.add_argument("--budget", type=_positive_float, default=60.0, help="seconds per job (60)")
    parser.add_argument(
        "--folds",
        type=_positive_int,
        default=1,
        help="OpenML: the first K folds of the task's split; local: 1 = a 2/3-1/3 holdout, "
        "K >= 2 = K-fold cross-validation (default 1)",
    )
    parser.add_argument("--out", required=True, type=Path, help="results folder")
    parser.add_argument("--jobs", type=_positive_int, default=1, help="jobs at a time (1)")
    parser.add_argument("--cores-per-job", type=_positive_int, default=1, help="n_jobs (1)")
    parser.add_argument(
        "--memory-limit", type=int, default=4096, help="MB per job process, 0 = none (4096)"
    )
    parser.add_argument("--retry-failed", action="store_true", help="rerun failed jobs")
    parser.add_argument("--dask", metavar="ADDRESS", help="run the jobs on this Dask scheduler")
    parser.add_argument("--seed", type=int, default=0, help="seed of systems and splits (0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--grow-kb",
        action="store_true",
        help="let the automl systems append their trials to the knowledge base (off by default "
        "so that a benchmark does not contaminate the base it measures)",
    )
    parser.add_argument("--knowledge-base", help="knowledge base path for the automl systems")
    parser.add_argument("--target", default="target", help="target column of local files")
    parser.add_argument("--task-type", choices=["classification", "regression"])
    parser.add_argument("--max-rows", type=int, help="skip local datasets with more rows")
    parser.add_argument(
        "--datasets", help="task/dataset names to keep: comma-separated, or a file of names"
    )
    parser.add_argument("--sample", type=_positive_int, help="keep a seeded sample of N tasks")
    parser.add_argument(
        "--refresh-suite", action="store_true", help="list openml/s/<id> from the server"
    )
    parser.add_argument(
        "--timeout-slack",
        type=float,
        default=60.0,
        help="seconds added to 1.5 * budget before a fitting job is killed (60)",
    )
    parser.add_argument(
        "--load-timeout", type=float, default=600.0, help="seconds to load a task's data (600)"
    )


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bench report`` to a parser."""
    parser.add_argument("results", type=Path, help="results folder of `bench run`")
    parser.add_argument("--out", type=Path, help="report folder (default RESULTS/report)")


def _options(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The named options as keyword arguments, for passing them on under the same names."""
    return {name: getattr(args, name) for name in names}


def run_command(args: argparse.Namespace) -> int:
    """``bench run``: run the jobs, print a summary; exit 1 when any job failed."""
    if _missing_bench_extra("tqdm", *(["distributed"] if args.dask else [])):
        return 2
    from benchmarks.runner import RunConfig, run_benchmark
    from benchmarks.suites import SuiteError, load_suite
    from benchmarks.systems import check_system_names

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    try:
        check_system_names(systems)
        suite = load_suite(
            args.suite,
            **_options(args, "tasks", "target", "task_type", "max_rows", "datasets", "sample"),
            seed=args.seed,
            refresh=args.refresh_suite,
        )
    except (SuiteError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = RunConfig(
        suite=suite,
        systems=systems,
        memory_limit=args.memory_limit or None,
        **_options(args, "budget", "out", "folds", "seed", "jobs", "cores_per_job"),
        **_options(args, "retry_failed", "grow_kb", "knowledge_base", "dask", "quiet"),
        **_options(args, "timeout_slack", "load_timeout"),
    )
    summary = run_benchmark(config)
    if not args.quiet:
        print(f"{suite.name}: {summary} Results in {args.out}")
    failed = sum(n for status, n in summary.statuses.items() if status != "success")
    return 1 if failed else 0


def report_command(args: argparse.Namespace) -> int:
    """``bench report``: write report.md, report.html and the plots."""
    if _missing_bench_extra("matplotlib"):
        return 2
    from benchmarks.report import write_report

    if not (args.results / "jobs").is_dir():
        print(
            f"error: {args.results} has no jobs/ folder; is it a `bench run --out` folder?",
            file=sys.stderr,
        )
        return 2
    paths = write_report(args.results, args.out or args.results / "report")
    for path in paths:
        print(path)
    return 0


def to_kb_command(args: argparse.Namespace) -> int:
    """``bench to-kb``: append the automl systems' per-trial records to a knowledge base."""
    from benchmarks.results import import_into_knowledge_base
    from knowledge_base import KnowledgeBase

    kb = KnowledgeBase(args.knowledge_base) if args.knowledge_base else KnowledgeBase.default()
    print(import_into_knowledge_base(args.results, kb))
    return 0


RUN_DESCRIPTION = """\
Run every (task, fold, system) job of a suite, each in a fresh process with a memory limit and a
hard time limit (1.5 * budget + slack), and write one Parquet row per job to OUT/jobs/. Running
the same command again skips finished jobs; failed ones (status error, timeout, memout,
not-installed) are rerun only with --retry-failed. Exit status: 0 when every job run succeeded,
1 when some failed, 2 for bad arguments."""

RUN_EPILOG = """\
systems: automl (warm start), automl-cold (warm_start=False), automl-random (random search),
automl-loo (the task's own rows hidden from the knowledge base), constant, lightgbm,
random-forest, tuned-random-forest, flaml, autogluon; plug-ins via AUTOML_BENCH_PLUGINS."""

REPORT_DESCRIPTION = """\
Compare the systems of a results folder: report.md, report.html and PNG plots (anytime
performance, normalised-score box plots, critical-difference diagram)."""


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run``, ``report`` and ``to-kb`` to an argparse subparsers object
    (``automl bench ...``)."""
    run = subparsers.add_parser(
        "run",
        help="run a benchmark suite",
        description=RUN_DESCRIPTION,
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_arguments(run)
    run.set_defaults(func=run_command)
    report = subparsers.add_parser(
        "report", help="report on benchmark results", description=REPORT_DESCRIPTION
    )
    add_report_arguments(report)
    report.set_defaults(func=report_command)
    to_kb = subparsers.add_parser(
        "to-kb",
        help="append benchmark results' per-trial records to a knowledge base",
        description="Append the per-trial records that the automl systems of a results folder "
        "saved (with each dataset's meta-features) to a knowledge base, as source 'benchmark'.",
    )
    to_kb.add_argument("results", type=Path, help="results folder of `bench run`")
    to_kb.add_argument(
        "--knowledge-base", type=Path, help="its folder (default: the user's, over the shipped)"
    )
    to_kb.set_defaults(func=to_kb_command)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench`` to the ``automl`` command's subparsers (the ``automl.commands`` entry
    point)."""
    bench = subparsers.add_parser("bench", help="batch benchmarks on OpenML or local suites")
    add_subcommands(bench.add_subparsers(dest="bench_command", required=True))


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser of ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))
