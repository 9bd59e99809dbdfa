"""What every importer shares: the result record, row builders, ids, and OpenML quality clean-up.

Importers build the spec's ``datasets`` and ``runs`` tables without the bookkeeping columns
(``created_at``, ``library_version``, ``schema_version``) that ``KnowledgeBase.append`` fills in.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from knowledge_base.space import SPACE_VERSION
from knowledge_base.vocabulary import GREATER_IS_BETTER

#: Namespace of the deterministic run ids (uuid5): re-importing the same source gives the same ids.
RUN_ID_NAMESPACE = uuid.UUID("6f1c1f5e-3f7a-5d0e-9a3b-2d4c8e0b7a11")

DATASET_COLUMNS = (
    "dataset_id",
    "name",
    "source",
    "openml_dataset_id",
    "openml_task_id",
    "task",
    "n_rows",
    "n_features",
    "metafeatures",
)
RUN_COLUMNS = (
    "run_id",
    "dataset_id",
    "task",
    "model",
    "config",
    "original_config",
    "metric",
    "score",
    "loss",
    "fit_time",
    "fidelity",
    "resampling",
    "status",
    "seed",
    "source",
    "space_version",
    "error",
)


@dataclass
class ImportResult:
    """Knowledge-base rows translated from one source, and what could not be translated.

    Attributes
    ----------
    datasets : pandas.DataFrame
        Rows of the spec's ``datasets`` table (one per dataset, de-duplicated).
    runs : pandas.DataFrame
        Rows of the spec's ``runs`` table (one per translated run, de-duplicated by ``run_id``).
    skipped : dict of str to int
        Number of source runs that were not imported, by reason (each counted once, under the
        first reason found).
    notes : dict of str to Any
        Facts about translated rows worth knowing (e.g. how many AdaBoost runs used SAMME.R).
    """

    datasets: pd.DataFrame
    runs: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def append_to(self, kb: Any) -> None:
        """Append the rows to a ``KnowledgeBase`` in one validated call (datasets, then runs)."""
        datasets = self.datasets if len(self.datasets) else None
        runs = self.runs if len(self.runs) else None
        if datasets is not None or runs is not None:
            kb.append(datasets=datasets, runs=runs)

    def summary(self) -> dict[str, Any]:
        """Counts for logs and reports: datasets, runs, skipped runs by reason."""
        return {
            "datasets": len(self.datasets),
            "runs": len(self.runs),
            "skipped": dict(self.skipped),
            "skipped_total": int(sum(self.skipped.values())),
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"ImportResult(datasets={s['datasets']}, runs={s['runs']}, "
            f"skipped={s['skipped_total']} {s['skipped']})"
        )


def merge_results(results: Iterable[ImportResult]) -> ImportResult:
    """One result from several: rows concatenated and de-duplicated, counts added."""
    results = list(results)
    skipped: Counter[str] = Counter()
    notes: dict[str, Any] = {}
    for r in results:
        skipped.update(r.skipped)
        for key, value in r.notes.items():
            if isinstance(value, (int, float)) and isinstance(notes.get(key, 0), (int, float)):
                notes[key] = notes.get(key, 0) + value
            else:
                notes[key] = value
    datasets = _concat([r.datasets for r in results], DATASET_COLUMNS, "dataset_id")
    runs = _concat([r.runs for r in results], RUN_COLUMNS, "run_id")
    return ImportResult(datasets, runs, dict(skipped), notes)


def _concat(frames: list[pd.DataFrame], columns: tuple[str, ...], key: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(columns)
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(key, keep="first").reset_index(drop=True)


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty ``datasets`` or ``runs`` table with the right columns and dtypes."""
    return datasets_frame([]) if columns == DATASET_COLUMNS else finish_runs(pd.DataFrame())


