"""One benchmark job in its own process: ``python -m benchmarks.job SPEC.json RESULT.pkl``.

The process limits its address space to the job's memory limit (``RLIMIT_AS``) before it
imports anything heavy, loads its fold, fits and scores the system, and pickles a payload
``{"row": {...}, "trials": DataFrame or None}`` to ``RESULT.pkl`` (atomically). Just before
the fit it creates ``fit-started`` next to the spec, so the parent can start the fit's clock.
The heavy imports stay inside functions: this module must be cheap to import.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time
import traceback
from pathlib import Path
from typing import Any

FIT_MARKER = "fit-started"
VERSION_PACKAGES = (
    "automl-kb",
    "numpy",
    "pandas",
    "scikit-learn",
    "lightgbm",
    "smac",
    "openml",
    "flaml",
    "autogluon.tabular",
)
MEMORY_MARKERS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")


def limit_memory(memory_limit_mb: int | None) -> None:
    """Cap this process's address space at ``memory_limit_mb`` (no-op when None)."""
    if not memory_limit_mb:
        return
    import resource

    limit = int(memory_limit_mb) * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def library_versions() -> dict[str, str]:
    """Versions of Python and of the installed libraries that can change results."""
    import importlib.metadata
    import platform

    versions = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def base_row(spec: dict[str, Any]) -> dict[str, Any]:
    """The result row of a job before it runs: identity, settings, status ``error``."""
    task = spec["task"]
    return {
        "job_id": spec["job_id"],
        "suite": spec["suite"],
        "task": task["name"],
        "task_id": task.get("openml_task_id"),
        "dataset": task["name"],
        "task_type": None,
        "fold": spec["fold"],
        "system": spec["system"],
        "metric": None,
        "higher_is_better": None,
        "score": float("nan"),
        "train_time": float("nan"),
        "predict_time": float("nan"),
        "n_trials": 0,
        "status": "error",
        "error": None,
        "versions": None,
        "budget": float(spec["budget"]),
        "seed": int(spec["seed"]),
        "trace": "[]",
        "n_train": None,
        "n_test": None,
        "n_features": None,
        "memory_limit": spec.get("memory_limit"),
        "peak_memory_mb": float("nan"),
        "host": os.uname().nodename,
    }


def is_memory_error(text: str) -> bool:
    """Whether an error message or stderr says memory ran out."""
    return any(marker in text for marker in MEMORY_MARKERS)


def _configure_openml(config: dict[str, Any] | None) -> None:
    if not config:
        return
    import openml

    if config.get("cachedir"):
        openml.config.set_root_cache_directory(config["cachedir"])
    if config.get("server"):
        openml.config.server = config["server"]


def _dataset_record(data: Any, seed: int) -> dict[str, Any]:
    """Meta-features and fingerprint of the training data, for knowledge-base rows."""
    record: dict[str, Any] = {"dataset_id": None, "metafeatures": None, "record_error": None}
    try:
        from knowledge_base import dataset_fingerprint

        record["dataset_id"] = dataset_fingerprint(data.X_train, data.y_train)
        from metalearning import compute_metafeatures

        features = compute_metafeatures(
            data.X_train, data.y_train, data.task_type, random_state=seed
        )
        record["metafeatures"] = json.dumps(
            {str(k): (None if v != v else float(v)) for k, v in features.items()}
        )
    except Exception as exc:  # the benchmark result must not depend on these helpers
        record["record_error"] = f"{type(exc).__name__}: {exc}"
    return record


def _trials_frame(system: Any, spec: dict[str, Any], data: Any, row: dict, record: dict) -> Any:
    trials = system.trials_.copy()
    if "config" in trials.columns:
        trials["config"] = [
            c if isinstance(c, str) else json.dumps(c, sort_keys=True, default=str)
            for c in trials["config"]
        ]
    for column in trials.columns:
        if trials[column].dtype == object:
            trials[column] = trials[column].map(lambda v: v if v is None else str(v))
    info = {
        "job_id": spec["job_id"],
        "system": spec["system"],
        "dataset": data.dataset,
        "task_type": data.task_type,
        "metric": row["metric"],
        "seed": spec["seed"],
        "openml_task_id": data.openml_task_id,
        "openml_dataset_id": data.openml_dataset_id,
        "n_rows": row["n_train"],
        "n_features": row["n_features"],
        "resampling": system.extra_.get("resampling"),
        **record,
    }
    if system.extra_.get("fingerprint"):  # the estimator's own id of the data, when it has one
        info["dataset_id"] = system.extra_["fingerprint"]
    for key, value in info.items():
        trials[f"job_{key}" if key in trials.columns else key] = value
    return trials


