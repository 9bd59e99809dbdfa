"""The knowledge base: a folder of append-only Parquet part files, read as pandas frames."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._parts import (
    FileKey,
    compacted_name,
    deduplicate,
    file_key,
    new_part_name,
    part_files,
    read_part,
    remove_stale_temps,
    write_atomic,
)
from .paths import default_user_path, shipped_path
from .schema import (
    PRIMARY_KEYS,
    STATUSES,
    TABLES,
    KnowledgeBaseError,
    to_pandas,
    validate_frame,
)

__all__ = ["KnowledgeBase", "KnowledgeBaseWarning", "format_stats"]

_RETRIES = 5


class KnowledgeBaseWarning(UserWarning):
    """A part file was skipped (``on_corrupt="skip"``)."""


@dataclass
class _Cache:
    """What has been read: per file (keyed by path, inode, mtime, size) and merged per table."""

    files: dict[str, dict[str, tuple[FileKey, pa.Table | None]]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    merged: dict[str, tuple[tuple[FileKey, ...], pa.Table]] = field(default_factory=dict)
    metafeatures: tuple[tuple[FileKey, ...], pd.DataFrame] | None = None


class KnowledgeBase:
    """A knowledge base of datasets and runs stored as Parquet part files.

    Parameters
    ----------
    path : str, path-like or None
        The writable base. Created on the first append; if it does not exist yet the base
        reads as empty. None gives a base that can only be read.
    read_only_paths : iterable of str or path-like, default=()
        Further bases to read but never write (e.g. the shipped one). Missing folders are
        skipped. When a primary key appears in several places, the writable path wins, then
        later read-only paths over earlier ones, then newer part files over older ones.
    on_corrupt : {"raise", "skip"}, default="raise"
        What to do with a part file that cannot be read or does not fit the schema: raise
        :class:`KnowledgeBaseError` naming it, or skip it with a
        :class:`KnowledgeBaseWarning` naming it.

    Notes
    -----
    Reads are cached in memory, keyed by the part files with their inode, mtime and size,
    so repeated queries are cheap and files written by other processes are seen.
    """

    def __init__(
        self,
        path: str | Path | None,
        *,
        read_only_paths: Iterable[str | Path] = (),
        on_corrupt: Literal["raise", "skip"] = "raise",
    ) -> None:
        if on_corrupt not in ("raise", "skip"):
            raise ValueError(f"on_corrupt must be 'raise' or 'skip', got on_corrupt={on_corrupt!r}")
        if isinstance(read_only_paths, (str, Path)):
            read_only_paths = [read_only_paths]
        self.path = None if path is None else Path(path).expanduser()
        seen = {_same(self.path)} if self.path is not None else set()
        kept = []
        for p in map(Path, read_only_paths):
            if _same(p.expanduser()) not in seen:
                seen.add(_same(p.expanduser()))
                kept.append(p.expanduser())
        self.read_only_paths: tuple[Path, ...] = tuple(kept)
        self.on_corrupt = on_corrupt
        self._excluded: frozenset[str] = frozenset()
        self._is_view = False
        self._cache = _Cache()

    @classmethod
    def default(cls, *, on_corrupt: Literal["raise", "skip"] = "raise") -> KnowledgeBase:
        """The user's base (writable) over the shipped base (read-only).

        Parameters
        ----------
        on_corrupt : {"raise", "skip"}, default="raise"

        Returns
        -------
        KnowledgeBase
            Writable at :func:`default_user_path` (``$AUTOML_KB_DIR`` or
            ``~/.automl/knowledge_base``), also reading :func:`shipped_path`.
        """
        return cls(default_user_path(), read_only_paths=(shipped_path(),), on_corrupt=on_corrupt)

    def __repr__(self) -> str:
        extra = f", excluding {len(self._excluded)} datasets" if self._is_view else ""
        ro = tuple(str(p) for p in self.read_only_paths)
        return f"KnowledgeBase({str(self.path)!r}, read_only_paths={ro!r}{extra})"

    @property
    def writable(self) -> bool:
        """Whether :meth:`append` and :meth:`compact` are allowed."""
        return self.path is not None and not self._is_view

    @property
    def _roots(self) -> list[Path]:
        # read in this order; later rows win on duplicate keys
        return [*self.read_only_paths, *([self.path] if self.path is not None else [])]

    def _check_writable(self, action: str) -> Path:
        if self._is_view:
            raise KnowledgeBaseError(
                f"cannot {action} a read-only view made by excluding(); use the base it came from"
            )
        if self.path is None:
            raise KnowledgeBaseError(f"cannot {action} a knowledge base without a writable path")
        return self.path

    # ------------------------------------------------------------------ writing

    def append(
        self, *, datasets: pd.DataFrame | None = None, runs: pd.DataFrame | None = None
    ) -> None:
        """Add rows, each table as a new part file written atomically.

        Both frames are validated before anything is written. Rows whose primary key already
        exists replace the earlier rows when read (last one wins).

        Parameters
        ----------
        datasets : pandas.DataFrame or None, default=None
            Rows of the datasets table (see ``DATASETS_SCHEMA``).
        runs : pandas.DataFrame or None, default=None
            Rows of the runs table (see ``RUNS_SCHEMA``). ``run_id``, ``created_at``,
            ``library_version`` and ``schema_version`` are filled in where absent.

        Raises
        ------
        KnowledgeBaseError
            If a frame does not fit the schema (the message names column and value), or
            this is a read-only base or view.
        """
        root = self._check_writable("append to")
        tables = [
            (name, validate_frame(frame, name))
            for name, frame in (("datasets", datasets), ("runs", runs))
            if frame is not None
        ]
        for name, data in tables:  # datasets first, so runs never precede their dataset
            if data.num_rows:
                write_atomic(data, root / name / new_part_name())

    def compact(self) -> None:
        """Merge the writable path's part files into one file per table.

        The merged, de-duplicated file is written atomically before the merged parts are
        removed, so a crash at any point loses nothing (duplicates left by a crash are
        removed on read). Parts appended meanwhile by other processes are left alone.
        Temp files older than an hour (left by killed writers) are removed. Unreadable
        files raise (``on_corrupt="raise"``) before anything changes, or are left in place.

        Raises
        ------
        KnowledgeBaseError
            If this is a read-only base or view, or a part file is corrupt and
            ``on_corrupt="raise"``.
        """
        root = self._check_writable("compact")
        for name in TABLES:
            remove_stale_temps(root / name)
            parts, merged = [], []
            for path in part_files(root, name):
                try:
                    data = self._read(path, file_key(path), name)
                except FileNotFoundError:  # merged by a concurrent compaction
                    continue
                if data is not None:
                    parts.append(data)
                    merged.append(path)
            if not parts:
                continue
            data = deduplicate(pa.concat_tables(parts), PRIMARY_KEYS[name])
            if len(merged) == 1 and data.num_rows == parts[0].num_rows:
                continue
            target = root / name / compacted_name(merged[-1])
            write_atomic(data, target)
            for path in merged:
                path.unlink(missing_ok=True)
            self._cache.files[name][str(target)] = (file_key(target), data)  # no re-read

    # ------------------------------------------------------------------ reading

    def _read(self, path: Path, key: FileKey, table: str) -> pa.Table | None:
        hit = self._cache.files[table].get(str(path))
        if hit is not None and hit[0] == key:
            return hit[1]
        try:
            data: pa.Table | None = read_part(path, table)
        except KnowledgeBaseError as exc:
            if self.on_corrupt == "raise":
                raise
            warnings.warn(f"skipping corrupt part file {exc}", KnowledgeBaseWarning, stacklevel=2)
            data = None
        self._cache.files[table][str(path)] = (key, data)
        return data

    def _load(self, table: str) -> tuple[tuple[FileKey, ...], pa.Table]:
        """All rows of a table, de-duplicated, with the files they came from."""
        for _ in range(_RETRIES):
            try:
                paths = [p for root in self._roots for p in part_files(root, table)]
                keys = tuple(file_key(p) for p in paths)
                hit = self._cache.merged.get(table)
                if hit is not None and hit[0] == keys:
                    return hit
                parts = [self._read(p, k, table) for p, k in zip(paths, keys)]
            except FileNotFoundError:  # a compaction replaced files: list again
                continue
            tables = [t for t in parts if t is not None]
            data = deduplicate(
                pa.concat_tables(tables) if tables else TABLES[table].empty_table(),
                PRIMARY_KEYS[table],
            )
            self._cache.merged[table] = (keys, data)
            current = {str(p) for p in paths}
            cached = self._cache.files[table]
            for stale in [p for p in cached if p not in current]:
                del cached[stale]
            return keys, data
        raise KnowledgeBaseError(
            f"part files of {table!r} kept disappearing while being read (a compaction in a "
            "loop?); try again"
        )

    def _visible(self, table: str) -> pa.Table:
        data = self._load(table)[1]
        if self._excluded:
            data = data.filter(~pc.field("dataset_id").isin(sorted(self._excluded)))
        return data

    def datasets(self) -> pd.DataFrame:
        """All datasets, one row per ``dataset_id``.

        Returns
        -------
        pandas.DataFrame
            Columns of ``DATASETS_SCHEMA``; ``metafeatures`` is a JSON string
            (see :meth:`metafeatures`).
        """
        return to_pandas(self._visible("datasets"), "datasets")

    def runs(
        self,
        dataset_ids: str | Iterable[str] | None = None,
        *,
        statuses: str | Iterable[str] | None = ("success",),
    ) -> pd.DataFrame:
        """Runs, filtered by dataset and status.

        Parameters
        ----------
        dataset_ids : str, iterable of str or None, default=None
            Only runs on these datasets; None for all.
        statuses : str, iterable of str or None, default=("success",)
            Only runs with these statuses (success, crashed, timeout, memout); None for all.

        Returns
        -------
        pandas.DataFrame
            Columns of ``RUNS_SCHEMA``, one row per ``run_id``.
        """
        expr = None
        if dataset_ids is not None:
            ids = [dataset_ids] if isinstance(dataset_ids, str) else list(dataset_ids)
            expr = pc.field("dataset_id").isin(pa.array(ids, pa.string()))
        if statuses is not None:
            wanted = [statuses] if isinstance(statuses, str) else list(statuses)
            unknown = sorted(set(wanted) - set(STATUSES))
            if unknown:
                raise ValueError(f"unknown status(es) {unknown}; expected some of {STATUSES}")
            by_status = pc.field("status").isin(pa.array(wanted, pa.string()))
            expr = by_status if expr is None else expr & by_status
        data = self._visible("runs")
        return to_pandas(data if expr is None else data.filter(expr), "runs")

    def metafeatures(self) -> pd.DataFrame:
        """Meta-features of all datasets as numbers.

        Returns
        -------
        pandas.DataFrame
            Index ``dataset_id`` (one row per dataset, even without meta-features), one
            float64 column per meta-feature name (sorted); NaN where unknown.
        """
        keys, data = self._load("datasets")
        cached = self._cache.metafeatures
        if cached is None or cached[0] != keys:
            ids = pd.Index(data.column("dataset_id").to_pylist(), name="dataset_id")
            records = [json.loads(s) for s in data.column("metafeatures").to_pylist()]
            frame = pd.DataFrame.from_records(records, index=ids, columns=None)
            frame = frame.reindex(columns=sorted(frame.columns)).astype("float64")
            self._cache.metafeatures = cached = (keys, frame)
        frame = cached[1]
        if self._excluded:
            frame = frame[~frame.index.isin(list(self._excluded))]
        return frame.copy()

    def best_configurations(
        self, dataset_id: str, *, n: int = 1, metric: str | None = None
    ) -> pd.DataFrame:
        """The best distinct configurations found on one dataset.

        Parameters
        ----------
        dataset_id : str
        n : int, default=1
            How many distinct ``config`` strings to return at most.
        metric : str or None, default=None
            Rank runs of this metric; None for the metric with most successful runs on the
            dataset (ties broken alphabetically).

        Returns
        -------
        pandas.DataFrame
            Successful runs of that metric, the lowest-loss run of each distinct
            ``config``, sorted by loss (ties: higher fidelity, then older first); at most
            ``n`` rows, empty if there are none.
        """
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be a positive integer, got n={n!r}")
        runs = self.runs([dataset_id], statuses=("success",))
        runs = runs[runs["loss"].notna()]
        if runs.empty:
            return runs.reset_index(drop=True)
        if metric is None:
            counts = runs["metric"].value_counts()
            metric = min(counts.index[counts == counts.max()])
        runs = runs[runs["metric"] == metric].sort_values(
            ["loss", "fidelity", "created_at"], ascending=[True, False, True], kind="stable"
        )
        return runs.drop_duplicates("config").head(n).reset_index(drop=True)

    def excluding(self, dataset_ids: str | Iterable[str]) -> KnowledgeBase:
        """A read-only view that hides some datasets and their runs.

        Parameters
        ----------
        dataset_ids : str or iterable of str
            The datasets to hide (e.g. the one being fitted, for leave-one-dataset-out).

        Returns
        -------
        KnowledgeBase
            A view sharing this base's files and cache; :meth:`append` and :meth:`compact`
            raise on it. Views can be chained.
        """
        ids = [dataset_ids] if isinstance(dataset_ids, str) else list(dataset_ids)
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._excluded = self._excluded | frozenset(map(str, ids))
        view._is_view = True
        return view

    # ------------------------------------------------------------------ summary

    def stats(self) -> dict[str, Any]:
        """Counts of what the base holds.

        Returns
        -------
        dict
            ``datasets``, ``runs``, ``runs_without_dataset``, ``files``, ``bytes`` (ints);
            ``datasets_by_source``, ``datasets_by_task``, ``runs_by_source``,
            ``runs_by_task``, ``runs_by_model``, ``runs_by_status``, ``runs_by_metric``
            (dicts label -> count, largest first); ``files_by_path`` and ``bytes_by_path``.
            :func:`format_stats` prints it as a table.
        """
        datasets, runs = self._visible("datasets"), self._visible("runs")
        orphans = pc.sum(
            pc.invert(pc.is_in(runs.column("dataset_id"), value_set=datasets.column("dataset_id")))
        ).as_py()
        out: dict[str, Any] = {
            "datasets": datasets.num_rows,
            "runs": runs.num_rows,
            "runs_without_dataset": orphans or 0,
        }
        for column in ("source", "task"):
            out[f"datasets_by_{column}"] = _counts(datasets, column)
        for column in ("source", "task", "model", "status", "metric"):
            out[f"runs_by_{column}"] = _counts(runs, column)
        files: dict[str, int] = {}
        sizes: dict[str, int] = {}
        for root in self._roots:
            paths = [p for table in TABLES for p in part_files(root, table)]
            files[str(root)] = len(paths)
            sizes[str(root)] = sum(_size(p) for p in paths)
        out["files"], out["bytes"] = sum(files.values()), sum(sizes.values())
        out["files_by_path"], out["bytes_by_path"] = files, sizes
        return out


def _counts(data: pa.Table, column: str) -> dict[str, int]:
    counts = pc.value_counts(data.column(column)).to_pylist()
    pairs = sorted(((c["values"], c["counts"]) for c in counts), key=lambda p: (-p[1], p[0]))
    return dict(pairs)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # removed by a concurrent compaction
        return 0


def _same(path: Path | None) -> str:
    return str(path.resolve()) if path is not None else ""


def format_stats(stats: dict[str, Any]) -> str:
    """Render :meth:`KnowledgeBase.stats` as an aligned two-column text table.

    Parameters
    ----------
    stats : dict
        As returned by :meth:`KnowledgeBase.stats`.

    Returns
    -------
    str
    """
    rows: list[tuple[str, str]] = []
    for key, value in stats.items():
        if isinstance(value, dict):
            rows.append((key.replace("_", " "), ""))
            rows.extend((f"  {label}", f"{count:,}") for label, count in value.items())
        else:
            rows.append((key.replace("_", " "), f"{value:,}"))
    width = max((len(label) for label, _ in rows), default=0)
    size = max((len(count) for _, count in rows), default=0)
    return "\n".join(f"{label:<{width}}  {count:>{size}}".rstrip() for label, count in rows)