def datasets_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The ``datasets`` table from row dicts, with the spec's dtypes."""
    frame = pd.DataFrame(rows, columns=list(DATASET_COLUMNS))
    for col in ("openml_dataset_id", "openml_task_id"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in ("n_rows", "n_features"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in ("dataset_id", "name", "source", "task", "metafeatures"):
        frame[col] = frame[col].astype("string")
    return frame.drop_duplicates("dataset_id", keep="first").reset_index(drop=True)


def complete_datasets(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows with the values the store requires (task, sizes), and the ids of those without."""
    bad = frame[["task", "n_rows", "n_features"]].isna().any(axis=1)
    dropped = [str(d) for d in frame.loc[bad, "dataset_id"]]
    return frame.loc[~bad].reset_index(drop=True), dropped


def finish_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """Order the ``runs`` columns, set dtypes, drop duplicate run ids (first kept)."""
    for col in RUN_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame = frame[list(RUN_COLUMNS)].copy()
    for col in ("score", "loss", "fit_time", "fidelity"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["seed"] = pd.array(frame["seed"], dtype="Int64")
    for col in ("run_id", "dataset_id", "task", "model", "config", "metric", "resampling"):
        frame[col] = frame[col].astype("string")
    for col in ("status", "source", "space_version", "original_config", "error"):
        frame[col] = frame[col].astype("string")
    return frame.drop_duplicates("run_id", keep="first").reset_index(drop=True)


def success_run_fields(source: str, resampling: str) -> dict[str, Any]:
    """The ``runs`` columns an imported successful run fills alike: full fidelity, current space."""
    return {
        "fit_time": None,
        "fidelity": 1.0,
        "resampling": resampling,
        "status": "success",
        "seed": None,
        "source": source,
        "space_version": SPACE_VERSION,
        "error": None,
    }


def run_id(*parts: Any) -> str:
    """A deterministic run id (uuid5 hex) from the parts that identify a source run."""
    return uuid.uuid5(RUN_ID_NAMESPACE, "/".join(str(p) for p in parts)).hex


def dumps(obj: Mapping[str, Any]) -> str:
    """Key-sorted JSON as the store writes it; NaN and infinities become null."""
    return json.dumps(_json_safe(obj), sort_keys=True, allow_nan=False)


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def score_and_loss(metric: str, value: float, *, value_is_loss: bool) -> tuple[float, float]:
    """``(score, loss)`` of a metric value given either as its score or as its spec loss."""
    if metric not in GREATER_IS_BETTER:
        raise ValueError(f"Unknown metric {metric!r}; known: {sorted(GREATER_IS_BETTER)}.")
    if not GREATER_IS_BETTER[metric]:
        return value, value
    return (1.0 - value, value) if value_is_loss else (value, 1.0 - value)


def task_from_classes(n_classes: float | None, *, regression: bool = False) -> str | None:
    """``"binary"``/``"multiclass"`` from a class count; ``"regression"`` if asked; else None."""
    if regression:
        return "regression"
    if n_classes is None or not math.isfinite(n_classes) or n_classes < 2:
        return None
    return "binary" if n_classes == 2 else "multiclass"


def finite_number(value: Any) -> float | None:
    """A source's value (a number or its text) as a finite float, else None (``bool`` is not a
    number). Importers check no range of the space: ``automl._space.translate`` does."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fraction_to_exponent(fraction: Any, n_features: Any) -> np.ndarray:
    """The space's ``max_features`` exponent that selects as many features as sklearn's fraction.

    scikit-learn uses ``k = max(1, int(fraction * n))`` features per split; the space uses
    ``n ** e``. See :func:`count_to_exponent` for the exponent of ``k``. Vectorised.
    """
    f = np.asarray(fraction, dtype=float)
    n = np.asarray(n_features, dtype=float)
    return count_to_exponent(np.maximum(1.0, np.floor(f * n)), n)


def count_to_exponent(count: Any, n_features: Any) -> np.ndarray:
    """The exponent ``e`` with ``n ** e == count`` features (the space's ``max_features``).

    ``e = log(k) / log(n)``, nudged up by 1e-12 relative so that both ``int`` and ``round`` of
    ``n ** e`` give back ``k`` despite floating point; clipped to [0, 1]. ``n <= 1`` gives 1.0
    (one feature whatever the exponent). Vectorised.
    """
    k = np.maximum(1.0, np.asarray(count, dtype=float))
    n = np.asarray(n_features, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.log(k * (1.0 + 1e-12)) / np.log(n)
    e = np.where(n > 1, e, 1.0)
    return np.clip(e, 0.0, 1.0)


# --- OpenML qualities -------------------------------------------------------------------------

#: Qualities that cannot be negative: OpenML writes -1 there for "not computed / not applicable".
_NON_NEGATIVE_MARKERS = (
    "NumberOf",
    "Percentage",
    "ClassSize",
    "Entropy",
    "MutualInformation",
    "NominalAttDistinctValues",
    "Cardinality",
    "Dimensionality",
)

#: Percentage qualities recomputed from the counts in the same record, always in percent
#: (0-100): the server stores some in percent and some as fractions (seen on 9 of the
#: OpenML100 datasets, and MinorityClassPercentage as a fraction on all of them).
PERCENT_FROM_COUNTS = {
    "MajorityClassPercentage": ("MajorityClassSize", "NumberOfInstances"),
    "MinorityClassPercentage": ("MinorityClassSize", "NumberOfInstances"),
    "PercentageOfInstancesWithMissingValues": (
        "NumberOfInstancesWithMissingValues",
        "NumberOfInstances",
    ),
    "PercentageOfNumericFeatures": ("NumberOfNumericFeatures", "NumberOfFeatures"),
    "PercentageOfSymbolicFeatures": ("NumberOfSymbolicFeatures", "NumberOfFeatures"),
    "PercentageOfBinaryFeatures": ("NumberOfBinaryFeatures", "NumberOfFeatures"),
}


def clean_openml_qualities(qualities: Mapping[str, Any]) -> tuple[dict[str, float], int]:
    """Server qualities as floats in one convention; returns them and how many values changed.

    * values that are not numbers become NaN;
    * ``-1`` (or any negative value) in a quality that cannot be negative becomes NaN;
    * percentages derivable from counts of the same record are recomputed in percent (0-100),
      ``PercentageOfMissingValues`` from ``NumberOfMissingValues / (rows * NumberOfFeatures)``.
    """
    out: dict[str, float] = {}
    changed = 0
    for name, value in qualities.items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = math.nan
        if v < 0 and any(m in name for m in _NON_NEGATIVE_MARKERS):
            v = math.nan
            changed += 1
        out[str(name)] = v
    for name, (num, den) in PERCENT_FROM_COUNTS.items():
        changed += _recompute(out, name, out.get(num), out.get(den))
    missing, rows, feats = (
        out.get("NumberOfMissingValues"),
        out.get("NumberOfInstances"),
        out.get("NumberOfFeatures"),
    )
    if missing is not None and rows is not None and feats is not None:
        changed += _recompute(out, "PercentageOfMissingValues", missing, rows * feats)
    return out, changed


def _recompute(out: dict[str, float], name: str, num: float | None, den: float | None) -> int:
    if name not in out or num is None or den is None:
        return 0
    if not (math.isfinite(num) and math.isfinite(den)) or den <= 0:
        return 0
    new = 100.0 * num / den
    old = out[name]
    out[name] = new
    return 0 if math.isfinite(old) and math.isclose(old, new, rel_tol=1e-6, abs_tol=1e-9) else 1


def metafeatures_json(values: Mapping[str, float]) -> str:
    """The ``metafeatures`` column: JSON object of OpenML quality name -> float (NaN as null)."""
    return dumps(dict(sorted(values.items())))