def run_job(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run one job in this process and return its payload (never raises for job failures)."""
    row = base_row(spec)
    trials = None
    requires: tuple[str, ...] = ()
    try:
        from benchmarks.systems import FitContext, get_system, installed_message

        system = get_system(spec["system"])
        requires = system.requires
        missing = installed_message(system)
        if missing:
            row.update(status="not-installed", error=missing)
            return {"row": row, "trials": None}
        trials = _fit_and_score(system, spec, workdir, row, FitContext)
    except MemoryError as exc:
        row.update(status="memout", error=f"MemoryError: {exc}")
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-6)}"
        row.update(status="memout" if is_memory_error(text) else "error", error=text[-4000:])
    versions = library_versions()
    row["versions"] = json.dumps(
        {k: v for k, v in versions.items() if k not in ("flaml", "autogluon.tabular")}
        | {k: versions[k] for k in requires if k in versions},
        sort_keys=True,
    )
    import resource

    row["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"row": row, "trials": trials}


def _fit_and_score(system: Any, spec: dict, workdir: Path, row: dict, context_cls: Any) -> Any:
    from benchmarks.metrics import higher_is_better, metric_for, score_predictions
    from benchmarks.suites import TaskSpec, load_fold

    _configure_openml(spec.get("openml"))
    data = load_fold(
        TaskSpec.from_dict(spec["task"]), spec["fold"], n_folds=spec["n_folds"], seed=spec["seed"]
    )
    metric = metric_for(data.task_type)
    row.update(
        dataset=data.dataset,
        task_type=data.task_type,
        metric=metric,
        higher_is_better=higher_is_better(metric),
        n_train=len(data.X_train),
        n_test=len(data.X_test),
        n_features=data.X_train.shape[1],
    )
    record = None
    if system.records_trials and spec.get("save_trials", True):
        record = _dataset_record(data, spec["seed"])
    ctx = context_cls(
        task_type=data.task_type,
        metric=metric,
        budget=float(spec["budget"]),
        seed=int(spec["seed"]),
        n_jobs=int(spec.get("n_jobs", 1)),
        memory_limit=spec.get("memory_limit"),
        grow_kb=bool(spec.get("grow_kb", False)),
        knowledge_base=spec.get("knowledge_base"),
        workdir=str(workdir),
    )
    (workdir / FIT_MARKER).touch()
    tic = time.monotonic()
    system.fit(data.X_train, data.y_train, ctx)
    row["train_time"] = time.monotonic() - tic
    tic = time.monotonic()
    if ctx.classification:
        proba = system.predict_proba(data.X_test)
        pred = None
    else:
        proba, pred = None, system.predict(data.X_test)
    row["predict_time"] = time.monotonic() - tic
    score = score_predictions(metric, data.y_test.to_numpy(), pred, proba, system.classes_)
    trace = system.trace_ or [[round(row["train_time"], 4), score]]
    row.update(
        status="success", score=score, n_trials=int(system.n_trials_), trace=json.dumps(trace)
    )
    if record is not None and system.trials_ is not None:
        return _trials_frame(system, spec, data, row, record)
    return None


def write_payload(payload: dict[str, Any], path: Path) -> None:
    """Pickle a payload atomically (temporary file in the same folder, then ``os.replace``)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(payload, handle)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the job process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.job SPEC.json RESULT.pkl", file=sys.stderr)
        return 2
    spec_path, result_path = Path(args[0]), Path(args[1])
    spec = json.loads(spec_path.read_text())
    limit_memory(spec.get("memory_limit"))
    payload = run_job(spec, spec_path.parent)
    write_payload(payload, result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
